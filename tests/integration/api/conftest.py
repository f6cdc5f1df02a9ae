"""Fixtures of the GraphQL API tests: the synthetic graph, written once per module, and the app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from neo4j import Driver

from graph_api.settings import Settings
from graph_api.store import graph_store
from graph_api.store.analytics_store import compute_and_store
from loaders.graph_writer import write_rows
from tests.integration.api.api_graph import graph_rows
from tests.integration.api.api_support import Api, running_api
from tests.integration.conftest import Neo4jHandle


@pytest.fixture(scope="module")
def synth_graph(session_driver: Driver, neo4j: Neo4jHandle) -> Iterator[Settings]:
    """The synthetic graph of api_graph.py, written once per test module."""
    db = neo4j.settings.neo4j_database
    graph_store.clear_data(session_driver, db)
    write_rows(session_driver, graph_rows(), database=db, source="synthetic:api-tests")
    yield neo4j.settings


def uncached(settings: Settings) -> Settings:
    """Settings with the response cache off: the shared fixtures serve tests that count
    the statements a query costs, and a module asks some documents twice (the cache
    has its own tests, tests/integration/api/test_api_answers.py)."""
    return settings.model_copy(update={"api_response_cache_bytes": 0})


@pytest.fixture(scope="module")
async def api(synth_graph: Settings) -> AsyncIterator[Api]:
    """The API over the synthetic graph, with the default limits (response cache off)."""
    async with running_api(uncached(synth_graph)) as harness:
        yield harness


@pytest.fixture(scope="module")
def analysed_graph(synth_graph: Settings, session_driver: Driver) -> Settings:
    """The synthetic graph with `citekb analytics`' scores stored (PageRank, communities)."""
    compute_and_store(session_driver, synth_graph.neo4j_database)
    return synth_graph


@pytest.fixture(scope="module")
async def analysed_api(analysed_graph: Settings) -> AsyncIterator[Api]:
    """The API over the analysed synthetic graph, with the default limits (cache off)."""
    async with running_api(uncached(analysed_graph)) as harness:
        yield harness
