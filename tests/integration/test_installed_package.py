"""``pip install .`` (not editable) gives a working ``citekb``, without the test doubles.

The wheel is built from this checkout and installed into a fresh virtualenv;
its third-party dependencies are borrowed from the suite's own environment
(a ``.pth`` line) so the check needs no package index. The installed
``citekb`` then reads the sample page with ``load --dry-run`` and serves the
API, and ``tests`` (the fake S2 and its recorded answers) is not importable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph_api.server.neo4j_server import free_port

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("installed")
    wheels = root / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
        check=True,
        timeout=600,
    )
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies from the suite's environment; a .pth in a path added this way is
    # not processed, so the suite's editable citekb does not leak in.
    Path(site, "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (wheel,) = wheels.glob("citekb-*.whl")
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    yield venv


def test_installed_package_has_no_test_doubles(installed: Path) -> None:
    py = installed / "bin" / "python"
    probe = (
        "import graph_api, loaders, cypher, importlib.util as u;"
        "print(graph_api.__file__);"
        "print(u.find_spec('tests') is None, u.find_spec('loaders.fake_s2') is None);"
        # The importer's entry point is compiled from this source on first use.
        "from graph_api.server import import_launcher;"
        "print(b'class FullImport' in import_launcher.source())"
    )
    out = subprocess.run(
        [str(py), "-c", probe], check=True, capture_output=True, text=True, cwd="/"
    ).stdout.split()
    assert "site-packages" in out[0] and str(REPO) not in out[0]
    assert out[1:] == ["True", "True", "True"]


def test_installed_citekb_reads_the_sample_and_serves(installed: Path, tmp_path: Path) -> None:
    citekb = installed / "bin" / "citekb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J", "API_"))}
    dry = subprocess.run(
        [str(citekb), "load", str(SAMPLE), "--dry-run", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert len([line for line in dry.stdout.splitlines() if line.startswith("{")]) == 54

    port = free_port()
    # Neo4j on a closed port: the API still answers; /healthz says the database is down.
    env |= {"API_PORT": str(port), "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}"}
    server = subprocess.Popen(
        [str(citekb), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": "{ __typename }"},
                    timeout=5,
                )
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "citekb serve did not start within 60 s"
                time.sleep(0.5)
        body = answer.json()
        assert body["data"] == {"__typename": "Query"} and "errors" not in body
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["neo4j"] == "down"
    finally:
        server.terminate()
        server.wait(timeout=30)
