"""S2 client behaviour against the fake S2 (ASGI) and httpx.MockTransport.

Sleeps and the clock are injected, so backoff and rate limiting run instantly;
only the timeout test waits (50 ms of real time).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from graph_api.settings import Settings
from loaders.s2_cache import S2Cache, cache_key
from loaders.s2_client import (
    S2AuthError,
    S2BadRequest,
    S2Client,
    S2NotFound,
    S2OfflineMiss,
    S2RetryBudgetExceeded,
    S2Unavailable,
)
from tests.fakes.fake_s2 import FakeS2
from tests.fakes.fake_s2_corpus import Edge, FakeCorpus, corpus_from_titles

BASE = "http://fake-s2/graph/v1"
KEY = "sekret-Key-4f9a1c77"
TITLE_FIELDS = "title,year,externalIds"


class FakeClock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "citekb_cache_dir": tmp_path / "cache",
        "s2_base_url": BASE,
        "s2_api_key": SecretStr(KEY),
        "s2_rate_limit": 0.0,
        "s2_timeout_s": 5.0,
        "s2_max_retries": 4,
        "s2_retry_budget": 20,
        "s2_max_retry_after_s": 20.0,
        "s2_backoff_base_s": 1.0,
        "s2_backoff_max_s": 8.0,
        "s2_offline": False,
    }
    values.update(overrides)
    return Settings(**values)


def make_client(
    settings: Settings,
    app: Any,
    clock: FakeClock,
    **kwargs: Any,
) -> S2Client:
    transport: httpx.AsyncBaseTransport
    transport = app if isinstance(app, httpx.AsyncBaseTransport) else httpx.ASGITransport(app=app)
    return S2Client(
        settings.s2_config(),
        transport=transport,
        sleep=clock.sleep,
        clock=clock.time,
        rng=random.Random(7),
        **kwargs,
    )


@pytest.fixture(scope="module")
def corpus() -> FakeCorpus:
    return corpus_from_titles([f"Synthetic seed title number {i}" for i in range(30)], seed=3)


@pytest.fixture
def fake(corpus: FakeCorpus) -> FakeS2:
    return FakeS2(corpus, replay_recorded=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def seed_ids(corpus: FakeCorpus, n: int) -> list[str]:
    return [pid for pid, p in corpus.papers.items() if "seed title" in p["title"]][:n]


# --------------------------------------------------------------------------
# Rate limiting
# --------------------------------------------------------------------------
async def test_rate_limiter_spaces_concurrent_requests(tmp_path: Path, clock: FakeClock) -> None:
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now)
        ids = json.loads(request.content)["ids"]
        return httpx.Response(200, json=[{"paperId": i} for i in ids])

    settings = make_settings(tmp_path, s2_rate_limit=2.0)
    async with make_client(settings, httpx.MockTransport(handler), clock) as client:
        answers = await asyncio.gather(*(client.paper_batch([f"id{i}"], "title") for i in range(6)))
        assert [a[0]["paperId"] for a in answers if a[0]] == [f"id{i}" for i in range(6)]
        assert len(sent_at) == 6
        gaps = [b - a for a, b in itertools.pairwise(sent_at)]
        assert all(g >= 0.5 - 1e-9 for g in gaps), gaps
        assert sent_at[-1] - sent_at[0] == pytest.approx(2.5)
        # Cache hits do not wait for the limiter.
        sleeps_before = len(clock.sleeps)
        await asyncio.gather(*(client.paper_batch([f"id{i}"], "title") for i in range(6)))
        assert len(sent_at) == 6
        assert len(clock.sleeps) == sleeps_before
        assert client.stats.cache_hits == 6


async def test_default_rate_is_one_request_per_second(tmp_path: Path, clock: FakeClock) -> None:
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now)
        return httpx.Response(200, json=[None])

    settings = make_settings(tmp_path, s2_rate_limit=Settings().s2_rate_limit)
    async with make_client(settings, httpx.MockTransport(handler), clock, use_cache=False) as c:
        for i in range(4):
            await c.paper_batch([f"x{i}"], "title")
    assert [round(t - sent_at[0], 6) for t in sent_at] == [0.0, 1.0, 2.0, 3.0]


async def test_backoff_holds_the_shared_limiter(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    """A 429 seen by one task makes the other concurrent tasks wait too."""
    sent_at: dict[str, list[float]] = {}
    inner = httpx.ASGITransport(app=fake)

    class Timed(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent_at.setdefault(json.loads(request.content)["ids"][0], []).append(clock.now)
            return await inner.handle_async_request(request)

    a, b = seed_ids(corpus, 2)
    fake.inject("429", path="batch", retry_after=5)
    async with make_client(make_settings(tmp_path), Timed(), clock) as client:
        await asyncio.gather(client.paper_batch([a], "title"), client.paper_batch([b], "title"))
    first_start = min(t for ts in sent_at.values() for t in ts)
    later = sorted(t for ts in sent_at.values() for t in ts)[1:]
    assert all(t >= first_start + 5 for t in later), sent_at


# --------------------------------------------------------------------------
# Backoff, Retry-After, budgets
# --------------------------------------------------------------------------
async def test_429_without_retry_after_backs_off_exponentially_with_jitter(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    fake.inject("429", times=3)
    ids = seed_ids(corpus, 2)
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        got = await client.paper_batch(ids, TITLE_FIELDS)
    assert [g["paperId"] for g in got if g] == ids
    assert len(fake.calls("batch")) == 4
    assert len(clock.sleeps) == 3
    for n, slept in enumerate(clock.sleeps):
        step = 1.0 * 2**n
        assert step / 2 <= slept <= step, (n, slept)
    assert client.stats.retries == 3
    assert client.stats.faults["HTTP 429"] == 3
    assert client.stats.retry_after_honoured == 0


async def test_backoff_is_capped(tmp_path: Path, fake: FakeS2, clock: FakeClock) -> None:
    fake.inject("503", times=6)
    settings = make_settings(tmp_path, s2_max_retries=6, s2_backoff_max_s=3.0)
    async with make_client(settings, fake, clock) as client:
        await client.paper_batch(["CorpusId:1"], "title")
    assert len(clock.sleeps) == 6
    assert max(clock.sleeps) <= 3.0
    assert clock.sleeps[-1] >= 1.5  # half the cap at least, with equal jitter


async def test_retry_after_is_honoured_up_to_the_cap(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    fake.inject("429", retry_after=7)
    fake.inject("429", retry_after=3600)
    ids = seed_ids(corpus, 1)
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        got = await client.paper_batch(ids, "title")
    assert got[0] is not None
    assert clock.sleeps == [7.0, 20.0]  # second one capped by s2_max_retry_after_s
    assert client.stats.retry_after_honoured == 2


async def test_5xx_with_recorded_bodies_are_retried(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    fake.inject("500")
    fake.inject("504")
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        got = await client.paper_batch(seed_ids(corpus, 3), "title")
    assert all(g is not None for g in got)
    assert client.stats.statuses[500] == 1
    assert client.stats.statuses[504] == 1
    assert client.stats.statuses[200] == 1
    assert [r.status for r in fake.requests] == [500, 504, 200]


async def test_per_request_retry_limit_raises_unavailable(
    tmp_path: Path, fake: FakeS2, clock: FakeClock
) -> None:
    fake.inject("500", times=100)
    settings = make_settings(tmp_path, s2_max_retries=2, s2_retry_budget=50)
    async with make_client(settings, fake, clock) as client:
        with pytest.raises(S2Unavailable) as err:
            await client.paper_batch(["CorpusId:1"], "title")
    assert not isinstance(err.value, S2RetryBudgetExceeded)
    assert "after 2 retries" in str(err.value)
    assert err.value.last_fault == "HTTP 500"
    assert len(fake.requests) == 3
    assert all(s < 10 for s in clock.sleeps)  # never an unbounded sleep


async def test_retry_budget_exhausted_raises_and_keeps_progress(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path, s2_max_retries=5, s2_retry_budget=3)
    a, b, c = seed_ids(corpus, 3)
    async with make_client(settings, fake, clock) as client:
        first = await client.paper_batch([a], "title")
        fake.inject("429", times=2)
        second = await client.paper_batch([b], "title")  # uses 2 of 3 retries
        fake.inject("504", times=10)
        with pytest.raises(S2RetryBudgetExceeded) as err:
            await client.paper_batch([c], "title")
        assert client.retries_left == 0
    assert "retry budget of 3" in str(err.value)
    assert "rerun resumes" in str(err.value)
    # Progress kept: what was answered before the failure replays offline.
    async with make_client(settings, fake, clock, offline=True) as offline:
        assert await offline.paper_batch([a], "title") == first
        assert await offline.paper_batch([b], "title") == second
        with pytest.raises(S2OfflineMiss):
            await offline.paper_batch([c], "title")


async def test_403_fails_fast_with_a_clear_message(tmp_path: Path, clock: FakeClock) -> None:
    fake = FakeS2(expected_api_key="the-right-key")
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        with pytest.raises(S2AuthError, match="the S2 API key is wrong"):
            await client.paper_batch(["CorpusId:470667"], "title")
    assert len(fake.requests) == 1
    assert clock.sleeps == []
    assert fake.requests[0].api_key_sent


async def test_right_key_is_sent_as_x_api_key(tmp_path: Path, clock: FakeClock) -> None:
    fake = FakeS2(expected_api_key=KEY)
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        got = await client.paper_batch(["CorpusId:470667"], "title")
    assert got[0] is not None
    assert got[0]["title"].startswith("How Much Should We Trust")


# --------------------------------------------------------------------------
# 400s, broken bodies, timeouts, transport errors
# --------------------------------------------------------------------------
async def test_too_large_400_splits_the_batch_in_halves(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    fake.too_large_over = 3
    ids = seed_ids(corpus, 10)
    ids.insert(4, "CorpusId:12345")  # unknown: stays a null in its place
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        got = await client.paper_batch(ids, "title")
    assert len(got) == 11
    assert got[4] is None
    assert [g["paperId"] for g in got if g] == [i for i in ids if not i.startswith("Corpus")]
    ok = [r for r in fake.requests if r.status == 200]
    assert all(len(r.body["ids"]) <= 3 for r in ok)
    assert sum(len(r.body["ids"]) for r in ok) == 11
    assert client.stats.batch_splits >= 3
    # The "too large" answers are cached as well, so an offline rerun splits the same way.
    async with make_client(make_settings(tmp_path), fake, clock, offline=True) as offline:
        assert await offline.paper_batch(ids, "title") == got


async def test_other_400_raises_bad_request_with_the_server_message(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        with pytest.raises(S2BadRequest, match=r"Unrecognized or unsupported fields: \[unknown\]"):
            await client.paper_batch(["CorpusId:1"], "unknown")
        # S2 looks the paper up before the fields (the recorded 404 had bad fields too).
        assert await client.paper("CorpusId:1", "unknown") is None
        with pytest.raises(S2BadRequest, match="Unrecognized"):
            await client.paper(seed_ids(corpus, 1)[0], "title,unknown")
    assert len(fake.requests) == 3
    assert clock.sleeps == []


async def test_truncated_json_is_retried_and_never_cached(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    fake.inject("truncate")
    ids = seed_ids(corpus, 4)
    settings = make_settings(tmp_path)
    async with make_client(settings, fake, clock) as client:
        got = await client.paper_batch(ids, TITLE_FIELDS)
    assert [g["paperId"] for g in got if g] == ids
    assert client.stats.faults["invalid JSON"] == 1
    assert len(fake.requests) == 2
    cache = S2Cache(settings.s2_cache_dir)
    assert len(cache) == 1
    entry = json.loads(next(settings.s2_cache_dir.glob("??/*.json")).read_text())
    assert json.loads(entry["payload"]) == got


async def test_timeout_is_retried(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    fake.inject("timeout", delay_s=30.0)
    settings = make_settings(tmp_path, s2_timeout_s=0.05)
    async with make_client(settings, fake, clock) as client:
        got = await client.paper_batch(seed_ids(corpus, 1), "title")
    assert got[0] is not None
    assert client.stats.faults["timeout"] == 1
    assert len(fake.requests) == 2


async def test_transport_errors_are_retried(tmp_path: Path, clock: FakeClock) -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("connection refused", request=request)
        if calls["n"] == 2:
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return httpx.Response(200, json=[{"paperId": "p"}])

    async with make_client(make_settings(tmp_path), httpx.MockTransport(handler), clock) as c:
        assert await c.paper_batch(["p"], "title") == [{"paperId": "p"}]
    assert calls["n"] == 3
    assert c.stats.retries == 2


async def test_batch_answer_of_wrong_length_is_a_protocol_error(
    tmp_path: Path, clock: FakeClock
) -> None:
    from loaders.s2_client import S2ProtocolError

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[None])

    async with make_client(make_settings(tmp_path), httpx.MockTransport(handler), clock) as c:
        with pytest.raises(S2ProtocolError, match="expected a list of 2"):
            await c.paper_batch(["a", "b"], "title")


# --------------------------------------------------------------------------
# Batches, title match, paging
# --------------------------------------------------------------------------
async def test_batch_keeps_order_and_nulls_and_splits_over_500(
    tmp_path: Path, clock: FakeClock
) -> None:
    corpus = corpus_from_titles([f"Synthetic ordering paper {i}" for i in range(260)], seed=5)
    fake = FakeS2(corpus, replay_recorded=False)
    known = list(corpus.papers)
    assert len(known) >= 520
    ids: list[str] = []
    for i, pid in enumerate(known[:510]):
        p = corpus.papers[pid]
        ids.append(pid if i % 3 else f"CorpusId:{p['corpusId']}")
        if i % 100 == 7:
            ids.append(f"CorpusId:{i}")  # unknown
    fake.null_ids.add(known[20])
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        got = await client.paper_batch(ids, "title,corpusId")
    assert len(got) == len(ids)
    assert [len(r.body["ids"]) for r in fake.requests] == [500, len(ids) - 500]
    for raw, answer in zip(ids, got, strict=True):
        if (raw.startswith("CorpusId:") and int(raw.split(":")[1]) < 1000) or raw == known[20]:
            assert answer is None
        else:
            assert answer is not None
            assert raw in (answer["paperId"], f"CorpusId:{answer['corpusId']}")


async def test_author_batch_in_order_with_nulls(tmp_path: Path, clock: FakeClock) -> None:
    fake = FakeS2()  # the recorded corpus
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        got = await client.author_batch(["0", "3234559", "1726629", "1711844"], "name")
    assert got[0] is None
    assert [g["name"] for g in got[1:] if g] == ["E. Dijkstra", "D. Parnas", "I. Sommerville"]


async def test_search_match_found_and_not_found(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    pid = seed_ids(corpus, 1)[0]
    title = corpus.papers[pid]["title"]
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        hit = await client.search_match(title.upper(), "title,year")
        miss = await client.search_match("Completely unrelated words about cheese", "title")
        again = await client.search_match("Completely unrelated words about cheese", "title")
    assert hit is not None
    assert hit["paperId"] == pid
    assert isinstance(hit["matchScore"], float)
    assert miss is None
    assert again is None
    # The 404 is a definitive answer: cached, not asked twice.
    assert len(fake.calls("search/match")) == 2


def _paging_corpus() -> FakeCorpus:
    papers = [
        {"paperId": f"{i:040x}", "title": f"Synthetic paging paper {i}", "authors": []}
        for i in range(40)
    ]
    hub = papers[0]["paperId"]
    edges = [Edge(hub, p["paperId"], intents=["background"]) for p in papers[1:21]]
    edges += [Edge(hub, None, cited_title=f"Synthetic unresolved {k}") for k in range(5)]
    edges += [Edge(p["paperId"], hub, is_influential=True) for p in papers[21:]]
    return FakeCorpus(papers, edges, synthetic=True, label="synthetic paging corpus")


async def test_references_are_paged_until_there_is_no_next(
    tmp_path: Path, clock: FakeClock
) -> None:
    fake = FakeS2(_paging_corpus(), replay_recorded=False)
    hub = f"{0:040x}"
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        items = [i async for i in client.references(hub, "title", limit=10)]
        assert len(items) == 25
        assert [r.params["offset"] for r in fake.calls("references")] == ["0", "10", "20"]
        assert all(r.params["limit"] == "10" for r in fake.calls("references"))
        assert sum(1 for i in items if i["citedPaper"]["paperId"] is None) == 5
        assert {"isInfluential", "intents", "contexts", "citedPaper"} <= set(items[0])
        assert items[0]["intents"] == ["background"]

        cites = [i async for i in client.citations(hub, "title,year", limit=7)]
        assert len(cites) == 19
        assert all(c["isInfluential"] for c in cites)
        assert len(fake.calls("citations")) == 3

        few = [i async for i in client.references(hub, "title", limit=10, max_items=12)]
        assert len(few) == 12
        assert [r.params["limit"] for r in fake.calls("references")][-2:] == ["10", "2"]

        with pytest.raises(S2NotFound):
            _ = [i async for i in client.references("CorpusId:1", "title")]


async def test_page_size_is_capped_at_1000(tmp_path: Path, clock: FakeClock) -> None:
    fake = FakeS2(_paging_corpus(), replay_recorded=False)
    async with make_client(make_settings(tmp_path), fake, clock) as client:
        _ = [i async for i in client.references(f"{0:040x}", "title", limit=5000)]
    assert fake.calls("references")[0].params["limit"] == "1000"


# --------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------
async def _workload(client: S2Client, corpus: FakeCorpus) -> list[Any]:
    ids = seed_ids(corpus, 5)
    out: list[Any] = [await client.paper_batch(ids, TITLE_FIELDS)]
    out.append(await client.search_match(corpus.papers[ids[0]]["title"], "title"))
    out.append([i async for i in client.references(ids[1], "title", limit=2)])
    out.append([i async for i in client.citations(ids[1], "title")])
    return out


async def test_rerun_is_served_from_the_cache(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path)
    async with make_client(settings, fake, clock) as first:
        one = await _workload(first, corpus)
    sent = len(fake.requests)
    assert first.stats.requests_sent == sent > 3
    async with make_client(settings, fake, clock) as second:
        two = await _workload(second, corpus)
    assert two == one
    assert len(fake.requests) == sent
    assert second.stats.requests_sent == 0
    assert second.stats.cache_hits == sent


async def test_offline_serves_from_cache_and_a_miss_raises(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path)
    async with make_client(settings, fake, clock) as online:
        one = await _workload(online, corpus)
    sent = len(fake.requests)
    async with make_client(make_settings(tmp_path, s2_offline=True), fake, clock) as offline:
        assert offline.offline
        assert await _workload(offline, corpus) == one
        with pytest.raises(S2OfflineMiss, match="offline and not cached"):
            await offline.paper_batch(seed_ids(corpus, 6)[-1:], TITLE_FIELDS)
    assert len(fake.requests) == sent


async def test_corrupted_cache_entry_is_detected_and_refetched(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path)
    ids = seed_ids(corpus, 3)
    async with make_client(settings, fake, clock) as client:
        good = await client.paper_batch(ids, TITLE_FIELDS)
    (entry,) = list(settings.s2_cache_dir.glob("??/*.json"))
    stored = json.loads(entry.read_text())
    # A payload changed behind the checksum's back, then a torn write.
    stored["payload"] = stored["payload"].replace(ids[0], "0" * 40)
    entry.write_text(json.dumps(stored))
    async with make_client(settings, fake, clock) as client:
        assert await client.paper_batch(ids, TITLE_FIELDS) == good
        assert client.stats.cache_corrupt == 1
        assert client.stats.requests_sent == 1
    entry.write_bytes(entry.read_bytes()[:40])
    async with make_client(settings, fake, clock) as client:
        assert await client.paper_batch(ids, TITLE_FIELDS) == good
        assert client.stats.cache_corrupt == 1
    async with make_client(settings, fake, clock) as client:
        assert await client.paper_batch(ids, TITLE_FIELDS) == good
        assert client.stats.cache_hits == 1
        assert client.stats.requests_sent == 0
    assert not list(settings.s2_cache_dir.glob("??/.tmp-*"))


def test_cache_key_is_canonical() -> None:
    k = cache_key("POST", "paper/batch", {"fields": "title"}, {"ids": ["a", "b"]}, namespace="n")
    assert k == cache_key(
        "post", "paper/batch", {"fields": "title"}, json.loads('{"ids":["a","b"]}'), namespace="n"
    )
    assert k != cache_key(
        "POST", "paper/batch", {"fields": "title"}, {"ids": ["b", "a"]}, namespace="n"
    )
    assert k != cache_key(
        "POST", "paper/batch", {"fields": "year"}, {"ids": ["a", "b"]}, namespace="n"
    )
    assert k != cache_key(
        "POST", "paper/batch", {"fields": "title"}, {"ids": ["a", "b"]}, namespace="m"
    )
    a = cache_key("GET", "p", {"offset": 0, "limit": 10}, None, namespace="n")
    assert a == cache_key("GET", "p", {"limit": 10, "offset": 0}, None, namespace="n")


async def test_cache_can_be_disabled(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path)
    ids = seed_ids(corpus, 2)
    async with make_client(settings, fake, clock, use_cache=False) as client:
        await client.paper_batch(ids, "title")
        await client.paper_batch(ids, "title")
    assert len(fake.requests) == 2
    assert not settings.s2_cache_dir.exists()


# --------------------------------------------------------------------------
# The key stays secret
# --------------------------------------------------------------------------
async def test_api_key_never_appears_in_logs_repr_or_errors(
    tmp_path: Path, corpus: FakeCorpus, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeS2(corpus, replay_recorded=False)
    fake.inject("429", times=2)
    fake.inject("truncate")
    errors: list[str] = []
    settings = make_settings(tmp_path)
    async with make_client(settings, fake, clock) as client:
        await client.paper_batch(seed_ids(corpus, 2), "title")
        _ = [i async for i in client.references(seed_ids(corpus, 1)[0], "title")]
        try:
            await client.paper_batch(["x"], "unknown")
        except S2BadRequest as exc:
            errors.append(str(exc))
        assert KEY not in repr(client)
        assert "api_key=set" in repr(client)
    fake.expected_api_key = "another-key"
    async with make_client(settings, fake, clock, use_cache=False) as client:
        try:
            await client.paper_batch(["y"], "title")
        except S2AuthError as exc:
            errors.append(str(exc))
    assert len(errors) == 2
    assert caplog.records, "expected the client to log something"
    assert any("retry" in r.getMessage() for r in caplog.records)
    text = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert KEY not in text
    assert all(KEY not in e for e in errors)
    assert KEY not in repr(settings)
    assert all(r.api_key_sent for r in fake.requests)


async def test_cache_is_per_server_unless_the_namespace_is_pinned(
    tmp_path: Path, fake: FakeS2, corpus: FakeCorpus, clock: FakeClock
) -> None:
    ids = seed_ids(corpus, 2)
    async with make_client(make_settings(tmp_path), fake, clock) as first:
        await first.paper_batch(ids, "title")
    moved = make_settings(tmp_path, s2_base_url="http://127.0.0.1:9999/graph/v1")
    async with make_client(moved, fake, clock) as other_server:
        await other_server.paper_batch(ids, "title")
        assert other_server.stats.cache_hits == 0
    pinned = make_settings(tmp_path, s2_cache_namespace="fake-s2")
    async with make_client(pinned, fake, clock) as a:
        await a.paper_batch(ids, "title")
    pinned_moved = make_settings(
        tmp_path, s2_cache_namespace="fake-s2", s2_base_url="http://127.0.0.1:9999/graph/v1"
    )
    async with make_client(pinned_moved, fake, clock) as b:
        await b.paper_batch(ids, "title")
        assert b.stats.cache_hits == 1
        assert b.stats.requests_sent == 0
