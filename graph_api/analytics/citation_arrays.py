"""The citation graph as integer arrays, and the global scores computed on them in igraph.

``citekb analytics`` needs only the citations and each paper's topics, for
every paper at once. :class:`CitationArrays` holds exactly that: papers
numbered ``0..n-1`` in ascending paper-id order (ids mapped to numbers once),
the citations as two ``int64`` arrays (citing -> cited, distinct pairs) and the
topics as (paper, topic) number pairs. At 1M papers and 10M citations that is
~170 MB of arrays plus the id strings, where an ``nx.DiGraph`` of the same
graph takes several GB.

On it, in igraph's C code (decisions and why):

* :func:`pagerank_scores`: igraph's PRPACK solver. Same model as
  :func:`graph_api.analytics.influence.pagerank` (unweighted, dangling mass
  spread uniformly, alpha 0.85); the tests compare the two on hand-made and
  synthetic graphs (agreement to ~1e-9 absolute; networkx stays the reference).
* :func:`rank_scores`: competition ranks and percentiles, vectorised, exactly
  :func:`graph_api.analytics.influence.ranks` on the same scores.
* :func:`louvain_membership`: igraph's multilevel (Louvain) on the undirected,
  simple graph, with the vertices in the same (sorted paper id) order and the
  same seeded generator as :func:`graph_api.analytics.communities.louvain`
  with ``backend="igraph"``; communities numbered by size, ties by their
  smallest paper id, as there.
* :func:`label_communities`: the same distinctive-topic labels as
  :func:`graph_api.analytics.communities.communities`, from counts per
  (community, topic) instead of per-paper Python loops.

Building the igraph graph costs one Python pass over the citation pairs
(python-igraph converts edge lists item by item; its buffer path is no faster
here): ~1.5 s per million citations on this machine, done once per run and
shared by PageRank and Louvain (the undirected graph is derived in C).

>>> arrays = CitationArrays.build(
...     ["b", "a", "c"], [("b", "a"), ("c", "a"), ("c", "b")], topics=[("a", "NLP")]
... )
>>> arrays.paper_ids, arrays.citing.tolist(), arrays.cited.tolist()
(['a', 'b', 'c'], [1, 2, 2], [0, 0, 1])
>>> scores = pagerank_scores(arrays)
>>> rank, percentile = rank_scores(scores)
>>> rank.tolist(), [round(p, 2) for p in percentile.tolist()]
([1, 2, 3], [100.0, 66.67, 33.33])
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from graph_api.analytics.communities import SEED, multilevel_membership
from graph_api.analytics.influence import ALPHA

IntArray = NDArray[np.int64]
EDGE_CHUNK = 1_000_000
FloatArray = NDArray[np.float64]


def _empty() -> IntArray:
    return np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class CitationArrays:
    """Papers ``0..n-1`` (``paper_ids`` ascending), citations and topics as number arrays.

    ``citing[i] -> cited[i]`` are distinct pairs (a DiGraph's edges);
    ``topic_paper[j]`` carries topic ``topic_names[topic_topic[j]]`` (distinct
    pairs, ``topic_names`` ascending).
    """

    paper_ids: list[str]
    citing: IntArray
    cited: IntArray
    topic_names: list[str]
    topic_paper: IntArray
    topic_topic: IntArray

    @property
    def papers(self) -> int:
        return len(self.paper_ids)

    @property
    def cites(self) -> int:
        return len(self.citing)

    @classmethod
    def from_keys(
        cls,
        keys: IntArray,
        paper_ids: Sequence[str],
        citing_keys: IntArray,
        cited_keys: IntArray,
        *,
        topic_keys: IntArray | None = None,
        topic_names: Sequence[str] = (),
        topic_name_index: IntArray | None = None,
    ) -> CitationArrays:
        """Number papers by paper id, mapping any integer keys (a store's node ids) once.

        ``keys[i]`` is the key of paper ``paper_ids[i]``; citations and topic
        rows name papers by key. Rows naming a key that is not a paper are
        dropped (the store read them in the same snapshot, so there are none).
        ``topic_name_index[j]`` indexes ``topic_names`` for topic row ``j``.

        >>> keys, ids = np.array([70, 10, 40]), ["c", "a", "b"]
        >>> a = CitationArrays.from_keys(keys, ids, np.array([70, 40, 70]), np.array([10, 10, 99]))
        >>> a.paper_ids, a.citing.tolist(), a.cited.tolist()
        (['a', 'b', 'c'], [1, 2], [0, 0])
        """
        keys = np.asarray(keys, dtype=np.int64)
        if len(keys) != len(paper_ids):
            raise ValueError(f"{len(keys)} keys for {len(paper_ids)} paper ids")
        by_id = paper_order(paper_ids)
        ids = [str(paper_ids[i]) for i in by_id.tolist()]
        if len(set(ids)) != len(ids):
            raise ValueError("paper ids must be distinct")
        # number of the paper with key keys[j]: position of j in by_id
        number_of_row = np.empty(len(keys), dtype=np.int64)
        number_of_row[by_id] = np.arange(len(keys), dtype=np.int64)
        key_order = keys.argsort(kind="stable")
        sorted_keys = keys[key_order]

        def numbers(of: IntArray) -> tuple[IntArray, NDArray[np.bool_]]:
            of = np.asarray(of, dtype=np.int64)
            if len(sorted_keys) == 0:
                return _empty(), np.zeros(len(of), dtype=bool)
            at = np.searchsorted(sorted_keys, of).clip(0, len(sorted_keys) - 1)
            found = sorted_keys[at] == of
            return number_of_row[key_order[at]], found

        src, ok_src = numbers(citing_keys)
        dst, ok_dst = numbers(cited_keys)
        keep = ok_src & ok_dst
        citing, cited = _distinct_pairs(src[keep], dst[keep], len(ids))
        names = sorted(set(str(t) for t in topic_names))
        if topic_keys is None or topic_name_index is None or len(topic_keys) == 0:
            return cls(ids, citing, cited, names, _empty(), _empty())
        position = {name: i for i, name in enumerate(names)}
        remap = np.array([position[str(t)] for t in topic_names], dtype=np.int64)
        tpaper, ok = numbers(topic_keys)
        ttopic = remap[np.asarray(topic_name_index, dtype=np.int64)]
        tp, tt = _distinct_pairs(tpaper[ok], ttopic[ok], max(len(names), 1))
        return cls(ids, citing, cited, names, tp, tt)

    @classmethod
    def build(
        cls,
        paper_ids: Iterable[str],
        citations: Iterable[tuple[str, str]],
        *,
        topics: Iterable[tuple[str, str]] = (),
    ) -> CitationArrays:
        """From paper ids, (citing, cited) id pairs and (paper, topic) pairs (small graphs, tests).

        Papers named only by a citation are added, as a DiGraph would.
        """
        cites = [(str(a), str(b)) for a, b in citations]
        ids = sorted(set(map(str, paper_ids)) | {p for pair in cites for p in pair})
        number = {p: i for i, p in enumerate(ids)}
        pairs = [(number[p], str(t)) for p, t in topics if str(p) in number]
        names = sorted({t for _, t in pairs})
        tindex = {t: i for i, t in enumerate(names)}
        keys = np.arange(len(ids), dtype=np.int64)
        return cls.from_keys(
            keys,
            ids,
            np.array([number[a] for a, _ in cites], dtype=np.int64),
            np.array([number[b] for _, b in cites], dtype=np.int64),
            topic_keys=np.array([p for p, _ in pairs], dtype=np.int64),
            topic_names=names,
            topic_name_index=np.array([tindex[t] for _, t in pairs], dtype=np.int64),
        )

    @classmethod
    def from_networkx(cls, G: nx.DiGraph) -> CitationArrays:
        """The arrays of a projection graph (its ``topics`` node attribute included).

        >>> G = nx.DiGraph([("b", "a")]); G.add_node("a", topics=("NLP",))
        >>> CitationArrays.from_networkx(G).topic_names
        ['NLP']
        """
        return cls.build(
            (str(n) for n in G.nodes),
            ((str(a), str(b)) for a, b in G.edges),
            topics=((str(n), str(t)) for n, ts in G.nodes(data="topics") for t in ts or ()),
        )

    def to_networkx(self) -> nx.DiGraph:
        """The citation DiGraph (topics as the ``topics`` attribute): the reference's input."""
        G = nx.DiGraph()
        G.add_nodes_from(self.paper_ids)
        topics: dict[int, list[str]] = {}
        for p, t in zip(self.topic_paper.tolist(), self.topic_topic.tolist(), strict=True):
            topics.setdefault(p, []).append(self.topic_names[t])
        for p, ts in topics.items():
            G.nodes[self.paper_ids[p]]["topics"] = tuple(ts)
        ids = self.paper_ids
        G.add_edges_from(
            (ids[a], ids[b]) for a, b in zip(self.citing.tolist(), self.cited.tolist(), strict=True)
        )
        return G


def paper_order(paper_ids: Sequence[str]) -> IntArray:
    """Positions of ``paper_ids`` in ascending order (free when they already are, as a store
    read by the paperId index returns them).

    >>> paper_order(["b", "a", "c"]).tolist(), paper_order(["a", "b"]).tolist()
    ([1, 0, 2], [0, 1])
    """
    if all(a < b for a, b in pairwise(paper_ids)):
        return np.arange(len(paper_ids), dtype=np.int64)
    return np.asarray(np.array(paper_ids, dtype=object).argsort(kind="stable"), dtype=np.int64)


def _distinct_pairs(a: IntArray, b: IntArray, width: int) -> tuple[IntArray, IntArray]:
    """Distinct (a, b) pairs sorted by (a, b): sort the combined keys, keep first occurrences."""
    if len(a) == 0:
        return _empty(), _empty()
    keys = a.astype(np.int64) * width + b.astype(np.int64)
    keys.sort()
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys // width, keys % width


def citation_graph(arrays: CitationArrays) -> object:
    """The directed igraph graph of the citations (vertex i = paper i).

    The conversion is one Python pass over the pairs (see the module docstring).
    """
    import igraph  # type: ignore[import-untyped]  # noqa: PLC0415 (heavy; only for global runs)

    g = igraph.Graph(n=arrays.papers, directed=True)
    # In chunks: the edge tuples python-igraph needs cost ~120 bytes each, so
    # 10M citations at once would hold 1.2 GB of tuples; a million at a time
    # holds 120 MB, for one re-index of the growing graph per chunk.
    for start in range(0, arrays.cites, EDGE_CHUNK):
        stop = start + EDGE_CHUNK
        g.add_edges(
            zip(arrays.citing[start:stop].tolist(), arrays.cited[start:stop].tolist(), strict=True)
        )
    return g


def pagerank_scores(
    arrays: CitationArrays, *, alpha: float = ALPHA, graph: object | None = None
) -> FloatArray:
    """PageRank of paper ``i`` at ``[i]`` (PRPACK; sums to 1), or an empty array.

    ``graph`` is :func:`citation_graph` of ``arrays`` when the caller has it.

    >>> a = CitationArrays.build(["a", "b", "c"], [("b", "a"), ("c", "a")])
    >>> [round(s, 4) for s in pagerank_scores(a).tolist()]
    [0.5745, 0.2128, 0.2128]
    """
    if arrays.papers == 0:
        return np.empty(0, dtype=np.float64)
    g = graph if graph is not None else citation_graph(arrays)
    scores = g.pagerank(damping=alpha, directed=True, implementation="prpack")  # type: ignore[attr-defined]
    return np.asarray(scores, dtype=np.float64)


def rank_scores(scores: FloatArray) -> tuple[IntArray, FloatArray]:
    """Competition rank (1 = highest; equal scores share a rank) and percentile of each score.

    The same numbers as :func:`graph_api.analytics.influence.ranks`.

    >>> r, p = rank_scores(np.array([0.25, 0.5, 0.25]))
    >>> r.tolist(), p.tolist()
    ([2, 1, 2], [66.66666666666667, 100.0, 66.66666666666667])
    """
    n = len(scores)
    if n == 0:
        return _empty(), np.empty(0, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    positions = np.arange(1, n + 1, dtype=np.int64)
    sorted_rank = np.maximum.accumulate(np.where(first, positions, 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = sorted_rank
    percentile = 100.0 * (n - rank + 1) / n
    return rank, percentile


def louvain_membership(
    arrays: CitationArrays,
    *,
    seed: int = SEED,
    resolution: float = 1.0,
    graph: object | None = None,
) -> IntArray:
    """Community of paper ``i`` at ``[i]``: 0 is the largest, ties by smallest paper id.

    Louvain (igraph multilevel) on the undirected simple graph of the
    citations; ``graph`` is :func:`citation_graph` of ``arrays`` when the
    caller has it.

    >>> a = CitationArrays.build([], [("a", "b"), ("b", "c"), ("x", "y"), ("y", "z"), ("c", "a")])
    >>> louvain_membership(a).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    n = arrays.papers
    if n == 0:
        return _empty()
    g = graph if graph is not None else citation_graph(arrays)
    undirected = g.as_undirected(mode="collapse")  # type: ignore[attr-defined]
    undirected.simplify(multiple=True, loops=True)
    raw = multilevel_membership(undirected, seed=seed, resolution=resolution)
    return _numbered_by_size(np.asarray(raw, dtype=np.int64))


def _numbered_by_size(raw: IntArray) -> IntArray:
    """Renumber communities: largest first, ties by their smallest member."""
    k = int(raw.max()) + 1
    size = np.bincount(raw, minlength=k)
    smallest = np.full(k, len(raw), dtype=np.int64)
    np.minimum.at(smallest, raw, np.arange(len(raw), dtype=np.int64))
    order = np.lexsort((smallest, -size))
    new_id = np.empty(k, dtype=np.int64)
    new_id[order] = np.arange(k, dtype=np.int64)
    return new_id[raw]


@dataclass(frozen=True, slots=True)
class CommunitySummary:
    """A community's id, size and topic label (its most distinctive topics)."""

    id: int
    size: int
    label: str


def label_communities(
    arrays: CitationArrays, membership: IntArray, *, top_topics: int = 3
) -> list[CommunitySummary]:
    """Size and label of every community, ``[c]`` for community ``c``.

    A topic t of community c scores p(t|c) * log(p(t|c) / p(t)) (0 when the
    lift is at most 1); the label is the ``top_topics`` best by (score desc,
    count desc, name), exactly as :func:`graph_api.analytics.communities.communities`.

    >>> a = CitationArrays.build(
    ...     [], [("a", "b"), ("x", "y")], topics=[("a", "NLP"), ("b", "NLP"), ("x", "CV")]
    ... )
    >>> [(c.id, c.size, c.label) for c in label_communities(a, np.array([0, 0, 1, 1]))]
    [(0, 2, 'NLP'), (1, 2, 'CV')]
    """
    if len(membership) == 0:
        return []
    k = int(membership.max()) + 1
    sizes = np.bincount(membership, minlength=k)
    t_count = max(len(arrays.topic_names), 1)
    overall = np.bincount(arrays.topic_topic, minlength=t_count)
    pair = membership[arrays.topic_paper] * t_count + arrays.topic_topic
    cells, counts = np.unique(pair, return_counts=True)
    by_community: list[list[tuple[float, int, str]]] = [[] for _ in range(k)]
    total = len(membership)
    for cell, count in zip(cells.tolist(), counts.tolist(), strict=True):
        c, t = divmod(cell, t_count)
        share = count / int(sizes[c])
        lift = share / (int(overall[t]) / total)
        score = share * math.log(lift) if lift > 1.0 else 0.0
        by_community[c].append((-score, -count, arrays.topic_names[t]))
    result = []
    for c in range(k):
        best = sorted(by_community[c])[:top_topics]
        result.append(CommunitySummary(c, int(sizes[c]), ", ".join(name for *_, name in best)))
    return result


@dataclass(frozen=True)
class GlobalScores:
    """What ``citekb analytics`` stores, paper ``i`` at ``[i]``: PageRank with rank and
    percentile, and community (0 = largest), plus every community's size and label.

    ``engine`` names what computed the scores ("igraph", or "spark-graphx" for the
    distributed check in bench/), recorded beside them.
    """

    pagerank: FloatArray
    rank: IntArray
    percentile: FloatArray
    community: IntArray
    communities: list[CommunitySummary]
    engine: str

    @classmethod
    def of(
        cls, arrays: CitationArrays, pagerank: FloatArray, community: IntArray, engine: str
    ) -> GlobalScores:
        """Ranks and labels for scores and a partition from any engine (renumbered by size).

        >>> a = CitationArrays.build([], [("b", "a"), ("c", "a")], topics=[("a", "NLP")])
        >>> g = GlobalScores.of(a, np.array([0.6, 0.2, 0.2]), np.array([5, 5, 9]), "test")
        >>> g.rank.tolist(), g.community.tolist(), [(c.size, c.label) for c in g.communities]
        ([1, 2, 2], [0, 0, 1], [(2, 'NLP'), (1, '')])
        """
        rank, percentile = rank_scores(pagerank)
        _, dense = np.unique(community, return_inverse=True)
        numbered = _numbered_by_size(dense.astype(np.int64)) if len(community) else community
        return cls(
            pagerank=pagerank,
            rank=rank,
            percentile=percentile,
            community=numbered,
            communities=label_communities(arrays, numbered),
            engine=engine,
        )


def igraph_scores(
    arrays: CitationArrays, *, alpha: float = ALPHA, seed: int = SEED, resolution: float = 1.0
) -> tuple[GlobalScores, dict[str, float]]:
    """PageRank and Louvain in igraph on one converted graph, with seconds per step
    (``graph``: the conversion, ``pagerank``, ``louvain``: Louvain and labels)."""
    started = time.perf_counter()
    graph = citation_graph(arrays) if arrays.papers else None
    took = {"graph": time.perf_counter() - started}
    started = time.perf_counter()
    pagerank = pagerank_scores(arrays, alpha=alpha, graph=graph)
    took["pagerank"] = time.perf_counter() - started
    started = time.perf_counter()
    membership = louvain_membership(arrays, seed=seed, resolution=resolution, graph=graph)
    scores = GlobalScores.of(arrays, pagerank, membership, "igraph")
    took["louvain"] = time.perf_counter() - started
    return scores, took
