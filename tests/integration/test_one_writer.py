"""One writer at a time across processes: the writer lease in Neo4j, and dead jobs.

Real processes: two ``citekb serve`` processes (each an API worker with its
own job runner), ``citekb load`` in a terminal's place, the fake S2 as a
server with 150 ms a request (so every load lasts a few seconds) and the
session's Neo4j. The titles come from the sample page (the fake S2 knows
them); each writer loads its own share, so "nothing lost" is checkable.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graph_api.server import neo4j_server
from graph_api.store import graph_store
from graph_api.store.writer_lease import WriterBusy, WriterLease, read_lease
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.integration.conftest import Neo4jHandle
from tests.integration.process_support import (
    CITEKB,
    citekb,
    cli_env,
    fake_s2_process,
    stop,
    wait_for,
    wait_until_serving,
)

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
KEY = "writer-lease-test-key"
LOAD = "mutation($titles: [String!]) { loadPapers(titles: $titles, depth: 1) { id status } }"
JOB = "query($id: ID!) { job(id: $id) { id status startedAt finishedAt errors messages } }"


def _titles() -> list[str]:
    return [r.title for r in parse_source(SAMPLE) if r.title]


@pytest.fixture(scope="module")
def fake_s2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("fake-s2") / "fake_s2.log"
    with fake_s2_process(f"titles:{SAMPLE}", log, latency_ms=150) as root:
        yield root


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One ``citekb serve`` process (one worker) on a free port."""
    port = neo4j_server.free_port()
    cmd = [*CITEKB, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc, log, 120, "citekb serve")
        yield base, proc
    finally:
        stop(proc)


def _post(base: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {KEY}"},
        timeout=30,
    )
    body: dict[str, Any] = r.json()
    assert r.status_code == 200 and not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


def _job(base: str, job_id: str) -> dict[str, Any]:
    return _post(base, JOB, {"id": job_id})["job"]  # type: ignore[no-any-return]


class LeaseWatch:
    """Polls the lease every 20 ms: the sequence of holders the graph saw."""

    def __init__(self, driver: Driver, db: str) -> None:
        self.driver, self.db = driver, db
        self.holders: list[str | None] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            lease = read_lease(self.driver, self.db)
            live = lease["expiresAt"] is not None and lease["expiresAt"] >= lease["now"]
            holder = lease["holder"] if live else None
            if not self.holders or self.holders[-1] != holder:
                self.holders.append(holder)

    def __enter__(self) -> LeaseWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _titles_in_graph(driver: Driver, db: str, titles: list[str]) -> set[str]:
    records, _, _ = driver.execute_query(
        "MATCH (p:Paper) WHERE p.title IN $titles RETURN p.title AS t", titles=titles, database_=db
    )
    return {r["t"] for r in records}


def test_two_workers_and_a_load_take_turns_and_lose_nothing(
    neo4j: Neo4jHandle, session_driver: Driver, fake_s2: str, tmp_path: Path
) -> None:
    db = neo4j.settings.neo4j_database
    graph_store.clear_data(session_driver, db)
    titles = _titles()
    share_a, share_b, share_cli = titles[0:5], titles[5:10], titles[10:15]
    ids_file = tmp_path / "cli-titles.txt"
    ids_file.write_text("\n".join(share_cli) + "\n", encoding="utf-8")
    env = cli_env(neo4j.uri, tmp_path / "cache", fake_s2, CITEKB_API_KEY=KEY)
    with ExitStack() as stack:
        (a, _), (b, _) = (
            stack.enter_context(serving(env, tmp_path / f"serve-{n}.log")) for n in "ab"
        )
        watch = stack.enter_context(LeaseWatch(session_driver, db))
        job_a = _post(a, LOAD, {"titles": share_a})["loadPapers"]["id"]
        job_b = _post(b, LOAD, {"titles": share_b})["loadPapers"]["id"]
        # One of the two holds the graph; the other waits and says why.
        wait_for(
            lambda: {_job(a, job_a)["status"], _job(b, job_b)["status"]} == {"RUNNING", "QUEUED"},
            "one job running and the other queued",
            60,
        )
        queued_base, queued_id = (a, job_a) if _job(a, job_a)["status"] == "QUEUED" else (b, job_b)
        wait_for(lambda: bool(_job(queued_base, queued_id)["messages"]), "the waiting note", 30)
        note = " ".join(_job(queued_base, queued_id)["messages"])
        assert "the graph is being written by API job" in note, note
        assert "waits" in note
        # A load from the command line meanwhile: refused at once, with the reason.
        refused = citekb(["load", str(ids_file), "--no-analytics"], env)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        said = " ".join((refused.stdout + refused.stderr).split())
        assert "the graph is being written by API job" in said, said
        assert "--wait" in said
        # Waiting for its turn, it runs after the jobs.
        waited = citekb(["load", str(ids_file), "--no-analytics", "--wait", "300"], env, 400)
        assert waited.returncode in (0, 3), waited.stdout + waited.stderr
        wait_for(
            lambda: all(_job(x, j)["finishedAt"] for x, j in ((a, job_a), (b, job_b))),
            "both jobs to finish",
            300,
        )
        jobs = [_job(a, job_a), _job(b, job_b)]
    assert [j["status"] for j in jobs] == ["SUCCEEDED", "SUCCEEDED"], jobs
    # Exactly one writer at a time: the jobs' write periods do not overlap ...
    first, second = sorted(jobs, key=lambda j: j["startedAt"])
    assert first["finishedAt"] <= second["startedAt"], jobs
    # ... and the lease passed from holder to holder, never back to an earlier one.
    holders = [h for h in watch.holders if h is not None]
    assert len(holders) == len(set(holders)) == 3, watch.holders
    assert sum(h.startswith("citekb load") for h in holders) == 1, holders
    # Nothing lost: every writer's papers are in the graph.
    wanted = share_a + share_b + share_cli
    assert _titles_in_graph(session_driver, db, wanted) == set(wanted)


def _stored_status(driver: Driver, db: str, job_id: str) -> str | None:
    records, _, _ = driver.execute_query(
        "MATCH (j:Job {id: $id}) RETURN j.status AS s", id=job_id, database_=db
    )
    return records[0]["s"] if records else None


def test_a_job_left_running_by_a_killed_worker_is_failed_on_restart(
    neo4j: Neo4jHandle, session_driver: Driver, fake_s2: str, tmp_path: Path
) -> None:
    db = neo4j.settings.neo4j_database
    graph_store.clear_data(session_driver, db)
    env = cli_env(neo4j.uri, tmp_path / "cache", fake_s2, CITEKB_API_KEY=KEY)
    with serving(env, tmp_path / "serve-1.log") as (base, proc):
        job_id = _post(base, LOAD, {"titles": _titles()[20:30]})["loadPapers"]["id"]
        # The API reports RUNNING a moment before Neo4j stores it: wait for the
        # stored state, which is what a restart finds (a kill in between leaves
        # it QUEUED, which the restart also fails, but this test is about RUNNING).
        wait_for(
            lambda: _stored_status(session_driver, db, job_id) == "RUNNING", "the job to run", 60
        )
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown: the job stays RUNNING in Neo4j
        proc.wait()
    assert _stored_status(session_driver, db, job_id) == "RUNNING"
    assert read_lease(session_driver, db)["token"] == job_id
    started = time.monotonic()
    with serving(env, tmp_path / "serve-2.log") as (base, _):
        job = _job(base, job_id)
        assert job["status"] == "FAILED", job
        assert any("stopped before it finished" in e for e in job["errors"]), job
        # Its lease was freed with it: a new job runs now, not after the lease's 30 s.
        again = _post(base, LOAD, {"titles": _titles()[20:22]})["loadPapers"]["id"]
        wait_for(lambda: _job(base, again)["status"] != "QUEUED", "the next job to start", 60)
        assert time.monotonic() - started < 30 + 120  # startup included, no lease wait
        assert not any("being written" in m for m in _job(base, again)["messages"])
        wait_for(lambda: bool(_job(base, again)["finishedAt"]), "the next job to finish", 120)


def test_lease_is_exclusive_lapses_and_is_taken_over_from_a_dead_process(
    neo4j: Neo4jHandle, session_driver: Driver
) -> None:
    db = neo4j.settings.neo4j_database
    first = WriterLease(session_driver, db, "first writer", ttl_s=1.0)
    second = WriterLease(session_driver, db, "second writer", ttl_s=30.0)
    assert first.try_acquire().acquired
    try:
        state = second.try_acquire()
        assert not state.acquired and state.holder == "first writer"
        with pytest.raises(WriterBusy, match="the graph is being written by first writer"):
            second.acquire(wait_s=0.2, poll_s=0.05)
        # Not renewed: it lapses after its ttl and the next writer takes over.
        time.sleep(1.2)
        taken = second.acquire(wait_s=5, poll_s=0.1)
        assert taken.acquired and taken.lapsed_token == first.token
        assert not first.try_acquire().acquired
    finally:
        second.release()
    # A holder whose process is gone (same host) is taken over at once, ttl or not.
    gone = subprocess.Popen(["true"])
    gone.wait()
    session_driver.execute_query(
        "MERGE (l:Meta {key: 'writerLease'}) SET l.token = 'dead', l.holder = 'dead writer',"
        " l.host = $host, l.pid = $pid, l.expiresAt = timestamp() + 600000",
        host=socket.gethostname(),
        pid=gone.pid,
        database_=db,
    )
    third = WriterLease(session_driver, db, "third writer")
    state = third.try_acquire()
    assert state.acquired and state.lapsed_token == "dead"
    assert third.release()
    assert read_lease(session_driver, db)["token"] is None
