"""The GraphQL object types: Paper, Author, Org, Topic, Venue and their connections.

Objects are built from the property maps the statements return
(:meth:`Paper.from_props` ...). Every field that reaches further into the
graph goes through the request's DataLoaders, so a list of N objects asking
for the same field costs one statement, not N.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Hashable, Iterable
from enum import Enum
from typing import Any, ClassVar, Literal, Self, TypeAlias

import strawberry
from strawberry import relay

from graph_api.service import analytics_fields
from graph_api.service.connections import (
    DEFAULT_AUTHORS,
    DEFAULT_PAGE_SIZE,
    DEFAULT_SHORT_LIST,
    Connection,
    Edge,
    TotalCount,
    checked_first,
)
from graph_api.service.context import Info, resolver
from graph_api.service.cursors import decode_keyset, keyset_cursor
from graph_api.service.dataloaders import Batched, ChildPage, Row

# Nested paper and author lists are ordered "most cited first, then id".
MOST_CITED = "MOST_CITED"


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_date(value: Any) -> datetime.date | None:
    """A stored ``YYYY-MM-DD`` (or a Neo4j/Python date) as a date; anything else is None.

    >>> parse_date("2024-02-29"), parse_date("2024"), parse_date(None)
    (datetime.date(2024, 2, 29), None, None)
    """
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime.datetime | None:
    """A stored ISO 8601 timestamp as an aware datetime (UTC when it names no zone).

    >>> parse_datetime("2026-11-28T05:01:02+00:00").isoformat()
    '2026-11-28T05:01:02+00:00'
    >>> parse_datetime("2026-11-28T05:01:02").tzinfo
    datetime.timezone.utc
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        stamp = value
    else:
        try:
            stamp = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=datetime.UTC)


@strawberry.type(description="A named number (a count, a duration in seconds, a version).")
class Measure:
    name: str = strawberry.field(description="What is measured, e.g. `citesWritten`, `tookS`")
    value: float = strawberry.field(description="The number")


def measures(values: dict[str, Any]) -> list[Measure]:
    """The numeric entries of ``values`` as :class:`Measure` s, sorted by name (booleans and
    text left out)."""
    return [
        Measure(name=k, value=float(v))
        for k, v in sorted(values.items())
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


@strawberry.type(description="The last load, as recorded on the graph.")
class LoadRecord:
    at: datetime.datetime | None = strawberry.field(description="When it finished (UTC)")
    source: str | None = strawberry.field(description="What was loaded (a file, `api:job:<id>`)")
    status: str | None = strawberry.field(
        description="Its enrichment: complete, partial, skipped, or failed"
    )
    counts: list[Measure] = strawberry.field(
        description="Rows written per kind, nodes and relationships created, seconds taken"
    )

    @classmethod
    def from_props(cls, props: Row | None) -> LoadRecord | None:
        if props is None:
            return None
        return cls(
            at=parse_datetime(props.get("at")),
            source=_str(props.get("source")),
            status=_str(props.get("status")),
            counts=measures(dict(props)),
        )


@strawberry.type(description="Citations received in one year (by the citing paper's year).")
class YearCount:
    year: int = strawberry.field(description="The citing papers' year")
    count: int = strawberry.field(description="Citations from papers of that year")


def _citation_field(field: Literal["references", "citations"]) -> Any:
    """``Paper.references`` or ``Paper.citations``: one resolver, two directions."""

    async def page(
        root: Paper,
        info: Info,
        *,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        influential_only: bool = False,
        intent: CitationIntent | None = None,
    ) -> CitationConnection:
        return await _citations(
            info,
            getattr(info.context.loaders, f"paper_{field}"),
            paper_id=root.paper_id,
            first=first,
            after=after,
            influential_only=influential_only,
            intent=intent,
            field=field,
        )

    papers = "Papers this paper cites" if field == "references" else "Papers citing this paper"
    return strawberry.field(
        resolver=page,
        description=f"{papers}, most cited first; `influentialOnly` and `intent` keep only "
        "influential citations or those with that intent.",
    )


class StoredNode(relay.Node):
    """A node the API fetches by its stored id through a DataLoader: Paper, Author, and
    Org, Topic and Venue (:class:`NamedNode`).

    A subclass names the loader (``by_key``) and the attribute holding the id
    (``id_attr``); Relay's ``node(id:)`` and the global ``id`` are written once here.
    """

    by_key: ClassVar[str]
    id_attr: ClassVar[str]

    @classmethod
    def from_props(cls, props: Row) -> Self:
        raise NotImplementedError

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return str(getattr(root, cls.id_attr))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader: Batched[Row | None] = getattr(info.context.loaders, cls.by_key)
        rows = await asyncio.gather(*(loader.load(i) for i in node_ids))
        return [None if r is None else cls.from_props(r) for r in rows]


@strawberry.type(
    description="A paper. Its global `id` is a Relay id; `paperId` is Semantic Scholar's id "
    "(or `title:<hash>` for a seed Semantic Scholar has not resolved)."
)
class Paper(StoredNode):
    paper_id: str = strawberry.field(
        description="Semantic Scholar's paper id (40 hex digits), or `title:<hash>` for a seed "
        "it has not resolved"
    )
    title: str | None = strawberry.field(
        default=None, description="Title as Semantic Scholar (or the source) gives it"
    )
    abstract: str | None = strawberry.field(
        default=None, description="Abstract, when the source gives one"
    )
    year: int | None = strawberry.field(default=None, description="Publication year")
    publication_date: datetime.date | None = strawberry.field(
        default=None, description="Publication date, when the source gives the day"
    )
    venue_name: str | None = strawberry.field(
        default=None, description="Venue as Semantic Scholar names it (see `venue` for the node)"
    )
    corpus_id: int | None = strawberry.field(
        default=None, description="Semantic Scholar's corpus id (`CorpusId:` form)"
    )
    arxiv_id: str | None = strawberry.field(default=None, description="Bare arXiv id, no version")
    doi: str | None = strawberry.field(default=None, description="Lower-cased DOI")
    citation_count: int | None = strawberry.field(
        default=None, description="Citations according to Semantic Scholar"
    )
    reference_count: int | None = strawberry.field(
        default=None,
        description="References according to Semantic Scholar (the graph may hold fewer)",
    )
    influential_citation_count: int | None = strawberry.field(
        default=None, description="Citations Semantic Scholar judges influential"
    )
    tldr: str | None = strawberry.field(
        default=None, description="Semantic Scholar's one-sentence summary"
    )
    url: str | None = strawberry.field(
        default=None, description="The paper's Semantic Scholar page"
    )
    open_access_pdf: str | None = strawberry.field(
        default=None, description="A link to an open-access PDF, when one is known"
    )
    is_seed: bool = strawberry.field(
        default=False, description="Listed in a loaded source (not only reached by citations)"
    )
    hf_upvotes: int | None = strawberry.field(default=None, description="Daily Papers upvotes")
    synthetic: bool = strawberry.field(default=False, description="From a synthetic corpus")
    enriched_at: datetime.datetime | None = strawberry.field(
        default=None, description="When Semantic Scholar's details were last written (UTC)"
    )
    pagerank: float | None = strawberry.field(
        default=None,
        description="PageRank on the citation graph (null until analytics ran)",
        deprecation_reason="Use `influence { pagerank }`",
    )
    pagerank_rank: int | None = strawberry.field(
        default=None,
        description="1 = highest PageRank (null until analytics ran)",
        deprecation_reason="Use `influence { rank }`",
    )
    pagerank_percentile: float | None = strawberry.field(
        default=None,
        description="Share of papers whose PageRank is at most this one's, 0..100",
        deprecation_reason="Use `influence { percentile }`",
    )
    community_id: strawberry.Private[int | None] = None
    # Analytics (graph_api/service/analytics_fields.py).
    influence = strawberry.field(
        resolver=analytics_fields.paper_influence,
        description=analytics_fields.DESCRIPTIONS["influence"],
    )
    community = strawberry.field(
        resolver=analytics_fields.paper_community,
        description=analytics_fields.DESCRIPTIONS["community"],
    )
    disruption = strawberry.field(
        resolver=analytics_fields.paper_disruption,
        description=analytics_fields.DESCRIPTIONS["disruption"],
    )
    coverage = strawberry.field(
        resolver=analytics_fields.paper_coverage,
        description=analytics_fields.DESCRIPTIONS["coverage"],
    )

    by_key: ClassVar[str] = "paper_by_id"
    id_attr: ClassVar[str] = "paper_id"

    @classmethod
    def from_props(cls, props: Row) -> Paper:
        return cls(
            paper_id=str(props["paperId"]),
            title=_str(props.get("title")),
            abstract=_str(props.get("abstract")),
            year=_int(props.get("year")),
            publication_date=parse_date(props.get("publicationDate")),
            venue_name=_str(props.get("venue")),
            corpus_id=_int(props.get("corpusId")),
            arxiv_id=_str(props.get("arxivId")),
            doi=_str(props.get("doi")),
            citation_count=_int(props.get("citationCount")),
            reference_count=_int(props.get("referenceCount")),
            influential_citation_count=_int(props.get("influentialCitationCount")),
            tldr=_str(props.get("tldr")),
            url=_str(props.get("url")),
            open_access_pdf=_str(props.get("openAccessPdf")),
            is_seed=bool(props.get("isSeed") or False),
            hf_upvotes=_int(props.get("hfUpvotes")),
            synthetic=bool(props.get("synthetic") or False),
            enriched_at=parse_datetime(props.get("enrichedAt")),
            pagerank=_float(props.get("pagerank")),
            pagerank_rank=_int(props.get("pagerankRank")),
            pagerank_percentile=_float(props.get("pagerankPercentile")),
            community_id=_int(props.get("community")),
        )

    @resolver(description="Authors in author order.")
    async def authors(self, info: Info, first: int = DEFAULT_AUTHORS) -> list[Author]:
        checked_first(first, info.context.settings, "authors")
        rows = await info.context.loaders.paper_authors.load(self.paper_id, limit=first)
        return [Author.from_props(r) for r in rows]

    @resolver(description="Topics, highest score first.")
    async def topics(self, info: Info, first: int = DEFAULT_SHORT_LIST) -> list[Topic]:
        checked_first(first, info.context.settings, "topics")
        rows = await info.context.loaders.paper_topics.load(self.paper_id, limit=first)
        return [Topic.from_props(r["topic"]) for r in rows]

    @resolver(description="Organisations: the one that submitted it and its authors' affiliations.")
    async def orgs(self, info: Info, first: int = DEFAULT_SHORT_LIST) -> list[Org]:
        checked_first(first, info.context.settings, "orgs")
        rows = await info.context.loaders.paper_orgs.load(self.paper_id, limit=first)
        return [Org.from_props(r) for r in rows]

    @resolver(description="Where it was published, when known.")
    async def venue(self, info: Info) -> Venue | None:
        row = await info.context.loaders.paper_venue.load(self.paper_id)
        return None if row is None else Venue.from_props(row)

    references: CitationConnection = _citation_field("references")
    citations: CitationConnection = _citation_field("citations")

    @resolver(description="Citations in the graph per year of the citing paper.")
    async def citation_counts_by_year(self, info: Info) -> list[YearCount]:
        rows = await info.context.loaders.paper_citation_years.load(self.paper_id)
        return [YearCount(year=int(r["year"]), count=int(r["count"])) for r in rows]


@strawberry.type(description="An author (Semantic Scholar author id).")
class Author(StoredNode):
    author_id: str = strawberry.field(description="Semantic Scholar's author id")
    name: str | None = strawberry.field(
        default=None, description="Name as Semantic Scholar gives it"
    )
    h_index: int | None = strawberry.field(default=None, description="h-index per Semantic Scholar")
    citation_count: int | None = strawberry.field(
        default=None, description="Citations of all the author's papers, per Semantic Scholar"
    )
    paper_count: int | None = strawberry.field(
        default=None, description="Papers per Semantic Scholar (the graph may hold fewer)"
    )
    orcid: str | None = strawberry.field(
        default=None, description="ORCID iD (bare, e.g. 0000-0002-9344-7439), from OpenAlex"
    )
    openalex_id: str | None = strawberry.field(
        default=None, description="OpenAlex author id (e.g. A5085171399) matched to this author"
    )
    # Analytics (graph_api/service/analytics_fields.py).
    graph_h_index = strawberry.field(
        resolver=analytics_fields.author_graph_h_index,
        description=analytics_fields.DESCRIPTIONS["graph_h_index"],
    )
    co_authors = strawberry.field(
        resolver=analytics_fields.author_coauthors,
        description=analytics_fields.DESCRIPTIONS["co_authors"],
    )

    by_key: ClassVar[str] = "author_by_id"
    id_attr: ClassVar[str] = "author_id"

    @classmethod
    def from_props(cls, props: Row) -> Author:
        return cls(
            author_id=str(props["authorId"]),
            name=_str(props.get("name")),
            h_index=_int(props.get("hIndex")),
            citation_count=_int(props.get("citationCount")),
            paper_count=_int(props.get("paperCount")),
            orcid=_str(props.get("orcid")),
            openalex_id=_str(props.get("openalexId")),
        )

    @resolver(description="The author's papers in the graph, most cited first.")
    async def papers(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> PaperConnection:
        return await child_papers(
            info,
            info.context.loaders.author_papers,
            node_id=self.author_id,
            first=first,
            after=after,
            field="papers",
        )

    @resolver(description="Organisations the author is affiliated with.")
    async def orgs(self, info: Info, first: int = DEFAULT_SHORT_LIST) -> list[Org]:
        checked_first(first, info.context.settings, "orgs")
        rows = await info.context.loaders.author_orgs.load(self.author_id, limit=first)
        return [Org.from_props(r) for r in rows]


@strawberry.type(description="A node keyed by a normalised name: an organisation, topic or venue.")
class NamedNode(StoredNode):
    """What Org, Topic and Venue share: identity by key, a paper count and their papers.

    Each subclass names its two loaders (``by_key``: the node by key; ``papers_of``: a
    page of its papers); the lookups, the count and the paging are written once here.
    """

    key: str = strawberry.field(description="The {owner}'s identity: its normalised name")
    name: str | None = strawberry.field(default=None, description="The {owner}'s display name")
    known_paper_count: strawberry.Private[int | None] = None
    id_attr: ClassVar[str] = "key"
    papers_of: ClassVar[str]

    @classmethod
    def from_props(cls, props: Row) -> Self:
        return cls(
            key=str(props["key"]),
            name=_str(props.get("name")),
            known_paper_count=_int(props.get("paperCount")),
            **cls.extra_props(props),
        )

    @classmethod
    def extra_props(cls, props: Row) -> dict[str, Any]:
        """Subclass-specific constructor arguments read from ``props``."""
        return {}

    @resolver(
        description="How many papers the {owner} has in the graph (the type's description "
        "says which)."
    )
    async def paper_count(self, info: Info) -> int:
        if self.known_paper_count is not None:
            return self.known_paper_count
        row = await getattr(info.context.loaders, self.by_key).load(self.key)
        return 0 if row is None else int(row["paperCount"])

    @resolver(description="The {owner}'s papers, most cited first.")
    async def papers(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> PaperConnection:
        return await child_papers(
            info,
            getattr(info.context.loaders, self.papers_of),
            node_id=self.key,
            first=first,
            after=after,
            field="papers",
        )


@strawberry.type(
    description="An organisation: a Daily Papers submitter or an affiliation. Its papers are "
    "those it submitted or its authors wrote."
)
class Org(NamedNode):
    key: str = strawberry.field(
        description="The organisation's identity: its normalised name; one from OpenAlex is"
        " 'ror:<ROR id>', or 'openalex:<institution id>' without one"
    )
    handle: str | None = strawberry.field(default=None, description="Hugging Face handle")
    ror: str | None = strawberry.field(default=None, description="ROR id URL, from OpenAlex")
    openalex_id: str | None = strawberry.field(
        default=None, description="OpenAlex institution id (e.g. I18014758)"
    )
    country: str | None = strawberry.field(default=None, description="ISO 3166 country code")
    kind: str | None = strawberry.field(
        default=None,
        name="type",
        description="OpenAlex/ROR institution type: education, company, facility, ...",
    )
    aliases: list[str] = strawberry.field(
        default_factory=list,
        description="Spellings seen for it: OpenAlex's name and the raw affiliation strings",
    )
    by_key: ClassVar[str] = "org_by_key"
    papers_of: ClassVar[str] = "org_papers"

    @classmethod
    def extra_props(cls, props: Row) -> dict[str, Any]:
        aliases = props.get("aliases")
        return {
            "handle": _str(props.get("handle")),
            "ror": _str(props.get("ror")),
            "openalex_id": _str(props.get("openalexId")),
            "country": _str(props.get("country")),
            "kind": _str(props.get("type")),
            "aliases": [str(a) for a in aliases] if isinstance(aliases, list) else [],
        }

    @resolver(description="Authors affiliated with it, most cited first.")
    async def authors(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> AuthorConnection:
        checked_first(first, info.context.settings, "authors")
        keyset = decode_keyset(after, MOST_CITED) if after else None
        page = await info.context.loaders.org_authors.load(
            self.key,
            afterKey=None if keyset is None else keyset.key,
            afterId=None if keyset is None else keyset.id,
            limit=first + 1,
        )
        edges = [
            AuthorEdge(
                cursor=keyset_cursor(MOST_CITED, item["key"], item["author"]["authorId"]),
                node=Author.from_props(item["author"]),
            )
            for item in page.items[:first]
        ]
        return AuthorConnection.page(
            edges, has_next=len(page.items) > first, after=after, total=TotalCount(known=page.total)
        )


@strawberry.type(
    description="A topic: a Semantic Scholar field of study or a keyphrase. Its papers are "
    "those tagged with it."
)
class Topic(NamedNode):
    source: str | None = strawberry.field(
        default=None, description="'s2-fos', 'keyphrase' or 'openalex' (who named it first)"
    )
    level: str | None = strawberry.field(
        default=None, description="OpenAlex level: 'topic', 'subfield', 'field' or 'domain'"
    )
    by_key: ClassVar[str] = "topic_by_key"
    papers_of: ClassVar[str] = "topic_papers"

    @classmethod
    def extra_props(cls, props: Row) -> dict[str, Any]:
        return {"source": _str(props.get("source")), "level": _str(props.get("level"))}


@strawberry.type(
    description="A publication venue (journal, conference). Its papers are those published there."
)
class Venue(NamedNode):
    type: str | None = strawberry.field(
        default=None, description="Kind of venue when known (journal, conference)"
    )
    by_key: ClassVar[str] = "venue_by_key"
    papers_of: ClassVar[str] = "venue_papers"

    @classmethod
    def extra_props(cls, props: Row) -> dict[str, Any]:
        return {"type": _str(props.get("type"))}


# --- connections (graph_api/service/connections.py holds the fields) ----------


# One alias per list the API serves; ConnectionNames names each in the SDL
# (PaperEdge, PaperConnection ...) and descriptions.describe describes it.
PaperEdge: TypeAlias = Edge[Paper]
PaperConnection: TypeAlias = Connection[Paper, PaperEdge]
AuthorEdge: TypeAlias = Edge[Author]
AuthorConnection: TypeAlias = Connection[Author, AuthorEdge]
OrgConnection: TypeAlias = Connection[Org, Edge[Org]]
TopicConnection: TypeAlias = Connection[Topic, Edge[Topic]]


@strawberry.enum(description="Why a paper cites another, as Semantic Scholar classifies it.")
class CitationIntent(Enum):
    METHODOLOGY = strawberry.enum_value(
        "methodology", description="Uses the cited paper's method, tool or data"
    )
    BACKGROUND = strawberry.enum_value(
        "background", description="Cites it as background or related work"
    )
    RESULT = strawberry.enum_value("result", description="Compares with or extends its results")


@strawberry.type(description="A sentence of the citing paper that cites, with its intents.")
class CitationContext:
    text: str = strawberry.field(
        description="The citing sentence, as Semantic Scholar extracted it"
    )
    intents: list[str] = strawberry.field(
        description="Intents of this sentence ('methodology', 'background', 'result'); often none"
    )


def citation_contexts(texts: Any, intents: Any) -> list[CitationContext]:
    """CITES' parallel ``contexts`` / ``contextIntents`` lists as context objects.

    >>> [(c.text, c.intents) for c in citation_contexts(["a", "b"], ["methodology,result", ""])]
    [('a', ['methodology', 'result']), ('b', [])]
    """
    texts = list(texts or [])
    joined = list(intents or [])
    return [
        CitationContext(
            text=str(text),
            intents=[i for i in (joined[n] if n < len(joined) else "").split(",") if i],
        )
        for n, text in enumerate(texts)
    ]


@strawberry.type(description="What Semantic Scholar says of one citation: whether, why, where.")
class CitationFacts:
    """The fields every citation answer carries (``CitationEdge``, ``CitationBetween``)."""

    is_influential: bool | None = strawberry.field(
        description="Semantic Scholar's judgement that the citation is influential"
    )
    intents: list[str] = strawberry.field(
        description="Why it cites: 'methodology', 'background', 'result'"
    )
    contexts: list[CitationContext] = strawberry.field(
        description="The citing sentences with their intents (empty when Semantic Scholar has none)"
    )


@strawberry.type(
    name="CitationEdge",
    description="A citation: `node` is the other paper; the edge carries the link.",
)
class CitationEdge(Edge[Paper], CitationFacts):
    pass


@strawberry.type(name="SearchEdge", description="A search hit with its relevance score.")
class SearchEdge(Edge[Paper]):
    score: float = strawberry.field(description="Full-text relevance (higher is better)")


CitationConnection: TypeAlias = Connection[Paper, CitationEdge]
SearchConnection: TypeAlias = Connection[Paper, SearchEdge]


@strawberry.type(description="Size of the graph and the last load.")
class Stats:
    papers: int = strawberry.field(description="Paper nodes")
    authors: int = strawberry.field(description="Author nodes")
    orgs: int = strawberry.field(description="Org nodes")
    topics: int = strawberry.field(description="Topic nodes")
    venues: int = strawberry.field(description="Venue nodes")
    cites: int = strawberry.field(description="CITES relationships")
    authored: int = strawberry.field(description="AUTHORED relationships")
    affiliated_with: int = strawberry.field(description="AFFILIATED_WITH relationships")
    submitted: int = strawberry.field(description="SUBMITTED relationships")
    has_topic: int = strawberry.field(description="HAS_TOPIC relationships")
    published_in: int = strawberry.field(description="PUBLISHED_IN relationships")
    last_load: LoadRecord | None = strawberry.field(
        description="The last load as recorded on the graph (null before the first)"
    )


# --- nested page builders ------------------------------------------------------


async def _citations(
    info: Info,
    loader: Batched[ChildPage],
    *,
    paper_id: str,
    first: int,
    after: str | None,
    influential_only: bool,
    intent: CitationIntent | None,
    field: str,
) -> CitationConnection:
    checked_first(first, info.context.settings, field)
    keyset = decode_keyset(after, MOST_CITED) if after else None
    page = await loader.load(
        paper_id,
        influentialOnly=influential_only,
        intent=None if intent is None else intent.value,
        afterKey=None if keyset is None else keyset.key,
        afterId=None if keyset is None else keyset.id,
        limit=first + 1,
    )
    edges = [
        CitationEdge(
            cursor=keyset_cursor(MOST_CITED, item["key"], item["paper"]["paperId"]),
            node=Paper.from_props(item["paper"]),
            is_influential=item.get("isInfluential"),
            intents=[str(i) for i in item.get("intents") or []],
            contexts=citation_contexts(item.get("contexts"), item.get("contextIntents")),
        )
        for item in page.items[:first]
    ]
    return CitationConnection.page(
        edges, has_next=len(page.items) > first, after=after, total=TotalCount(known=page.total)
    )


async def child_papers(
    info: Info,
    loader: Batched[ChildPage],
    *,
    node_id: Hashable,
    first: int,
    after: str | None,
    field: str,
) -> PaperConnection:
    """A page of papers hanging off one node (an author's, a topic's ...)."""
    checked_first(first, info.context.settings, field)
    keyset = decode_keyset(after, MOST_CITED) if after else None
    page = await loader.load(
        node_id,
        afterKey=None if keyset is None else keyset.key,
        afterId=None if keyset is None else keyset.id,
        limit=first + 1,
    )
    edges = [
        PaperEdge(
            cursor=keyset_cursor(MOST_CITED, item["key"], item["paper"]["paperId"]),
            node=Paper.from_props(item["paper"]),
        )
        for item in page.items[:first]
    ]
    return PaperConnection.page(
        edges, has_next=len(page.items) > first, after=after, total=TotalCount(known=page.total)
    )
