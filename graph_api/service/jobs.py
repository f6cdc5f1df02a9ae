"""Background jobs of the API: loads and analytics runs started by mutations.

A mutation only *starts* work: it returns a :class:`JobRecord` at once and
the work runs as an asyncio task owned by the app (created in the request,
cancelled by the app's lifespan at shutdown). ``job(id)`` reports on it.

* **One writer at a time.** Every job takes the runner's one writer lock
  before it touches the graph, so at most one load (or analytics run) runs
  per API process; the others wait as ``QUEUED``. More than
  ``API_MAX_QUEUED_JOBS`` waiting jobs are refused.
* **Loads** reuse :func:`loaders.pipeline.run_load` exactly as ``citekb
  load`` does (same S2 client, cache, retries, idempotent writes), with the
  S2 host probed first when no test transport is injected. The job's status
  follows the load's exit code: ``SUCCEEDED`` (complete), ``PARTIAL``
  (unresolved entries, S2 unreachable or failing part-way: what was read is
  written and a rerun resumes from the S2 cache), ``FAILED``.
* **Analytics** runs :func:`graph_api.store.analytics_store.compute_and_store` (the
  function ``citekb analytics`` runs) in a worker thread.
* **History** is bounded: the newest ``API_JOB_HISTORY`` finished jobs stay
  in memory; each job is also recorded, best effort, as a ``Meta:Job`` node
  (``cypher/write/job_record``), pruned to the same size, so ``job(id)``
  still answers for a job another worker ran or that finished before a
  restart.
* **Errors** a job reports are written for the client: a database failure
  says the database failed and that rerunning completes the load; anything
  unexpected is "internal error (job <id>)" with the details in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import enum
import json
import logging
import os
import socket
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import strawberry
from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import DriverError, Neo4jError

import cypher
from graph_api.server import neo4j_server
from graph_api.service.errors import LimitExceeded, public_form
from graph_api.settings import Settings
from graph_api.store import graph_store
from graph_api.store.writer_lease import (
    WriterBusy,
    WriterLease,
    holder_name,
    read_lease,
    release_token,
)
from loaders.pipeline import (
    EXIT_OK,
    EXIT_PARTIAL,
    LoadSummary,
    openalex_session,
    probe_s2,
    run_load,
)
from loaders.rows import PaperRef
from loaders.s2_client import S2Client

log = logging.getLogger("citekb.api.jobs")

# How long shutdown waits for a cancelled job to stop (a write in a worker
# thread cannot be interrupted; it ends with its transaction).
# How long close() lets jobs that are finishing record themselves before it cancels.
FINISHING_GRACE_S = 2.0
SHUTDOWN_GRACE_S = 10.0
# How often a job waiting for another process's writer lease asks again.
LEASE_POLL_S = 1.0


# The runner's enums are the GraphQL enums too: one definition, no mirror to keep in step.
@strawberry.enum(description="What a job does.")
class JobKind(enum.Enum):
    LOAD_PAPERS = strawberry.enum_value(
        "loadPapers", description="Resolve, enrich and write papers (the `loadPapers` mutation)"
    )
    RECOMPUTE_ANALYTICS = strawberry.enum_value(
        "recomputeAnalytics", description="Recompute and store PageRank and communities"
    )


@strawberry.enum(description="Where a job is: QUEUED and RUNNING change; the others are final.")
class JobStatus(enum.Enum):
    QUEUED = strawberry.enum_value("QUEUED", description="Waiting for the one writer")
    RUNNING = strawberry.enum_value("RUNNING", description="Writing now")
    SUCCEEDED = strawberry.enum_value("SUCCEEDED", description="Done, everything resolved")
    PARTIAL = strawberry.enum_value(
        "PARTIAL", description="Done, but some entries were not resolved or enriched"
    )
    FAILED = strawberry.enum_value("FAILED", description="Stopped by an error (see `errors`)")
    CANCELLED = strawberry.enum_value(
        "CANCELLED", description="Stopped before it finished (the server shut down)"
    )

    @property
    def finished(self) -> bool:
        return self not in (JobStatus.QUEUED, JobStatus.RUNNING)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


@dataclass
class JobRecord:
    """What ``job(id)`` reports; ``counts`` are plain numbers (load or analytics)."""

    id: str
    kind: JobKind
    owner: str
    params: dict[str, Any]
    status: JobStatus = JobStatus.QUEUED
    created_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    counts: dict[str, int | float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    # The process that owns the job: a RUNNING or QUEUED job whose process is
    # gone is marked FAILED by the next API start (JobRunner.recover).
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)

    def as_node(self) -> dict[str, Any]:
        """The properties of its ``Meta:Job`` node (maps as JSON text: Neo4j has no map values)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "owner": self.owner,
            "status": self.status.value,
            "createdAt": self.created_at,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "params": json.dumps(self.params, sort_keys=True),
            "counts": json.dumps(self.counts, sort_keys=True),
            "errors": list(self.errors),
            "messages": list(self.messages),
            "host": self.host,
            "pid": self.pid,
        }

    @classmethod
    def from_node(cls, props: Mapping[str, Any]) -> JobRecord:
        return cls(
            id=str(props["id"]),
            kind=JobKind(props["kind"]),
            owner=str(props.get("owner") or ""),
            params=json.loads(props.get("params") or "{}"),
            status=JobStatus(props["status"]),
            created_at=str(props.get("createdAt") or ""),
            started_at=props.get("startedAt"),
            finished_at=props.get("finishedAt"),
            counts=json.loads(props.get("counts") or "{}"),
            errors=list(props.get("errors") or []),
            messages=list(props.get("messages") or []),
            host=str(props.get("host") or ""),
            pid=int(props.get("pid") or 0),
        )


def load_counts(summary: LoadSummary) -> dict[str, int | float]:
    """The numbers of a load summary (everything in ``as_dict`` that is a number)."""
    out: dict[str, int | float] = {}
    for name, value in summary.as_dict().items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out[name] = value
    out["unresolved"] = len(summary.unresolved)
    return out


def status_of(summary: LoadSummary) -> JobStatus:
    if summary.exit_code == EXIT_OK:
        return JobStatus.SUCCEEDED
    if summary.exit_code == EXIT_PARTIAL:
        return JobStatus.PARTIAL
    return JobStatus.FAILED


def _record(tx: ManagedTransaction, job: dict[str, Any]) -> None:
    tx.run(cypher.statement("write/job_record"), {"job": job}).consume()


def _prune(tx: ManagedTransaction, keep: int) -> None:
    tx.run(cypher.statement("write/job_prune"), {"keep": keep}).consume()


def _mark_failed_tx(tx: ManagedTransaction, rows: list[dict[str, Any]]) -> int:
    record = tx.run(cypher.statement("write/jobs_mark_failed"), {"rows": rows}).single()
    return 0 if record is None else int(record["marked"])


def _process_alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():  # our own pid: we have no jobs yet
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def orphaned(job: Mapping[str, Any], lease: Mapping[str, Any]) -> bool:
    """Whether an unfinished job's process is gone (see :meth:`JobRunner.recover`).

    >>> lease = {"token": "a", "expiresAt": 2000, "now": 1000}
    >>> import socket
    >>> here = socket.gethostname()
    >>> orphaned({"id": "a", "status": "RUNNING", "host": "elsewhere", "pid": 1}, lease)
    False
    >>> orphaned({"id": "b", "status": "RUNNING", "host": "elsewhere", "pid": 1}, lease)
    True
    >>> orphaned({"id": "c", "status": "QUEUED", "host": "elsewhere", "pid": 1}, lease)
    False
    >>> orphaned({"id": "a", "status": "RUNNING", "host": here, "pid": 2**22 + 7}, lease)
    True
    """
    if job.get("host") == socket.gethostname() and not _process_alive(int(job.get("pid") or 0)):
        return True
    if job.get("status") != JobStatus.RUNNING.value:
        return False  # a QUEUED job on another host: its process may well be waiting
    holds = lease.get("token") == job.get("id")
    lapsed = lease.get("expiresAt") is None or lease["expiresAt"] < lease["now"]
    return not holds or lapsed


class JobRunner:
    """Starts, runs, remembers and records the jobs of one API process."""

    def __init__(
        self,
        settings: Settings,
        *,
        s2_transport: httpx.AsyncBaseTransport | None = None,
        driver_factory: Callable[[Settings], Driver] | None = None,
    ) -> None:
        self.settings = settings
        self.s2_transport = s2_transport
        self._driver_factory = driver_factory or (
            lambda s: graph_store.driver_for(s, neo4j_server.endpoint(s).uri)
        )
        self._driver: Driver | None = None
        # asyncio.Lock wakes waiters in arrival order: jobs run in submission order.
        self._writer = asyncio.Lock()
        self._persisting = asyncio.Lock()
        self._jobs: OrderedDict[str, JobRecord] = OrderedDict()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._history = max(settings.api_job_history, 1)

    # -- public --------------------------------------------------------------
    def get(self, job_id: str) -> JobRecord | None:
        return self._jobs.get(job_id)

    @property
    def active(self) -> int:
        """Jobs queued or running (one runs, the others wait for the writer)."""
        return sum(1 for j in self._jobs.values() if not j.status.finished)

    def submit_load(self, refs: list[PaperRef], *, depth: int, owner: str) -> JobRecord:
        params = {"entries": len(refs), "depth": depth}
        return self._submit(
            JobKind.LOAD_PAPERS, owner, params, lambda job: self._load(job, refs, depth)
        )

    def submit_analytics(self, *, owner: str) -> JobRecord:
        return self._submit(JobKind.RECOMPUTE_ANALYTICS, owner, {}, self._analytics)

    async def close(self) -> None:
        """Cancel what is queued or running, wait briefly, close the write driver."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            # A job that has done its work may still be recording itself in a worker
            # thread; cancelling its task would not stop that thread, and closing the
            # driver under it breaks the connection it writes on. Let such tails end.
            _, tasks_left = await asyncio.wait(tasks, timeout=FINISHING_GRACE_S)
            tasks = list(tasks_left)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
        if self._driver is not None:
            await asyncio.to_thread(self._driver.close)
            self._driver = None

    # -- plumbing ------------------------------------------------------------
    def _submit(
        self,
        kind: JobKind,
        owner: str,
        params: dict[str, Any],
        work: Callable[[JobRecord], Awaitable[None]],
    ) -> JobRecord:
        # One job runs and at most API_MAX_QUEUED_JOBS wait for it.
        if self.active > self.settings.api_max_queued_jobs:
            raise LimitExceeded(
                f"{self.active} jobs are already running or waiting for the writer (one runs,"
                f" at most {self.settings.api_max_queued_jobs} wait); poll job(id) and try"
                " again later"
            )
        job = JobRecord(id=uuid.uuid4().hex, kind=kind, owner=owner, params=params)
        self._jobs[job.id] = job
        self._trim()
        task = asyncio.get_running_loop().create_task(self._run(job, work), name=f"job-{job.id}")
        self._tasks[job.id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(job.id, None))
        log.info("job %s (%s) queued by %s: %s", job.id, kind.value, owner, params)
        return job

    def _trim(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.status.finished]
        for job_id in finished[: max(0, len(self._jobs) - self._history)]:
            del self._jobs[job_id]

    def _write_driver(self) -> Driver:
        if self._driver is None:
            self._driver = self._driver_factory(self.settings)
        return self._driver

    async def _persist(self, job: JobRecord, *, prune: bool = False) -> None:
        """Record the job on its Meta:Job node; a failure is logged, never fatal.

        Writes are serialised and each takes the job's state when its turn
        comes, so a slow earlier write can never overwrite a later state.
        """
        async with self._persisting:
            await self._persist_now(job, prune=prune)

    async def _persist_now(self, job: JobRecord, *, prune: bool) -> None:
        node = job.as_node()
        db = self.settings.neo4j_database

        def write() -> None:
            with self._write_driver().session(database=db) as session:
                session.execute_write(_record, node)
                if prune:
                    session.execute_write(_prune, self._history)

        try:
            await asyncio.to_thread(write)
        except (Neo4jError, DriverError, OSError) as exc:
            log.warning("job %s: could not record it in Neo4j (%s)", job.id, type(exc).__name__)

    async def _run(self, job: JobRecord, work: Callable[[JobRecord], Awaitable[None]]) -> None:
        # The QUEUED record is written beside the wait, so the wait starts at once.
        queued = asyncio.create_task(self._persist(job))
        try:
            async with self._writer:
                lease = await self._take_lease(job)
                try:
                    job.status = JobStatus.RUNNING
                    job.started_at = _now()
                    log.info("job %s (%s) running", job.id, job.kind.value)
                    await self._persist(job)
                    await work(job)
                finally:
                    # Stamped before the lease goes: finishedAt never overlaps
                    # the next writer's startedAt.
                    job.finished_at = job.finished_at or _now()
                    await self._give_back(lease)
        except asyncio.CancelledError:
            job.status = JobStatus.CANCELLED
            job.errors.append("cancelled: the API server shut down; start the job again")
            job.finished_at = _now()
            log.warning("job %s cancelled", job.id)
            raise
        except Exception as exc:  # a job must end with a status, whatever happened
            job.status = JobStatus.FAILED
            job.errors.append(self._describe_failure(job, exc))
            log.error("job %s failed", job.id, exc_info=exc)
        finally:
            if job.finished_at is None:
                job.finished_at = _now()
            log.info("job %s finished: %s", job.id, job.status.value)
            with contextlib.suppress(asyncio.CancelledError):
                await queued
                await self._persist(job, prune=True)
            self._trim()

    async def _take_lease(self, job: JobRecord) -> WriterLease:
        """The cross-process writer lease (token: the job id), waited for while QUEUED.

        Another process's load or analytics run holds the graph: this job waits
        (polling every LEASE_POLL_S) and says so in its messages; nothing is
        lost, it runs when the other writer is done.
        """
        driver = await asyncio.to_thread(self._write_driver)
        lease = WriterLease(
            driver,
            self.settings.neo4j_database,
            holder_name(f"API job {job.id} ({job.kind.value})"),
            token=job.id,
            ttl_s=self.settings.writer_lease_ttl_s,
        )
        told = False
        while True:
            state = await asyncio.to_thread(lease.try_acquire)
            if state.acquired:
                lease.start_renewing()
                if state.lapsed_token:
                    await self._fail_lapsed(state.lapsed_token)
                return lease
            if not told:
                job.messages.append(str(WriterBusy(state.holder, state.expires_at_ms, 0)))
                job.messages.append("this job waits (QUEUED) and starts when the graph is free")
                told = True
                await self._persist(job)
            await asyncio.sleep(LEASE_POLL_S)

    async def _give_back(self, lease: WriterLease) -> None:
        try:
            await asyncio.to_thread(lease.release)
        except (Neo4jError, DriverError, OSError) as exc:  # it lapses by itself
            log.warning("could not release the writer lease (%s)", type(exc).__name__)

    async def _fail_lapsed(self, token: str) -> None:
        """A lapsed lease was a job's whose process stopped renewing it: that job failed."""
        await self._mark_failed(
            [token], "its API process stopped (its writer lease lapsed); start it again"
        )

    async def _mark_failed(self, ids: list[str], error: str) -> int:
        rows = [{"id": i, "finishedAt": _now(), "error": error} for i in ids]
        db = self.settings.neo4j_database

        def write() -> int:
            with self._write_driver().session(database=db) as session:
                return int(session.execute_write(_mark_failed_tx, rows))

        return await asyncio.to_thread(write)

    async def recover(self) -> list[str]:
        """At start: mark FAILED the jobs left QUEUED/RUNNING by a process that is gone.

        A job is orphaned when its process ran on this host and is no longer
        alive, or (any host) when it is RUNNING without holding the writer
        lease any more. A dead job's lease is released at once, so the next
        writer need not wait for it to lapse. Returns the ids marked.
        """
        db = self.settings.neo4j_database
        driver = await asyncio.to_thread(self._write_driver)

        def read() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            records, _, _ = driver.execute_query(
                cypher.statement("read/jobs_unfinished"), database_=db
            )
            return [dict(r["job"]) for r in records], read_lease(driver, db)

        try:
            jobs, lease = await asyncio.to_thread(read)
            orphans = [j for j in jobs if orphaned(j, lease)]
            if not orphans:
                return []
            ids = [str(j["id"]) for j in orphans]
            await self._mark_failed(
                ids,
                "the API process running it stopped before it finished (killed or crashed);"
                " start it again (a load resumes from the S2 cache)",
            )
            for job_id in ids:
                await asyncio.to_thread(release_token, driver, db, job_id)
        except (Neo4jError, DriverError, OSError) as exc:
            log.warning("could not check for jobs of stopped processes (%s)", type(exc).__name__)
            return []
        log.warning("marked %d job(s) of stopped processes FAILED: %s", len(ids), ids)
        return ids

    def _describe_failure(self, job: JobRecord, exc: BaseException) -> str:
        public = public_form(exc)
        if public is not None:
            message = public.message
        elif isinstance(exc, Neo4jError | DriverError):
            message = f"the graph database failed ({type(exc).__name__})"
        else:
            return f"internal error (job {job.id}); the server log has the details"
        if job.kind is JobKind.LOAD_PAPERS:
            message += (
                "; batches already written stay, and the same loadPapers call"
                " completes the load (S2 answers are replayed from the cache)"
            )
        return message

    # -- the work ------------------------------------------------------------
    async def _load(self, job: JobRecord, refs: list[PaperRef], depth: int) -> None:
        s = self.settings
        unreachable = None
        if self.s2_transport is None and not s.s2_offline:
            unreachable = await probe_s2(s.s2_base_url)
        driver = await asyncio.to_thread(self._write_driver)
        async with (
            openalex_session(s.openalex_config()) as (openalex, oa_down),
            S2Client(s.s2_config(), transport=self.s2_transport) as client,
        ):
            summary = await run_load(
                refs,
                driver=driver,
                database=s.neo4j_database,
                client=client,
                depth=depth,
                offline=s.s2_offline,
                source=f"api:job:{job.id}",
                unreachable=unreachable,
                flush_rows=s.load_flush_rows,
                flush_interval_s=s.load_flush_interval_s,
                openalex=openalex,
                openalex_unreachable=oa_down,
            )
        job.counts = load_counts(summary)
        job.messages = list(summary.messages)
        if summary.failure:
            job.errors.append(summary.failure)
        job.errors.extend(
            f"{u.title or u.ident or u.source}: {u.reason}" for u in summary.unresolved[:50]
        )
        job.status = status_of(summary)

    async def _analytics(self, job: JobRecord) -> None:
        # Imported here: the analytics stack (networkx, igraph) loads only when used.
        from graph_api.store.analytics_store import compute_and_store  # noqa: PLC0415

        driver = await asyncio.to_thread(self._write_driver)
        run = await asyncio.to_thread(
            compute_and_store,
            driver,
            self.settings.neo4j_database,
            topic_min_papers=self.settings.analytics_topic_min_papers,
            topic_top=self.settings.analytics_topic_top,
        )
        job.counts = {
            "graphVersion": run.graph_version if run.graph_version is not None else -1,
            "papers": run.papers,
            "cites": run.cites,
            "communities": run.communities,
            "tookS": round(run.total_s, 3),
        }
        job.status = JobStatus.SUCCEEDED
