"""similarity_graph and community_graph against plain all-pairs reference implementations."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from graph_api.analytics.similarity_graph import (
    MAX_GRAPH_PAPERS,
    community_graph,
    similarity_graph,
)


def random_citation_graph(n: int, seed: int) -> nx.DiGraph:
    """Papers cite older papers only, a few self-citations and duplicates thrown in."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    for i in range(n):
        G.add_node(f"p{i:03d}", year=1990 + i // 10, citationCount=rng.randint(0, 50))
        for _ in range(rng.randint(0, 6)):
            if i:
                G.add_edge(f"p{i:03d}", f"p{rng.randrange(i):03d}")
    G.add_edge("p010", "p010")  # a data error the walk must ignore
    return G


def reference_similarity(G: nx.DiGraph, a: str, b: str) -> tuple[float, float]:
    def citers(p: str) -> set[str]:
        return {str(c) for c in G.predecessors(p)} - {p}

    def refs(p: str) -> set[str]:
        return {str(r) for r in G.successors(p)} - {p}

    def cosine(x: set[str], y: set[str]) -> float:
        return len(x & y) / math.sqrt(len(x) * len(y)) if x and y else 0.0

    return cosine(citers(a), citers(b)), cosine(refs(a), refs(b))


@pytest.mark.parametrize("seed", range(6))
def test_matches_the_all_pairs_reference(seed: int) -> None:
    G = random_citation_graph(120, seed)
    rng = random.Random(seed)
    seeds = rng.sample(sorted(G.nodes), 3)
    result = similarity_graph(G, seeds, first=25, edges_per_paper=10**6)

    # Candidates: reference score for every other paper, the best kept (ties by id).
    scores = {
        p: sum(sum(reference_similarity(G, s, p)) / 2 for s in seeds)
        for p in G.nodes
        if p not in seeds
    }
    ranked = sorted((p for p in scores if scores[p] > 0), key=lambda p: (-round(scores[p], 12), p))
    assert [n.paper_id for n in result.nodes] == seeds + ranked[: 25 - len(seeds)]
    for node in result.nodes[len(seeds) :]:
        assert node.score == pytest.approx(scores[node.paper_id])
        assert not node.is_seed
    assert all(n.is_seed and n.score == 1.0 for n in result.nodes[: len(seeds)])

    # Edges: every chosen pair with a positive similarity, weights equal to the reference.
    chosen = sorted(n.paper_id for n in result.nodes)
    expected = {}
    for i, a in enumerate(chosen):
        for b in chosen[i + 1 :]:
            co, cp = reference_similarity(G, a, b)
            if co or cp:
                expected[(a, b)] = (co + cp) / 2
    got = {(e.source, e.target): e.weight for e in result.edges}
    assert got.keys() == expected.keys()
    for pair, weight in expected.items():
        assert got[pair] == pytest.approx(weight)


def test_pruning_keeps_each_papers_strongest_edges() -> None:
    G = random_citation_graph(150, 42)
    full = similarity_graph(G, ["p100", "p120"], first=40, edges_per_paper=10**6)
    pruned = similarity_graph(G, ["p100", "p120"], first=40, edges_per_paper=3)
    assert [n.paper_id for n in pruned.nodes] == [n.paper_id for n in full.nodes]
    kept = {(e.source, e.target) for e in pruned.edges}
    assert kept < {(e.source, e.target) for e in full.edges}
    for node in full.nodes:
        touching = sorted(
            (e for e in full.edges if node.paper_id in (e.source, e.target)),
            key=lambda e: (-round(e.weight, 12), e.source, e.target),
        )
        assert {(e.source, e.target) for e in touching[:3]} <= kept
    assert len(pruned.edges) <= 3 * len(pruned.nodes)


def test_missing_seeds_and_bounds() -> None:
    G = random_citation_graph(50, 1)
    result = similarity_graph(G, ["p040", "nope"], first=10)
    assert result.seeds == ["p040"] and result.missing == ["nope"]
    empty = similarity_graph(G, ["nope"], first=10)
    assert empty.nodes == [] and empty.edges == []
    for bad in (0, MAX_GRAPH_PAPERS + 1):
        with pytest.raises(ValueError, match="first must be between 1 and"):
            similarity_graph(G, ["p040"], first=bad)
    with pytest.raises(ValueError, match="seed set is empty"):
        similarity_graph(G, [], first=10)


def test_community_graph_takes_the_highest_pagerank_and_their_citations() -> None:
    G = random_citation_graph(80, 3)
    rng = random.Random(3)
    for p in G.nodes:
        G.nodes[p].update(community=rng.randrange(3), pagerank=rng.random())
    result = community_graph(G, 1, first=10)
    members = [p for p, c in G.nodes(data="community") if c == 1]
    top = sorted(members, key=lambda p: -G.nodes[p]["pagerank"])[:10]
    assert [n.paper_id for n in result.nodes] == top
    assert result.size == len(members) and result.truncated == (len(members) > 10)
    assert set(result.edges) == {(a, b) for a, b in G.edges if a in top and b in top and a != b}
