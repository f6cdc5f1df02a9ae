"""The in-memory projection analytics run on, cached by the graph version.

One loader, two depths, in one read transaction (a consistent snapshot):

* **arrays** (always): ``read/projection_citations`` streams one record per
  paper with its node id, paperId, and its references and topics as node
  ids; ``read/projection_topics`` names the topics. The node ids are mapped to
  paper numbers once (:meth:`CitationArrays.from_keys`), giving
  :class:`~graph_api.analytics.citation_arrays.CitationArrays`: what
  ``citekb analytics`` computes PageRank and Louvain on (in igraph), at 1M
  papers / 10M citations without a networkx graph in memory.
* **attributes** (the API and exports): ``read/projection_attributes`` adds
  year, title, topics, authors and organisations per paper, and
  :func:`build_projection` makes the citation ``nx.DiGraph`` (edges citing ->
  cited, node attributes as :mod:`graph_api.analytics.attributes` describes)
  plus author, organisation and topic indexes: the per-request analytics
  (lineage, similarity, paths, personalised PageRank) stay on networkx.

:func:`load_arrays` is the first depth alone; :func:`load_projection` and
:func:`aload_projection` (the API's, with the graph built off the event loop)
are both.

Every recorded load bumps ``Meta{key:'graph'}.version`` (the writer's
``write/meta``). :class:`ProjectionCache` keeps the last projection with the
version it was read at, so per-request analytics reuse it until a load
invalidates it; checking costs one tiny read. A graph without a version (no
load recorded) is never cached: nothing would tell a later change apart.

Global scores that only change with the graph (PageRank) are computed once
per projection, on its arrays in igraph, and memoised on it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from neo4j import AsyncDriver, Driver, NotificationMinimumSeverity, Record

import cypher
from graph_api.analytics import Influence, Membership
from graph_api.analytics.citation_arrays import (
    CitationArrays,
    IntArray,
    pagerank_scores,
    paper_order,
    rank_scores,
)

# Rows pulled per round trip: the citation records are small (integers), so
# large pulls keep round trips few at 1M papers.
FETCH_SIZE = 10_000


@dataclass(frozen=True)
class ProjectionArrays:
    """The citation arrays at one graph version, with each paper's node id.

    ``nodes[i]`` is the node id of paper ``arrays.paper_ids[i]`` *in the read
    transaction*: the score writer passes it back with the paperId as a guard.
    """

    version: int | None
    arrays: CitationArrays
    nodes: IntArray
    load_s: float


@dataclass
class Projection:
    """The citation graph, its arrays and its member indexes at one graph version."""

    version: int | None
    graph: nx.DiGraph
    arrays: CitationArrays
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
        """PageRank with rank and percentile (igraph, on the arrays), computed once."""
        with self._lock:
            if self._influence is None:
                scores = pagerank_scores(self.arrays)
                rank, percentile = rank_scores(scores)
                self._influence = {
                    p: Influence(score=s, rank=r, percentile=q)
                    for p, s, r, q in zip(
                        self.arrays.paper_ids,
                        scores.tolist(),
                        rank.tolist(),
                        percentile.tolist(),
                        strict=True,
                    )
                }
            return self._influence

    def pagerank(self) -> dict[str, float]:
        return {p: i.score for p, i in self.influence().items()}


class ArraysReader:
    """Collects ``read/projection_citations`` records into flat integer arrays."""

    def __init__(self) -> None:
        # Typed arrays, 8 bytes an id: node ids are large ints, ~32 bytes each
        # as Python objects in a list (10M citations: 0.7 GB instead of 160 MB).
        self.nodes = array("q")
        self.paper_ids: list[str] = []
        self._citing = array("q")
        self._cited = array("q")
        self._topic_paper = array("q")
        self._topic_node = array("q")

    def add(self, record: Sequence[Any]) -> None:
        # Positional (node, paperId, refs, topics): a Record is a tuple, and
        # unpacking it skips a key lookup per field on 1M records.
        node, paper_id, refs, topics = record
        self.nodes.append(node)
        self.paper_ids.append(str(paper_id))
        if refs:
            self._citing.extend([node] * len(refs))
            self._cited.extend(refs)
        if topics:
            self._topic_paper.extend([node] * len(topics))
            self._topic_node.extend(topics)

    def build(
        self, version: int | None, topic_rows: Iterable[Mapping[str, Any]], started: float
    ) -> ProjectionArrays:
        names: list[str] = []
        topic_number: dict[int, int] = {}
        for row in topic_rows:
            topic_number[int(row["node"])] = len(names)
            names.append(str(row["name"]))
        topic_node = np.frombuffer(self._topic_node, dtype=np.int64)
        # Topics without a name (none in practice) are dropped with their rows.
        known = np.array([n in topic_number for n in self._topic_node.tolist()], dtype=bool)
        name_index = np.array([topic_number[n] for n in topic_node[known].tolist()], dtype=np.int64)
        nodes = np.frombuffer(self.nodes, dtype=np.int64)
        arrays = CitationArrays.from_keys(
            nodes,
            self.paper_ids,
            np.frombuffer(self._citing, dtype=np.int64),
            np.frombuffer(self._cited, dtype=np.int64),
            topic_keys=np.frombuffer(self._topic_paper, dtype=np.int64)[known],
            topic_names=names,
            topic_name_index=name_index,
        )
        # from_keys numbers papers by paperId; the records came in that order.
        order = paper_order(self.paper_ids)
        return ProjectionArrays(version, arrays, nodes[order], time.perf_counter() - started)


def _attributes(record: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    # referenceCount and citationCount are S2's: coverage compares them with the edges held.
    for key in ("year", "title", "citationCount", "referenceCount", "pagerank", "community"):
        if record[key] is not None:
            attrs[key] = record[key]
    for key, values in (
        ("topics", record["topics"]),
        ("authors", record["authors"]),
        ("orgs", [*record["submittedBy"], *record["affiliations"]]),
    ):
        if values:
            attrs[key] = tuple(dict.fromkeys(str(v) for v in values if v is not None))
    return attrs


def _flag_edges(G: nx.DiGraph, attributes: Iterable[Mapping[str, Any]]) -> None:
    """Edge attributes ``influential`` / ``methodology``, only where true (see
    :func:`graph_api.analytics.lineage.citation_view`)."""
    for row in attributes:
        citing = str(row["paperId"])
        for cited, influential, methodology in row.get("flaggedRefs") or ():
            data = G.get_edge_data(citing, str(cited))
            if data is None:
                continue
            if influential:
                data["influential"] = True
            if methodology:
                data["methodology"] = True


def build_projection(
    snapshot: ProjectionArrays, attributes: Iterable[Mapping[str, Any]], started: float
) -> Projection:
    """The API's projection: the arrays' DiGraph with every paper's attributes."""
    attributes = list(attributes)  # read twice: node attributes, then edge flags
    arrays = snapshot.arrays
    G = nx.DiGraph()
    # Nodes first, with their attributes, then the edges (in paper-number
    # order), so no edge creates an attribute-less node.
    G.add_nodes_from((str(row["paperId"]), _attributes(row)) for row in attributes)
    G.add_nodes_from(arrays.paper_ids)
    ids = arrays.paper_ids
    G.add_edges_from(
        (ids[a], ids[b]) for a, b in zip(arrays.citing.tolist(), arrays.cited.tolist(), strict=True)
    )
    _flag_edges(G, attributes)
    return Projection(
        version=snapshot.version,
        graph=G,
        arrays=arrays,
        authors=Membership.of(G, "authors"),
        orgs=Membership.of(G, "orgs"),
        topics=Membership.of(G, "topics"),
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


def _read(tx: Any, with_attributes: bool, started: float) -> tuple[ProjectionArrays, list[Record]]:
    record = tx.run(cypher.statement("read/analytics_graph_version")).single()
    version = int(record["version"]) if record and record["version"] is not None else None
    reader = ArraysReader()
    for row in tx.run(cypher.statement("read/projection_citations")):
        reader.add(row)
    topics = list(tx.run(cypher.statement("read/projection_topics")))
    attributes = (
        list(tx.run(cypher.statement("read/projection_attributes"))) if with_attributes else []
    )
    return reader.build(version, topics, started), attributes


def _read_snapshot(
    driver: Driver, database: str, with_attributes: bool, started: float
) -> tuple[ProjectionArrays, list[Record]]:
    with driver.session(
        database=database, fetch_size=FETCH_SIZE, notifications_min_severity=QUIET
    ) as session:
        return session.execute_read(_read, with_attributes, started)


def load_arrays(driver: Driver, database: str) -> ProjectionArrays:
    """The citation arrays alone (what ``citekb analytics`` needs), one read transaction."""
    snapshot, _ = _read_snapshot(driver, database, False, time.perf_counter())
    return snapshot


def load_projection(driver: Driver, database: str) -> Projection:
    """Arrays and attributes in one read transaction (a consistent snapshot)."""
    started = time.perf_counter()
    snapshot, attributes = _read_snapshot(driver, database, True, started)
    return build_projection(snapshot, attributes, started)


# Records decoded between two turns given back to the event loop (a few ms).
YIELD_EVERY = 256


async def _collected(result: Any) -> list[Record]:
    """Every record of ``result``, giving the event loop a turn every :data:`YIELD_EVERY`.

    The driver decodes buffered records without awaiting anything, so a plain
    ``async for`` over a million citations held the API's loop for seconds at a
    time while the projection was read (/healthz probes waited behind it)."""
    rows: list[Record] = []
    async for record in result:
        rows.append(record)
        if len(rows) % YIELD_EVERY == 0:
            await asyncio.sleep(0)
    return rows


async def aload_projection(driver: AsyncDriver, database: str) -> Projection:
    """:func:`load_projection` over the async driver (the API's): the records are
    collected on the event loop (in short turns), the arrays and the graph built in
    a worker thread."""
    started = time.perf_counter()

    async def work(tx: Any) -> tuple[int | None, list[Record], list[Record], list[Record]]:
        result = await tx.run(cypher.statement("read/analytics_graph_version"))
        record = await result.single()
        version = int(record["version"]) if record and record["version"] is not None else None
        citations = await _collected(await tx.run(cypher.statement("read/projection_citations")))
        topics = await _collected(await tx.run(cypher.statement("read/projection_topics")))
        attrs = await _collected(await tx.run(cypher.statement("read/projection_attributes")))
        return version, citations, topics, attrs

    async with driver.session(
        database=database, fetch_size=FETCH_SIZE, notifications_min_severity=QUIET
    ) as session:
        version, citations, topics, attributes = await session.execute_read(work)

    def build() -> Projection:
        reader = ArraysReader()
        for row in citations:
            reader.add(row)
        projection = build_projection(reader.build(version, topics, started), attributes, started)
        # The records are freed here, in the worker thread, a slice at a time so
        # that the event loop gets the GIL between slices: freed when this
        # coroutine returned, on the loop, they held it 35-55 ms at 60k papers (and
        # a single list.clear() here held the GIL 24 ms).
        for rows in (citations, topics, attributes):
            while rows:
                del rows[-YIELD_EVERY:]
        return projection

    return await asyncio.to_thread(build)


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
