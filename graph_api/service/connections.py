"""Relay connection plumbing shared by every paginated field.

Pages go forward: ``first`` (default :data:`DEFAULT_PAGE_SIZE`, at most
``API_MAX_PAGE_SIZE``) and ``after`` (an ``endCursor`` or edge ``cursor``).
A statement is asked for ``first + 1`` rows; the extra row only tells
``hasNextPage``. ``hasPreviousPage`` is true when ``after`` was given.
"""

from __future__ import annotations

from strawberry import relay

from graph_api.service.errors import LimitExceeded
from graph_api.settings import Settings

DEFAULT_PAGE_SIZE = 20
# Short lists on a paper (authors, topics, orgs) have their own defaults so a
# page of papers with their authors stays within the row budget.
DEFAULT_AUTHORS = 20
DEFAULT_SHORT_LIST = 10


def checked_first(first: int, settings: Settings, field: str) -> int:
    """``first`` itself, or a clear error when it is out of bounds.

    The limits extension already rejects these before any resolver runs; the
    check here keeps a resolver safe when called some other way.
    """
    cap = settings.api_max_page_size
    if first < 0 or first > cap:
        raise LimitExceeded(f"`first` on `{field}` must be between 0 and {cap} (got {first})")
    return first


def page_info(cursors: list[str], *, has_next: bool, after: str | None) -> relay.PageInfo:
    return relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )
