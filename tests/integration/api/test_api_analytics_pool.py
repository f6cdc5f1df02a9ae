"""Heavy analytics bounded and reused: stored topic-personalised PageRank, seed-set
personalised PageRank on the sparse matrix, the deadline, and results reused per
graph version. Expectations come from networkx on a projection read in the test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx
import pytest
from neo4j import Driver

from graph_api.analytics import personalized_pagerank, topic_pagerank
from graph_api.analytics.sparse_rank import RankStopped
from graph_api.service import app as app_module
from graph_api.service.analytics_pool import AnalyticsPool
from graph_api.settings import Settings
from graph_api.store import graph_store
from graph_api.store.analytics_store import compute_and_store
from graph_api.store.projection import load_projection
from loaders.rows import topic_key
from tests.integration.api.api_graph import PAPERS
from tests.integration.api.api_support import Api, CountingDriver, running_api

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


class _StuckClose(CountingDriver):
    """A driver whose close() never returns (after really closing): a stuck shutdown step."""

    async def close(self) -> None:
        await self.inner.close()
        await asyncio.Event().wait()


async def _stubborn_read() -> Any:
    """A projection read that does not end promptly when cancelled (as one inside the
    driver need not)."""
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        await asyncio.sleep(60)


def _until_stopped(should_stop: Callable[[], bool]) -> str:
    while not should_stop():
        time.sleep(0.01)
    raise RankStopped


@pytest.mark.serial
async def test_a_shutdown_is_bounded_whatever_is_still_running(
    ranked_graph: nx.DiGraph, synth_graph: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lifespan ends within its bounds while a projection read ignores its
    cancellation, a stoppable and an unstoppable computation run in the pool, and the driver's
    close() never returns."""
    monkeypatch.setattr(app_module, "SHUTDOWN_STEP_S", 0.5)
    assert synth_graph.neo4j_uri is not None
    driver = _StuckClose(graph_store.async_driver_for(synth_graph, synth_graph.neo4j_uri))
    app = app_module.create_app(synth_graph, driver_factory=lambda _s: driver)  # type: ignore[arg-type,return-value]
    async with app.router.lifespan_context(app):
        runtime = app.state.analytics
        await runtime.warmed()
        monkeypatch.setattr(runtime, "_load", _stubborn_read)
        reading = runtime._loader(-1)  # a projection read under way
        stoppable = asyncio.ensure_future(
            runtime.pool.run(None, _until_stopped, (), {}, deadline_arg="should_stop")
        )
        unstoppable = asyncio.ensure_future(runtime.pool.run(None, time.sleep, (3.0,), {}))
        await asyncio.sleep(0.2)
        assert not (reading.done() or stoppable.done() or unstoppable.done())
        started = time.monotonic()
    took = time.monotonic() - started
    # Poller (at once), analytics (0.5 s grace for the unstoppable sleep), jobs (none),
    # driver (0.5 s): about 1 s, far from the sleep's 3 s or forever.
    assert took < 2.5, took
    assert not reading.done()  # still ignoring its cancellation: the shutdown went on
    reading.cancel()
    await asyncio.wait({reading})
    with pytest.raises(RankStopped):
        await stoppable  # told to stop by the shutdown, within one check
    assert runtime.pool.stopped == 1
    assert await unstoppable is None  # it ran to its end in its thread, unwaited-for
