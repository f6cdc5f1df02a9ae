"""Per-request DataLoaders: every nested field costs one query per nesting level.

A :class:`Batched` loader wraps one ``UNWIND $ids`` statement. Its keys are
``(id, args)``: everything a resolver asks for during one tick of the event
loop is grouped by ``args`` (page size, cursor, filters) and each group is
one statement with all its ids. So "20 papers, each with its first 10
references, each with its authors" is three statements whatever the page
sizes: the page, the references of all 20 papers, the authors of all the
referenced papers.

Loaders live in the request's context (never at module level): their caches
must not outlive a request, or one client would see another's stale reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from graph_api.store.graph_reader import GraphReader

T = TypeVar("T")
Args = tuple[tuple[str, Hashable], ...]
Key = tuple[Hashable, Args]
Row = dict[str, Any]


def args_key(**args: Hashable) -> Args:
    """A hashable, order-independent form of keyword arguments.

    >>> args_key(limit=11, afterId=None) == args_key(afterId=None, limit=11)
    True
    """
    return tuple(sorted(args.items()))


@dataclass(frozen=True)
class ChildPage:
    """A page of a nested connection as the statement returns it."""

    total: int
    items: list[Row] = field(default_factory=list)


class Batched(Generic[T]):
    """One statement behind a DataLoader keyed by ``(id, args)``."""

    def __init__(
        self,
        reader: GraphReader,
        statement: str,
        pick: Callable[[Row], T],
        missing: Callable[[], T],
    ) -> None:
        self.reader = reader
        self.statement = statement
        self.pick = pick
        self.missing = missing
        self.loader: DataLoader[Key, T] = DataLoader(load_fn=self._load)

    async def load(self, node_id: Hashable, **args: Hashable) -> T:
        return await self.loader.load((node_id, args_key(**args)))

    def prime(self, node_id: Hashable, value: T, **args: Hashable) -> None:
        self.loader.prime((node_id, args_key(**args)), value)

    async def _load(self, keys: list[Key]) -> list[T]:
        groups: dict[Args, list[Hashable]] = {}
        for node_id, args in keys:
            ids = groups.setdefault(args, [])
            if node_id not in ids:
                ids.append(node_id)
        found: dict[Key, T] = {}

        async def run(args: Args, ids: list[Hashable]) -> None:
            params: Mapping[str, Any] = {"ids": ids, **dict(args)}
            for row in await self.reader.rows(self.statement, params):
                found[(row["id"], args)] = self.pick(row)

        await asyncio.gather(*(run(args, ids) for args, ids in groups.items()))
        return [found[key] if key in found else self.missing() for key in keys]


def _field(name: str) -> Callable[[Row], Any]:
    def pick(row: Row) -> Any:
        return row[name]

    return pick


def _page(row: Row) -> ChildPage:
    return ChildPage(total=int(row["total"]), items=list(row["items"]))


def _none() -> None:
    return None


def _empty_list() -> list[Row]:
    return []


def _empty_page() -> ChildPage:
    return ChildPage(total=0)


class Loaders:
    """Every loader of one request, each built on first use.

    A request touches two or three of these; building all of them up front
    (a strawberry DataLoader each) was 23% of the API's CPU on the cheap
    top-20 query under load (py-spy, bench/BENCHMARKS.md).
    """

    def __init__(self, reader: GraphReader) -> None:
        self.reader = reader

    def _one(self, stmt: str, column: str) -> Batched[Row | None]:
        return Batched(self.reader, f"read/api/{stmt}", _field(column), _none)

    def _many(self, stmt: str) -> Batched[list[Row]]:
        return Batched(self.reader, f"read/api/{stmt}", _field("items"), _empty_list)

    def _page(self, stmt: str) -> Batched[ChildPage]:
        return Batched(self.reader, f"read/api/{stmt}", _page, _empty_page)

    @cached_property
    def paper_by_id(self) -> Batched[Row | None]:
        return self._one("papers_by_id", "paper")

    @cached_property
    def paper_by_arxiv(self) -> Batched[Row | None]:
        return self._one("papers_by_arxiv_id", "paper")

    @cached_property
    def paper_by_doi(self) -> Batched[Row | None]:
        return self._one("papers_by_doi", "paper")

    @cached_property
    def paper_by_corpus(self) -> Batched[Row | None]:
        return self._one("papers_by_corpus_id", "paper")

    @cached_property
    def author_by_id(self) -> Batched[Row | None]:
        return self._one("authors_by_id", "author")

    @cached_property
    def org_by_key(self) -> Batched[Row | None]:
        return self._one("orgs_by_key", "org")

    @cached_property
    def topic_by_key(self) -> Batched[Row | None]:
        return self._one("topics_by_key", "topic")

    @cached_property
    def venue_by_key(self) -> Batched[Row | None]:
        return self._one("venues_by_key", "venue")

    @cached_property
    def paper_venue(self) -> Batched[Row | None]:
        return self._one("paper_venues", "venue")

    @cached_property
    def paper_authors(self) -> Batched[list[Row]]:
        return self._many("paper_authors")

    @cached_property
    def paper_topics(self) -> Batched[list[Row]]:
        return self._many("paper_topics")

    @cached_property
    def paper_orgs(self) -> Batched[list[Row]]:
        return self._many("paper_orgs")

    @cached_property
    def paper_citation_years(self) -> Batched[list[Row]]:
        return self._many("paper_citation_years")

    @cached_property
    def author_orgs(self) -> Batched[list[Row]]:
        return self._many("author_orgs")

    @cached_property
    def paper_references(self) -> Batched[ChildPage]:
        return self._page("paper_references")

    @cached_property
    def paper_citations(self) -> Batched[ChildPage]:
        return self._page("paper_citations")

    @cached_property
    def author_papers(self) -> Batched[ChildPage]:
        return self._page("author_papers")

    @cached_property
    def topic_papers(self) -> Batched[ChildPage]:
        return self._page("topic_papers")

    @cached_property
    def venue_papers(self) -> Batched[ChildPage]:
        return self._page("venue_papers")

    @cached_property
    def org_papers(self) -> Batched[ChildPage]:
        return self._page("org_papers")

    @cached_property
    def org_authors(self) -> Batched[ChildPage]:
        return self._page("org_authors")
