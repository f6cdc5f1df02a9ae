"""The API in-process with no database: stub drivers that fail a test a request reaches.

Refusals (limits, cost, bad arguments, request errors) are decided before any
statement runs; their tests need no Neo4j to say so. The app is built as
``citekb serve`` builds it (:func:`graph_api.service.app.create_app`, its real
lifespan, ``httpx.ASGITransport``) with two stand-ins through its seams:

* :class:`RefusingDriver` for the API's async driver. It answers the app's own
  background read of the graph state (an empty graph at version 1: nothing a
  request asked for) and records and raises on anything else;
* :class:`NoJobsDriver` for the jobs' sync driver, which the app reads once at
  start for jobs a stopped process left running: none.

:func:`stub_api` fails the test when a request reached the driver, even when the
app masked the stub's exception as an internal error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import cypher
from graph_api.service.app import create_app
from graph_api.settings import Settings
from tests.graphql_client import GraphQLClient

GRAPH_STATE = cypher.statement("read/api/graph_state")
JOBS_UNFINISHED = cypher.statement("read/jobs_unfinished")
WRITER_LEASE = cypher.statement("read/writer_lease")


class DriverReached(AssertionError):
    """A request ran a statement: the refusal under test came too late."""


def _text(query: Any) -> str:
    return str(getattr(query, "text", query))


class RefusingDriver:
    """An AsyncDriver stand-in: the graph-state read answered, every other statement a failure.

    ``on_query`` (optional) answers instead of failing, for a test that wants the
    driver to misbehave in a given way (raise a secret, be unreachable).
    """

    def __init__(self, on_query: Callable[[str], Any] | None = None) -> None:
        self.queries: list[str] = []
        self.on_query = on_query

    async def execute_query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = _text(query)
        if self.on_query is not None:
            return self.on_query(text)
        if text == GRAPH_STATE:
            return [{"version": 1, "dirty": False, "analyticsAt": None}], None, None
        self.queries.append(text)
        raise DriverReached(f"a request reached the driver: {text[:200]}")

    def session(self, *args: Any, **kwargs: Any) -> Any:
        self.queries.append("<session>")
        raise DriverReached("a request opened a session")

    async def close(self) -> None:
        return None


class NoJobsDriver:
    """The jobs' sync Driver stand-in: no unfinished jobs, no writer lease, nothing else."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def execute_query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = _text(query)
        if text == JOBS_UNFINISHED:
            return [], None, None
        if text == WRITER_LEASE:
            lease = dict.fromkeys(("holder", "host", "pid", "token", "expiresAt"))
            return [{**lease, "now": 0}], None, None
        self.queries.append(text)
        raise DriverReached(f"a job statement ran: {text[:200]}")

    def close(self) -> None:
        return None


@dataclass
class StubApi(GraphQLClient):
    driver: RefusingDriver
    app: Starlette


def unit_settings(**update: Any) -> Settings:
    """Settings as the unit conftest leaves them (services at a closed port), the
    response cache off (a cached answer would need no driver and prove nothing) and
    no projection read at startup (the app's own background read, not a request's)."""
    quiet = {"api_response_cache_bytes": 0, "api_projection_at_startup": False}
    return Settings().model_copy(update={**quiet, **update})


@asynccontextmanager
async def stub_api(
    settings: Settings | None = None, driver: RefusingDriver | None = None
) -> AsyncIterator[StubApi]:
    """The app over the stub drivers; fails the test if a request reached them."""
    driver = driver or RefusingDriver()
    jobs = NoJobsDriver()
    app = create_app(
        settings or unit_settings(),
        driver_factory=lambda _s: driver,  # type: ignore[arg-type,return-value]
        jobs_driver_factory=lambda _s: jobs,  # type: ignore[arg-type,return-value]
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://citekb.test") as client:
            yield StubApi(client=client, driver=driver, app=app)
    if driver.on_query is None and driver.queries:
        pytest.fail(f"requests reached the driver: {driver.queries}")
    if jobs.queries:
        pytest.fail(f"job statements ran: {jobs.queries}")
