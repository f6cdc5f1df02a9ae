from __future__ import annotations

import pytest

import cypher


def test_every_statement_has_a_header() -> None:
    found = cypher.names()
    assert "schema/schema" in found
    for name in found:
        h = cypher.header(name)
        assert isinstance(h.params, list)
        assert h.returns


def test_statement_is_cached() -> None:
    assert cypher.statement("read/server_info") is cypher.statement("read/server_info")


def test_unknown_statement() -> None:
    with pytest.raises(cypher.UnknownStatement):
        cypher.statement("read/no_such_thing")


def test_schema_split_into_statements() -> None:
    stmts = cypher.statements("schema/schema")
    assert len(stmts) >= 10
    assert all(s.startswith("CREATE") for s in stmts)
    assert all(not s.endswith(";") for s in stmts)
