"""semanticNeighbours benchmark: nearest papers by embedding at 100k papers.

``python -m bench.semantic [--papers N] [--samples S] [--first K]``:

1. Writes N SYNTHETIC papers with 768-float vectors clustered by field
   (:func:`loaders.synth.field_centroids`, the same vectors ``citekb synth
   --embeddings`` writes) through the real writer (``write/papers``,
   ``write/embeddings``) into a throwaway Neo4j, and waits for the vector
   index. No citations: the field reads only papers and the index.
2. Times S requests, each for a different paper, three ways in the same run:
   the statement alone (``read/api/semantic_neighbours``: vector index, then
   exact cosine on 2k+1 candidates), the GraphQL field through the app
   in-process (``semanticNeighbours(id:, first:) { similarity paper { title } }``),
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


def time_statement(
    driver: Any, database: str, name: str, ids: list[str], k: int
) -> tuple[list[float], list[list[str]]]:
    ms: list[float] = []
    found: list[list[str]] = []
    stmt = cypher.statement(name)
    with driver.session(database=database) as session:
        for pid in ids:
            started = time.perf_counter()
            rows = list(session.run(stmt, {"id": pid, "k": k}))
            ms.append(1000 * (time.perf_counter() - started))
            found.append([str(r["paper"]["paperId"]) for r in rows])
    return ms, found


LOOKUP = "query($id: ID!) { paper(id: $id) { title } }"


async def time_graphql(settings: Any, ids: list[str], k: int) -> tuple[list[float], list[float]]:
    """semanticNeighbours, and a plain ``paper(id:)`` lookup alternating with it (the
    GraphQL overhead every request pays, measured beside it)."""
    app = create_app(settings)
    ms: list[float] = []
    lookup_ms: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for pid in ids:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": QUERY, "variables": {"id": pid, "k": k}}
                )
                ms.append(1000 * (time.perf_counter() - started))
                body = response.json()
                assert response.status_code == 200 and not body.get("errors"), body
                assert len(body["data"]["semanticNeighbours"]) == k
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": LOOKUP, "variables": {"id": pid}}
                )
                lookup_ms.append(1000 * (time.perf_counter() - started))
                assert response.status_code == 200 and response.json()["data"]["paper"]
    return ms, lookup_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=DEFAULT_PAPERS)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--scan-samples", type=int, default=10)
    parser.add_argument("--first", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="1g")
    args = parser.parse_args(argv)
    machine = results.machine()
    payload: dict[str, Any] = {"command": results.command_line(), "date": results.now_iso()}
    with bench_neo4j(args.heap, args.pagecache) as neo, connected_driver(neo) as driver:
        db = neo.settings.neo4j_database
        graph_store.clear_data(driver, db)
        load = write_corpus(driver, db, args.papers, args.seed)
        rng = random.Random(args.seed)
        ids = [
            synthetic_paper_id(args.seed, 9_000_000_000 + i)
            for i in rng.sample(range(args.papers), args.samples)
        ]
        # Warm-up: plans compiled, index pages in the cache, the app's pool open.
        time_statement(driver, db, "read/api/semantic_neighbours", ids[:20], args.first)
        index_ms, index_found = time_statement(
            driver, db, "read/api/semantic_neighbours", ids, args.first
        )
        graphql_ms, lookup_ms = asyncio.run(time_graphql(neo.settings, ids, args.first))
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
            statement=percentiles(index_ms),
            graphql=percentiles(graphql_ms),
            lookup=percentiles(lookup_ms),
            scan=percentiles(scan_ms),
            recallAtK=recall,
            neo4jRss=neo_mem,
            clientPeakRss=process_memory(os.getpid())["peak"],
        )
    results.write_json("semantic", args.papers, payload)
    stmt, gql, scan = payload["statement"], payload["graphql"], payload["scan"]
    lookup = payload["lookup"]
    body = [
        *results.header_lines(payload),
        f"- corpus: {args.papers:,} SYNTHETIC papers with 768-float vectors clustered by field"
        " (`loaders.synth.field_centroids`), written through `write/papers` + `write/embeddings`"
        f" in {load['writeS']:.1f} s; vector index online {load['indexOnlineS']:.1f} s later",
        f"- {args.samples} requests for different papers, `first: {args.first}`, one at a time"
        " after 20 warm-up requests",
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
                    "GraphQL `semanticNeighbours` (app in-process, httpx)",
                    f"{gql['p50']:.1f}",
                    f"{gql['p90']:.1f}",
                    f"{gql['p99']:.1f}",
                    gql["n"],
                ],
                [
                    "GraphQL `paper(id:) { title }` alternating with it (GraphQL's own cost)",
                    f"{lookup['p50']:.1f}",
                    f"{lookup['p90']:.1f}",
                    f"{lookup['p99']:.1f}",
                    lookup["n"],
                ],
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
