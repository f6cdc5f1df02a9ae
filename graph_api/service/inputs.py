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
    ASC = strawberry.enum_value("ASC", description="Smallest first (A to Z, oldest first)")
    DESC = strawberry.enum_value("DESC", description="Largest first (Z to A, newest first)")


# Every ordered list takes the same input shape, `orderBy: {field, direction}`.
# A missing direction means the field's natural one: numbers (counts, scores,
# years) largest first, names and titles A to Z.
NAME_FIELDS = frozenset({"NAME", "TITLE"})


def descending(field: Enum, direction: OrderDirection | None) -> bool:
    """Whether ``field`` sorts largest first, given the client's ``direction`` (or none).

    >>> descending(AuthorOrderField.NAME, None), descending(AuthorOrderField.H_INDEX, None)
    (False, True)
    >>> descending(AuthorOrderField.NAME, OrderDirection.DESC)
    True
    """
    if direction is None:
        return field.name not in NAME_FIELDS
    return direction is OrderDirection.DESC


@strawberry.input(description="What every order input shares: the direction.")
class Ordering:
    direction: OrderDirection | None = strawberry.field(
        default=None,
        description="Default: DESC for numbers, ASC for names and titles",
    )


@strawberry.enum(description="What `papers` can be sorted by; ties are broken by paperId.")
class PaperOrderField(Enum):
    CITATION_COUNT = strawberry.enum_value(
        "CITATION_COUNT", description="Citations according to Semantic Scholar"
    )
    YEAR = strawberry.enum_value("YEAR", description="Publication year")
    PAGERANK = strawberry.enum_value(
        "PAGERANK", description="Stored PageRank (from the last `citekb analytics`)"
    )
    TITLE = strawberry.enum_value("TITLE", description="Title, case-insensitive")


@strawberry.input(description="Order of `papers`; missing values sort last in both directions.")
class PaperOrder(Ordering):
    field: PaperOrderField = strawberry.field(
        default=PaperOrderField.CITATION_COUNT, description="The sort key"
    )


@strawberry.enum(description="What `authors` can be sorted by; ties by name, then id.")
class AuthorOrderField(Enum):
    CITATION_COUNT = strawberry.enum_value(
        "CITATION_COUNT", description="Citations according to Semantic Scholar"
    )
    H_INDEX = strawberry.enum_value("H_INDEX", description="h-index according to Semantic Scholar")
    PAPER_COUNT = strawberry.enum_value("PAPER_COUNT", description="Papers in the graph")
    NAME = strawberry.enum_value("NAME", description="Name, case-insensitive")


@strawberry.input(description="Order of `authors`.")
class AuthorOrder(Ordering):
    field: AuthorOrderField = strawberry.field(
        default=AuthorOrderField.CITATION_COUNT, description="The sort key"
    )


@strawberry.enum(description="What `orgs` and `topics` can be sorted by; ties by name, then key.")
class CountOrNameField(Enum):
    PAPER_COUNT = strawberry.enum_value("PAPER_COUNT", description="Papers in the graph")
    NAME = strawberry.enum_value("NAME", description="Name, case-insensitive")


@strawberry.input(description="Order of `orgs` and `topics`.")
class CountOrNameOrder(Ordering):
    field: CountOrNameField = strawberry.field(
        default=CountOrNameField.PAPER_COUNT, description="The sort key"
    )


@strawberry.input(description="Integer comparison; all given operators must hold.")
class IntFilter:
    eq: int | None = strawberry.field(default=None, description="Equal to")
    gt: int | None = strawberry.field(default=None, description="Greater than")
    gte: int | None = strawberry.field(default=None, description="Greater than or equal to")
    lt: int | None = strawberry.field(default=None, description="Less than")
    lte: int | None = strawberry.field(default=None, description="Less than or equal to")


@strawberry.input(description="Case-insensitive text match.")
class TextFilter:
    contains: str | None = strawberry.field(
        default=None, description="Contains this text, case-insensitive (at most 200 characters)"
    )


@strawberry.input(description="Match by name or key (normalised); `eq` and `in` may be combined.")
class NameFilter:
    eq: str | None = strawberry.field(default=None, description="This name")
    in_: list[str] | None = strawberry.field(
        default=None, name="in", description="Any of these names (at most 100)"
    )


@strawberry.input(description="Match by id (raw id or global id); `eq` and `in` may be combined.")
class IdFilter:
    eq: strawberry.ID | None = strawberry.field(default=None, description="This id")
    in_: list[strawberry.ID] | None = strawberry.field(
        default=None, name="in", description="Any of these ids (at most 100)"
    )


@strawberry.input(description="Conditions on papers; every condition given must hold.")
class PaperWhere:
    year: IntFilter | None = strawberry.field(default=None, description="Publication year")
    citation_count: IntFilter | None = strawberry.field(
        default=None, description="Citations according to Semantic Scholar"
    )
    venue: NameFilter | None = strawberry.field(
        default=None, description="Venue names (any spelling)"
    )
    topic: NameFilter | None = strawberry.field(
        default=None, description="Topic names (any spelling)"
    )
    author: IdFilter | None = strawberry.field(default=None, description="Author ids")
    org: NameFilter | None = strawberry.field(
        default=None, description="Submitting organisation or authors' affiliation"
    )
    is_seed: bool | None = strawberry.field(
        default=None,
        description="Only listed papers (true) or only papers reached by citations (false)",
    )
    title: TextFilter | None = strawberry.field(default=None, description="Words in the title")


@strawberry.input(description="Conditions on authors.")
class AuthorWhere:
    name: TextFilter | None = strawberry.field(
        default=None, description="Words in the author's name"
    )


@strawberry.input(description="Conditions on organisations.")
class OrgWhere:
    name: TextFilter | None = strawberry.field(
        default=None, description="Words in the organisation's name"
    )


@strawberry.input(description="Conditions on topics.")
class TopicWhere:
    name: TextFilter | None = strawberry.field(
        default=None, description="Words in the topic's name"
    )
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
