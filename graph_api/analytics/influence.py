"""Influence: PageRank over citations, global and personalised.

Edges run citing -> cited, so a random reader following references ends up on
the papers that many (influential) papers cite: those gain rank. The fast path
is :func:`networkx.pagerank` (scipy sparse power iteration); the tests check
it against a plain-Python power iteration.

>>> import networkx as nx
>>> G = nx.DiGraph([("b", "a"), ("c", "a"), ("c", "b")])
>>> ranked = influence(G)
>>> [(p, ranked[p].rank, ranked[p].percentile) for p in ("a", "b", "c")]
[('a', 1, 100.0), ('b', 2, 66.66666666666667), ('c', 3, 33.333333333333336)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from graph_api.analytics.limits import check_k, check_seeds, require_paper
from graph_api.analytics.ranking import Scored, top_scored

ALPHA = 0.85
# networkx stops when the L1 change is below N * tol; 1e-12 leaves the order of
# the top papers settled even on 100k-node graphs, at a few dozen more
# (cheap, sparse) iterations than the default.
TOL = 1e-12
MAX_ITER = 1000


@dataclass(frozen=True, slots=True)
class Influence:
    """A paper's PageRank, its rank (1 = highest) and percentile (100 = top).

    Equal scores share a rank (competition ranking, "1224"); the percentile is
    the share of papers whose score is at most this one's.
    """

    score: float
    rank: int
    percentile: float


def pagerank(
    G: nx.DiGraph,
    *,
    alpha: float = ALPHA,
    personalization: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """PageRank of every paper (scores sum to 1); edges are unweighted.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("b", "a"), ("c", "a")])
    >>> {p: round(s, 4) for p, s in sorted(pagerank(G).items())}
    {'a': 0.5745, 'b': 0.2128, 'c': 0.2128}
    """
    if len(G) == 0:
        return {}
    scores = nx.pagerank(
        G,
        alpha=alpha,
        personalization=dict(personalization) if personalization is not None else None,
        max_iter=MAX_ITER,
        tol=TOL,
        weight=None,
    )
    return {str(p): float(s) for p, s in scores.items()}


def ranks(scores: Mapping[str, float]) -> dict[str, Influence]:
    """Rank and percentile for every score (see :class:`Influence`).

    >>> r = ranks({"a": 0.5, "b": 0.25, "c": 0.25})
    >>> (r["a"].rank, r["b"].rank, r["c"].rank, r["c"].percentile)
    (1, 2, 2, 66.66666666666667)
    """
    n = len(scores)
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    result: dict[str, Influence] = {}
    rank = 0
    previous: float | None = None
    for position, (paper, score) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = position, score
        result[paper] = Influence(score=score, rank=rank, percentile=100.0 * (n - rank + 1) / n)
    return result


def influence(G: nx.DiGraph, *, alpha: float = ALPHA) -> dict[str, Influence]:
    """PageRank with rank and percentile for every paper of ``G``."""
    return ranks(pagerank(G, alpha=alpha))


def personalized_pagerank(
    G: nx.DiGraph,
    seeds: Iterable[str],
    *,
    alpha: float = ALPHA,
    k: int = 10,
    include_seeds: bool = False,
) -> list[Scored]:
    """The ``k`` papers most reachable from a seed set (teleports land on seeds only).

    Useful for "what matters most from where I stand": the random reader
    restarts from the seed papers instead of anywhere. Seeds themselves score
    high, so they are left out unless ``include_seeds``.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("s", "a"), ("a", "b"), ("x", "c")])
    >>> [s.paper_id for s in personalized_pagerank(G, ["s"], k=3)]  # c is unreachable
    ['a', 'b']
    """
    check_k(k)
    chosen = check_seeds(seeds)
    for paper in chosen:
        require_paper(G, paper)
    return _personalised_top(G, chosen, alpha=alpha, k=k, include_seeds=include_seeds)


def topic_papers(G: nx.DiGraph, topic: str) -> list[str]:
    """Papers whose ``topics`` attribute names ``topic`` (case-insensitive), sorted.

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("a", topics=("Physics",)); G.add_node("b", topics=("Biology",))
    >>> topic_papers(G, "physics")
    ['a']
    """
    wanted = topic.casefold()
    return sorted(
        str(p)
        for p, topics in G.nodes(data="topics")
        if topics and any(str(t).casefold() == wanted for t in topics)
    )


def topic_pagerank(G: nx.DiGraph, topic: str, *, alpha: float = ALPHA, k: int = 10) -> list[Scored]:
    """PageRank personalised on every paper of a topic; the top ``k`` of any topic.

    Unlike a seed set, a topic's papers may be many; they are all teleport
    targets and may appear in the result. An unknown topic gives ``[]``.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("c", "d")])
    >>> nx.set_node_attributes(G, {"a": ("NLP",), "c": ("Vision",)}, "topics")
    >>> [s.paper_id for s in topic_pagerank(G, "nlp", k=3)]
    ['a', 'b']
    """
    check_k(k)
    seeds = topic_papers(G, topic)
    if not seeds:
        return []
    return _personalised_top(G, seeds, alpha=alpha, k=k, include_seeds=True)


def _personalised_top(
    G: nx.DiGraph, seeds: list[str], *, alpha: float, k: int, include_seeds: bool
) -> list[Scored]:
    scores = pagerank(G, alpha=alpha, personalization=dict.fromkeys(seeds, 1.0))
    if not include_seeds:
        for paper in seeds:
            scores.pop(paper, None)
    # Papers the seeds never reach score exactly zero: not "related".
    return top_scored({p: s for p, s in scores.items() if s > 0.0}, k)


def influential_papers(
    G: nx.DiGraph,
    scores: Mapping[str, float],
    *,
    topic: str | None = None,
    years: tuple[int, int] | None = None,
    k: int = 10,
) -> list[Scored]:
    """The top ``k`` papers by a global score, optionally within a topic and a year range.

    ``years`` is inclusive; papers without a year are left out when it is set.

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("a", year=2019, topics=("ML",)); G.add_node("b", year=2021, topics=("ML",))
    >>> G.add_node("c", year=2021, topics=("Math",))
    >>> scores = {"a": 0.5, "b": 0.3, "c": 0.2}
    >>> [s.paper_id for s in influential_papers(G, scores, topic="ml", years=(2020, 2022))]
    ['b']
    """
    check_k(k)
    if years is not None and years[0] > years[1]:
        raise ValueError(f"years must be (first, last) with first <= last, got {years!r}")
    allowed: set[str] | None = set(topic_papers(G, topic)) if topic is not None else None
    chosen: dict[str, float] = {}
    for paper, score in scores.items():
        if paper not in G or (allowed is not None and paper not in allowed):
            continue
        if years is not None:
            year = G.nodes[paper].get("year")
            if year is None or not years[0] <= int(year) <= years[1]:
                continue
        chosen[paper] = score
    return top_scored(chosen, k)
