"""Analytics at scale: ``citekb analytics`` against the path it replaced, same graph, same run.

``python -m bench.analytics_scale --papers N [--seed 7] [--baseline-commit C] [--skip-baseline]``

The graph must already be loaded in the server ``NEO4J_URI`` points at
(``citekb synth --papers N --seed S --out DIR`` then ``citekb load DIR``): at
1M papers the load takes far longer than the analytics, so it is done once
and reused, and this benchmark never changes the graph (only the stored
scores, which both paths write).

Alternating in one run, each a separate process under ``/usr/bin/time -v``:

* **baseline**: ``citekb analytics`` of commit ``--baseline-commit`` (the
  networkx projection of every paper's attributes and references, networkx
  PageRank, igraph Louvain over a networkx graph, 5,000-row map batches),
  run from a ``git archive`` of that commit's packages on ``PYTHONPATH``;
* **arrays**: this tree's ``citekb analytics`` (citation arrays, igraph
  PageRank and Louvain, 20,000-row list batches), with py-spy sampling it.

Figures: wall, phases (as each prints them), peak resident memory of the
process, Neo4j's resident memory, load averages. The section goes to
``bench/BENCHMARKS.md`` (``analytics-scale``), raw figures to
``bench/results/analytics-scale-p<N>.json``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import profiles, results
from bench.server import process_cpu_seconds, process_memory
from graph_api.settings import Settings

TARGET_S = 15.0
TARGET_PAPERS = 100_000
WHICH_MODULE = "import graph_api.store.analytics_store as m; print(m.__file__)"
REPO = Path(__file__).resolve().parent.parent
_PHASES = re.compile(
    r"(?P<papers>\d+) papers, (?P<cites>\d+) citations, (?P<communities>\d+) communities "
    r"in (?P<total>[\d.]+)s \(read (?P<read>[\d.]+)s, pagerank (?P<pagerank>[\d.]+)s, "
    r"louvain (?P<louvain>[\d.]+)s, write (?P<write>[\d.]+)s\)"
)


def _wall_seconds(text: str) -> float:
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def baseline_tree(commit: str, into: Path) -> Path:
    """The packages of ``commit`` (graph_api, cypher, loaders), to put first on PYTHONPATH."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "graph_api", "cypher", "loaders"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_analytics(
    uri: str,
    pythonpath: Path | None,
    profile_out: Path | None,
    neo4j_pid: int | None,
    cwd: Path,
) -> dict[str, Any]:
    """One ``citekb analytics`` process; py-spy on it when ``profile_out`` is given.

    ``cwd`` is a directory without packages of ours: ``python -c`` puts the
    working directory first on the path, which would shadow ``PYTHONPATH``.
    """
    env = dict(os.environ, NEO4J_URI=uri)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    cmd = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "-c",
        "from graph_api.cli.main import app; app()",
        "analytics",
    ]
    figures: dict[str, Any] = {"loadAverageAtStart": results.load_average()}
    neo_cpu = process_cpu_seconds(neo4j_pid) if neo4j_pid is not None else None
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd)
    spy = None
    if profile_out is not None:
        # /usr/bin/time's child is the Python process; wait for it to exist.
        child = None
        for _ in range(100):
            found = subprocess.run(
                ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
            if found:
                child = int(found[0])
                break
            time.sleep(0.05)
        if child is not None:
            spy = profiles.start(child, 3600, profile_out)
    neo_peak = 0
    while proc.poll() is None:
        if neo4j_pid is not None:
            neo_peak = max(neo_peak, process_memory(neo4j_pid)["rss"] or 0)
        time.sleep(0.5)
    out = proc.stdout.read().decode() if proc.stdout else ""
    elapsed = time.perf_counter() - started
    profiles.stop(spy)
    if proc.returncode != 0:
        raise RuntimeError(f"citekb analytics failed ({proc.returncode}):\n{out[-3000:]}")
    m = re.search(r"Elapsed \(wall clock\) time.*?: (\S+)", out)
    figures["wallS"] = _wall_seconds(m.group(1)) if m else round(elapsed, 1)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out)
    figures["peakRssBytes"] = int(m.group(1)) * 1024 if m else None
    m = re.search(r"Percent of CPU this job got: (\d+)%", out)
    figures["cpuPercent"] = int(m.group(1)) if m else None
    user = re.search(r"User time \(seconds\): ([\d.]+)", out)
    system = re.search(r"System time \(seconds\): ([\d.]+)", out)
    if user and system:
        figures["cpuS"] = round(float(user.group(1)) + float(system.group(1)), 1)
    if neo_cpu is not None and neo4j_pid is not None:
        after = process_cpu_seconds(neo4j_pid)
        figures["neo4jCpuS"] = round(after - neo_cpu, 1) if after is not None else None
    figures["versionCheck"] = [line for line in out.splitlines() if "analytics stored" in line]
    m = _PHASES.search(" ".join(out.split()))
    if m:
        figures["phases"] = {k: float(v) for k, v in m.groupdict().items()}
    figures["neo4jPeakRssBytes"] = neo_peak or None
    figures["loadAverageAtEnd"] = results.load_average()
    if profile_out is not None:
        figures["profile"] = profiles.summarise(profile_out, figures["wallS"])
    return figures


def render(payload: dict[str, Any]) -> list[str]:
    lines = results.header_lines(payload)
    lines += [
        f"- graph: loaded once with `citekb load` ({payload['loadedWith']}) and reused;"
        " this benchmark only rewrites the stored scores",
        "",
    ]
    runs = payload["runs"]
    rows = []
    for run in runs:
        ph = run.get("phases") or {}
        rows.append(
            [
                run["path"],
                run["wallS"],
                ph.get("read", "-"),
                ph.get("pagerank", "-"),
                ph.get("louvain", "-"),
                ph.get("write", "-"),
                run.get("cpuS", "-"),
                run.get("neo4jCpuS", "-"),
                results.mib(run.get("peakRssBytes")),
                results.mib(run.get("neo4jPeakRssBytes")),
                " / ".join(map(str, run["loadAverageAtStart"])),
            ]
        )
    lines += results.table(
        [
            "path (in run order)",
            "wall s",
            "read s",
            "pagerank s",
            "louvain s",
            "write s",
            "CPU s",
            "Neo4j CPU s",
            "peak RSS",
            "Neo4j RSS",
            "load avg at start",
        ],
        rows,
    )
    arrays = [r for r in runs if r["path"] == "arrays"]
    base = [r for r in runs if r["path"] == "baseline"]
    best = min(arrays, key=lambda r: r["wallS"])
    # Issue 13's targets: <= 15 s wall at 100k papers; at 1M, within the memory.
    if payload["papers"] <= TARGET_PAPERS:
        verdict = "met" if best["wallS"] <= TARGET_S else "MISSED"
        target = f"target <= {TARGET_S:.0f} s: {verdict}"
    else:
        target = "the target at this size is memory, below"
    lines += [
        "",
        f"- **`citekb analytics` (arrays + igraph): {best['wallS']} s wall** (best of"
        f" {len(arrays)}; {target})",
    ]
    if base:
        ratio = min(r["wallS"] for r in base) / best["wallS"]
        lines.append(
            f"- baseline (`citekb analytics` at {payload['baselineCommit']}):"
            f" {min(r['wallS'] for r in base)} s wall; **ratio {ratio:.1f}x**"
        )
    else:
        lines.append("- baseline: not run at this size (see the text below the table)")
    mem = payload["memory"]
    lines.append(
        f"- memory: analytics process peak {results.mib(best.get('peakRssBytes'))}, Neo4j"
        f" {results.mib(best.get('neo4jPeakRssBytes'))} resident (heap"
        f" {mem['heap']} + page cache {mem['pagecache']} configured); machine"
        f" {results.gib(payload['machine']['memTotalBytes'])}"
    )
    for run in arrays:
        if run.get("profile"):
            lines += profiles.render(run["profile"], f"the arrays run ({run['wallS']} s)")
            break
    lines += ["", f"Raw figures: `bench/results/analytics-scale-p{payload['papers']}.json`."]
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.analytics_scale", description=__doc__)
    p.add_argument("--papers", type=int, required=True, help="the loaded corpus' size")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--citations", type=int, default=None, help="the corpus' citations")
    p.add_argument("--authors", type=int, default=None, help="the corpus' authors")
    p.add_argument("--baseline-commit", default="c2887aa")
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--neo4j-pid", type=int, default=None)
    p.add_argument("--heap", default="1g")
    p.add_argument("--pagecache", default="512m")
    p.add_argument("--loaded-with", default="the bulk path")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    uri = Settings().neo4j_uri
    if not uri:
        raise SystemExit("set NEO4J_URI to the server holding the loaded corpus")
    payload = results.new_payload(
        "analytics-scale",
        papers=args.papers,
        baselineCommit=args.baseline_commit,
        loadedWith=args.loaded_with,
        neo4j={
            "version": "5.26",
            "how": "NEO4J_URI",
            "heap": args.heap,
            "pagecache": args.pagecache,
        },
        memory={"heap": args.heap, "pagecache": args.pagecache},
        runs=[],
    )
    if args.citations and args.authors:
        payload["corpus"] = {
            "papers": args.papers,
            "seed": args.seed,
            "citations": args.citations,
            "authors": args.authors,
        }
    work = Path(tempfile.mkdtemp(prefix="citekb-analytics-scale-"))
    try:
        neutral = work / "cwd"
        neutral.mkdir()
        old = None
        if not args.skip_baseline:
            old = baseline_tree(args.baseline_commit, work / "baseline")
            # Which code the baseline process really imports (not this tree's).
            payload["baselineImports"] = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import graph_api.store.analytics_store as m; print(m.__file__)",
                ],
                env=dict(os.environ, PYTHONPATH=str(old)),
                cwd=neutral,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            print("baseline imports", payload["baselineImports"], flush=True)
            if not payload["baselineImports"].startswith(str(old)):
                raise SystemExit("the baseline would run this tree's code")
        for i in range(args.rounds):
            if old is not None:
                run = run_analytics(uri, old, None, args.neo4j_pid, neutral)
                payload["runs"].append({"path": "baseline", **run})
                print("baseline:", run, flush=True)
            run = run_analytics(uri, None, work / f"arrays-{i}.raw", args.neo4j_pid, neutral)
            payload["runs"].append({"path": "arrays", **run})
            print("arrays:", {k: v for k, v in run.items() if k != "profile"}, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    payload["loadAverageAtEnd"] = results.load_average()
    results.write_json("analytics-scale", args.papers, payload)
    results.update_section(
        "analytics-scale",
        args.papers,
        f"Analytics at scale, {args.papers:,} papers",
        render(payload),
    )
    return payload


if __name__ == "__main__":
    main()
