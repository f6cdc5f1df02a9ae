"""No N+1: database round trips per query do not grow with page sizes."""

from __future__ import annotations

import pytest

from tests.integration.api.api_graph import PAPERS
from tests.integration.api.api_support import Api

QUERY = """query($papers: Int!, $refs: Int!) {
  papers(first: $papers, where: {year: {gte: 2018}}) {
    nodes {
      title
      references(first: $refs) {
        edges { isInfluential node { title authors { name } } }
      }
    }
  }
}"""


@pytest.mark.parametrize(("papers", "refs"), [(20, 10), (2, 3), (1, 1)])
async def test_papers_references_authors_cost_one_statement_per_level(
    api: Api, papers: int, refs: int
) -> None:
    api.driver.reset()
    data = await api.data(QUERY, {"papers": papers, "refs": refs})
    nodes = data["papers"]["nodes"]
    assert len(nodes) == papers
    assert all(len(n["references"]["edges"]) == refs for n in nodes)
    assert all(e["node"]["authors"] for n in nodes for e in n["references"]["edges"])
    # The page, the references of every paper, the authors of every reference.
    assert api.driver.calls == 3, api.driver.queries


async def test_every_nested_field_is_batched(api: Api) -> None:
    query = """{ papers(first: 20) { nodes {
        authors(first: 5) { name orgs(first: 2) { name } }
        topics { name }
        orgs { name }
        venue { name }
        citationCountsByYear { year count }
        references(first: 5) { totalCount nodes { title } }
        citations(first: 5, influentialOnly: true) { totalCount nodes { title } }
    } } }"""
    api.driver.reset()
    data = await api.data(query)
    assert len(data["papers"]["nodes"]) == 20
    # 1 page + 7 fields on the papers + author orgs one level further down.
    assert api.driver.calls == 9, api.driver.queries


async def test_same_ids_in_one_request_are_read_once(api: Api) -> None:
    ids = [PAPERS[3].paper_id] * 5 + [PAPERS[4].paper_id] * 5
    aliases = " ".join(f'p{i}: paper(id: "{pid}") {{ title }}' for i, pid in enumerate(ids))
    api.driver.reset()
    data = await api.data(f"{{ {aliases} }}")
    assert {v["title"] for v in data.values()} == {PAPERS[3].title, PAPERS[4].title}
    assert api.driver.calls == 1
