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

from graph_api.analytics.limits import MAX_LINEAGE_PAPERS, check_depth, require_paper

Direction = Literal["ancestors", "descendants"]
# Which citations a lineage follows: every one, only those S2 marks
# influential, or only those with a "methodology" intent (the work builds on
# the cited paper's method, not just its background).
EdgeKind = Literal["all", "influential", "methodology"]
EDGE_KINDS: tuple[EdgeKind, ...] = ("all", "influential", "methodology")
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
    max_papers: int | None = MAX_LINEAGE_PAPERS,
    follow: EdgeKind = "all",
) -> Lineage:
    """Ancestors or descendants of ``paper`` up to ``depth`` hops (1..5), with the main path.

    Each level is visited in paper-id order, so ``max_papers`` (default
    :data:`~.limits.MAX_LINEAGE_PAPERS`; None for no cap) keeps the nearest
    papers and the result is the same however ``G`` was built. ``follow``
    other than ``"all"`` walks, lists and runs the main path over only the
    citations of that kind (:func:`citation_view`).

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
    G = citation_view(G, follow)
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
    edges = sorted((u, str(v)) for u in found for v in G.successors(u) if v in found)
    return Lineage(
        paper=paper,
        direction=direction,
        max_depth=depth,
        depth=found,
        edges=edges,
        main_path=_main_path(sorted(found), edges, _years(G.subgraph(found))),
        truncated=truncated,
    )


def citation_view(G: nx.DiGraph, edges: EdgeKind) -> nx.DiGraph:
    """``G`` itself, or a read-only view keeping only one kind of citation.

    Edge attributes (set by the projection only where true): ``influential``
    (S2's isInfluential) and ``methodology`` (a "methodology" intent).

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_edge("b", "a", influential=True); G.add_edge("c", "a", methodology=True)
    >>> sorted(citation_view(G, "influential").edges), sorted(citation_view(G, "methodology").edges)
    ([('b', 'a')], [('c', 'a')])
    """
    if edges == "all":
        return G
    if edges == "influential":
        return nx.subgraph_view(G, filter_edge=lambda u, v: bool(G[u][v].get("influential")))
    if edges == "methodology":
        return nx.subgraph_view(G, filter_edge=lambda u, v: bool(G[u][v].get("methodology")))
    raise ValueError(f"edges must be one of {', '.join(EDGE_KINDS)}, got {edges!r}")


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
    nodes = sorted(str(n) for n in G.nodes)
    succ = _adjacency(nodes, ((str(u), str(v)) for u, v in G.edges))
    dropped = _break_cycles(succ, _years(G))
    D = nx.DiGraph()
    D.add_nodes_from(nodes)
    D.add_edges_from((u, v) for u in nodes for v in succ[u])
    return D, dropped


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
    nodes = sorted(str(n) for n in G.nodes)
    return _main_path(nodes, ((str(u), str(v)) for u, v in G.edges), _years(G))


def _years(G: nx.DiGraph) -> dict[str, int]:
    return {str(n): int(y) for n, y in G.nodes(data="year") if y is not None}


def _adjacency(nodes: list[str], edges: Iterable[Edge]) -> dict[str, list[str]]:
    """Sorted successor lists, so every later walk is independent of insertion order."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in edges:
        succ[u].append(v)
    for targets in succ.values():
        targets.sort()
    return succ


def _topological(succ: dict[str, list[str]]) -> list[str]:
    """Kahn's order (citing before cited); shorter than ``succ`` when there are cycles."""
    indegree = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for v in targets:
            indegree[v] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    order: list[str] = []
    while ready:
        u = ready.pop()
        order.append(u)
        for v in succ[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
    return order


def _break_cycles(succ: dict[str, list[str]], years: dict[str, int]) -> list[Edge]:
    """Drop self-loops and cycle edges from ``succ`` in place; the sorted dropped edges."""
    dropped: list[Edge] = []
    for u, targets in succ.items():
        if u in targets:
            targets.remove(u)
            dropped.append((u, u))
    if len(_topological(succ)) == len(succ):
        return sorted(dropped)  # the usual case: already a DAG

    def suspicion(edge: Edge) -> tuple[int, Edge]:
        citing, cited = years.get(edge[0]), years.get(edge[1])
        gap = cited - citing if citing is not None and cited is not None else 0
        return (gap, edge)

    D = nx.DiGraph()
    D.add_nodes_from(succ)
    D.add_edges_from((u, v) for u, targets in succ.items() for v in targets)
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
            succ[edge[0]].remove(edge[1])
            dropped.append(edge)
    return sorted(dropped)


def _main_path(nodes: list[str], edges: Iterable[Edge], years: dict[str, int]) -> MainPath:
    succ = _adjacency(nodes, edges)
    dropped = _break_cycles(succ, years)
    if not succ:
        return MainPath(papers=[], spc=[], broken_edges=dropped)
    order = _topological(succ)  # citing before cited
    cited = {v for targets in succ.values() for v in targets}
    # Paths from any source (a paper nobody here cites) down to each paper.
    from_sources: dict[str, int] = {n: 0 if n in cited else 1 for n in succ}
    for u in order:
        for v in succ[u]:
            from_sources[v] += from_sources[u]
    to_sinks: dict[str, int] = {}
    # best[u]: the largest SPC total of a path from u down to a sink, and its next step.
    best: dict[str, tuple[int, str | None]] = {}
    for u in reversed(order):
        targets = succ[u]
        to_sinks[u] = sum(to_sinks[v] for v in targets) if targets else 1
        top: tuple[int, str | None] = (0, None)
        for v in targets:  # ascending ids, so ">" keeps the smallest on ties
            total = from_sources[u] * to_sinks[v] + best[v][0]
            if top[1] is None or total > top[0]:
                top = (total, v)
        best[u] = top
    start: str | None = None
    for u in nodes:  # ascending ids again
        if u not in cited and (start is None or best[u][0] > best[start][0]):
            start = u
    assert start is not None  # a DAG always has a source
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
