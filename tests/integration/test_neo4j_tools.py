"""Neo4j's own tools against the test server: Browser on its HTTP port, cypher-shell, the REPL.

The Browser test needs the session server to be ours (a local server started
with the Browser jar from Maven Central); with ``NEO4J_URI`` or
testcontainers the server is someone else's and the check is the Docker
image's business, so it is reported, not skipped silently.
"""

from __future__ import annotations

import subprocess
import sys

import httpx

from graph_api.settings import Settings
from tests.integration.conftest import Neo4jHandle
from tests.integration.process_support import settings_env

CITEKB = [sys.executable, "-m", "graph_api.cli.main"]


def shell(settings: Settings, args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**settings_env(settings), "COLUMNS": "200"}
    return subprocess.run(
        [*CITEKB, "db", "shell", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # the first run fetches cypher-shell's jars
        check=False,
    )


def test_neo4j_browser_is_served_on_the_http_port(neo4j: Neo4jHandle) -> None:
    assert neo4j.how == "local", f"the session server is {neo4j.how}'s; Browser not checked here"
    base = f"http://127.0.0.1:{neo4j.settings.neo4j_http_port}"
    page = httpx.get(f"{base}/browser/", timeout=30, follow_redirects=True)
    assert page.status_code == 200, page.text[:300]
    assert "<title>Neo4j Browser</title>" in page.text
    # Its scripts come from the same server (no CDN).
    discovery = httpx.get(base, timeout=30, headers={"accept": "application/json"}).json()
    assert discovery["bolt_direct"].startswith("bolt://")


def test_cypher_shell_answers(neo4j_settings: Settings) -> None:
    done = shell(neo4j_settings, ["--format", "plain"], "RETURN 40 + 2 AS answer;\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["answer", "42"]
    assert "unavailable" not in done.stderr  # cypher-shell itself ran, not the fallback


def test_driver_repl_runs_statements_and_reports_errors(neo4j_settings: Settings) -> None:
    script = "// a comment\nUNWIND range(1, 3) AS i\nRETURN i * 7 AS seven;\nRETURN nope;\n"
    done = shell(neo4j_settings, ["--driver"], script)
    assert done.returncode == 1  # one statement failed
    out = done.stdout
    for value in ("seven", "7", "14", "21", "3 rows"):
        assert value in out
    assert "error:" in out and "nope" in out
