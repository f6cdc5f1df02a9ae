"""A real headless Chromium uses the playground of a real `citekb serve`.

The server runs as a subprocess (uvicorn, as in production) against the test
Neo4j holding the synthetic graph; Debian's chromium is driven with
Playwright. Nothing comes from the internet: GraphiQL's files are served by
citekb itself (fetched from the npm registry into the cache when missing).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from graph_api.server import playground
from graph_api.settings import Settings
from tests.integration.api.api_graph import PAPERS, most_cited_order
from tests.integration.process_support import citekb_serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
QUERY = "{ papers(first: 3) { totalCount nodes { title } } }"


@pytest.fixture(scope="module")
def served(synth_graph: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`citekb serve` on a free port; yields its base URL."""
    playground.install_assets(synth_graph)  # no-op when the cache has them
    with citekb_serve(synth_graph, tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base


def test_playground_renders_and_runs_a_typed_query(served: str) -> None:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    expected = [PAPERS[i].title for i in most_cited_order(list(range(len(PAPERS))))[:3]]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(f"{served}/graphql", wait_until="load")
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            editor.wait_for(state="visible", timeout=30_000)
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            page.keyboard.type(QUERY)
            typed = page.evaluate(
                "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()"
            )
            assert " ".join(typed.split()) == QUERY
            page.keyboard.press("Control+Enter")
            result = page.locator(".graphiql-response")
            for title in expected:
                result.get_by_text(title, exact=False).first.wait_for(timeout=30_000)
            text = result.inner_text()
            assert f'"totalCount": {len(PAPERS)}' in text
            assert "errors" not in text
            assert not failed, failed  # every asset came from the server itself
        finally:
            browser.close()
