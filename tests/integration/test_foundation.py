"""The foundation against a real Neo4j: version, schema idempotence, every .cypher file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from neo4j import Driver
from neo4j.exceptions import CypherSyntaxError

import cypher
from graph_api.server import unsigned_jars
from graph_api.settings import Settings
from graph_api.store import graph_store
from tests.integration.conftest import Neo4jHandle


def test_server_is_neo4j_5_26(driver: Driver, neo4j_settings: Settings) -> None:
    info = graph_store.server_info(driver, neo4j_settings.neo4j_database)
    assert info.version.startswith("5.26."), info
    assert info.edition == "community"


def test_servers_we_start_run_with_the_configured_jvm_flags(neo4j: Neo4jHandle) -> None:
    """NEO4J_JVM_OPTIONS reaches the JVM (the suite sets C1-only compiling: tests/conftest.py).

    A server behind NEO4J_URI or in a container keeps its own flags: then
    only that the JVM's arguments can be read is checked."""
    with graph_store.driver_for(neo4j.settings, neo4j.uri) as drv:
        records, _, _ = drv.execute_query(
            "CALL dbms.queryJmx('java.lang:type=Runtime') YIELD attributes "
            "RETURN attributes.InputArguments.value AS args",
            database_=neo4j.settings.neo4j_database,
        )
    args = records[0]["args"]
    assert any(arg.startswith("-Xmx") for arg in args), args
    if neo4j.how == "local":
        assert neo4j.settings.neo4j_jvm_flags == ("-XX:TieredStopAtLevel=1",)
        assert "-XX:TieredStopAtLevel=1" in args, args


def test_local_servers_read_no_signed_jar(neo4j: Neo4jHandle) -> None:
    """The class path a local server runs with has unsigned copies for Neo4j's signed
    jars (graph_api/server/unsigned_jars.py): each jar named on it is unsigned."""
    if neo4j.how != "local":
        return  # a server behind NEO4J_URI or in a container has its own class path
    with graph_store.driver_for(neo4j.settings, neo4j.uri) as drv:
        records, _, _ = drv.execute_query(
            "CALL dbms.queryJmx('java.lang:type=Runtime') YIELD attributes "
            "RETURN attributes.ClassPath.value AS classPath",
            database_=neo4j.settings.neo4j_database,
        )
    jars = [Path(j) for j in records[0]["classPath"].split(os.pathsep)]
    assert any(j.name.startswith("neo4j-kernel-") for j in jars), jars[:5]
    copies = [j for j in jars if j.parent.name == unsigned_jars.UNSIGNED_DIR]
    assert copies, "no unsigned copy on the class path"
    signed = [j.name for j in jars if j.suffix == ".jar" and unsigned_jars.is_signed(j)]
    assert signed == []


def test_schema_init_twice_is_identical(driver: Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.neo4j_database
    graph_store.apply_schema(driver, db)
    first = graph_store.schema_snapshot(driver, db)
    graph_store.apply_schema(driver, db)
    second = graph_store.schema_snapshot(driver, db)
    assert first == second
    assert graph_store.schema_applied(driver, db)
    names = {c["name"] for c in first.constraints}
    assert {"paper_paperId", "author_authorId", "org_key", "topic_key", "venue_key"} <= names
    by_name = {i["name"]: i for i in first.indexes}
    assert by_name["paper_text"]["type"] == "FULLTEXT"
    assert by_name["paper_text"]["properties"] == ["title", "abstract"]
    assert by_name["author_name"]["type"] == "FULLTEXT"
    for prop in ("arxivId", "doi", "corpusId", "year"):
        assert by_name[f"paper_{prop}"]["type"] == "RANGE"
        assert by_name[f"paper_{prop}"]["properties"] == [prop]


def test_schema_constraint_is_enforced(driver: Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.neo4j_database
    driver.execute_query("CREATE (:Paper {paperId: 'x'})", database_=db)
    with pytest.raises(Exception, match=r"already exists|ConstraintValidation"):
        driver.execute_query("CREATE (:Paper {paperId: 'x'})", database_=db)


# Admin and schema statements cannot run under EXPLAIN; they are exercised by
# the schema tests above and by `citekb db up`.
_NOT_EXPLAINABLE = re.compile(r"^\s*(CREATE (FULLTEXT )?(CONSTRAINT|INDEX)|ALTER |SHOW )", re.M)


@pytest.mark.parametrize("name", cypher.names())
def test_every_cypher_file_is_accepted_by_the_server(
    name: str, driver: Driver, neo4j_settings: Settings
) -> None:
    head = cypher.header(name)
    assert head.returns, name
    for stmt in cypher.statements(name):
        if _NOT_EXPLAINABLE.search(stmt):
            continue
        params = {p: None for p in head.params}
        try:
            with driver.session(database=neo4j_settings.neo4j_database) as s:
                s.run(f"EXPLAIN {stmt}", params).consume()  # type: ignore[arg-type]
        except CypherSyntaxError as exc:  # pragma: no cover - the failure we guard against
            pytest.fail(f"cypher/{name}.cypher does not parse: {exc.message}")


def test_clear_data_empties_a_graph_with_a_hub(driver: Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.neo4j_database
    driver.execute_query(
        "CREATE (h:Paper {paperId: 'hub'}) WITH h UNWIND range(1, 30000) AS i "
        "CREATE (:Paper {paperId: 'p' + i})-[:CITES]->(h)",
        database_=db,
    )
    graph_store.clear_data(driver, db)
    records, _, _ = driver.execute_query(
        "RETURN COUNT { (n) } AS nodes, COUNT { ()-->() } AS rels", database_=db
    )
    assert records[0]["nodes"] == 0
    assert records[0]["rels"] == 0
    assert graph_store.schema_applied(driver, db)
