"""Analytics fields of Paper and Author, and the stored Community type.

:mod:`graph_api.service.types` attaches these resolvers to its types
(``strawberry.field(resolver=...)``), so the analytics fields live here and
``types.py`` only names them:

* Paper: ``influence`` (stored PageRank, rank, percentile), ``community``
  (stored Louvain community with its topic label), ``disruption`` (CD index,
  computed on the projection);
* Author: ``graphHIndex`` (from citations inside the graph, beside S2's
  ``hIndex``) and ``coAuthors`` with weights.

Because ``types.py`` imports this module, the two resolvers that build Paper or
Author objects import them when they run.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import networkx as nx
import strawberry

from graph_api import analytics as pure
from graph_api.analytics import (
    UnknownMember,
    author_metrics,
    check_k,
    citing_coverage,
    coauthors,
    coverage,
    disruption,
    reference_citations_coverage,
    withheld_reason,
)
from graph_api.service.connections import checked_first
from graph_api.service.context import Info, resolver
from graph_api.service.errors import BadUserInput
from graph_api.store.analytics_store import StoredAnalytics

if TYPE_CHECKING:
    from graph_api.service.types import Author, Paper

T = TypeVar("T")

# A CD index window beyond a century means "no window".
MAX_WINDOW_YEARS = 100
DEFAULT_TOP_PAPERS = 5
DEFAULT_COAUTHORS = 10

LazyPaper = Annotated["Paper", strawberry.lazy("graph_api.service.types")]
LazyAuthor = Annotated["Author", strawberry.lazy("graph_api.service.types")]


def checked(check: Callable[[], T]) -> T:
    """Run an analytics bound check; its ``ValueError`` becomes a ``BAD_USER_INPUT`` error."""
    try:
        return check()
    except ValueError as exc:
        raise BadUserInput(str(exc)) from exc


@strawberry.type(
    description="A paper's influence as `citekb analytics` stored it: PageRank on the citation "
    "graph with its rank and percentile."
)
class PaperInfluence:
    pagerank: float = strawberry.field(description="PageRank (all papers' scores sum to 1)")
    rank: int | None = strawberry.field(description="1 = highest PageRank; ties share a rank")
    percentile: float | None = strawberry.field(
        description="Share of papers whose PageRank is at most this one's, 0..100"
    )


@strawberry.type(
    description="A Louvain community of the citation graph, as `citekb analytics` stored it; "
    "`label` names its most distinctive topics."
)
class Community:
    id: int = strawberry.field(description="Communities are numbered by size: 0 is the largest")
    label: str = strawberry.field(description="Its most distinctive topics, comma-separated")
    size: int = strawberry.field(description="Papers in the community")

    @resolver(description="Its papers with the highest stored PageRank, best first.")
    async def top_papers(self, info: Info, first: int = DEFAULT_TOP_PAPERS) -> list[LazyPaper]:
        from graph_api.service.types import Paper  # noqa: PLC0415 (types.py imports this module)

        checked_first(first, info.context.settings, "topPapers")
        rows = await info.context.analytics.community_top_papers.load(self.id, limit=first)
        return [Paper.from_props(r) for r in rows]


def stored_community(stored: StoredAnalytics, community_id: int) -> Community | None:
    """Community ``community_id`` from the stored labels and sizes (None if not stored)."""
    if not 0 <= community_id < len(stored.community_labels):
        return None
    size = stored.community_sizes[community_id] if community_id < len(stored.community_sizes) else 0
    return Community(id=community_id, label=stored.community_labels[community_id], size=size)


_View = TypeVar("_View")


def copied(view: type[_View], result: object) -> _View:
    """The GraphQL view of a pure result: each of its fields from the same-named attribute
    (properties such as ``ratio`` and ``complete`` included)."""
    return view(**{name: getattr(result, name) for name in inspect.get_annotations(view)})


@strawberry.type(
    description="How much of a paper's neighbourhood the graph holds: the references and "
    "citations Semantic Scholar reports for it (referenceCount, citationCount) against the "
    "citations stored. S2 counts references it could not resolve, which no graph holds, so "
    "`held` may stay below `reported` after everything was read."
)
class Coverage:
    references_reported: int | None = strawberry.field(
        description="S2's referenceCount (null when unknown)"
    )
    references_held: int = strawberry.field(description="Its references in the graph")
    citations_reported: int | None = strawberry.field(
        description="S2's citationCount (null when unknown)"
    )
    citations_held: int = strawberry.field(description="Papers in the graph citing it")
    ratio: float | None = strawberry.field(
        description="The smaller of held/reported for references and citations, at most 1 "
        "(null when S2's counts are unknown)"
    )
    complete: bool = strawberry.field(
        description="Both counts known and the graph holds at least as many as S2 reports"
    )

    @classmethod
    def of(cls, c: pure.Coverage) -> Coverage:
        return copied(cls, c)


@strawberry.type(
    description="The reference lists of the papers citing a paper: S2's referenceCount of each "
    "against the references the graph holds (what the disruption index reads)."
)
class CitingCoverage:
    papers: int = strawberry.field(description="Papers in the graph citing it")
    references_reported: int = strawberry.field(
        description="Sum of S2's referenceCount over those with a known count"
    )
    references_held: int = strawberry.field(description="Their references in the graph")
    unknown: int = strawberry.field(description="Citing papers whose referenceCount is unknown")
    ratio: float | None = strawberry.field(
        description="held/reported (null when no citing paper has a known count)"
    )
    complete: bool = strawberry.field(description="Every reported reference is held")

    @classmethod
    def of(cls, c: pure.CitingCoverage) -> CitingCoverage:
        return copied(cls, c)


@strawberry.type(
    description="The citation lists of a paper's references: S2's citationCount of each against "
    "the citations the graph holds (where the disruption index finds nK)."
)
class ReferenceCitationsCoverage:
    papers: int = strawberry.field(description="Its references in the graph")
    citations_reported: int = strawberry.field(
        description="Sum of S2's citationCount over those with a known count"
    )
    citations_held: int = strawberry.field(description="Their citations in the graph")
    unknown: int = strawberry.field(description="References whose citationCount is unknown")
    ratio: float | None = strawberry.field(
        description="held/reported (null when no reference has a known count)"
    )
    complete: bool = strawberry.field(description="Every reported citation is held")

    @classmethod
    def of(cls, c: pure.ReferenceCitationsCoverage) -> ReferenceCitationsCoverage:
        return copied(cls, c)


def _disruption_view(
    graph: nx.DiGraph, paper_id: str, window: int | None, min_coverage: float
) -> Disruption:
    """CD index with its coverage; the index withheld below ``min_coverage`` (worker thread)."""
    cd = disruption(graph, paper_id, window=window)
    own = coverage(graph, paper_id)
    citing = citing_coverage(graph, paper_id)
    cited = reference_citations_coverage(graph, paper_id)
    reason = withheld_reason(own, citing, cited, min_coverage)
    if reason is not None:
        reason += f"; `citekb load --complete {paper_id}` reads what the index needs"
    return Disruption(
        index=cd.index if reason is None else None,
        n_i=cd.n_i,
        n_j=cd.n_j,
        n_k=cd.n_k,
        coverage=Coverage.of(own),
        citing_coverage=CitingCoverage.of(citing),
        reference_citations_coverage=ReferenceCitationsCoverage.of(cited),
        complete=own.complete and citing.complete and cited.complete,
        reason=reason,
    )


@strawberry.type(
    description="The disruption (CD) index of a paper (Funk & Owen-Smith): among later papers "
    "citing it or its references, nI cite it alone, nJ cite it and a reference, nK cite only "
    "references; index = (nI - nJ) / (nI + nJ + nK), from -1 (consolidating) to 1 (disruptive)."
)
class Disruption:
    index: float | None = strawberry.field(
        description="The CD index; null when no later paper in the graph cites it or its "
        "references, or when the graph holds too little of what it needs (see `reason`)"
    )
    n_i: int = strawberry.field(description="Papers citing it but none of its references")
    n_j: int = strawberry.field(description="Papers citing it and at least one of its references")
    n_k: int = strawberry.field(description="Papers citing its references but not it")
    coverage: Coverage = strawberry.field(
        description="The paper's references and citations: S2's counts against the graph's"
    )
    citing_coverage: CitingCoverage = strawberry.field(
        description="The reference lists of the papers citing it, which the index reads"
    )
    reference_citations_coverage: ReferenceCitationsCoverage = strawberry.field(
        description="The citation lists of its references, which the index reads for nK"
    )
    complete: bool = strawberry.field(
        description="The graph holds every reference and citation S2 reports for the paper, "
        "every reference of the papers citing it and every citation of its references"
    )
    reason: str | None = strawberry.field(
        description="Why `index` is withheld (coverage below `ANALYTICS_MIN_COVERAGE`, with what "
        "is missing and how to load it); null when it is given"
    )


@strawberry.type(description="A co-author and how many papers of the graph they wrote together.")
class CoAuthor:
    author: LazyAuthor = strawberry.field(description="The co-author")
    weight: int = strawberry.field(description="Papers written together (in the graph)")


# --- Paper ---------------------------------------------------------------------


def paper_influence(root: Paper) -> PaperInfluence | None:
    if root.pagerank is None:
        return None
    return PaperInfluence(
        pagerank=root.pagerank, rank=root.pagerank_rank, percentile=root.pagerank_percentile
    )


async def paper_community(root: Paper, info: Info) -> Community | None:
    if root.community_id is None:
        return None
    return stored_community(await info.context.analytics.stored(), root.community_id)


async def paper_disruption(root: Paper, info: Info, window: int | None = None) -> Disruption | None:
    if window is not None and not 0 <= window <= MAX_WINDOW_YEARS:
        raise BadUserInput(f"window must be between 0 and {MAX_WINDOW_YEARS} years, got {window}")
    analytics = info.context.analytics
    projection = await analytics.projection()
    if root.paper_id not in projection.graph:
        return None
    return await analytics.compute(
        _disruption_view,
        projection.graph,
        root.paper_id,
        window,
        info.context.settings.analytics_min_coverage,
    )


async def paper_coverage(root: Paper, info: Info) -> Coverage | None:
    projection = await info.context.analytics.projection()
    if root.paper_id not in projection.graph:
        return None
    return Coverage.of(coverage(projection.graph, root.paper_id))


# --- Author --------------------------------------------------------------------


async def author_graph_h_index(root: Author, info: Info) -> int | None:
    projection = await info.context.analytics.projection()
    try:
        return author_metrics(projection.graph, projection.authors, root.author_id).h_index
    except UnknownMember:
        return None


async def author_coauthors(
    root: Author, info: Info, first: int = DEFAULT_COAUTHORS
) -> list[CoAuthor]:
    from graph_api.service.types import Author  # noqa: PLC0415 (types.py imports this module)

    checked(lambda: check_k(first, name="first"))
    projection = await info.context.analytics.projection()
    try:
        found = coauthors(projection.graph, projection.authors, root.author_id, k=first)
    except UnknownMember:
        return []
    loader = info.context.loaders.author_by_id
    rows = await asyncio.gather(*(loader.load(co.author_id) for co in found))
    return [
        CoAuthor(author=Author.from_props(row), weight=co.papers)
        for co, row in zip(found, rows, strict=True)
        if row is not None
    ]


DESCRIPTIONS = {
    "influence": "Stored PageRank with rank and percentile (null until `citekb analytics` ran).",
    "community": "The stored Louvain community (null until `citekb analytics` ran).",
    "disruption": "The disruption (CD) index on the current graph; `window` counts only papers "
    "at most that many years later. Null when the paper is not in the citation graph. It says "
    "how much of what it reads the graph holds (`coverage`, `citingCoverage`, "
    "`referenceCitationsCoverage`) and withholds the "
    "index below ANALYTICS_MIN_COVERAGE (`reason`).",
    "coverage": "Its references and citations as S2 counts them against the graph's (null when "
    "the paper is not in the citation graph).",
    "graph_h_index": "h-index from the citations inside this graph (S2's is `hIndex`); null "
    "when none of the author's papers is in the graph.",
    "co_authors": "Co-authors in the graph, most papers together first (`first` 1..50).",
}
