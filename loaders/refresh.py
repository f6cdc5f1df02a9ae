"""``citekb refresh``: ask S2 again about every seed, and merge what is new.

A knowledge base built from a page goes stale in two ways: a seed gains
citations, and an entry S2 did not know yet (too new, a title S2 had not
indexed) becomes resolvable. A refresh re-reads both:

* every seed of the graph (``isSeed``; ``cypher/read/seed_refs.cypher``) is
  loaded again at depth 1: a resolved seed by its S2 id, a placeholder by
  what its page said (title, arXiv id, DOI, date, abstract, author count), so
  its title match is verified as on the first load;
* through an S2 client whose cache ages (:func:`refresh_ages`) make every
  reference/citation page older than ``--older-than`` stale, and every
  not-found answer older than the smaller of that and the configured
  not-found age; details keep their own (weeks) age;
* the ordinary pipeline then MERGEs: only new papers and citations are
  created (and counted on the load's ``Load`` record, for the change feed),
  and a placeholder that now resolves merges into its S2 paper.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import re
from typing import Any

from neo4j import Driver

import cypher
from loaders.rows import PaperRef, is_placeholder_id
from loaders.s2_cache import DAY_S, HOUR_S, CacheAges

DEFAULT_OLDER_THAN = "7d"

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1.0, "m": 60.0, "h": HOUR_S, "d": DAY_S, "w": 7 * DAY_S}


def parse_age(text: str) -> float:
    """``7d``, ``12h``, ``30m``, ``2w``, ``90s`` -> seconds.

    >>> parse_age("7d"), parse_age("12h"), parse_age(" 1.5 w ")
    (604800.0, 43200.0, 907200.0)
    >>> parse_age("7 days")
    Traceback (most recent call last):
    ...
    ValueError: an age is a number and a unit (s, m, h, d, w), e.g. 7d or 12h; got '7 days'
    """
    m = _AGE.match(text)
    if m is None:
        raise ValueError(
            f"an age is a number and a unit (s, m, h, d, w), e.g. 7d or 12h; got {text!r}"
        )
    return float(m.group(1)) * _UNIT_S[m.group(2).lower()]


def refresh_ages(base: CacheAges, older_than_s: float) -> CacheAges:
    """The cache ages of a refresh: lists older than ``older_than_s`` and not-found
    answers older than the smaller of the two are asked again; details keep their age.

    >>> a = refresh_ages(CacheAges(), 7 * DAY_S)
    >>> (a.lists_s / DAY_S, a.not_found_s / HOUR_S, a.details_s / DAY_S)
    (7.0, 6.0, 28.0)
    >>> refresh_ages(CacheAges(), HOUR_S).not_found_s / HOUR_S
    1.0
    """
    if older_than_s < 0:
        raise ValueError("--older-than must not be negative")
    not_found = older_than_s if base.not_found_s is None else min(base.not_found_s, older_than_s)
    return dataclasses.replace(base, lists_s=older_than_s, not_found_s=not_found)


def ref_from_seed(record: dict[str, Any]) -> PaperRef:
    """A graph seed as the entry a load resolves (see the module docstring).

    >>> ref_from_seed({"paperId": "abc", "title": "T"}).s2_id
    'abc'
    >>> r = ref_from_seed({"paperId": "title:1f", "title": "T", "publicationDate": "2025-12-19",
    ...                    "authorsCount": 5})
    >>> (r.s2_id, r.date, r.authors_count)
    (None, datetime.date(2025, 12, 19), 5)
    """
    paper_id = str(record["paperId"])
    source = f"graph:{paper_id}"
    if not is_placeholder_id(paper_id):
        return PaperRef(title=record.get("title"), s2_id=paper_id, source=source)
    date = None
    if record.get("publicationDate"):
        try:
            date = datetime.date.fromisoformat(str(record["publicationDate"])[:10])
        except ValueError:
            date = None
    count = record.get("authorsCount")
    return PaperRef(
        title=record.get("title"),
        abstract=record.get("abstract"),
        date=date,
        upvotes=record.get("hfUpvotes"),
        authors_count=int(count) if count is not None else None,
        arxiv_id=record.get("arxivId"),
        doi=record.get("doi"),
        source=source,
    )


def seed_refs_sync(driver: Driver, *, database: str) -> list[PaperRef]:
    """Every seed of the graph as a :class:`PaperRef`, in paperId order."""
    records, _, _ = driver.execute_query(cypher.statement("read/seed_refs"), database_=database)
    return [ref_from_seed(r.data()) for r in records]


async def seed_refs(driver: Driver, *, database: str) -> list[PaperRef]:
    return await asyncio.to_thread(seed_refs_sync, driver, database=database)
