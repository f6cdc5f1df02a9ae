"""Graphs to draw and reading lists to take away (``GraphViewQuery``, one of ``QUERY_PARTS``).

* ``similarityGraph(seeds, first)``: the origin papers and their most similar
  papers with weighted edges, ready for a force layout
  (:func:`graph_api.analytics.similarity_graph.similarity_graph`);
* ``communityGraph(id, first)``: a stored community's papers of highest
  PageRank and the citations among them;
* ``citationsBetween(id, others)``: the citations between a paper and
  others, either way, with their intents and citing sentences (the
  explorer's details panel: why the clicked paper and the origins cite each
  other);
* ``bibliography(ids, format)``: papers as BibTeX or RIS, the text a
  reference manager imports (:mod:`loaders.bib_files`, :mod:`loaders.ris_files`);
  ``Lineage``, ``SimilarityGraph`` and ``CommunityGraph`` have a
  ``bibliography(format)`` field of their own.

``first`` is bounded like every list (``API_MAX_PAGE_SIZE``, and at most
:data:`~graph_api.analytics.similarity_graph.MAX_GRAPH_PAPERS`); seeds and
ids at most 100. The work runs on the shared projection in a worker thread,
as every per-request analytic does. The explorer page (``/explore``) is a
client of exactly these fields.
"""

from __future__ import annotations

import strawberry

from graph_api.analytics import check_seeds
from graph_api.analytics.similarity_graph import (
    CommunityGraph as CommunityGraphResult,
)
from graph_api.analytics.similarity_graph import (
    GraphPaper,
    check_graph_size,
    community_graph,
    similarity_graph,
)
from graph_api.service.analytics_api import (
    CitationLink,
    PaperById,
    paper_key,
    resolve_keys,
)
from graph_api.service.analytics_fields import Community, checked, stored_community
from graph_api.service.bibliography import Bibliography, CitationFormat, make_bibliography
from graph_api.service.connections import checked_first
from graph_api.service.context import Info, resolver
from graph_api.service.errors import BadUserInput
from graph_api.service.types import CitationFacts, citation_contexts

DEFAULT_GRAPH_PAPERS = 40
DEFAULT_COMMUNITY_PAPERS = 60


@strawberry.type(description="A paper of a drawn graph, with what sizes and colours it.")
class GraphNode(PaperById):
    is_seed: bool = strawberry.field(description="An origin paper of the similarity graph")
    score: float = strawberry.field(
        description="similarityGraph: summed similarity to the origins (1 for an origin); "
        "communityGraph: stored PageRank"
    )
    co_citation: int = strawberry.field(description="Citers shared with the origins, summed")
    coupling: int = strawberry.field(description="References shared with the origins, summed")
    year: int | None = strawberry.field(description="Publication year")
    citation_count: int | None = strawberry.field(description="Semantic Scholar's count")
    community: int | None = strawberry.field(description="Stored Louvain community id")
    pagerank: float | None = strawberry.field(description="Stored PageRank")

    @classmethod
    def of(cls, node: GraphPaper) -> GraphNode:
        return cls(
            paper_id=strawberry.ID(node.paper_id),
            is_seed=node.is_seed,
            score=node.score,
            co_citation=node.co_citation,
            coupling=node.coupling,
            year=node.year,
            citation_count=node.citation_count,
            community=node.community,
            pagerank=node.pagerank,
        )


@strawberry.type(description="How similar two papers of a similarity graph are.")
class SimilarityLink:
    source: strawberry.ID = strawberry.field(description="The paperId that sorts first")
    target: strawberry.ID = strawberry.field(description="The other paperId")
    weight: float = strawberry.field(description="Mean of the two cosines, 0..1")
    co_citation: float = strawberry.field(description="Salton cosine of their citers")
    coupling: float = strawberry.field(description="Salton cosine of their references")


@strawberry.type(
    description="Origin papers and the papers most similar to them by co-citation and "
    "bibliographic coupling, with weighted edges for a force layout (each paper keeps its "
    "8 strongest)."
)
class SimilarityGraph:
    seeds: list[strawberry.ID] = strawberry.field(description="Origin paperIds found in the graph")
    missing: list[str] = strawberry.field(description="Origin ids (as given) not in the graph")
    nodes: list[GraphNode] = strawberry.field(
        description="Origins first, then the most similar papers, best first"
    )
    edges: list[SimilarityLink] = strawberry.field(
        description="Similarity links among `nodes`, each paper's 8 strongest kept"
    )

    @resolver(description="The graph's papers as BibTeX or RIS, in node order.")
    async def bibliography(self, info: Info, format: CitationFormat) -> Bibliography:
        return await make_bibliography(info, [str(n.paper_id) for n in self.nodes], format)


@strawberry.type(description="A stored community's papers of highest PageRank and their citations.")
class CommunityGraph:
    community: Community = strawberry.field(description="The community, as stored")
    nodes: list[GraphNode] = strawberry.field(description="Highest stored PageRank first")
    edges: list[CitationLink] = strawberry.field(description="The citations among `nodes`")
    truncated: bool = strawberry.field(description="True when `first` left papers out")

    @resolver(description="The graph's papers as BibTeX or RIS, in node order.")
    async def bibliography(self, info: Info, format: CitationFormat) -> Bibliography:
        return await make_bibliography(info, [str(n.paper_id) for n in self.nodes], format)


@strawberry.type(
    description="A citation between two papers, `citing` cites `cited`, with why and where."
)
class CitationBetween(CitationFacts):
    citing: strawberry.ID = strawberry.field(description="paperId of the citing paper")
    cited: strawberry.ID = strawberry.field(description="paperId of the cited paper")


def _first(first: int, info: Info, field: str) -> int:
    checked_first(first, info.context.settings, field)
    checked(lambda: check_graph_size(first))
    return first


@strawberry.type
class GraphViewQuery:
    @resolver(
        description="A Connected-Papers-style map: the origin papers (`seeds`, at most 100, any "
        "id form) and the `first - seeds` papers most similar to them (mean of co-citation and "
        "coupling cosines, summed over origins), with weighted edges among them. Unknown "
        "origins are listed in `missing`."
    )
    async def similarity_graph(
        self, info: Info, seeds: list[strawberry.ID], first: int = DEFAULT_GRAPH_PAPERS
    ) -> SimilarityGraph:
        _first(first, info, "similarityGraph")
        given = checked(lambda: check_seeds(str(s) for s in seeds))
        resolved = await resolve_keys(info, [paper_key(g) for g in given])
        analytics = info.context.analytics
        projection = await analytics.projection()
        found = [p for p in resolved if p is not None and p in projection.graph]
        missing = [
            g
            for g, p in zip(given, resolved, strict=True)
            if p is None or p not in projection.graph
        ]
        if not found:
            return SimilarityGraph(seeds=[], missing=missing, nodes=[], edges=[])
        graph = await analytics.compute(similarity_graph, projection.graph, found, first=first)
        return SimilarityGraph(
            seeds=[strawberry.ID(s) for s in graph.seeds],
            missing=missing,
            nodes=[GraphNode.of(n) for n in graph.nodes],
            edges=[
                SimilarityLink(
                    source=strawberry.ID(e.source),
                    target=strawberry.ID(e.target),
                    weight=e.weight,
                    co_citation=e.co_citation,
                    coupling=e.coupling,
                )
                for e in graph.edges
            ],
        )

    @resolver(
        description="A community stored by `citekb analytics`: its `first` papers of highest "
        "PageRank and the citations among them. Null when no such community is stored."
    )
    async def community_graph(
        self, info: Info, id: int, first: int = DEFAULT_COMMUNITY_PAPERS
    ) -> CommunityGraph | None:
        _first(first, info, "communityGraph")
        analytics = info.context.analytics
        community = stored_community(await analytics.stored(), id)
        if community is None:
            return None
        projection = await analytics.projection()
        graph: CommunityGraphResult = await analytics.compute(
            community_graph, projection.graph, id, first=first
        )
        return CommunityGraph(
            community=community,
            nodes=[GraphNode.of(n) for n in graph.nodes],
            edges=[
                CitationLink(citing=strawberry.ID(a), cited=strawberry.ID(b))
                for a, b in graph.edges
            ],
            truncated=graph.truncated,
        )

    @resolver(
        description="The citations between paper `id` and each of `others` (at most 100; any "
        "id form), either way, with Semantic Scholar's intents and citing sentences, ordered "
        "by citing then cited paperId. Ids of no paper in the graph have no citations: the "
        "answer is empty for them."
    )
    async def citations_between(
        self, info: Info, id: strawberry.ID, others: list[strawberry.ID]
    ) -> list[CitationBetween]:
        given = checked(lambda: check_seeds(str(o) for o in others))
        keys = [paper_key(str(id)), *(paper_key(g) for g in given)]
        paper_id, *resolved = await resolve_keys(info, keys)
        found = list(dict.fromkeys(p for p in resolved if p is not None and p != paper_id))
        if paper_id is None or not found:
            return []
        rows = await info.context.reader.rows(
            "read/api/citations_between", {"id": paper_id, "others": found}
        )
        return [
            CitationBetween(
                citing=strawberry.ID(str(r["citing"])),
                cited=strawberry.ID(str(r["cited"])),
                is_influential=r["isInfluential"],
                intents=[str(i) for i in r["intents"] or []],
                contexts=citation_contexts(r["contexts"], r["contextIntents"]),
            )
            for r in rows
        ]

    @resolver(
        description="Papers (at most 100, any id form) as a BibTeX or RIS file, in the order "
        "given; unknown ids are an error."
    )
    async def bibliography(
        self, info: Info, ids: list[strawberry.ID], format: CitationFormat
    ) -> Bibliography:
        given = checked(lambda: check_seeds(str(i) for i in ids))
        resolved = await resolve_keys(info, [paper_key(g) for g in given])
        unknown = [g for g, p in zip(given, resolved, strict=True) if p is None]
        if unknown:
            raise BadUserInput(f"no paper for {', '.join(unknown)}")
        return await make_bibliography(info, [p for p in resolved if p is not None], format)
