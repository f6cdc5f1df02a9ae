"""Admission by cost (graph_api/service/admission.py): the memoised walk, its limits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import GraphQLObjectType, parse

from graph_api.service.admission import WEIGHTS, Measure, measure_operation
from graph_api.service.schema import build_schema
from graph_api.settings import Settings
from tests.cookbook import cookbook_examples

SETTINGS = Settings()
SCHEMA = build_schema(SETTINGS)
GQL = SCHEMA._schema


def measure(query: str, variables: dict[str, Any] | None = None) -> Measure:
    return measure_operation(GQL, parse(query), None, variables or {}, SETTINGS.api_max_page_size)


def doubling(levels: int, leaf: str = "papers(first: 20) { nodes { title } }") -> str:
    """Fragments that each spread the previous one twice: 2**levels copies of ``leaf``."""
    parts = [f"query Q {{ ...F{levels} }}", f"fragment F0 on Query {{ {leaf} }}"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join(parts)


def test_every_weighted_field_exists_in_the_schema() -> None:
    for key in WEIGHTS:
        type_name, field = key.split(".")
        owner = GQL.get_type(type_name)
        assert isinstance(owner, GraphQLObjectType), key
        assert field in owner.fields, key


def test_fragments_are_measured_once_and_counted_at_every_spread() -> None:
    one = measure("{ papers(first: 20) { nodes { title } } }")
    assert one == Measure(cost=21, rows=20, depth=2, aliases=0)
    for levels in (1, 5, 40):
        m = measure(doubling(levels))
        assert m.cost == 2**levels * one.cost
        assert m.rows == 2**levels * one.rows
        assert m.depth == one.depth  # spreads add no depth


def test_aliases_in_fragments_count_at_every_spread() -> None:
    query = "{ ...F ...F } fragment F on Query { a: stats { papers } b: stats { cites } }"
    assert measure(query).aliases == 4


def test_a_fragment_cycle_measures_nothing_and_ends() -> None:
    query = "{ ...A } fragment A on Query { ...B stats { papers } } fragment B on Query { ...A }"
    assert measure(query).cost == 1


def test_cost_multiplies_first_down_paths_and_adds_weights() -> None:
    refs = measure(
        '{ paper(id: "x") { references(first: 20) { nodes { authors(first: 5) { name } } } } }'
    )
    # paper 1 + references (1 + 20 x (nodes 1 + authors (1 + 5 x 0)))
    assert refs.cost == 1 + 1 + 20 * (1 + 1)
    personalised = measure(
        '{ influentialPapers(topic: "t", personalized: true, first: 10) { score paper { title } } }'
    )
    assert personalised.cost == 1 + 200 + 10 * 1
    stored = measure('{ influentialPapers(topic: "t", first: 10) { score paper { title } } }')
    assert stored.cost == 1 + 2 + 10 * 1
    lineage = measure(
        'query($d: Int!) { lineage(id: "x", depth: $d, first: 10) { nodes { paperId } } }', {"d": 3}
    )
    assert lineage.cost == 1 + 20 * 3 + 10 * 1
    both = measure(
        '{ lineage(id: "x", direction: BOTH, depth: 3, first: 10) { nodes { paperId } } }'
    )
    assert both.cost == 1 + 40 * 3 + 10 * 1
    per_paper = measure("{ papers(first: 50) { nodes { disruption { index } } } }")
    assert per_paper.cost == 1 + 50 * (1 + (1 + 10))


def test_thirty_personalised_aliases_are_over_the_default_budget() -> None:
    field = 'influentialPapers(topic: "t", personalized: true) { score }'
    thirty = "{ " + " ".join(f"a{i}: {field}" for i in range(30)) + " }"
    assert measure(thirty).cost > SETTINGS.api_max_cost
    twenty = "{ " + " ".join(f"a{i}: {field}" for i in range(20)) + " }"
    assert measure(twenty).cost <= SETTINGS.api_max_cost


@pytest.mark.parametrize(("name", "query"), cookbook_examples())
def test_cookbook_examples_fit_the_default_budget(name: str, query: str) -> None:
    m = measure(query)
    assert 0 < m.cost <= SETTINGS.api_max_cost, (name, m)


def test_a_document_that_does_not_validate_is_measured_without_failing() -> None:
    assert measure("{ nope { deeper } papers(first: 2, bogus: 1) { nodes { title } } }").cost == 3
    assert measure('{ papers(first: "many") { totalCount } }').cost == 1  # default first


def run(query: str) -> dict[str, Any]:
    result = asyncio.run(SCHEMA.execute(query))
    errors = [{"message": e.message, "extensions": e.extensions} for e in result.errors or []]
    return {"data": result.data, "errors": errors, "extensions": result.extensions}


@pytest.mark.parametrize("levels", [10, 20, 40])
def test_the_doubling_document_is_refused_by_cost_before_validation(levels: int) -> None:
    body = run(doubling(levels))
    (error,) = body["errors"]
    ext = error["extensions"]
    assert ext["code"] == "COST_LIMIT_EXCEEDED"
    assert ext["cost"] == 2**levels * 21 and ext["budget"] == SETTINGS.api_max_cost
    assert str(ext["cost"]) in error["message"]
    assert body["data"] is None
    assert body["extensions"]["cost"] == {"estimated": 2**levels * 21, "budget": 5000}


def test_every_response_says_what_it_cost() -> None:
    assert run("{ __typename }")["extensions"]["cost"] == {"estimated": 0, "budget": 5000}
    parse_error = run("{ papers(first: ")
    assert parse_error["errors"] and parse_error["extensions"]["cost"]["estimated"] == 0


def test_depth_aliases_and_rows_use_the_same_walk() -> None:
    inner = "title"
    for _ in range(6):
        inner = f"references(first: 1) {{ nodes {{ {inner} }} }}"
    deep = run(f'{{ paper(id: "x") {{ {inner} }} }}')
    assert deep["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "exceeds maximum operation depth of 10" in deep["errors"][0]["message"]
    aliases = run(
        "{ ...F ...F } fragment F on Query { "
        + " ".join(f"a{i}: __typename" for i in range(16))
        + " }"
    )
    assert "32 aliases found" in aliases["errors"][0]["message"]
    # Cheap in cost (no objects below the lists) but over the row budget.
    rows = run("{ papers(first: 100) { nodes { references(first: 51) { totalCount } } } }")
    assert "may return up to 5200 rows" in rows["errors"][0]["message"]


def test_a_refused_document_sent_again_is_refused_without_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kept parsed apart from valid documents; with variables that admit it, it is
    validated as a first-seen document would be."""
    import strawberry.schema.schema as strawberry_schema

    schema = build_schema(SETTINGS)
    parses: list[str] = []
    real = strawberry_schema.parse

    def counting(source: Any, **kwargs: Any) -> Any:
        parses.append(str(source))
        return real(source, **kwargs)

    monkeypatch.setattr(strawberry_schema, "parse", counting)

    def codes(query: str, variables: dict[str, Any] | None = None) -> list[str]:
        result = asyncio.run(schema.execute(query, variables))
        return [str((e.extensions or {}).get("code")) for e in result.errors or []]

    costly = doubling(20)
    assert codes(costly) == codes(costly) == ["COST_LIMIT_EXCEEDED"]
    assert len(parses) == 1 and schema.refused_documents.hits == 1
    assert schema.documents.get(costly) is None  # never taken for a valid one
    # Refused for its variables, then admitted with others: validation still runs
    # (and finds the unknown field) although the parsed document was kept.
    paged = "query($n: Int!) { papers(first: $n) { nodes { nope } } }"
    assert codes(paged, {"n": 100_000}) == ["LIMIT_EXCEEDED"]
    assert codes(paged, {"n": 5}) == ["GRAPHQL_VALIDATION_FAILED"]
    assert len(parses) == 2
