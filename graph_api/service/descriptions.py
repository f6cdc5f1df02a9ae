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

The arguments of a paginated list (``where``, ``orderBy``, ``first``,
``after``, ...) are described for the list they page: ``first`` on ``Org.authors``
reads "How many of this org's authors to return at most (0 to 100)", with the
page cap of the server that built the schema. Descriptions written once for
several types name the type they stand in with a placeholder: ``{list}`` in the
generic ``Connection``/``Edge`` (what the list holds, from :data:`LISTS`:
``AuthorConnection`` is "A page of authors."), ``{owner}`` in a field a base
class gives several types ("The {owner}'s papers" on ``Topic.papers``). The
SDL so says of each type what holds for it, rather than the same words on
every list.
"""

from __future__ import annotations

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

# What a page of each connection holds, by the prefix of its SDL name
# (connections.ConnectionNames): AuthorConnection is "A page of authors.".
LISTS: dict[str, str] = {
    "Paper": "papers",
    "Author": "authors",
    "Org": "organisations",
    "Topic": "topics",
    "Citation": "references or citations",
    "Search": "search hits",
}

# The arguments of a paginated list, said of the list (``{what}``: "the topics",
# "this author's papers"); ``{cap}`` is the server's page cap.
LIST_ARGUMENTS: dict[str, str] = {
    "first": "How many of {what} to return at most (0 to {cap})",
    "after": "Continue {what} after this cursor (a page's `endCursor` or an edge's `cursor`)",
    "orderBy": "How to order {what}; a missing direction means the field's natural one",
    "where": "Conditions {what} returned must meet (every one given must hold)",
    "influentialOnly": "Only {what} that Semantic Scholar judges influential",
    "intent": "Only {what} with this intent",
}

# Arguments whose meaning differs between fields that share one resolver.
FIELD_ARGUMENTS: dict[tuple[str, str], str] = {
    ("priorWorks", "minCount"): "How many of the seeds must cite a work at least",
    ("derivativeWorks", "minCount"): "How many of the seeds a work must cite at least",
}

ARGUMENTS: dict[str, str] = {
    "first": "How many items at most (the field's description gives its bound)",
    "orderBy": "The order; a missing direction means the field's natural one",
    "id": "The object's id (the field's description lists the forms it takes)",
    "name": "Its name, in any spelling or case (instead of `id`)",
    "ids": "Paper ids in any form: Semantic Scholar id, `arXiv:`, `DOI:`, `CorpusId:`, URL",
    "titles": "Paper titles, resolved by Semantic Scholar's title match",
    "k": "How many results at most (the field's description gives its bound)",
    "depth": "How many citation hops to walk (the field's description gives its bound)",
    "minCount": "How many seeds a work must be tied to at least",
    "window": "Years in a window (the field's description says how it is used)",
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


def describe(schema: GraphQLSchema, max_page_size: int) -> None:
    """Fill in the descriptions of root types and arguments that have none, and the
    ``{list}``/``{owner}`` placeholders."""
    for name, text in ROOTS.items():
        root = schema.type_map.get(name)
        if root is not None and not root.description:
            root.description = text
    for type_ in schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        words = _placeholders(type_.name)
        type_.description = _filled(type_.description, words)
        if not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in type_.fields.items():
            field.description = _filled(field.description, words)
            what = _listed(type_, field_name, field)
            for arg_name, arg in field.args.items():
                if arg.description:
                    continue
                if (field_name, arg_name) in FIELD_ARGUMENTS:
                    arg.description = FIELD_ARGUMENTS[field_name, arg_name]
                elif what is not None and arg_name in LIST_ARGUMENTS:
                    arg.description = LIST_ARGUMENTS[arg_name].format(what=what, cap=max_page_size)
                elif arg_name in ARGUMENTS:
                    arg.description = ARGUMENTS[arg_name]


def _placeholders(type_name: str) -> dict[str, str]:
    """What ``{owner}`` and ``{list}`` stand for in the descriptions of ``type_name``.

    >>> _placeholders("AuthorConnection")["{list}"], _placeholders("Org")["{owner}"]
    ('authors', 'org')
    """
    listed = next(
        (
            LISTS[type_name.removesuffix(suffix)]
            for suffix in ("Connection", "Edge")
            if type_name.endswith(suffix) and type_name.removesuffix(suffix) in LISTS
        ),
        "items",
    )
    return {"{owner}": type_name.lower(), "{list}": listed}


def _filled(text: str | None, words: dict[str, str]) -> str | None:
    for placeholder, word in words.items():
        text = None if text is None else text.replace(placeholder, word)
    return text


def _listed(owner: GraphQLNamedType, field_name: str, field: GraphQLField) -> str | None:
    """What a connection field lists ("the topics", "this author's papers"); None for others.

    >>> from graphql import GraphQLObjectType as T, GraphQLField as F, GraphQLString
    >>> page = T("TopicConnection", {"x": F(GraphQLString)})
    >>> _listed(T("Query", {}), "topics", F(page)), _listed(T("Org", {}), "topics", F(page))
    ('the topics', "this org's topics")
    >>> _listed(T("Query", {}), "name", F(GraphQLString)) is None
    True
    """
    listed = get_named_type(field.type)
    if not listed.name.endswith("Connection"):
        return None
    if owner.name == "Query":
        return f"the {LISTS.get(listed.name.removesuffix('Connection'), field_name)}"
    return f"this {owner.name.lower()}'s {field_name}"
