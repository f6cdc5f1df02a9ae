"""Sparse personalised PageRank against networkx's (the reference), and its stop check."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from graph_api.analytics import pagerank
from graph_api.analytics.sparse_rank import (
    RankMatrix,
    RankStopped,
    personalised_scores,
    reach,
    top_personalised,
)


def random_citations(n: int, seed: int) -> nx.DiGraph:
    rng = random.Random(seed)
    G = nx.DiGraph()
    G.add_nodes_from(f"p{i}" for i in range(n))
    for i in range(1, n):
        for _ in range(rng.randint(0, 6)):
            G.add_edge(f"p{i}", f"p{rng.randrange(i)}")  # cites older papers; some dangle
    return G


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_equal_networkx_personalised_pagerank(seed: int) -> None:
    G = random_citations(400, seed)
    seeds = [f"p{i}" for i in random.Random(seed).sample(range(400), 12)]
    reference = pagerank(G, personalization=dict.fromkeys(seeds, 1.0))
    m = RankMatrix.of(G)
    scores = personalised_scores(m, seeds)
    assert max(abs(scores[m.index[p]] - s) for p, s in reference.items()) < 1e-9
    top = top_personalised(m, seeds, k=10, include_seeds=True)
    expected = sorted(reference.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [p for p, _ in top] == [p for p, _ in expected]


def test_unknown_seeds_are_ignored_and_none_left_scores_nothing() -> None:
    m = RankMatrix.of(nx.DiGraph([("a", "b")]))
    assert personalised_scores(m, ["zzz"]).sum() == 0.0
    assert top_personalised(m, ["zzz", "a"], k=5, include_seeds=False) == [
        ("b", pytest.approx(personalised_scores(m, ["a"])[m.index["b"]]))
    ]


def test_the_stop_check_ends_the_iteration() -> None:
    m = RankMatrix.of(random_citations(200, 4))
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(RankStopped):
        personalised_scores(m, ["p5"], should_stop=stop)
    assert len(calls) == 3


@pytest.mark.parametrize("seed", [5, 6])
def test_the_reach_is_what_networkx_finds_from_the_seeds(seed: int) -> None:
    G = random_citations(300, seed)
    starts = random.Random(seed).sample(range(300), 4)
    m = RankMatrix.of(G)
    expected = set().union(*({f"p{i}"} | nx.descendants(G, f"p{i}") for i in starts))
    got = reach(m, np.array([m.index[f"p{i}"] for i in starts]))
    assert {m.papers[i] for i in got} == expected


def test_scores_on_a_small_reach_equal_networkx_on_the_whole_graph() -> None:
    """Seeds among the oldest papers reach few: the iteration on that reach gives
    networkx's scores on the whole graph (zero outside it)."""
    G = random_citations(400, 9)
    seeds = ["p3", "p7", "p12"]
    m = RankMatrix.of(G)
    assert len(reach(m, np.array([m.index[s] for s in seeds]))) < 40
    reference = pagerank(G, personalization=dict.fromkeys(seeds, 1.0))
    scores = personalised_scores(m, seeds)
    assert max(abs(scores[m.index[p]] - s) for p, s in reference.items()) < 1e-9
