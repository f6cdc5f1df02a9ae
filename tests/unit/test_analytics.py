"""Graph analytics against small graphs whose answers were worked out by hand.

Each hand-worked test states the reasoning in a comment; the fast paths are
also checked against plain reference implementations (power iteration, brute
force over all pairs / all paths) on random graphs. All graphs are synthetic.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from itertools import pairwise

import networkx as nx
import pytest

from graph_api import analytics as ga
from graph_api.analytics.communities import Backend
from graph_api.analytics.similarity import Method

ALPHA = 0.85


# --- reference implementations (tests only) --------------------------------


def reference_pagerank(
    G: nx.DiGraph, alpha: float = ALPHA, personalization: dict[str, float] | None = None
) -> dict[str, float]:
    """Plain power iteration: teleport and dangling mass both follow ``personalization``."""
    nodes = list(G.nodes)
    n = len(nodes)
    if personalization is None:
        p = dict.fromkeys(nodes, 1.0 / n)
    else:
        total = sum(personalization.values())
        p = {v: personalization.get(v, 0.0) / total for v in nodes}
    x = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(10_000):
        dangling = sum(x[v] for v in nodes if G.out_degree(v) == 0)
        new = {v: (1 - alpha) * p[v] + alpha * dangling * p[v] for v in nodes}
        for u in nodes:
            out = G.out_degree(u)
            for v in G.successors(u):
                new[v] += alpha * x[u] / out
        if sum(abs(new[v] - x[v]) for v in nodes) < 1e-14:
            return new
        x = new
    raise AssertionError("reference PageRank did not converge")


def brute_main_path(G: nx.DiGraph) -> tuple[list[str], list[int]]:
    """Every source-to-sink path enumerated: SPC = paths through each edge; max total wins."""
    sources = [v for v in G if G.in_degree(v) == 0]
    sinks = [v for v in G if G.out_degree(v) == 0]
    paths = [
        p
        for s in sources
        for t in sinks
        for p in (nx.all_simple_paths(G, s, t) if s != t else [[s]])
    ]
    spc: Counter[tuple[str, str]] = Counter(e for p in paths for e in pairwise(p))
    best = max(sum(spc[e] for e in pairwise(p)) for p in paths)
    # Among paths of maximal total the implementation prefers smaller ids at
    # each branching, i.e. the lexicographically smallest path (cited-last order).
    winner = min(p for p in paths if sum(spc[e] for e in pairwise(p)) == best)
    return winner[::-1], [spc[e] for e in pairwise(winner)][::-1]


def random_digraph(n: int, p: float, seed: int, *, dag: bool = False) -> nx.DiGraph:
    rng = random.Random(seed)
    G = nx.DiGraph()
    G.add_nodes_from(f"n{i:02d}" for i in range(n))
    for i in range(n):
        for j in range(n):
            if i != j and (not dag or i > j) and rng.random() < p:
                G.add_edge(f"n{i:02d}", f"n{j:02d}")
    return G


# --- bounds ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [0, 6, -1, True])
def test_depth_bound(depth: int) -> None:
    G = nx.DiGraph([("a", "b")])
    with pytest.raises(ValueError, match="depth must be between 1 and 5"):
        ga.lineage(G, "a", depth=depth)


@pytest.mark.parametrize("k", [0, 51])
def test_k_bound_everywhere(k: int) -> None:
    G = nx.DiGraph([("a", "b")])
    calls: list[Callable[[], object]] = [
        lambda: ga.citation_paths(G, "a", "b", k=k),
        lambda: ga.similar_papers(G, "a", k=k),
        lambda: ga.prior_works(G, ["a"], k=k),
        lambda: ga.personalized_pagerank(G, ["a"], k=k),
        lambda: ga.topic_pagerank(G, "x", k=k),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="k must be between 1 and 50"):
            call()


def test_seed_set_bound() -> None:
    G = nx.DiGraph([(f"p{i}", "x") for i in range(150)])
    with pytest.raises(ValueError, match="at most 100 seed papers, got 101"):
        ga.prior_works(G, [f"p{i}" for i in range(101)])
    with pytest.raises(ValueError, match="empty"):
        ga.derivative_works(G, [])
    with pytest.raises(ValueError, match="not one string"):
        ga.prior_works(G, "p1")
    # Duplicates are one seed: 100 distinct ids listed twice are within bounds.
    assert ga.prior_works(G, [f"p{i}" for i in range(100)] * 2).works[0].count == 100


def test_unknown_paper_is_a_clear_error() -> None:
    G = nx.DiGraph([("a", "b")])
    with pytest.raises(ga.UnknownPaper, match="no paper 'zz' in the citation graph"):
        ga.similar_papers(G, "zz")
    with pytest.raises(ga.UnknownPaper):
        ga.citation_paths(G, "a", "zz")
    with pytest.raises(ga.UnknownPaper):
        ga.disruption(G, "zz")


# --- influence -----------------------------------------------------------------


def test_pagerank_hand_worked() -> None:
    # b -> a, c -> a, c -> b; N = 3, alpha = 0.85; a cites nothing (dangling, its
    # mass spreads evenly). Let d = 0.85 * x_a / 3 (a's share to every node):
    #   x_c = 0.05 + d                       (nobody cites c)
    #   x_b = 0.05 + 0.85 * x_c / 2 + d      = 0.07125 + 1.425 d
    #   x_a = 1 - x_b - x_c                  = 0.87875 - 2.425 d
    # with d = (0.85 / 3) x_a:  x_a = 0.87875 / (1 + 2.425 * 0.85 / 3) ~ 0.5209.
    G = nx.DiGraph([("b", "a"), ("c", "a"), ("c", "b")])
    x_a = 0.87875 / (1 + 2.425 * 0.85 / 3)
    d = 0.85 * x_a / 3
    expected = {"a": x_a, "b": 0.07125 + 1.425 * d, "c": 0.05 + d}
    got = ga.pagerank(G)
    for paper, value in expected.items():
        assert got[paper] == pytest.approx(value, abs=1e-10)
    ranked = ga.influence(G)
    # Ranks follow the scores a > b > c; percentile = share of papers at or below.
    assert [(ranked[p].rank, ranked[p].percentile) for p in "abc"] == [
        (1, 100.0),
        (2, pytest.approx(200 / 3)),
        (3, pytest.approx(100 / 3)),
    ]


def test_rank_ties_share_rank_and_percentile() -> None:
    # b and c are symmetric (both cite only a): equal scores, both rank 2
    # (competition ranking) and both at percentile 2/3 (2 of 3 papers <= them).
    ranked = ga.influence(nx.DiGraph([("b", "a"), ("c", "a")]))
    assert ranked["b"].score == ranked["c"].score
    assert (ranked["b"].rank, ranked["c"].rank) == (2, 2)
    assert ranked["c"].percentile == pytest.approx(200 / 3)
    assert ga.influence(nx.DiGraph()) == {}


def test_personalized_pagerank_hand_worked() -> None:
    # s -> a -> b, x -> c; teleports (and b's dangling mass) land on s only:
    #   x_s = 0.15 + 0.85 x_b, x_a = 0.85 x_s, x_b = 0.85 x_a
    #   => x_s = 0.15 / (1 - 0.85^3); x and c are never reached (score 0, left out).
    G = nx.DiGraph([("s", "a"), ("a", "b"), ("x", "c")])
    x_s = 0.15 / (1 - 0.85**3)
    got = ga.personalized_pagerank(G, ["s"], k=10)
    assert [s.paper_id for s in got] == ["a", "b"]
    assert got[0].score == pytest.approx(0.85 * x_s, abs=1e-10)
    assert got[1].score == pytest.approx(0.85**2 * x_s, abs=1e-10)
    with_seed = ga.personalized_pagerank(G, ["s"], k=10, include_seeds=True)
    assert with_seed[0].paper_id == "s"
    assert with_seed[0].score == pytest.approx(x_s, abs=1e-10)


def test_topic_pagerank_and_influential_papers() -> None:
    # Topic "NLP" = {s}: same chain as above, so the same ranking with s first.
    G = nx.DiGraph([("s", "a"), ("a", "b"), ("x", "c")])
    nx.set_node_attributes(G, {"s": ("NLP",), "x": ("Vision",)}, "topics")
    nx.set_node_attributes(G, {"s": 2020, "a": 2018, "b": 2015, "x": 2021, "c": 2019}, "year")
    assert [s.paper_id for s in ga.topic_pagerank(G, "nlp", k=5)] == ["s", "a", "b"]
    assert ga.topic_pagerank(G, "no such topic") == []
    scores = ga.pagerank(G)
    # Global PageRank: b (end of the longest chain) > a > c > s = x; only a
    # and b were published 2015..2018.
    top = ga.influential_papers(G, scores, years=(2015, 2018), k=5)
    assert [s.paper_id for s in top] == ["b", "a"]
    assert [s.paper_id for s in ga.influential_papers(G, scores, topic="vision")] == ["x"]
    with pytest.raises(ValueError, match="first <= last"):
        ga.influential_papers(G, scores, years=(2020, 2010))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pagerank_matches_reference_power_iteration(seed: int) -> None:
    G = random_digraph(30, 0.08, seed)  # has dangling nodes and cycles
    ref = reference_pagerank(G)
    got = ga.pagerank(G)
    assert max(abs(got[v] - ref[v]) for v in G) < 1e-9
    seeds = sorted(G)[:3]
    ref_p = reference_pagerank(G, personalization=dict.fromkeys(seeds, 1.0))
    got_p = {s.paper_id: s.score for s in ga.personalized_pagerank(G, seeds, k=50)}
    for paper, score in got_p.items():
        assert score == pytest.approx(ref_p[paper], abs=1e-9)


# --- lineage -------------------------------------------------------------------

YEARS = {"A": 2000, "B": 2005, "C": 2006, "D": 2010, "G": 2011, "E": 2012, "F": 2015}


def lineage_graph() -> nx.DiGraph:
    # A is the foundation; B, C cite A; D cites B, C; E cites D, B; F cites E;
    # G cites C (a side branch).
    G = nx.DiGraph(
        [
            ("B", "A"),
            ("C", "A"),
            ("D", "B"),
            ("D", "C"),
            ("E", "D"),
            ("E", "B"),
            ("F", "E"),
            ("G", "C"),
        ]
    )
    nx.set_node_attributes(G, YEARS, "year")
    return G


def test_ancestors_hand_worked() -> None:
    # F builds on E (1 hop), then D and B (2 hops: E cites both).
    lin = ga.lineage(lineage_graph(), "F", direction="ancestors", depth=2)
    assert lin.depth == {"F": 0, "E": 1, "B": 2, "D": 2}
    assert lin.edges == [("D", "B"), ("E", "B"), ("E", "D"), ("F", "E")]
    # SPC on {F->E, E->D, E->B, D->B}: paths F-E-D-B and F-E-B, so F->E carries
    # 2, the others 1. Best total: F-E-D-B (2+1+1) over F-E-B (2+1).
    assert lin.main_path.papers == ["B", "D", "E", "F"]
    assert lin.main_path.spc == [1, 1, 2]
    assert lin.main_path.broken_edges == []
    assert not lin.truncated


def test_descendants_and_main_path_hand_worked() -> None:
    # Everything built on A: B, C (1 hop), D, E (via B), G (via C) at 2, F at 3.
    lin = ga.lineage(lineage_graph(), "A", direction="descendants", depth=5)
    assert lin.depth == {"A": 0, "B": 1, "C": 1, "D": 2, "E": 2, "G": 2, "F": 3}
    assert len(lin.edges) == 8
    # Source-to-sink paths (sources F, G; sink A): F-E-D-B-A, F-E-D-C-A,
    # F-E-B-A, G-C-A. SPC: F->E 3, E->D 2, E->B 1, D->B 1, D->C 1, G->C 1,
    # B->A 2, C->A 2. Best total: F-E-D-B-A = 3+2+1+2 = 8 (F-E-D-C-A ties at 8;
    # the smaller id B wins).
    assert lin.main_path.papers == ["A", "B", "D", "E", "F"]
    assert lin.main_path.spc == [2, 1, 2, 3]


def test_lineage_breaks_cycles_forward_in_time() -> None:
    # A (2000) "citing" F (2015) is a data error closing cycles through all of
    # F's ancestry; it points 15 years forward, every other edge backward, so it
    # is the one dropped. The rest is F's full ancestry: SPC F->E 3, E->D 2,
    # E->B 1, D->B 1, D->C 1, B->A 2, C->A 1; best F-E-D-B-A = 3+2+1+2.
    G = lineage_graph()
    G.add_edge("A", "F")
    lin = ga.lineage(G, "F", direction="ancestors", depth=5)
    assert lin.depth == {"F": 0, "E": 1, "B": 2, "D": 2, "A": 3, "C": 3}
    assert ("A", "F") in lin.edges  # the edge is reported, not hidden
    assert lin.main_path.broken_edges == [("A", "F")]
    assert lin.main_path.papers == ["A", "B", "D", "E", "F"]
    assert lin.main_path.spc == [2, 1, 2, 3]


def test_break_cycles_rules() -> None:
    # p(2001)->q(2003) points 2 years forward, q->r and r->p 1 year back: drop p->q.
    # x and y (same year) cite each other: no year evidence, drop the pair that
    # sorts last, (y, x). s cites itself: always dropped.
    G = nx.DiGraph([("p", "q"), ("q", "r"), ("r", "p"), ("x", "y"), ("y", "x"), ("s", "s")])
    nx.set_node_attributes(G, {"p": 2001, "q": 2003, "r": 2002, "x": 2010, "y": 2010}, "year")
    dag, dropped = ga.break_cycles(G)
    assert dropped == [("p", "q"), ("s", "s"), ("y", "x")]
    assert nx.is_directed_acyclic_graph(dag)
    assert dag.number_of_edges() == G.number_of_edges() - 3
    # Same graph inserted in another order: same answer.
    H = nx.DiGraph(list(G.edges)[::-1])
    nx.set_node_attributes(H, dict(G.nodes(data="year")), "year")
    assert ga.break_cycles(H)[1] == dropped


def test_lineage_truncation_keeps_nearest_in_id_order() -> None:
    # A's descendants at 1 hop are B, C; at 2 hops D, E, G. A cap of 4 keeps
    # A, B, C and then D (the smallest id of the next level).
    lin = ga.lineage(lineage_graph(), "A", direction="descendants", depth=3, max_papers=4)
    assert lin.depth == {"A": 0, "B": 1, "C": 1, "D": 2}
    assert lin.truncated


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
def test_main_path_matches_brute_force(seed: int) -> None:
    G = random_digraph(12, 0.25, seed, dag=True)
    G.remove_nodes_from([v for v in list(G) if G.degree(v) == 0])
    mp = ga.main_path(G)
    assert (mp.papers, mp.spc) == brute_main_path(G)


# --- citation paths -------------------------------------------------------------


def test_directed_citation_paths_hand_worked() -> None:
    # F reaches A along references by F-E-B-A (3 hops), F-E-D-B-A and
    # F-E-D-C-A (4 hops each, listed in id order).
    found = ga.citation_paths(lineage_graph(), "F", "A", k=5)
    assert [p.papers for p in found.paths] == [
        ["F", "E", "B", "A"],
        ["F", "E", "D", "B", "A"],
        ["F", "E", "D", "C", "A"],
    ]
    assert all(step == "cites" for p in found.paths for step in p.steps)
    assert len(ga.citation_paths(lineage_graph(), "F", "A", k=2).paths) == 2
    # A is the foundation: it cites nothing, so no directed path to F.
    none = ga.citation_paths(lineage_graph(), "A", "F")
    assert not none.found
    assert none.paths == []


def test_undirected_citation_path_steps() -> None:
    # G and F are linked only through shared ancestry: G cites C, C is cited by
    # D, D by E, E by F (4 hops), the shortest of the undirected paths.
    found = ga.citation_paths(lineage_graph(), "G", "F", k=1, directed=False)
    (path,) = found.paths
    assert path.papers == ["G", "C", "D", "E", "F"]
    assert path.steps == ["cites", "cited_by", "cited_by", "cited_by"]
    assert path.length == 4
    same = ga.citation_paths(lineage_graph(), "A", "A")
    assert [p.papers for p in same.paths] == [["A"]]


# --- similar papers ---------------------------------------------------------------


def similarity_graph() -> nx.DiGraph:
    # x cites a, b, c; y cites a, b; z cites a, d; w cites b, c.
    return nx.DiGraph(
        [
            ("x", "a"),
            ("x", "b"),
            ("x", "c"),
            ("y", "a"),
            ("y", "b"),
            ("z", "a"),
            ("z", "d"),
            ("w", "b"),
            ("w", "c"),
        ]
    )


def test_co_citation_hand_worked() -> None:
    # a is cited by x, y, z. With a, x also cites b, c; y cites b; z cites d.
    got = ga.similar_papers(similarity_graph(), "a", method="co_citation")
    assert [(s.paper_id, s.score, s.shared) for s in got] == [
        ("b", 2.0, 2),
        ("c", 1.0, 1),
        ("d", 1.0, 1),
    ]


def test_bibliographic_coupling_hand_worked() -> None:
    # x's references {a, b, c}. y shares a, b of its 2: 2/sqrt(3*2); w shares
    # b, c of its 2: the same (w before y by id); z shares a of its 2: 1/sqrt(6).
    got = ga.similar_papers(similarity_graph(), "x", method="coupling")
    assert [s.paper_id for s in got] == ["w", "y", "z"]
    assert [s.score for s in got] == pytest.approx([2 / math.sqrt(6)] * 2 + [1 / math.sqrt(6)])
    assert [s.shared for s in got] == [2, 2, 1]


def test_adamic_adar_hand_worked() -> None:
    # Undirected: c's neighbours are x (degree 3: a, b, c) and w (degree 2:
    # b, c). Through x, a and b gain 1/ln 3; through w, b gains 1/ln 2.
    got = ga.similar_papers(similarity_graph(), "c", method="adamic_adar")
    assert [(s.paper_id, s.shared) for s in got] == [("b", 2), ("a", 1)]
    assert got[0].score == pytest.approx(1 / math.log(3) + 1 / math.log(2))
    assert got[1].score == pytest.approx(1 / math.log(3))


@pytest.mark.parametrize("seed", [8, 9])
def test_similarity_matches_all_pairs_reference(seed: int) -> None:
    G = random_digraph(25, 0.12, seed)
    U = G.to_undirected()
    for target in sorted(G)[:8]:
        others = [v for v in G if v != target]
        cocite: dict[str, float] = {
            v: len(set(G.predecessors(target)) & set(G.predecessors(v))) for v in others
        }
        refs = set(G.successors(target))
        coupling = {
            v: len(refs & set(G.successors(v))) / math.sqrt(len(refs) * G.out_degree(v))
            for v in others
            if refs and G.out_degree(v)
        }
        aa = {v: s for _, v, s in nx.adamic_adar_index(U, [(target, v) for v in others])}
        checks: tuple[tuple[Method, dict[str, float]], ...] = (
            ("co_citation", cocite),
            ("coupling", coupling),
            ("adamic_adar", aa),
        )
        for method, ref in checks:
            expected = sorted((-round(s, 12), v) for v, s in ref.items() if s > 0)[:10]
            got = ga.similar_papers(G, target, method=method, k=10)
            assert [s.paper_id for s in got] == [v for _, v in expected], method
            assert [s.score for s in got] == pytest.approx([-s for s, _ in expected])


# --- prior and derivative works ---------------------------------------------------------


def test_prior_and_derivative_works_hand_worked() -> None:
    # Seeds S1, S2, S3. S1 cites F1, F2; S2 cites F1, F2, F3; S3 cites F1 and
    # S1 (a seed, never listed). Prior: F1 by 3 seeds, F2 by 2, F3 by 1.
    # D1 cites all three seeds, D3 two (and F1), D2 one. Scores = count / 3.
    G = nx.DiGraph(
        [
            ("S1", "F1"),
            ("S1", "F2"),
            ("S2", "F1"),
            ("S2", "F2"),
            ("S2", "F3"),
            ("S3", "F1"),
            ("S3", "S1"),
            ("D1", "S1"),
            ("D1", "S2"),
            ("D1", "S3"),
            ("D2", "S1"),
            ("D3", "S2"),
            ("D3", "S3"),
            ("D3", "F1"),
        ]
    )
    seeds = ["S1", "S2", "S3", "nope"]
    prior = ga.prior_works(G, seeds)
    assert [(w.paper_id, w.count) for w in prior.works] == [("F1", 3), ("F2", 2), ("F3", 1)]
    assert [w.score for w in prior.works] == pytest.approx([1.0, 2 / 3, 1 / 3])
    assert prior.missing == ["nope"]
    assert prior.seeds == ["S1", "S2", "S3"]
    derived = ga.derivative_works(G, seeds)
    assert [(w.paper_id, w.count) for w in derived.works] == [("D1", 3), ("D3", 2), ("D2", 1)]
    assert [w.paper_id for w in ga.prior_works(G, seeds, min_count=2).works] == ["F1", "F2"]
    assert [w.paper_id for w in ga.derivative_works(G, seeds, k=1).works] == ["D1"]


# --- communities --------------------------------------------------------------------------


def two_triangles(reverse: bool = False) -> nx.DiGraph:
    # Triangles {a, b, c} and {x, y, z} joined by one citation c -> x.
    edges = [("b", "a"), ("c", "a"), ("c", "b"), ("y", "x"), ("z", "x"), ("z", "y"), ("c", "x")]
    topics = {
        "a": ("NLP", "ML"),
        "b": ("NLP",),
        "c": ("NLP", "ML"),
        "x": ("Vision", "ML"),
        "y": ("Vision",),
        "z": ("Vision", "ML"),
    }
    G = nx.DiGraph()
    for u, v in edges[::-1] if reverse else edges:
        G.add_edge(u, v)
    nx.set_node_attributes(G, topics, "topics")
    return G


def test_communities_hand_worked() -> None:
    # m = 7 edges. Split at the bridge: each side has 3 internal edges and
    # degree sum 7, Q = 2 * (3/7 - (7/14)^2) = 0.357; one community has Q = 0,
    # and any other split cuts a triangle edge. Both have 3 papers: the one
    # holding "a" (smallest id) is community 0.
    # Labels: NLP is on 3/3 inside vs 3/6 overall: lift 2, score ln 2. ML is on
    # 2/3 inside and 4/6 overall: lift 1, score 0, listed after by count.
    scores = {"a": 0.3, "b": 0.1, "c": 0.2, "x": 0.25, "y": 0.1, "z": 0.05}
    found = ga.communities(two_triangles(), scores=scores, top_topics=2, top_papers=2)
    first, second = found.communities
    assert (first.id, first.size, first.label) == (0, 3, "NLP, ML")
    assert (second.id, second.size, second.label) == (1, 3, "Vision, ML")
    assert (first.topics[0].topic, first.topics[0].count) == ("NLP", 3)
    assert first.topics[0].score == pytest.approx(math.log(2))
    assert first.topics[1].score == 0.0
    assert [p.paper_id for p in first.top_papers] == ["a", "c"]
    assert [p.paper_id for p in second.top_papers] == ["x", "y"]
    assert found.membership == {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1, "z": 1}
    # Insertion order does not matter.
    again = ga.communities(two_triangles(reverse=True), scores=scores)
    assert again.membership == found.membership


def test_louvain_backends_agree_on_a_planted_partition() -> None:
    # Four blocks of 25 papers, dense inside (p = 0.5), sparse between
    # (p = 0.01): the modularity optimum is the planted blocks, which both
    # implementations must find; on the two triangles too.
    U = nx.planted_partition_graph(4, 25, 0.5, 0.01, seed=3)
    G = nx.DiGraph((f"p{max(u, v):03d}", f"p{min(u, v):03d}") for u, v in U.edges)
    planted = [[f"p{i:03d}" for i in range(b * 25, (b + 1) * 25)] for b in range(4)]
    backends: tuple[Backend, ...] = ("networkx", "igraph")
    for backend in backends:
        assert ga.louvain(G, backend=backend) == planted, backend
        assert ga.louvain(two_triangles(), backend=backend) == [["a", "b", "c"], ["x", "y", "z"]]
    # Same seed, same answer; "auto" is networkx below IGRAPH_MIN_NODES.
    assert ga.louvain(G, backend="igraph", seed=5) == ga.louvain(G, backend="igraph", seed=5)
    with pytest.raises(ValueError, match="backend must be"):
        ga.louvain(G, backend="gpu")  # type: ignore[arg-type]


# --- disruption ---------------------------------------------------------------------------


def test_disruption_hand_worked() -> None:
    # F (2010) cites R1, R2. Later papers: P1 (2012) cites F only -> n_i;
    # P2 (2013) cites F and R1 -> n_j; P3 (2014) cites R2 only -> n_k;
    # P4 (2011) cites R1 and R2 -> n_k (counted once); P6 (2020) cites F -> n_i.
    # P5 (2005) cites R1 before F existed: out of scope.
    # CD = (2 - 1) / (2 + 1 + 2) = 0.2. With a 5-year window P6 drops out:
    # (1 - 1) / (1 + 1 + 2) = 0.
    G = nx.DiGraph(
        [
            ("F", "R1"),
            ("F", "R2"),
            ("P1", "F"),
            ("P2", "F"),
            ("P2", "R1"),
            ("P3", "R2"),
            ("P4", "R1"),
            ("P4", "R2"),
            ("P5", "R1"),
            ("P6", "F"),
        ]
    )
    years = {"F": 2010, "R1": 2001, "R2": 2004, "P1": 2012, "P2": 2013, "P3": 2014}
    nx.set_node_attributes(G, years | {"P4": 2011, "P5": 2005, "P6": 2020}, "year")
    d = ga.disruption(G, "F")
    assert (d.n_i, d.n_j, d.n_k) == (2, 1, 2)
    assert d.index == pytest.approx(0.2)
    assert ga.disruption(G, "F", window=5).index == pytest.approx(0.0)
    # P6 (2020): nobody cites it, and the papers citing its reference F are
    # all earlier than 2020, so nothing is in scope: no index.
    assert ga.disruption(G, "P6").index is None
    # R1 has no references, so each later paper citing it is an n_i: CD = 1.
    assert ga.disruption(G, "R1").index == pytest.approx(1.0)


# --- authors, organisations, topics ---------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "h"),
    [([10, 8, 5, 4, 3], 4), ([], 0), ([0, 0], 0), ([1], 1), ([3, 3, 3], 3), ([25, 1], 1)],
)
def test_h_index(counts: list[int], h: int) -> None:
    # h = the largest h with h counts >= h, checked against the definition.
    assert ga.h_index(counts) == h
    assert h == max(i for i in range(len(counts) + 1) if sum(c >= i for c in counts) >= i)


def authors_graph() -> nx.DiGraph:
    # A wrote p1..p4; cited 3, 2, 1, 0 times inside the graph.
    G = nx.DiGraph(
        [("q1", "p1"), ("q2", "p1"), ("q3", "p1"), ("q1", "p2"), ("q2", "p2"), ("q1", "p3")]
    )
    G.add_node("p4")
    nx.set_node_attributes(
        G, {"p1": ("A", "B"), "p2": ("A", "B", "C"), "p3": ("A", "C"), "p4": ("A", "B")}, "authors"
    )
    nx.set_node_attributes(G, {"p1": 50, "p2": 40, "p3": 30, "p4": 2}, "citationCount")
    return G


def test_author_metrics_and_coauthors_hand_worked() -> None:
    G = authors_graph()
    authors = ga.Membership.of(G, "authors")
    # In-graph counts [3, 2, 1, 0]: two papers with >= 2 citations, not three
    # with >= 3, so h = 2. S2's counts [50, 40, 30, 2]: h = 3.
    assert ga.author_metrics(G, authors, "A") == ga.AuthorMetrics("A", 4, 6, 2)
    assert ga.author_metrics(G, authors, "a", use_s2_counts=True).h_index == 3
    # B shares p1, p2, p4 with A; C shares p2, p3.
    assert ga.coauthors(G, authors, "A") == [ga.Coauthor("B", 3), ga.Coauthor("C", 2)]
    H = ga.coauthor_graph(G, authors)
    assert sorted(H.edges(data="weight")) == [("A", "B", 3), ("A", "C", 2), ("B", "C", 1)]
    with pytest.raises(ga.UnknownMember, match="'Z'"):
        ga.author_metrics(G, authors, "Z")


def test_rank_orgs_hand_worked() -> None:
    # meta has p1, p2 (0.1 + 0.1 = 0.2); mit has p3 (0.5).
    G = nx.DiGraph()
    G.add_node("p1", orgs=("meta",))
    G.add_node("p2", orgs=("meta",))
    G.add_node("p3", orgs=("mit",))
    orgs = ga.Membership.of(G, "orgs")
    scores = {"p1": 0.1, "p2": 0.1, "p3": 0.5}
    by_influence = ga.rank_members(orgs, scores)
    assert [(r.member, r.papers) for r in by_influence] == [("mit", 1), ("meta", 2)]
    assert by_influence[1].influence == pytest.approx(0.2)
    assert [r.member for r in ga.rank_members(orgs, scores, by="papers")] == ["meta", "mit"]


def topics_graph() -> nx.DiGraph:
    # One topic per paper: 2018 T1 T1 T2; 2019 T1 T2; 2020 T1 T2 T2 T3;
    # 2021 T1 T2 T2 T2 T3 T3.
    rows = {
        2018: ["T1", "T1", "T2"],
        2019: ["T1", "T2"],
        2020: ["T1", "T2", "T2", "T3"],
        2021: ["T1", "T2", "T2", "T2", "T3", "T3"],
    }
    G = nx.DiGraph()
    for year, topics in rows.items():
        for i, topic in enumerate(topics):
            G.add_node(f"{year}-{i}", year=year, topics=(topic,))
    return G


def test_rising_topics_hand_worked() -> None:
    # window 2: recent 2020-21 (10 papers), earlier 2018-19 (5 papers).
    # T3: recent 3, earlier 0 -> (4/11) / (1/6) = 2.18
    # T2: recent 5, earlier 2 -> (6/11) / (3/6) = 1.09
    # T1: recent 2, earlier 3 -> (3/11) / (4/6) = 0.41
    G = topics_graph()
    topics = ga.Membership.of(G, "topics")
    trends = ga.rising_topics(G, topics, window=2, min_recent=1)
    assert [(t.topic, t.recent, t.earlier) for t in trends] == [
        ("T3", 3, 0),
        ("T2", 5, 2),
        ("T1", 2, 3),
    ]
    assert [t.growth for t in trends] == pytest.approx([24 / 11, 12 / 11, 9 / 22])
    # T3 per year 0, 0, 1, 2 over 2018..2021: slope = 3.5 / 5 = 0.7 papers/year.
    assert trends[0].per_year == {2018: 0, 2019: 0, 2020: 1, 2021: 2}
    assert trends[0].slope == pytest.approx(0.7)
    assert [t.topic for t in ga.rising_topics(G, topics, window=2, min_recent=3)] == ["T3", "T2"]
    assert ga.topic_years(G, topics, "t2") == {2018: 1, 2019: 1, 2020: 2, 2021: 3}
