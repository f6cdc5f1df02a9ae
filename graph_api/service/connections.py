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

Each named connection (``PaperConnection``, ``AuthorConnection`` ...) is a
two-line subclass of :class:`Connection`, so the SDL keeps its names while the
fields and their descriptions are written once here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar, get_args, get_origin

import strawberry
from strawberry import relay

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


@strawberry.type(description="One item of a list with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque position of this item; pass it as `after` to continue after it"
    )
    node: NodeT = strawberry.field(description="The item")


@strawberry.type(description="One page of a list.")
class Connection(Generic[NodeT, EdgeT]):
    edges: list[EdgeT] = strawberry.field(description="The items of this page with their cursors")
    page_info: relay.PageInfo = strawberry.field(
        description="Whether more pages follow, and the cursors that reach them"
    )
    counter: strawberry.Private[TotalCount]

    @resolver(description="The items of this page (the edges' nodes).")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]  # type: ignore[attr-defined]

    @resolver(description="All items of the list over every page (counted only when asked for).")
    async def total_count(self, info: Info) -> int:
        return await self.counter.resolve(info.context.reader)

    @classmethod
    def edge_and_node_types(cls) -> tuple[Any, Any]:
        """The edge and node classes a named connection was declared with."""
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is Connection:
                node, edge = get_args(base)
                return edge, node
        raise TypeError(f"{cls.__name__} does not subclass Connection[Node, Edge]")

    @classmethod
    def page(
        cls, edges: list[EdgeT], *, has_next: bool, after: str | None, total: TotalCount
    ) -> Self:
        """The connection over ``edges`` (one page, already cut to ``first``)."""
        cursors = [edge.cursor for edge in edges]  # type: ignore[attr-defined]
        return cls(
            edges=edges, page_info=page_info(cursors, has_next=has_next, after=after), counter=total
        )
