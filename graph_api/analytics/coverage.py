"""Coverage: how much of a paper's neighbourhood the graph holds, against what S2 reports.

An analytic computed on a partial graph says something about that graph,
not about the literature. S2 reports how many references and citations a
paper has (``referenceCount``, ``citationCount``, stored on the paper); the
graph holds its ``CITES`` edges. :func:`coverage` compares the two for one
paper; :func:`citing_coverage` does it for the reference lists of the papers
citing it, which the disruption index reads (whether each of them also cites
one of the paper's references), and :func:`reference_citations_coverage` for the
citation lists of its references, where the index finds n_k (papers citing a
reference but not the paper). A depth-1 load holds a seed's references and
citations but, of each citing paper, only its edge to the seed (the index
would count every one of them as citing the seed alone and lean toward +1),
and of each reference only its edges to the loaded seeds (n_k too small, the
index too far from 0).

S2 counts references it could not resolve to a paper (a ``null`` id in the
list); the graph never holds those, so ``held`` can stay below ``reported``
after everything was read. ``complete`` is strict (held >= reported for
every count); the disruption index is withheld below a *ratio*
(:data:`DEFAULT_MIN_COVERAGE`), which tolerates that gap.

>>> import networkx as nx
>>> G = nx.DiGraph([("f", "r1"), ("f", "r2"), ("a", "f"), ("b", "f")])
>>> G.nodes["f"].update(referenceCount=2, citationCount=2)
>>> G.nodes["a"].update(referenceCount=3)
>>> G.nodes["b"].update(referenceCount=1)
>>> c = coverage(G, "f")
>>> (c.references_held, c.references_reported, c.citations_held, c.complete)
(2, 2, 2, True)
>>> cc = citing_coverage(G, "f")
>>> (cc.papers, cc.references_held, cc.references_reported, cc.ratio, cc.complete)
(2, 2, 4, 0.5, False)
>>> G.nodes["r1"].update(citationCount=3)
>>> G.nodes["r2"].update(citationCount=1)
>>> rc = reference_citations_coverage(G, "f")
>>> (rc.papers, rc.citations_held, rc.citations_reported, rc.ratio, rc.complete)
(2, 2, 4, 0.5, False)
>>> withheld_reason(c, cc, rc, 0.8)  # doctest: +NORMALIZE_WHITESPACE
'coverage 0.50 < 0.80: the graph holds 2 of the 4 references S2 reports for the 2 papers citing
it; the graph holds 2 of the 4 citations S2 reports for its 2 references'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from graph_api.analytics.limits import require_paper

# Below this share of the citing papers' references (and of the paper's own
# citations) held, the disruption index is withheld.
DEFAULT_MIN_COVERAGE = 0.8


def _count(G: nx.DiGraph, node: str, key: str) -> int | None:
    value = G.nodes[node].get(key)
    return int(value) if isinstance(value, (int, float)) else None


def _ratio(held: int, reported: int | None) -> float | None:
    if reported is None:
        return None
    if reported <= 0:
        return 1.0
    return min(1.0, held / reported)


@dataclass(frozen=True, slots=True)
class Coverage:
    """One paper's references and citations: reported by S2 vs held by the graph."""

    paper_id: str
    references_reported: int | None
    references_held: int
    citations_reported: int | None
    citations_held: int

    @property
    def ratio(self) -> float | None:
        """The smaller of held/reported for references and citations (None: S2's counts unknown)."""
        parts = [
            r
            for r in (
                _ratio(self.references_held, self.references_reported),
                _ratio(self.citations_held, self.citations_reported),
            )
            if r is not None
        ]
        return min(parts) if parts else None

    @property
    def complete(self) -> bool:
        """Both counts known and the graph holds at least as many as S2 reports."""
        return (
            self.references_reported is not None
            and self.citations_reported is not None
            and self.references_held >= self.references_reported
            and self.citations_held >= self.citations_reported
        )


@dataclass(frozen=True, slots=True)
class ListsCoverage:
    """The lists of a paper's neighbours (their references, or their citations): S2's count
    of each against what the graph holds; ``unknown`` neighbours have no count from S2."""

    paper_id: str
    papers: int
    reported: int
    held: int
    unknown: int

    @property
    def ratio(self) -> float | None:
        """held/reported over the neighbours whose count S2 gave (None: no such neighbour)."""
        if self.papers == self.unknown:
            return None
        return _ratio(self.held, self.reported)

    @property
    def complete(self) -> bool:
        return self.unknown == 0 and self.held >= self.reported


class CitingCoverage(ListsCoverage):
    """The reference lists of the papers citing one paper: reported vs held."""

    __slots__ = ()

    @property
    def references_reported(self) -> int:
        return self.reported

    @property
    def references_held(self) -> int:
        return self.held


class ReferenceCitationsCoverage(ListsCoverage):
    """The citation lists of one paper's references: reported vs held."""

    __slots__ = ()

    @property
    def citations_reported(self) -> int:
        return self.reported

    @property
    def citations_held(self) -> int:
        return self.held


def coverage(G: nx.DiGraph, paper: str) -> Coverage:
    """S2's reference and citation counts of ``paper`` against its edges in ``G``."""
    require_paper(G, paper)
    return Coverage(
        paper_id=paper,
        references_reported=_count(G, paper, "referenceCount"),
        references_held=sum(1 for r in G.successors(paper) if r != paper),
        citations_reported=_count(G, paper, "citationCount"),
        citations_held=sum(1 for c in G.predecessors(paper) if c != paper),
    )


def citing_coverage(G: nx.DiGraph, paper: str) -> CitingCoverage:
    """Coverage of the reference lists of the papers citing ``paper``."""
    require_paper(G, paper)
    return CitingCoverage(
        paper, *_lists(G, paper, G.predecessors(paper), "referenceCount", G.successors)
    )


def reference_citations_coverage(G: nx.DiGraph, paper: str) -> ReferenceCitationsCoverage:
    """Coverage of the citation lists of ``paper``'s references (where n_k is found).

    S2's count includes papers older than ``paper``, which the index leaves
    out; held against it, the ratio errs on the side of withholding.
    """
    require_paper(G, paper)
    return ReferenceCitationsCoverage(
        paper, *_lists(G, paper, G.successors(paper), "citationCount", G.predecessors)
    )


def _lists(
    G: nx.DiGraph,
    paper: str,
    others: Iterable[str],
    count_key: str,
    their_edges: Callable[[str], Iterable[str]],
) -> tuple[int, int, int, int]:
    """(papers, reported, held, unknown) over ``others``' lists: S2's ``count_key`` of
    each against its edges in ``their_edges`` (held capped at the count)."""
    reported = held = unknown = papers = 0
    for other in others:
        if other == paper:
            continue
        papers += 1
        count = _count(G, other, count_key)
        if count is None:
            unknown += 1
            continue
        reported += count
        held += min(count, sum(1 for e in their_edges(other) if e != other))
    return papers, reported, held, unknown


def withheld_reason(
    own: Coverage,
    citing: CitingCoverage,
    cited: ReferenceCitationsCoverage,
    min_coverage: float,
) -> str | None:
    """Why the disruption index of the paper is not worth giving, or None when it is.

    The index reads the paper's citations, the reference lists of the papers
    citing it (n_i against n_j) and the citation lists of its references
    (n_k); below ``min_coverage`` of any (as far as S2's counts are known), it
    says more about what was loaded than about the paper.
    """
    parts: list[tuple[float, str]] = []
    own_citations = _ratio(own.citations_held, own.citations_reported)
    if own_citations is not None and own_citations < min_coverage:
        parts.append(
            (
                own_citations,
                f"the graph holds {own.citations_held} of the {own.citations_reported}"
                " citations S2 reports for it",
            )
        )
    ratio = citing.ratio
    if ratio is not None and ratio < min_coverage:
        parts.append(
            (
                ratio,
                f"the graph holds {citing.references_held} of the {citing.references_reported}"
                f" references S2 reports for the {citing.papers - citing.unknown} papers citing it",
            )
        )
    ratio = cited.ratio
    if ratio is not None and ratio < min_coverage:
        parts.append(
            (
                ratio,
                f"the graph holds {cited.citations_held} of the {cited.citations_reported}"
                f" citations S2 reports for its {cited.papers - cited.unknown} references",
            )
        )
    if not parts:
        return None
    lowest = min(r for r, _ in parts)
    return f"coverage {lowest:.2f} < {min_coverage:.2f}: " + "; ".join(t for _, t in parts)
