"""Prior and derivative works of a seed set (Connected Papers' two lists).

*Prior works* are the papers that many of the seeds cite: the shared
foundations of a reading list. *Derivative works* are the papers that cite
many of the seeds: later work that builds on several of them at once. Seeds
themselves are never listed; seeds missing from the graph are reported.

>>> import networkx as nx
>>> G = nx.DiGraph([("s1", "f"), ("s2", "f"), ("s2", "g"), ("n", "s1"), ("n", "s2")])
>>> prior = prior_works(G, ["s1", "s2", "unknown"])
>>> [(w.paper_id, w.count, w.score) for w in prior.works], prior.missing
([('f', 2, 1.0), ('g', 1, 0.5)], ['unknown'])
>>> [(w.paper_id, w.count) for w in derivative_works(G, ["s1", "s2"]).works]
[('n', 2)]
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from graph_api.analytics.limits import check_k, check_seeds


@dataclass(frozen=True, slots=True)
class SeedWork:
    """A paper linked to ``count`` seeds; ``score`` = count / seeds found in the graph."""

    paper_id: str
    count: int
    score: float


@dataclass(frozen=True)
class SeedWorks:
    """The top works, best first, and the seed ids the graph does not hold."""

    works: list[SeedWork]
    seeds: list[str]
    missing: list[str]


def prior_works(
    G: nx.DiGraph, seeds: Iterable[str], *, k: int = 20, min_count: int = 1
) -> SeedWorks:
    """Papers cited by at least ``min_count`` seeds, most-cited-by-seeds first (k in 1..50)."""
    return _works(G, seeds, k=k, min_count=min_count, step=G.successors)


def derivative_works(
    G: nx.DiGraph, seeds: Iterable[str], *, k: int = 20, min_count: int = 1
) -> SeedWorks:
    """Papers citing at least ``min_count`` seeds, citing-most-seeds first (k in 1..50)."""
    return _works(G, seeds, k=k, min_count=min_count, step=G.predecessors)


def _works(
    G: nx.DiGraph,
    seeds: Iterable[str],
    *,
    k: int,
    min_count: int,
    step: Callable[[str], Iterable[str]],
) -> SeedWorks:
    check_k(k)
    chosen = check_seeds(seeds)
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    present = [s for s in chosen if s in G]
    missing = [s for s in chosen if s not in G]
    seed_set = set(present)
    counts: Counter[str] = Counter()
    for seed in present:
        counts.update(str(n) for n in step(seed) if n not in seed_set)
    top = heapq.nsmallest(
        k,
        ((p, n) for p, n in counts.items() if n >= min_count),
        key=lambda item: (-item[1], item[0]),
    )
    works = [SeedWork(paper_id=p, count=n, score=n / len(present)) for p, n in top]
    return SeedWorks(works=works, seeds=present, missing=missing)
