"""The disruption (CD) index of a paper (Funk & Owen-Smith 2017; Wu, Wang & Evans 2019).

Among later papers that cite the focal paper f or any of its references:

* n_i cite f but none of its references (f eclipsed its sources: disruptive),
* n_j cite f and at least one of its references (f consolidated them),
* n_k cite a reference but not f (the sources live on without f),

and CD = (n_i - n_j) / (n_i + n_j + n_k), from -1 (consolidating) to 1
(disruptive). "Later" means a year not before f's when both years are known;
``window`` limits it to papers at most that many years after f. A paper
nobody in scope cites has no index (``None``).

>>> import networkx as nx
>>> G = nx.DiGraph([("f", "r"), ("a", "f"), ("b", "f"), ("b", "r")])
>>> d = disruption(G, "f")
>>> (d.n_i, d.n_j, d.n_k, d.index)
(1, 1, 0, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph_api.analytics.attributes import year_of
from graph_api.analytics.limits import require_paper


@dataclass(frozen=True, slots=True)
class Disruption:
    paper_id: str
    n_i: int
    n_j: int
    n_k: int
    index: float | None


def disruption(G: nx.DiGraph, paper: str, *, window: int | None = None) -> Disruption:
    """The CD index of ``paper`` and its three counts (see the module notes)."""
    require_paper(G, paper)
    if window is not None and window < 0:
        raise ValueError(f"window must be a non-negative number of years, got {window}")
    focal_year = year_of(G, paper)
    references = {str(r) for r in G.successors(paper) if r != paper}
    candidates = {str(c) for c in G.predecessors(paper)}
    for ref in references:
        candidates.update(str(c) for c in G.predecessors(ref))
    candidates.discard(paper)
    n_i = n_j = n_k = 0
    for citing in candidates:
        if not _in_scope(year_of(G, citing), focal_year, window):
            continue
        cites_focal = G.has_edge(citing, paper)
        cites_reference = any(r in references for r in G.successors(citing))
        if cites_focal and cites_reference:
            n_j += 1
        elif cites_focal:
            n_i += 1
        else:
            n_k += 1
    total = n_i + n_j + n_k
    index = (n_i - n_j) / total if total else None
    return Disruption(paper_id=paper, n_i=n_i, n_j=n_j, n_k=n_k, index=index)


def _in_scope(year: int | None, focal_year: int | None, window: int | None) -> bool:
    if year is None or focal_year is None:
        return True
    gap = year - focal_year
    return gap >= 0 and (window is None or gap <= window)
