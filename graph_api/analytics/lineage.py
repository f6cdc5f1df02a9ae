"""Lineage: what a paper builds on, what built on it, and the main path through it.

*Ancestors* are the papers reachable by following references (citing ->
cited), *descendants* those reachable against them. The *main path* is the
backbone of a citation DAG by search path count (SPC): each edge counts the
source-to-sink paths that run through it, and the main path is the
source-to-sink path with the largest total SPC (the "global" main path).

Citation data has a few cycles (errata, preprints citing each other). They are
broken deterministically before SPC: within each strongly connected component
the edge that points furthest *forward* in time is dropped (an older paper
citing a newer one is the likely error), ties going to the edge whose
``(citing, cited)`` ids sort last; dropped edges are reported.

>>> import networkx as nx
>>> G = nx.DiGraph([("d", "b"), ("d", "c"), ("b", "a"), ("c", "a")])
>>> lin = lineage(G, "d", direction="ancestors", depth=2)
>>> lin.depth
{'d': 0, 'b': 1, 'c': 1, 'a': 2}
>>> lin.main_path.papers  # oldest first; each paper is cited by the next
['a', 'b', 'd']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from graph_api.analytics.limits import check_depth, require_paper

Direction = Literal["ancestors", "descendants"]
Edge = tuple[str, str]


@dataclass(frozen=True)
class MainPath:
    """The SPC main path of a citation DAG.

    ``papers`` runs oldest first (each paper is cited by the next one),
    ``spc[i]`` is the search path count of the edge between ``papers[i]`` and
    ``papers[i + 1]``, and ``broken_edges`` lists the ``(citing, cited)`` edges
    dropped to break cycles, sorted.
    """

    papers: list[str]
    spc: list[int]
    broken_edges: list[Edge]


@dataclass(frozen=True)
class Lineage:
    """Papers within ``max_depth`` hops of ``paper`` in one direction.

    ``depth`` maps each paper to its hop distance (the root is 0), in
    breadth-first order; ``edges`` are the citations (citing, cited) among
    those papers, sorted; ``truncated`` is True when ``max_papers`` cut the
    walk short.
    """

    paper: str
    direction: Direction
    max_depth: int
    depth: dict[str, int]
    edges: list[Edge]
    main_path: MainPath
    truncated: bool


def lineage(
    G: nx.DiGraph,
    paper: str,
    *,
    direction: Direction = "ancestors",
    depth: int = 2,
    max_papers: int | None = None,
) -> Lineage:
    """Ancestors or descendants of ``paper`` up to ``depth`` hops (1..5), with the main path.

    Each level is visited in paper-id order, so ``max_papers`` keeps the
    nearest papers and the result is the same however ``G`` was built.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("c", "b"), ("b", "a"), ("z", "a")])
    >>> lin = lineage(G, "a", direction="descendants", depth=1)
    >>> lin.depth, lin.edges
    ({'a': 0, 'b': 1, 'z': 1}, [('b', 'a'), ('z', 'a')])
    """
    check_depth(depth)
    require_paper(G, paper)
    if direction not in ("ancestors", "descendants"):
        raise ValueError(f"direction must be 'ancestors' or 'descendants', got {direction!r}")
    if max_papers is not None and max_papers < 1:
        raise ValueError(f"max_papers must be at least 1, got {max_papers}")
    step = G.successors if direction == "ancestors" else G.predecessors
    found: dict[str, int] = {paper: 0}
    frontier = [paper]
    truncated = False
    for level in range(1, depth + 1):
        reached = sorted({str(n) for p in frontier for n in step(p)} - found.keys())
        if max_papers is not None and len(found) + len(reached) > max_papers:
            reached = reached[: max_papers - len(found)]
            truncated = True
        for n in reached:
            found[n] = level
        frontier = reached
        if truncated or not frontier:
            break
    sub = G.subgraph(found)
    return Lineage(
        paper=paper,
        direction=direction,
        max_depth=depth,
        depth=found,
        edges=sorted((str(u), str(v)) for u, v in sub.edges),
        main_path=main_path(sub),
        truncated=truncated,
    )


def break_cycles(G: nx.DiGraph) -> tuple[nx.DiGraph, list[Edge]]:
    """A DAG copy of ``G`` (structure only) and the sorted edges dropped to make it one.

    Self-citations are dropped first; then, in every strongly connected
    component, the edge pointing furthest forward in time (see the module
    notes) until none is left. Years come from the ``year`` node attribute;
    an edge with an unknown year counts as gap 0.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "c")])
    >>> nx.set_node_attributes(G, {"a": 2018, "b": 2020}, "year")
    >>> dag, dropped = break_cycles(G)
    >>> dropped  # a (2018) citing b (2020) points forward in time
    [('a', 'b'), ('c', 'c')]
    """
    D = nx.DiGraph()
    D.add_nodes_from(sorted(str(n) for n in G.nodes))
    dropped: list[Edge] = []
    for u, v in sorted((str(u), str(v)) for u, v in G.edges):
        if u == v:
            dropped.append((u, v))
        else:
            D.add_edge(u, v)
    years = {str(n): y for n, y in G.nodes(data="year") if y is not None}

    def suspicion(edge: Edge) -> tuple[int, Edge]:
        citing, cited = (years.get(edge[0]), years.get(edge[1]))
        gap = int(cited) - int(citing) if citing is not None and cited is not None else 0
        return (gap, edge)

    while True:
        components = [c for c in nx.strongly_connected_components(D) if len(c) > 1]
        if not components:
            break
        # Components are disjoint, so dropping one edge in each per round
        # gives the same result whatever order networkx lists them in.
        for comp in components:
            inside = ((u, v) for u in comp for v in D.successors(u) if v in comp)
            edge = max(inside, key=suspicion)
            D.remove_edge(*edge)
            dropped.append(edge)
    return D, sorted(dropped)


def main_path(G: nx.DiGraph) -> MainPath:
    """The global SPC main path of ``G`` (cycles broken first, see :func:`break_cycles`).

    For each edge u -> v (u cites v), SPC = (paths from a source to u) x
    (paths from v to a sink), where sources are papers nobody in ``G`` cites
    and sinks papers citing nothing in ``G``. Ties prefer the smaller paper id.

    >>> import networkx as nx
    >>> # e cites c and d; c and d cite b; b cites a. Edges into b carry 1 path each.
    >>> G = nx.DiGraph([("e", "c"), ("e", "d"), ("c", "b"), ("d", "b"), ("b", "a")])
    >>> mp = main_path(G)
    >>> mp.papers, mp.spc
    (['a', 'b', 'c', 'e'], [2, 1, 1])
    """
    dag, dropped = break_cycles(G)
    if len(dag) == 0:
        return MainPath(papers=[], spc=[], broken_edges=dropped)
    order: list[str] = list(nx.topological_sort(dag))  # citing before cited
    from_sources: dict[str, int] = {}
    for u in order:
        preds = list(dag.predecessors(u))
        from_sources[u] = sum(from_sources[p] for p in preds) if preds else 1
    to_sinks: dict[str, int] = {}
    # best[u]: the largest SPC total of a path from u down to a sink, and its next step.
    best: dict[str, tuple[int, str | None]] = {}
    for u in reversed(order):
        succs = sorted(dag.successors(u))
        to_sinks[u] = sum(to_sinks[s] for s in succs) if succs else 1
        best[u] = (0, None)
        for s in succs:  # ascending ids, so ">" keeps the smallest on ties
            total = from_sources[u] * to_sinks[s] + best[s][0]
            if best[u][1] is None or total > best[u][0]:
                best[u] = (total, s)
    sources = sorted(u for u in order if dag.in_degree(u) == 0)
    start = sources[0]
    for u in sources[1:]:
        if best[u][0] > best[start][0]:
            start = u
    path: list[str] = [start]
    spc: list[int] = []
    while (nxt := best[path[-1]][1]) is not None:
        spc.append(from_sources[path[-1]] * to_sinks[nxt])
        path.append(nxt)
    path.reverse()
    spc.reverse()
    return MainPath(papers=path, spc=spc, broken_edges=dropped)


def lineage_subgraph(G: nx.DiGraph, papers: Iterable[str]) -> nx.DiGraph:
    """The citations among ``papers``, with their attributes (for export)."""
    return G.subgraph(papers).copy()
