"""The node attributes analytics read from a projected citation graph.

A projection (:mod:`graph_api.store.projection`) builds an ``nx.DiGraph`` whose
nodes are paper ids and whose edges run citing -> cited. Node attributes, all
optional:

* ``year`` (int), ``title`` (str), ``citationCount`` (int, S2's count),
* ``topics`` (tuple of topic names), ``authors`` (tuple of author ids),
  ``orgs`` (tuple of organisation keys).

:class:`Membership` indexes one of the tuple attributes the other way round
(member -> papers), built once per projection so per-request author, org and
topic analytics never scan the whole graph.

>>> import networkx as nx
>>> G = nx.DiGraph()
>>> G.add_node("p1", year=2020, authors=("A", "B")); G.add_node("p2", authors=("A",))
>>> authors = Membership.of(G, "authors")
>>> authors.papers("A"), year_of(G, "p1"), year_of(G, "p2")
(('p1', 'p2'), 2020, None)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

MEMBER_ATTRIBUTES = ("topics", "authors", "orgs")


class UnknownMember(LookupError):
    """No paper of the graph names this author, organisation or topic."""

    def __init__(self, attribute: str, member: str) -> None:
        super().__init__(f"no paper in the graph has {member!r} among its {attribute}")
        self.attribute = attribute
        self.member = member


def year_of(G: nx.DiGraph, paper: str) -> int | None:
    year = G.nodes[paper].get("year")
    return int(year) if year is not None else None


def members_of(G: nx.DiGraph, paper: str, attribute: str) -> tuple[str, ...]:
    """The distinct members a paper lists under ``attribute``, in order."""
    return tuple(dict.fromkeys(str(m) for m in (G.nodes[paper].get(attribute) or ())))


@dataclass(frozen=True)
class Membership:
    """Papers of each member of ``attribute`` (sorted ids), and a case-insensitive lookup."""

    attribute: str
    by_member: dict[str, tuple[str, ...]]
    _folded: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # First spelling wins when two members differ only by case.
        folded: dict[str, str] = {}
        for member in self.by_member:
            folded.setdefault(member.casefold(), member)
        object.__setattr__(self, "_folded", folded)

    @classmethod
    def of(cls, G: nx.DiGraph, attribute: str) -> Membership:
        if attribute not in MEMBER_ATTRIBUTES:
            raise ValueError(f"attribute must be one of {MEMBER_ATTRIBUTES}, got {attribute!r}")
        found: defaultdict[str, list[str]] = defaultdict(list)
        for paper in G.nodes:
            for member in members_of(G, str(paper), attribute):
                found[member].append(str(paper))
        return cls(attribute, {m: tuple(sorted(ps)) for m, ps in sorted(found.items())})

    def resolve(self, member: str) -> str:
        """The stored spelling of ``member`` (exact, else case-insensitive)."""
        if member in self.by_member:
            return member
        known = self._folded.get(member.casefold())
        if known is None:
            raise UnknownMember(self.attribute, member)
        return known

    def papers(self, member: str) -> tuple[str, ...]:
        """Papers of ``member`` (see :meth:`resolve`); raises :class:`UnknownMember`."""
        return self.by_member[self.resolve(member)]
