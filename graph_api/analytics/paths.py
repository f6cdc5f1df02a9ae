"""Citation paths: the k shortest chains of citations between two papers.

Directed paths follow references only (``source`` cites ... cites
``target``: ``source`` builds on ``target``, perhaps indirectly). Undirected
paths may go either way along each citation, which links papers that share
ancestry or descendants. Each step says which way it went.

>>> import networkx as nx
>>> G = nx.DiGraph([("c", "b"), ("b", "a"), ("c", "a")])
>>> found = citation_paths(G, "c", "a", k=5)
>>> [p.papers for p in found.paths]
[['c', 'a'], ['c', 'b', 'a']]
>>> citation_paths(G, "a", "c").found  # a is older: it cites nothing
False
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice, pairwise
from typing import Literal

import networkx as nx

from graph_api.analytics.limits import check_k, require_paper

Step = Literal["cites", "cited_by"]


@dataclass(frozen=True)
class CitationPath:
    """Papers from source to target; ``steps[i]`` says ``papers[i]`` cites or is
    cited by ``papers[i + 1]``."""

    papers: list[str]
    steps: list[Step]

    @property
    def length(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class CitationPaths:
    """Up to ``k`` shortest paths, shortest first; ``paths == []`` means no path."""

    source: str
    target: str
    directed: bool
    paths: list[CitationPath]

    @property
    def found(self) -> bool:
        return bool(self.paths)


def citation_paths(
    G: nx.DiGraph, source: str, target: str, *, k: int = 5, directed: bool = True
) -> CitationPaths:
    """The ``k`` (1..50) shortest simple paths from ``source`` to ``target``.

    Paths of equal length are listed in paper-id order; a paper to itself is
    the one path of length 0.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "m"), ("y", "m")])
    >>> p = citation_paths(G, "x", "y", directed=False).paths[0]
    >>> p.papers, p.steps
    (['x', 'm', 'y'], ['cites', 'cited_by'])
    """
    check_k(k)
    require_paper(G, source)
    require_paper(G, target)
    H = G if directed else G.to_undirected(as_view=True)
    try:
        raw = [list(map(str, p)) for p in islice(nx.shortest_simple_paths(H, source, target), k)]
    except nx.NetworkXNoPath:
        raw = []
    raw.sort(key=lambda p: (len(p), p))
    paths = [
        CitationPath(
            papers=p,
            steps=["cites" if G.has_edge(u, v) else "cited_by" for u, v in pairwise(p)],
        )
        for p in raw
    ]
    return CitationPaths(source=source, target=target, directed=directed, paths=paths)
