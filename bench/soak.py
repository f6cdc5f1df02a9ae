"""Soak: 32 concurrent clients for 2 minutes on the benchmark mix against ``citekb serve``.

``python -m bench.soak [--papers N] [--duration S] [--connections C] [--warmup S]``
(``make soak``):

1. The same setup as ``bench.api``: the synthetic corpus through the bulk
   path into a throwaway Neo4j, ``citekb analytics``, then ``citekb serve``
   on a free loopback port with its production settings.
2. The same mix as ``bench.api`` (one body of each query of the mix in turn,
   over the sampled papers) driven by the same tool, ``wrk`` with
   ``bench/wrk/graphql.lua`` (a non-200 answer or a GraphQL ``errors`` list
   counts as an error), at ``--connections`` for ``--duration`` seconds.
3. Meanwhile the API process's resident memory (``VmRSS``) is read every
   second. After ``--warmup`` seconds (caches, connection pools and the
   query-plan cache fill up), memory is *flat* when the median of the last
   10 s is less than 10 % above the median of the first 10 s after warm-up.

The run passes when there are 0 errors and memory is flat; the exit code
says so (1 otherwise), p50/p95/p99 are reported either way. Figures go to
``bench/results/soak-p<papers>.json`` and a "Soak" section of
``bench/BENCHMARKS.md``. Everything listens on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import results
from bench.analytics import run_cli_analytics
from bench.api import (
    GRAPHQL_DIR,
    QUERIES,
    SAMPLE,
    Sample,
    accepted,
    bodies_for,
    document,
    samples,
    serve,
    wrk,
)
from bench.corpus import ensure_corpus
from bench.server import bench_neo4j, connected_driver, process_memory
from graph_api.server.neo4j_server import free_port
from loaders.bulk_load import load_datasets_dir

DEFAULT_PAPERS = 5000
DEFAULT_DURATION_S = 120.0
DEFAULT_CONNECTIONS = 32
DEFAULT_WARMUP_S = 20.0
WINDOW_S = 10.0
MAX_GROWTH = 0.10
SECTIONS = "<!-- bench:soak:sections -->"


def mix_bodies(port: int, picked: list[Sample]) -> tuple[list[str], dict[str, str]]:
    """The bench.api mix: for each query the first document the server accepts, interleaved."""
    chosen: dict[str, str] = {}
    per_query: list[list[str]] = []
    for name, (candidates, names) in QUERIES.items():
        for cand in candidates:
            if not (GRAPHQL_DIR / f"{cand}.graphql").exists():
                continue
            bodies = bodies_for(document(cand), names, picked)
            if bodies and accepted(port, bodies[0])[0]:
                chosen[name] = cand
                per_query.append(bodies)
                break
    interleaved = [b[i] for i in range(SAMPLE) for b in per_query if i < len(b)]
    return interleaved, chosen


class MemorySampler(threading.Thread):
    """Reads a process's VmRSS once a second until stopped: (seconds since start, bytes)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        began = time.monotonic()
        while not self._halt.is_set():
            rss = process_memory(self.pid)["rss"]
            if rss is not None:
                self.samples.append((round(time.monotonic() - began, 2), rss))
            self._halt.wait(1.0)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def memory_verdict(samples: list[tuple[float, int]], warmup_s: float) -> dict[str, Any]:
    """Median RSS just after warm-up vs. at the end; growth as a fraction.

    >>> s = [(float(t), 100 + (50 if t < 5 else 0) + t // 10) for t in range(60)]
    >>> v = memory_verdict(s, 5.0)
    >>> v["baselineBytes"], v["endBytes"], v["flat"]
    (100.5, 105.0, True)
    """
    if not samples:
        return {"flat": False, "why": "no memory samples"}
    end_t = samples[-1][0]
    first = [b for t, b in samples if warmup_s <= t < warmup_s + WINDOW_S]
    last = [b for t, b in samples if t > end_t - WINDOW_S]
    if not first or not last:
        return {"flat": False, "why": "the run was shorter than warm-up plus two windows"}
    base = statistics.median(first)
    end = statistics.median(last)
    growth = (end - base) / base
    return {
        "warmupS": warmup_s,
        "windowS": WINDOW_S,
        "baselineBytes": base,
        "endBytes": end,
        "peakBytes": max(b for _, b in samples),
        "startBytes": samples[0][1],
        "growth": round(growth, 4),
        "flat": growth < MAX_GROWTH,
    }


def render(payload: dict[str, Any]) -> list[str]:
    run = payload["wrk"]
    mem = payload["memory"]
    lines = results.header_lines(payload)
    lines += [
        "",
        f"Server: `citekb serve` on 127.0.0.1 (workers {payload['apiWorkers']}, production"
        " limits) over the graph above after `citekb analytics`. Load: `wrk` with"
        f" `bench/wrk/graphql.lua`, {run['connections']} connections ({run['threads']} threads)"
        f" for {payload['duration']:g} s on the bench.api mix"
        f" ({', '.join(f'{k}: `{v}`' for k, v in payload['mix'].items())}),"
        f" {payload['bodies']} request bodies round-robin. Latency in ms.",
        "",
        *results.table(
            ["requests", "req/s", "p50", "p95", "p99", "max", "errors"],
            [
                [
                    f"{run['requests']:,}",
                    run["rps"],
                    run["p50Ms"],
                    run["p95Ms"],
                    f"**{run['p99Ms']}**",
                    run["maxMs"],
                    f"**{run['errors']}**",
                ]
            ],
        ),
        "",
    ]
    if "growth" in mem:
        window, warmup = f"{mem['windowS']:g} s", f"{mem['warmupS']:g} s"
        lines.append(
            f"- API process memory (VmRSS, read every second): {results.mib(mem['startBytes'])}"
            f" at start; median {results.mib(int(mem['baselineBytes']))} in the {window} after"
            f" a {warmup} warm-up, {results.mib(int(mem['endBytes']))} in the last {window}:"
            f" **{mem['growth'] * 100:+.1f} %** (target < {MAX_GROWTH * 100:g} %:"
            f" {'met' if mem['flat'] else 'MISSED'}); peak {results.mib(mem['peakBytes'])}"
        )
    else:
        lines.append(f"- API process memory: not judged ({mem.get('why')})")
    lines.append(
        f"- errors: **{run['errors']}** (target 0: {'met' if run['errors'] == 0 else 'MISSED'});"
        f" wrk raw counts: {run['raw']['graphqlErrors']} GraphQL errors,"
        f" {run['raw']['badStatus']} non-200, {run['raw']['timeouts']} timeouts,"
        f" {run['raw']['connectErrors'] + run['raw']['readErrors'] + run['raw']['writeErrors']}"
        " socket errors"
    )
    lines.append(f"- verdict: **{'PASS' if payload['passed'] else 'FAIL'}**")
    lines += ["", f"Raw figures: `bench/results/soak-p{payload['corpus']['papers']}.json`."]
    return lines


def ensure_sections_anchor() -> None:
    """A "Soak" heading once at the end of BENCHMARKS.md; runs add their sections under it."""
    text = (
        results.BENCHMARKS_MD.read_text(encoding="utf-8") if results.BENCHMARKS_MD.exists() else ""
    )
    if SECTIONS in text:
        return
    text = text.rstrip("\n") + (
        "\n\n## Soak\n\n"
        "`make soak` (`python -m bench.soak`): 32 concurrent clients for 2 minutes on the"
        " bench.api mix against `citekb serve`; passes with 0 errors and the API process's"
        " memory flat (< 10 % growth after warm-up).\n\n" + SECTIONS + "\n"
    )
    results.BENCHMARKS_MD.write_text(text, encoding="utf-8")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    p.add_argument("--papers", type=int, default=DEFAULT_PAPERS, help="corpus size (synthetic)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--duration", type=float, default=DEFAULT_DURATION_S, help="seconds of load")
    p.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    p.add_argument("--warmup", type=float, default=DEFAULT_WARMUP_S, help="seconds not judged")
    p.add_argument("--no-report", action="store_true", help="do not touch BENCHMARKS.md")
    args = p.parse_args(argv)
    if args.duration < args.warmup + 2 * WINDOW_S:
        p.error(f"--duration must be at least --warmup + {2 * WINDOW_S:g} s")
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make soak does it)")
    payload = results.new_payload(
        "soak",
        duration=args.duration,
    )
    corpus = ensure_corpus(args.papers, args.seed)
    payload["corpus"] = corpus.describe()
    with (
        bench_neo4j() as neo,
        connected_driver(neo) as driver,
        tempfile.TemporaryDirectory(prefix="citekb-soak-") as tmp_name,
    ):
        tmp = Path(tmp_name)
        payload["neo4j"] = neo.describe()
        payload["apiWorkers"] = neo.settings.api_workers
        db = neo.settings.neo4j_database
        load_datasets_dir(driver, corpus.path, db)
        payload["analytics"] = run_cli_analytics(neo.uri)
        picked = samples(driver, db, SAMPLE)
        port = free_port()
        with serve(neo, port, tmp / "api.log") as server:
            bodies, chosen = mix_bodies(port, picked)
            if not bodies:
                raise SystemExit("no query of the mix is accepted by the running schema")
            payload["mix"] = chosen
            payload["bodies"] = len(bodies)
            mix_path = tmp / "soak.jsonl"
            mix_path.write_text("\n".join(bodies) + "\n", encoding="utf-8")
            sampler = MemorySampler(int(server["pid"]))
            sampler.start()
            try:
                print(
                    f"soak: {args.connections} connections for {args.duration:g} s ...", flush=True
                )
                payload["wrk"] = wrk(port, mix_path, args.connections, args.duration)
            finally:
                sampler.stop()
            payload["memorySamples"] = sampler.samples
            payload["memory"] = memory_verdict(sampler.samples, args.warmup)
            log_text = (tmp / "api.log").read_text(encoding="utf-8", errors="replace")
            payload["apiLogTracebacks"] = log_text.count("Traceback")
        payload["neo4jMemory"] = neo.rss_bytes()
    payload["loadAverageAtEnd"] = results.load_average()
    run = payload["wrk"]
    payload["passed"] = bool(run["errors"] == 0 and payload["memory"].get("flat"))
    print(
        f"soak: {run['requests']} requests, {run['rps']} req/s, p50 {run['p50Ms']} ms,"
        f" p99 {run['p99Ms']} ms, errors {run['errors']};"
        f" memory growth {payload['memory'].get('growth')}; passed {payload['passed']}",
        flush=True,
    )
    results.write_json("soak", corpus.papers, payload)
    if not args.no_report:
        ensure_sections_anchor()
        results.update_section(
            "soak", corpus.papers, f"Soak, {corpus.papers:,} papers", render(payload)
        )
    if not payload["passed"]:
        raise SystemExit(1)
    return payload


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:  # a setup step (synth, analytics) failed
        raise SystemExit(f"soak setup failed: {exc}") from exc
