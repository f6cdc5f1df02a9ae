"""A Connected-Papers-style map around origin papers, and a community's citation graph.

:func:`similarity_graph` picks the papers most similar to a seed set and the
weighted edges among them, ready for a force layout:

* similarity of two papers ``a``, ``b`` = the mean of two Salton cosines,
  co-citation ``|citers(a) & citers(b)| / sqrt(|citers(a)| |citers(b)|)`` and
  bibliographic coupling ``|refs(a) & refs(b)| / sqrt(|refs(a)| |refs(b)|)``,
  so it lies in [0, 1] and neither a hub's many citers nor a survey's many
  references dominate (self-citations ignored);
* a candidate's ``score`` is the sum of its similarities to the seeds, so a
  paper close to several origins ranks first; the ``first - len(seeds)``
  best candidates (ties by id) join the seeds;
* edges: every pair of chosen papers with a positive similarity, then each
  paper keeps its :data:`EDGES_PER_PAPER` strongest (an edge stays when
  either end keeps it), so the drawing stays readable and the answer is at
  most ``EDGES_PER_PAPER * first`` edges.

Cost: candidate scoring walks two hops out of each seed (as
:mod:`.similarity` does); edges walk each citer of a chosen paper once and
each reference once (:func:`_pair_counts`), never all pairs of the graph.
``first`` is at most :data:`MAX_GRAPH_PAPERS`; seeds at most ``MAX_SEEDS``.

:func:`community_graph` gives a stored community's papers (highest PageRank
first, then citations, then id) and the citations among them.

>>> import networkx as nx
>>> G = nx.DiGraph([("x", "a"), ("x", "b"), ("y", "a"), ("y", "b"), ("y", "c"),
...                 ("a", "r"), ("b", "r")])
>>> g = similarity_graph(G, ["a"], first=3)
>>> [(n.paper_id, n.is_seed, round(n.score, 3)) for n in g.nodes]
[('a', True, 1.0), ('b', False, 1.0), ('c', False, 0.354)]
>>> [(e.source, e.target, round(e.weight, 3)) for e in g.edges]
[('a', 'b', 1.0), ('a', 'c', 0.354), ('b', 'c', 0.354)]
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx

from graph_api.analytics.attributes import year_of
from graph_api.analytics.limits import check_seeds

MAX_GRAPH_PAPERS = 1000
EDGES_PER_PAPER = 8
_TIE_DIGITS = 12


@dataclass(frozen=True, slots=True)
class GraphPaper:
    """A paper of a drawn graph, with what sizes and colours it."""

    paper_id: str
    is_seed: bool
    score: float  # sum of similarities to the seeds (1.0 for a seed itself)
    co_citation: int  # citers shared with the seeds, summed over seeds
    coupling: int  # references shared with the seeds, summed over seeds
    year: int | None
    citation_count: int | None
    community: int | None
    pagerank: float | None


@dataclass(frozen=True, slots=True)
class SimilarityEdge:
    """Two papers' similarity (``source < target``) and its two parts."""

    source: str
    target: str
    weight: float
    co_citation: float
    coupling: float


@dataclass(frozen=True, slots=True)
class SimilarityGraph:
    seeds: list[str]
    missing: list[str]
    nodes: list[GraphPaper]
    edges: list[SimilarityEdge]


@dataclass(frozen=True, slots=True)
class CommunityGraph:
    community: int
    size: int  # papers of the community in the graph
    nodes: list[GraphPaper]
    edges: list[tuple[str, str]]  # (citing, cited) among ``nodes``
    truncated: bool


def check_graph_size(first: int) -> int:
    """Papers a drawn graph may hold: ``1..MAX_GRAPH_PAPERS``.

    >>> check_graph_size(0)
    Traceback (most recent call last):
    ...
    ValueError: first must be between 1 and 1000, got 0
    """
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= MAX_GRAPH_PAPERS:
        raise ValueError(f"first must be between 1 and {MAX_GRAPH_PAPERS}, got {first!r}")
    return first


def _citers(G: nx.DiGraph, paper: str) -> Iterator[str]:
    return (str(c) for c in G.predecessors(paper) if c != paper)


def _refs(G: nx.DiGraph, paper: str) -> Iterator[str]:
    return (str(r) for r in G.successors(paper) if r != paper)


def _cosine(shared: int, a: int, b: int) -> float:
    return shared / math.sqrt(a * b) if shared and a and b else 0.0


def _similarity(G: nx.DiGraph, a: str, b: str, cocited: int, coupled: int) -> tuple[float, float]:
    co = _cosine(cocited, _degree(G, a, inward=True), _degree(G, b, inward=True))
    cp = _cosine(coupled, _degree(G, a, inward=False), _degree(G, b, inward=False))
    return co, cp


def _degree(G: nx.DiGraph, paper: str, *, inward: bool) -> int:
    return sum(1 for _ in (_citers(G, paper) if inward else _refs(G, paper)))


def _seed_counts(G: nx.DiGraph, seed: str) -> tuple[Counter[str], Counter[str]]:
    """Citers and references each paper shares with ``seed`` (two hops out of it)."""
    cocited: Counter[str] = Counter()
    for citer in _citers(G, seed):
        cocited.update(p for p in _refs(G, citer) if p != seed)
    coupled: Counter[str] = Counter()
    for ref in _refs(G, seed):
        coupled.update(p for p in _citers(G, ref) if p != seed)
    return cocited, coupled


def _paper(
    G: nx.DiGraph, paper: str, *, seed: bool, score: float, co: int = 0, cp: int = 0
) -> GraphPaper:
    attrs = G.nodes[paper]
    count = attrs.get("citationCount")
    community = attrs.get("community")
    pagerank = attrs.get("pagerank")
    return GraphPaper(
        paper_id=paper,
        is_seed=seed,
        score=score,
        co_citation=co,
        coupling=cp,
        year=year_of(G, paper),
        citation_count=int(count) if count is not None else None,
        community=int(community) if community is not None else None,
        pagerank=float(pagerank) if pagerank is not None else None,
    )


def _pair_counts(G: nx.DiGraph, chosen: set[str], step: str) -> Counter[tuple[str, str]]:
    """Shared citers (``step="citers"``) or shared references of every chosen pair.

    Each paper one hop from the chosen set is visited once: its chosen
    neighbours on the far side are paired up.
    """
    middle: set[str] = set()
    for paper in chosen:
        middle.update(_citers(G, paper) if step == "citers" else _refs(G, paper))
    pairs: Counter[tuple[str, str]] = Counter()
    for hub in sorted(middle):
        ends = sorted(
            {p for p in (_refs(G, hub) if step == "citers" else _citers(G, hub)) if p in chosen}
        )
        for i, a in enumerate(ends):
            for b in ends[i + 1 :]:
                pairs[(a, b)] += 1
    return pairs


def _strongest(edges: list[SimilarityEdge], per_paper: int) -> list[SimilarityEdge]:
    """Edges that are among the ``per_paper`` strongest of either end."""
    by_paper: dict[str, list[SimilarityEdge]] = defaultdict(list)
    for edge in edges:
        by_paper[edge.source].append(edge)
        by_paper[edge.target].append(edge)
    kept: set[tuple[str, str]] = set()
    for touching in by_paper.values():
        best = heapq.nsmallest(
            per_paper,
            touching,
            key=lambda e: (-round(e.weight, _TIE_DIGITS), e.source, e.target),
        )
        kept.update((e.source, e.target) for e in best)
    return [e for e in edges if (e.source, e.target) in kept]


def similarity_graph(
    G: nx.DiGraph,
    seeds: Iterable[str],
    *,
    first: int = 40,
    edges_per_paper: int = EDGES_PER_PAPER,
) -> SimilarityGraph:
    """The seeds and their ``first - len(seeds)`` most similar papers, with weighted edges.

    Seeds the graph lacks are listed in ``missing``; when none is present the
    graph is empty. Nodes: seeds first (in the order given), then candidates
    by score, best first.
    """
    check_graph_size(first)
    asked = check_seeds(seeds)
    present = [s for s in asked if s in G][:first]
    missing = [s for s in asked if s not in G]
    seed_set = set(present)
    score: dict[str, float] = defaultdict(float)
    shared_citers: Counter[str] = Counter()
    shared_refs: Counter[str] = Counter()
    for seed in present:
        cocited, coupled = _seed_counts(G, seed)
        for paper in cocited.keys() | coupled.keys():
            if paper in seed_set:
                continue
            co, cp = _similarity(G, seed, paper, cocited[paper], coupled[paper])
            score[paper] += (co + cp) / 2
        shared_citers.update(cocited)
        shared_refs.update(coupled)
    room = first - len(present)
    best = heapq.nsmallest(
        room,
        (p for p, s in score.items() if s > 0),
        key=lambda p: (-round(score[p], _TIE_DIGITS), p),
    )
    nodes = [_paper(G, s, seed=True, score=1.0) for s in present] + [
        _paper(G, p, seed=False, score=score[p], co=shared_citers[p], cp=shared_refs[p])
        for p in best
    ]
    chosen = seed_set | set(best)
    cocited_pairs = _pair_counts(G, chosen, "citers")
    coupled_pairs = _pair_counts(G, chosen, "refs")
    edges: list[SimilarityEdge] = []
    for a, b in sorted(cocited_pairs.keys() | coupled_pairs.keys()):
        co, cp = _similarity(G, a, b, cocited_pairs[(a, b)], coupled_pairs[(a, b)])
        edges.append(SimilarityEdge(a, b, (co + cp) / 2, co, cp))
    return SimilarityGraph(present, missing, nodes, _strongest(edges, edges_per_paper))


def community_graph(G: nx.DiGraph, community: int, *, first: int = 100) -> CommunityGraph:
    """The ``first`` papers of a stored community (highest PageRank first) and their citations.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "x")])
    >>> for p, pr in (("a", 0.1), ("b", 0.3), ("c", 0.2)):
    ...     G.nodes[p].update(community=1, pagerank=pr)
    >>> g = community_graph(G, 1, first=2)
    >>> [n.paper_id for n in g.nodes], g.edges, g.size, g.truncated
    (['b', 'c'], [('b', 'c')], 3, True)
    """
    check_graph_size(first)
    members = [
        str(p) for p, c in G.nodes(data="community") if c is not None and int(c) == community
    ]

    def rank(paper: str) -> tuple[float, int, str]:
        attrs = G.nodes[paper]
        return (-float(attrs.get("pagerank") or 0.0), -int(attrs.get("citationCount") or 0), paper)

    chosen = heapq.nsmallest(first, members, key=rank)
    keep = set(chosen)
    edges = sorted((a, str(b)) for a in chosen for b in G.successors(a) if b in keep and b != a)
    nodes = [
        _paper(G, p, seed=False, score=float(G.nodes[p].get("pagerank") or 0.0)) for p in chosen
    ]
    return CommunityGraph(community, len(members), nodes, edges, len(members) > len(chosen))
