"""Limits and failure handling: abusive queries are refused before they reach Neo4j."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from graph_api.settings import Settings
from tests.integration.api.api_graph import PAPERS
from tests.integration.api.api_support import Api, doubling_document, running_api


def _nested(levels: int) -> str:
    """A query ``levels`` objects deep: paper -> references -> nodes -> references ..."""
    inner = "title"
    for _ in range(levels):
        inner = f"references(first: 1) {{ nodes {{ {inner} }} }}"
    return f'{{ paper(id: "{PAPERS[30].paper_id}") {{ {inner} }} }}'


async def _refused(
    api: Api, query: str, says: str, variables: dict[str, object] | None = None
) -> None:
    api.driver.reset()
    body = await api.post(query, variables)
    assert body.get("errors"), body
    assert not body.get("data"), body
    assert any(says in e["message"] for e in body["errors"]), body["errors"]
    assert api.driver.calls == 0, api.driver.queries


async def test_query_15_levels_deep_never_reaches_neo4j(api: Api) -> None:
    await _refused(api, _nested(7), "exceeds maximum operation depth")  # 15 levels of fields


async def test_500_aliases_never_reach_neo4j(api: Api) -> None:
    # Short aliases keep the document under the token limit, so the alias limit answers.
    fields = " ".join(f"a{i}: __typename" for i in range(500))
    await _refused(api, f"{{ stats {{ papers }} {fields} }}", "aliases")


async def test_500_aliased_reads_are_refused_by_the_token_limit(api: Api) -> None:
    fields = " ".join(f"a{i}: stats {{ papers }}" for i in range(500))
    await _refused(api, f"{{ {fields} }}", "tokens")


async def test_aliases_hidden_in_fragments_are_counted(api: Api) -> None:
    fields = " ".join(f"a{i}: papers" for i in range(40))
    query = f"query {{ ...F }} fragment F on Query {{ {fields} {{ totalCount }} }}"
    await _refused(api, query, "aliases")


async def test_first_100000_never_reaches_neo4j(api: Api) -> None:
    await _refused(
        api, "{ papers(first: 100000) { nodes { title } } }", "must be between 0 and 100"
    )


async def test_first_as_a_variable_is_checked_too(api: Api) -> None:
    await _refused(
        api,
        'query($n: Int!) { search(query: "law", first: $n) { nodes { title } } }',
        "must be between 0 and 100",
        {"n": 100000},
    )


async def test_negative_first_is_refused(api: Api) -> None:
    await _refused(api, "{ papers(first: -1) { nodes { title } } }", "must be between 0 and 100")


async def test_nested_first_inside_a_fragment_is_checked(api: Api) -> None:
    query = """{ papers(first: 2) { nodes { ...R } } }
      fragment R on Paper { references(first: 5000) { nodes { title } } }"""
    await _refused(api, query, "must be between 0 and 100")


async def test_row_budget_multiplies_page_sizes_through_nesting(api: Api) -> None:
    # 100 papers x 51 reference counts: cheap in cost (no objects below), 5,200 rows.
    query = "{ papers(first: 100) { nodes { references(first: 51) { totalCount } } } }"
    await _refused(api, query, "the limit is 5000")


async def test_cost_budget_multiplies_page_sizes_through_nesting(api: Api) -> None:
    # 100 papers x 100 references x 20 authors (default) is far beyond API_MAX_COST.
    query = """{ papers(first: 100) { nodes {
        references(first: 100) { nodes { authors { name } } } } } }"""
    await _refused(api, query, "above the budget of 5000")


@pytest.mark.parametrize("levels", [10, 20, 40])
async def test_fragment_doubling_is_refused_by_cost_in_milliseconds(api: Api, levels: int) -> None:
    await api.post("{ __typename }")  # the app is warm: the timing is the refusal alone
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(3):
        api.driver.reset()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = await api.client.post("/graphql", json={"query": doubling_document(levels)})
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
        body = response.json()
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED", body
        assert error["extensions"]["cost"] == 21 * 2**levels
        assert error["extensions"]["budget"] == 5000
        assert body["extensions"]["cost"] == {"estimated": 21 * 2**levels, "budget": 5000}
        assert not body.get("data")
        assert api.driver.calls == 0, api.driver.queries
    # The app (in this process) spends well under 50 ms of CPU on each refusal; on
    # the shared machine a wall-clock figure also carries other processes' load,
    # so the best of three attempts is held to the same bound.
    ms = [[round(t * 1000, 1) for t in ts] for ts in (walls, cpus)]
    timings = f"wall {ms[0]} ms, cpu {ms[1]} ms"
    assert max(cpus) < 0.050, timings
    assert min(walls) < 0.050, timings


async def test_every_answer_carries_its_cost(api: Api) -> None:
    body = await api.post("{ papers(first: 3) { nodes { title } } }")
    assert not body.get("errors")
    assert body["extensions"]["cost"] == {"estimated": 1 + 3 * 1, "budget": 5000}


async def test_tokens_limit(api: Api) -> None:
    fields = " ".join(["title"] * 2100)
    await _refused(api, f'{{ paper(id: "{PAPERS[0].paper_id}") {{ {fields} }} }}', "token")


async def test_request_body_over_the_limit_is_413(api: Api) -> None:
    api.driver.reset()
    padding = "#" + "x" * 200_000 + "\n"
    response = await api.client.post("/graphql", json={"query": padding + "{ stats { papers } }"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert api.driver.calls == 0


async def test_request_id_is_echoed_and_made_up_when_missing(api: Api) -> None:
    mine = await api.client.post(
        "/graphql", json={"query": "{ stats { papers } }"}, headers={"x-request-id": "abc-123"}
    )
    assert mine.headers["x-request-id"] == "abc-123"
    bad = await api.client.post(
        "/graphql", json={"query": "{ stats { papers } }"}, headers={"x-request-id": "a b\x01"}
    )
    assert bad.headers["x-request-id"] != "a b\x01" and len(bad.headers["x-request-id"]) == 32


async def test_internal_errors_are_masked_and_logged_with_the_request_id(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "MATCH (p:Paper) SECRET-CYPHER-TEXT"

    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError(f"driver exploded running {secret}")

    monkeypatch.setattr(api.driver, "execute_query", broken)
    with caplog.at_level(logging.ERROR, logger="citekb.api"):
        # A document no other test sends: an answer cached earlier would need no driver.
        response = await api.client.post(
            "/graphql",
            json={"query": "{ masked: stats { papers } }"},
            headers={"x-request-id": "req-42"},
        )
    text = response.text
    assert secret not in text and "exploded" not in text and "Traceback" not in text
    (error,) = response.json()["errors"]
    assert error["message"] == "internal error (request id req-42)"
    assert error["extensions"] == {"requestId": "req-42", "code": "INTERNAL_SERVER_ERROR"}
    logged = [r for r in caplog.records if "req-42" in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert secret in str(logged[0].exc_info[1])


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


async def test_healthz_reports_a_dead_database(synth_graph: Settings) -> None:
    dead = synth_graph.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:9"})
    async with running_api(dead) as api_dead:
        response = await api_dead.client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["neo4j"] == "down"
        body = await api_dead.post("{ stats { papers } }")
        assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def test_cors_follows_settings(synth_graph: Settings) -> None:
    settings = synth_graph.model_copy(update={"api_cors_origins": ["https://app.example"]})
    async with running_api(settings) as cors:
        allowed = await cors.client.options(
            "/graphql",
            headers={"origin": "https://app.example", "access-control-request-method": "POST"},
        )
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = await cors.client.options(
            "/graphql",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert "access-control-allow-origin" not in other.headers


async def test_introspection_on_by_default_and_switchable_off(
    api: Api, synth_graph: Settings
) -> None:
    query = "{ __schema { queryType { name } } }"
    assert (await api.data(query)) == {"__schema": {"queryType": {"name": "Query"}}}
    settings = synth_graph.model_copy(update={"api_introspection": False})
    async with running_api(settings) as closed:
        messages = await closed.errors(query)
        assert any("introspection" in m.lower() for m in messages)


async def test_get_graphql_serves_the_playground(api: Api) -> None:
    response = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "citekb GraphQL playground" in response.text
    assert "unpkg.com" not in response.text and "cdn" not in response.text.lower()


async def test_unknown_route_is_404(api: Api) -> None:
    response = await api.client.get("/nothing-here")
    assert response.status_code == 404
    assert isinstance(response, httpx.Response)
