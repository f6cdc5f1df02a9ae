"""Authors: h-index from the graph, co-authors (organisations rank in :mod:`.ranking`).

The graph's h-index of an author counts each paper's citations *inside the
graph* (its in-degree), which is what the corpus at hand says; S2's own
``hIndex`` on the Author node counts all of Semantic Scholar. Both are
useful side by side: the gap shows how much of an author's impact the corpus
covers. ``use_s2_counts`` switches to each paper's ``citationCount``.

>>> h_index([10, 8, 5, 4, 3])
4
>>> h_index([0, 0])
0
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph_api.analytics.attributes import Membership, members_of
from graph_api.analytics.limits import check_k


@dataclass(frozen=True, slots=True)
class AuthorMetrics:
    author_id: str
    papers: int
    citations: int
    h_index: int


@dataclass(frozen=True, slots=True)
class Coauthor:
    """A co-author and the number of papers written together."""

    author_id: str
    papers: int


def h_index(citation_counts: Iterable[int]) -> int:
    """The largest h such that h of the counts are at least h."""
    h = 0
    for position, count in enumerate(sorted(citation_counts, reverse=True), start=1):
        if count < position:
            break
        h = position
    return h


def paper_citations(G: nx.DiGraph, paper: str, *, use_s2_counts: bool = False) -> int:
    """Citations of ``paper``: in-degree in ``G``, or its S2 ``citationCount``."""
    if use_s2_counts:
        count = G.nodes[paper].get("citationCount")
        return int(count) if count is not None else 0
    return int(G.in_degree(paper))


def author_metrics(
    G: nx.DiGraph, authors: Membership, author: str, *, use_s2_counts: bool = False
) -> AuthorMetrics:
    """Papers, citations and h-index of ``author`` in ``G``.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "p1"), ("y", "p1"), ("x", "p2")])
    >>> nx.set_node_attributes(G, {"p1": ("A",), "p2": ("A",)}, "authors")
    >>> author_metrics(G, Membership.of(G, "authors"), "A")
    AuthorMetrics(author_id='A', papers=2, citations=3, h_index=1)
    """
    key = authors.resolve(author)
    counts = [paper_citations(G, p, use_s2_counts=use_s2_counts) for p in authors.papers(key)]
    return AuthorMetrics(
        author_id=key, papers=len(counts), citations=sum(counts), h_index=h_index(counts)
    )


def coauthors(G: nx.DiGraph, authors: Membership, author: str, *, k: int = 10) -> list[Coauthor]:
    """The ``k`` (1..50) most frequent co-authors of ``author``, with shared-paper counts.

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("p1", authors=("A", "B", "C")); G.add_node("p2", authors=("A", "B"))
    >>> coauthors(G, Membership.of(G, "authors"), "A")
    [Coauthor(author_id='B', papers=2), Coauthor(author_id='C', papers=1)]
    """
    check_k(k)
    key = authors.resolve(author)
    together: Counter[str] = Counter()
    for paper in authors.papers(key):
        together.update(a for a in members_of(G, paper, "authors") if a != key)
    best = heapq.nsmallest(k, together.items(), key=lambda item: (-item[1], item[0]))
    return [Coauthor(author_id=a, papers=n) for a, n in best]


def coauthor_graph(G: nx.DiGraph, authors: Membership) -> nx.Graph:
    """The weighted co-author graph (the author-paper bipartite graph projected on authors).

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("p1", authors=("A", "B")); G.add_node("p2", authors=("B", "A"))
    >>> H = coauthor_graph(G, Membership.of(G, "authors"))
    >>> H["A"]["B"]["weight"]
    2
    """
    H = nx.Graph()
    H.add_nodes_from(authors.by_member)
    for paper in G.nodes:
        names = sorted(members_of(G, str(paper), "authors"))
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                weight = H[a][b]["weight"] + 1 if H.has_edge(a, b) else 1
                H.add_edge(a, b, weight=weight)
    return H
