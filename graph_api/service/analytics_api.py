"""Analytics root fields of the GraphQL API (``AnalyticsQuery``, one of ``schema.QUERY_PARTS``).

Every field checks its bounds first (depth <= 5, k <= 50, seed sets <= 100,
via :mod:`graph_api.analytics.limits`) and answers ``BAD_USER_INPUT`` before
anything reaches Neo4j. Then it works either on

* what ``citekb analytics`` **stored** (``influentialPapers``, ``communities``,
  ``analyticsStatus``): index-backed reads, or on
* the **projection** shared by the app's requests
  (:mod:`graph_api.service.analytics_runtime`): the pure functions of
  :mod:`graph_api.analytics` run on it in a worker thread.

Results name papers by ``paperId`` and give the ``Paper`` itself through the
request's DataLoader, so a result's papers cost one statement together.
Paper ids are accepted in every form ``paper(id:)`` takes; an unknown paper
gives ``null`` (or, in a seed set, is listed in ``missing``).
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Literal, TypeVar

import networkx as nx
import strawberry

from graph_api.analytics import (
    EdgeKind,
    MainPath,
    Scored,
    check_depth,
    check_k,
    check_seeds,
    citation_paths,
    citation_view,
    coverage,
    derivative_works,
    lineage,
    main_path,
    prior_works,
    rank_members,
    rising_topics,
    similar_papers,
    topic_papers,
)
from graph_api.analytics.lineage import Edge
from graph_api.analytics.ranking import MemberRank
from graph_api.analytics.sparse_rank import RankMatrix, top_personalised
from graph_api.service.analytics_fields import Community, Coverage, checked, stored_community
from graph_api.service.bibliography import Bibliography, CitationFormat, make_bibliography
from graph_api.service.connections import checked_first
from graph_api.service.context import Info, resolver
from graph_api.service.dataloaders import Row
from graph_api.service.errors import BadUserInput
from graph_api.service.inputs import Ordering, descending
from graph_api.service.paper_ids import InvalidPaperId, PaperKey, parse_paper_id
from graph_api.service.types import Org, Paper, Topic, YearCount, parse_datetime
from graph_api.store.analytics_store import TOPIC_TOP as STORED_TOPIC_TOP
from graph_api.store.analytics_store import StoredAnalytics
from graph_api.store.projection import Projection
from loaders.rows import topic_key

DEFAULT_LINEAGE_PAPERS = 100
DEFAULT_K = 10
DEFAULT_SEED_K = 20
MAX_TREND_WINDOW = 10


# --- ids and papers ------------------------------------------------------------


def paper_key(given: str) -> PaperKey:
    try:
        return parse_paper_id(given)
    except InvalidPaperId as exc:
        raise BadUserInput(str(exc)) from exc


async def resolve_keys(info: Info, keys: list[PaperKey]) -> list[str | None]:
    """The paperId of each key (S2 ids as given; arXiv/DOI/CorpusId looked up, batched)."""
    loaders = info.context.loaders
    by_kind = {
        "arxiv": loaders.paper_by_arxiv,
        "doi": loaders.paper_by_doi,
        "corpus": loaders.paper_by_corpus,
    }

    async def one(key: PaperKey) -> str | None:
        if key.kind == "paper":
            return str(key.value)
        row = await by_kind[key.kind].load(key.value)
        return None if row is None else str(row["paperId"])

    return list(await asyncio.gather(*(one(k) for k in keys)))


async def projected_paper(info: Info, key: PaperKey) -> tuple[str, Projection] | None:
    """The paper's id and the request's projection, or None when the graph or the
    projection (papers loaded since analytics last ran) does not hold the paper."""
    (paper_id,) = await resolve_keys(info, [key])
    if paper_id is None:
        return None
    projection = await info.context.analytics.projection()
    return None if paper_id not in projection.graph else (paper_id, projection)


async def load_paper(info: Info, paper_id: str) -> Paper | None:
    row = await info.context.loaders.paper_by_id.load(paper_id)
    return None if row is None else Paper.from_props(row)


async def load_papers(info: Info, paper_ids: list[str]) -> list[Paper]:
    """Papers in the order given (one statement); a paper deleted meanwhile is left out."""
    found = await asyncio.gather(*(load_paper(info, p) for p in paper_ids))
    return [p for p in found if p is not None]


@strawberry.type(description="A paper named by its paperId in an answer; `paper` loads it.")
class PaperById:
    paper_id: strawberry.ID = strawberry.field(
        description="The paper's Semantic Scholar id (paperId)"
    )

    @resolver(description="The paper (null only if it was deleted after the answer was computed).")
    async def paper(self, info: Info) -> Paper | None:
        # A subclass may carry the paper its statement already returned (``known``).
        known: Paper | None = getattr(self, "known", None)
        return known if known is not None else await load_paper(info, self.paper_id)


# --- lineage -------------------------------------------------------------------


@strawberry.enum(description="Which way a lineage walks from its paper.")
class LineageDirection(Enum):
    ANCESTORS = strawberry.enum_value(
        "ancestors", description="Papers the root builds on (its references, and theirs)"
    )
    DESCENDANTS = strawberry.enum_value(
        "descendants", description="Papers that build on the root (its citations, and theirs)"
    )
    BOTH = strawberry.enum_value("both", description="Both ways")


@strawberry.enum(description="How a paper of a lineage relates to its root.")
class LineageRelation(Enum):
    ROOT = strawberry.enum_value("root", description="The paper the lineage is of")
    ANCESTOR = strawberry.enum_value("ancestor", description="Reached through references")
    DESCENDANT = strawberry.enum_value("descendant", description="Reached through citations")


@strawberry.enum(description="Which citations a lineage follows.")
class LineageEdges(Enum):
    ALL = strawberry.enum_value("all", description="Every citation")
    INFLUENTIAL = strawberry.enum_value(
        "influential", description="Only citations Semantic Scholar marks influential"
    )
    METHODOLOGY = strawberry.enum_value(
        "methodology", description="Only citations with a 'methodology' intent"
    )


_FOLLOW: dict[LineageEdges, EdgeKind] = {
    LineageEdges.ALL: "all",
    LineageEdges.INFLUENTIAL: "influential",
    LineageEdges.METHODOLOGY: "methodology",
}


@dataclass(frozen=True)
class LineageView:
    """A lineage in one or both directions (what the GraphQL type shows)."""

    depth: dict[str, int]
    relation: dict[str, LineageRelation]
    edges: list[Edge]
    main_path: MainPath
    truncated: bool


def lineage_view(
    G: nx.DiGraph,
    paper: str,
    direction: LineageDirection,
    depth: int,
    first: int,
    *,
    edges: LineageEdges = LineageEdges.ALL,
) -> LineageView:
    """:func:`graph_api.analytics.lineage` in one direction, or both merged.

    ``edges`` keeps only one kind of citation for the walk, the listed
    citations and the main path (:func:`graph_api.analytics.citation_view`).
    BOTH keeps the ``first`` papers nearest to the root (by hops, then paper
    id) of the two walks, the citations among them, and the main path of that
    subgraph: the same rules as one direction.

    >>> G = nx.DiGraph([("c", "b"), ("b", "a")])
    >>> view = lineage_view(G, "b", LineageDirection.BOTH, depth=1, first=10)
    >>> view.depth, [r.name for r in view.relation.values()], view.main_path.papers
    ({'b': 0, 'a': 1, 'c': 1}, ['ROOT', 'ANCESTOR', 'DESCENDANT'], ['a', 'b', 'c'])
    """
    G = citation_view(G, _FOLLOW[edges])
    if direction is not LineageDirection.BOTH:
        way: Literal["ancestors", "descendants"] = (
            "ancestors" if direction is LineageDirection.ANCESTORS else "descendants"
        )
        lin = lineage(G, paper, direction=way, depth=depth, max_papers=first)
        rel = (
            LineageRelation.ANCESTOR
            if direction is LineageDirection.ANCESTORS
            else LineageRelation.DESCENDANT
        )
        relation = {p: LineageRelation.ROOT if p == paper else rel for p in lin.depth}
        return LineageView(lin.depth, relation, lin.edges, lin.main_path, lin.truncated)
    up = lineage(G, paper, direction="ancestors", depth=depth, max_papers=first)
    down = lineage(G, paper, direction="descendants", depth=depth, max_papers=first)
    merged: dict[str, tuple[int, LineageRelation]] = {
        p: (d, LineageRelation.DESCENDANT) for p, d in down.depth.items()
    }
    for p, d in up.depth.items():
        if p not in merged or d <= merged[p][0]:  # a cycle can make a paper both
            merged[p] = (d, LineageRelation.ANCESTOR)
    merged[paper] = (0, LineageRelation.ROOT)
    ordered = sorted(merged, key=lambda p: (merged[p][0], p))
    kept = ordered[:first]
    sub = G.subgraph(kept)
    return LineageView(
        depth={p: merged[p][0] for p in kept},
        relation={p: merged[p][1] for p in kept},
        edges=sorted((str(u), str(v)) for u, v in sub.edges),
        main_path=main_path(sub),
        truncated=up.truncated or down.truncated or len(ordered) > first,
    )


@strawberry.type(description="A citation between two papers: `citing` cites `cited`.")
class CitationLink:
    citing: strawberry.ID = strawberry.field(description="paperId of the citing paper")
    cited: strawberry.ID = strawberry.field(description="paperId of the cited paper")


def _links(edges: list[Edge]) -> list[CitationLink]:
    return [CitationLink(citing=strawberry.ID(u), cited=strawberry.ID(v)) for u, v in edges]


@strawberry.type(description="A paper of a lineage and its distance from the root.")
class LineagePaper(PaperById):
    depth: int = strawberry.field(description="Citation hops from the root (the root is 0)")
    relation: LineageRelation = strawberry.field(description="How it relates to the root")


@strawberry.type(description="Papers in a chain of citations, in order.")
class PaperChain:
    paper_ids: list[strawberry.ID] = strawberry.field(
        description="The papers' ids along the chain, in order"
    )

    @resolver(description="The papers along the chain, in order (one statement).")
    async def papers(self, info: Info) -> list[Paper]:
        return await load_papers(info, list(self.paper_ids))


@strawberry.type(
    description="The main path by search path count (SPC): the chain of citations that the "
    "most source-to-sink citation paths run through. Oldest first: each paper is cited by "
    "the next."
)
class LineageMainPath(PaperChain):
    spc: list[int] = strawberry.field(
        description="spc[i]: the search path count of the citation between papers i and i+1"
    )


@strawberry.type(description="Papers within `depth` citation hops of a paper, with the main path.")
class Lineage:
    root_id: strawberry.ID = strawberry.field(description="The paper the lineage is of")
    direction: LineageDirection = strawberry.field(description="Which way it was walked")
    depth: int = strawberry.field(description="The depth asked for (1..5)")
    nodes: list[LineagePaper] = strawberry.field(
        description="The root first, then by hops; within a hop by paperId"
    )
    edges: list[CitationLink] = strawberry.field(description="The citations among `nodes`")
    main_path: LineageMainPath = strawberry.field(
        description="The main path through the lineage (search path count)"
    )
    dropped_cycle_edges: list[CitationLink] = strawberry.field(
        description="Citations dropped to break cycles (data errors) before the main path"
    )
    truncated: bool = strawberry.field(
        description="True when `first` cut the walk short (the nearest papers were kept)"
    )
    coverage: Coverage = strawberry.field(
        description="The root's references and citations: S2's counts against the graph's (a "
        "lineage can only walk what the graph holds)"
    )

    @resolver(description="The paper the lineage starts from.")
    async def root(self, info: Info) -> Paper | None:
        return await load_paper(info, self.root_id)

    @resolver(description="The lineage's papers as BibTeX or RIS, in node order.")
    async def bibliography(self, info: Info, format: CitationFormat) -> Bibliography:
        return await make_bibliography(info, [str(n.paper_id) for n in self.nodes], format)

    @classmethod
    def of(
        cls,
        root: str,
        direction: LineageDirection,
        depth: int,
        view: LineageView,
        root_coverage: Coverage,
    ) -> Lineage:
        return cls(
            coverage=root_coverage,
            root_id=strawberry.ID(root),
            direction=direction,
            depth=depth,
            nodes=[
                LineagePaper(paper_id=strawberry.ID(p), depth=d, relation=view.relation[p])
                for p, d in view.depth.items()
            ],
            edges=_links(view.edges),
            main_path=LineageMainPath(
                paper_ids=[strawberry.ID(p) for p in view.main_path.papers],
                spc=list(view.main_path.spc),
            ),
            dropped_cycle_edges=_links(view.main_path.broken_edges),
            truncated=view.truncated,
        )


# --- citation paths ------------------------------------------------------------


@strawberry.enum(description="One step of a citation path.")
class CitationStep(Enum):
    CITES = strawberry.enum_value("cites", description="This paper cites the next")
    CITED_BY = strawberry.enum_value("cited_by", description="This paper is cited by the next")


@strawberry.type(
    description="A chain of citations; `steps[i]` says whether paper i cites paper i+1 or is "
    "cited by it."
)
class CitationPath(PaperChain):
    length: int = strawberry.field(description="Citations in the path")
    steps: list[CitationStep] = strawberry.field(
        description="How each step goes: the paper cites the next, or is cited by it"
    )


@strawberry.type(description="The shortest citation paths between two papers, shortest first.")
class CitationPaths:
    source_id: strawberry.ID | None = strawberry.field(
        description="paperId of `from` (null when it is not in the graph)"
    )
    target_id: strawberry.ID | None = strawberry.field(
        description="paperId of `to` (null when it is not in the graph)"
    )
    directed: bool = strawberry.field(
        description="Whether paths follow citations only forward (cites) or either way"
    )
    found: bool = strawberry.field(description="False when there is no path (see `message`)")
    message: str | None = strawberry.field(description="Why nothing was found")
    paths: list[CitationPath] = strawberry.field(description="The shortest paths, at most `k`")

    @resolver(description="The paper the paths start from (`from`).")
    async def source(self, info: Info) -> Paper | None:
        return None if self.source_id is None else await load_paper(info, self.source_id)

    @resolver(description="The paper the paths end at (`to`).")
    async def target(self, info: Info) -> Paper | None:
        return None if self.target_id is None else await load_paper(info, self.target_id)


def no_path_message(source: str, target: str, directed: bool) -> str:
    if directed:
        return (
            f"no citation path from {source} to {target} following references ({source} does "
            "not build on it, even indirectly); `directed: false` also follows citations backwards"
        )
    return f"{source} and {target} are not connected by citations in this graph"


# --- scored papers -------------------------------------------------------------


@strawberry.type(description="An influential paper and its PageRank.")
class InfluentialPaper(PaperById):
    score: float = strawberry.field(
        description="Stored PageRank, or topic-personalised PageRank with `personalized: true`"
    )
    known: strawberry.Private[Paper | None] = None


@strawberry.enum(description="How `similarPapers` measures similarity.")
class SimilarityMethod(Enum):
    CO_CITATION = strawberry.enum_value(
        "co_citation", description="Cited together by the same papers"
    )
    COUPLING = strawberry.enum_value(
        "coupling", description="Citing the same papers (bibliographic coupling)"
    )
    ADAMIC_ADAR = strawberry.enum_value(
        "adamic_adar", description="Shared neighbours, rarer neighbours weighing more"
    )


SIMILARITY: dict[SimilarityMethod, Literal["co_citation", "coupling", "adamic_adar"]] = {
    SimilarityMethod.CO_CITATION: "co_citation",
    SimilarityMethod.COUPLING: "coupling",
    SimilarityMethod.ADAMIC_ADAR: "adamic_adar",
}


@strawberry.type(description="A similar paper with its score.")
class SimilarPaper(PaperById):
    score: float = strawberry.field(
        description="CO_CITATION: papers citing both; COUPLING: Salton's cosine of shared "
        "references; ADAMIC_ADAR: sum of 1/log(degree) over shared neighbours"
    )
    shared: int = strawberry.field(description="Shared citers, references or neighbours")
    coverage: Coverage = strawberry.field(
        description="This paper's references and citations: S2's counts against the graph's "
        "(shared citers and references are counted among what the graph holds; the asked "
        "paper's own is `paper(id:) { coverage }`)"
    )


@strawberry.type(description="A prior or derivative work of a seed set.")
class SeedWork(PaperById):
    count: int = strawberry.field(description="Seeds it is cited by (prior) or cites (derivative)")
    score: float = strawberry.field(description="count / seeds found in the graph")


@strawberry.type(description="Prior or derivative works of a seed set, best first.")
class SeedWorks:
    works: list[SeedWork] = strawberry.field(description="The works, most shared first")
    seeds: list[strawberry.ID] = strawberry.field(description="Seed paperIds found in the graph")
    missing: list[str] = strawberry.field(description="Seed ids (as given) not in the graph")


# --- rankings and trends -------------------------------------------------------


@strawberry.enum(description="What a ranking sorts by.")
class RankField(Enum):
    INFLUENCE = strawberry.enum_value(
        "influence", description="Summed PageRank of the member's papers (ties: more papers)"
    )
    PAPERS = strawberry.enum_value(
        "papers", description="Papers in the graph (ties: more influence)"
    )


@strawberry.input(description="Order of a ranking; the default is the most influential first.")
class RankOrder(Ordering):
    field: RankField = strawberry.field(default=RankField.INFLUENCE, description="The sort key")


_RANKING = (
    "{members} ranked by `orderBy`: summed PageRank of their papers (INFLUENCE, the default) "
    "or papers (PAPERS), on the current graph. `first` 1..50."
)
_R = TypeVar("_R")


async def _ranked(
    info: Info,
    kind: Literal["orgs", "topics"],
    order: RankOrder | None,
    first: int,
    build: Callable[[MemberRank, Row | None], _R],
) -> list[_R]:
    """Org or topic ranks on the current projection, each built with its node's row (or None)."""
    checked(lambda: check_k(first, name="first"))
    order = order or RankOrder()
    by: Literal["influence", "papers"] = (
        "influence" if order.field is RankField.INFLUENCE else "papers"
    )
    analytics = info.context.analytics
    projection = await analytics.projection()
    scores = await analytics.compute(projection.pagerank)
    members = projection.orgs if kind == "orgs" else projection.topics
    desc = descending(order.field, order.direction)
    ranked = rank_members(members, scores, by=by, k=first, descending=desc)
    loaders = info.context.loaders
    # Topic members are display names; org members are already keys.
    loads = (
        loaders.org_by_key.load(r.member)
        if kind == "orgs"
        else loaders.topic_by_key.load(topic_key(r.member))
        for r in ranked
    )
    rows = await asyncio.gather(*loads)
    return [build(r, row) for r, row in zip(ranked, rows, strict=True)]


@strawberry.type(description="A group of papers (an organisation's, a topic's) and its weight.")
class MemberShare:
    papers: int = strawberry.field(description="Its papers in the graph")
    influence: float = strawberry.field(description="Sum of its papers' PageRank")


@strawberry.type(description="An organisation's papers in the graph and their summed PageRank.")
class OrgRank(MemberShare):
    key: str = strawberry.field(description="The organisation's key (normalised name)")
    org: Org | None = strawberry.field(description="The organisation")

    @classmethod
    def of(cls, r: MemberRank, row: Row | None) -> OrgRank:
        org = None if row is None else Org.from_props(row)
        return cls(key=r.member, papers=r.papers, influence=r.influence, org=org)


@strawberry.type(description="A topic's papers in the graph and their summed PageRank.")
class TopicRank(MemberShare):
    name: str = strawberry.field(description="The topic's name")
    topic: Topic | None = strawberry.field(description="The topic")

    @classmethod
    def of(cls, r: MemberRank, row: Row | None) -> TopicRank:
        topic = None if row is None else Topic.from_props(row)
        return cls(name=r.member, papers=r.papers, influence=r.influence, topic=topic)


@strawberry.type(
    description="A topic's papers per year over two windows and how fast its share grows."
)
class TopicTrend:
    name: str = strawberry.field(description="The topic's name")
    per_year: list[YearCount] = strawberry.field(description="Papers per year, both windows")
    recent: int = strawberry.field(description="Papers in the recent window")
    earlier: int = strawberry.field(description="Papers in the window before")
    growth: float = strawberry.field(
        description="Growth of its share of all papers, recent over earlier (add-one smoothed)"
    )
    slope: float = strawberry.field(description="Least-squares slope of papers per year")
    topic: Topic | None = strawberry.field(description="The topic")


@strawberry.type(description="Whether the stored analytics match the current graph.")
class AnalyticsStatus:
    graph_version: int | None = strawberry.field(description="Bumped by every recorded load")
    analytics_version: int | None = strawberry.field(
        description="The graph version the stored scores were computed on"
    )
    computed_at: datetime.datetime | None = strawberry.field(
        description="When the stored scores were computed (UTC)"
    )
    computed: bool = strawberry.field(description="Whether analytics ever ran on this graph")
    fresh: bool = strawberry.field(description="Computed on the current graph version")
    papers: int | None = strawberry.field(
        description="Papers in the projection the scores were computed on"
    )
    communities: int | None = strawberry.field(description="Communities found")
    message: str = strawberry.field(description="What the status means and what to do")

    @classmethod
    def of(cls, stored: StoredAnalytics) -> AnalyticsStatus:
        if not stored.computed:
            message = "analytics never computed: run `citekb analytics` (or recomputeAnalytics)"
        elif stored.stale:
            message = (
                f"stale: computed on graph version {stored.analytics_version}, the graph is at "
                f"{stored.graph_version}; run `citekb analytics` (or recomputeAnalytics)"
            )
        else:
            message = f"fresh: computed on graph version {stored.graph_version}"
        return cls(
            graph_version=stored.graph_version,
            analytics_version=stored.analytics_version,
            computed_at=parse_datetime(stored.computed_at),
            computed=stored.computed,
            fresh=not stored.stale,
            papers=stored.papers,
            communities=stored.communities,
            message=message,
        )


def personalised_influence(
    matrix: RankMatrix,
    G: nx.DiGraph,
    seeds: list[str],
    years: tuple[int, int] | None,
    k: int,
    *,
    include_seeds: bool,
    should_stop: Callable[[], bool],
) -> list[Scored]:
    """Top ``k`` by PageRank personalised on ``seeds``, optionally within ``years``
    (inclusive; papers without a year then left out). Stops when ``should_stop`` says so."""

    def in_years(paper: str) -> bool:
        if years is None:
            return True
        year = G.nodes[paper].get("year")
        return year is not None and years[0] <= int(year) <= years[1]

    best = top_personalised(
        matrix, seeds, k=k, include_seeds=include_seeds, keep=in_years, should_stop=should_stop
    )
    return [Scored(paper_id=p, score=s) for p, s in best]


def stored_topic_rank(
    row: Row | None, graph_version: int | None, k: int, stored_top: int = STORED_TOPIC_TOP
) -> list[Scored] | None:
    """The topic's stored personalised ranking, or ``None`` when it cannot answer (not
    stored, or stored on another graph version).

    >>> row = {"paperIds": ["a", "b"], "scores": [0.5, 0.2], "version": 3}
    >>> stored_topic_rank(row, 3, 1), stored_topic_rank(row, 4, 1)
    ([Scored(paper_id='a', score=0.5)], None)
    """
    if row is None or row.get("paperIds") is None or row.get("version") != graph_version:
        return None
    if k > stored_top:
        return None  # more than was stored (first is at most 50, the list 200 by default)
    return [
        Scored(paper_id=str(p), score=float(s))
        for p, s in zip(row["paperIds"][:k], row["scores"][:k], strict=True)
    ]


def _years(year_from: int | None, year_to: int | None) -> tuple[int, int] | None:
    if year_from is None and year_to is None:
        return None
    first = year_from if year_from is not None else -(10**6)
    last = year_to if year_to is not None else 10**6
    if first > last:
        raise BadUserInput(f"yearFrom ({year_from}) must not be after yearTo ({year_to})")
    return (first, last)


# --- the root fields -----------------------------------------------------------


def _seed_works_field(*, prior: bool) -> SeedWorks:
    """The ``priorWorks`` or ``derivativeWorks`` field: one resolver, two directions."""

    async def works(
        info: Info, ids: list[strawberry.ID], k: int = DEFAULT_SEED_K, min_count: int = 1
    ) -> SeedWorks:
        return await _seed_works(info, ids, k, min_count, prior=prior)

    kind, papers = ("Prior", "cited by") if prior else ("Derivative", "citing")
    description = (
        f"{kind} works of a seed set (at most 100 ids): papers {papers} many of the seeds, "
        "most seeds first. `k` 1..50."
    )
    return strawberry.field(resolver=works, description=description)


@strawberry.type
class AnalyticsQuery:
    @resolver(
        description="What a paper builds on (ANCESTORS), what built on it (DESCENDANTS) or both, "
        "up to `depth` (1..5) citation hops: papers with their distance, the citations among "
        "them and the SPC main path. `edges: INFLUENTIAL | METHODOLOGY` follows only "
        "influential or methodological citations (walk, citations and main path). At most "
        "`first` papers, the nearest kept. Null for an unknown paper."
    )
    async def lineage(
        self,
        info: Info,
        *,
        id: strawberry.ID,
        direction: LineageDirection = LineageDirection.ANCESTORS,
        depth: int = 2,
        first: int = DEFAULT_LINEAGE_PAPERS,
        edges: LineageEdges = LineageEdges.ALL,
    ) -> Lineage | None:
        key = paper_key(str(id))
        checked(lambda: check_depth(depth))
        checked_first(first, info.context.settings, "lineage")
        if first < 1:
            raise BadUserInput("`first` on `lineage` must be at least 1")
        found = await projected_paper(info, key)
        if found is None:
            return None
        paper_id, projection = found
        view = await info.context.analytics.compute(
            lineage_view, projection.graph, paper_id, direction, depth, first, edges=edges
        )
        root_coverage = Coverage.of(coverage(projection.graph, paper_id))
        return Lineage.of(paper_id, direction, depth, view, root_coverage)

    @resolver(
        description="The `k` (1..50) shortest citation paths from one paper to another. "
        "Directed paths follow references only (`from` builds on `to`); undirected ones go "
        "either way along each citation. No path gives `found: false` and a `message`."
    )
    async def citation_path(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        k: int = 5,
        directed: bool = True,
    ) -> CitationPaths:
        keys = [paper_key(str(from_)), paper_key(str(to))]
        checked(lambda: check_k(k))
        source, target = await resolve_keys(info, keys)
        analytics = info.context.analytics
        projection = await analytics.projection()
        unknown = [
            str(given)
            for given, found in ((from_, source), (to, target))
            if found is None or found not in projection.graph
        ]
        if source is None or target is None or unknown:
            return CitationPaths(
                source_id=None if source is None else strawberry.ID(source),
                target_id=None if target is None else strawberry.ID(target),
                directed=directed,
                found=False,
                message="no paper " + " or ".join(repr(u) for u in unknown) + " in the graph",
                paths=[],
            )
        result = await analytics.compute(
            citation_paths, projection.graph, source, target, k=k, directed=directed
        )
        return CitationPaths(
            source_id=strawberry.ID(source),
            target_id=strawberry.ID(target),
            directed=directed,
            found=result.found,
            message=None if result.found else no_path_message(source, target, directed),
            paths=[
                CitationPath(
                    length=p.length,
                    paper_ids=[strawberry.ID(x) for x in p.papers],
                    steps=[CitationStep(s) for s in p.steps],
                )
                for p in result.paths
            ],
        )

    @resolver(
        description="The most influential papers by the PageRank `citekb analytics` stored, "
        "optionally within a topic and years (inclusive). `personalized: true` (with a topic) "
        "ranks by PageRank personalised on the topic's papers instead, computed on the current "
        "graph: what the topic's papers build on most, inside the topic or not (stored by "
        "`citekb analytics` for topics with enough papers, so an index read). With `seeds` "
        "(at most 100 paper ids) and `personalized: true`, PageRank personalised on that "
        "reading list instead, seeds left out."
    )
    async def influential_papers(
        self,
        info: Info,
        *,
        topic: str | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        first: int = DEFAULT_K,
        personalized: bool = False,
        seeds: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="Paper ids in any form (at most 100) to personalise PageRank on, "
                "with `personalized: true`"
            ),
        ] = None,
    ) -> list[InfluentialPaper]:
        checked(lambda: check_k(first, name="first"))
        years = _years(year_from, year_to)
        if personalized and not topic and not seeds:
            raise BadUserInput("`personalized: true` needs a `topic` or `seeds`")
        if seeds is not None and not personalized:
            raise BadUserInput("`seeds` rank by personalised PageRank: add `personalized: true`")
        if personalized:
            top = await _personalised(info, topic, seeds, years, first)
            return [
                InfluentialPaper(paper_id=strawberry.ID(s.paper_id), score=s.score) for s in top
            ]
        found = await info.context.reader.one(
            "read/api/influential_papers",
            {
                "topicKey": None if topic is None else topic_key(topic),
                "yearFrom": year_from,
                "yearTo": year_to,
                "limit": first,
            },
        )
        return [
            InfluentialPaper(
                paper_id=strawberry.ID(str(p["paperId"])),
                score=float(p["pagerank"]),
                known=Paper.from_props(p),
            )
            for p in found["papers"]
        ]

    @resolver(
        description="The `k` (1..50) papers most similar to a paper, best first: CO_CITATION "
        "(cited together), COUPLING (shared references) or ADAMIC_ADAR (shared neighbours, "
        "rare ones counting more). Null for an unknown paper."
    )
    async def similar_papers(
        self,
        info: Info,
        id: strawberry.ID,
        method: SimilarityMethod = SimilarityMethod.CO_CITATION,
        k: int = DEFAULT_K,
    ) -> list[SimilarPaper] | None:
        key = paper_key(str(id))
        checked(lambda: check_k(k))
        known = await projected_paper(info, key)
        if known is None:
            return None
        paper_id, projection = known
        found = await info.context.analytics.compute(
            similar_papers, projection.graph, paper_id, method=SIMILARITY[method], k=k
        )
        return [
            SimilarPaper(
                paper_id=strawberry.ID(s.paper_id),
                score=s.score,
                shared=s.shared,
                coverage=Coverage.of(coverage(projection.graph, s.paper_id)),
            )
            for s in found
        ]

    prior_works: SeedWorks = _seed_works_field(prior=True)
    derivative_works: SeedWorks = _seed_works_field(prior=False)

    @resolver(
        description="Louvain communities as `citekb analytics` stored them, largest first, "
        "labelled by their most distinctive topics."
    )
    async def communities(self, info: Info, first: int = DEFAULT_K) -> list[Community]:
        checked_first(first, info.context.settings, "communities")
        stored = await info.context.analytics.stored()
        found = (stored_community(stored, i) for i in range(len(stored.community_labels)))
        return [c for c in found if c is not None][:first]

    @resolver(description=_RANKING.format(members="Organisations"))
    async def org_ranking(
        self, info: Info, order_by: RankOrder | None = None, first: int = DEFAULT_K
    ) -> list[OrgRank]:
        return await _ranked(info, "orgs", order_by, first, OrgRank.of)

    @resolver(description=_RANKING.format(members="Topics"))
    async def topic_ranking(
        self, info: Info, order_by: RankOrder | None = None, first: int = DEFAULT_K
    ) -> list[TopicRank]:
        return await _ranked(info, "topics", order_by, first, TopicRank.of)

    @resolver(
        description="The fastest-rising topics: share of papers in the last `window` years "
        "(ending at `lastYear`, default the latest year) against the `window` years before, "
        "with papers per year; at least `minRecent` recent papers. `first` 1..50, `window` 1..10."
    )
    async def topic_trends(
        self,
        info: Info,
        first: int = DEFAULT_K,
        window: int = 3,
        last_year: int | None = None,
        min_recent: int = 2,
    ) -> list[TopicTrend]:
        checked(lambda: check_k(first, name="first"))
        if not 1 <= window <= MAX_TREND_WINDOW:
            raise BadUserInput(f"window must be between 1 and {MAX_TREND_WINDOW}, got {window}")
        if min_recent < 0:
            raise BadUserInput(f"minRecent must not be negative, got {min_recent}")
        analytics = info.context.analytics
        projection = await analytics.projection()
        trends = await analytics.compute(
            rising_topics,
            projection.graph,
            projection.topics,
            window=window,
            last_year=last_year,
            min_recent=min_recent,
            k=first,
        )
        loader = info.context.loaders.topic_by_key
        rows = await asyncio.gather(*(loader.load(topic_key(t.topic)) for t in trends))
        return [
            TopicTrend(
                name=t.topic,
                per_year=[YearCount(year=y, count=n) for y, n in t.per_year.items()],
                recent=t.recent,
                earlier=t.earlier,
                growth=t.growth,
                slope=t.slope,
                topic=None if row is None else Topic.from_props(row),
            )
            for t, row in zip(trends, rows, strict=True)
        ]

    @resolver(
        description="Whether the stored analytics (PageRank, communities) were computed on the "
        "current graph version."
    )
    async def analytics_status(self, info: Info) -> AnalyticsStatus:
        return AnalyticsStatus.of(await info.context.analytics.stored())


async def _seed_works(
    info: Info, ids: list[strawberry.ID], k: int, min_count: int, *, prior: bool
) -> SeedWorks:
    given = checked(lambda: check_seeds(str(i) for i in ids))
    keys = [paper_key(g) for g in given]
    checked(lambda: check_k(k))
    if min_count < 1:
        raise BadUserInput(f"minCount must be at least 1, got {min_count}")
    resolved = await resolve_keys(info, keys)
    analytics = info.context.analytics
    projection = await analytics.projection()
    seeds = [p for p in resolved if p is not None and p in projection.graph]
    missing = [
        g for g, p in zip(given, resolved, strict=True) if p is None or p not in projection.graph
    ]
    if not seeds:
        return SeedWorks(works=[], seeds=[], missing=missing)
    works = prior_works if prior else derivative_works
    found = await analytics.compute(works, projection.graph, seeds, k=k, min_count=min_count)
    return SeedWorks(
        works=[
            SeedWork(paper_id=strawberry.ID(w.paper_id), count=w.count, score=w.score)
            for w in found.works
        ],
        seeds=[strawberry.ID(s) for s in found.seeds],
        missing=missing,
    )


async def _personalised(
    info: Info,
    topic: str | None,
    seeds: list[strawberry.ID] | None,
    years: tuple[int, int] | None,
    first: int,
) -> list[Scored]:
    """Personalised PageRank by seed set (computed) or topic (stored, else computed)."""
    analytics = info.context.analytics
    if seeds is None and years is None:
        # Stored by `citekb analytics` for topics with enough papers (no year filter:
        # the stored list holds the topic's best papers of any year).
        assert topic is not None
        rows = await info.context.reader.rows(
            "read/api/topic_personalised", {"topicKey": topic_key(topic)}
        )
        row = rows[0] if rows else None
        version = (await analytics.stored()).graph_version
        top = info.context.settings.analytics_topic_top
        stored = stored_topic_rank(row, version, first, top)
        if stored is not None:
            return stored
    projection = await analytics.projection()
    if seeds is not None:
        given = checked(lambda: check_seeds(str(i) for i in seeds))
        resolved = await resolve_keys(info, [paper_key(g) for g in given])
        chosen = sorted({p for p in resolved if p is not None and p in projection.graph})
    else:
        assert topic is not None
        chosen = topic_papers(projection.graph, topic)
    if not chosen:
        return []
    matrix = await analytics.runtime.rank_matrix(projection)
    return await analytics.compute_stoppable(
        personalised_influence,
        matrix,
        projection.graph,
        chosen,
        years,
        first,
        include_seeds=seeds is None,
    )
