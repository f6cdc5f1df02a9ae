"""Look-ahead at ``paper(id)``'s selection: one statement for the common shapes.

Nested fields are resolved level by level through the request's DataLoaders,
one statement per level ("a paper, its references and their authors" is
three). The root resolver of ``paper`` can see the whole selection, so for
the shapes clients ask most (the paper's authors, a page of its references
and/or citations, and the authors of those papers) it runs
``read/api/paper_with_edges`` once and primes the loaders with exactly the
values they would have loaded (same keys, same rows); the nested resolvers
then find them cached and run nothing. Anything else in the selection still
goes through the loaders, so a shape the statement does not cover costs what
it did before, never a wrong answer.

Decisions:

* Hand-written statement, not generated Cypher. The house rule keeps Cypher
  in ``.cypher`` files; one statement whose parts are switched off by null
  parameters covers the shapes that matter (one plan, cached by Neo4j),
  where generating Cypher per selection would need a query builder and a
  plan per shape.
* The walk is our own and lazy: it reads the few levels it needs from the
  document's nodes, expanding each named fragment once (memoised), instead
  of ``info.selected_fields``, which converts the whole subtree and expands
  every spread again.
* When in doubt, do not plan: a field under ``@include``/``@skip``, an
  argument that is not a plain valid value (out of range ``first``, bad
  cursor) or the same field asked twice with different arguments leaves
  that part to the loaders, whose resolvers raise the proper errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast,
)
from graphql.pyutils import Undefined
from strawberry.types.nodes import get_variable_values

from graph_api.service.connections import DEFAULT_AUTHORS, DEFAULT_PAGE_SIZE
from graph_api.service.cursors import decode_keyset
from graph_api.service.dataloaders import ChildPage, Loaders
from graph_api.service.errors import BadUserInput
from graph_api.service.types import MOST_CITED

RawInfo = GraphQLResolveInfo[Any]


@dataclass(frozen=True)
class EdgePage:
    """What one ``references``/``citations`` field asks for, as the loader's key has it."""

    influential_only: bool
    after_key: Any
    after_id: str | None
    limit: int  # first + 1 (the extra row says hasNextPage)
    authors_limit: int | None  # the papers' ``authors(first:)``, when asked for

    def loader_args(self) -> dict[str, Any]:
        return {
            "influentialOnly": self.influential_only,
            # The one statement does not filter by intent: planned only without one.
            "intent": None,
            "afterKey": self.after_key,
            "afterId": self.after_id,
            "limit": self.limit,
        }


@dataclass(frozen=True)
class PaperPlan:
    authors_limit: int | None
    references: EdgePage | None
    citations: EdgePage | None

    @property
    def worth_it(self) -> bool:
        """Only plans that save a statement (a bare lookup is one statement already)."""
        parts = (self.authors_limit, self.references, self.citations)
        return any(part is not None for part in parts)

    def params(self, paper_id: str) -> dict[str, Any]:
        def part(prefix: str, page: EdgePage | None) -> dict[str, Any]:
            return {
                f"{prefix}Limit": None if page is None else page.limit,
                f"{prefix}InfluentialOnly": False if page is None else page.influential_only,
                f"{prefix}AfterKey": None if page is None else page.after_key,
                f"{prefix}AfterId": None if page is None else page.after_id,
                f"{prefix}AuthorsLimit": None if page is None else page.authors_limit,
            }

        return {
            "id": paper_id,
            "authorsLimit": self.authors_limit,
            **part("refs", self.references),
            **part("cits", self.citations),
        }

    def prime(self, loaders: Loaders, paper_id: str, row: Mapping[str, Any]) -> None:
        """Put the statement's parts in the loaders under the keys the resolvers will use."""
        loaders.paper_by_id.prime(paper_id, row["paper"])
        if self.authors_limit is not None:
            loaders.paper_authors.prime(paper_id, list(row["authors"]), limit=self.authors_limit)
        for page, loader, part in (
            (self.references, loaders.paper_references, row["references"]),
            (self.citations, loaders.paper_citations, row["citations"]),
        ):
            if page is None:
                continue
            items = list(part["items"])
            loader.prime(paper_id, ChildPage(int(part["total"]), items), **page.loader_args())
            if page.authors_limit is not None:
                for item in items:
                    loaders.paper_authors.prime(
                        item["paper"]["paperId"], list(item["authors"]), limit=page.authors_limit
                    )


class _Unplannable(Exception):
    """This part of the selection is left to the loaders."""


def _fields(
    info: RawInfo, selection_set: SelectionSetNode | None, seen: frozenset[str]
) -> Iterator[FieldNode]:
    """The fields of a selection set, through fragments; a directive anywhere stops the plan."""
    for sel in selection_set.selections if selection_set else ():
        if sel.directives:
            raise _Unplannable
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from _fields(info, sel.selection_set, seen)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in seen:  # a cycle is a validation error; never loop on it
                raise _Unplannable
            fragment = info.fragments[name]
            if fragment.directives:
                raise _Unplannable
            yield from _fields(info, fragment.selection_set, seen | {name})


def _args(info: RawInfo, parent: GraphQLObjectType, field: FieldNode) -> dict[str, Any]:
    """The field's arguments coerced as the executor will (literals, variables, defaults)."""
    definition = parent.fields.get(field.name.value)
    if definition is None:
        raise _Unplannable
    variables = get_variable_values(info)
    given = {a.name.value: a.value for a in field.arguments or ()}
    out: dict[str, Any] = {}
    for name, arg in definition.args.items():
        default = None if arg.default_value is Undefined else arg.default_value
        node = given.get(name)
        if node is None:
            value = default
        elif isinstance(node, VariableNode):
            value = variables.get(node.name.value, default)
        else:
            value = value_from_ast(node, arg.type)
            if value is Undefined:
                raise _Unplannable  # not coercible: the executor reports it
        out[name] = value
    return out


def _child(parent: GraphQLObjectType, name: str) -> GraphQLObjectType:
    named = get_named_type(parent.fields[name].type)
    if not isinstance(named, GraphQLObjectType):
        raise _Unplannable
    return named


def _one(
    info: RawInfo, parent: GraphQLObjectType, fields: list[FieldNode], name: str
) -> tuple[FieldNode, dict[str, Any]] | None:
    """The one field called ``name`` and its arguments (asked once, or always alike)."""
    found = [f for f in fields if f.name.value == name]
    if not found:
        return None
    args = [_args(info, parent, f) for f in found]
    if any(a != args[0] for a in args[1:]):
        raise _Unplannable
    return found[0], args[0]


def _int_arg(args: Mapping[str, Any], name: str, default: int, cap: int) -> int:
    value = args.get(name)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= cap:
        raise _Unplannable
    return value


def _authors_of_nodes(
    info: RawInfo, connection: GraphQLObjectType, page_field: FieldNode, cap: int
) -> int | None:
    """``authors(first:)`` asked under ``edges { node }`` or ``nodes`` of a page."""
    paper = _child(connection, "nodes")
    paper_fields: list[FieldNode] = []
    for child in _fields(info, page_field.selection_set, frozenset()):
        if child.name.value == "nodes":
            paper_fields += _fields(info, child.selection_set, frozenset())
        elif child.name.value == "edges":
            for edge_field in _fields(info, child.selection_set, frozenset()):
                if edge_field.name.value == "node":
                    paper_fields += _fields(info, edge_field.selection_set, frozenset())
    found = _one(info, paper, paper_fields, "authors")
    if found is None:
        return None
    return _int_arg(found[1], "first", DEFAULT_AUTHORS, cap)


def _edge_page(
    info: RawInfo, paper: GraphQLObjectType, field: FieldNode, args: dict[str, Any], cap: int
) -> EdgePage:
    first = _int_arg(args, "first", DEFAULT_PAGE_SIZE, cap)
    influential = args.get("influentialOnly", False)
    if not isinstance(influential, bool) or args.get("intent") is not None:
        raise _Unplannable
    after = args.get("after")
    after_key, after_id = None, None
    if after is not None:
        try:
            keyset = decode_keyset(str(after), MOST_CITED)
        except BadUserInput as exc:
            raise _Unplannable from exc
        after_key, after_id = keyset.key, keyset.id
    try:
        connection = _child(paper, field.name.value)
        authors = _authors_of_nodes(info, connection, field, cap)
    except _Unplannable:
        authors = None
    return EdgePage(influential, after_key, after_id, first + 1, authors)


def paper_plan(info: RawInfo, max_page_size: int) -> PaperPlan | None:
    """What ``paper(id)``'s one statement should fetch, or None (no plan saves a statement)."""
    paper = get_named_type(info.return_type)
    if len(info.field_nodes) != 1 or not isinstance(paper, GraphQLObjectType):
        return None
    try:
        fields = list(_fields(info, info.field_nodes[0].selection_set, frozenset()))
    except _Unplannable:
        return None

    def part(name: str) -> EdgePage | None:
        try:
            found = _one(info, paper, fields, name)
            return None if found is None else _edge_page(info, paper, *found, max_page_size)
        except _Unplannable:
            return None

    try:
        found = _one(info, paper, fields, "authors")
        authors = (
            None if found is None else _int_arg(found[1], "first", DEFAULT_AUTHORS, max_page_size)
        )
    except _Unplannable:
        authors = None
    plan = PaperPlan(authors, part("references"), part("citations"))
    return plan if plan.worth_it else None
