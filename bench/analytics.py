"""Analytics benchmark: ``citekb analytics`` and the per-request analytics, with memory.

``python -m bench.analytics [--papers N]``:

1. Loads the synthetic corpus through the bulk path into a throwaway Neo4j.
2. Runs ``citekb analytics`` as a separate process under ``/usr/bin/time -v``:
   wall time, peak resident memory, and its own phase timings (read the
   projection, PageRank, Louvain, write back), beside Neo4j's own memory.
3. Runs two worker processes on the same projection, one after the other, so
   each has its own peak memory: ``nx`` (networkx's default everywhere: the
   project's :func:`influence` and :func:`communities` with
   ``backend="networkx"``) and ``igraph`` (the project's ``communities`` with
   ``backend="igraph"`` and igraph's PRPACK PageRank, both over the networkx
   graph; ``citekb analytics`` itself now runs them on the citation arrays,
   see ``bench/analytics_scale.py``), and reports the
   ratio, plus how far the two agree (top-100 PageRank overlap, modularity of
   both partitions on the same undirected graph).
4. Times the per-request analytics the API calls on the cached projection
   (lineage depth 3, similar papers, citation paths, topic PageRank,
   influential papers, personalised PageRank) over a fixed sample of papers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import cypher
from bench import profiles, results
from bench.corpus import citekb_command, ensure_corpus
from bench.server import bench_neo4j, connected_driver, process_memory
from graph_api.settings import Settings
from loaders.bulk_load import load_datasets_dir

DEFAULT_PAPERS = 5000
TARGET_S = 60.0
SAMPLE = 10


def child_env(uri: str) -> dict[str, str]:
    """The environment of a child process that should use the benchmark's server."""
    env = dict(os.environ)
    env["NEO4J_URI"] = uri
    return env


def _rss_now() -> int:
    return process_memory(os.getpid())["rss"] or 0


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# --- `citekb analytics` under /usr/bin/time -v ---------------------------------------
_PHASES = re.compile(
    r"in (?P<total>[\d.]+)s \(read (?P<read>[\d.]+)s, pagerank (?P<pagerank>[\d.]+)s, "
    r"louvain (?P<louvain>[\d.]+)s, write (?P<write>[\d.]+)s\)"
)


def _wall_seconds(text: str) -> float:
    parts = [float(p) for p in text.strip().split(":")]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def run_cli_analytics(uri: str) -> dict[str, Any]:
    cmd = ["/usr/bin/time", "-v", *citekb_command(), "analytics"]
    done = subprocess.run(cmd, env=child_env(uri), capture_output=True, text=True, check=False)
    out = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"citekb analytics failed ({done.returncode}):\n{out[-3000:]}")
    figures: dict[str, Any] = {"exitCode": done.returncode}
    m = re.search(r"Elapsed \(wall clock\) time.*?: (\S+)", out)
    figures["wallS"] = _wall_seconds(m.group(1)) if m else None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out)
    figures["peakRssBytes"] = int(m.group(1)) * 1024 if m else None
    m = re.search(r"User time \(seconds\): ([\d.]+)", out)
    figures["userS"] = float(m.group(1)) if m else None
    m = re.search(r"Percent of CPU this job got: (\d+)%", out)
    figures["cpuPercent"] = int(m.group(1)) if m else None
    m = _PHASES.search(" ".join(out.split()))
    if m:
        figures["phases"] = {k: float(v) for k, v in m.groupdict().items()}
    figures["output"] = [line for line in out.splitlines() if "analytics stored" in line]
    return figures


def profile_projection(driver: Any, db: str) -> dict[str, Any]:
    """PROFILE the projection read `citekb analytics` starts with (all rows consumed):
    the citation arrays' statement (the API's projection adds read/projection_attributes)."""
    started = time.perf_counter()
    try:
        with driver.session(database=db, default_access_mode="READ") as session:
            result = session.run("PROFILE " + cypher.statement("read/projection_citations"))
            rows = sum(1 for _ in result)  # the profile exists once every row is pulled
            summary = result.consume()
    except Exception as exc:  # a profile is a diagnosis, not a figure: keep going
        return {"error": str(exc)[:300]}
    wall = time.perf_counter() - started
    ops: list[tuple[int, str, str]] = []
    hits = profiles.plan_operators(summary.profile or {}, ops)
    ops.sort(reverse=True)
    return {
        "rows": rows,
        "wallS": round(wall, 2),
        "serverMs": (summary.result_available_after or 0) + (summary.result_consumed_after or 0),
        "dbHits": hits,
        "topOperators": [f"{op} {h:,} ({d})" for h, op, d in ops[:6] if h],
    }


# --- workers -----------------------------------------------------------------------
def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def _sample_papers(G: Any, n: int) -> list[str]:
    """A fixed sample: papers that both cite and are cited, evenly spread by id."""
    both = sorted(p for p in G if G.in_degree(p) > 0 and G.out_degree(p) > 0)
    step = max(1, len(both) // n)
    return both[::step][:n]


def _ms_stats(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "n": len(ms),
        "p50Ms": round(statistics.median(ms), 2),
        "maxMs": round(ms[-1], 2),
        "meanMs": round(statistics.fmean(ms), 2),
    }


def per_request(proj: Any, scores: dict[str, float]) -> dict[str, Any]:
    """Time the analytics the API resolvers call, on a fixed sample of papers."""
    from graph_api import analytics as an

    G = proj.graph
    papers = _sample_papers(G, SAMPLE)
    topics = sorted({t for p in papers for t in (G.nodes[p].get("topics") or ())})[:SAMPLE]
    timings: dict[str, list[float]] = {}
    sizes: dict[str, list[int]] = {}

    def record(name: str, fn: Callable[[], Any], size: Callable[[Any], int]) -> Any:
        value, took = _timed(fn)
        timings.setdefault(name, []).append(took)
        sizes.setdefault(name, []).append(size(value))
        return value

    for p in papers:
        anc = record(
            "lineage ancestors depth 3",
            partial(an.lineage, G, p, direction="ancestors", depth=3),
            lambda v: len(v.depth),
        )
        record(
            "lineage descendants depth 3",
            partial(an.lineage, G, p, direction="descendants", depth=3),
            lambda v: len(v.depth),
        )
        for method in ("co_citation", "coupling", "adamic_adar"):
            record(
                f"similar papers ({method})",
                partial(an.similar_papers, G, p, method=method, k=10),
                len,
            )
        far = max(anc.depth, key=lambda q: (anc.depth[q], q))
        record(
            "citation path (to a depth-3 ancestor, k=5)",
            partial(an.citation_paths, G, p, far, k=5),
            lambda v: len(v.paths),
        )
        record(
            "personalised PageRank (1 seed, k=10)",
            partial(an.personalized_pagerank, G, [p], k=10),
            len,
        )
    for t in topics:
        record("topic PageRank (k=10)", partial(an.topic_pagerank, G, t, k=10), len)
        record(
            "influential papers in a topic (stored scores)",
            partial(an.influential_papers, G, scores, topic=t, k=10),
            len,
        )
    return {
        name: {**_ms_stats(samples), "meanResultSize": round(statistics.fmean(sizes[name]), 1)}
        for name, samples in timings.items()
    }


def _projection() -> tuple[Any, float, int]:
    from graph_api.store.graph_store import driver_for
    from graph_api.store.projection import load_projection

    settings = Settings()
    assert settings.neo4j_uri
    driver = driver_for(settings, settings.neo4j_uri)
    proj, load_s = _timed(lambda: load_projection(driver, settings.neo4j_database))
    driver.close()
    return proj, load_s, _rss_now()


def worker_nx(out: Path) -> dict[str, Any]:
    """networkx end to end: the project's PageRank and its Louvain with backend='networkx'."""
    from graph_api.analytics import communities, influence

    proj, load_s, rss_loaded = _projection()
    G = proj.graph
    ranked, pagerank_s = _timed(lambda: influence(G))
    scores = {p: i.score for p, i in ranked.items()}
    found, louvain_s = _timed(lambda: communities(G, scores=scores, backend="networkx"))
    peak = _peak_rss()
    top = sorted(scores, key=lambda p: (-scores[p], p))[:100]
    out.write_text(json.dumps({"membership": found.membership, "top": top}), encoding="utf-8")
    req = per_request(proj, scores)
    return {
        "papers": proj.papers,
        "cites": proj.cites,
        "projectionS": round(load_s, 3),
        "rssAfterProjectionBytes": rss_loaded,
        "pagerankS": round(pagerank_s, 3),
        "louvainS": round(louvain_s, 3),
        "communities": len(found.communities),
        "peakRssBytes": peak,
        "perRequest": req,
    }


def worker_igraph(compare: Path) -> dict[str, Any]:
    """The igraph path: the project's Louvain with backend='igraph' (what `citekb analytics`
    runs, on its citation arrays) and igraph's PRPACK PageRank, over the networkx graph."""
    import igraph as ig  # type: ignore[import-untyped]

    from graph_api.analytics import communities

    proj, load_s, rss_loaded = _projection()
    G = proj.graph

    def build() -> tuple[Any, list[str]]:
        names = [str(n) for n in G]
        index = {n: i for i, n in enumerate(names)}
        edges = [(index[str(u)], index[str(v)]) for u, v in G.edges]
        return ig.Graph(n=len(names), edges=edges, directed=True), names

    (g, names), build_s = _timed(build)
    pr, pagerank_s = _timed(lambda: g.pagerank(damping=0.85, directed=True))
    scores = dict(zip(names, pr, strict=True))
    found, louvain_s = _timed(lambda: communities(G, scores=scores, backend="igraph"))
    peak = _peak_rss()
    top = sorted(scores, key=lambda p: (-scores[p], p))[:100]
    theirs = json.loads(compare.read_text(encoding="utf-8"))
    u = g.as_undirected(mode="collapse")
    nx_membership = [int(theirs["membership"].get(n, -1)) for n in names]
    ig_membership = [int(found.membership.get(n, -1)) for n in names]
    return {
        "papers": g.vcount(),
        "cites": g.ecount(),
        "projectionS": round(load_s, 3),
        "rssAfterProjectionBytes": rss_loaded,
        "buildS": round(build_s, 3),
        "pagerankS": round(pagerank_s, 3),
        "louvainS": round(louvain_s, 3),
        "communities": len(found.communities),
        "peakRssBytes": peak,
        "top100Overlap": len(set(top) & set(theirs["top"])),
        "modularity": round(u.modularity(ig_membership), 4),
        "nxModularity": round(u.modularity(nx_membership), 4),
    }


def run_worker(kind: str, uri: str, path: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.analytics", "--worker", kind, "--worker-file", str(path)]
    done = subprocess.run(
        cmd, env=child_env(uri), capture_output=True, text=True, check=False,
        cwd=results.BENCH_DIR.parent,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"worker {kind} failed:\n{done.stderr[-3000:]}")
    payload: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return payload


# --- report ------------------------------------------------------------------------
def render(payload: dict[str, Any]) -> list[str]:
    lines = results.header_lines(payload)
    load = payload["load"]
    cli = payload["cli"]
    neo_mem = payload.get("neo4jMemory") or {}
    nx_ = payload["nx"]
    ig_ = payload.get("igraph")
    mem_total = payload["machine"]["memTotalBytes"] or 0
    wall = cli["wallS"] or 0.0
    together = (cli["peakRssBytes"] or 0) + (neo_mem.get("rss") or 0)
    ph = cli.get("phases", {})
    lines += [
        "",
        f"Graph: {load['papers']:,} papers, {load['cites']:,} CITES (loaded with the bulk path in"
        f" {load['seconds']:.0f} s).",
        "",
        f"**`citekb analytics`** (separate process, `/usr/bin/time -v`): wall **{wall:.1f} s**"
        f" (target <= {TARGET_S:.0f} s: {'met' if wall <= TARGET_S else 'MISSED'}), peak memory"
        f" {results.mib(cli['peakRssBytes'])}, CPU {cli.get('cpuPercent')}%; its phases: read the"
        f" projection {ph.get('read', '?')} s, PageRank {ph.get('pagerank', '?')} s, Louvain"
        f" {ph.get('louvain', '?')} s, write back {ph.get('write', '?')} s. Neo4j's own resident"
        f" memory {results.mib(neo_mem.get('rss'))}; both together"
        f" {results.mib(together)} of {results.gib(mem_total)}"
        f" ({'within' if together < mem_total else 'OVER'} the machine's memory).",
    ]
    prof = payload.get("projectionProfile")
    if prof and "error" in prof:
        lines += ["", f"PROFILE of the projection read failed: {prof['error']}"]
    elif prof:
        lines += [
            "",
            f"PROFILE of the projection read (`cypher/read/projection_citations.cypher`, all rows"
            f" consumed): {prof['dbHits']:,} db hits, {prof['wallS']} s; heaviest operators: "
            + "; ".join(prof["topOperators"]),
        ]
    if ig_:
        nx_total = nx_["pagerankS"] + nx_["louvainS"]
        ig_total = ig_["buildS"] + ig_["pagerankS"] + ig_["louvainS"]
        lines += [
            "",
            "**networkx's default against the igraph path, same projection, one run** (each in"
            " its own process, so peak memory is its own; `citekb analytics` itself runs"
            " igraph on the citation arrays, see Analytics at scale):",
            "",
            *results.table(
                ["step", "networkx s", "igraph s", "ratio"],
                [
                    ["read projection (same code)", nx_["projectionS"], ig_["projectionS"], "-"],
                    ["convert to igraph (for PageRank)", "-", ig_["buildS"], "-"],
                    [
                        "PageRank (nx: + rank/percentile; igraph PRPACK)",
                        nx_["pagerankS"],
                        ig_["pagerankS"],
                        f"{nx_['pagerankS'] / max(ig_['pagerankS'], 1e-9):.1f}x",
                    ],
                    [
                        "communities() = Louvain + labels (backend networkx / igraph)",
                        nx_["louvainS"],
                        ig_["louvainS"],
                        f"{nx_['louvainS'] / max(ig_['louvainS'], 1e-9):.1f}x",
                    ],
                    [
                        "**PageRank + Louvain (igraph incl. conversion)**",
                        f"**{nx_total:.2f}**",
                        f"**{ig_total:.2f}**",
                        f"**{nx_total / max(ig_total, 1e-9):.1f}x**",
                    ],
                    [
                        "peak memory of the process",
                        results.mib(nx_["peakRssBytes"]),
                        results.mib(ig_["peakRssBytes"]),
                        "-",
                    ],
                ],
            ),
            "",
            f"Agreement: {ig_['top100Overlap']}/100 of the top-100 PageRank papers are the same;"
            f" Louvain modularity on the same undirected graph: networkx {ig_['nxModularity']}"
            f" ({nx_['communities']} communities), igraph {ig_['modularity']}"
            f" ({ig_['communities']} communities).",
        ]
    lines += [
        "",
        f"**Per-request analytics** on the cached projection (networkx; {SAMPLE} sampled papers"
        " that cite and are cited, and their topics):",
        "",
        *results.table(
            ["call", "n", "p50 ms", "max ms", "mean result size"],
            [
                [name, s["n"], s["p50Ms"], s["maxMs"], s["meanResultSize"]]
                for name, s in nx_["perRequest"].items()
            ],
        ),
        "",
        f"Raw figures: `bench/results/analytics-p{payload['corpus']['papers']}.json`.",
    ]
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.analytics", description=__doc__.split("\n")[0]
    )
    p.add_argument("--papers", type=int, default=DEFAULT_PAPERS, help="corpus size (synthetic)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-igraph", action="store_true", help="only the networkx path")
    p.add_argument("--heap", default=None, help="Neo4j heap (default: settings, 1g)")
    p.add_argument("--pagecache", default=None, help="Neo4j page cache (default: settings)")
    p.add_argument("--worker", choices=("nx", "igraph"), default=None, help=argparse.SUPPRESS)
    p.add_argument("--worker-file", type=Path, default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any] | None:
    args = parse_args(argv)
    if args.worker is not None:
        assert args.worker_file is not None
        fn = worker_nx if args.worker == "nx" else worker_igraph
        print(json.dumps(fn(args.worker_file)))
        return None
    payload = results.new_payload("analytics")
    corpus = ensure_corpus(args.papers, args.seed)
    payload["corpus"] = corpus.describe()
    with bench_neo4j(args.heap, args.pagecache) as neo, connected_driver(neo) as driver:
        payload["neo4j"] = neo.describe()
        summary, load_s = _timed(
            lambda: load_datasets_dir(driver, corpus.path, neo.settings.neo4j_database)
        )
        payload["load"] = {
            "seconds": round(load_s, 1),
            "papers": summary.counts.by_kind["papers"].rows,
            "cites": summary.counts.by_kind["cites"].rows,
        }
        print("loaded:", payload["load"], flush=True)
        payload["cli"] = run_cli_analytics(neo.uri)
        payload["projectionProfile"] = profile_projection(driver, neo.settings.neo4j_database)
        payload["neo4jMemory"] = neo.rss_bytes()
        print("citekb analytics:", payload["cli"], flush=True)
        with tempfile.TemporaryDirectory(prefix="citekb-bench-analytics-") as tmp:
            shared = Path(tmp) / "nx.json"
            payload["nx"] = run_worker("nx", neo.uri, shared)
            print("nx:", {k: v for k, v in payload["nx"].items() if k != "perRequest"}, flush=True)
            if not args.skip_igraph:
                payload["igraph"] = run_worker("igraph", neo.uri, shared)
                print("igraph:", payload["igraph"], flush=True)
    payload["loadAverageAtEnd"] = results.load_average()
    results.write_json("analytics", corpus.papers, payload)
    results.update_section(
        "analytics", corpus.papers, f"Analytics, {corpus.papers:,} papers", render(payload)
    )
    return payload


if __name__ == "__main__":
    main()
