"""Compiled reads (graph_api/service/compiled_reads.py) answer exactly what strawberry does.

Two apps over the same graph, both with the response cache off: the
reference runs every request through strawberry (``API_COMPILED_READS=
false``); the other answers a document's second and later requests by its
compiled plan when the document is a plain read. Each document below is sent
to both and the whole response bodies (data, errors, extensions.cost) must be
equal; ``x-citekb-path`` says which path answered, and the test checks that
plain reads did take the compiled path and everything else did not.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from graph_api.analytics import citation_paths
from graph_api.service import analytics_api, compiled_reads
from graph_api.settings import Settings
from tests.integration.api.api_graph import PAPERS, author_id
from tests.integration.api.api_support import Api, running_api
from tests.integration.api.conftest import uncached

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # bench/ runs from the checkout, like `python -m bench.api`
    sys.path.insert(0, str(ROOT))

from bench.documents import document as bench_document  # noqa: E402


@pytest.fixture(scope="module")
async def reference(analysed_graph: Settings) -> AsyncIterator[Api]:
    settings = uncached(analysed_graph).model_copy(update={"api_compiled_reads": False})
    async with running_api(settings) as harness:
        yield harness


@pytest.fixture(scope="module")
async def compiled(analysed_graph: Settings) -> AsyncIterator[Api]:
    async with running_api(uncached(analysed_graph)) as harness:
        yield harness


def _most_linked() -> list[str]:
    """Papers with references and citations, most references first (pages to walk)."""
    cited = {i for p in PAPERS for i in p.references}
    ranked = sorted(PAPERS, key=lambda p: -len(p.references))
    return [p.paper_id for p in ranked if p.references and p.index in cited]


ALL_PAPER_FIELDS = """id paperId title abstract year publicationDate venueName corpusId arxivId
  doi citationCount referenceCount influentialCitationCount tldr url openAccessPdf isSeed
  hfUpvotes synthetic enrichedAt pagerank pagerankRank pagerankPercentile __typename"""
ALL_AUTHOR_FIELDS = "id authorId name hIndex citationCount paperCount orcid openalexId __typename"

BENCH_DOCUMENTS = ("lookup", "references_authors", "citations", "top_cited")

# (name, document) -- the variables take a paper id.
PLAIN: list[tuple[str, str]] = [
    # The bench's own documents (bench/graphql/, fragments appended): the bench
    # times the compiled path, so its documents must take it.
    *((f"{name} (bench)", bench_document(name)) for name in BENCH_DOCUMENTS),
    (
        "every field",
        f"query($id: ID!) {{ paper(id: $id) {{ {ALL_PAPER_FIELDS} "
        f"authors {{ {ALL_AUTHOR_FIELDS} }} }} }}",
    ),
    (
        "every page field",
        """query($id: ID!, $first: Int) { paper(id: $id) { __typename
        references(first: $first) { __typename totalCount
          pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
          edges { __typename cursor isInfluential intents
            contexts { __typename text intents }
            node { paperId authors(first: 2) { authorId } } }
          nodes { title citationCount authors(first: 2) { name } } }
        citations(first: 3, influentialOnly: true) { totalCount
          edges { cursor node { paperId } } pageInfo { endCursor hasNextPage } } } }""",
    ),
    (
        "aliases and the same field twice",
        """query($id: ID!, $other: ID!) {
        a: paper(id: $id) { t: title paperId refs: references(first: 2) { n: totalCount }
          references(first: 2) { edges { node { title } } } }
        b: paper(id: $other) { title title y: year }
        c: paper(id: $id) { t: title } }""",
    ),
    (
        "fragments, nested and inline",
        """query($id: ID!) { paper(id: $id) { ...P ... on Paper { year } } }
        fragment P on Paper { title references(first: 3) { ...R } authors(first: 1) { ...A } }
        fragment R on CitationConnection { totalCount edges { ...E } }
        fragment E on CitationEdge { intents node { ... on Paper { title ...A2 } } }
        fragment A on Author { name }
        fragment A2 on Paper { authors(first: 1) { ...A } }""",
    ),
    (
        "variables with defaults and literal arguments",
        """query($id: ID!, $first: Int = 3, $infl: Boolean = false) { paper(id: $id) {
        references(first: $first, influentialOnly: $infl) { totalCount edges { node { title } } }
        citations(first: 2) { totalCount nodes { paperId } } } }""",
    ),
    (
        "unknown paper",
        """query($id: ID!) { paper(id: "0000000000000000000000000000000000000000")
     { title references(first: 2) { totalCount } } known: paper(id: $id) { title } }""",
    ),
    (
        "every indexed order",
        """query { a: papers(first: 5, orderBy: {field: YEAR, direction: ASC}) { totalCount
        edges { cursor node { paperId year } } pageInfo { hasNextPage endCursor startCursor } }
        b: papers(first: 4, orderBy: {field: PAGERANK}) { nodes { paperId pagerank } }
        c: papers(first: 3, orderBy: {field: CITATION_COUNT, direction: ASC}) { nodes { title } }
        d: papers(first: 3) { edges { cursor } }
        e: papers(first: 50, orderBy: {field: YEAR, direction: DESC}) { nodes { year } } }""",
    ),
    (
        "two operations, one named",
        """query Other { papers(first: 1) { totalCount } }
        query Named($id: ID!) { paper(id: $id) { title } }""",
    ),
]

# Analytics root fields: the analytics function's answer and the papers it names.
ANALYTICS: list[tuple[str, str]] = [
    (
        "lineage (bench)",
        """query Lineage($id: ID!) { lineage(id: $id, direction: ANCESTORS, depth: 3, first: 100) {
        rootId truncated nodes { paperId depth paper { title year } } edges { citing cited }
        mainPath { paperIds } } }""",
    ),
    (
        "lineage, every compiled field, both ways, influential citations",
        """query($id: ID!) { lineage(id: $id, direction: BOTH, depth: 2, first: 7,
        edges: INFLUENTIAL) { __typename rootId direction depth truncated
        nodes { __typename paperId depth relation paper { __typename id title pagerank } }
        edges { citing cited __typename } droppedCycleEdges { citing cited }
        mainPath { paperIds spc papers { paperId year } } } }""",
    ),
    (
        "lineage defaults, descendants, aliases",
        """query($id: ID!) { a: lineage(id: $id) { n: nodes { relation } }
        b: lineage(id: $id, direction: DESCENDANTS, first: 3) { nodes { paperId } truncated } }""",
    ),
    (
        "lineage of an unknown paper",
        """{ lineage(id: "0000000000000000000000000000000000000000") { rootId } }""",
    ),
    (
        "similar papers (bench)",
        """query Similar($id: ID!) { similarPapers(id: $id, method: CO_CITATION, k: 10) {
        paperId score shared paper { title } } }""",
    ),
    (
        "similar papers, every method",
        """query($id: ID!) { a: similarPapers(id: $id, method: COUPLING, k: 3) { paperId score }
        b: similarPapers(id: $id, method: ADAMIC_ADAR) { __typename shared paper { year } }
        c: similarPapers(id: "0000000000000000000000000000000000000000") { paperId } }""",
    ),
    (
        "citation path (bench)",
        """query CitationPath($id: ID!, $to: ID!) { citationPath(from: $id, to: $to, k: 3) {
        found paths { length paperIds } } }""",
    ),
    (
        "citation paths, every compiled field",
        """query($id: ID!, $to: ID!) { f: citationPath(from: $id, to: $to) { __typename sourceId
        targetId directed found message source { title } target { paperId }
        paths { length paperIds steps papers { paperId year } } }
        back: citationPath(from: $to, to: $id) { found message paths { steps } }
        either: citationPath(from: $to, to: $id, directed: false, k: 2) { found paths { steps } }
        none: citationPath(from: $id, to: "0000000000000000000000000000000000000000") {
          sourceId targetId found message paths { length } } }""",
    ),
    (
        "influential papers (bench)",
        """query Influential($topic: String!) { influentialPapers(topic: $topic, first: 10) {
        paperId score paper { title year } } }""",
    ),
    (
        "influential papers, years and no topic",
        """query { a: influentialPapers(yearFrom: 2016, yearTo: 2018, first: 4) { paperId
        __typename score } b: influentialPapers(first: 3) { paper { id citationCount } } }""",
    ),
]


# Documents the compiled path must leave to strawberry (not plain reads, or errors).
FALLBACK: list[tuple[str, str]] = [
    ("a directive", """query($id: ID!) { paper(id: $id) { title @include(if: true) } }"""),
    ("an analytics field", """query($id: ID!) { paper(id: $id) { influence { pagerank } } }"""),
    ("a filter", """query { papers(first: 2, where: {isSeed: true}) { totalCount } }"""),
    ("a title order", """query { papers(first: 2, orderBy: {field: TITLE}) { totalCount } }"""),
    (
        "an intent filter",
        """query($id: ID!) { paper(id: $id) {
        references(first: 2, intent: METHODOLOGY) { totalCount } } }""",
    ),
    (
        "first out of range",
        """query($id: ID!) { paper(id: $id) {
        references(first: 1000) { totalCount } } }""",
    ),
    (
        "a bad cursor",
        """query($id: ID!) { paper(id: $id) {
        references(first: 2, after: "nonsense") { totalCount } } }""",
    ),
    ("a bad id", """query { paper(id: "not an id at all") { title } }"""),
    ("an arXiv id", """query { paper(id: "arXiv:1706.03762") { title } }"""),
    (
        "deeper than one page",
        """query($id: ID!) { paper(id: $id) { references(first: 2) {
        nodes { references(first: 2) { totalCount } } } } }""",
    ),
    (
        "different arguments, one field",
        """query($id: ID!) { paper(id: $id) {
        a: references(first: 2) { totalCount } b: references(first: 3) { totalCount } } }""",
    ),
    ("an interface fragment", """query($id: ID!) { paper(id: $id) { ... on Node { id } } }"""),
    ("introspection", """query { __schema { queryType { name } } }"""),
    ("the root typename", """query { __typename papers(first: 1) { totalCount } }"""),
]


def _variables(doc: str, pid: str) -> dict[str, Any]:
    ancestor = PAPERS[max(0, int(next(p.index for p in PAPERS if p.paper_id == pid)) - 20)]
    values: dict[str, Any] = {
        "id": pid,
        "other": _most_linked()[-1],
        "first": 20,
        "to": ancestor.paper_id,
        "topic": "graph neural networks",
    }
    return {k: v for k, v in values.items() if f"${k}" in doc}


async def _send(api: Api, body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    # One request id on both sides: errors carry it.
    response = await api.client.post("/graphql", json=body, headers={"x-request-id": "same"})
    assert response.status_code == 200, response.text
    return response.json(), response.headers["x-citekb-path"]


async def _compare(
    reference: Api, compiled: Api, doc: str, variables: dict[str, Any], op: str | None = None
) -> tuple[dict[str, Any], str]:
    body = {"query": doc, "variables": variables, "operationName": op}
    expected, path = await _send(reference, body)
    assert path == "graphql"
    await _send(compiled, body)  # the first request of a document validates it
    got, path = await _send(compiled, body)
    assert got == expected, (doc, variables)
    # Key order too: a client may print the answer as it comes.
    assert list(got.get("data") or {}) == list(expected.get("data") or {})
    return got, path


@pytest.mark.parametrize(("name", "doc"), PLAIN, ids=[n for n, _ in PLAIN])
async def test_plain_reads_are_compiled_and_answer_like_strawberry(
    reference: Api, compiled: Api, name: str, doc: str
) -> None:
    op = "Named" if "query Named" in doc else None
    for pid in [*_most_linked()[:4], PAPERS[0].paper_id]:
        got, path = await _compare(reference, compiled, doc, _variables(doc, pid), op)
        assert path == "compiled", name
        assert "errors" not in got and got["extensions"]["cost"]["estimated"] > 0


@pytest.mark.parametrize(("name", "doc"), ANALYTICS, ids=[n for n, _ in ANALYTICS])
async def test_analytics_fields_are_compiled_and_answer_like_strawberry(
    reference: Api, compiled: Api, name: str, doc: str
) -> None:
    for pid in [*_most_linked()[:3], PAPERS[0].paper_id]:
        got, path = await _compare(reference, compiled, doc, _variables(doc, pid))
        assert path == "compiled", name
        assert "errors" not in got and got["data"]


async def test_compiled_analytics_answer_timeout_like_strawberry(
    analysed_graph: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past API_ANALYTICS_TIMEOUT_S a compiled lineage answers TIMEOUT at once, as the normal
    path does (it does not fall back and wait out a second deadline); a non-null field
    takes the whole data with it. A lineage seen before is reused, not recomputed."""
    real = analytics_api.lineage_view
    slow = {"on": False}

    def maybe_slow(*args: Any, **kwargs: Any) -> Any:
        if slow["on"]:
            time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(analytics_api, "lineage_view", maybe_slow)
    settings = uncached(analysed_graph).model_copy(update={"api_analytics_timeout_s": 0.3})
    doc = """query($id: ID!, $d: Int!) { lineage(id: $id, depth: $d) { nodes { paperId } } }"""
    pid = _most_linked()[0]
    async with (
        running_api(settings) as api,
        running_api(settings.model_copy(update={"api_compiled_reads": False})) as ref,
    ):
        await _send(api, {"query": doc, "variables": {"id": pid, "d": 1}})  # validated, warm
        await _send(ref, {"query": doc, "variables": {"id": pid, "d": 1}})
        slow["on"] = True
        for d in (2, 3):
            body = {"query": doc, "variables": {"id": pid, "d": d}}
            expected, _ = await _send(ref, body)
            started = time.perf_counter()
            got, path = await _send(api, body)
            took = time.perf_counter() - started
            assert path == "compiled" and got == expected
            assert got["data"] == {"lineage": None}
            assert got["errors"][0]["extensions"]["code"] == "TIMEOUT" and took < 0.9
        # The depth-1 lineage both computed before is reused: no slow call.
        got, path = await _send(api, {"query": doc, "variables": {"id": pid, "d": 1}})
        assert path == "compiled" and got["data"]["lineage"]["nodes"]
        non_null = """query($id: ID!, $to: ID!) { citationPath(from: $id, to: $to) { found } }"""
        monkeypatch.setattr(compiled_reads, "citation_paths", _slow(citation_paths))
        monkeypatch.setattr(analytics_api, "citation_paths", _slow(citation_paths))
        body = {"query": non_null, "variables": _variables(non_null, pid)}
        await _send(api, body)
        got, path = await _send(api, body)
        expected, _ = await _send(ref, body)
        assert path == "compiled" and got == expected and got["data"] is None


def _slow(fn: Any) -> Any:
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)
        return fn(*args, **kwargs)

    return slow


@pytest.mark.parametrize(("name", "doc"), FALLBACK, ids=[n for n, _ in FALLBACK])
async def test_everything_else_falls_back_to_strawberry(
    reference: Api, compiled: Api, name: str, doc: str
) -> None:
    _, path = await _compare(reference, compiled, doc, _variables(doc, _most_linked()[0]))
    assert path == "graphql", name


async def test_paging_with_cursors_matches_page_by_page(reference: Api, compiled: Api) -> None:
    doc = """query($id: ID!, $after: String) { paper(id: $id) {
      references(first: 2, after: $after) { totalCount edges { cursor node { paperId } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } } }"""
    pid = _most_linked()[0]
    after, seen, paths = None, [], set()
    while True:
        got, path = await _compare(reference, compiled, doc, {"id": pid, "after": after})
        paths.add(path)
        page = got["data"]["paper"]["references"]
        seen += [e["node"]["paperId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paths == {"compiled"}
    assert len(seen) == len(set(seen)) == page["totalCount"] > 2


async def test_papers_pages_walk_every_order_like_strawberry(reference: Api, compiled: Api) -> None:
    doc = """query($after: String, $order: PaperOrder) { papers(first: 7, after: $after,
      orderBy: $order) { edges { cursor node { paperId } } pageInfo { hasNextPage endCursor } } }"""
    for order in ({"field": "CITATION_COUNT"}, {"field": "YEAR", "direction": "ASC"},
                  {"field": "PAGERANK", "direction": "DESC"}):  # fmt: skip
        after, count = None, 0
        while True:
            got, path = await _compare(reference, compiled, doc, {"after": after, "order": order})
            assert path == "compiled"
            page = got["data"]["papers"]
            count += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert count == len(PAPERS), order


async def test_variable_errors_and_refusals_keep_their_answers(
    reference: Api, compiled: Api
) -> None:
    doc = """query($id: ID!, $first: Int) { paper(id: $id) {
      references(first: $first) { edges { node { authors(first: 100) { name } } } } } }"""
    pid = _most_linked()[0]
    for variables in ({"id": pid, "first": "two"}, {"first": 2}, {"id": pid, "first": 100}):
        got, path = await _compare(reference, compiled, doc, variables)
        assert path == "graphql" and got["errors"], variables
    # The same document within bounds is compiled (the refusal came from the values).
    _, path = await _compare(reference, compiled, doc, {"id": pid, "first": 3})
    assert path == "compiled"


async def test_a_global_id_is_compiled_and_an_author_id_is_not_a_paper(
    reference: Api, compiled: Api
) -> None:
    doc = """query($id: ID!) { paper(id: $id) { id paperId title } }"""
    got, _ = await _compare(reference, compiled, doc, {"id": _most_linked()[0]})
    global_id = got["data"]["paper"]["id"]
    _, path = await _compare(reference, compiled, doc, {"id": global_id})
    assert path == "compiled"
    author_global = (await reference.data(
        "query($id: ID!) { author(id: $id) { id } }", {"id": author_id(0)}
    ))["author"]["id"]  # fmt: skip
    got, path = await _compare(reference, compiled, doc, {"id": author_global})
    assert path == "graphql" and got["errors"]


async def test_a_compiled_read_runs_one_statement(compiled: Api) -> None:
    doc = """query($id: ID!) { paper(id: $id) { title authors(first: 2) { name }
      references(first: 5) { totalCount edges { node { title authors(first: 3) { name } } } }
      citations(first: 5) { totalCount nodes { title } } } }"""
    body = {"query": doc, "variables": {"id": _most_linked()[0]}}
    await _send(compiled, body)
    compiled.driver.reset()
    _, path = await _send(compiled, body)
    assert path == "compiled" and compiled.driver.calls == 1


async def test_compiled_analytics_read_only_the_papers_they_show(compiled: Api) -> None:
    """The graph version is the poller's (no Meta read per request): a citation path
    without papers runs no statement, a lineage one (its papers)."""
    pid = _most_linked()[0]
    for name, statements in (("citation path (bench)", 0), ("lineage (bench)", 1)):
        doc = dict(ANALYTICS)[name]
        body = {"query": doc, "variables": _variables(doc, pid)}
        await _send(compiled, body)
        compiled.driver.reset()
        got, path = await _send(compiled, body)
        assert path == "compiled" and "errors" not in got
        assert compiled.driver.calls == statements, name
