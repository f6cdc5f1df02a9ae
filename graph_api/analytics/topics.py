"""Topics over time: papers per year and the fastest-rising topics.

A topic *rises* when its share of the papers grows: over the last ``window``
years its share is compared with the ``window`` years before, with add-one
smoothing so that a topic going from 0 to 1 paper is not "infinitely" rising:

    growth = ((recent + 1) / (all_recent + 1)) / ((earlier + 1) / (all_earlier + 1))

Each trend also carries the least-squares slope of its yearly paper counts
over both windows (papers per year), for a plot or a second opinion.

>>> import networkx as nx
>>> G = nx.DiGraph()
>>> for i, (year, topic) in enumerate([(2020, "A"), (2020, "B"), (2021, "B"), (2021, "B")]):
...     G.add_node(f"p{i}", year=year, topics=(topic,))
>>> topic_years(G, Membership.of(G, "topics"), "b")
{2020: 1, 2021: 2}
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass

import networkx as nx

from graph_api.analytics.attributes import Membership, year_of
from graph_api.analytics.limits import check_k


@dataclass(frozen=True)
class TopicTrend:
    """A topic's yearly counts over both windows and how fast its share grows."""

    topic: str
    per_year: dict[int, int]
    recent: int
    earlier: int
    growth: float
    slope: float


def topic_years(G: nx.DiGraph, topics: Membership, topic: str) -> dict[int, int]:
    """Papers of ``topic`` per year (years without papers omitted; undated papers skipped)."""
    counts = Counter(y for p in topics.papers(topic) if (y := year_of(G, p)) is not None)
    return dict(sorted(counts.items()))


def rising_topics(
    G: nx.DiGraph,
    topics: Membership,
    *,
    window: int = 3,
    last_year: int | None = None,
    min_recent: int = 2,
    k: int = 10,
) -> list[TopicTrend]:
    """The ``k`` (1..50) topics whose share grew most, with at least ``min_recent`` recent papers.

    ``last_year`` defaults to the latest year in ``G``; the recent window is
    ``last_year - window + 1 .. last_year`` and the earlier one the ``window``
    years before it.

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> rows = [(2019, "old"), (2019, "old"), (2020, "old"), (2020, "new"), (2020, "new")]
    >>> for i, (year, topic) in enumerate(rows):
    ...     G.add_node(f"p{i}", year=year, topics=(topic,))
    >>> [(t.topic, t.recent, t.earlier) for t in rising_topics(G, Membership.of(G, "topics"),
    ...                                                     window=1, min_recent=1)]
    [('new', 2, 0), ('old', 1, 2)]
    """
    check_k(k)
    if window < 1:
        raise ValueError(f"window must be at least 1 year, got {window}")
    if min_recent < 0:
        raise ValueError(f"min_recent must be non-negative, got {min_recent}")
    all_years = Counter(y for p in G.nodes if (y := year_of(G, str(p))) is not None)
    if not all_years:
        return []
    last = max(all_years) if last_year is None else last_year
    years = list(range(last - 2 * window + 1, last + 1))
    earlier_years, recent_years = years[:window], years[window:]
    all_recent = sum(all_years[y] for y in recent_years)
    all_earlier = sum(all_years[y] for y in earlier_years)
    trends: list[TopicTrend] = []
    for topic in topics.by_member:
        counts = topic_years(G, topics, topic)
        recent = sum(counts.get(y, 0) for y in recent_years)
        if recent < min_recent or recent == 0:
            continue
        earlier = sum(counts.get(y, 0) for y in earlier_years)
        growth = ((recent + 1) / (all_recent + 1)) / ((earlier + 1) / (all_earlier + 1))
        trends.append(
            TopicTrend(
                topic=topic,
                per_year={y: counts.get(y, 0) for y in years},
                recent=recent,
                earlier=earlier,
                growth=growth,
                slope=_slope(years, [counts.get(y, 0) for y in years]),
            )
        )
    return heapq.nsmallest(k, trends, key=lambda t: (-t.growth, -t.recent, t.topic))


def _slope(xs: list[int], ys: list[int]) -> float:
    """Least-squares slope of ys on xs (0 for a single point)."""
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var
