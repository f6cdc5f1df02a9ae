"""The README's first command, end to end: `make run`, then a real browser.

`make run` is run as it is (db up + schema, load the sample page, analytics,
playground files, serve), pointed at the test's Neo4j through NEO4J_URI and at
a free API port; Semantic Scholar is a closed loopback port, as unreachable as
it is on the CI machines. Debian's chromium then opens the playground, runs a
query typed into it and must see the sample's 54 papers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from neo4j import Driver
from playwright.sync_api import sync_playwright

from graph_api.server import neo4j_server
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.integration.api.test_playground_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.conftest import Neo4jHandle
from tests.integration.process_support import wait_until_serving

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
QUERY = (
    "{ papers(first: 60, orderBy: {field: TITLE, direction: ASC}) { totalCount nodes { title } } }"
)


@pytest.mark.timeout(420)
def test_make_run_serves_the_sample_in_the_playground(
    driver: Driver, neo4j: Neo4jHandle, tmp_path: Path
) -> None:
    port = neo4j_server.free_port()
    env = {
        **os.environ,
        "NEO4J_URI": neo4j.uri,
        "NEO4J_USER": neo4j.settings.neo4j_user,
        "NEO4J_PASSWORD": neo4j.settings.neo4j_password.get_secret_value(),
        "API_PORT": str(port),
        "S2_BASE_URL": "http://127.0.0.1:9/graph/v1",
    }
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc, log, 360, "make run")
        output = log.read_text()
        assert "enrichment skipped" in output
        titles = sorted(ref.title or "" for ref in parse_source(SAMPLE))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(f"{base}/graphql", wait_until="load")
                editor = page.locator(".graphiql-query-editor .CodeMirror")
                editor.wait_for(state="visible", timeout=30_000)
                editor.click()
                page.keyboard.press("Control+A")
                page.keyboard.press("Delete")
                page.keyboard.type(QUERY)
                page.keyboard.press("Control+Enter")
                result = page.locator(".graphiql-response")
                result.get_by_text(titles[0], exact=False).first.wait_for(timeout=30_000)
                # CodeMirror draws only the visible lines; read its whole value.
                text = page.evaluate(
                    "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
                )
            finally:
                browser.close()
        answer = json.loads(text)
        assert "errors" not in answer, answer
        assert answer["data"]["papers"]["totalCount"] == 54
        assert sorted(n["title"] for n in answer["data"]["papers"]["nodes"]) == titles
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
