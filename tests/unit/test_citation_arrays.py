"""The array/igraph path of ``citekb analytics`` against networkx, the reference.

Hand-made graphs (answers worked out or read off the networkx reference) and
synthetic citation graphs (preferential attachment, citations to older papers,
random topics; all synthetic): PageRank agrees with networkx's to 1e-8, ranks
are exactly :func:`ranks` of the same scores, the Louvain partition is the one
:func:`louvain` computes with igraph (and about as modular as networkx's), and
the community labels are :func:`communities`'s.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from graph_api import analytics as ga
from graph_api.analytics.citation_arrays import (
    CitationArrays,
    label_communities,
    louvain_membership,
    pagerank_scores,
    rank_scores,
)

TOPICS = ("NLP", "Vision", "RL", "Theory", "Biology", "Robotics")


def synthetic_citations(n: int, refs: int, seed: int) -> nx.DiGraph:
    """Citations to older papers, 70% preferential by in-degree; 0-2 random topics each."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    ids = [f"syn{i:05d}" for i in range(n)]
    weight = [1] * n
    for i, paper in enumerate(ids):
        G.add_node(paper, topics=tuple(rng.sample(TOPICS, rng.randint(0, 2))))
        for _ in range(rng.randint(0, 2 * refs) if i else 0):
            if rng.random() < 0.7:
                j = rng.choices(range(i), weights=weight[:i])[0]
            else:
                j = rng.randrange(i)
            G.add_edge(paper, ids[j])
            weight[j] += 1
    return G


HAND_MADE = {
    # a is cited by everyone: it ranks first; b and c are symmetric
    "star": nx.DiGraph([("b", "a"), ("c", "a")]),
    # a chain with a self-citation and a cycle back to the start
    "self-loop and cycle": nx.DiGraph([("a", "a"), ("b", "a"), ("c", "b"), ("a", "c")]),
    # two components, one paper cites nothing and is cited by nothing
    "components": nx.DiGraph([("b", "a"), ("c", "a"), ("c", "b"), ("y", "x")]),
}


@pytest.fixture(scope="module", params=[(1500, 4, 1), (3000, 6, 2), (4000, 3, 3)])
def synthetic(request: pytest.FixtureRequest) -> tuple[nx.DiGraph, CitationArrays]:
    n, refs, seed = request.param
    G = synthetic_citations(n, refs, seed)
    return G, CitationArrays.from_networkx(G)


def by_paper(arrays: CitationArrays, values: np.ndarray) -> dict[str, float]:
    return dict(zip(arrays.paper_ids, values.tolist(), strict=True))


def test_numbering_is_by_paper_id_and_keys_map_once() -> None:
    # Store keys in any order: papers are numbered by ascending id, citations
    # naming an unknown key are dropped, duplicates collapse (a DiGraph's edges).
    arrays = CitationArrays.from_keys(
        np.array([30, 10, 20]),
        ["c", "a", "b"],
        np.array([30, 30, 20, 20, 30]),
        np.array([10, 10, 10, 77, 20]),
        topic_keys=np.array([10, 10, 30]),
        topic_names=["Vision", "NLP"],
        topic_name_index=np.array([1, 1, 0]),
    )
    assert arrays.paper_ids == ["a", "b", "c"]
    assert list(zip(arrays.citing.tolist(), arrays.cited.tolist(), strict=True)) == [
        (1, 0),
        (2, 0),
        (2, 1),
    ]
    assert arrays.topic_names == ["NLP", "Vision"]
    assert list(zip(arrays.topic_paper.tolist(), arrays.topic_topic.tolist(), strict=True)) == [
        (0, 0),
        (2, 1),
    ]


def test_duplicate_paper_ids_and_mismatched_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="distinct"):
        CitationArrays.from_keys(np.array([1, 2]), ["a", "a"], np.array([1]), np.array([2]))
    with pytest.raises(ValueError, match="2 keys for 1 paper ids"):
        CitationArrays.from_keys(np.array([1, 2]), ["a"], np.array([1]), np.array([2]))


def test_round_trip_through_networkx_keeps_the_graph() -> None:
    G = HAND_MADE["components"].copy()
    G.add_node("a", topics=("NLP",))
    back = CitationArrays.from_networkx(G).to_networkx()
    assert sorted(back.edges) == sorted(G.edges)
    assert sorted(back.nodes) == sorted(G.nodes)
    assert back.nodes["a"]["topics"] == ("NLP",)


@pytest.mark.parametrize("name", sorted(HAND_MADE))
def test_pagerank_matches_networkx_on_hand_made_graphs(name: str) -> None:
    G = HAND_MADE[name]
    arrays = CitationArrays.from_networkx(G)
    ours = by_paper(arrays, pagerank_scores(arrays))
    reference = ga.pagerank(G)
    assert ours.keys() == reference.keys()
    for paper, score in reference.items():
        assert ours[paper] == pytest.approx(score, abs=1e-9), paper
    assert sum(ours.values()) == pytest.approx(1.0)


def test_star_by_hand() -> None:
    # b and c are dangling: their mass is spread evenly. a = 0.05 + 0.85*(b+c) + 0.85*(b+c)/3...
    # solved, a = 0.5745, b = c = 0.2128 (the networkx doctest's figures).
    arrays = CitationArrays.from_networkx(HAND_MADE["star"])
    scores = pagerank_scores(arrays)
    assert [round(s, 4) for s in scores.tolist()] == [0.5745, 0.2128, 0.2128]
    rank, percentile = rank_scores(scores)
    # equal scores share a rank (competition ranking)
    assert rank.tolist() == [1, 2, 2]
    assert percentile.tolist() == pytest.approx([100.0, 200 / 3, 200 / 3])


def test_empty_graph() -> None:
    arrays = CitationArrays.build([], [])
    assert pagerank_scores(arrays).tolist() == []
    assert rank_scores(pagerank_scores(arrays))[0].tolist() == []
    assert louvain_membership(arrays).tolist() == []
    assert label_communities(arrays, louvain_membership(arrays)) == []


def test_pagerank_matches_networkx_on_synthetic_graphs(
    synthetic: tuple[nx.DiGraph, CitationArrays],
) -> None:
    G, arrays = synthetic
    reference = ga.pagerank(G)
    ours = pagerank_scores(arrays)
    expected = np.array([reference[p] for p in arrays.paper_ids])
    assert np.abs(ours - expected).max() < 1e-8
    top = [s.paper_id for s in ga.top_scored(reference, 20)]
    assert [s.paper_id for s in ga.top_scored(by_paper(arrays, ours), 20)] == top


def test_ranks_are_exactly_the_reference_ranks_of_the_same_scores(
    synthetic: tuple[nx.DiGraph, CitationArrays],
) -> None:
    _, arrays = synthetic
    scores = pagerank_scores(arrays)
    # Round so that ties really occur (uncited papers already share one score).
    scores = np.round(scores, 6)
    rank, percentile = rank_scores(scores)
    reference = ga.ranks(by_paper(arrays, scores))
    for i, paper in enumerate(arrays.paper_ids):
        assert (int(rank[i]), float(percentile[i])) == (
            reference[paper].rank,
            reference[paper].percentile,
        )


def test_louvain_is_the_igraph_partition_of_the_reference_function(
    synthetic: tuple[nx.DiGraph, CitationArrays],
) -> None:
    G, arrays = synthetic
    membership = louvain_membership(arrays)
    parts = ga.louvain(G, backend="igraph")
    assert int(membership.max()) + 1 == len(parts)
    for cid, part in enumerate(parts):
        assert {arrays.paper_ids[i] for i in np.flatnonzero(membership == cid)} == set(part)


def test_louvain_is_as_modular_as_networkx(
    synthetic: tuple[nx.DiGraph, CitationArrays],
) -> None:
    G, arrays = synthetic
    U = G.to_undirected()
    U.remove_edges_from(list(nx.selfloop_edges(U)))
    membership = louvain_membership(arrays)
    ours = [
        {arrays.paper_ids[i] for i in np.flatnonzero(membership == c)}
        for c in range(int(membership.max()) + 1)
    ]
    reference = ga.louvain(G, backend="networkx")
    q_ours = nx.community.modularity(U, ours)
    q_ref = nx.community.modularity(U, reference)
    assert q_ours == pytest.approx(q_ref, abs=0.02)
    assert q_ours > 0.2  # a real partition, not one community or singletons


def test_labels_and_sizes_are_the_reference_communities(
    synthetic: tuple[nx.DiGraph, CitationArrays],
) -> None:
    G, arrays = synthetic
    found = ga.communities(G, backend="igraph")
    labelled = label_communities(arrays, louvain_membership(arrays))
    assert [(c.id, c.size, c.label) for c in labelled] == [
        (c.id, c.size, c.label) for c in found.communities
    ]
    membership = louvain_membership(arrays)
    assert {p: int(membership[i]) for i, p in enumerate(arrays.paper_ids)} == found.membership


def test_igraph_graph_built_in_chunks_is_the_same_graph(
    synthetic: tuple[nx.DiGraph, CitationArrays], monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph_api.analytics import citation_arrays

    _, arrays = synthetic
    whole = citation_arrays.citation_graph(arrays)
    monkeypatch.setattr(citation_arrays, "EDGE_CHUNK", 997)  # many uneven chunks
    chunked = citation_arrays.citation_graph(arrays)
    assert chunked.get_edgelist() == whole.get_edgelist()  # type: ignore[attr-defined]
    assert chunked.ecount() == arrays.cites  # type: ignore[attr-defined]
