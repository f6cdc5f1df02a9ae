"""The recommend field's similarity statement against its pairwise baseline.

``python -m bench.recommend_similarity [--papers N] [--samples S] [--seeds K] [--candidates C]``:
writes N SYNTHETIC papers with 768-float vectors (the vectors of
:mod:`bench.semantic`) into a throwaway Neo4j, then times S requests of K
seeds by C candidates through ``read/api/recommend_similarity`` (each
embedding read once) and ``bench/recommend_similarity_pairwise`` (each pair
matched apart, as the statement did before), alternating which goes first,
and checks that both return the same rows. Results:
``bench/results/recommend_similarity-p<N>.json``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

import cypher
from bench import results
from bench.semantic import write_corpus
from bench.server import bench_neo4j, connected_driver
from graph_api.store import graph_store
from loaders.synth import synthetic_paper_id

PATHS = {"once": "read/api/recommend_similarity", "pairwise": "bench/recommend_similarity_pairwise"}


def timed_rows(session: Any, stmt: str, params: dict[str, Any]) -> tuple[float, list[Any]]:
    """(wall ms, sorted rows) of one run of ``stmt``."""
    started = time.perf_counter()
    rows = [
        (r["candidate"], r["seed"], round(r["similarity"], 9)) for r in session.run(stmt, params)
    ]
    return 1000 * (time.perf_counter() - started), sorted(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    payload: dict[str, Any] = {"command": results.command_line(), "date": results.now_iso()}
    machine = results.machine()
    ms: dict[str, list[float]] = {name: [] for name in PATHS}
    with bench_neo4j() as neo, connected_driver(neo) as driver:
        db = neo.settings.neo4j_database
        graph_store.clear_data(driver, db)
        load = write_corpus(driver, db, args.papers, args.seed)
        ids = [synthetic_paper_id(args.seed, 9_000_000_000 + i) for i in range(args.papers)]
        rng = random.Random(args.seed)
        with driver.session(database=db) as session:
            for n in range(args.samples + 2):  # the first two warm the plans and pages
                params = {
                    "seeds": rng.sample(ids, args.seeds),
                    "candidates": rng.sample(ids, args.candidates),
                }
                order = list(PATHS) if n % 2 == 0 else list(reversed(PATHS))
                got = {
                    name: timed_rows(session, cypher.statement(PATHS[name]), params)
                    for name in order
                }
                rows = {name: found for name, (_, found) in got.items()}
                if (
                    rows["once"] != rows["pairwise"]
                    or len(rows["once"]) != args.seeds * args.candidates
                ):
                    raise SystemExit(f"the two statements disagree on sample {n}")
                if n >= 2:
                    for name, (wall, _) in got.items():
                        ms[name].append(wall)
        payload.update(
            machine=machine,
            neo4j=neo.describe(),
            loadAverageAtEnd=results.load_average(),
            papers=args.papers,
            seeds=args.seeds,
            candidates=args.candidates,
            load=load,
            ms={name: {"p50": statistics.median(v), "all": v} for name, v in ms.items()},
        )
    results.write_json("recommend_similarity", args.papers, payload)
    once, pairwise = (statistics.median(ms[name]) for name in ("once", "pairwise"))
    print(
        f"{args.samples} requests of {args.seeds} seeds x {args.candidates} candidates,"
        f" {args.papers:,} synthetic papers: each embedding once p50 {once:.1f} ms,"
        f" pairwise p50 {pairwise:.1f} ms ({pairwise / once:.2f}x); load at end"
        f" {payload['loadAverageAtEnd']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
