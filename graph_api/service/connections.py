"""Relay connections: one generic ``Connection``/``Edge`` for every paginated field.

Pages go forward: ``first`` (default :data:`DEFAULT_PAGE_SIZE`, at most
``API_MAX_PAGE_SIZE``) and ``after`` (an ``endCursor`` or edge ``cursor``).
A statement is asked for ``first + 1`` rows; the extra row only tells
``hasNextPage``. ``hasPreviousPage`` is true when ``after`` was given.

Why no ``last``/``before``: every list is ordered by a keyset (a sort key and
the id), so going back would need a second, reversed statement per ordering and
a cursor that knows its direction, doubling what each field costs to run and to
bound. The clients we serve (the playground, the explorer, scripts walking a
list) page forward; a client that wants to go back keeps the cursors it has
seen, which are stable for a graph version. Relay's spec makes backward paging
optional, and we say so in docs/graphql.md.

There is one ``Connection`` and one ``Edge``; a field's type is a
specialisation such as ``Connection[Author, Edge[Author]]`` (``types.py`` gives
each an alias, ``AuthorConnection``). :class:`ConnectionNames` names the
specialisations in the SDL as clients know them: ``Edge[Author]`` is
``AuthorEdge``, ``Connection[Author, Edge[Author]]`` is ``AuthorConnection``, and
a connection over an edge class with fields of its own takes the edge's name
(``Connection[Paper, CitationEdge]`` is ``CitationConnection``). Their
descriptions say "{list}" where ``descriptions.describe`` names what the
list holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import strawberry
from strawberry import relay
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import StrawberryObjectDefinition, StrawberryType

from graph_api.service.context import Info, resolver
from graph_api.service.errors import LimitExceeded
from graph_api.settings import Settings
from graph_api.store.graph_reader import GraphReader

NodeT = TypeVar("NodeT")
EdgeT = TypeVar("EdgeT")

DEFAULT_PAGE_SIZE = 20
# Short lists on a paper (authors, topics, orgs) have their own defaults so a
# page of papers with their authors stays within the row budget.
DEFAULT_AUTHORS = 20
DEFAULT_SHORT_LIST = 10


def checked_first(first: int, settings: Settings, field: str) -> int:
    """``first`` itself, or a clear error when it is out of bounds.

    The limits extension already rejects these before any resolver runs; the
    check here keeps a resolver safe when called some other way.
    """
    cap = settings.api_max_page_size
    if first < 0 or first > cap:
        raise LimitExceeded(f"`first` on `{field}` must be between 0 and {cap} (got {first})")
    return first


def page_info(cursors: list[str], *, has_next: bool, after: str | None) -> relay.PageInfo:
    return relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@dataclass
class TotalCount:
    """A connection's totalCount: known already, or one count statement when asked for."""

    known: int | None = None
    statement: str | None = None
    params: dict[str, Any] | None = None

    async def resolve(self, reader: GraphReader) -> int:
        if self.known is not None:
            return self.known
        assert self.statement is not None
        row = await reader.one(self.statement, self.params or {})
        self.known = int(row["total"])
        return self.known


# "{list}" in these descriptions is filled in per specialisation ("authors",
# "search hits") by descriptions.describe.
@strawberry.type(description="One of a page of {list}, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque position of this item; pass it as `after` to continue after it"
    )
    node: NodeT = strawberry.field(description="The item")


@strawberry.type(description="A page of {list}.")
class Connection(Generic[NodeT, EdgeT]):
    edges: list[EdgeT] = strawberry.field(description="The {list} of this page with their cursors")
    page_info: relay.PageInfo = strawberry.field(
        description="Whether more pages follow, and the cursors that reach them"
    )
    counter: strawberry.Private[TotalCount]

    @resolver(description="The {list} of this page (the edges' nodes).")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]  # type: ignore[attr-defined]

    @resolver(description="All {list} over every page (counted only when asked for).")
    async def total_count(self, info: Info) -> int:
        return await self.counter.resolve(info.context.reader)

    @classmethod
    def page(
        cls, edges: list[EdgeT], *, has_next: bool, after: str | None, total: TotalCount
    ) -> Self:
        """The connection over ``edges`` (one page, already cut to ``first``)."""
        cursors = [edge.cursor for edge in edges]  # type: ignore[attr-defined]
        return cls(
            edges=edges, page_info=page_info(cursors, has_next=has_next, after=after), counter=total
        )


class ConnectionNames(NameConverter):
    """SDL names for the specialisations of :class:`Connection`.

    strawberry would name ``Connection[Author, Edge[Author]]``
    ``AuthorAuthorEdgeConnection`` (every argument's name, then the generic's);
    a connection is named for its edge instead, so the SDL keeps the names
    clients use (``AuthorConnection``, ``CitationConnection``). ``Edge[Author]``
    keeps strawberry's own ``AuthorEdge``.
    """

    def from_generic(
        self, generic_type: StrawberryObjectDefinition, types: list[StrawberryType | type]
    ) -> str:
        generic = generic_type.concrete_of
        if generic is not None and generic.origin is Connection:
            edge = self.get_name_from_type(generic_type.type_var_map[EdgeT.__name__])
            return f"{edge.removesuffix('Edge')}Connection"
        return super().from_generic(generic_type, types)
