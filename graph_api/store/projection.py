"""The in-memory projection analytics run on, cached by the graph version.

:func:`load_projection` streams one record per paper (its attributes, topic,
author and organisation lists, and references) from
``cypher/read/analytics_projection.cypher`` and builds a
:class:`Projection`: the citation ``nx.DiGraph`` (edges citing -> cited,
node attributes as :mod:`graph_api.analytics.attributes` describes) plus
author, organisation and topic indexes.

Every recorded load bumps ``Meta{key:'graph'}.version`` (the writer's
``write/meta``). :class:`ProjectionCache` keeps the last projection with the
version it was read at, so per-request analytics reuse it until a load
invalidates it; checking costs one tiny read. A graph without a version (no
load recorded) is never cached: nothing would tell a later change apart.

Global scores that only change with the graph (PageRank) are computed once
per projection and memoised on it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from neo4j import AsyncDriver, Driver, NotificationMinimumSeverity, Record

import cypher
from graph_api.analytics import Influence, Membership, influence

# Rows pulled per round trip; large enough for 100k-paper graphs to stream
# quickly, small enough to keep the driver's buffer modest.
FETCH_SIZE = 2000


@dataclass
class Projection:
    """The citation graph and its member indexes at one graph version."""

    version: int | None
    graph: nx.DiGraph
    authors: Membership
    orgs: Membership
    topics: Membership
    load_s: float
    _influence: dict[str, Influence] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def papers(self) -> int:
        return int(self.graph.number_of_nodes())

    @property
    def cites(self) -> int:
        return int(self.graph.number_of_edges())

    def influence(self) -> dict[str, Influence]:
        """PageRank with rank and percentile, computed once per projection."""
        with self._lock:
            if self._influence is None:
                self._influence = influence(self.graph)
            return self._influence

    def pagerank(self) -> dict[str, float]:
        return {p: i.score for p, i in self.influence().items()}


class GraphBuilder:
    """Builds a :class:`Projection` from projection records, one at a time."""

    def __init__(self) -> None:
        self.graph = nx.DiGraph()
        self._refs: list[tuple[str, list[str]]] = []

    def add(self, record: Mapping[str, Any]) -> None:
        paper = str(record["paperId"])
        attrs: dict[str, Any] = {}
        for key in ("year", "title", "citationCount", "pagerank", "community"):
            if record[key] is not None:
                attrs[key] = record[key]
        for key, values in (
            ("topics", record["topics"]),
            ("authors", record["authors"]),
            ("orgs", [*record["submittedBy"], *record["affiliations"]]),
        ):
            if values:
                attrs[key] = tuple(dict.fromkeys(str(v) for v in values if v is not None))
        self.graph.add_node(paper, **attrs)
        if record["refs"]:
            self._refs.append((paper, [str(r) for r in record["refs"]]))

    def build(self, version: int | None, started: float) -> Projection:
        # Edges after all nodes, so every node has its attributes first and
        # edges never create attribute-less nodes out of order.
        for citing, refs in self._refs:
            self.graph.add_edges_from((citing, cited) for cited in refs)
        self._refs.clear()
        g = self.graph
        return Projection(
            version=version,
            graph=g,
            authors=Membership.of(g, "authors"),
            orgs=Membership.of(g, "orgs"),
            topics=Membership.of(g, "topics"),
            load_s=time.perf_counter() - started,
        )


# Sessions here turn server notifications off: on a graph that has never
# seen a load or an analytics run, the statements name property keys and
# relationship types that do not exist yet, and the driver would log a
# warning for each of them on every call.
QUIET = NotificationMinimumSeverity.OFF


def read_one(driver: Driver, database: str, name: str) -> Record:
    """The single row of a statement that always returns exactly one."""
    with driver.session(database=database, notifications_min_severity=QUIET) as session:
        return session.run(cypher.statement(name)).single(strict=True)


def graph_version(driver: Driver, database: str) -> int | None:
    """``Meta{key:'graph'}.version``, or None before the first recorded load."""
    value = read_one(driver, database, "read/analytics_graph_version")["version"]
    return int(value) if value is not None else None


def load_projection(driver: Driver, database: str) -> Projection:
    """Read the whole projection in one read transaction (a consistent snapshot)."""
    started = time.perf_counter()
    builder = GraphBuilder()

    def work(tx: Any) -> int | None:
        record = tx.run(cypher.statement("read/analytics_graph_version")).single()
        version = record["version"] if record else None
        for row in tx.run(cypher.statement("read/analytics_projection")):
            builder.add(row)
        return int(version) if version is not None else None

    with driver.session(
        database=database, fetch_size=FETCH_SIZE, notifications_min_severity=QUIET
    ) as session:
        version = session.execute_read(work)
    return builder.build(version, started)


async def aload_projection(driver: AsyncDriver, database: str) -> Projection:
    """:func:`load_projection` over the async driver (for the API)."""
    started = time.perf_counter()
    builder = GraphBuilder()

    async def work(tx: Any) -> int | None:
        result = await tx.run(cypher.statement("read/analytics_graph_version"))
        record = await result.single()
        version = record["version"] if record else None
        rows = await tx.run(cypher.statement("read/analytics_projection"))
        async for row in rows:
            builder.add(row)
        return int(version) if version is not None else None

    async with driver.session(
        database=database, fetch_size=FETCH_SIZE, notifications_min_severity=QUIET
    ) as session:
        version = await session.execute_read(work)
    return builder.build(version, started)


async def agraph_version(driver: AsyncDriver, database: str) -> int | None:
    async with driver.session(database=database, notifications_min_severity=QUIET) as session:
        result = await session.run(cypher.statement("read/analytics_graph_version"))
        record = await result.single(strict=True)
    value = record["version"]
    return int(value) if value is not None else None


class ProjectionCache:
    """The last projection per database, reused while the graph version holds.

    >>> cache = ProjectionCache()
    >>> cache.cached("neo4j") is None
    True
    """

    def __init__(self) -> None:
        self._by_db: dict[str, Projection] = {}
        self._lock = threading.Lock()
        self._alock: asyncio.Lock | None = None
        self.loads = 0

    def cached(self, database: str) -> Projection | None:
        return self._by_db.get(database)

    def invalidate(self, database: str | None = None) -> None:
        if database is None:
            self._by_db.clear()
        else:
            self._by_db.pop(database, None)

    def _fresh(self, database: str, version: int | None) -> Projection | None:
        hit = self._by_db.get(database)
        if hit is not None and version is not None and hit.version == version:
            return hit
        return None

    def _keep(self, database: str, projection: Projection) -> Projection:
        self.loads += 1
        if projection.version is not None:
            self._by_db[database] = projection
        else:
            self._by_db.pop(database, None)
        return projection

    def get(self, driver: Driver, database: str) -> Projection:
        """The cached projection if the graph version is unchanged, else a fresh one."""
        with self._lock:
            hit = self._fresh(database, graph_version(driver, database))
            if hit is not None:
                return hit
            return self._keep(database, load_projection(driver, database))

    async def aget(self, driver: AsyncDriver, database: str) -> Projection:
        """:meth:`get` for the async driver; concurrent callers share one load."""
        if self._alock is None:
            self._alock = asyncio.Lock()
        async with self._alock:
            hit = self._fresh(database, await agraph_version(driver, database))
            if hit is not None:
                return hit
            return self._keep(database, await aload_projection(driver, database))


# The process-wide cache the CLI and the API share.
projections = ProjectionCache()
