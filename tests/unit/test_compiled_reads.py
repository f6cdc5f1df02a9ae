"""Compiled reads, without Neo4j: the field tables against the strawberry types they stand
for, and which documents compile (the answers themselves are compared with strawberry's in
tests/integration/api/test_api_compiled_reads.py)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLScalarType, parse
from strawberry.utils.str_converters import to_camel_case, to_snake_case

from graph_api.service.compiled_reads import AUTHOR_FIELDS, PAPER_FIELDS, compile_read
from graph_api.service.schema import build_schema
from graph_api.service.types import Author, Paper
from graph_api.settings import Settings

SCHEMA = build_schema(Settings())._schema

PAPER_PROPS: list[dict[str, Any]] = [
    {"paperId": "a" * 40},
    {
        "paperId": "b" * 40, "title": "T", "abstract": "A", "year": 2020,
        "publicationDate": "2020-02-29", "venue": "NeurIPS", "corpusId": 123, "arxivId": "2001.1",
        "doi": "10.1/x", "citationCount": 7, "referenceCount": 3, "influentialCitationCount": 1,
        "tldr": "short", "url": "https://x", "openAccessPdf": "https://x.pdf", "isSeed": True,
        "hfUpvotes": 4, "synthetic": True, "enrichedAt": "2026-11-28T05:01:02",
        "pagerank": 0.25, "pagerankRank": 2, "pagerankPercentile": 99.5, "community": 3,
    },
    {
        "paperId": "title:abc", "year": 1999.0, "publicationDate": "1999",
        "enrichedAt": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        "pagerank": 1, "isSeed": None, "synthetic": False, "citationCount": 0,
    },
]  # fmt: skip
AUTHOR_PROPS: list[dict[str, Any]] = [
    {"authorId": "1"},
    {
        "authorId": "2",
        "name": "N",
        "hIndex": 3,
        "citationCount": 9,
        "paperCount": 2,
        "orcid": "0000-0002-9344-7439",
        "openalexId": "A1",
    },
]


def _reference(type_name: str, obj: Any, field: str) -> Any:
    """What strawberry would answer: the object's attribute, serialised by the field's scalar."""
    if field == "id":
        from strawberry.relay import GlobalID

        return str(GlobalID(type_name, str(obj.resolve_id(obj, info=None))))
    gql_type = SCHEMA.get_type(type_name).fields[field].type  # type: ignore[union-attr]
    if isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    assert isinstance(gql_type, GraphQLScalarType)
    value = getattr(obj, to_snake_case(field))
    return None if value is None else gql_type.serialize(value)


@pytest.mark.parametrize("props", PAPER_PROPS)
def test_paper_fields_serialise_like_strawberry(props: dict[str, Any]) -> None:
    paper = Paper.from_props(props)
    for field, get in PAPER_FIELDS.items():
        assert get(props) == _reference("Paper", paper, field), field


@pytest.mark.parametrize("props", AUTHOR_PROPS)
def test_author_fields_serialise_like_strawberry(props: dict[str, Any]) -> None:
    author = Author.from_props(props)
    for field, get in AUTHOR_FIELDS.items():
        assert get(props) == _reference("Author", author, field), field


def test_every_stored_field_of_paper_and_author_is_in_the_tables() -> None:
    """A new stored field on Paper or Author must be added to the tables (or it falls back)."""
    for cls, table in ((Paper, PAPER_FIELDS), (Author, AUTHOR_FIELDS)):
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        in_schema = SCHEMA.get_type(cls.__name__).fields  # type: ignore[union-attr]
        stored = {
            f.graphql_name or to_camel_case(f.python_name)
            for f in definition.fields
            if f.base_resolver is None
        } & set(in_schema)
        assert stored <= set(table), (cls.__name__, stored - set(table))


@pytest.mark.parametrize(
    ("doc", "compiled"),
    [
        ("query($id: ID!) { paper(id: $id) { title } }", True),
        ("{ papers(first: 2) { totalCount nodes { title } } }", True),
        ("query($id: ID!) { paper(id: $id) { references { edges { node { title } } } } }", True),
        ("query($id: ID!) { paper(id: $id) { title @skip(if: false) } }", False),
        ("query($id: ID!) { paper(id: $id) { influence { pagerank } } }", False),
        ("query($id: ID!) { paper(id: $id) { venue { name } } }", False),
        ("{ papers { nodes { authors { name } } } }", False),
        ("{ stats { papers } }", False),
        ("mutation { recomputeAnalytics { id } }", False),
        ("{ __schema { types { name } } }", False),
    ],
)
def test_only_plain_reads_compile(doc: str, compiled: bool) -> None:
    assert (compile_read(SCHEMA, parse(doc), None) is not None) is compiled
