"""Per-request analytics: a bounded pool, a deadline, and results reused per graph version.

Every computation a resolver asks for (:meth:`AnalyticsPool.run`) is

* **bounded**: at most ``API_ANALYTICS_CONCURRENCY`` run at once, in worker
  *threads*. A slot is held until the computation really ends, even when its
  client has gone, so abandoned work never piles up beyond the bound.
* **under a deadline** of ``API_ANALYTICS_TIMEOUT_S`` (waiting for a slot
  included): past it the client gets ``TIMEOUT`` and the :class:`Deadline`
  handed to the computation says stop. Threads, not processes, because the
  projection (a networkx graph, hundreds of MB at 100k papers) lives in this
  process and a process pool would have to copy it per graph version; so
  stopping is cooperative: the power iteration of personalised PageRank
  (:mod:`graph_api.analytics.sparse_rank`) checks the deadline every
  iteration and stops; a networkx call (lineage, paths, similarity) ends its
  current call, and the bound keeps such leftovers to the pool's size.
* **reused**: a result is kept by (graph version, function, arguments) in an
  LRU of ``API_ANALYTICS_CACHE_ENTRIES``; the same computation asked for by
  several requests at once runs once and all of them await it.

>>> Deadline(10.0).expired(), Deadline(0.0).expired()
(False, True)
"""

from __future__ import annotations

import asyncio
import enum
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from graph_api.service.errors import QueryTimeout
from graph_api.settings import Settings

T = TypeVar("T")


class Deadline:
    """When a computation must stop: a time, or earlier if its client gave up."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def expired(self) -> bool:
        return self._cancelled.is_set() or time.monotonic() >= self.at

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.0)


def args_key(value: Any) -> Hashable:
    """A hashable stand-in for a computation's arguments.

    Plain values stand for themselves (lists as tuples, dicts sorted, enums by
    value); anything else (the projection's graph, its indexes) by its type
    name, since the graph version in the key already fixes it.

    >>> args_key((["b", "a"], {"k": 3}, None))
    (('b', 'a'), (('k', 3),), None)
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, list | tuple):
        return tuple(args_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), args_key(v)) for k, v in value.items()))
    return f"<{type(value).__name__}>"


class AnalyticsPool:
    """The app's analytics workers, their bound, deadline and results (owned by the app)."""

    def __init__(self, settings: Settings) -> None:
        self.concurrency = max(settings.api_analytics_concurrency, 1)
        self.timeout_s = settings.api_analytics_timeout_s
        self.max_entries = max(settings.api_analytics_cache_entries, 0)
        self._executor = ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix="citekb-analytics"
        )
        self._slots: asyncio.Semaphore | None = None
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._running: dict[Hashable, asyncio.Future[Any]] = {}
        self._work: set[asyncio.Future[Any]] = set()
        # The deadlines of computations under way: close() expires them all.
        self._deadlines: set[Deadline] = set()
        self.computed = 0
        self.reused = 0
        self.timeouts = 0
        self.stopped = 0

    def _slot_semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        return self._slots

    def forget(self) -> None:
        """Drop every kept result (the graph changed)."""
        self._results.clear()

    async def run(
        self,
        version: int | None,
        fn: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        deadline_arg: str | None = None,
    ) -> T:
        """``fn(*args, **kwargs)`` in the pool; ``deadline_arg`` names the keyword that
        receives a ``should_stop`` callable, for computations that can stop early."""
        key: Hashable | None = None
        if version is not None and self.max_entries > 0:
            key = (version, fn.__module__, fn.__qualname__, args_key(args), args_key(kwargs))
            if key in self._results:
                self._results.move_to_end(key)
                self.reused += 1
                kept: T = self._results[key]
                return kept
            running = self._running.get(key)
            if running is not None:
                self.reused += 1
                shared: T = await self._await(asyncio.shield(running), None)
                return shared
        deadline = Deadline(self.timeout_s)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._running[key] = future
        try:
            started = self._start(fn, args, kwargs, deadline=deadline, arg=deadline_arg, out=future)
            result: T = await self._await(started, deadline)
        finally:
            if key is not None:
                self._running.pop(key, None)
        if key is not None:
            self._results[key] = result
            while len(self._results) > self.max_entries:
                self._results.popitem(last=False)
        return result

    async def _start(
        self,
        fn: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        deadline: Deadline,
        arg: str | None,
        out: asyncio.Future[T],
    ) -> T:
        future = out
        deadline_arg = arg
        slots = self._slot_semaphore()
        await slots.acquire()
        self.computed += 1
        if deadline_arg is not None:
            kwargs = {**kwargs, deadline_arg: deadline.expired}
        loop = asyncio.get_running_loop()
        try:
            work = loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))
        except RuntimeError:  # the pool was closed: the app is shutting down
            slots.release()
            raise
        self._work.add(work)
        work.add_done_callback(self._work.discard)
        self._deadlines.add(deadline)
        work.add_done_callback(lambda _f: self._deadlines.discard(deadline))
        # The slot is given back when the work really ends, not when its client gives up.
        work.add_done_callback(lambda _f: slots.release())

        def settle(done: asyncio.Future[T]) -> None:
            if future.done():
                return
            if done.cancelled():
                future.cancel()
            elif done.exception() is not None:
                if deadline.expired():
                    self.stopped += 1  # it saw the deadline and stopped (or failed late)
                future.set_exception(done.exception())  # type: ignore[arg-type]
            else:
                future.set_result(done.result())

        work.add_done_callback(settle)
        return await asyncio.shield(future)

    async def _await(self, awaitable: Awaitable[T], deadline: Deadline | None) -> T:
        timeout = self.timeout_s if deadline is None else deadline.remaining()
        try:
            return await asyncio.wait_for(awaitable, timeout)
        except TimeoutError:
            self.timeouts += 1
            if deadline is not None:
                deadline.cancel()
            raise QueryTimeout(
                f"the analytics took longer than the server's limit of {self.timeout_s:g} s "
                "and were stopped; ask for less (a smaller depth, k or seed set)"
            ) from None

    async def drained(self) -> None:
        """Wait until no computation runs (abandoned ones included)."""
        while self._work:
            await asyncio.gather(*self._work, return_exceptions=True)

    async def within_deadline(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable`` (shielded by the caller) for at most the analytics deadline."""
        return await self._await(awaitable, Deadline(self.timeout_s))

    def close(self) -> None:
        """Refuse new work, drop what waits for a worker, and tell what runs to stop.

        Returns at once: a stoppable computation ends within one iteration, any
        other when its current call does (the app's shutdown waits for them a
        bounded time, :meth:`AnalyticsRuntime.aclose`)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        for deadline in list(self._deadlines):
            deadline.cancel()

    @property
    def running(self) -> list[asyncio.Future[Any]]:
        """The computations still running in a worker (abandoned ones included)."""
        return [w for w in self._work if not w.done()]
