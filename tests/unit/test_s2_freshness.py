"""Cache freshness: each kind of cached S2 answer has a maximum age (loaders/s2_cache.py).

The wall clock of the cache is injected, so "seven hours later" is a number,
not a wait. The fake S2 changes its mind between calls the way the real one
does: a paper unknown today (``null_ids``) is known tomorrow, and a paper
gains a citation.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from loaders.s2_cache import DAY_S, HOUR_S, CacheAges, S2Cache, answer_kind
from loaders.s2_client import S2Client
from tests.fakes.fake_s2 import FakeS2
from tests.fakes.fake_s2_corpus import Edge, FakeCorpus, corpus_from_titles
from tests.unit.test_s2_client import FakeClock, make_settings

START = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


class WallClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def corpus() -> FakeCorpus:
    return corpus_from_titles([f"Synthetic freshness seed {i}" for i in range(6)], seed=11)


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


def client_for(tmp_path: Path, fake: FakeS2, wall: WallClock, **kwargs: Any) -> S2Client:
    clock = FakeClock()
    return S2Client(
        make_settings(tmp_path).s2_config(),
        transport=httpx.ASGITransport(app=fake),
        sleep=clock.sleep,
        clock=clock.time,
        now=wall,
        **kwargs,
    )


def seeds(corpus: FakeCorpus) -> list[str]:
    return [p for p, v in corpus.papers.items() if "freshness seed" in v["title"]]


async def test_not_found_answer_is_asked_again_after_its_age(
    tmp_path: Path, corpus: FakeCorpus, wall: WallClock
) -> None:
    fake = FakeS2(corpus, replay_recorded=False)
    ids = seeds(corpus)[:3]
    fake.null_ids.add(ids[1])
    async with client_for(tmp_path, fake, wall) as client:
        first = await client.paper_batch(ids, "title")
    assert first[1] is None
    fake.null_ids.clear()  # S2 has learnt of the paper since

    wall.advance(CacheAges().not_found_s - 60)  # type: ignore[operator]
    async with client_for(tmp_path, fake, wall) as client:
        again = await client.paper_batch(ids, "title")
        assert client.stats.cache_hits == 1 and client.stats.requests_sent == 0
    assert again[1] is None, "inside the not-found age the cached answer is replayed"

    wall.advance(120)
    async with client_for(tmp_path, fake, wall) as client:
        later = await client.paper_batch(ids, "title")
        assert client.stats.cache_stale == 1 and client.stats.requests_sent == 1
    assert later[1] is not None and later[1]["paperId"] == ids[1]
    # The fresh answer replaced the stale one: a complete batch is a "details" answer.
    (entry,) = [json.loads(p.read_text()) for p in (tmp_path / "cache" / "s2-http").glob("??/*")]
    assert entry["kind"] == "details"


async def test_lists_and_details_have_their_own_ages(
    tmp_path: Path, corpus: FakeCorpus, wall: WallClock
) -> None:
    fake = FakeS2(corpus, replay_recorded=False)
    seed = seeds(corpus)[0]
    async with client_for(tmp_path, fake, wall) as client:
        before = [i async for i in client.citations(seed, "title")]
        await client.paper_batch([seed], "title")
    newcomer = next(
        p
        for p in corpus.papers
        if "follow-up" in corpus.papers[p]["title"]
        and all(e.citing != p for e in corpus.citations_of.get(seed, []))
    )
    new_edge = Edge(newcomer, seed)
    corpus.edges.append(new_edge)
    corpus.citations_of.setdefault(seed, []).append(new_edge)

    wall.advance(8 * DAY_S)  # past the list age, inside the details age
    async with client_for(tmp_path, fake, wall) as client:
        after = [i async for i in client.citations(seed, "title")]
        await client.paper_batch([seed], "title")
        assert client.stats.requests_sent == 1  # only the citations page
        assert client.stats.cache_hits == 1
    assert len(after) == len(before) + 1
    assert newcomer in {i["citingPaper"]["paperId"] for i in after}


async def test_offline_replays_entries_of_any_age(
    tmp_path: Path, corpus: FakeCorpus, wall: WallClock
) -> None:
    fake = FakeS2(corpus, replay_recorded=False)
    ids = seeds(corpus)[:2]
    async with client_for(tmp_path, fake, wall) as client:
        await client.paper_batch(ids, "title")
    wall.advance(365 * DAY_S)
    async with client_for(tmp_path, fake, wall, offline=True) as client:
        got = await client.paper_batch(ids, "title")
        assert client.stats.cache_hits == 1
    assert [g["paperId"] for g in got if g] == ids


async def test_refresh_all_asks_again_at_once(
    tmp_path: Path, corpus: FakeCorpus, wall: WallClock
) -> None:
    fake = FakeS2(corpus, replay_recorded=False)
    ids = seeds(corpus)[:2]
    async with client_for(tmp_path, fake, wall) as client:
        await client.paper_batch(ids, "title")
    async with client_for(tmp_path, fake, wall, cache_ages=CacheAges.refresh_all()) as client:
        await client.paper_batch(ids, "title")
        assert client.stats.requests_sent == 1 and client.stats.cache_stale == 1


def test_entries_without_a_kind_are_classified_from_what_they_stored(
    tmp_path: Path, wall: WallClock
) -> None:
    cache = S2Cache(tmp_path, now=wall)
    cache.put(
        "k1",
        method="GET",
        url="/paper/x/citations?offset=0",
        body=None,
        status=200,
        payload='{"data": []}',
        kind="lists",
    )
    path = next(tmp_path.glob("??/k1.json"))
    entry = json.loads(path.read_text())
    del entry["kind"]  # as written before kinds existed
    path.write_text(json.dumps(entry))
    wall.advance(2 * HOUR_S)
    assert cache.get("k1", ages=CacheAges()) is not None
    wall.advance(7 * DAY_S)
    assert cache.get("k1", ages=CacheAges()) is None
    assert cache.stale_entries == 1
    assert path.exists(), "a stale entry stays until the fresh answer replaces it"


@pytest.mark.parametrize(
    ("path", "status", "parsed", "kind"),
    [
        ("/paper/ARXIV:1/references?offset=0", 200, {"data": [{"citedPaper": None}]}, "lists"),
        ("paper/search/match", 200, {"data": [{"paperId": "p"}]}, "details"),
        ("paper/search/match", 200, {"data": []}, "not_found"),
        ("paper/abc", 404, {"error": "Paper with id abc not found"}, "not_found"),
        ("paper/batch", 200, [{"paperId": "p"}], "details"),
    ],
)
def test_answer_kind(path: str, status: int, parsed: Any, kind: str) -> None:
    assert answer_kind(path, status, parsed) == kind
