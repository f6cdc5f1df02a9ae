"""PROFILE of one ``write/cites`` batch: where the server spends a CITES write.

``python -m bench.cites_plan [--papers 20000] [--cites 20000]`` starts a
throwaway Neo4j (as the benchmarks do), writes the first ``--papers`` paper
rows and ``--cites`` CITES rows of the synthetic corpus with the project's
writer, then PROFILEs the next 5,000-row CITES batch exactly as
:func:`loaders.graph_writer.write_rows` sends it, prints the operator tree
(rows and db hits per operator) and times the same batch again once every
relationship exists. ``--statement write/cites_new`` PROFILEs the CREATE
statement the writer sends for the edges of papers a load created (its
batch is not sent twice: a second CREATE would duplicate the edges).
BENCHMARKS.md quotes its output under "Why the misses".
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

import cypher
from bench.corpus import ensure_corpus
from bench.ingest import sample_rows
from bench.server import bench_neo4j, connected_driver
from loaders.graph_writer import write_rows
from loaders.rows import GraphRows

BATCH = 5000


def tree(plan: Any, depth: int = 0) -> list[str]:
    details = str((plan.get("args") or {}).get("Details", "")).replace("\n", " ")[:100]
    line = (
        f"{'  ' * depth}{str(plan.get('operatorType', '?')).split('@')[0]}"
        f"  rows={plan.get('rows')} dbHits={plan.get('dbHits')}  {details}"
    )
    return [line] + [x for c in plan.get("children", []) for x in tree(c, depth + 1)]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.cites_plan", description=__doc__.split("\n")[0]
    )
    p.add_argument("--papers", type=int, default=20000, help="paper rows written first")
    p.add_argument("--cites", type=int, default=20000, help="CITES rows written before the batch")
    p.add_argument(
        "--statement",
        choices=("write/cites", "write/cites_new"),
        default="write/cites",
        help="the MERGE statement, or the CREATE one for edges known new",
    )
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    corpus = ensure_corpus(max(args.papers, 20000), 0)
    papers, cites = sample_rows(corpus, args.papers, args.cites + BATCH)
    with bench_neo4j() as neo, connected_driver(neo) as driver:
        db = neo.settings.neo4j_database
        write_rows(
            driver, GraphRows(papers=papers), database=db, record_load=False,
            merge_placeholders=False,
        )  # fmt: skip
        write_rows(
            driver, GraphRows(cites=cites[: args.cites]), database=db, record_load=False,
            merge_placeholders=False,
        )  # fmt: skip
        batch = cites[args.cites : args.cites + BATCH]
        stmt = cypher.statement(args.statement)
        with driver.session(database=db) as session:
            started = time.perf_counter()
            summary = session.run("PROFILE " + stmt, {"rows": batch, "loadNo": 1}).consume()
            first = time.perf_counter() - started
            again = None
            if args.statement == "write/cites":
                started = time.perf_counter()
                session.run(stmt, {"rows": batch, "loadNo": 1}).consume()
                again = time.perf_counter() - started
        lines = tree(summary.profile or {})
        for line in lines:
            print(line)
        hits = [x.split("dbHits=")[1].split()[0] for x in lines]
        total = sum(int(h) for h in hits if h.isdigit())
        print(
            f"{args.statement}, {len(batch)} rows: {total:,} db hits"
            f" ({total / len(batch):.1f} per row); PROFILEd write {first:.2f} s"
            + (
                f", the same batch again (all relationships exist) {again:.2f} s"
                if again is not None
                else ""
            )
        )


if __name__ == "__main__":
    main()
