"""Helpers of the GraphQL API tests: the app in-process and call counting.

The app runs in-process through ``httpx.ASGITransport`` with its real lifespan; its driver is a
:class:`CountingDriver` around a real ``AsyncDriver``, so a test can assert how
many statements a query cost, including none at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from neo4j import AsyncDriver
from starlette.applications import Starlette

import cypher
from graph_api.service.app import create_app
from graph_api.settings import Settings
from graph_api.store import graph_store
from tests.graphql_client import GraphQLClient

GRAPH_STATE = cypher.statement("read/api/graph_state")


class CountingDriver:
    """An AsyncDriver stand-in that counts every query it is asked to run."""

    def __init__(self, inner: AsyncDriver) -> None:
        self.inner = inner
        self.queries: list[str] = []
        self.polls = 0

    @property
    def calls(self) -> int:
        return len(self.queries)

    def reset(self) -> None:
        self.queries.clear()

    async def execute_query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = str(getattr(query, "text", query))
        if text == GRAPH_STATE:
            # The app's background read of the graph version, no request's doing.
            self.polls += 1
        else:
            self.queries.append(text)
        return await self.inner.execute_query(query, *args, **kwargs)

    def session(self, *args: Any, **kwargs: Any) -> Any:
        self.queries.append("<session>")
        return self.inner.session(*args, **kwargs)

    async def close(self) -> None:
        await self.inner.close()


@dataclass
class Api(GraphQLClient):
    driver: CountingDriver
    settings: Settings
    app: Starlette


@asynccontextmanager
async def running_api(settings: Settings, *, warm: bool = False) -> AsyncIterator[Api]:
    """The app with its lifespan entered, a counting driver and an in-process client.

    ``warm``: read the projection at startup, as `citekb serve` does, and wait for
    it; off by default, so tests that need no analytics do not pay for it (the
    first request that needs the projection then starts the read)."""
    assert settings.neo4j_uri is not None
    settings = settings.model_copy(update={"api_projection_at_startup": warm})
    counting = CountingDriver(graph_store.async_driver_for(settings, settings.neo4j_uri))
    app = create_app(settings, driver_factory=lambda _s: counting)  # type: ignore[arg-type,return-value]
    async with app.router.lifespan_context(app):
        if warm:
            # Let the startup read end first, so a test counting statements counts
            # only its own.
            await app.state.analytics.warmed()
            counting.reset()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://citekb.test") as client:
            yield Api(client=client, driver=counting, settings=settings, app=app)
