"""Bounds on analytics arguments, and the error for a paper the graph lacks.

Every analytic that takes a depth, a ``k`` or a seed set checks it here, so
the API, the CLI and direct callers get the same limits and the same clear
messages. The bounds keep one request's work predictable on a large graph.

>>> check_depth(3)
3
>>> check_depth(6)
Traceback (most recent call last):
...
ValueError: depth must be between 1 and 5, got 6
>>> check_seeds(["b", "a", "b"])
['b', 'a']
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

MAX_DEPTH = 5
MAX_K = 50
MAX_SEEDS = 100
# Default cap on the papers one lineage returns: depth 2 around a hub of a
# 100k-paper graph reaches ~60k papers and 600k citations (seconds of work and
# a response nobody can read); 5,000 keeps one request well under a second.
MAX_LINEAGE_PAPERS = 5000


class UnknownPaper(LookupError):
    """The paper id is not a node of the graph the analytic runs on."""

    def __init__(self, paper: str) -> None:
        super().__init__(f"no paper {paper!r} in the citation graph")
        self.paper = paper


def check_depth(depth: int) -> int:
    """A lineage depth in ``1..MAX_DEPTH``."""
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH}, got {depth!r}")
    return depth


def check_k(k: int, *, name: str = "k") -> int:
    """A result count in ``1..MAX_K``."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ValueError(f"{name} must be between 1 and {MAX_K}, got {k!r}")
    return k


def check_seeds(seeds: Iterable[str]) -> list[str]:
    """A non-empty seed set of at most ``MAX_SEEDS`` distinct ids, first-seen order kept."""
    if isinstance(seeds, str):
        raise ValueError("seeds must be a collection of paper ids, not one string")
    unique = list(dict.fromkeys(seeds))
    if not unique:
        raise ValueError("the seed set is empty")
    if len(unique) > MAX_SEEDS:
        raise ValueError(f"at most {MAX_SEEDS} seed papers, got {len(unique)}")
    return unique


def require_paper(G: nx.DiGraph, paper: str) -> None:
    """Raise :class:`UnknownPaper` unless ``paper`` is a node of ``G``."""
    if paper not in G:
        raise UnknownPaper(paper)
