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
    """Every loader of one request."""

    def __init__(self, reader: GraphReader) -> None:
        def one(stmt: str, column: str) -> Batched[Row | None]:
            return Batched(reader, f"read/api/{stmt}", _field(column), _none)

        def many(stmt: str) -> Batched[list[Row]]:
            return Batched(reader, f"read/api/{stmt}", _field("items"), _empty_list)

        def page(stmt: str) -> Batched[ChildPage]:
            return Batched(reader, f"read/api/{stmt}", _page, _empty_page)

        self.paper_by_id = one("papers_by_id", "paper")
        self.paper_by_arxiv = one("papers_by_arxiv_id", "paper")
        self.paper_by_doi = one("papers_by_doi", "paper")
        self.paper_by_corpus = one("papers_by_corpus_id", "paper")
        self.author_by_id = one("authors_by_id", "author")
        self.org_by_key = one("orgs_by_key", "org")
        self.topic_by_key = one("topics_by_key", "topic")
        self.venue_by_key = one("venues_by_key", "venue")

        self.paper_venue = one("paper_venues", "venue")
        self.paper_authors = many("paper_authors")
        self.paper_topics = many("paper_topics")
        self.paper_orgs = many("paper_orgs")
        self.paper_citation_years = many("paper_citation_years")
        self.author_orgs = many("author_orgs")

        self.paper_references = page("paper_references")
        self.paper_citations = page("paper_citations")
        self.author_papers = page("author_papers")
        self.topic_papers = page("topic_papers")
        self.venue_papers = page("venue_papers")
        self.org_papers = page("org_papers")
        self.org_authors = page("org_authors")
