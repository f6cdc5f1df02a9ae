"""``citekb load`` as a real process: S2 unreachable, and SIGKILL mid-load then resume.

The fake S2 runs as its own server process (``python -m tests.fakes.fake_s2``)
serving a synthetic corpus around the sample page's titles, with latency so
that a load takes a few seconds and can be killed part-way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from neo4j import Driver

from graph_api.server import neo4j_server
from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import graph_counts, graph_dump
from loaders.pipeline import EXIT_OK, EXIT_PARTIAL
from tests.conftest import REPO
from tests.integration.process_support import kill_9_when

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
CITEKB = [sys.executable, "-m", "graph_api.cli.main"]
# 54 title matches + 1 details batch + 54 reference and 54 citation pages + 1 author batch.
SAMPLE_REQUESTS = 164


def cli_env(settings: Settings, cache: Path, s2_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "NEO4J_URI": str(settings.neo4j_uri),
            "NEO4J_USER": settings.neo4j_user,
            "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
            "NEO4J_DATABASE": settings.neo4j_database,
            "CITEKB_CACHE_DIR": str(cache),
            "S2_BASE_URL": s2_url,
            "S2_RATE_LIMIT": "0",
            "COLUMNS": "160",
        }
    )
    env.pop("S2_API_KEY", None)
    env.update(extra)
    return env


def citekb(
    args: list[str], env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CITEKB, *args],
        check=False,
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def fake_s2_server() -> Iterator[str]:
    """A fake S2 server process around the sample's titles, 20 ms per request."""
    port = neo4j_server.free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.fake_s2",
            "--port",
            str(port),
            "--corpus",
            f"titles:{SAMPLE}",
            "--latency-ms",
            "20",
            "--no-replay",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{root}/_fake/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"fake S2 did not start: {err.decode()[-2000:]}")
        time.sleep(0.2)
    try:
        yield root
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fake_requests(root: str) -> int:
    return len(httpx.get(f"{root}/_fake/requests", timeout=10).json())


def clear(driver: Driver, settings: Settings) -> None:
    graph_store.clear_data(driver, settings.neo4j_database)


def test_s2_unreachable_loads_the_54_papers_and_says_enrichment_was_skipped(
    driver: Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    closed = neo4j_server.free_port()  # nothing listens there
    env = cli_env(neo4j_settings, tmp_path / "cache", f"http://127.0.0.1:{closed}/graph/v1")
    started = time.monotonic()
    proc = citekb(["load", str(SAMPLE)], env)
    took = time.monotonic() - started
    out = proc.stdout + proc.stderr
    assert proc.returncode == EXIT_PARTIAL, out
    assert "enrichment skipped" in " ".join(out.split())
    assert f"citekb load {SAMPLE}" in " ".join(out.split())
    assert "--offline" in out
    counts = graph_counts(driver, database=neo4j_settings.neo4j_database)
    assert counts["papers"] == 54
    assert counts["cites"] == 0
    assert counts["submitted"] > 0 and counts["hasTopic"] > 0
    # No waiting through the client's backoff: the host probe answers at once.
    assert took < 60, took

    # --json prints the summary as one object.
    proc = citekb(["load", str(SAMPLE), "--json", "--no-analytics"], env)
    assert proc.returncode == EXIT_PARTIAL
    summary = json.loads(proc.stdout)
    assert summary["enrichment"] == "skipped"
    assert summary["placeholdersWritten"] == 54
    assert summary["nodesCreated"] == 0
    assert summary["s2Requests"] == 0


def test_killed_load_resumes_to_the_same_graph_as_an_uninterrupted_one(
    driver: Driver, neo4j_settings: Settings, fake_s2_server: str, tmp_path: Path
) -> None:
    db = neo4j_settings.neo4j_database
    s2_url = fake_s2_server + "/graph/v1"
    args = ["load", str(SAMPLE), "--no-analytics"]

    # The reference: one uninterrupted load into an empty graph.
    env = cli_env(neo4j_settings, tmp_path / "cache-a", s2_url)
    proc = citekb(args, env)
    assert proc.returncode == EXIT_OK, proc.stdout + proc.stderr
    reference = graph_dump(driver, database=db)
    assert any(r["type"] == "CITES" for r in reference["relationships"])

    # Killed part-way (writes every ~0.2 s, so some edges are already in).
    clear(driver, neo4j_settings)
    httpx.post(f"{fake_s2_server}/_fake/reset", timeout=10)
    env = cli_env(neo4j_settings, tmp_path / "cache-b", s2_url, LOAD_FLUSH_INTERVAL_S="0.2")
    kill_9_when(args, env, lambda: fake_requests(fake_s2_server) >= 120, within_s=120)
    sent_before_kill = fake_requests(fake_s2_server)
    assert sent_before_kill < SAMPLE_REQUESTS
    partial = graph_dump(driver, database=db)
    partial_cites = sum(1 for r in partial["relationships"] if r["type"] == "CITES")
    reference_cites = sum(1 for r in reference["relationships"] if r["type"] == "CITES")
    assert 0 < partial_cites < reference_cites

    # The rerun replays the cached answers and fetches only the rest.
    proc = citekb(args, env)
    assert proc.returncode == EXIT_OK, proc.stdout + proc.stderr
    resent = fake_requests(fake_s2_server) - sent_before_kill
    assert resent <= SAMPLE_REQUESTS - sent_before_kill + 1
    assert graph_dump(driver, database=db) == reference
