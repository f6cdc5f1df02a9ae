"""Graph analytics over a projected citation graph: pure, typed networkx functions.

The graph is an ``nx.DiGraph`` of paper ids with edges citing -> cited and
the node attributes described in :mod:`.attributes`. Nothing here touches
Neo4j: :mod:`graph_api.store.projection` builds the graph, and the CLI and the
GraphQL resolvers call these functions on it. Arguments that bound work are
checked (:mod:`.limits`: depth <= 5, k <= 50, seed sets <= 100) and raise
``ValueError``; an unknown paper raises :class:`UnknownPaper`.

>>> import networkx as nx
>>> G = nx.DiGraph([("b", "a"), ("c", "a"), ("c", "b")])
>>> influence(G)["a"].rank
1
>>> lineage(G, "c", direction="ancestors", depth=2).main_path.papers
['a', 'b', 'c']
"""

from graph_api.analytics.attributes import Membership, UnknownMember, members_of, year_of
from graph_api.analytics.authors import (
    AuthorMetrics,
    Coauthor,
    author_metrics,
    coauthor_graph,
    coauthors,
    h_index,
)
from graph_api.analytics.communities import (
    Communities,
    Community,
    TopicScore,
    communities,
    louvain,
)
from graph_api.analytics.coverage import (
    DEFAULT_MIN_COVERAGE,
    CitingCoverage,
    Coverage,
    ReferenceCitationsCoverage,
    citing_coverage,
    coverage,
    reference_citations_coverage,
    withheld_reason,
)
from graph_api.analytics.disruption import Disruption, disruption
from graph_api.analytics.influence import (
    Influence,
    influence,
    influential_papers,
    pagerank,
    personalized_pagerank,
    ranks,
    topic_pagerank,
    topic_papers,
)
from graph_api.analytics.limits import (
    MAX_DEPTH,
    MAX_K,
    MAX_LINEAGE_PAPERS,
    MAX_SEEDS,
    UnknownPaper,
    check_depth,
    check_k,
    check_seeds,
)
from graph_api.analytics.lineage import (
    EDGE_KINDS,
    EdgeKind,
    Lineage,
    MainPath,
    break_cycles,
    citation_view,
    lineage,
    main_path,
)
from graph_api.analytics.paths import CitationPath, CitationPaths, citation_paths
from graph_api.analytics.ranking import MemberRank, Scored, rank_members, top_scored
from graph_api.analytics.recommend import (
    EmbeddingTable,
    GraphSignals,
    Recommendation,
    Recommendations,
    Signals,
    UnknownSeeds,
    candidate_pool,
    check_seed_lists,
    combine,
    graph_signals,
    recommend,
    seed_pagerank,
)
from graph_api.analytics.seed_sets import SeedWork, SeedWorks, derivative_works, prior_works
from graph_api.analytics.similarity import (
    SimilarPaper,
    adamic_adar,
    bibliographic_coupling,
    co_citation,
    similar_papers,
)
from graph_api.analytics.topics import TopicTrend, rising_topics, topic_years

__all__ = [
    "DEFAULT_MIN_COVERAGE",
    "EDGE_KINDS",
    "MAX_DEPTH",
    "MAX_K",
    "MAX_LINEAGE_PAPERS",
    "MAX_SEEDS",
    "AuthorMetrics",
    "CitationPath",
    "CitationPaths",
    "CitingCoverage",
    "Coauthor",
    "Communities",
    "Community",
    "Coverage",
    "Disruption",
    "EdgeKind",
    "EmbeddingTable",
    "GraphSignals",
    "Influence",
    "Lineage",
    "MainPath",
    "MemberRank",
    "Membership",
    "Recommendation",
    "Recommendations",
    "ReferenceCitationsCoverage",
    "Scored",
    "SeedWork",
    "SeedWorks",
    "Signals",
    "SimilarPaper",
    "TopicScore",
    "TopicTrend",
    "UnknownMember",
    "UnknownPaper",
    "UnknownSeeds",
    "adamic_adar",
    "author_metrics",
    "bibliographic_coupling",
    "break_cycles",
    "candidate_pool",
    "check_depth",
    "check_k",
    "check_seed_lists",
    "check_seeds",
    "citation_paths",
    "citation_view",
    "citing_coverage",
    "co_citation",
    "coauthor_graph",
    "coauthors",
    "combine",
    "communities",
    "coverage",
    "derivative_works",
    "disruption",
    "graph_signals",
    "h_index",
    "influence",
    "influential_papers",
    "lineage",
    "louvain",
    "main_path",
    "members_of",
    "pagerank",
    "personalized_pagerank",
    "prior_works",
    "rank_members",
    "ranks",
    "recommend",
    "reference_citations_coverage",
    "rising_topics",
    "seed_pagerank",
    "similar_papers",
    "top_scored",
    "topic_pagerank",
    "topic_papers",
    "topic_years",
    "withheld_reason",
    "year_of",
]
