"""One statement for `paper(id)` and its common nested shapes; index-backed `papers` orders.

The compiled path (graph_api/service/lookahead.py + read/api/paper_with_edges)
must answer exactly what the level-by-level loaders answer: every test here
compares the two on the same request, the loaders forced by an
``@include(if: true)`` (a directive makes the look-ahead leave that part to
the loaders).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import cypher
from graph_api.service.cursors import Keyset
from graph_api.service.queries import INDEXED_ORDERS
from graph_api.settings import Settings
from graph_api.store.graph_reader import GraphReader
from tests.integration.api.api_graph import PAPERS
from tests.integration.api.api_support import Api, running_api

REFS_AUTHORS = """query($id: ID!, $first: Int!, $after: String, $infl: Boolean!) {
  paper(id: $id) {
    paperId title
    references(first: $first, after: $after, influentialOnly: $infl) %s {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor isInfluential intents node { paperId title authors(first: 2) { name } } }
    }
  }
}"""

CITATIONS_AND_AUTHORS = """query($id: ID!) {
  paper(id: $id) {
    title
    authors(first: 3) %s { authorId name }
    citations(first: 4) %s {
      totalCount
      nodes { paperId authors { authorId } }
    }
  }
}"""

FRAGMENTS = """query($id: ID!) {
  paper(id: $id) { ...P }
}
fragment P on Paper {
  title
  references(first: 5) %s { ...R }
}
fragment R on CitationConnection { totalCount edges { node { ... on Paper { title } } } }"""

LOADERS = "@include(if: true)"


@pytest.fixture(scope="module")
async def api(synth_graph: Settings) -> AsyncIterator[Api]:
    """The API over the synthetic graph, with a 60 s transaction timeout.

    These tests are about answers and statement counts, not latency: a cold
    plan of the look-ahead statement on a fresh test server took over the
    default 10 s on the shared 2-core machine at load average ~40.
    """
    async with running_api(synth_graph.model_copy(update={"neo4j_tx_timeout_s": 60.0})) as api:
        yield api


@pytest.fixture(scope="module")
async def analysed_api(analysed_graph: Settings) -> AsyncIterator[Api]:
    """The analysed graph's API, with the same 60 s transaction timeout."""
    async with running_api(analysed_graph.model_copy(update={"neo4j_tx_timeout_s": 60.0})) as api:
        yield api


def _with(doc: str, directive: str) -> str:
    return doc.replace("%s", directive)


def _cited() -> list[str]:
    """Papers that cite others and are cited (the shapes have something to return)."""
    refs = {p.index: p.references for p in PAPERS}
    cited = {i for r in refs.values() for i in r}
    return [p.paper_id for p in PAPERS if p.references and p.index in cited]


async def _both(api: Api, doc: str, variables: dict[str, Any]) -> tuple[Any, int, Any, int]:
    api.driver.reset()
    compiled = await api.data(_with(doc, ""), variables)
    compiled_calls = api.driver.calls
    api.driver.reset()
    loaded = await api.data(_with(doc, LOADERS), variables)
    return compiled, compiled_calls, loaded, api.driver.calls


@pytest.mark.parametrize("first", [1, 3, 20])
@pytest.mark.parametrize("infl", [False, True])
async def test_paper_references_and_their_authors_are_one_statement(
    api: Api, first: int, infl: bool
) -> None:
    for pid in _cited()[:6]:
        variables = {"id": pid, "first": first, "after": None, "infl": infl}
        compiled, calls, loaded, loader_calls = await _both(api, REFS_AUTHORS, variables)
        assert compiled == loaded
        assert calls == 1, api.driver.queries
        # The paper, its references, and (when there are any) their authors.
        has_edges = bool(compiled["paper"]["references"]["edges"])
        assert loader_calls == 2 + has_edges


async def test_paging_references_with_cursors_matches_the_loaders(api: Api) -> None:
    pid = max(PAPERS, key=lambda p: len(p.references)).paper_id
    after, seen = None, []
    while True:
        variables = {"id": pid, "first": 2, "after": after, "infl": False}
        compiled, calls, loaded, _ = await _both(api, REFS_AUTHORS, variables)
        assert compiled == loaded and calls == 1
        page = compiled["paper"]["references"]
        seen += [e["node"]["paperId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == compiled["paper"]["references"]["totalCount"] > 2


async def test_citations_and_the_papers_own_authors_are_one_statement(api: Api) -> None:
    for pid in _cited()[:6]:
        compiled, calls, loaded, loader_calls = await _both(
            api, CITATIONS_AND_AUTHORS.replace("%s", "%s", 1), {"id": pid}
        )
        assert compiled == loaded
        assert compiled["paper"]["citations"]["nodes"]
        assert calls == 1 and loader_calls == 4


async def test_fragments_are_looked_through(api: Api) -> None:
    pid = _cited()[0]
    compiled, calls, loaded, loader_calls = await _both(api, FRAGMENTS, {"id": pid})
    assert compiled == loaded and compiled["paper"]["references"]["edges"]
    assert calls == 1 and loader_calls == 2


async def test_unknown_paper_and_bad_arguments_keep_their_answers(api: Api) -> None:
    variables = {"id": "0" * 40, "first": 3, "after": None, "infl": False}
    compiled, calls, _, _ = await _both(api, REFS_AUTHORS, variables)
    assert compiled == {"paper": None} and calls == 1
    # An out-of-range `first` or a bad cursor is the resolver's clear error, as before.
    too_many = {"id": PAPERS[10].paper_id, "first": 10_000, "after": None, "infl": False}
    assert await api.errors(_with(REFS_AUTHORS, ""), too_many)
    bad_cursor = {"id": PAPERS[10].paper_id, "first": 3, "after": "nonsense", "infl": False}
    assert await api.errors(_with(REFS_AUTHORS, ""), bad_cursor)


@pytest.mark.parametrize("order", sorted(INDEXED_ORDERS))
async def test_indexed_orders_page_exactly_like_the_general_statement(
    analysed_api: Api, order: str
) -> None:
    """Every page of the index-backed statement equals the general one's, cursors included."""
    field, _, direction = order.rpartition("_")
    general = "read/api/papers_page_desc" if direction == "DESC" else "read/api/papers_page_asc"
    no_filter = dict.fromkeys(
        ["yearGte", "yearLte", "citationCountGte", "citationCountLte", "isSeed",
         "titleContains", "venues", "venueNames", "topics", "authorIds", "orgs"]
    )  # fmt: skip
    reader = GraphReader(analysed_api.driver, analysed_api.settings)
    for size in (3, 7, 100):
        after: dict[str, Any] = {"afterKey": None, "afterId": None}
        pages = 0
        while True:
            keyset = (
                None if after["afterId"] is None else Keyset(after["afterKey"], after["afterId"])
            )
            fast = await INDEXED_ORDERS[order].page(reader, keyset, size)
            slow = await reader.rows(
                general, {**no_filter, "orderBy": field, **after, "limit": size}
            )
            assert fast == slow, (order, size, pages)
            pages += 1
            if len(fast) < size:
                break
            after = {"afterKey": fast[-1]["key"], "afterId": fast[-1]["paper"]["paperId"]}
        assert pages >= (len(PAPERS) // size)


async def test_top_cited_page_reads_the_citation_count_index(analysed_api: Api) -> None:
    """PROFILE: the first page is read from the range index on Paper.citationCount, in order."""
    statement = cypher.statement(INDEXED_ORDERS["CITATION_COUNT_DESC"].ranked)
    db = analysed_api.settings.neo4j_database
    async with analysed_api.driver.inner.session(database=db) as session:
        result = await session.run(
            "PROFILE " + statement, {"afterKey": None, "afterId": None, "limit": 5}
        )
        rows = [r.data() async for r in result]
        summary = await result.consume()
    assert len(rows) == 5
    details: list[str] = []

    def walk(plan: Any) -> None:
        args = plan.get("args", {})
        details.append(f"{plan['operatorType']} {args.get('Details', '')}")
        for child in plan.get("children", []):
            walk(child)

    walk(summary.profile)
    assert any("Index" in d and "citationCount" in d and "LabelScan" not in d for d in details), (
        details
    )
