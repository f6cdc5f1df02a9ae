"""The change feed and saved seed sets (``ChangesQuery``, one of ``schema.QUERY_PARTS``).

Every recorded load has a ``Meta:Load`` record keyed by the graph version it
produced, and the Paper nodes and CITES relationships it created carry its
load number (``addedBy``; docs/operations.md, "What each load added").
``changes(since:)`` lists the loads after a graph version with what each
added; ``seeds``, ``collection`` and ``topic`` narrow it ("what is new that
cites my papers"). ``Collection{name, seeds}`` saves a seed set;
``newCitations(since:)`` is its feed. Every list is bounded: at most
:data:`MAX_LOADS` loads, ``first`` items per list (counted by the row
budget like every ``first``), with the totals beside them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry

from graph_api.service.analytics_api import load_paper, load_papers, paper_key, resolve_keys
from graph_api.service.connections import checked_first
from graph_api.service.context import Info, resolver
from graph_api.service.errors import BadUserInput
from graph_api.service.types import Paper, parse_datetime
from loaders.rows import topic_key

MAX_LOADS = 50
DEFAULT_ITEMS = 20
MAX_SEEDS = 100


@strawberry.type(description="A citation a load added: `citing` cites `cited`.")
class AddedCitation:
    citing_id: strawberry.Private[str]
    cited_id: strawberry.Private[str]
    is_influential: bool | None = strawberry.field(
        description="Whether S2 marks the citation as influential"
    )
    version: int = strawberry.field(description="The graph version of the load that added it")

    @resolver(description="The citing paper (the new work)")
    async def citing(self, info: Info) -> Paper | None:
        return await load_paper(info, self.citing_id)

    @resolver(description="The cited paper")
    async def cited(self, info: Info) -> Paper | None:
        return await load_paper(info, self.cited_id)


@strawberry.type(description="One recorded load and what it added (narrowed by the feed's filter).")
class LoadChange:
    version: int = strawberry.field(description="The graph version this load produced")
    at: datetime.datetime | None = strawberry.field(description="When it was recorded (UTC)")
    source: str | None = strawberry.field(description="What was loaded (a file, `refresh`, ...)")
    status: str | None = strawberry.field(description="complete, partial, skipped, ok or failed")
    papers_added: int = strawberry.field(description="Papers it created (whole load, unfiltered)")
    citations_added: int = strawberry.field(
        description="Citations it created (whole load, unfiltered)"
    )
    papers_matched: int = strawberry.field(
        description="Papers it created that pass the filter (without one: `papersAdded`)"
    )
    citations_matched: int = strawberry.field(
        description="Citations it created that pass the filter (without one: `citationsAdded`)"
    )
    paper_ids: strawberry.Private[list[str]]
    added_citations: strawberry.Private[list[AddedCitation]]

    @resolver(
        description="The papers it created that pass the filter, by paperId (`first` of them)"
    )
    async def papers(self, info: Info) -> list[Paper]:
        return await load_papers(info, self.paper_ids)

    @resolver(
        description="The citations it created that pass the filter, by cited then citing paper "
        "(`first` of them)"
    )
    def citations(self) -> list[AddedCitation]:
        return self.added_citations


@strawberry.type(description="What loads added to the graph after a graph version.")
class ChangeFeed:
    since: int = strawberry.field(description="The graph version asked about (exclusive)")
    current_version: int | None = strawberry.field(
        description="The graph version now (null before any recorded load)"
    )
    loads: list[LoadChange] = strawberry.field(description="The loads after `since`, oldest first")
    truncated: bool = strawberry.field(
        description=f"More than {MAX_LOADS} loads followed `since`: ask again from the last one"
    )


@dataclass(frozen=True)
class _Filter:
    seeds: list[str] | None
    topic: str | None


async def _load_rows(info: Info, since: int) -> list[dict[str, Any]]:
    if since < 0:
        raise BadUserInput(f"`since` is a graph version, 0 or more (got {since})")
    return await info.context.reader.rows(
        "read/api/changes_loads", {"since": since, "limit": MAX_LOADS + 1}
    )


async def _changes_of(info: Info, load: dict[str, Any], flt: _Filter, first: int) -> LoadChange:
    where = {
        "fromNo": load["fromLoadNo"] or 0,
        "toNo": load["toLoadNo"] or 0,
        "seeds": flt.seeds,
        "topic": flt.topic,
    }
    reader = info.context.reader
    papers = await reader.rows("read/api/changes_papers", {**where, "limit": first})
    cites = await reader.rows("read/api/changes_citations", {**where, "limit": first})
    if flt.seeds is None and flt.topic is None:
        # Unfiltered, the totals are the ones the Load record counted.
        papers_total, cites_total = int(load["papersAdded"]), int(load["citationsAdded"])
    else:
        papers_total = int((await reader.one("read/api/changes_papers_count", where))["total"])
        cites_total = int((await reader.one("read/api/changes_citations_count", where))["total"])
    version = int(load["version"])
    return LoadChange(
        version=version,
        at=parse_datetime(load["at"]),
        source=load["source"],
        status=load["status"],
        papers_added=int(load["papersAdded"]),
        citations_added=int(load["citationsAdded"]),
        papers_matched=papers_total,
        citations_matched=cites_total,
        paper_ids=[str(p["paperId"]) for p in papers],
        added_citations=[
            AddedCitation(
                citing_id=str(c["citing"]),
                cited_id=str(c["cited"]),
                is_influential=c["isInfluential"],
                version=version,
            )
            for c in cites
        ],
    )


async def seed_ids(info: Info, ids: list[strawberry.ID]) -> list[str]:
    """Graph paperIds of ``ids`` (any id form); unknown ones are an error, not ignored."""
    if not ids:
        raise BadUserInput("`seeds` needs at least one paper id")
    if len(ids) > MAX_SEEDS:
        raise BadUserInput(f"{len(ids)} seeds; at most {MAX_SEEDS}")
    keys = [paper_key(str(i)) for i in ids]
    found = await resolve_keys(info, keys)
    # An S2 id is taken as given by resolve_keys: check that the graph has it.
    known = {p.paper_id for p in await load_papers(info, [f for f in found if f])}
    missing = [str(i) for i, f in zip(ids, found, strict=True) if f is None or f not in known]
    if missing:
        raise BadUserInput(f"not papers of the graph: {', '.join(missing[:10])}")
    return list(dict.fromkeys(str(f) for f in found if f))


async def _collection_rows(info: Info, names: list[str] | None) -> list[dict[str, Any]]:
    # Names are stored trimmed, inner spaces collapsed (store/collections.check_name):
    # a name is looked up the way it was saved.
    wanted = None if names is None else [" ".join(n.split()) for n in names]
    return await info.context.reader.rows("read/api/collections", {"names": wanted})


@strawberry.type(
    description="A saved seed set: its papers, and what later loads added citing them."
)
class Collection:
    name: str = strawberry.field(description="Its name (unique)")
    created_at: datetime.datetime | None = strawberry.field(description="When first saved (UTC)")
    updated_at: datetime.datetime | None = strawberry.field(description="When last saved (UTC)")
    seed_ids: strawberry.Private[list[str]]

    @resolver(description="Its seed papers, in the order saved")
    async def seeds(self, info: Info) -> list[Paper]:
        return await load_papers(info, self.seed_ids)

    @resolver(
        description="Citations of its seeds added by the loads after graph version `since`, "
        "oldest load first (`first` per load)"
    )
    async def new_citations(
        self,
        info: Info,
        since: Annotated[
            int, strawberry.argument(description="A graph version (exclusive): `stats` shows it")
        ],
        first: Annotated[
            int, strawberry.argument(description="At most this many citations per load")
        ] = DEFAULT_ITEMS,
    ) -> list[AddedCitation]:
        checked_first(first, info.context.settings, "newCitations")
        flt = _Filter(seeds=self.seed_ids, topic=None)
        out: list[AddedCitation] = []
        for load in (await _load_rows(info, since))[:MAX_LOADS]:
            out.extend((await _changes_of(info, load, flt, first)).added_citations)
        return out


def collection_of(row: dict[str, Any]) -> Collection:
    return Collection(
        name=str(row["name"]),
        created_at=parse_datetime(row.get("createdAt")),
        updated_at=parse_datetime(row.get("updatedAt")),
        seed_ids=[str(s) for s in row.get("seeds") or []],
    )


@strawberry.type
class ChangesQuery:
    @resolver(
        description="What the loads after graph version `since` added: per load, its papers and "
        "citations. `seeds` or `collection` keep the citations of those papers and the new papers "
        "citing them (what is new that cites my papers); `topic` keeps papers with that topic "
        "and citations made by them."
    )
    async def changes(
        self,
        info: Info,
        *,
        since: Annotated[
            int, strawberry.argument(description="A graph version (exclusive); 0 for every load")
        ],
        seeds: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only changes touching these papers (any id form)"),
        ] = None,
        collection: Annotated[
            str | None,
            strawberry.argument(description="Only changes touching this saved seed set's papers"),
        ] = None,
        topic: Annotated[
            str | None, strawberry.argument(description="Only papers with this topic (its name)")
        ] = None,
        first: Annotated[
            int,
            strawberry.argument(description="At most this many papers and citations per load"),
        ] = DEFAULT_ITEMS,
    ) -> ChangeFeed:
        checked_first(first, info.context.settings, "changes")
        followed: list[str] | None = None
        if seeds is not None and collection is not None:
            raise BadUserInput("give `seeds` or `collection`, not both")
        if seeds is not None:
            followed = await seed_ids(info, seeds)
        if collection is not None:
            rows = await _collection_rows(info, [collection])
            if not rows:
                raise BadUserInput(f"no collection named {collection!r}")
            followed = collection_of(rows[0]).seed_ids
        flt = _Filter(seeds=followed, topic=topic_key(topic) if topic is not None else None)
        loads = await _load_rows(info, since)
        current = await info.context.reader.one("read/analytics_graph_version")
        return ChangeFeed(
            since=since,
            current_version=current["version"],
            loads=[await _changes_of(info, load, flt, first) for load in loads[:MAX_LOADS]],
            truncated=len(loads) > MAX_LOADS,
        )

    @resolver(description="A saved seed set by name; null if there is none")
    async def collection(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The collection's name")],
    ) -> Collection | None:
        rows = await _collection_rows(info, [name])
        return collection_of(rows[0]) if rows else None

    @resolver(description="Every saved seed set, by name")
    async def collections(self, info: Info) -> list[Collection]:
        return [collection_of(r) for r in await _collection_rows(info, None)]
