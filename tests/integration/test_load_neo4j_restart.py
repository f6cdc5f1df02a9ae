"""Neo4j killed and restarted under a running ``citekb load``: no loss, no duplicates.

Real processes only: a dedicated throwaway Neo4j (its own home and ports, so
the session's server and the other tests are untouched), the fake S2 as a
server process (a SYNTHETIC corpus around the sample page's titles, 30 ms a
request so the load lasts a few seconds), and ``citekb load`` as a
subprocess. Neo4j is killed (SIGKILL: no clean shutdown, so the restart
also runs the store's recovery) while the load is fetching citations, kept
down until the load stalls on a write (it writes as it reads), then starts
again. Either the load rides it out
through the driver's managed-transaction retries (exit 0), or it stops with
the CLI's clear message (exit 1) and a rerun completes. Either way the graph
must equal a calm replay of the same S2 answers (``--offline`` from the
cache the faulted load filled).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph_api.server import neo4j_server
from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import graph_dump
from tests.conftest import REPO
from tests.integration.process_support import (
    CITEKB,
    citekb,
    cli_env,
    fake_requests,
    fake_s2_process,
    wait_for,
)

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
# 54 title matches + 1 details batch + 1 author batch + 54 reference and 54 citation pages.
SAMPLE_REQUESTS = 164


@pytest.fixture(scope="module")
def dedicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[neo4j_server.LocalServer]:
    """A Neo4j of this module alone, so stopping it disturbs no other test."""
    base = Settings()
    server = neo4j_server.LocalServer(
        home=tmp_path_factory.mktemp("neo4j-restart"),
        lib=neo4j_server.ensure_jars(base.neo4j_version, base.citekb_cache_dir),
        bolt_port=neo4j_server.free_port(),
        http_port=neo4j_server.free_port(),
        heap="512m",
        pagecache="64m",
        jvm_options=base.neo4j_jvm_flags,
    )
    try:
        server.start(base.neo4j_password.get_secret_value(), base.neo4j_user, 180.0)
    except neo4j_server.Neo4jUnavailable as exc:
        pytest.fail(f"no dedicated Neo4j for the restart test: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def fake_s2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("fake-s2") / "fake.log"
    with fake_s2_process(f"titles:{SAMPLE}", log, latency_ms=30) as root:
        yield root


def kill_hard(server: neo4j_server.LocalServer) -> None:
    """SIGKILL, as a crash or an OOM kill would: no clean shutdown, recovery on restart."""
    pid = server.running_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    # This process started it (LocalServer.start), so it is ours to reap.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def stalled(root: str, quiet_s: float = 1.5) -> bool:
    """No S2 request for ``quiet_s`` seconds (the load is blocked on something else)."""
    before = fake_requests(root)
    time.sleep(quiet_s)
    return fake_requests(root) == before


@pytest.mark.timeout(300)
def test_neo4j_killed_and_restarted_mid_load_loses_and_duplicates_nothing(
    dedicated: neo4j_server.LocalServer, fake_s2: str, tmp_path: Path
) -> None:
    base = Settings()
    db = base.neo4j_database
    env = cli_env(dedicated.uri, tmp_path / "cache", fake_s2, LOAD_FLUSH_INTERVAL_S="0.2")
    args = ["load", str(SAMPLE), "--no-analytics"]
    with graph_store.driver_for(base, dedicated.uri) as driver:
        graph_store.apply_schema(driver, db)
        graph_store.clear_data(driver, db)

    httpx.post(f"{fake_s2}/_fake/reset", timeout=10)
    victim = subprocess.Popen(
        [*CITEKB, *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Into the citations phase: seeds and authors are written, edges are flowing.
        wait_for(lambda: fake_requests(fake_s2) >= 80, "the load to reach its edges", 120)
        assert victim.poll() is None, "the load ended before Neo4j could be stopped"
        stopped_at = fake_requests(fake_s2)
        assert stopped_at < SAMPLE_REQUESTS
        down_at = time.monotonic()
        kill_hard(dedicated)
        # The load writes as it goes, so it soon stalls on a write to the stopped database.
        wait_for(lambda: stalled(fake_s2), "the load to wait for the database", 60)
        # By now the load either still waits inside the driver's retry window or
        # has given up with exit 1 (a slow machine outlasts the window); both are
        # checked below. Either way it stopped short of the end:
        assert fake_requests(fake_s2) < SAMPLE_REQUESTS
        dedicated.start(base.neo4j_password.get_secret_value(), base.neo4j_user, 180.0)
        downtime = time.monotonic() - down_at
        out, err = victim.communicate(timeout=180)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
    said = " ".join((out + err).split())
    print(f"Neo4j down {downtime:.1f} s; the load exited {victim.returncode}")
    if victim.returncode == 0:
        # The driver's managed transactions retried through the restart.
        assert "retried" in said, said[-3000:]
    else:
        assert victim.returncode == 1, said[-3000:]
        assert "committed batches stay, re-running the load completes it" in said
        rerun = citekb(args, env)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    with graph_store.driver_for(base, dedicated.uri) as driver:
        faulted = graph_dump(driver, database=db)
        # The calm reference: the same S2 answers replayed from the cache into an empty graph.
        graph_store.clear_data(driver, db)
        calm = citekb([*args, "--offline"], env)
        assert calm.returncode == 0, calm.stdout + calm.stderr
        reference = graph_dump(driver, database=db)
    assert any(r["type"] == "CITES" for r in reference["relationships"])
    assert faulted == reference
