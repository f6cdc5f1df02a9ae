"""Saved seed sets (``Collection{name, seeds}``) for the change feed.

A collection names the papers someone follows ("my papers"); the change
feed's ``newCitations(since:)`` lists what cites them among what later loads
added. Seeds are stored as graph paperIds: the caller resolves every id form
first (:func:`resolve_ids` here for the CLI, the request's DataLoaders in
the API) and refuses ids that name no paper of the graph, so a collection
never silently follows nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncDriver, Driver

import cypher
from graph_api.service.paper_ids import InvalidPaperId, parse_paper_id
from loaders.graph_writer import now_iso

MAX_NAME = 100
MAX_SEEDS = 100


class CollectionError(ValueError):
    """A collection that cannot be saved (bad name, bad or unknown ids, too many)."""


def check_name(name: str) -> str:
    """The name, trimmed; a clear error when empty, too long or not printable.

    >>> check_name("  my papers ")
    'my papers'
    >>> check_name("")
    Traceback (most recent call last):
    ...
    graph_api.store.collections.CollectionError: a collection needs a name
    """
    trimmed = " ".join(name.split())
    if not trimmed:
        raise CollectionError("a collection needs a name")
    if len(trimmed) > MAX_NAME:
        raise CollectionError(f"a collection name has at most {MAX_NAME} characters")
    if not trimmed.isprintable():
        raise CollectionError("a collection name must be printable text")
    return trimmed


def check_seed_count(ids: Sequence[str]) -> None:
    if not ids:
        raise CollectionError("a collection needs at least one seed")
    if len(ids) > MAX_SEEDS:
        raise CollectionError(f"{len(ids)} seeds; a collection has at most {MAX_SEEDS}")


def resolve_ids(driver: Driver, database: str, ids: Sequence[str]) -> list[str]:
    """The graph paperId of each id (any form ``paper(id:)`` takes), in order, deduplicated."""
    check_seed_count(ids)
    keys: list[dict[str, Any]] = []
    bad: list[str] = []
    for i, text in enumerate(ids):
        try:
            key = parse_paper_id(text)
        except InvalidPaperId as exc:
            bad.append(str(exc))
            continue
        keys.append({"i": i, "kind": key.kind, "value": key.value})
    if bad:
        raise CollectionError("; ".join(bad))
    records, _, _ = driver.execute_query(
        cypher.statement("read/papers_by_any_key"), {"keys": keys}, database_=database
    )
    found = {int(r["i"]): r["paperId"] for r in records}
    missing = [ids[k["i"]] for k in keys if found.get(k["i"]) is None]
    if missing:
        raise CollectionError(
            f"not in the graph (load them first): {', '.join(missing[:10])}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        )
    return list(dict.fromkeys(str(found[k["i"]]) for k in keys))


def save_sync(driver: Driver, database: str, name: str, seeds: list[str]) -> dict[str, Any]:
    """Create or replace the collection ``name`` (seeds already resolved)."""
    records, _, _ = driver.execute_query(
        cypher.statement("write/collection_save"),
        {"name": check_name(name), "seeds": seeds, "at": now_iso()},
        database_=database,
    )
    return records[0].data()


async def save(driver: AsyncDriver, database: str, name: str, seeds: list[str]) -> dict[str, Any]:
    """:func:`save_sync` on the API's async driver."""
    records, _, _ = await driver.execute_query(
        cypher.statement("write/collection_save"),
        {"name": check_name(name), "seeds": seeds, "at": now_iso()},
        database_=database,
    )
    return records[0].data()


def list_sync(
    driver: Driver, database: str, names: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The saved collections (``names``: only those), by name."""
    records, _, _ = driver.execute_query(
        cypher.statement("read/api/collections"),
        {"names": None if names is None else list(names)},
        database_=database,
    )
    return [r.data() for r in records]
