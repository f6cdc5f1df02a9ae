"""Opaque connection cursors: what they hold and how they are checked.

Two kinds, both ``base64url(JSON)``, documented in ``docs/graphql.md``:

* keyset cursors ``["k", order, sortKey, id]`` for every order that ends in a
  unique id (``papers`` by citationCount/year/pagerank/title, references,
  citations, an author's/topic's/venue's/org's papers): the next page starts
  strictly after ``(sortKey, id)``, so rows inserted meanwhile never shift it;
* pair keyset cursors ``["k2", order, number, name, id]`` for ``authors``,
  ``orgs`` and ``topics`` (a count descending, or a name ascending);
* offset cursors ``["o", order, offset]`` for relevance-ranked search, where
  scores are not stable keys.

``order`` names the ordering the cursor was made for, so a cursor from one
ordering handed to another is rejected instead of silently skipping rows.

>>> c = keyset_cursor("CITATION_COUNT_DESC", 12, "abc")
>>> decode_keyset(c, "CITATION_COUNT_DESC")
Keyset(key=12, id='abc')
>>> decode_offset(offset_cursor("search", 20), "search")
20
>>> decode_keyset(c, "YEAR_ASC")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph_api.service.errors.BadUserInput: this cursor belongs to another ordering ...
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from graph_api.service.errors import BadUserInput

SortKey = int | float | str

_MAX_CURSOR_LEN = 2000


@dataclass(frozen=True)
class Keyset:
    key: SortKey
    id: str


def _encode(payload: list[object]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode(cursor: str) -> list[object]:
    if len(cursor) > _MAX_CURSOR_LEN:
        raise BadUserInput("invalid cursor: too long")
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii"))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise BadUserInput("invalid cursor: pass an `endCursor` or edge `cursor` as given") from exc
    if not isinstance(payload, list) or len(payload) < 3:
        raise BadUserInput("invalid cursor: pass an `endCursor` or edge `cursor` as given")
    return payload


def keyset_cursor(order: str, key: SortKey, node_id: str) -> str:
    return _encode(["k", order, key, node_id])


def offset_cursor(order: str, offset: int) -> str:
    return _encode(["o", order, offset])


def _check_order(payload: list[object], order: str) -> None:
    if payload[1] != order:
        raise BadUserInput(
            f"this cursor belongs to another ordering ({payload[1]}); start again without `after`"
        )


def decode_keyset(cursor: str, order: str) -> Keyset:
    payload = _decode(cursor)
    if payload[0] != "k" or len(payload) != 4:
        raise BadUserInput("invalid cursor for this connection")
    _check_order(payload, order)
    key, node_id = payload[2], payload[3]
    # bool is an int subclass; JSON true/false never is a sort key here.
    if isinstance(key, bool) or not isinstance(key, int | float | str):
        raise BadUserInput("invalid cursor: bad sort key")
    if not isinstance(node_id, str):
        raise BadUserInput("invalid cursor: bad id")
    return Keyset(key=key, id=node_id)


@dataclass(frozen=True)
class PairKeyset:
    """Position in an order by a number (descending) then a name (ascending)."""

    num: int
    name: str
    id: str


def pair_cursor(order: str, num: int, name: str, node_id: str) -> str:
    """Keyset cursor for ``authors``/``orgs``/``topics`` (sort keys: number, name, id).

    >>> decode_pair(pair_cursor("NAME", 0, "ada", "a1"), "NAME")
    PairKeyset(num=0, name='ada', id='a1')
    """
    return _encode(["k2", order, num, name, node_id])


def decode_pair(cursor: str, order: str) -> PairKeyset:
    payload = _decode(cursor)
    if payload[0] != "k2" or len(payload) != 5:
        raise BadUserInput("invalid cursor for this connection")
    _check_order(payload, order)
    num, name, node_id = payload[2], payload[3], payload[4]
    if isinstance(num, bool) or not isinstance(num, int):
        raise BadUserInput("invalid cursor: bad sort key")
    if not isinstance(name, str) or not isinstance(node_id, str):
        raise BadUserInput("invalid cursor: bad id")
    return PairKeyset(num=num, name=name, id=node_id)


def decode_offset(cursor: str, order: str) -> int:
    payload = _decode(cursor)
    if payload[0] != "o" or len(payload) != 3:
        raise BadUserInput("invalid cursor for this connection")
    _check_order(payload, order)
    offset = payload[2]
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise BadUserInput("invalid cursor: bad offset")
    return offset
