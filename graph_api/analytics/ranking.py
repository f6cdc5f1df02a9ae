"""Scored results and their one ordering: best score first, then paper id.

Every analytic that returns "the top k" sorts with :func:`top_scored`, so ties
are broken the same way everywhere and results never depend on the order in
which a graph's nodes were inserted.

>>> top_scored({"a": 0.5, "b": 0.9, "c": 0.5}, 2)
[Scored(paper_id='b', score=0.9), Scored(paper_id='a', score=0.5)]
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from graph_api.analytics.attributes import Membership
from graph_api.analytics.limits import check_k


@dataclass(frozen=True, slots=True)
class Scored:
    """A paper and a score (higher is better)."""

    paper_id: str
    score: float


def top_scored(scores: Mapping[str, float], k: int | None = None) -> list[Scored]:
    """The ``k`` highest scores (all when ``k`` is None), ties by ascending paper id."""
    items = scores.items()
    chosen = sorted(items, key=_order) if k is None else heapq.nsmallest(k, items, key=_order)
    return [Scored(paper_id=p, score=s) for p, s in chosen]


@dataclass(frozen=True, slots=True)
class MemberRank:
    """An organisation, author or topic, its paper count and the sum of their scores."""

    member: str
    papers: int
    influence: float


def rank_members(
    members: Membership,
    scores: Mapping[str, float],
    *,
    by: Literal["influence", "papers"] = "influence",
    k: int = 10,
    descending: bool = True,
) -> list[MemberRank]:
    """The top ``k`` (1..50) members by summed paper scores (e.g. PageRank) or paper count.

    ``descending=False`` gives the bottom ``k`` instead, smallest first (ties by name
    in both directions).

    >>> orgs = Membership("orgs", {"meta": ("p1", "p2"), "mit": ("p3",)})
    >>> scores = {"p1": 0.1, "p2": 0.1, "p3": 0.5}
    >>> [r.member for r in rank_members(orgs, scores)]
    ['mit', 'meta']
    >>> [r.member for r in rank_members(orgs, scores, by="papers")]
    ['meta', 'mit']
    >>> [r.member for r in rank_members(orgs, scores, by="papers", descending=False)]
    ['mit', 'meta']
    """
    check_k(k)
    if by not in ("influence", "papers"):
        raise ValueError(f"by must be 'influence' or 'papers', got {by!r}")
    ranked = [
        MemberRank(member=m, papers=len(ps), influence=sum(scores.get(p, 0.0) for p in ps))
        for m, ps in members.by_member.items()
    ]
    sign = -1 if descending else 1
    if by == "influence":
        return heapq.nsmallest(
            k, ranked, key=lambda r: (sign * r.influence, sign * r.papers, r.member)
        )
    return heapq.nsmallest(k, ranked, key=lambda r: (sign * r.papers, sign * r.influence, r.member))


def _order(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])
