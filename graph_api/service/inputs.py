"""Filter and ordering inputs, and their translation to statement parameters.

Filters are typed operators in the style of Hasura/PostGraphile
(``where: {year: {gte: 2020}, topic: {in: ["Machine Learning"]}}``); every
condition given must hold (AND), ``in`` lists match any of their values.
Names of venues, topics and organisations are normalised exactly as the
loaders normalise keys, so "Computer Science" and "computer  science" agree.
A missing condition becomes a ``null`` parameter, which the statement reads
as "no condition": the Cypher text never changes with the filter.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from graph_api.service.errors import BadUserInput
from graph_api.service.paper_ids import decode_global_id
from loaders.rows import org_key, topic_key, venue_key

MAX_IN_VALUES = 100
MAX_TEXT_LEN = 200


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="What `papers` can be sorted by; ties are broken by paperId.")
class PaperOrderField(Enum):
    CITATION_COUNT = "CITATION_COUNT"
    YEAR = "YEAR"
    PAGERANK = "PAGERANK"
    TITLE = "TITLE"


@strawberry.input(description="Order of `papers`; missing values sort last in both directions.")
class PaperOrder:
    field: PaperOrderField = PaperOrderField.CITATION_COUNT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.enum(description="Author order: counts descending, NAME ascending.")
class AuthorOrder(Enum):
    CITATION_COUNT = "CITATION_COUNT"
    H_INDEX = "H_INDEX"
    PAPER_COUNT = "PAPER_COUNT"
    NAME = "NAME"


@strawberry.enum(description="Order of orgs and topics: PAPER_COUNT descending, NAME ascending.")
class CountOrNameOrder(Enum):
    PAPER_COUNT = "PAPER_COUNT"
    NAME = "NAME"


@strawberry.input(description="Integer comparison; all given operators must hold.")
class IntFilter:
    eq: int | None = None
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None


@strawberry.input(description="Case-insensitive text match.")
class TextFilter:
    contains: str | None = None


@strawberry.input(description="Match by name or key (normalised); `eq` and `in` may be combined.")
class NameFilter:
    eq: str | None = None
    in_: list[str] | None = strawberry.field(default=None, name="in")


@strawberry.input(description="Match by id (raw id or global id); `eq` and `in` may be combined.")
class IdFilter:
    eq: strawberry.ID | None = None
    in_: list[strawberry.ID] | None = strawberry.field(default=None, name="in")


@strawberry.input(description="Conditions on papers; every condition given must hold.")
class PaperWhere:
    year: IntFilter | None = None
    citation_count: IntFilter | None = None
    venue: NameFilter | None = None
    topic: NameFilter | None = None
    author: IdFilter | None = strawberry.field(default=None, description="Author ids")
    org: NameFilter | None = strawberry.field(
        default=None, description="Submitting organisation or authors' affiliation"
    )
    is_seed: bool | None = None
    title: TextFilter | None = None


@strawberry.input(description="Conditions on authors.")
class AuthorWhere:
    name: TextFilter | None = None


@strawberry.input(description="Conditions on organisations.")
class OrgWhere:
    name: TextFilter | None = None


@strawberry.input(description="Conditions on topics.")
class TopicWhere:
    name: TextFilter | None = None
    source: str | None = strawberry.field(default=None, description="'s2-fos' or 'keyphrase'")


def _text(value: str, what: str) -> str:
    if len(value) > MAX_TEXT_LEN:
        raise BadUserInput(f"{what} is limited to {MAX_TEXT_LEN} characters")
    return value


def _values(flt: NameFilter | IdFilter | None, what: str) -> list[str] | None:
    if flt is None:
        return None
    values: list[str] = []
    if flt.eq is not None:
        values.append(_text(str(flt.eq), what))
    if flt.in_ is not None:
        if len(flt.in_) > MAX_IN_VALUES:
            raise BadUserInput(f"`{what}.in` takes at most {MAX_IN_VALUES} values")
        values.extend(_text(str(v), what) for v in flt.in_)
    if flt.eq is None and flt.in_ is None:
        return None
    return values


def _bounds(flt: IntFilter | None) -> tuple[int | None, int | None]:
    if flt is None:
        return None, None
    lows = [v for v in (flt.gte, flt.eq, None if flt.gt is None else flt.gt + 1) if v is not None]
    highs = [v for v in (flt.lte, flt.eq, None if flt.lt is None else flt.lt - 1) if v is not None]
    return (max(lows) if lows else None), (min(highs) if highs else None)


def author_id_value(value: str) -> str:
    """An author id from a raw S2 author id or an ``Author`` global id."""
    decoded = decode_global_id(value)
    if decoded is not None and decoded[0] == "Author":
        return decoded[1]
    return value.strip()


def text_contains(flt: TextFilter | None, what: str) -> str | None:
    if flt is None or flt.contains is None:
        return None
    return _text(flt.contains, what).lower()


def paper_filter_params(where: PaperWhere | None) -> dict[str, Any]:
    """Parameters of the shared filter block of ``papers_page_*``/``papers_count``.

    >>> p = paper_filter_params(PaperWhere(year=IntFilter(gt=2019, lte=2024),
    ...     topic=NameFilter(eq="Computer  Science")))
    >>> p["yearGte"], p["yearLte"], p["topics"], p["venues"]
    (2020, 2024, ['computer science'], None)
    """
    where = where or PaperWhere()
    year_gte, year_lte = _bounds(where.year)
    cites_gte, cites_lte = _bounds(where.citation_count)
    venues = _values(where.venue, "venue")
    topics = _values(where.topic, "topic")
    orgs = _values(where.org, "org")
    authors = _values(where.author, "author")
    return {
        "yearGte": year_gte,
        "yearLte": year_lte,
        "citationCountGte": cites_gte,
        "citationCountLte": cites_lte,
        "isSeed": where.is_seed,
        "titleContains": text_contains(where.title, "title"),
        "venues": None if venues is None else [venue_key(v) for v in venues],
        "venueNames": None if venues is None else [v.strip().lower() for v in venues],
        "topics": None if topics is None else [topic_key(t) for t in topics],
        "authorIds": None if authors is None else [author_id_value(a) for a in authors],
        "orgs": None if orgs is None else [org_key(o) for o in orgs],
    }


def paper_filter_is_empty(params: dict[str, Any]) -> bool:
    return all(value is None for value in params.values())
