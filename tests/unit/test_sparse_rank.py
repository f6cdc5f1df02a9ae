"""Sparse personalised PageRank against networkx's (the reference), and its stop check."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph_api.analytics import pagerank
from graph_api.analytics.sparse_rank import (
    RankMatrix,
    RankStopped,
    personalised_scores,
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
