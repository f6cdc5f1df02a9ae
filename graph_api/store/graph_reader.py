"""The API's only door to Neo4j: named read statements, each with a timeout.

Every read the API makes goes through :meth:`GraphReader.rows`: a statement
from ``cypher/read/api/``, run as a managed read with the server-side
transaction timeout from settings, so no GraphQL query can hold Neo4j longer
than ``NEO4J_TX_TIMEOUT_S``. The parameters passed must be exactly the ones
the file's ``// params:`` header declares, which keeps the files honest.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from neo4j import READ_ACCESS, AsyncDriver, Query, RoutingControl

import cypher
from graph_api.settings import Settings


@cache
def _declared(name: str) -> frozenset[str]:
    return frozenset(cypher.header(name).params)


def _checked(name: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` as a dict, exactly the ones the file's ``// params:`` header declares."""
    given = dict(params or {})
    declared = _declared(name)
    if set(given) != declared:
        raise ValueError(
            f"cypher/{name}.cypher takes {sorted(declared)}, was given {sorted(given)}"
        )
    return given


class GraphReader:
    """Runs ``cypher/<name>.cypher`` reads on the app's one async driver."""

    def __init__(
        self, driver: AsyncDriver, settings: Settings, *, timeout_s: float | None = None
    ) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self.timeout_s = settings.neo4j_tx_timeout_s if timeout_s is None else timeout_s

    async def rows(
        self, name: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """All records of the statement, as plain dicts."""
        given = _checked(name, params)
        query = Query(cypher.statement(name), timeout=self.timeout_s)
        records, _, _ = await self.driver.execute_query(
            query,
            given,
            database_=self.database,
            routing_=RoutingControl.READ,
        )
        return [record.data() for record in records]

    async def maps(
        self, name: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The records of a statement that returns only maps, lists and plain values.

        What :meth:`rows` answers for such a statement, for less work: one
        auto-commit transaction (RUN and PULL in one round trip; a managed
        read adds BEGIN and a COMMIT round trip) and the records' values as
        the driver decoded them (``Record.data()`` walks every nested value
        again to turn nodes into dicts: a third of a compiled request's CPU
        with a page of 20 papers). No retry: the caller (compiled reads)
        answers through :meth:`rows` on any error.
        """
        given = _checked(name, params)
        query = Query(cypher.statement(name), timeout=self.timeout_s)
        async with self.driver.session(
            database=self.database, default_access_mode=READ_ACCESS
        ) as session:
            result = await session.run(query, given)
            return [dict(record) async for record in result]

    async def one(self, name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The single record a statement returns (an aggregate, a count)."""
        rows = await self.rows(name, params)
        if len(rows) != 1:
            raise RuntimeError(f"cypher/{name}.cypher returned {len(rows)} rows, expected one")
        return rows[0]
