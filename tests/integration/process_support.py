"""Real processes for the reliability tests: the fake S2 server, ``citekb`` commands.

Every process listens on 127.0.0.1 only, on a free port, and is stopped by
the context manager that started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from graph_api.server import neo4j_server
from graph_api.settings import Settings
from tests.conftest import REPO

CITEKB = [sys.executable, "-m", "graph_api.cli.main"]


class ProcessFailed(RuntimeError):
    """A helper process did not start."""


def wait_for(condition: Callable[[], bool], what: str, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)


def wait_until_serving(
    base: str, proc: subprocess.Popen[bytes], log: Path, within_s: float, what: str
) -> None:
    """Wait for ``base``/healthz to answer 200; fail with the log's tail if ``proc`` dies first."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise ProcessFailed(f"{what} did not end up serving:\n{log.read_text()[-4000:]}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def settings_env(settings: Settings) -> dict[str, str]:
    """This process's environment plus what points a `citekb` child at ``settings``' Neo4j."""
    assert settings.neo4j_uri is not None
    return {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
        "CITEKB_CACHE_DIR": str(settings.citekb_cache_dir),
    }


@contextmanager
def citekb_serve(settings: Settings, log: Path, **extra: str) -> Iterator[str]:
    """`citekb serve` (uvicorn, one worker) on a free port against ``settings``' Neo4j and
    cache, as in production; ``extra`` adds settings. Yields its base URL and stops it
    afterwards."""
    port = neo4j_server.free_port()
    env = {**settings_env(settings), **extra}
    cli = Path(sys.executable).with_name("citekb")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc, log, 60, "citekb serve")
        yield base
    finally:
        stop(proc)


@contextmanager
def fake_s2_process(
    corpus: str,
    log: Path,
    *,
    latency_ms: int = 0,
    module: str = "tests.fakes.fake_s2",
    extra: tuple[str, ...] = (),
) -> Iterator[str]:
    """``python -m tests.fakes.fake_s2`` serving ``corpus``; yields its root URL.

    ``module="tests.fakes.fake_openalex"`` serves the fake OpenAlex beside the
    fake S2 for the same corpus (``extra``: its own options).
    """
    port = neo4j_server.free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", module, "--port", str(port)),
                *("--corpus", corpus, "--latency-ms", str(latency_ms), "--no-replay"),
                *extra,
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    root = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if proc.poll() is not None:
            raise ProcessFailed(f"fake S2 exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            return httpx.get(f"{root}/_fake/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, "the fake S2 to answer", 60)
        yield root
    finally:
        stop(proc)


def fake_requests(root: str) -> int:
    return len(httpx.get(f"{root}/_fake/requests", timeout=10).json())


def cli_env(uri: str, cache: Path, s2_root: str | None, **extra: str) -> dict[str, str]:
    """The environment of a ``citekb`` process against ``uri`` and the fake S2 at ``s2_root``."""
    base = Settings()
    env = dict(os.environ)
    env.update(
        {
            "NEO4J_URI": uri,
            "NEO4J_USER": base.neo4j_user,
            "NEO4J_PASSWORD": base.neo4j_password.get_secret_value(),
            "CITEKB_CACHE_DIR": str(cache),
            "S2_RATE_LIMIT": "0",
            "COLUMNS": "200",
        }
    )
    if s2_root is not None:
        env["S2_BASE_URL"] = s2_root + "/graph/v1"
    for name in ("S2_API_KEY", "CITEKB_API_KEY"):
        env.pop(name, None)
    env.update(extra)
    return env


def citekb(
    args: list[str], env: dict[str, str], timeout_s: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CITEKB, *args],
        check=False,
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def kill_9_when(
    args: list[str], env: dict[str, str], ready: Callable[[], bool], within_s: float
) -> None:
    """Run ``citekb args`` and SIGKILL it once ``ready()``; fails if it ends first."""
    victim = subprocess.Popen(
        [*CITEKB, *args], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + within_s
        while not ready():
            assert victim.poll() is None, "the load finished before it could be killed"
            assert time.monotonic() < deadline, "timed out waiting to kill the load"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
