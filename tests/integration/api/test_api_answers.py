"""Answers cached per graph version, ETags, automatic persisted queries and the
GraphQL-over-HTTP media type (graph_api/service/graph_http.py), against a real Neo4j."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graph_api.settings import Settings
from graph_api.store.graph_state import GraphStateWatch
from loaders.graph_writer import write_rows
from loaders.rows import GraphRows
from tests.integration.api.api_graph import PAPERS
from tests.integration.api.api_support import Api, running_api

QUERY = "query Top($n: Int!) { papers(first: $n) { totalCount nodes { paperId title } } }"
GRAPH_RESPONSE = "application/graphql-response+json"


async def settled(api: Api, within_s: float = 20.0) -> str:
    """Wait until the app has read a cacheable graph state; returns its token."""
    watch: GraphStateWatch = api.app.state.graph_state
    deadline = time.monotonic() + within_s
    while watch.current.token is None:
        assert time.monotonic() < deadline, watch.current
        await asyncio.sleep(0.05)
    return watch.current.token


@pytest.fixture
async def cached_api(synth_graph: Settings) -> AsyncIterator[Api]:
    settings = synth_graph.model_copy(update={"api_graph_poll_s": 0.2})
    async with running_api(settings) as api:
        await settled(api)
        yield api


def _post_body(api: Api, n: int) -> dict[str, Any]:
    return {"query": QUERY, "variables": {"n": n}}


async def answered(api: Api, body: dict[str, Any]) -> httpx.Response:
    """POST until an answer without errors: on the shared test machine a read may run
    into the transaction timeout, and an answer with errors is (rightly) not cached."""
    for _ in range(5):
        response = await api.client.post("/graphql", json=body)
        if not response.json().get("errors"):
            return response
        codes = [e["extensions"]["code"] for e in response.json()["errors"]]
        assert codes == ["TIMEOUT"], response.text
    raise AssertionError(f"no answer without a timeout: {response.text}")


async def test_the_same_query_twice_reads_neo4j_once_until_a_load(
    cached_api: Api, session_driver: Driver
) -> None:
    api = cached_api
    api.driver.reset()
    first = await answered(api, _post_body(api, 3))
    assert first.headers["x-citekb-cache"] == "miss"
    assert api.driver.calls > 0
    api.driver.reset()
    # Same document, same variables (in another key order), same graph version.
    second = await api.client.post(
        "/graphql",
        content=json.dumps({"variables": {"n": 3}, "query": QUERY}),
        headers={"content-type": "application/json"},
    )
    assert second.headers["x-citekb-cache"] == "hit", (
        first.text,
        api.app.state.graph_state.current,
    )
    assert second.json() == first.json()
    assert api.driver.calls == 0, api.driver.queries
    # Other variables are another answer.
    other = await api.client.post("/graphql", json=_post_body(api, 2))
    assert other.headers["x-citekb-cache"] == "miss" and api.driver.calls > 0

    # A load: one more paper, cited more than any other, bumps the graph version.
    before = await settled(api)
    newcomer = {
        "paperId": "synthetic-cache-newcomer",
        "title": "[synthetic] A paper loaded after the answer was cached",
        "citationCount": 10**6,
    }
    write_rows(
        session_driver,
        GraphRows(papers=[newcomer]),
        database=api.settings.neo4j_database,
        source="synthetic:cache-test",
    )
    deadline = time.monotonic() + 20
    while (await settled(api)) == before:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    api.driver.reset()
    again = await answered(api, _post_body(api, 3))
    assert again.headers["x-citekb-cache"] == "miss"
    assert api.driver.calls > 0
    papers = again.json()["data"]["papers"]
    assert papers["totalCount"] == first.json()["data"]["papers"]["totalCount"] + 1
    assert papers["nodes"][0]["paperId"] == "synthetic-cache-newcomer"


async def test_the_response_cache_can_be_turned_off(synth_graph: Settings) -> None:
    settings = synth_graph.model_copy(update={"api_response_cache_bytes": 0})
    async with running_api(settings) as api:
        await settled(api)
        for _ in range(2):
            api.driver.reset()
            response = await api.client.post("/graphql", json=_post_body(api, 3))
            assert response.headers["x-citekb-cache"] == "off"
            assert api.driver.calls > 0


async def test_errors_and_job_lookups_are_not_cached(cached_api: Api) -> None:
    api = cached_api
    bad = {"query": '{ paper(id: "arXiv:12.34") { title } }'}
    for _ in range(2):
        response = await api.client.post("/graphql", json=bad)
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert response.headers["x-citekb-cache"] == "miss"
    job = {"query": '{ job(id: "no-such-job") { id } }'}
    await api.client.post("/graphql", json=job)
    assert (await api.client.post("/graphql", json=job)).headers["x-citekb-cache"] == "miss"


async def test_get_answers_carry_an_etag_and_304_when_it_matches(cached_api: Api) -> None:
    api = cached_api
    params = {"query": QUERY, "variables": json.dumps({"n": 2})}
    first = await api.client.get("/graphql", params=params)
    assert first.status_code == 200 and not first.json().get("errors"), first.text
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    api.driver.reset()
    again = await api.client.get("/graphql", params=params, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert api.driver.calls == 0
    stale = await api.client.get("/graphql", params=params, headers={"if-none-match": '"old"'})
    assert stale.status_code == 200 and stale.json() == first.json()


async def test_automatic_persisted_queries_round_trip(cached_api: Api) -> None:
    api = cached_api
    query = f'{{ paper(id: "{PAPERS[3].paper_id}") {{ title year }} }}'
    digest = hashlib.sha256(query.encode()).hexdigest()
    ext = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    # 1. The hash alone: not known yet.
    miss = await api.client.post("/graphql", json={"extensions": ext})
    (error,) = miss.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    # 2. Hash and document: run and remembered.
    full = await api.client.post("/graphql", json={"query": query, "extensions": ext})
    assert full.json()["data"]["paper"]["title"] == PAPERS[3].title
    # 3. The hash alone now runs it, over GET too (the form CDNs cache).
    again = await api.client.post("/graphql", json={"extensions": ext})
    assert again.json()["data"] == full.json()["data"]
    by_get = await api.client.get("/graphql", params={"extensions": json.dumps(ext)})
    assert by_get.status_code == 200 and by_get.json()["data"] == full.json()["data"]
    # A hash that does not match its document is refused.
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    bad = await api.client.post("/graphql", json={"query": query, "extensions": wrong})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["message"] == "provided sha does not match query"


async def test_graphql_response_media_type_keeps_200_for_field_errors(api: Api) -> None:
    body = {
        "query": f'{{ ok: paper(id: "{PAPERS[3].paper_id}") {{ title }} '
        'bad: paper(id: "arXiv:12.34") { title } }'
    }
    response = await api.client.post("/graphql", json=body, headers={"accept": GRAPH_RESPONSE})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPH_RESPONSE)
    answer = response.json()
    assert answer["data"]["ok"]["title"] == PAPERS[3].title and answer["data"]["bad"] is None
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
