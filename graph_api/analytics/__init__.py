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
from graph_api.analytics.lineage import Lineage, MainPath, break_cycles, lineage, main_path
from graph_api.analytics.paths import CitationPath, CitationPaths, citation_paths
from graph_api.analytics.ranking import MemberRank, Scored, rank_members, top_scored
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
    "MAX_DEPTH",
    "MAX_K",
    "MAX_LINEAGE_PAPERS",
    "MAX_SEEDS",
    "AuthorMetrics",
    "CitationPath",
    "CitationPaths",
    "Coauthor",
    "Communities",
    "Community",
    "Disruption",
    "Influence",
    "Lineage",
    "MainPath",
    "MemberRank",
    "Membership",
    "Scored",
    "SeedWork",
    "SeedWorks",
    "SimilarPaper",
    "TopicScore",
    "TopicTrend",
    "UnknownMember",
    "UnknownPaper",
    "adamic_adar",
    "author_metrics",
    "bibliographic_coupling",
    "break_cycles",
    "check_depth",
    "check_k",
    "check_seeds",
    "citation_paths",
    "co_citation",
    "coauthor_graph",
    "coauthors",
    "communities",
    "derivative_works",
    "disruption",
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
    "rising_topics",
    "similar_papers",
    "top_scored",
    "topic_pagerank",
    "topic_papers",
    "topic_years",
    "year_of",
]
