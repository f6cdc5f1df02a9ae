"""Descriptions written once for arguments that mean the same on every field.

``first``, ``after``, ``orderBy``, ``where``, ``ids`` ... recur on dozens of
fields with one meaning each; writing the same sentence on every signature
would be dozens of copies to keep in step. :func:`describe` fills in the
description of any argument that has none from :data:`ARGUMENTS` after
strawberry has built the schema (the field's own description says what is
particular to it, e.g. its bound). Arguments whose meaning depends on the
field carry their description in the resolver's signature instead;
``tests/unit/test_schema_descriptions.py`` fails when any type, field,
argument or enum value is left without one.
"""

from __future__ import annotations

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

ARGUMENTS: dict[str, str] = {
    "first": "How many items at most (the field's description gives its bound)",
    "after": "Continue after this cursor (a page's `endCursor` or an edge's `cursor`)",
    "orderBy": "The order; a missing direction means the field's natural one",
    "where": "Conditions every item must meet (all given must hold)",
    "id": "The object's id (the field's description lists the forms it takes)",
    "name": "Its name, in any spelling or case (instead of `id`)",
    "ids": "Paper ids in any form: Semantic Scholar id, `arXiv:`, `DOI:`, `CorpusId:`, URL",
    "titles": "Paper titles, resolved by Semantic Scholar's title match",
    "k": "How many results at most (the field's description gives its bound)",
    "depth": "How many citation hops to walk (the field's description gives its bound)",
    "minCount": "How many seeds a work must be tied to at least",
    "window": "Years in a window (the field's description says how it is used)",
    "influentialOnly": "Only citations Semantic Scholar judges influential",
    "query": "The text to search for, taken as plain words (no query syntax)",
    "direction": "Which way to walk: ANCESTORS (references), DESCENDANTS (citations) or BOTH",
    "from": "The paper the path starts at (any paper id form)",
    "to": "The paper the path ends at (any paper id form)",
    "directed": "Follow citations one way only (true) or either way (false)",
    "topic": "A topic name, in any spelling or case",
    "yearFrom": "Only papers published in or after this year",
    "yearTo": "Only papers published in or before this year",
    "personalized": "Rank by PageRank personalised on the topic's papers or the `seeds` "
    "(else the stored score)",
    "method": "How similarity is measured",
    "lastYear": "The last year of the recent window (default: the latest year in the graph)",
    "minRecent": "How many papers a topic needs in the recent window at least",
    "positive": "Seed papers to find more like (any paper id form)",
    "negative": "Papers whose look-alikes are pushed down (any paper id form)",
    "exclude": "Papers never to recommend, e.g. those already read (any paper id form)",
    "intent": "Only citations with this intent",
    "edges": "Which citations to follow: ALL, INFLUENTIAL or METHODOLOGY",
    "seeds": "The origin papers, in any id form (at most 100)",
    "format": "BIBTEX or RIS",
    "others": "The other papers, in any id form (at most 100)",
}

ROOTS: dict[str, str] = {
    "Query": "Reads of the citation graph: lookups, lists, search and analytics.",
    "Mutation": "Writes, behind the API key: loads and recomputes start a background job; "
    "saving a collection is immediate.",
}


def describe(schema: GraphQLSchema) -> None:
    """Fill in the shared descriptions of root types and arguments that have none."""
    for name, text in ROOTS.items():
        root = schema.type_map.get(name)
        if root is not None and not root.description:
            root.description = text
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field in type_.fields.values():
            for arg_name, arg in field.args.items():
                if not arg.description and arg_name in ARGUMENTS:
                    arg.description = ARGUMENTS[arg_name]
