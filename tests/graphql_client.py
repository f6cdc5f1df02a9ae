"""Posting GraphQL to the app in-process: the answer, its data, or its error messages.

The base of the integration tests' :class:`tests.integration.api.api_support.Api`
(a real Neo4j behind the app) and the unit tests' :class:`tests.unit.stub_api.StubApi`
(a stub driver that fails a test a request reaches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class GraphQLClient:
    client: httpx.AsyncClient

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The answer to a POST of ``query``; the HTTP status must be 200."""
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a query that must succeed."""
        body = await self.post(query, variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        """The error messages of a query that must fail."""
        body = await self.post(query, variables)
        assert body.get("errors"), body
        return [e["message"] for e in body["errors"]]
