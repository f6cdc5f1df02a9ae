"""The mutation boundary: loadPapers / recomputeAnalytics behind the API key, as jobs.

The app runs in process with its real lifespan; its mutation jobs talk to a
fake Semantic Scholar (in process, a SYNTHETIC corpus around the sample
page's titles) through the app factory's ``s2_transport`` seam, and write to
the session's real Neo4j.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver
from pydantic import SecretStr

from graph_api.service.app import create_app
from graph_api.settings import Settings
from graph_api.store import graph_store
from graph_api.store.analytics_store import analytics_status
from loaders.graph_writer import graph_counts, graph_dump
from loaders.pipeline import run_load
from loaders.rows import PaperRef
from loaders.s2_client import S2Client
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.fakes.fake_s2 import BASE_PATH, FakeS2
from tests.fakes.fake_s2_corpus import FakeCorpus, corpus_from_titles

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
KEY = "citekb-test-key-7f3a9c0e5b1d"
LOAD = "mutation($ids: [String!], $titles: [String!], $depth: Int! = 1) { loadPapers(ids: $ids, titles: $titles, depth: $depth) { id kind status } }"  # noqa: E501
ANALYTICS = "mutation { recomputeAnalytics { id kind status } }"
JOB = (
    "query($id: ID!) { job(id: $id) { id kind status createdAt startedAt finishedAt"
    " params { entries depth } counts { name value } errors messages } }"
)


@pytest.fixture(scope="module")
def sample_refs() -> list[PaperRef]:
    return parse_source(SAMPLE)


@pytest.fixture(scope="module")
def corpus(sample_refs: list[PaperRef]) -> FakeCorpus:
    return corpus_from_titles(sample_refs, seed=0)


def api_settings(neo4j_settings: Settings, tmp_path: Path, **update: Any) -> Settings:
    base: dict[str, Any] = {
        "citekb_api_key": SecretStr(KEY),
        "s2_base_url": "http://fake-s2.test" + BASE_PATH,
        "s2_api_key": None,
        "s2_rate_limit": 0.0,
        "s2_backoff_base_s": 0.001,
        "s2_backoff_max_s": 0.01,
        "citekb_cache_dir": tmp_path / "cache",
        "load_flush_interval_s": 0.05,
    }
    base.update(update)
    return neo4j_settings.model_copy(update=base)


@dataclass
class MutationApi:
    client: httpx.AsyncClient
    app: Any
    fake: FakeS2

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = KEY
    ) -> dict[str, Any]:
        headers = {"content-type": "application/json"}
        if key is not None:
            headers["authorization"] = f"Bearer {key}"
        # json.dumps escapes non-ASCII (and lone surrogates, which a client may send as \uXXXX).
        body = json.dumps({"query": query, "variables": variables or {}})
        response = await self.client.post("/graphql", content=body, headers=headers)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def start(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.post(query, variables)
        assert not body.get("errors"), body
        job: dict[str, Any] = next(iter(body["data"].values()))
        return job

    async def job(self, job_id: str) -> dict[str, Any] | None:
        body = await self.post(JOB, {"id": job_id}, key=None)
        assert not body.get("errors"), body
        found: dict[str, Any] | None = body["data"]["job"]
        if found is not None:
            # counts come as typed {name, value} pairs; tests read them by name.
            found["counts"] = {m["name"]: m["value"] for m in found["counts"]}
        return found

    async def finished(self, job_id: str, within_s: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + within_s
        while True:
            job = await self.job(job_id)
            assert job is not None
            if job["status"] not in ("QUEUED", "RUNNING"):
                return job
            assert time.monotonic() < deadline, job
            await asyncio.sleep(0.05)


@asynccontextmanager
async def mutation_api(
    settings: Settings, fake: FakeS2, client: tuple[str, int] = ("127.0.0.1", 40000)
) -> AsyncIterator[MutationApi]:
    app = create_app(settings, s2_transport=httpx.ASGITransport(app=fake))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://citekb.test") as http:
            yield MutationApi(http, app, fake)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def nothing_happened(api: MutationApi, driver: Driver, settings: Settings) -> None:
    assert api.fake.requests == []
    assert graph_counts(driver, database=settings.neo4j_database)["papers"] == 0
    assert api.app.state.jobs.active == 0


# --------------------------------------------------------------------------
async def test_mutations_are_disabled_when_no_key_is_configured(
    driver: Driver, neo4j_settings: Settings, corpus: FakeCorpus, tmp_path: Path
) -> None:
    settings = api_settings(neo4j_settings, tmp_path, citekb_api_key=None)
    async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as api:
        for query in (LOAD, ANALYTICS):
            body = await api.post(query, {"titles": ["Anything"]} if query is LOAD else None)
            assert body["data"] is None
            assert codes(body) == ["MUTATIONS_DISABLED"]
            assert "CITEKB_API_KEY" in body["errors"][0]["message"]
        nothing_happened(api, driver, settings)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        f"Basic {KEY}",
        "Bearer",
        "Bearer wrong",
        f"Bearer {KEY[:-1]}",
        f"Bearer {KEY}x",
        f"Bearer {KEY.upper()}",
        f"{KEY}",
        # Raw UTF-8 bytes in the header (Starlette reads headers as latin-1).
        "Bearer \u00e9\u00e8\u00ea".encode(),
    ],
)
async def test_a_missing_or_wrong_key_is_refused_and_nothing_starts(
    driver: Driver,
    neo4j_settings: Settings,
    corpus: FakeCorpus,
    tmp_path: Path,
    authorization: str | bytes | None,
) -> None:
    settings = api_settings(neo4j_settings, tmp_path)
    async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as api:
        value = authorization.encode() if isinstance(authorization, str) else authorization
        headers = {} if value is None else {b"authorization": value}
        for query, variables in ((LOAD, {"titles": ["Anything"]}), (ANALYTICS, {})):
            response = await api.client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body = response.json()
            assert body["data"] is None
            assert codes(body) == ["UNAUTHENTICATED"]
            assert "Authorization: Bearer" in body["errors"][0]["message"]
        nothing_happened(api, driver, settings)


async def test_failed_attempts_are_throttled_per_client_and_the_key_is_checked_first(
    driver: Driver, neo4j_settings: Settings, corpus: FakeCorpus, tmp_path: Path
) -> None:
    settings = api_settings(
        neo4j_settings, tmp_path, api_mutation_burst=3, api_mutations_per_minute=0.5
    )
    fake = FakeS2(corpus, replay_recorded=False)
    async with mutation_api(settings, fake, client=("10.0.0.1", 1)) as guesser:
        for guess in ("a", "b", "c"):
            assert codes(await guesser.post(ANALYTICS, key=guess)) == ["UNAUTHENTICATED"]
        # The bucket of failures is empty: more guesses wait...
        body = await guesser.post(ANALYTICS, key="d")
        assert codes(body) == ["RATE_LIMITED"]
        assert "retry in" in body["errors"][0]["message"]
        # ... the right key from the same address does not (admitted, then its input checked).
        body = await guesser.post(LOAD, {"ids": ["not an id"]}, key=KEY)
        assert codes(body) == ["BAD_USER_INPUT"]
        # Another client is not held back by the guesser (same app, other address).
        transport = httpx.ASGITransport(app=guesser.app, client=("10.0.0.2", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://citekb.test") as c:
            other = MutationApi(c, guesser.app, fake)
            body = await other.post(LOAD, {"ids": ["not an id"]})
            assert codes(body) == ["BAD_USER_INPUT"]  # admitted, then the input is checked
        nothing_happened(guesser, driver, settings)


async def test_the_right_key_is_rate_limited_by_its_bucket(
    driver: Driver, neo4j_settings: Settings, corpus: FakeCorpus, tmp_path: Path
) -> None:
    settings = api_settings(
        neo4j_settings, tmp_path, api_mutation_burst=2, api_mutations_per_minute=1.0
    )
    async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as api:
        # Invalid input still spends a token: the check comes first.
        for _ in range(2):
            assert codes(await api.post(LOAD, {"ids": ["nonsense words"]})) == ["BAD_USER_INPUT"]
        body = await api.post(LOAD, {"ids": ["arXiv:2512.17351"]})
        assert codes(body) == ["RATE_LIMITED"]
        assert "retry in 60 s" in body["errors"][0]["message"]
        nothing_happened(api, driver, settings)


async def test_bad_entries_are_one_clear_error_and_nothing_starts(
    driver: Driver, neo4j_settings: Settings, corpus: FakeCorpus, tmp_path: Path
) -> None:
    settings = api_settings(
        neo4j_settings, tmp_path, api_mutation_burst=20, api_max_load_entries=50
    )
    async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as api:
        body = await api.post(
            LOAD,
            {
                "ids": [
                    "arXiv:2512.17351",
                    "arXiv:12.34",
                    "Attention is all you need",
                    "PMID:12345",
                    "10.1234/\u0000x",
                    "https://example.org/paper/1",
                ],
                "titles": [
                    "A fine title",
                    "   ",
                    "x" * 1001,
                    "bad \ud800 surrogate",
                    "tab\x07bell",
                ],
            },
        )
        assert codes(body) == ["BAD_USER_INPUT"]
        message = body["errors"][0]["message"]
        assert message.startswith("9 entries cannot be loaded")
        for where in ("ids[1]", "ids[2]", "ids[3]", "ids[4]", "ids[5]"):
            assert where in message
        for where in ("titles[1]", "titles[2]", "titles[3]", "titles[4]"):
            assert where in message
        assert "ids[0]" not in message and "titles[0]" not in message
        assert "surrogate" in message and "control characters" in message

        assert "at least one" in (await api.post(LOAD, {}))["errors"][0]["message"]
        too_many = await api.post(LOAD, {"ids": [f"CorpusId:{i}" for i in range(51)]})
        assert codes(too_many) == ["LIMIT_EXCEEDED"]
        deep = await api.post(LOAD, {"ids": ["arXiv:2512.17351"], "depth": 5})
        assert codes(deep) == ["BAD_USER_INPUT"] and "depth" in deep["errors"][0]["message"]
        nothing_happened(api, driver, settings)


async def test_a_mutation_over_get_is_refused(
    driver: Driver, neo4j_settings: Settings, corpus: FakeCorpus, tmp_path: Path
) -> None:
    settings = api_settings(neo4j_settings, tmp_path)
    async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as api:
        response = await api.client.get(
            "/graphql",
            params={"query": ANALYTICS},
            headers={"authorization": f"Bearer {KEY}", "accept": "application/json"},
        )
        assert response.status_code in (400, 405)
        assert "mutation" in response.text.lower()
        nothing_happened(api, driver, settings)


async def test_load_papers_is_a_background_job_equal_to_a_direct_load_and_idempotent(
    driver: Driver,
    neo4j_settings: Settings,
    *,
    sample_refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    refs = sample_refs[:6]
    titles = [str(r.title) for r in refs]
    db = neo4j_settings.neo4j_database

    # The reference: the pipeline run directly on the same titles.
    direct_settings = api_settings(neo4j_settings, tmp_path / "direct")
    direct_refs = [PaperRef(title=t) for t in titles]
    fake = FakeS2(corpus, replay_recorded=False)
    async with S2Client(
        direct_settings.s2_config(), transport=httpx.ASGITransport(app=fake)
    ) as client:
        await run_load(
            direct_refs, driver=driver, database=direct_settings.neo4j_database, client=client
        )
    reference = graph_dump(driver, database=db)
    assert any(r["type"] == "CITES" for r in reference["relationships"])
    graph_store.clear_data(driver, db)

    settings = api_settings(neo4j_settings, tmp_path / "api")
    wrong = "Bearer " + KEY[:-3] + "zzz"
    with caplog.at_level(logging.DEBUG):
        async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as api:
            started = await api.start(LOAD, {"titles": titles, "depth": 1})
            assert started["kind"] == "LOAD_PAPERS"
            assert started["status"] in ("QUEUED", "RUNNING")
            job = await api.finished(started["id"])
            assert job["status"] == "SUCCEEDED", job
            assert job["params"] == {"entries": 6, "depth": 1}
            assert job["counts"]["resolved"] == 6
            assert job["counts"]["unresolved"] == 0
            assert job["counts"]["citesWritten"] > 0
            assert job["counts"]["nodesCreated"] > 0
            assert job["errors"] == []
            assert job["startedAt"] >= job["createdAt"] and job["finishedAt"] >= job["startedAt"]
            assert graph_dump(driver, database=db) == reference

            # The same call again: everything from the S2 cache, nothing new in the graph.
            requests_before = len(api.fake.requests)
            again = await api.finished((await api.start(LOAD, {"titles": titles}))["id"])
            assert again["status"] == "SUCCEEDED"
            assert again["counts"]["nodesCreated"] == 0
            assert again["counts"]["relationshipsCreated"] == 0
            assert again["counts"]["s2Requests"] == 0
            assert len(api.fake.requests) == requests_before
            assert graph_dump(driver, database=db) == reference

            # A failed attempt in the same log capture, with a near-miss key.
            await api.client.post(
                "/graphql", json={"query": ANALYTICS}, headers={"authorization": wrong}
            )

        # A fresh app (empty job memory) reads the job back from its Meta:Job node.
        async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as fresh:
            assert fresh.app.state.jobs.get(started["id"]) is None
            stored = await fresh.job(started["id"])
            assert stored == job
            assert await fresh.job("0" * 32) is None
            bad = await fresh.post(JOB, {"id": "../../etc"}, key=None)
            assert codes(bad) == ["BAD_USER_INPUT"]

    # The key (and the near miss) never reach a log record, its arguments or its traceback.
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + (caplog.text or "")
        assert KEY not in text and KEY[:-3] not in text, record
    assert any("mutation refused: invalid API key" in r.getMessage() for r in caplog.records)


async def test_one_writer_at_a_time_and_a_bounded_queue(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    settings = api_settings(neo4j_settings, tmp_path, api_mutation_burst=10, api_max_queued_jobs=2)
    # 30 ms per S2 answer: each load takes a while, so they overlap in time.
    fake = FakeS2(corpus, replay_recorded=False, latency_s=0.03)
    batches = [[str(r.title) for r in sample_refs[i : i + 3]] for i in (0, 3, 6)]
    async with mutation_api(settings, fake) as api:
        jobs = [await api.start(LOAD, {"titles": b, "depth": 0}) for b in batches]
        assert [j["status"] for j in jobs[1:]] == ["QUEUED", "QUEUED"]
        refused = await api.post(LOAD, {"titles": ["One too many"], "depth": 0})
        assert codes(refused) == ["LIMIT_EXCEEDED"]
        assert "waiting for the writer" in refused["errors"][0]["message"]
        running_seen = 0
        while True:
            states = [await api.job(j["id"]) for j in jobs]
            running = [s for s in states if s and s["status"] == "RUNNING"]
            assert len(running) <= 1, states
            running_seen += len(running)
            if all(s and s["status"] not in ("QUEUED", "RUNNING") for s in states):
                break
            await asyncio.sleep(0.02)
        assert running_seen > 0
        done = [await api.job(j["id"]) for j in jobs]
        assert [d and d["status"] for d in done] == ["SUCCEEDED"] * 3
        # Each started after the one before it finished.
        for before, after in itertools.pairwise(done):
            assert before and after and after["startedAt"] >= before["finishedAt"]
    assert graph_counts(driver, database=settings.neo4j_database)["papers"] >= 9


async def test_s2_down_makes_a_partial_job_that_says_how_to_resume(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    settings = api_settings(neo4j_settings, tmp_path, s2_max_retries=1, s2_retry_budget=2)
    fake = FakeS2(corpus, replay_recorded=False)
    fake.inject("503", times=1000)
    titles = [str(r.title) for r in sample_refs[:4]]
    async with mutation_api(settings, fake) as api:
        job = await api.finished((await api.start(LOAD, {"titles": titles}))["id"])
    assert job["status"] == "PARTIAL", job
    assert job["counts"]["placeholdersWritten"] == 4
    assert any("rerun" in m for m in job["messages"]), job["messages"]
    assert graph_counts(driver, database=settings.neo4j_database)["papers"] == 4


async def test_recompute_analytics_runs_the_analytics_store(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    settings = api_settings(neo4j_settings, tmp_path)
    db = settings.neo4j_database
    titles = [str(r.title) for r in sample_refs[:5]]
    async with mutation_api(settings, FakeS2(corpus, replay_recorded=False)) as api:
        loaded = await api.finished((await api.start(LOAD, {"titles": titles}))["id"])
        assert loaded["status"] == "SUCCEEDED"
        assert analytics_status(driver, db).stale
        job = await api.finished((await api.start(ANALYTICS))["id"])
    assert job["kind"] == "RECOMPUTE_ANALYTICS"
    assert job["status"] == "SUCCEEDED", job
    status = analytics_status(driver, db)
    assert not status.stale
    assert job["counts"]["papers"] == status.papers == graph_counts(driver, database=db)["papers"]
    assert job["counts"]["graphVersion"] == status.graph_version
