"""A real Neo4j 5.26 for the whole session, reached the same three ways as the CLI.

1. ``NEO4J_URI`` set: that server (its data is cleared between tests!).
2. A Docker engine answers: testcontainers' Neo4j module.
3. Otherwise: a throwaway local server from the Maven-fetched jars, on free
   ports with its own data folder, so tests never touch `citekb db up`'s data.

No Neo4j means the fixture raises with the reason: tests error, never skip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import AsyncDriver, Driver

from graph_api.server import neo4j_server, neo4j_tools
from graph_api.settings import Settings
from graph_api.store import graph_store


@dataclass(frozen=True)
class Neo4jHandle:
    uri: str
    settings: Settings
    how: str


@pytest.fixture(scope="session")
def neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jHandle]:
    base = Settings()
    if base.neo4j_uri:
        yield Neo4jHandle(base.neo4j_uri, base, "NEO4J_URI")
        return
    if base.citekb_neo4j_mode != "local" and neo4j_server.docker_engine_answers():
        from testcontainers.neo4j import Neo4jContainer

        password = base.neo4j_password.get_secret_value()
        with Neo4jContainer("neo4j:5.26-community", password=password) as container:
            uri = container.get_connection_url()
            yield Neo4jHandle(uri, base.model_copy(update={"neo4j_uri": uri}), "testcontainers")
        return
    home = tmp_path_factory.mktemp("neo4j-home")
    try:  # Neo4j Browser on the HTTP port, as `citekb db up` serves it (test_neo4j_tools)
        browser: tuple[Path, ...] = (neo4j_tools.ensure_browser_jar(base),)
    except neo4j_tools.ToolUnavailable:
        browser = ()  # test_neo4j_tools then fails and says why; the rest runs
    server = neo4j_server.LocalServer(
        home=home,
        lib=neo4j_server.ensure_jars(base.neo4j_version, base.citekb_cache_dir),
        bolt_port=neo4j_server.free_port(),
        http_port=neo4j_server.free_port(),
        heap="1g",
        pagecache="256m",
        extra_jars=browser,
        jvm_options=base.neo4j_jvm_flags,
    )
    try:
        server.start(base.neo4j_password.get_secret_value(), base.neo4j_user, 180.0)
    except neo4j_server.Neo4jUnavailable as exc:
        pytest.fail(f"no Neo4j for the integration tests: {exc}", pytrace=False)
    try:
        yield Neo4jHandle(
            server.uri,
            base.model_copy(
                update={
                    "neo4j_uri": server.uri,
                    "neo4j_bolt_port": server.bolt_port,
                    "neo4j_http_port": server.http_port,
                }
            ),
            "local",
        )
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_settings(neo4j: Neo4jHandle) -> Settings:
    return neo4j.settings


@pytest.fixture(scope="session")
def session_driver(neo4j: Neo4jHandle) -> Iterator[Driver]:
    driver = graph_store.driver_for(neo4j.settings, neo4j.uri)
    driver.verify_connectivity()
    graph_store.apply_schema(driver, neo4j.settings.neo4j_database)
    yield driver
    driver.close()


@pytest.fixture
def driver(session_driver: Driver, neo4j: Neo4jHandle) -> Driver:
    """The session's driver over an empty graph (schema kept)."""
    graph_store.clear_data(session_driver, neo4j.settings.neo4j_database)
    return session_driver


@pytest.fixture
async def async_driver(driver: Driver, neo4j: Neo4jHandle) -> AsyncIterator[AsyncDriver]:
    """An async driver over the same emptied graph (for the API)."""
    adriver = graph_store.async_driver_for(neo4j.settings, neo4j.uri)
    yield adriver
    await adriver.close()
