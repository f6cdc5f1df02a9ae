"""``citekb analytics``: global scores computed on a projection, stored on the graph.

PageRank (with rank and percentile) and Louvain communities are computed in
igraph on the projection's citation arrays (:func:`graph_api.store.projection.load_arrays`,
:mod:`graph_api.analytics.citation_arrays`) and written back onto ``Paper``
nodes by :func:`store_scores` in ``UNWIND`` batches of 20,000 rows (lists, not
maps; the node id read with the arrays, guarded by the paperId), so reads of
stored scores are index lookups. :func:`store_scores` is the one writer: the
Spark check in ``bench/spark_check.py`` stores its scores through it too.
``Meta{key:'analytics'}`` records the graph version the scores were computed
on, when, and the community labels and sizes (list index = community id).
Every recorded load bumps the graph version, which makes the stored scores
*stale* until the next run: :func:`analytics_status` says so.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from neo4j import Driver, ManagedTransaction
from rich.console import Console

import cypher
from graph_api.analytics import Scored, top_scored
from graph_api.analytics.citation_arrays import CitationArrays, GlobalScores, igraph_scores
from graph_api.analytics.communities import SEED
from graph_api.analytics.influence import ALPHA
from graph_api.analytics.sparse_rank import RankMatrix, top_personalised
from graph_api.store.projection import ProjectionArrays, load_arrays, read_one
from loaders.rows import topic_key

# Rows per write transaction: 100k papers are 5 transactions; a 20,000-row
# batch of six scalars is ~1 MB of parameters and well inside a 1 GB heap.
BATCH_SIZE = 20_000
# Topics with at least this many papers get their personalised PageRank stored
# (their best TOPIC_TOP papers); settings.analytics_topic_* carry the same defaults.
TOPIC_MIN_PAPERS = 20
TOPIC_TOP = 200


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
    # PageRank personalised per topic (every topic with enough papers), stored on Topic.
    topics_ranked: int = 0
    topic_rank_s: float = 0.0

    @property
    def total_s(self) -> float:
        return self.load_s + self.pagerank_s + self.communities_s + self.write_s + self.topic_rank_s


@dataclass(frozen=True)
class StoredAnalytics:
    """What ``Meta{key:'analytics'}`` records, beside the current graph version.

    The one description of stored analytics: the CLI prints it (:meth:`describe`),
    the API reads it once per request and answers ``analyticsStatus`` from it.
    ``community_labels[i]`` and ``community_sizes[i]`` describe community ``i``.

    >>> StoredAnalytics.of({"graphVersion": 3, "analyticsVersion": 2, "computedAt": "x"}).stale
    True
    >>> StoredAnalytics.of({"graphVersion": 3}).computed
    False
    """

    graph_version: int | None
    analytics_version: int | None
    computed_at: str | None
    papers: int | None
    communities: int | None
    community_labels: list[str] = field(default_factory=list)
    community_sizes: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StoredAnalytics:
        """From the row of ``read/analytics_status``."""

        def number(value: Any) -> int | None:
            return None if value is None else int(value)

        return cls(
            graph_version=number(row.get("graphVersion")),
            analytics_version=number(row.get("analyticsVersion")),
            computed_at=None if row.get("computedAt") is None else str(row["computedAt"]),
            papers=number(row.get("papers")),
            communities=number(row.get("communities")),
            community_labels=[str(x) for x in row.get("communityLabels") or []],
            community_sizes=[int(x) for x in row.get("communitySizes") or []],
        )

    @property
    def computed(self) -> bool:
        return self.computed_at is not None

    @property
    def stale(self) -> bool:
        """True when never computed, or computed on another graph version."""
        return not self.computed or self.analytics_version != self.graph_version

    def describe(self) -> str:
        """One line for the terminal.

        >>> StoredAnalytics(3, 2, "2026-01-01T00:00:00+00:00", 10, 2, ).describe()
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


def analytics_status(driver: Driver, database: str) -> StoredAnalytics:
    return StoredAnalytics.of(read_one(driver, database, "read/analytics_status"))


def _write(tx: ManagedTransaction, name: str, rows: list[list[Any]]) -> None:
    tx.run(cypher.statement(name), {"rows": rows}).consume()


def _write_topic_ranks(
    tx: ManagedTransaction, rows: Sequence[dict[str, Any]], version: int | None
) -> None:
    params = {"rows": list(rows), "graphVersion": version}
    tx.run(cypher.statement("write/topic_personalised"), params).consume()


def _store_meta(tx: ManagedTransaction, meta: dict[str, Any]) -> None:
    tx.run(cypher.statement("write/analytics_meta"), {"meta": meta}).consume()


def store_scores(
    driver: Driver,
    database: str,
    snapshot: ProjectionArrays,
    scores: GlobalScores,
    meta: dict[str, Any],
    *,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Write every paper's scores, then ``Meta{key:'analytics'}`` (``meta`` plus the
    graph version, time, communities' labels and sizes, and the engine)."""
    arrays = snapshot.arrays
    columns = zip(
        snapshot.nodes.tolist(),
        arrays.paper_ids,
        scores.pagerank.tolist(),
        scores.rank.tolist(),
        scores.percentile.tolist(),
        scores.community.tolist(),
        strict=True,
    )
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        while batch := [list(row) for row in islice(columns, batch_size)]:
            session.execute_write(_write, "write/analytics_scores", batch)
        session.execute_write(
            _store_meta,
            {
                **meta,
                "graphVersion": snapshot.version,
                "computedAt": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "papers": arrays.papers,
                "cites": arrays.cites,
                "communities": len(scores.communities),
                "communityLabels": [c.label for c in scores.communities],
                "communitySizes": [c.size for c in scores.communities],
                "engine": scores.engine,
            },
        )


def topic_rank_rows(
    arrays: CitationArrays, *, min_papers: int = TOPIC_MIN_PAPERS, top: int = TOPIC_TOP
) -> list[dict[str, Any]]:
    """For every topic with at least ``min_papers`` papers: its ``top`` best papers by
    PageRank personalised on its papers (seeds included, as ``topic_pagerank``).

    Spellings of one topic (the same normalised key) are one topic. One sparse
    matrix serves every topic (:mod:`graph_api.analytics.sparse_rank`).
    """
    by_key: dict[str, set[str]] = {}
    for paper, topic in zip(arrays.topic_paper.tolist(), arrays.topic_topic.tolist(), strict=True):
        key = topic_key(arrays.topic_names[topic])
        by_key.setdefault(key, set()).add(arrays.paper_ids[paper])
    chosen = {k: sorted(ps) for k, ps in by_key.items() if len(ps) >= min_papers}
    if not chosen:
        return []
    matrix = RankMatrix.of_arrays(arrays.paper_ids, arrays.citing, arrays.cited)
    rows = []
    for key, seeds in sorted(chosen.items()):
        best = top_personalised(matrix, seeds, k=top, include_seeds=True)
        rows.append({"key": key, "paperIds": [p for p, _ in best], "scores": [s for _, s in best]})
    return rows


def compute_and_store(
    driver: Driver,
    database: str,
    *,
    seed: int = SEED,
    resolution: float = 1.0,
    batch_size: int = BATCH_SIZE,
    topic_min_papers: int = TOPIC_MIN_PAPERS,
    topic_top: int = TOPIC_TOP,
) -> AnalyticsRun:
    """Compute PageRank, communities and per-topic personalised PageRank on fresh
    citation arrays and store them."""
    began = started = time.perf_counter()
    snapshot = load_arrays(driver, database)
    load_s = time.perf_counter() - started
    scores, took = igraph_scores(snapshot.arrays, seed=seed, resolution=resolution)
    started = time.perf_counter()
    topic_rows = topic_rank_rows(snapshot.arrays, min_papers=topic_min_papers, top=topic_top)
    topic_rank_s = time.perf_counter() - started
    started = time.perf_counter()
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        for start in range(0, len(topic_rows), 200):
            batch = topic_rows[start : start + 200]
            session.execute_write(_write_topic_ranks, batch, snapshot.version)
    meta = {
        "alpha": ALPHA,
        "louvainSeed": seed,
        "louvainResolution": resolution,
        # the time up to the write; the write itself is in the run's figures
        "tookS": round(time.perf_counter() - began, 3),
    }
    store_scores(driver, database, snapshot, scores, meta, batch_size=batch_size)
    write_s = time.perf_counter() - started
    arrays = snapshot.arrays
    return AnalyticsRun(
        graph_version=snapshot.version,
        papers=arrays.papers,
        cites=arrays.cites,
        communities=len(scores.communities),
        top=top_scored(dict(zip(arrays.paper_ids, scores.pagerank.tolist(), strict=True)), 5),
        load_s=load_s,
        # the igraph graph is built once for both; its conversion counts to PageRank
        pagerank_s=took["graph"] + took["pagerank"],
        communities_s=took["louvain"],
        write_s=write_s,
        topics_ranked=len(topic_rows),
        topic_rank_s=topic_rank_s,
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
    topic_min_papers: int = TOPIC_MIN_PAPERS,
    topic_top: int = TOPIC_TOP,
) -> StoredAnalytics | AnalyticsRun:
    """What ``citekb analytics [--status]`` does and prints."""
    if status_only:
        status = analytics_status(driver, database)
        console.print(status.describe(), markup=False, highlight=False)
        return status
    run = compute_and_store(
        driver,
        database,
        seed=seed,
        resolution=resolution,
        topic_min_papers=topic_min_papers,
        topic_top=topic_top,
    )
    console.print(
        f"analytics stored at graph version {run.graph_version}: {run.papers} papers, "
        f"{run.cites} citations, {run.communities} communities in {run.total_s:.1f}s "
        f"(read {run.load_s:.1f}s, pagerank {run.pagerank_s:.1f}s, "
        f"louvain {run.communities_s:.1f}s, personalised PageRank of {run.topics_ranked} "
        f"topics {run.topic_rank_s:.1f}s, write {run.write_s:.1f}s)",
        markup=False,
        highlight=False,
    )
    titles = paper_titles(driver, database, [s.paper_id for s in run.top])
    for i, scored in enumerate(run.top, start=1):
        title = titles.get(scored.paper_id) or "(untitled)"
        console.print(
            f"  {i}. {title}  (PageRank {scored.score:.6f}, {scored.paper_id})",
            markup=False,
            highlight=False,
        )
    return run


def paper_titles(driver: Driver, database: str, paper_ids: list[str]) -> dict[str, str]:
    """Titles (with the year, shortened to one line) of papers, for terminal output."""
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        rows = session.run(cypher.statement("read/api/papers_by_id"), {"ids": paper_ids})
        found: dict[str, str] = {}
        for row in rows:
            paper = row["paper"]
            title = " ".join(str(paper.get("title") or "").split())
            if len(title) > 90:
                title = title[:89] + "…"
            year = paper.get("year")
            found[str(row["id"])] = f"{title} ({year})" if year and title else title
        return found
