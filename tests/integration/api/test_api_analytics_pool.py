"""Heavy analytics bounded and reused: stored topic-personalised PageRank, seed-set
personalised PageRank on the sparse matrix, the deadline, and results reused per
graph version. Expectations come from networkx on a projection read in the test."""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx
import pytest
from neo4j import Driver

from graph_api.analytics import personalized_pagerank, topic_pagerank
from graph_api.service.analytics_pool import AnalyticsPool
from graph_api.settings import Settings
from graph_api.store.analytics_store import compute_and_store
from graph_api.store.projection import load_projection
from loaders.rows import topic_key
from tests.integration.api.api_graph import PAPERS
from tests.integration.api.api_support import Api, running_api

TOPIC = "computer science"
SEEDS = [PAPERS[20].paper_id, PAPERS[22].paper_id, PAPERS[30].paper_id]
BY_TOPIC = '{ influentialPapers(topic: "%s", personalized: true, first: 5) { paperId score } }'
BY_SEEDS = (
    "query($s: [ID!]) { influentialPapers(seeds: $s, personalized: true, first: 5) "
    "{ paperId score } }"
)


@pytest.fixture(scope="module")
def ranked_graph(synth_graph: Settings, session_driver: Driver) -> Iterator[nx.DiGraph]:
    """The synthetic graph with analytics stored, every topic of 2+ papers ranked."""
    run = compute_and_store(session_driver, synth_graph.neo4j_database, topic_min_papers=2)
    assert run.topics_ranked > 0
    yield load_projection(session_driver, synth_graph.neo4j_database).graph


def pool(api: Api) -> AnalyticsPool:
    found: AnalyticsPool = api.app.state.analytics.pool
    return found


async def test_topic_personalised_pagerank_is_a_stored_read(
    ranked_graph: nx.DiGraph, synth_graph: Settings
) -> None:
    expected = topic_pagerank(ranked_graph, TOPIC, k=5)
    assert expected
    async with running_api(synth_graph, warm=True) as api:
        before = pool(api).computed
        got = (await api.data(BY_TOPIC % TOPIC))["influentialPapers"]
        assert [g["paperId"] for g in got] == [e.paper_id for e in expected]
        assert all(abs(g["score"] - e.score) < 1e-9 for g, e in zip(got, expected, strict=True))
        # Read from the Topic node: nothing computed, no projection touched.
        assert pool(api).computed == before
        assert not any(q == "<session>" for q in api.driver.queries)


async def test_seed_set_personalised_pagerank_matches_networkx_and_is_reused(
    ranked_graph: nx.DiGraph, synth_graph: Settings
) -> None:
    expected = personalized_pagerank(ranked_graph, SEEDS, k=5)
    async with running_api(synth_graph, warm=True) as api:
        before = pool(api).computed
        got = (await api.data(BY_SEEDS, {"s": SEEDS}))["influentialPapers"]
        assert [g["paperId"] for g in got] == [e.paper_id for e in expected]
        assert all(abs(g["score"] - e.score) < 1e-9 for g, e in zip(got, expected, strict=True))
        assert pool(api).computed == before + 1
        # The same seeds in another order and id form: the same computation, reused.
        again = await api.data(BY_SEEDS, {"s": list(reversed(SEEDS))})
        assert again["influentialPapers"] == got
        assert pool(api).computed == before + 1 and pool(api).reused >= 1


async def test_past_the_deadline_the_client_gets_timeout_and_the_work_stops(
    ranked_graph: nx.DiGraph, synth_graph: Settings
) -> None:
    tight = synth_graph.model_copy(update={"api_analytics_timeout_s": 0.000_1})
    async with running_api(tight, warm=True) as api:
        body = await api.post(BY_SEEDS, {"s": SEEDS})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "TIMEOUT"
        assert "analytics took longer" in error["message"]
        assert pool(api).timeouts == 1
        # The power iteration saw the deadline and stopped (it does not run on unseen).
        await api.app.state.analytics.pool.drained()
        assert pool(api).stopped == 1


async def test_a_topic_without_a_fresh_stored_ranking_is_computed_the_same_way(
    ranked_graph: nx.DiGraph, synth_graph: Settings, session_driver: Driver
) -> None:
    expected = topic_pagerank(ranked_graph, TOPIC, k=5)
    # As if `citekb analytics` had ranked it on an older graph version.
    session_driver.execute_query(
        "MATCH (t:Topic {key: $key}) SET t.personalisedVersion = -1",
        key=topic_key(TOPIC),
        database_=synth_graph.neo4j_database,
    )
    async with running_api(synth_graph, warm=True) as api:
        before = pool(api).computed
        got = (await api.data(BY_TOPIC % TOPIC))["influentialPapers"]
        assert [g["paperId"] for g in got] == [e.paper_id for e in expected]
        assert all(abs(g["score"] - e.score) < 1e-9 for g, e in zip(got, expected, strict=True))
        assert pool(api).computed == before + 1
