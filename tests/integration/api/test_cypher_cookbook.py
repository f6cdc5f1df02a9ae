"""Every statement of docs/cypher.md runs on a real Neo4j holding a citekb graph.

The graph is the SYNTHETIC API test graph with stored analytics; the
statements name real-world papers, so many return no rows here: the test is
that each one is valid Cypher against citekb's schema and indexes, as a user
pasting it into Neo4j Browser or `citekb db shell` would run it.
"""

from __future__ import annotations

import re

import pytest
from neo4j import Driver

from graph_api.settings import Settings
from tests.conftest import REPO

COOKBOOK = REPO / "docs" / "cypher.md"
_BLOCK = re.compile(r"^```cypher\n(.*?)^```", re.M | re.S)


def statements() -> list[str]:
    found: list[str] = []
    for block in _BLOCK.findall(COOKBOOK.read_text(encoding="utf-8")):
        found.extend(s.strip() for s in block.split(";\n") if s.strip().rstrip(";"))
    return [s.rstrip(";") for s in found]


def test_the_cookbook_has_statements() -> None:
    assert len(statements()) >= 12


@pytest.mark.parametrize("statement", statements())
def test_statement_runs(statement: str, analysed_graph: Settings, session_driver: Driver) -> None:
    with session_driver.session(database=analysed_graph.neo4j_database) as session:
        session.run(statement).consume()  # type: ignore[arg-type]  # the document's own text
