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
import contextlib
import gc
import logging
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from neo4j import AsyncDriver

from graph_api.analytics.sparse_rank import RankMatrix
from graph_api.service.analytics_pool import AnalyticsPool
from graph_api.service.dataloaders import Batched, Row
from graph_api.settings import Settings
from graph_api.store.analytics_store import StoredAnalytics
from graph_api.store.graph_reader import GraphReader
from graph_api.store.projection import Projection, aload_projection

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger("citekb.api")


class AnalyticsRuntime:
    """The projection shared across the app's requests (owned by the app's lifespan).

    The projection is read by a task of the runtime, never by a request: at
    startup and whenever the graph version changes (:meth:`warm`), or on the
    first request that needs a version not read yet. Requests await that task
    under the analytics deadline (``TIMEOUT`` past it, while the read goes on
    for the next request). The sparse matrix of personalised PageRank is
    built once per projection beside it (:meth:`rank_matrix`).
    """

    def __init__(self, driver: AsyncDriver, settings: Settings) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self.pool = AnalyticsPool(settings)
        self._projection: Projection | None = None
        self._loading: dict[int | None, asyncio.Task[Projection]] = {}
        self._matrix: tuple[int | None, asyncio.Task[RankMatrix]] | None = None
        # Projection reads so far (a test and the logs can see the cache work).
        self.loads = 0
        # Reads under way with the cyclic collector paused, and whether to resume it.
        self._pauses = 0
        self._resume = False

    @property
    def cached(self) -> Projection | None:
        return self._projection

    def _fresh(self, version: int | None) -> Projection | None:
        hit = self._projection
        if hit is not None and version is not None and hit.version == version:
            return hit
        return None

    def _loader(self, version: int | None) -> asyncio.Task[Projection]:
        task = self._loading.get(version)
        if task is None:
            task = asyncio.create_task(self._load_and_keep(version), name="projection-read")
            self._loading[version] = task
            task.add_done_callback(lambda _t: self._loading.pop(version, None))
        return task

    def warm(self, version: int | None) -> None:
        """Read the projection at ``version`` (and build its rank matrix) in the background."""
        if version is None or self._fresh(version) is not None:
            return
        task = self._loader(version)

        def then(done: asyncio.Task[Projection]) -> None:
            if not done.cancelled() and done.exception() is None:
                self.rank_matrix_task(done.result())
            elif not done.cancelled():
                log.warning("background projection read failed", exc_info=done.exception())

        task.add_done_callback(then)

    def kept(self, version: int | None) -> Projection | None:
        """The projection at ``version`` if it is kept (no read to wait for), else None."""
        return self._fresh(version)

    def ready(self, version: int | None) -> bool:
        """Whether a request at ``version`` finds the projection and its rank matrix built
        (no request waits on a read). A graph without a version has nothing to keep."""
        if version is None:
            return True
        if self._fresh(version) is None:
            return False
        matrix = self._matrix
        return matrix is not None and matrix[0] == version and matrix[1].done()

    async def warmed(self) -> None:
        """Wait for the background reads in flight (tests, and a caller that must)."""
        while self._loading:
            await asyncio.gather(*self._loading.values(), return_exceptions=True)
        if self._matrix is not None:
            await asyncio.gather(self._matrix[1], return_exceptions=True)

    async def projection(self, version: int | None) -> Projection:
        """The projection at ``version``: the cached one, or the runtime's read of it."""
        hit = self._fresh(version)
        if hit is not None:
            return hit
        return await self.pool.within_deadline(asyncio.shield(self._loader(version)))

    async def _load_and_keep(self, version: int | None) -> Projection:
        # The projection is hundreds of thousands of objects (the graph's dicts)
        # that live until the next graph version. The collector's full passes
        # walk every tracked object with the GIL held, so while they are built
        # and once built each pass stalled the event loop (0.1-0.35 s; /healthz
        # probes waited behind it under a flood). So no cyclic collection while
        # one is read and built, and in a served process (app_from_env froze its
        # startup) the kept one is frozen too, so full passes skip it; an old
        # projection is still freed by reference counting (no cycles).
        with self._collector_paused():
            projection = await self._load()
            self.loads += 1
            if projection.version is not None:
                self._projection = projection
                self.pool.forget()
                if gc.get_freeze_count() > 0:
                    gc.freeze()
        return projection

    @contextlib.contextmanager
    def _collector_paused(self) -> Iterator[None]:
        if self._pauses == 0:
            self._resume = gc.isenabled()
            gc.disable()
        self._pauses += 1
        try:
            yield
        finally:
            self._pauses -= 1
            if self._pauses == 0 and self._resume:
                gc.enable()

    def rank_matrix_task(self, projection: Projection) -> asyncio.Task[RankMatrix]:
        if self._matrix is None or self._matrix[0] != projection.version:
            arrays = projection.arrays
            build = asyncio.to_thread(
                RankMatrix.of_arrays, arrays.paper_ids, arrays.citing, arrays.cited
            )
            task = asyncio.create_task(build)
            self._matrix = (projection.version, task)
        return self._matrix[1]

    async def rank_matrix(self, projection: Projection) -> RankMatrix:
        """The personalised-PageRank matrix of ``projection``, built once."""
        task = self.rank_matrix_task(projection)
        return await self.pool.within_deadline(asyncio.shield(task))

    async def _load(self) -> Projection:
        return await aload_projection(self.driver, self.database)

    async def aclose(self, grace_s: float) -> None:
        """Stop the background reads and the pool, and wait at most ``grace_s`` for them.

        Bounded, because neither a projection read cancelled inside the driver nor
        a networkx call in a worker thread need end promptly, and the app's
        shutdown must not wait on them (its driver is closed next; a thread still
        computing holds no connection)."""
        tasks: list[asyncio.Future[Any]] = list(self._loading.values())
        if self._matrix is not None:
            tasks.append(self._matrix[1])
        for task in tasks:
            task.cancel()
        self.pool.close()
        pending = [t for t in (*tasks, *self.pool.running) if not t.done()]
        if pending:
            _, left = await asyncio.wait(pending, timeout=grace_s)
            if left:
                log.warning(
                    "%d analytics reads/computations still running at shutdown after %.1f s",
                    len(left),
                    grace_s,
                )


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
        """``fn(*args, **kwargs)`` in the app's bounded analytics pool, under its deadline,
        reused per graph version (:mod:`graph_api.service.analytics_pool`)."""
        version = (await self.stored()).graph_version
        return await self.runtime.pool.run(version, fn, args, kwargs)

    async def compute_stoppable(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """:meth:`compute` for a function taking ``should_stop``: it stops at the deadline."""
        version = (await self.stored()).graph_version
        return await self.runtime.pool.run(version, fn, args, kwargs, deadline_arg="should_stop")
