"""What the API's answers depend on beside the rows: the graph's version, watched.

Between two graph versions every answer is a function of (document,
variables, version), so the API may cache answers per version
(:mod:`graph_api.service.graph_http`). :class:`GraphStateWatch` reads
``read/api/graph_state`` (one tiny statement) every ``API_GRAPH_POLL_S``
seconds in a background task owned by the app, and calls back when it
changes, so no request pays a Neo4j round trip to learn the version.

:attr:`GraphState.token` names what a cached answer was computed on: the graph
version and the time ``citekb analytics`` last stored scores (stored PageRank
and communities change answers without a new graph version). It is ``None``,
meaning "do not cache", before the first read, when the read fails, before the
first recorded load, and while a load is writing (``dirty``: its first write
set the flag and recording the load clears it; a load that died part-way
leaves it set). An answer can lag a load's first write by one poll interval.

>>> GraphState(version=3, dirty=False, analytics_at="2026-11-28T05:00:00+00:00").token
'3@2026-11-28T05:00:00+00:00'
>>> GraphState(version=3, dirty=True, analytics_at=None).token is None
True
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from neo4j import AsyncDriver, RoutingControl

import cypher

log = logging.getLogger("citekb.api")


@dataclass(frozen=True)
class GraphState:
    """``Meta{key:'graph'}`` version and dirty flag, and when analytics were stored."""

    version: int | None
    dirty: bool
    analytics_at: str | None

    @property
    def token(self) -> str | None:
        """What answers computed now depend on; ``None`` when they must not be cached."""
        if self.version is None or self.dirty:
            return None
        return f"{self.version}@{self.analytics_at or '-'}"


UNKNOWN = GraphState(version=None, dirty=True, analytics_at=None)


async def read_graph_state(driver: AsyncDriver, database: str) -> GraphState:
    records, _, _ = await driver.execute_query(
        cypher.statement("read/api/graph_state"), database_=database, routing_=RoutingControl.READ
    )
    row = records[0]
    version = row["version"]
    at = row["analyticsAt"]
    return GraphState(
        version=None if version is None else int(version),
        dirty=bool(row["dirty"]),
        analytics_at=None if at is None else str(at),
    )


# How long close() waits for the cancelled poller.
CLOSE_GRACE_S = 5.0


class GraphStateWatch:
    """The last :class:`GraphState` read, refreshed every ``interval_s`` by a background task."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        interval_s: float,
        on_change: Callable[[GraphState, GraphState], None],
        *,
        timeout_s: float = 3.0,
    ) -> None:
        self.driver = driver
        self.database = database
        self.interval_s = interval_s
        self.on_change = on_change
        self.current = UNKNOWN
        self.reads = 0
        self.timeout_s = timeout_s
        # When Neo4j last answered this read (monotonic seconds): /healthz reports
        # it, so a probe never waits on a busy database (graph_api/service/app.py).
        self.last_ok: float | None = None
        self._task: asyncio.Task[None] | None = None
        # Set by close(); one per poller, so a poller that outlived its close
        # (stuck in the driver past the grace) never runs on after a new start.
        self._stop = asyncio.Event()

    @property
    def polling(self) -> bool:
        return self._task is not None

    def answered_within(self, seconds: float) -> bool:
        """Neo4j answered a read in the last ``seconds``."""
        return self.last_ok is not None and time.monotonic() - self.last_ok <= seconds

    async def refresh(self) -> GraphState:
        """Read the state now (the poller does this; a test or a writer in this process may)."""
        try:
            read = read_graph_state(self.driver, self.database)
            state = await asyncio.wait_for(read, self.timeout_s)
            self.last_ok = time.monotonic()
        except Exception:  # Neo4j away: stop caching until it answers again
            log.warning("graph state read failed; answers are not cached meanwhile", exc_info=True)
            state = UNKNOWN
        self.reads += 1
        previous, self.current = self.current, state
        if state != previous:
            self.on_change(previous, state)
        return state

    async def _poll(self, stop: asyncio.Event) -> None:
        # The loop also ends on a flag, not only on cancellation: on Python 3.11,
        # asyncio.wait_for drops a cancel that arrives as its read finishes (with a
        # dead database the read fails at once, so a shutdown often lands then);
        # refresh() then logs the failure and the poller ran on until the app's
        # 5 s shutdown bound gave up on it, leaving it running.
        while not stop.is_set():
            await self.refresh()
            if not stop.is_set():
                await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        if self._task is None and self.interval_s > 0:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self._poll(self._stop), name="graph-state-watch")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._stop.set()
            task.cancel()
            # Bounded: a read cancelled inside the driver need not return promptly,
            # and an app's shutdown must not wait on it forever (a test run hung here).
            done, _ = await asyncio.wait({task}, timeout=CLOSE_GRACE_S)
            if not done:
                log.warning("graph state poller did not stop within %.0f s", CLOSE_GRACE_S)
