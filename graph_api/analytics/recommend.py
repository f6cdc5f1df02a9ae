"""Recommendations from positive and negative seed papers, with the reasons.

Four signals say how strongly a candidate paper resembles a seed set:

* ``pagerank``: seed-personalised PageRank on the *undirected* citation graph
  (a reader starting from the seeds follows references and citations alike:
  both the foundations and the follow-ups of a reading list are worth
  reading); computed by local forward push (:func:`seed_pagerank`), so its
  cost depends on the seeds' neighbourhood and ``epsilon``, never on the
  size of the graph;
* ``co_citation``: summed over the seeds, how many papers cite both the seed
  and the candidate;
* ``coupling``: summed over the seeds, Salton's cosine of shared references;
* ``embedding``: mean cosine similarity of the candidate's embedding to the
  seeds' embeddings (SPECTER2 vectors, or synthetic ones on synthetic corpora).

Each signal is scaled to 0..1 over the candidate pool (graph signals divided
by their largest value, embedding similarity min-max scaled, since cosines of
one embedding model sit in a narrow band). A candidate's score is the
weighted sum over the signals it has (weights :data:`WEIGHTS`, renormalised
over the available ones, so a paper without an embedding is ranked by the
graph signals alone and ``missing`` says so), minus :data:`NEGATIVE_WEIGHT`
times the same weighted sum computed against the negative seeds. The parts
are kept: ``pagerank + co_citation + coupling + embedding + negative ==
score`` for every result.

Seeds, negative seeds and ``exclude`` are never recommended.

Cost is bounded up front: at most :data:`MAX_POSITIVE` and
:data:`MAX_NEGATIVE` seeds; the co-citation and coupling walks skip hubs with
more than :data:`MAX_FANOUT` neighbours (a reference thousands of papers cite
says little about two papers being alike) and stop after ``max_visits`` edge
visits (``truncated`` then says so); the push stops after ``max_pushes``.

>>> import networkx as nx
>>> # s-r-a-c-s is a square: r and c touch s (equal PageRank), a is co-cited
>>> # with s (by c) and coupled with it (both cite r); x and y are unrelated.
>>> G = nx.DiGraph([("s", "r"), ("a", "r"), ("c", "s"), ("c", "a"), ("x", "y")])
>>> recs = recommend(G, ["s"], k=3)
>>> [r.paper_id for r in recs.papers]
['a', 'c', 'r']
>>> top = recs.papers[0]
>>> top.signals.seeds, top.signals.missing
(('s',), ('embedding',))
>>> abs(top.signals.total() - top.score) < 1e-12
True
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
import numpy as np

from graph_api.analytics.limits import check_k

Signal = Literal["pagerank", "co_citation", "coupling", "embedding"]
SIGNALS: tuple[Signal, ...] = ("pagerank", "co_citation", "coupling", "embedding")
GRAPH_SIGNALS: tuple[Signal, ...] = ("pagerank", "co_citation", "coupling")
# Equal weights: no signal is known to be better on every corpus, and equal
# parts keep the explanation ("a quarter each at most") easy to read.
WEIGHTS: Mapping[Signal, float] = dict.fromkeys(SIGNALS, 0.25)
# A paper exactly as close to the negatives as the best candidate is to the
# positives loses everything the positives gave it.
NEGATIVE_WEIGHT = 1.0
MAX_POSITIVE = 20
MAX_NEGATIVE = 20
MAX_FANOUT = 1000
MAX_VISITS = 2_000_000
# Forward push: residual threshold per unit of degree, and a hard cap.
ALPHA = 0.85
EPSILON = 1e-5
MAX_PUSHES = 200_000
# Candidates kept from the graph signals before embeddings are compared.
POOL_SIZE = 300


@dataclass(frozen=True, slots=True)
class Signals:
    """The parts of one recommendation's score, and what they rest on.

    ``pagerank``, ``co_citation``, ``coupling`` and ``embedding`` are each
    signal's share of the score (>= 0); ``negative`` (<= 0) is what the
    negative seeds took off. ``missing`` names signals this paper could not
    have (``embedding`` when it or every positive seed lacks a vector);
    ``seeds`` are the positive seeds it is tied to (cites, is cited by, is
    co-cited or coupled with, or is closest to in embedding), in seed order.
    """

    pagerank: float
    co_citation: float
    coupling: float
    embedding: float
    negative: float
    missing: tuple[Signal, ...]
    seeds: tuple[str, ...]

    def total(self) -> float:
        return self.pagerank + self.co_citation + self.coupling + self.embedding + self.negative


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A recommended paper, its score (the sum of its signals) and the signals."""

    paper_id: str
    score: float
    signals: Signals


@dataclass(frozen=True)
class Recommendations:
    """The top papers, best first; ``truncated`` when a work bound cut a walk short."""

    papers: list[Recommendation]
    positive: list[str]
    negative: list[str]
    truncated: bool


@dataclass
class Affinity:
    """Raw graph signals of candidates towards one seed set (before scaling)."""

    pagerank: dict[str, float] = field(default_factory=dict)
    co_citation: dict[str, float] = field(default_factory=dict)
    coupling: dict[str, float] = field(default_factory=dict)
    # candidate -> the seeds it has a graph tie with
    ties: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    truncated: bool = False

    def signal(self, name: Signal) -> dict[str, float]:
        if name == "pagerank":
            return self.pagerank
        if name == "co_citation":
            return self.co_citation
        if name == "coupling":
            return self.coupling
        raise ValueError(f"{name!r} is not a graph signal")

    def candidates(self) -> set[str]:
        return set(self.pagerank) | set(self.co_citation) | set(self.coupling)


@dataclass(frozen=True)
class GraphSignals:
    """Graph affinities towards the positive and the negative seeds."""

    positive: Affinity
    negative: Affinity
    positive_seeds: list[str]
    negative_seeds: list[str]

    @property
    def truncated(self) -> bool:
        return self.positive.truncated or self.negative.truncated


def check_seed_lists(
    positive: Iterable[str], negative: Iterable[str] = ()
) -> tuple[list[str], list[str]]:
    """Distinct positive (1..20) and negative (0..20) seeds, first-seen order; disjoint.

    >>> check_seed_lists(["a", "b", "a"], ["c"])
    (['a', 'b'], ['c'])
    >>> check_seed_lists(["a"], ["a"])
    Traceback (most recent call last):
    ...
    ValueError: a paper cannot be a positive and a negative seed: a
    """
    if isinstance(positive, str) or isinstance(negative, str):
        raise ValueError("seeds must be collections of paper ids, not one string")
    pos = list(dict.fromkeys(positive))
    neg = list(dict.fromkeys(negative))
    if not pos:
        raise ValueError("at least one positive seed is needed")
    if len(pos) > MAX_POSITIVE:
        raise ValueError(f"at most {MAX_POSITIVE} positive seeds, got {len(pos)}")
    if len(neg) > MAX_NEGATIVE:
        raise ValueError(f"at most {MAX_NEGATIVE} negative seeds, got {len(neg)}")
    both = [p for p in pos if p in set(neg)]
    if both:
        raise ValueError(f"a paper cannot be a positive and a negative seed: {', '.join(both)}")
    return pos, neg


def _neighbours(G: nx.DiGraph, paper: str) -> list[str]:
    # References then citations, self-citations left out; a mutual citation
    # counts once (the undirected view).
    seen = dict.fromkeys(str(n) for n in G.successors(paper))
    seen.update(dict.fromkeys(str(n) for n in G.predecessors(paper)))
    seen.pop(paper, None)
    return list(seen)


def seed_pagerank(
    G: nx.DiGraph,
    seeds: Sequence[str],
    *,
    alpha: float = ALPHA,
    epsilon: float = EPSILON,
    max_pushes: int = MAX_PUSHES,
) -> tuple[dict[str, float], bool]:
    """Approximate PageRank personalised on ``seeds`` over the undirected graph.

    Forward push (Andersen, Chung and Lang): every seed starts with residual
    mass ``1/len(seeds)``; pushing a paper keeps ``1 - alpha`` of its residual
    as rank and spreads the rest evenly over its neighbours, until no residual
    is at least ``epsilon`` times its paper's degree. Each paper's rank then
    falls short of the exact value by less than ``epsilon * degree``. A paper
    without neighbours keeps its whole residual; a mutual citation is two
    steps between its papers (the undirected multigraph). Returns the ranks (only
    papers the push reached) and whether ``max_pushes`` stopped it early.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> ranks, truncated = seed_pagerank(G, ["a"], epsilon=1e-9)
    >>> [p for p, _ in sorted(ranks.items(), key=lambda kv: -kv[1])], truncated
    (['b', 'a', 'c'], False)
    """
    teleport = 1.0 - alpha
    residual: dict[str, float] = dict.fromkeys(seeds, 1.0 / len(seeds))
    rank: dict[str, float] = {}

    def degree(v: str) -> int:
        # A self-citation is no step anywhere; it counts once in and once out.
        return int(G.degree(v)) - (2 if G.has_edge(v, v) else 0)

    queue = deque(seeds)
    queued = set(seeds)
    pushes = 0
    while queue:
        if pushes >= max_pushes:
            return rank, True
        u = queue.popleft()
        queued.discard(u)
        r = residual.pop(u, 0.0)
        # The undirected view as a multigraph: a mutual citation is two steps.
        around = [str(v) for v in (*G.successors(u), *G.predecessors(u)) if v != u]
        if not around:
            rank[u] = rank.get(u, 0.0) + r
            continue
        pushes += 1
        rank[u] = rank.get(u, 0.0) + teleport * r
        share = alpha * r / len(around)
        for v in around:
            rv = residual.get(v, 0.0) + share
            residual[v] = rv
            if v not in queued and rv >= epsilon * degree(v):
                queue.append(v)
                queued.add(v)
    return rank, False


def graph_affinity(
    G: nx.DiGraph,
    seeds: Sequence[str],
    *,
    epsilon: float = EPSILON,
    max_visits: int = MAX_VISITS,
    max_pushes: int = MAX_PUSHES,
) -> Affinity:
    """Raw PageRank, co-citation and coupling of every reached paper towards ``seeds``.

    Seeds must be papers of ``G``; an empty seed list gives an empty affinity.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "s"), ("x", "a"), ("s", "r"), ("b", "r")])
    >>> aff = graph_affinity(G, ["s"])
    >>> aff.co_citation, aff.coupling, sorted(aff.ties["a"])
    ({'a': 1.0}, {'b': 1.0}, ['s'])
    """
    aff = Affinity()
    if not seeds:
        return aff
    ranks, aff.truncated = seed_pagerank(G, seeds, epsilon=epsilon, max_pushes=max_pushes)
    aff.pagerank = {p: s for p, s in ranks.items() if s > 0.0}
    visits = 0
    co: Counter[str] = Counter()
    couple: dict[str, float] = defaultdict(float)
    out_degree: dict[str, int] = {}

    def refs_count(p: str) -> int:
        n = out_degree.get(p)
        if n is None:
            n = out_degree[p] = sum(1 for r in G.successors(p) if r != p)
        return n

    for seed in seeds:
        for v in _neighbours(G, seed):
            aff.ties[v].add(seed)  # a direct citation either way
        # Co-citation: papers citing the seed, then everything else they cite.
        for citing in G.predecessors(seed):
            if citing == seed or G.out_degree(citing) > MAX_FANOUT:
                continue
            for other in G.successors(citing):
                visits += 1
                if other not in (seed, citing):
                    co[str(other)] += 1
                    aff.ties[str(other)].add(seed)
            if visits > max_visits:
                aff.truncated = True
                break
        # Coupling: the seed's references, then everything else citing them.
        mine = refs_count(seed)
        shared: Counter[str] = Counter()
        for ref in G.successors(seed):
            if ref == seed or G.in_degree(ref) > MAX_FANOUT:
                continue
            for other in G.predecessors(ref):
                visits += 1
                if other not in (seed, ref):
                    shared[str(other)] += 1
            if visits > max_visits:
                aff.truncated = True
                break
        for other, n in shared.items():
            couple[other] += n / math.sqrt(mine * refs_count(other))
            aff.ties[other].add(seed)
        if aff.truncated:
            break
    aff.co_citation = {p: float(n) for p, n in co.items()}
    aff.coupling = dict(couple)
    return aff


def graph_signals(
    G: nx.DiGraph,
    positive: Iterable[str],
    negative: Iterable[str] = (),
    *,
    epsilon: float = EPSILON,
    max_visits: int = MAX_VISITS,
    max_pushes: int = MAX_PUSHES,
) -> GraphSignals:
    """Graph affinities towards both seed sets (ids checked, all must be in ``G``)."""
    pos, neg = check_seed_lists(positive, negative)
    unknown = [p for p in (*pos, *neg) if p not in G]
    if unknown:
        raise UnknownSeeds(unknown)
    return GraphSignals(
        positive=graph_affinity(
            G, pos, epsilon=epsilon, max_visits=max_visits, max_pushes=max_pushes
        ),
        negative=graph_affinity(
            G, neg, epsilon=epsilon, max_visits=max_visits, max_pushes=max_pushes
        ),
        positive_seeds=pos,
        negative_seeds=neg,
    )


class UnknownSeeds(LookupError):
    """Seed ids that are not papers of the graph (all of them, not just the first)."""

    def __init__(self, papers: Sequence[str]) -> None:
        super().__init__(f"no paper {', '.join(repr(p) for p in papers)} in the citation graph")
        self.papers = list(papers)


def candidate_pool(
    signals: GraphSignals, *, size: int = POOL_SIZE, exclude: Collection[str] = ()
) -> list[str]:
    """The ``size`` best candidates by the positive graph signals alone (equal weights).

    These are the papers whose embeddings are worth comparing; the caller adds
    the seeds' nearest neighbours by embedding.
    """
    left_out = set(signals.positive_seeds) | set(signals.negative_seeds) | set(exclude)
    scaled = [_scaled(signals.positive.signal(s)) for s in GRAPH_SIGNALS]
    totals: dict[str, float] = defaultdict(float)
    for values in scaled:
        for p, v in values.items():
            if p not in left_out:
                totals[p] += v
    return [p for p, _ in heapq.nsmallest(size, totals.items(), key=lambda kv: (-kv[1], kv[0]))]


def combine(
    signals: GraphSignals,
    similarity: Mapping[str, Mapping[str, float]],
    *,
    candidates: Iterable[str],
    k: int = 20,
    exclude: Collection[str] = (),
) -> list[Recommendation]:
    """Score ``candidates`` from the graph signals and embedding similarities.

    ``similarity[c][s]`` is the cosine between candidate ``c`` and seed ``s``
    (positive or negative); a candidate absent from ``similarity``, or with no
    positive seed in its row, has no embedding signal.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("s", "r"), ("a", "r")])
    >>> gs = graph_signals(G, ["s"])
    >>> recs = combine(gs, {"a": {"s": 0.9}, "r": {"s": 0.1}}, candidates=["a", "r"])
    >>> # On the path s - r - a, PageRank from s gives a 0.85 / 2 of r's rank; a
    >>> # is also coupled with s (both cite r) and closest to it in embedding.
    >>> [(r.paper_id, round(r.signals.pagerank, 3), r.signals.embedding) for r in recs]
    [('a', 0.106, 0.25), ('r', 0.25, 0.0)]
    """
    check_k(k)
    pos_seeds, neg_seeds = signals.positive_seeds, signals.negative_seeds
    left_out = set(pos_seeds) | set(neg_seeds) | set(exclude)
    pool = sorted({c for c in candidates if c not in left_out})
    pos_graph = {s: _scaled(signals.positive.signal(s)) for s in GRAPH_SIGNALS}
    neg_graph = {s: _scaled(signals.negative.signal(s)) for s in GRAPH_SIGNALS}
    pos_emb = _mean_similarity(similarity, pool, pos_seeds)
    neg_emb = _mean_similarity(similarity, pool, neg_seeds)
    pos_emb_scaled = _min_max(pos_emb)
    neg_emb_scaled = _min_max(neg_emb)
    results: list[Recommendation] = []
    for c in pool:
        has_embedding = c in pos_emb
        available = [s for s in SIGNALS if s != "embedding" or has_embedding]
        norm = sum(WEIGHTS[s] for s in available)
        parts: dict[Signal, float] = dict.fromkeys(SIGNALS, 0.0)
        penalty = 0.0
        for s in available:
            w = WEIGHTS[s] / norm
            if s == "embedding":
                parts[s] = w * pos_emb_scaled[c]
                penalty += w * neg_emb_scaled.get(c, 0.0)
            else:
                parts[s] = w * pos_graph[s].get(c, 0.0)
                penalty += w * neg_graph[s].get(c, 0.0)
        negative = -NEGATIVE_WEIGHT * penalty if neg_seeds else 0.0
        ties = set(signals.positive.ties.get(c, ()))
        if has_embedding:
            row = similarity[c]
            ties.add(max((s for s in pos_seeds if s in row), key=lambda s: (row[s], s)))
        sig = Signals(
            pagerank=parts["pagerank"],
            co_citation=parts["co_citation"],
            coupling=parts["coupling"],
            embedding=parts["embedding"],
            negative=negative,
            missing=() if has_embedding else ("embedding",),
            seeds=tuple(s for s in pos_seeds if s in ties),
        )
        results.append(Recommendation(paper_id=c, score=sig.total(), signals=sig))
    return heapq.nsmallest(k, results, key=lambda r: (-r.score, r.paper_id))


def recommend(
    G: nx.DiGraph,
    positive: Iterable[str],
    negative: Iterable[str] = (),
    *,
    k: int = 20,
    exclude: Collection[str] = (),
    embeddings: Mapping[str, Sequence[float]] | EmbeddingTable | None = None,
    pool_size: int = POOL_SIZE,
    neighbours: int = 50,
    epsilon: float = EPSILON,
) -> Recommendations:
    """The top ``k`` (1..50) papers for a seed set, every paper's embedding in memory.

    The candidates are the ``pool_size`` best by graph signals plus each
    positive seed's ``neighbours`` nearest papers by cosine (exact, numpy),
    as the API does with the vector index. ``embeddings`` may be prepared
    once as an :class:`EmbeddingTable` when many calls share them.
    """
    check_k(k)
    gs = graph_signals(G, positive, negative, epsilon=epsilon)
    pool = candidate_pool(gs, size=pool_size, exclude=exclude)
    similarity: dict[str, dict[str, float]] = {}
    table = embeddings if isinstance(embeddings, EmbeddingTable) else EmbeddingTable.of(embeddings)
    seeds = [s for s in (*gs.positive_seeds, *gs.negative_seeds) if s in table.row_of]
    if seeds:
        cos = table.matrix @ table.matrix[[table.row_of[s] for s in seeds]].T  # papers x seeds
        extra: set[str] = set()
        for j, s in enumerate(seeds):
            if s in gs.positive_seeds:
                order = np.argsort(-cos[:, j], kind="stable")[: neighbours + 1]
                extra.update(table.ids[i] for i in order)
        pool = [*pool, *sorted(extra - set(pool))]
        for c in pool:
            if c in table.row_of:
                i = table.row_of[c]
                similarity[c] = {s: float(cos[i, j]) for j, s in enumerate(seeds)}
    papers = combine(gs, similarity, candidates=pool, k=k, exclude=exclude)
    return Recommendations(
        papers=papers,
        positive=gs.positive_seeds,
        negative=gs.negative_seeds,
        truncated=gs.truncated,
    )


@dataclass(frozen=True)
class EmbeddingTable:
    """Paper ids and their unit-length vectors as one matrix (row ``row_of[id]``)."""

    ids: list[str]
    matrix: np.ndarray
    row_of: dict[str, int]

    @classmethod
    def of(cls, embeddings: Mapping[str, Sequence[float]] | None) -> EmbeddingTable:
        ids = list(embeddings or {})
        if not ids or embeddings is None:
            return cls(ids=[], matrix=np.zeros((0, 0)), row_of={})
        matrix = _unit_rows(np.asarray([embeddings[p] for p in ids], dtype=np.float64))
        return cls(ids=ids, matrix=matrix, row_of={p: i for i, p in enumerate(ids)})


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (0.0 when either is all zeros).

    >>> cosine([1.0, 0.0], [1.0, 1.0])
    0.7071067811865475
    """
    va, vb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    na, nb = float(np.linalg.norm(va)), float(np.linalg.norm(vb))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(va @ vb) / (na * nb)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    result: np.ndarray = matrix / norms
    return result


def _scaled(values: Mapping[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    if top <= 0.0:
        return {}
    return {p: v / top for p, v in values.items()}


def _min_max(values: Mapping[str, float]) -> dict[str, float]:
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high - low <= 1e-12:
        # One value for every candidate tells them apart by nothing.
        return dict.fromkeys(values, 1.0 if high > 0 else 0.0)
    return {p: (v - low) / (high - low) for p, v in values.items()}


def _mean_similarity(
    similarity: Mapping[str, Mapping[str, float]], pool: Iterable[str], seeds: Sequence[str]
) -> dict[str, float]:
    out: dict[str, float] = {}
    for c in pool:
        row = similarity.get(c)
        if not row:
            continue
        values = [row[s] for s in seeds if s in row]
        if values:
            out[c] = sum(values) / len(values)
    return out
