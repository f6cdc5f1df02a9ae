"""Every example of docs/graphql.md runs without errors and returns data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cookbook import cookbook_examples
from tests.integration.api.api_support import Api

EXAMPLES = cookbook_examples()


def _empty_lists(value: Any, path: str = "") -> list[str]:
    """Paths of connections or lists in the answer that came back empty."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("nodes", "edges") and isinstance(item, list) and not item:
                found.append(f"{path}.{key}")
            found.extend(_empty_lists(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_empty_lists(item, f"{path}[{i}]"))
    return found


def test_the_cookbook_has_an_example_per_capability() -> None:
    text = "\n".join(q for _, q in EXAMPLES)
    for capability in (
        "paper(id:", "node(id:", "author(id:", "org(name:", "topic(name:", "venue(name:",
        "papers(", "orderBy", "where", "after:", "search(", "authors(", "orgs(", "topics(",
        "references(", "citations(", "influentialOnly", "citationCountsByYear", "stats",
        "pagerank", "totalCount", "pageInfo",
        # analytics
        "analyticsStatus", "lineage(", "BOTH", "mainPath", "citationPath(", "directed: false",
        "influentialPapers(", "personalized: true", "similarPapers(", "CO_CITATION", "COUPLING",
        "ADAMIC_ADAR", "priorWorks(", "derivativeWorks(", "communities(", "disruption",
        "influence {", "community {", "graphHIndex", "coAuthors(", "orgRanking(",
        "topicRanking(", "topicTrends(", "recommend(", "negative:", "exclude:",
        "semanticNeighbours(", "intent: METHODOLOGY", "contexts {", "edges: INFLUENTIAL",
        # what an analytic saw, and what is new
        "coverage {", "citingCoverage", "reason", "changes(", "seeds:", "topic:",
    ):  # fmt: skip
        assert capability in text, capability


@pytest.mark.parametrize(("heading", "query"), EXAMPLES, ids=[h for h, _ in EXAMPLES])
async def test_cookbook_example_returns_data(analysed_api: Api, heading: str, query: str) -> None:
    # The graph has `citekb analytics`' stored scores, as the analytics examples need.
    data = await analysed_api.data(query)
    assert data, heading
    nulls = [key for key, value in data.items() if value is None]
    assert not nulls, f"{heading}: null answers for {nulls}"
    empty = [key for key, value in data.items() if value == []]
    assert not empty, f"{heading}: empty answers for {empty}"
    assert not _empty_lists(data), f"{heading}: empty lists {_empty_lists(data)}"
