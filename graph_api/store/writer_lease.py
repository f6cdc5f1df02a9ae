"""The one-writer rule across processes: a lease on the graph, kept in Neo4j.

Loads and analytics runs write the graph; two at once would interleave their
batches and bump the graph version under each other. Inside one API process
the job runner already runs one job at a time; across processes (several
``citekb serve`` workers, a ``citekb load`` in a terminal) the rule is held
by a lease on ``Meta{key:'writerLease'}`` (``cypher/write/writer_lease_*``):

* **Taking it** is one write transaction that succeeds when the lease is
  free, lapsed, or already this writer's; otherwise the caller learns who
  holds it and until when (:class:`WriterBusy`, a message meant for people).
* **Holding it** renews it every third of its time to live on a daemon
  thread, so a writer that lives keeps it however long the work takes, and
  one that dies (killed, machine gone) loses it after ``ttl_s`` at most.
* **Giving it back** only works for its holder's token.

Decisions: the lease has an expiry rather than being tied to a Bolt
connection (Neo4j has no session-scoped locks that outlive a transaction,
and a transaction held open for a whole load would pin memory and hit the
transaction timeout); time comes from Neo4j's clock (``timestamp()``), so
workers on machines with skewed clocks agree. A holder that cannot renew
(database unreachable) keeps working and logs it: its writes would fail on
the same database anyway.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import DriverError, Neo4jError

import cypher

log = logging.getLogger("citekb.writer_lease")

DEFAULT_TTL_S = 30.0


def holder_name(what: str) -> str:
    """Who a lease names: the work and the process (``citekb load x.txt (pid 12 on host)``)."""
    return f"{what} (pid {os.getpid()} on {socket.gethostname()})"


def _utc(ms: int | None) -> str:
    if ms is None:
        return "?"
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC)
    return moment.strftime("%H:%M:%S UTC")


class WriterBusy(Exception):
    """Another writer holds the graph; the message says who and what to do."""

    def __init__(self, holder: str | None, expires_at_ms: int | None, waited_s: float) -> None:
        self.holder = holder
        self.expires_at_ms = expires_at_ms
        waited = f" after waiting {waited_s:.0f} s" if waited_s >= 1 else ""
        super().__init__(
            f"the graph is being written by {holder or 'another writer'}{waited}; one writer at a"
            f" time keeps loads and analytics from interleaving. Its lease runs until"
            f" {_utc(expires_at_ms)} and is renewed while it works: try again when it has"
            " finished (a writer that died frees the graph when its lease lapses)"
        )


@dataclass(frozen=True)
class LeaseState:
    acquired: bool
    holder: str | None
    host: str | None
    pid: int | None
    token: str | None
    expires_at_ms: int | None
    lapsed_token: str | None

    def holder_is_dead_here(self) -> bool:
        """The holder is a process of this machine that no longer runs (killed, crashed)."""
        if self.acquired or self.host != socket.gethostname() or not self.pid:
            return False
        if self.pid == os.getpid():
            return False  # an earlier lease of this very process: not dead
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def _acquire(tx: ManagedTransaction, params: dict[str, Any]) -> LeaseState:
    row = tx.run(cypher.statement("write/writer_lease_acquire"), params).single(strict=True)
    return LeaseState(
        acquired=bool(row["acquired"]),
        holder=row["holder"],
        host=row["host"],
        pid=row["pid"],
        token=row["token"],
        expires_at_ms=row["expiresAt"],
        lapsed_token=row["lapsedToken"],
    )


def _release(tx: ManagedTransaction, token: str) -> int:
    row = tx.run(cypher.statement("write/writer_lease_release"), {"token": token}).single(
        strict=True
    )
    return int(row["released"])


class WriterLease:
    """One writer's claim on the graph (one token), taken, renewed and released."""

    def __init__(
        self,
        driver: Driver,
        database: str,
        holder: str,
        *,
        token: str | None = None,
        ttl_s: float = DEFAULT_TTL_S,
    ) -> None:
        self.driver = driver
        self.database = database
        self.holder = holder
        self.token = token or uuid.uuid4().hex
        self.ttl_s = ttl_s
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.lost = False

    def try_acquire(self) -> LeaseState:
        """One attempt; a lease held by a dead process of this machine is taken over at once."""
        state = self._attempt(None)
        if state.holder_is_dead_here():
            log.warning("the writer lease's holder is gone (%s): taking it over", state.holder)
            state = self._attempt(state.token)
        return state

    def _attempt(self, stale_token: str | None) -> LeaseState:
        params = {
            "token": self.token,
            "holder": self.holder,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "ttlMs": int(self.ttl_s * 1000),
            "staleToken": stale_token,
        }
        with self.driver.session(database=self.database) as session:
            return session.execute_write(_acquire, params)

    def acquire(
        self,
        *,
        wait_s: float = 0.0,
        poll_s: float = 1.0,
        on_wait: Callable[[LeaseState], None] | None = None,
    ) -> LeaseState:
        """Take the lease, waiting up to ``wait_s``; :class:`WriterBusy` when it stays taken."""
        started = time.monotonic()
        while True:
            state = self.try_acquire()
            if state.acquired:
                if state.lapsed_token:
                    log.warning("took over the writer lease of a lapsed writer (%s)", state.holder)
                self.start_renewing()
                return state
            waited = time.monotonic() - started
            if waited >= wait_s:
                raise WriterBusy(state.holder, state.expires_at_ms, waited)
            if on_wait is not None:
                on_wait(state)
            time.sleep(min(poll_s, max(wait_s - waited, 0.01)))

    def release(self) -> bool:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        with self.driver.session(database=self.database) as session:
            return session.execute_write(_release, self.token) == 1

    def start_renewing(self) -> None:
        """Keep the lease alive on a daemon thread until :meth:`release`."""
        self._stop.clear()
        self._renewer = threading.Thread(
            target=self._renew_loop, name="writer-lease-renewal", daemon=True
        )
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.ttl_s / 3):
            try:
                state = self._attempt(None)
            except (Neo4jError, DriverError, OSError) as exc:
                log.warning("could not renew the writer lease (%s)", type(exc).__name__)
                continue
            if not state.acquired:
                # Only after a pause longer than the lease (a stopped process,
                # a partitioned network): say so loudly, the work goes on.
                self.lost = True
                log.error("the writer lease was taken by %s while this writer ran", state.holder)


@contextmanager
def holding_writer_lease(
    driver: Driver,
    database: str,
    what: str,
    *,
    wait_s: float = 0.0,
    ttl_s: float = DEFAULT_TTL_S,
    on_wait: Callable[[LeaseState], None] | None = None,
) -> Iterator[WriterLease]:
    """The lease for the block (``what`` names the work); :class:`WriterBusy` if taken."""
    lease = WriterLease(driver, database, holder_name(what), ttl_s=ttl_s)
    lease.acquire(wait_s=wait_s, on_wait=on_wait)
    try:
        yield lease
    finally:
        try:
            lease.release()
        except (Neo4jError, DriverError, OSError) as exc:  # it lapses by itself
            log.warning("could not release the writer lease (%s)", type(exc).__name__)


def read_lease(driver: Driver, database: str) -> dict[str, Any]:
    """The lease as stored (holder, token, expiresAt) with Neo4j's clock (now)."""
    records, _, _ = driver.execute_query(cypher.statement("read/writer_lease"), database_=database)
    return dict(records[0])


def release_token(driver: Driver, database: str, token: str) -> bool:
    """Free the lease held under ``token`` (a dead job's), if it still is."""
    with driver.session(database=database) as session:
        return session.execute_write(_release, token) == 1
