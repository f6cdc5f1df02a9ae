"""The Neo4j side of citekb: drivers, the schema, and whole-graph chores.

Both drivers (sync for the CLI and loaders' bulk chores, async for the API)
are built here from :class:`~graph_api.settings.Settings`, so connection
options live in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    Driver,
    GraphDatabase,
    NotificationDisabledClassification,
)

import cypher
from graph_api.settings import Settings

_QUIET_CATEGORIES = [NotificationDisabledClassification.UNRECOGNIZED]


def _driver_options(settings: Settings) -> dict[str, Any]:
    """What the sync and the async driver share: credentials, pool, quiet notices."""
    return {
        "auth": (settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        "max_connection_pool_size": 50,
        # An empty graph (before the first load) has no CITES or AUTHORED yet;
        # the server's "unknown relationship type" notices are noise there.
        "notifications_disabled_classifications": _QUIET_CATEGORIES,
    }


def driver_for(settings: Settings, uri: str) -> Driver:
    return GraphDatabase.driver(uri, **_driver_options(settings))


def async_driver_for(settings: Settings, uri: str) -> AsyncDriver:
    """The API's driver: reads retry a failing Neo4j for ``API_NEO4J_RETRY_S`` only."""
    return AsyncGraphDatabase.driver(
        uri, max_transaction_retry_time=settings.api_neo4j_retry_s, **_driver_options(settings)
    )


def apply_schema(driver: Driver, database: str, *, wait_for_indexes: bool = True) -> int:
    """Create every constraint and index (idempotent); returns statements run.

    :func:`apply_constraints`, then :func:`create_indexes`; with
    ``wait_for_indexes`` (the default) this returns once every index is online.
    """
    return apply_constraints(driver, database) + create_indexes(
        driver, database, wait=wait_for_indexes
    )


def _schema_statements(constraints: bool) -> list[LiteralString]:
    return [
        s
        for s in cypher.statements("schema/schema")
        if s.startswith("CREATE CONSTRAINT") == constraints
    ]


def apply_constraints(driver: Driver, database: str) -> int:
    """The schema's constraints, one transaction each; returns statements run.

    A uniqueness constraint's commit returns once its index is populated and
    every key checked, so the keys MERGE relies on are enforced on return.
    """
    stmts = _schema_statements(constraints=True)
    for stmt in stmts:
        driver.execute_query(stmt, database_=database)
    return len(stmts)


def create_indexes(driver: Driver, database: str, *, wait: bool = True) -> int:
    """The schema's other indexes, in one transaction; returns statements run.

    One transaction, so that their populations share one scan of the store
    (each in its own transaction scanned it again: the first load's 100k
    papers and 1M CITES). They populate in the background; with ``wait``
    this returns once every index is online. A query meanwhile gets the same
    answer, more slowly: the planner uses no range index before it is
    online, and a full-text or vector query waits for its index (measured,
    bench/BENCHMARKS.md section Issue 13).
    """
    stmts = _schema_statements(constraints=False)
    with driver.session(database=database) as session, session.begin_transaction() as tx:
        for stmt in stmts:
            tx.run(stmt).consume()
        tx.commit()
    if wait:
        await_indexes(driver, database)
    return len(stmts)


def await_indexes(driver: Driver, database: str) -> None:
    """Block until every index is online (``db.awaitIndexes``, at most 300 s)."""
    driver.execute_query(cypher.statement("admin/await_indexes"), database_=database)


@dataclass(frozen=True)
class SchemaSnapshot:
    constraints: list[dict[str, Any]]
    indexes: list[dict[str, Any]]


def schema_snapshot(driver: Driver, database: str) -> SchemaSnapshot:
    cons, _, _ = driver.execute_query(
        cypher.statement("read/schema_constraints"), database_=database
    )
    idx, _, _ = driver.execute_query(cypher.statement("read/schema_indexes"), database_=database)
    return SchemaSnapshot(constraints=[r.data() for r in cons], indexes=[r.data() for r in idx])


_SCHEMA_NAME = re.compile(r"^CREATE (?:FULLTEXT )?(?:CONSTRAINT|INDEX) (\w+) IF NOT EXISTS")


def schema_names() -> set[str]:
    """Names of the constraints and indexes that the schema file creates."""
    found = (_SCHEMA_NAME.match(s) for s in cypher.statements("schema/schema"))
    return {m.group(1) for m in found if m}


def schema_applied(driver: Driver, database: str) -> bool:
    """True when every constraint and index the schema file names exists."""
    snap = schema_snapshot(driver, database)
    have = {c["name"] for c in snap.constraints} | {i["name"] for i in snap.indexes}
    return schema_names() <= have


@dataclass(frozen=True)
class ServerInfo:
    name: str
    version: str
    edition: str


def server_info(driver: Driver, database: str) -> ServerInfo:
    records, _, _ = driver.execute_query(cypher.statement("read/server_info"), database_=database)
    row = records[0]
    return ServerInfo(name=row["name"], version=row["version"], edition=row["edition"])


def node_count(driver: Driver, database: str) -> int:
    """Every node in the database (0: empty, the offline importer may load it)."""
    records, _, _ = driver.execute_query(cypher.statement("read/node_count"), database_=database)
    return int(records[0]["n"]) if records else 0


def clear_data(driver: Driver, database: str) -> None:
    """Delete all nodes and relationships; constraints and indexes stay."""
    with driver.session(database=database) as session:
        # CALL ... IN TRANSACTIONS needs an auto-commit transaction.
        session.run(cypher.statement("write/clear_relationships")).consume()
        session.run(cypher.statement("write/clear_nodes")).consume()
