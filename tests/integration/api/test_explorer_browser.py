"""Headless Chromium uses ``/explore`` of a real ``citekb serve`` on two corpora.

1. **sample**: the sample Daily Papers page loaded through the real pipeline
   from a fake S2 serving a SYNTHETIC corpus around its 54 titles;
2. **synthetic-2000**: ``citekb synth --papers 2000`` bulk-loaded (SYNTHETIC).

Both get ``citekb analytics``' stored scores. On each, the browser searches for
a paper, clicks the hit, opens the lineage, similar and community views, and
for each checks that the nodes and edges Cytoscape drew are exactly those the
GraphQL API returns for the same query and variables (asked again by the test
itself); it clicks a drawn node and sees its details, then adds it as an
origin and sees a two-origin similarity map. In the lineage it clicks a paper
linked to the root and sees the citations between them, with the citing
sentences the API returns (the sample's fake S2 gives about half of its
citations SYNTHETIC sentences; the synthetic corpus has none, and the panel
says so). Then each view is drawn again by sigma.js (WebGL, which the page
uses above 150 papers; forced here with ``?renderer=sigma`` as the served API
caps views at 100), checked the same way, and a node clicked in it. One
screenshot per view and renderer is kept in the test's folder, and copied to
``$CITEKB_SCREENSHOTS_DIR`` when that is set (how ``docs/screenshots/`` was made).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver
from playwright.sync_api import Page, sync_playwright

from graph_api.server import explorer, playground
from graph_api.settings import Settings
from graph_api.store import graph_store
from graph_api.store.analytics_store import compute_and_store
from loaders.bulk_load import load_datasets_dir
from loaders.pipeline import run_load
from loaders.s2_client import S2Client
from loaders.sources import parse_source
from loaders.synth import SynthConfig, generate
from tests.conftest import REPO
from tests.fakes.fake_s2 import BASE_PATH, FakeS2
from tests.fakes.fake_s2_corpus import corpus_from_titles
from tests.integration.api.test_playground_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.conftest import Neo4jHandle
from tests.integration.process_support import citekb_serve

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
VIEWS = ("lineage", "similar", "community")


def load_sample(driver: Driver, settings: Settings, cache: Path) -> None:
    refs = parse_source(SAMPLE)
    fake = FakeS2(corpus_from_titles(refs, seed=0), replay_recorded=False)
    s2 = settings.model_copy(
        update={
            "s2_base_url": "http://fake-s2.test" + BASE_PATH,
            "s2_api_key": None,
            "s2_rate_limit": 0.0,
            "citekb_cache_dir": cache,
        }
    )

    async def run() -> None:
        transport = httpx.ASGITransport(app=fake)
        async with S2Client(s2.s2_config(), transport=transport) as client:
            await run_load(
                refs, driver=driver, database=settings.neo4j_database, client=client, depth=1
            )

    asyncio.run(run())


def load_synthetic(driver: Driver, settings: Settings, folder: Path) -> None:
    generate(SynthConfig(papers=2000, seed=7), folder)
    load_datasets_dir(driver, folder, settings.neo4j_database)


@pytest.fixture(scope="module", params=["sample", "synthetic-2000"])
def served(
    request: pytest.FixtureRequest,
    session_driver: Driver,
    neo4j: Neo4jHandle,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str]]:
    """(corpus name, base URL of `citekb serve` over it with stored analytics)."""
    settings = neo4j.settings
    db = settings.neo4j_database
    work = tmp_path_factory.mktemp(request.param)
    graph_store.clear_data(session_driver, db)
    if request.param == "sample":
        load_sample(session_driver, settings, work / "s2-cache")
    else:
        load_synthetic(session_driver, settings, work / "corpus")
    compute_and_store(session_driver, db)
    for bundle in (playground.GRAPHIQL, explorer.EXPLORER):
        playground.install_assets(settings, bundle=bundle)  # no-op when cached
    with citekb_serve(settings, work / "serve.log") as base:
        yield request.param, base


def graphql(base: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
    ).json()
    assert "errors" not in body, body
    return dict(body["data"])


def wait_drawn(page: Page, view: str, after: int) -> None:
    """Until a drawing newer than ``after`` of ``view`` is on screen (or an error shows)."""
    page.wait_for_function(
        """([view, after]) => {
            const g = document.getElementById('graph');
            return (window.citekbExplorer.state.drawing > after && g.dataset.state === 'drawn'
                    && g.dataset.view === view) || g.dataset.state === 'error';
        }""",
        arg=[view, after],
        timeout=60_000,
    )
    state = page.evaluate("document.getElementById('graph').dataset.state")
    assert state == "drawn", page.locator("#status").inner_text()


def drawing_count(page: Page) -> int:
    return int(page.evaluate("window.citekbExplorer.state.drawing"))


def expected_graph(base: str, page: Page) -> tuple[set[str], set[tuple[str, str]]]:
    """Nodes and edges of the last graph query, asked again of the API by the test."""
    name, variables = page.evaluate(
        "[window.citekbExplorer.state.last.name, window.citekbExplorer.state.last.variables]"
    )
    query = page.evaluate(f"window.citekbExplorer.queries[{name!r}]")
    data = graphql(base, query, variables)
    if name == "lineage":
        g = data["lineage"]
        return {n["paperId"] for n in g["nodes"]}, {(e["citing"], e["cited"]) for e in g["edges"]}
    if name == "similar":
        g = data["similarityGraph"]
        return {n["paperId"] for n in g["nodes"]}, {(e["source"], e["target"]) for e in g["edges"]}
    g = data["communityGraph"]
    return {n["paperId"] for n in g["nodes"]}, {(e["citing"], e["cited"]) for e in g["edges"]}


def assert_drawn_matches(base: str, page: Page) -> tuple[set[str], set[tuple[str, str]]]:
    nodes, edges = expected_graph(base, page)
    drawn = page.evaluate("window.citekbExplorer.drawn()")
    assert set(drawn["nodes"]) == nodes
    assert len(drawn["edges"]) == len(edges)
    assert {(a, b) for a, b in drawn["edges"]} == edges
    assert len(nodes) > 1 and edges, "a view worth drawing has papers and links"
    return nodes, edges


def click_node(page: Page, paper_id: str) -> None:
    """Click the drawn paper where it is on screen and wait for its details."""
    pos = page.evaluate(f"window.citekbExplorer.nodePosition({paper_id!r})")
    assert pos is not None, paper_id
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_function(
        f"document.getElementById('details').dataset.loaded === {paper_id!r}"
        f" && document.getElementById('details-contexts').dataset.loaded === {paper_id!r}",
        timeout=30_000,
    )


def linked_with_contexts(base: str, root: str) -> dict[str, list[str]]:
    """Papers citing or cited by ``root`` -> the citing sentences of that citation."""
    query = """query($id: ID!) { paper(id: $id) {
      references(first: 100) { edges { node { paperId } contexts { text } } }
      citations(first: 100) { edges { node { paperId } contexts { text } } } } }"""
    paper = graphql(base, query, {"id": root})["paper"]
    found: dict[str, list[str]] = {}
    for side in ("references", "citations"):
        for edge in paper[side]["edges"]:
            found.setdefault(edge["node"]["paperId"], []).extend(
                c["text"] for c in edge["contexts"]
            )
    return found


def check_contexts_shown(
    base: str, page: Page, clicked: str, root: str, sentences: list[str]
) -> None:
    """The details panel shows the citations between ``clicked`` and ``root`` as the API
    returns them, each citing sentence included."""
    links = graphql(
        base,
        page.evaluate("window.citekbExplorer.queries.contexts"),
        {"id": clicked, "others": [root]},
    )["citationsBetween"]
    assert links, "the clicked paper and the root cite each other"
    shown = page.locator("#details-contexts .citation")
    assert shown.count() == len(links)
    texts = page.locator("#details-contexts blockquote.context").all_inner_texts()
    assert len(texts) == sum(len(link["contexts"]) for link in links) == len(sentences)
    for sentence in sentences:
        assert any(t.startswith(sentence) for t in texts), (sentence, texts)
    if not sentences:
        assert "no citing sentence" in page.locator("#details-contexts").inner_text()


def pick_linked(page: Page, base: str, root: str) -> tuple[str, list[str]]:
    """A drawn paper linked to ``root`` (one with citing sentences when there is one),
    the easiest of those to click, and its sentences."""
    linked = linked_with_contexts(base, root)
    drawn = set(page.evaluate("window.citekbExplorer.drawn()")["nodes"])
    with_text = [p for p in linked if p in drawn and linked[p]]
    candidates = with_text or [p for p in linked if p in drawn]
    assert candidates, "the lineage draws papers linked to its root"
    clicked = page.evaluate("([root, among]) => window.citekbExplorer.loneliestNode(root, among)",
                            [root, candidates])  # fmt: skip
    assert clicked is not None
    return str(clicked), linked[clicked]


def keep(shot: Path, corpus: str, view: str) -> None:
    target = os.environ.get("CITEKB_SCREENSHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / f"explorer-{corpus}-{view}.png")


def test_explorer_search_views_and_details(served: tuple[str, str], tmp_path: Path) -> None:
    corpus, base = served
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    # The paper to look for: the most cited seed of the sample, the most cited synthetic paper.
    where = "where: { isSeed: true }, " if corpus == "sample" else ""
    top = graphql(
        base, f"{{ papers({where}first: 1) {{ nodes {{ paperId title community {{ id }} }} }} }}"
    )
    target = top["papers"]["nodes"][0]
    assert target["community"] is not None
    words = " ".join(target["title"].replace(":", " ").split()[:5])

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            failed: list[str] = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(f"{base}{explorer.PAGE_ROUTE}", wait_until="load")
            page.fill("#search-input", words)
            page.press("#search-input", "Enter")
            hit = page.locator(f'#results .hit[data-paper-id="{target["paperId"]}"]')
            hit.wait_for(timeout=30_000)
            before = drawing_count(page)
            hit.click()
            for view in VIEWS:
                if view != "lineage":
                    before = drawing_count(page)
                    page.click(f'#views button[data-view="{view}"]')
                wait_drawn(page, view, before)
                nodes, _ = assert_drawn_matches(base, page)
                assert target["paperId"] in nodes
                shot = tmp_path / f"explorer-{corpus}-{view}.png"
                page.screenshot(path=str(shot))
                keep(shot, corpus, view)

            # Click a drawn paper (in the community view): its details show.
            other = page.evaluate(f"window.citekbExplorer.loneliestNode({target['paperId']!r})")
            assert other is not None
            click_node(page, other)
            title = graphql(base, "query($id: ID!) { paper(id: $id) { title } }", {"id": other})
            assert page.locator("#details-title").inner_text() == title["paper"]["title"]
            assert page.locator("#details-meta").inner_text()

            # Add it as a second origin: a similarity map around both.
            before = drawing_count(page)
            page.click("#add-origin")
            wait_drawn(page, "similar", before)
            seeds = page.evaluate("window.citekbExplorer.state.last.variables.seeds")
            assert seeds == [target["paperId"], other]
            nodes, _ = assert_drawn_matches(base, page)
            assert {target["paperId"], other} <= nodes

            # Re-centre on it: the lineage is now about the clicked paper.
            before = drawing_count(page)
            page.click('#views button[data-view="lineage"]')
            wait_drawn(page, "lineage", before)
            before = drawing_count(page)
            page.click("#recentre")
            wait_drawn(page, "lineage", before)
            assert page.evaluate("window.citekbExplorer.state.last.variables.id") == other
            assert_drawn_matches(base, page)

            # In the lineage, a paper linked to the root: the citations between them and
            # their citing sentences show in its details.
            clicked, sentences = pick_linked(page, base, other)
            click_node(page, clicked)
            check_contexts_shown(base, page, clicked, other, sentences)
            if corpus == "sample":
                assert sentences, "the sample's fake S2 gives the root's citations sentences"
                shot = tmp_path / f"explorer-{corpus}-details.png"
                page.screenshot(path=str(shot))
                keep(shot, corpus, "details")

            # The same views drawn by sigma.js (WebGL), checked the same way.
            root = target["paperId"]
            for view in VIEWS:
                sg = browser.new_page(viewport={"width": 1400, "height": 860})
                sg.on("requestfailed", lambda r: failed.append(r.url))
                url = f"{base}{explorer.PAGE_ROUTE}?paper={root}&view={view}&renderer=sigma"
                sg.goto(url, wait_until="load")
                wait_drawn(sg, view, 0)
                assert sg.evaluate("document.getElementById('graph').dataset.renderer") == "sigma"
                # WebGL (SwiftShader here) painted the nodes and the links.
                painted = sg.evaluate("window.citekbExplorer.paintedPixels()")
                assert painted["nodes"] > 0 and painted["edges"] > 0, painted
                nodes, _ = assert_drawn_matches(base, sg)
                assert root in nodes
                shot = tmp_path / f"explorer-{corpus}-{view}-sigma.png"
                sg.screenshot(path=str(shot))
                keep(shot, corpus, f"{view}-sigma")
                if view == "lineage":
                    # A click on a WebGL-drawn node opens its details and contexts.
                    clicked, sentences = pick_linked(sg, base, root)
                    click_node(sg, clicked)
                    title = graphql(
                        base, "query($id: ID!) { paper(id: $id) { title } }", {"id": clicked}
                    )
                    assert sg.locator("#details-title").inner_text() == title["paper"]["title"]
                    check_contexts_shown(base, sg, clicked, root, sentences)
                sg.close()
            assert not failed, failed  # every file came from citekb itself
        finally:
            browser.close()
