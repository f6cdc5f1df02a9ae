"""semanticNeighbours benchmark: nearest papers by embedding at 100k papers.

``python -m bench.semantic [--papers N] [--samples S] [--first K] [--store DIR]``:

1. Writes N SYNTHETIC papers with 768-float vectors clustered by field
   (:func:`loaders.synth.field_centroids`, the same vectors ``citekb synth
   --embeddings`` writes) through the real writer (``write/papers``,
   ``write/embeddings``) into a throwaway Neo4j, and waits for the vector
   index. No citations: the field reads only papers and the index.
2. Times S requests, each for a different paper, several ways in the same run,
   interleaved (each paper through every path, in a rotating order):
   the statement alone (``read/api/semantic_neighbours``: vector index, then
   exact cosine on 2k+1 candidates), the GraphQL field through the app
   in-process (``semanticNeighbours(id:, first:) { similarity paper { title } }``),
   its parts alone (the vector index query, the paper's own seek: the profile),
   and, as the baseline, an exact scan computing the cosine with every paper
   (``cypher/bench/semantic_scan``; fewer samples, it is slow).
3. Records recall of the index path against the exact scan, p50/p90/p99,
   and the load average at start and end (the machine is shared).

Results: ``bench/results/semantic-p<N>.json`` and a section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

import cypher
from bench import results
from bench.server import bench_neo4j, connected_driver, process_memory
from graph_api.service.app import create_app
from graph_api.store import graph_store
from loaders.graph_writer import write_rows
from loaders.rows import GraphRows
from loaders.synth import FIELD_NAMES, field_centroids, synthetic_paper_id

DEFAULT_PAPERS = 100_000
BATCH = 1000
QUERY = (
    "query($id: ID!, $k: Int) {"
    " semanticNeighbours(id: $id, first: $k) { similarity paper { title } } }"
)


def vectors(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(fields, unit vectors) for n synthetic papers, as synth draws them (no second field)."""
    rng = np.random.default_rng([seed, 768, 3])
    centroids = field_centroids(seed)
    fields = rng.integers(0, len(FIELD_NAMES), size=n)
    noise = rng.standard_normal((n, centroids.shape[1])) / np.sqrt(centroids.shape[1])
    vecs = centroids[fields] + noise
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return fields, vecs.astype(np.float32)


def write_corpus(driver: Any, database: str, n: int, seed: int) -> dict[str, float]:
    fields, vecs = vectors(n, seed)
    started = time.perf_counter()
    for start in range(0, n, BATCH):
        rows = GraphRows()
        for i in range(start, min(start + BATCH, n)):
            pid = synthetic_paper_id(seed, 9_000_000_000 + i)
            rows.papers.append(
                {
                    "paperId": pid,
                    "corpusId": 9_000_000_000 + i,
                    "title": f"[synthetic] {FIELD_NAMES[fields[i]]} paper {i}",
                    "year": 1995 + i % 31,
                    "synthetic": True,
                }
            )
            rows.embeddings.append(
                {"paperId": pid, "vector": vecs[i].tolist(), "model": "synthetic"}
            )
        write_rows(driver, rows, database=database, record_load=start + BATCH >= n)
    written = time.perf_counter() - started
    started = time.perf_counter()
    with driver.session(database=database) as session:
        session.run(cypher.statement("admin/await_indexes")).consume()
    return {"writeS": written, "indexOnlineS": time.perf_counter() - started}


def percentiles(ms: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "p50": statistics.median(ms),
        "p90": qs[89],
        "p99": qs[98],
        "mean": statistics.fmean(ms),
        "n": len(ms),
    }


def run_statement(session: Any, stmt: str, pid: str, k: int) -> tuple[float, float, list[str]]:
    """(wall ms, server ms, paperIds) of one statement run; server ms is Neo4j's own
    time to first record plus time to consume (the result summary's counters)."""
    started = time.perf_counter()
    result = session.run(stmt, {"id": pid, "k": k})
    found = [str(r["paper"]["paperId"]) for r in result]
    summary = result.consume()
    wall = 1000 * (time.perf_counter() - started)
    server = (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
    return wall, float(server), found


def time_statement(
    driver: Any, database: str, name: str, ids: list[str], k: int
) -> tuple[list[float], list[list[str]]]:
    ms: list[float] = []
    found: list[list[str]] = []
    stmt = cypher.statement(name)
    with driver.session(database=database) as session:
        for pid in ids:
            wall, _, got = run_statement(session, stmt, pid, k)
            ms.append(wall)
            found.append(got)
    return ms, found


LOOKUP = "query($id: ID!) { paper(id: $id) { title } }"
PATHS = ("statement", "graphql", "lookup", "index", "seek")
# The profile of the statement: its parts alone, timed beside it on the same papers.
PARTS = {"index": "bench/semantic_index_only", "seek": "bench/semantic_lookup_only"}


async def time_paths(
    settings: Any, driver: Any, database: str, *, warm: list[str], ids: list[str], k: int
) -> tuple[dict[str, list[float]], list[list[str]]]:
    """Every path for every sample, interleaved: for each paper the statement alone
    (sync driver; wall and server time), ``semanticNeighbours`` through the app
    in-process, and a plain ``paper(id:) { title }`` (the GraphQL overhead every
    request pays), in an order that rotates so that no path always reads the
    paper's pages first. ``warm`` (papers not among ``ids``) go through every path
    first: plans compiled, the index's upper layers cached, the app's pool open."""
    app = create_app(settings)
    stmt = cypher.statement("read/api/semantic_neighbours")
    ms: dict[str, list[float]] = {p: [] for p in (*PATHS, "server", "indexServer")}
    found: list[list[str]] = []
    async with app.router.lifespan_context(app):
        # A served API reads the citation projection in the background once at
        # startup (API_PROJECTION_AT_STARTUP; 100k papers take seconds of CPU).
        # semanticNeighbours does not use it: wait for it, so that the timings
        # are the steady state and not requests sharing the GIL with that read.
        started = time.perf_counter()
        await app.state.analytics.warmed()
        ms["startupProjectionS"] = [time.perf_counter() - started]
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            with driver.session(database=database) as session:

                async def one(path: str, pid: str) -> tuple[float, float, list[str]]:
                    if path == "statement":
                        return run_statement(session, stmt, pid, k)
                    if path in PARTS:
                        return run_statement(session, cypher.statement(PARTS[path]), pid, k)
                    query, variables = (
                        (QUERY, {"id": pid, "k": k}) if path == "graphql" else (LOOKUP, {"id": pid})
                    )
                    started = time.perf_counter()
                    response = await client.post(
                        "/graphql", json={"query": query, "variables": variables}
                    )
                    wall = 1000 * (time.perf_counter() - started)
                    body = response.json()
                    assert response.status_code == 200 and not body.get("errors"), body
                    if path == "graphql":
                        assert len(body["data"]["semanticNeighbours"]) == k
                    else:
                        assert body["data"]["paper"]
                    return wall, 0.0, []

                for pid in warm:
                    for path in PATHS:
                        await one(path, pid)
                for i, pid in enumerate(ids):
                    turn = i % len(PATHS)
                    for path in PATHS[turn:] + PATHS[:turn]:
                        wall, server, got = await one(path, pid)
                        ms[path].append(wall)
                        if path == "statement":
                            ms["server"].append(server)
                            found.append(got)
                        elif path == "index":
                            ms["indexServer"].append(server)
    return ms, found


def corpus_present(driver: Any, database: str, n: int) -> bool:
    """The store already holds exactly the n synthetic papers with vectors (``--store``)."""
    records, _, _ = driver.execute_query(
        cypher.statement("bench/semantic_corpus_count"), database_=database
    )
    return bool(records) and records[0]["papers"] == records[0]["vectors"] == n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=DEFAULT_PAPERS)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--scan-samples", type=int, default=10)
    parser.add_argument("--first", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="1g")
    parser.add_argument(
        "--store",
        type=Path,
        help="Keep the local server's home here and reuse a corpus already written there"
        " (the timings without the minutes of writing)",
    )
    parser.add_argument("--warm", type=int, default=50, help="Warm-up papers (not sampled)")
    args = parser.parse_args(argv)
    machine = results.machine()
    payload: dict[str, Any] = {"command": results.command_line(), "date": results.now_iso()}
    with (
        bench_neo4j(args.heap, args.pagecache, args.store) as neo,
        connected_driver(neo) as driver,
    ):
        db = neo.settings.neo4j_database
        if args.store is not None and corpus_present(driver, db, args.papers):
            load = {"writeS": None, "indexOnlineS": None, "reused": str(args.store)}
        else:
            graph_store.clear_data(driver, db)
            load = write_corpus(driver, db, args.papers, args.seed)
        rng = random.Random(args.seed)
        picked = rng.sample(range(args.papers), args.samples + args.warm)
        ids = [synthetic_paper_id(args.seed, 9_000_000_000 + i) for i in picked]
        warm, ids = ids[args.samples :], ids[: args.samples]
        ms, index_found = asyncio.run(
            time_paths(neo.settings, driver, db, warm=warm, ids=ids, k=args.first)
        )
        scan_ids = ids[: args.scan_samples]
        scan_ms, scan_found = time_statement(
            driver, db, "bench/semantic_scan", scan_ids, args.first
        )
        recall = statistics.fmean(
            len(set(a) & set(b)) / args.first
            for a, b in zip(index_found[: args.scan_samples], scan_found, strict=True)
        )
        neo_mem = neo.rss_bytes()
        payload.update(
            machine=machine,
            neo4j=neo.describe(),
            loadAverageAtEnd=results.load_average(),
            papers=args.papers,
            first=args.first,
            load=load,
            statement=percentiles(ms["statement"]),
            server=percentiles(ms["server"]),
            graphql=percentiles(ms["graphql"]),
            lookup=percentiles(ms["lookup"]),
            indexOnly=percentiles(ms["index"]),
            indexOnlyServer=percentiles(ms["indexServer"]),
            seekOnly=percentiles(ms["seek"]),
            startupProjectionWaitS=ms["startupProjectionS"][0],
            scan=percentiles(scan_ms),
            recallAtK=recall,
            neo4jRss=neo_mem,
            clientPeakRss=process_memory(os.getpid())["peak"],
        )
    results.write_json("semantic", args.papers, payload)
    stmt, gql, scan = payload["statement"], payload["graphql"], payload["scan"]
    lookup, server = payload["lookup"], payload["server"]
    written = (
        f"written through `write/papers` + `write/embeddings` in {load['writeS']:.1f} s;"
        f" vector index online {load['indexOnlineS']:.1f} s later"
        if load["writeS"] is not None
        else f"written by an earlier run into `--store {args.store}` and reused"
    )
    body = [
        *results.header_lines(payload),
        f"- corpus: {args.papers:,} SYNTHETIC papers with 768-float vectors clustered by field"
        f" (`loaders.synth.field_centroids`), {written}",
        f"- {args.samples} papers, `first: {args.first}`, one request at a time; each paper"
        " through every path below in a rotating order (no path always reads the paper's"
        f" pages first), after {args.warm} other papers through every path (warm-up) and"
        " after the app's startup read of the citation projection"
        f" ({payload['startupProjectionWaitS']:.1f} s waited; the field does not use it)",
        "",
        *results.table(
            ["path", "p50 ms", "p90 ms", "p99 ms", "requests"],
            [
                [
                    "statement (`read/api/semantic_neighbours`: vector index + exact re-rank)",
                    f"{stmt['p50']:.1f}",
                    f"{stmt['p90']:.1f}",
                    f"{stmt['p99']:.1f}",
                    stmt["n"],
                ],
                [
                    "of which Neo4j's own time (summary: available + consumed after)",
                    f"{server['p50']:.1f}",
                    f"{server['p90']:.1f}",
                    f"{server['p99']:.1f}",
                    server["n"],
                ],
                [
                    "GraphQL `semanticNeighbours` (app in-process, httpx)",
                    f"{gql['p50']:.1f}",
                    f"{gql['p90']:.1f}",
                    f"{gql['p99']:.1f}",
                    gql["n"],
                ],
                [
                    "GraphQL `paper(id:) { title }` on the same papers (GraphQL's own cost)",
                    f"{lookup['p50']:.1f}",
                    f"{lookup['p90']:.1f}",
                    f"{lookup['p99']:.1f}",
                    lookup["n"],
                ],
                *(
                    [label, f"{f['p50']:.1f}", f"{f['p90']:.1f}", f"{f['p99']:.1f}", f["n"]]
                    for label, f in (
                        (
                            "profile: its vector index query alone (`bench/semantic_index_only`,"
                            " same 2k+1 candidates, no re-rank, paperId only)",
                            payload["indexOnly"],
                        ),
                        ("of which Neo4j's own time", payload["indexOnlyServer"]),
                        (
                            "profile: its first step alone (`bench/semantic_lookup_only`: the"
                            " paper by id, its vector read)",
                            payload["seekOnly"],
                        ),
                    )
                ),
                [
                    "baseline: exact scan (`bench/semantic_scan`)",
                    f"{scan['p50']:.1f}",
                    f"{scan['p90']:.1f}",
                    f"{scan['p99']:.1f}",
                    scan["n"],
                ],
            ],
        ),
        "",
        f"- index path against the exact scan, same run: {scan['p50'] / stmt['p50']:.0f}x faster"
        f" at p50; recall@{args.first} {recall:.2f} over {len(scan_ids)} papers",
        f"- target: GraphQL p50 <= 20 ms: **{'met' if gql['p50'] <= 20 else 'missed'}**"
        f" ({gql['p50']:.1f} ms)",
    ]
    results.update_section(
        "semantic", args.papers, f"semanticNeighbours, {args.papers:,} papers", body
    )
    print("\n".join(body))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
