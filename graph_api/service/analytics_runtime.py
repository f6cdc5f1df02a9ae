"""Analytics in the API: the projection shared by all requests, and each request's view of it.

The app's lifespan owns one :class:`AnalyticsRuntime` (``app.state.analytics``,
never a module global): the last projection of the citation graph
(:mod:`graph_api.store.projection`) with the graph version it was read at. A request
gets a :class:`RequestAnalytics` in its context, which

* reads ``Meta`` once per request (``read/analytics_status``: the graph
  version and what ``citekb analytics`` stored), however many fields ask;
* asks the runtime for the projection at that version: the cached one when the
  version is unchanged, else a new read. An ``asyncio.Lock`` makes concurrent
  requests share one read instead of each loading the graph;
* runs the networkx work in a worker thread (:meth:`RequestAnalytics.compute`),
  so a heavy request never stalls the event loop and ``/healthz`` keeps
  answering. Building the projection's graph from its records runs there too.

A graph without a version (no load ever recorded) is read afresh per request:
nothing would tell a later change apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from neo4j import AsyncDriver

from graph_api.service.dataloaders import Batched, Row
from graph_api.settings import Settings
from graph_api.store.analytics_store import StoredAnalytics
from graph_api.store.graph_reader import GraphReader
from graph_api.store.projection import Projection, aload_projection

P = ParamSpec("P")
T = TypeVar("T")


class AnalyticsRuntime:
    """The projection shared across the app's requests (owned by the app's lifespan)."""

    def __init__(self, driver: AsyncDriver, settings: Settings) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self._projection: Projection | None = None
        self._lock = asyncio.Lock()
        # Projection reads so far (a test and the logs can see the cache work).
        self.loads = 0

    @property
    def cached(self) -> Projection | None:
        return self._projection

    def _fresh(self, version: int | None) -> Projection | None:
        hit = self._projection
        if hit is not None and version is not None and hit.version == version:
            return hit
        return None

    async def projection(self, version: int | None) -> Projection:
        """The projection at ``version``: the cached one, or one new read shared by all callers."""
        hit = self._fresh(version)
        if hit is not None:
            return hit
        async with self._lock:
            hit = self._fresh(version)  # another request may have read it meanwhile
            if hit is not None:
                return hit
            projection = await self._load()
            self.loads += 1
            self._projection = projection if projection.version is not None else None
            return projection

    async def _load(self) -> Projection:
        return await aload_projection(self.driver, self.database)


def _items(row: Row) -> list[Row]:
    return list(row["items"])


def _no_items() -> list[Row]:
    return []


class RequestAnalytics:
    """One request's access to stored analytics and the shared projection (memoised)."""

    def __init__(self, runtime: AnalyticsRuntime, reader: GraphReader) -> None:
        self.runtime = runtime
        self.reader = reader
        self._lock = asyncio.Lock()
        self._projection_lock = asyncio.Lock()
        self._stored: StoredAnalytics | None = None
        self._projection: Projection | None = None
        # Top papers of communities by stored PageRank: one statement per request level.
        self.community_top_papers: Batched[list[Row]] = Batched(
            reader, "read/api/community_top_papers", _items, _no_items
        )

    async def stored(self) -> StoredAnalytics:
        """What ``citekb analytics`` stored and the current graph version, read once."""
        async with self._lock:
            if self._stored is None:
                self._stored = StoredAnalytics.of(await self.reader.one("read/analytics_status"))
            return self._stored

    async def projection(self) -> Projection:
        """The projection at this request's graph version (one object for the whole request)."""
        async with self._projection_lock:
            if self._projection is None:
                version = (await self.stored()).graph_version
                self._projection = await self.runtime.projection(version)
            return self._projection

    async def compute(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in a worker thread (networkx work is CPU-bound)."""
        return await asyncio.to_thread(fn, *args, **kwargs)
