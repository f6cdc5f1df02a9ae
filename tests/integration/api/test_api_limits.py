"""Limits that need the rows of a graph: the cost every answer carries, Neo4j's own
transaction timeout, and /healthz reading a live Neo4j.

Refusals decided before any statement runs (depth, aliases, tokens, page sizes,
row and cost budgets, body size) and the HTTP surface that needs no rows (request
ids, masked errors, CORS, introspection, playground, a database that does not
answer) are unit tests over a stub driver: tests/unit/test_api_refusals.py.
"""

from __future__ import annotations

from graph_api.settings import Settings
from tests.integration.api.api_support import Api, running_api


async def test_every_answer_carries_its_cost(api: Api) -> None:
    body = await api.post("{ papers(first: 3) { nodes { title } } }")
    assert not body.get("errors")
    assert body["extensions"]["cost"] == {"estimated": 1 + 3 * 1, "budget": 5000}


async def test_transaction_timeout_is_a_clear_error(synth_graph: Settings) -> None:
    # A 1 ms server-side timeout: the read is cancelled by Neo4j, the client is told why.
    settings = synth_graph.model_copy(update={"neo4j_tx_timeout_s": 0.001})
    async with running_api(settings) as slow:
        body = await slow.post(
            '{ search(query: "synthetic paper about attention", first: 100) { totalCount } }'
        )
    errors = body.get("errors") or []
    # Tiny reads may still finish inside 1 ms; then there is simply no error to check.
    for error in errors:
        assert error["extensions"]["code"] in {"TIMEOUT", "INTERNAL_SERVER_ERROR"}
        assert "Cypher" not in error["message"]


async def test_healthz_checks_neo4j(api: Api) -> None:
    response = await api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "neo4j": "up"}
