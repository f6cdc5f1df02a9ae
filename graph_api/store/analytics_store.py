"""``citekb analytics``: global scores computed on a projection, stored on the graph.

PageRank (with rank and percentile) and Louvain communities are computed on
the projection (:mod:`graph_api.store.projection`) and written back onto ``Paper``
nodes in ``UNWIND`` batches, so reads of stored scores are index lookups.
``Meta{key:'analytics'}`` records the graph version the scores were computed
on, when, and the community labels and sizes (list index = community id).
Every recorded load bumps the graph version, which makes the stored scores
*stale* until the next run: :func:`analytics_status` says so.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, ManagedTransaction
from rich.console import Console

import cypher
from graph_api.analytics import Communities, Scored, communities, top_scored
from graph_api.analytics.communities import SEED
from graph_api.analytics.influence import ALPHA
from graph_api.store.projection import Projection, load_projection, read_one

BATCH_SIZE = 5000


@dataclass(frozen=True)
class AnalyticsRun:
    """What one run computed and wrote, with its timings (seconds)."""

    graph_version: int | None
    papers: int
    cites: int
    communities: int
    top: list[Scored]
    load_s: float
    pagerank_s: float
    communities_s: float
    write_s: float

    @property
    def total_s(self) -> float:
        return self.load_s + self.pagerank_s + self.communities_s + self.write_s


@dataclass(frozen=True)
class AnalyticsStatus:
    """What ``Meta{key:'analytics'}`` records, beside the current graph version.

    ``community_labels[i]`` and ``community_sizes[i]`` describe community ``i``.
    """

    graph_version: int | None
    analytics_version: int | None
    computed_at: str | None
    papers: int | None
    communities: int | None
    community_labels: list[str] = field(default_factory=list)
    community_sizes: list[int] = field(default_factory=list)

    @property
    def computed(self) -> bool:
        return self.computed_at is not None

    @property
    def stale(self) -> bool:
        """True when never computed, or computed on another graph version."""
        return not self.computed or self.analytics_version != self.graph_version

    def describe(self) -> str:
        """One line for the terminal.

        >>> AnalyticsStatus(3, 2, "2026-01-01T00:00:00+00:00", 10, 2, ).describe()
        'analytics STALE: computed on graph version 2 at 2026-01-01T00:00:00+00:00, the graph is at version 3; run `citekb analytics`'
        """  # noqa: E501
        if not self.computed:
            return "analytics never computed; run `citekb analytics`"
        if self.stale:
            return (
                f"analytics STALE: computed on graph version {self.analytics_version} at "
                f"{self.computed_at}, the graph is at version {self.graph_version}; "
                "run `citekb analytics`"
            )
        return (
            f"analytics fresh: graph version {self.graph_version}, computed at "
            f"{self.computed_at} ({self.papers} papers, {self.communities} communities)"
        )


def analytics_status(driver: Driver, database: str) -> AnalyticsStatus:
    row = read_one(driver, database, "read/analytics_status")
    return AnalyticsStatus(
        graph_version=row["graphVersion"],
        analytics_version=row["analyticsVersion"],
        computed_at=row["computedAt"],
        papers=row["papers"],
        communities=row["communities"],
        community_labels=list(row["communityLabels"] or []),
        community_sizes=list(row["communitySizes"] or []),
    )


def _batches(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _write(tx: ManagedTransaction, name: str, rows: Sequence[dict[str, Any]]) -> None:
    tx.run(cypher.statement(name), {"rows": list(rows)}).consume()


def _store_meta(tx: ManagedTransaction, meta: dict[str, Any]) -> None:
    tx.run(cypher.statement("write/analytics_meta"), {"meta": meta}).consume()


def compute_and_store(
    driver: Driver,
    database: str,
    *,
    seed: int = SEED,
    resolution: float = 1.0,
    batch_size: int = BATCH_SIZE,
    projection: Projection | None = None,
) -> AnalyticsRun:
    """Compute PageRank and communities on a fresh projection and store them."""
    began = started = time.perf_counter()
    proj = projection if projection is not None else load_projection(driver, database)
    load_s = time.perf_counter() - started

    started = time.perf_counter()
    ranked = proj.influence()
    pagerank_s = time.perf_counter() - started

    started = time.perf_counter()
    found: Communities = communities(
        proj.graph,
        scores={p: i.score for p, i in ranked.items()},
        seed=seed,
        resolution=resolution,
    )
    communities_s = time.perf_counter() - started

    started = time.perf_counter()
    rows = [
        {
            "paperId": p,
            "score": i.score,
            "rank": i.rank,
            "percentile": i.percentile,
            "community": found.membership[p],
        }
        for p, i in ranked.items()
    ]
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        for batch in _batches(rows, batch_size):
            session.execute_write(_write, "write/analytics_scores", batch)
        meta = {
            "graphVersion": proj.version,
            "computedAt": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "papers": proj.papers,
            "cites": proj.cites,
            "communities": len(found.communities),
            "communityLabels": [c.label for c in found.communities],
            "communitySizes": [c.size for c in found.communities],
            "alpha": ALPHA,
            "louvainSeed": seed,
            "louvainResolution": resolution,
            "tookS": round(time.perf_counter() - began, 3),
        }
        session.execute_write(_store_meta, meta)
    write_s = time.perf_counter() - started
    return AnalyticsRun(
        graph_version=proj.version,
        papers=proj.papers,
        cites=proj.cites,
        communities=len(found.communities),
        top=top_scored({p: i.score for p, i in ranked.items()}, 5),
        load_s=load_s,
        pagerank_s=pagerank_s,
        communities_s=communities_s,
        write_s=write_s,
    )


def top_stored_pagerank(driver: Driver, database: str, k: int) -> list[dict[str, Any]]:
    """The ``k`` highest stored PageRanks (an index-backed read)."""
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        result = session.run(cypher.statement("read/analytics_top_pagerank"), {"k": k})
        return [r.data() for r in result]


def run_analytics_command(
    driver: Driver,
    database: str,
    console: Console,
    *,
    status_only: bool,
    seed: int = SEED,
    resolution: float = 1.0,
) -> AnalyticsStatus | AnalyticsRun:
    """What ``citekb analytics [--status]`` does and prints."""
    if status_only:
        status = analytics_status(driver, database)
        console.print(status.describe(), markup=False, highlight=False)
        return status
    run = compute_and_store(driver, database, seed=seed, resolution=resolution)
    console.print(
        f"analytics stored at graph version {run.graph_version}: {run.papers} papers, "
        f"{run.cites} citations, {run.communities} communities in {run.total_s:.1f}s "
        f"(read {run.load_s:.1f}s, pagerank {run.pagerank_s:.1f}s, "
        f"louvain {run.communities_s:.1f}s, write {run.write_s:.1f}s)",
        markup=False,
        highlight=False,
    )
    for i, scored in enumerate(run.top, start=1):
        console.print(f"  {i}. {scored.paper_id}  {scored.score:.6f}", markup=False)
    return run
