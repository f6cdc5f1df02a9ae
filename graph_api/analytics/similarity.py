"""Similar papers by co-citation, bibliographic coupling and Adamic-Adar.

All three walk out from the target's neighbourhood (two hops), never over all
pairs, so one request costs what the target's citations and references cost.

* co-citation: how many papers cite both (papers read together later);
* bibliographic coupling, Salton's cosine: shared references / sqrt(refs(a) x
  refs(b)) (papers drawing on the same sources);
* Adamic-Adar on the undirected citation graph: sum over common neighbours
  z of 1 / log(degree(z)), so a shared obscure neighbour counts more than a
  shared hub.

>>> import networkx as nx
>>> G = nx.DiGraph([("x", "a"), ("x", "b"), ("y", "a"), ("y", "b"), ("y", "c")])
>>> [(s.paper_id, s.score) for s in similar_papers(G, "a", method="co_citation")]
[('b', 2.0), ('c', 1.0)]
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from graph_api.analytics.limits import check_k, require_paper

Method = Literal["co_citation", "coupling", "adamic_adar"]
_TIE_DIGITS = 12


@dataclass(frozen=True, slots=True)
class SimilarPaper:
    """A similar paper, its score, and how many citers / references /
    neighbours it shares with the target."""

    paper_id: str
    score: float
    shared: int


def similar_papers(
    G: nx.DiGraph, paper: str, *, method: Method = "co_citation", k: int = 10
) -> list[SimilarPaper]:
    """The ``k`` (1..50) papers most similar to ``paper`` by ``method``, best first."""
    check_k(k)
    require_paper(G, paper)
    if method == "co_citation":
        return co_citation(G, paper, k=k)
    if method == "coupling":
        return bibliographic_coupling(G, paper, k=k)
    if method == "adamic_adar":
        return adamic_adar(G, paper, k=k)
    raise ValueError(f"method must be co_citation, coupling or adamic_adar, got {method!r}")


def co_citation(G: nx.DiGraph, paper: str, *, k: int = 10) -> list[SimilarPaper]:
    """Papers cited together with ``paper``; score = number of papers citing both.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "a"), ("x", "b"), ("y", "a"), ("y", "b")])
    >>> co_citation(G, "a")
    [SimilarPaper(paper_id='b', score=2.0, shared=2)]
    """
    check_k(k)
    require_paper(G, paper)
    counts: Counter[str] = Counter()
    for citing in G.predecessors(paper):
        if citing == paper:  # a self-citation says nothing about similarity
            continue
        counts.update(str(c) for c in G.successors(citing) if c != paper)
    return _top({p: (float(n), n) for p, n in counts.items()}, k)


def bibliographic_coupling(G: nx.DiGraph, paper: str, *, k: int = 10) -> list[SimilarPaper]:
    """Papers sharing references with ``paper``; score = Salton's cosine.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "r1"), ("a", "r2"), ("b", "r1"), ("b", "r2"), ("b", "r3"),
    ...                 ("b", "r4")])
    >>> bibliographic_coupling(G, "a")  # 2 / sqrt(2 * 4)
    [SimilarPaper(paper_id='b', score=0.7071067811865475, shared=2)]
    """
    check_k(k)
    require_paper(G, paper)
    refs = {r for r in G.successors(paper) if r != paper}
    counts: Counter[str] = Counter()
    for ref in refs:
        counts.update(str(c) for c in G.predecessors(ref) if c != paper)
    scored = {p: (n / math.sqrt(len(refs) * _out_degree(G, p)), n) for p, n in counts.items()}
    return _top(scored, k)


def adamic_adar(G: nx.DiGraph, paper: str, *, k: int = 10) -> list[SimilarPaper]:
    """Adamic-Adar index on the undirected citation graph (self-citations ignored).

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "z"), ("b", "z"), ("b", "w"), ("c", "w")])
    >>> [s.paper_id for s in adamic_adar(G, "a")]  # z has degree 2: 1 / log 2
    ['b']
    """
    check_k(k)
    require_paper(G, paper)
    scored: dict[str, tuple[float, int]] = {}
    # Sorted, so that the float sums (and so the ties) never depend on hashing.
    for z in sorted(_neighbours(G, paper)):
        others = _neighbours(G, z)
        if len(others) < 2:  # z touches only the target
            continue
        weight = 1.0 / math.log(len(others))
        for y in sorted(others):
            if y != paper:
                score, shared = scored.get(y, (0.0, 0))
                scored[y] = (score + weight, shared + 1)
    return _top(scored, k)


def _neighbours(G: nx.DiGraph, paper: str) -> set[str]:
    found = {str(n) for n in G.predecessors(paper)} | {str(n) for n in G.successors(paper)}
    found.discard(paper)
    return found


def _out_degree(G: nx.DiGraph, paper: str) -> int:
    return sum(1 for r in G.successors(paper) if r != paper)


def _top(scored: dict[str, tuple[float, int]], k: int) -> list[SimilarPaper]:
    # Scores equal up to float rounding (sums in another order) count as ties.
    best = heapq.nsmallest(
        k, scored.items(), key=lambda item: (-round(item[1][0], _TIE_DIGITS), item[0])
    )
    return [SimilarPaper(paper_id=p, score=s, shared=n) for p, (s, n) in best]
