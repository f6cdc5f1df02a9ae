"""The graph-state poller stops when told, whatever its reads are doing."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from graph_api.store.graph_state import UNKNOWN, GraphStateWatch


class DeadDriver:
    """Every read fails at once, as a driver does with Neo4j down and no retry left."""

    def __init__(self) -> None:
        self.reads = 0

    async def execute_query(self, *_args: Any, **_kwargs: Any) -> Any:
        self.reads += 1
        raise ConnectionRefusedError("Neo4j is down")


async def test_close_ends_the_poller_at_once_while_every_read_fails() -> None:
    # The cancel of a shutdown often lands just as a failing read returns; on
    # Python 3.11 asyncio.wait_for drops it then. Many start/close cycles make
    # that moment likely; each close must still end the poller well inside its
    # 5 s grace, and no read may follow it.
    driver = DeadDriver()
    watch = GraphStateWatch(driver, "neo4j", 0.0005, lambda _old, _new: None)  # type: ignore[arg-type]
    for _ in range(30):
        watch.start()
        await asyncio.sleep(0.003)
        started = time.monotonic()
        await watch.close()
        assert time.monotonic() - started < 1.0
        assert not watch.polling
        after_close = driver.reads
        await asyncio.sleep(0.003)
        assert driver.reads == after_close
    assert driver.reads > 30
    assert watch.current == UNKNOWN
