"""Loads through Semantic Scholar storms: they finish within the retry budget, or stop
cleanly with their progress kept, and a rerun ends in the same graph as a calm load.

The fake S2 runs in process around a SYNTHETIC corpus built from the sample
page's titles. :class:`Storm` wraps it and queues a fault before chosen
requests (every other one for "half the answers"), so the share of faults is
exact rather than random. Every expectation is computed from a calm load of
the same entries, never written down.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from starlette.types import Receive, Scope, Send

from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import graph_dump
from loaders.pipeline import EXIT_OK, EXIT_PARTIAL, LoadSummary
from loaders.rows import PaperRef
from loaders.s2_client import S2Stats
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.fakes.fake_s2 import BASE_PATH, FakeS2, load_through
from tests.fakes.fake_s2_corpus import FakeCorpus, corpus_from_titles
from tests.integration.conftest import Neo4jHandle

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
ENTRIES = 10


@pytest.fixture(scope="module")
def refs() -> list[PaperRef]:
    return parse_source(SAMPLE)[:ENTRIES]


@pytest.fixture(scope="module")
def corpus(refs: list[PaperRef]) -> FakeCorpus:
    return corpus_from_titles(refs, seed=0)


def s2_settings(neo4j_settings: Settings, cache: Path, **update: Any) -> Settings:
    base: dict[str, Any] = {
        "s2_base_url": "http://fake-s2.test" + BASE_PATH,
        "s2_api_key": None,
        "s2_rate_limit": 0.0,
        "s2_backoff_base_s": 0.001,
        "s2_backoff_max_s": 0.01,
        "s2_timeout_s": 0.3,
        "citekb_cache_dir": cache,
        "load_flush_interval_s": 0.05,
    }
    base.update(update)
    return neo4j_settings.model_copy(update=base)


@dataclass
class Storm:
    """An ASGI wrapper that queues ``faults`` on the fake before the chosen requests.

    ``pattern`` decides, by the request's number (0-based), whether a fault
    goes before it; the faults cycle through ``faults``.
    """

    fake: FakeS2
    faults: list[dict[str, Any]]
    pattern: str
    seen: int = 0
    injected: int = 0
    _cycle: Iterator[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self._cycle = itertools.cycle(self.faults)

    def hit(self, n: int) -> bool:
        if self.pattern == "half":
            return n % 2 == 0
        if self.pattern == "bursts":  # 3 in a row, then 5 calm
            return n % 8 < 3
        if self.pattern == "quarter":
            return n % 4 == 0
        raise ValueError(self.pattern)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self.hit(self.seen):
                self.fake.inject(**next(self._cycle))
                self.injected += 1
            self.seen += 1
        await self.fake(scope, receive, send)


async def load(
    refs: list[PaperRef], app: Any, settings: Settings, driver: Driver
) -> tuple[LoadSummary, S2Stats]:
    return await load_through(
        app, refs, settings, driver, depth=1, source="storm",
        flush_interval_s=settings.load_flush_interval_s,
    )  # fmt: skip


@dataclass(frozen=True)
class Calm:
    dump: dict[str, list[dict[str, Any]]]
    requests: int


@pytest.fixture(scope="module")
async def calm(
    session_driver: Driver,
    neo4j: Neo4jHandle,
    refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path_factory: pytest.TempPathFactory,
) -> Calm:
    """The graph and request count of the same load without any fault."""
    graph_store.clear_data(session_driver, neo4j.settings.neo4j_database)
    settings = s2_settings(neo4j.settings, tmp_path_factory.mktemp("calm"))
    fake = FakeS2(corpus, replay_recorded=False)
    summary, _ = await load(refs, fake, settings, session_driver)
    assert summary.enrichment == "complete" and summary.retries == 0
    dump = graph_dump(session_driver, database=settings.neo4j_database)
    assert any(r["type"] == "CITES" for r in dump["relationships"])
    return Calm(dump, len(fake.requests))


STORMS: dict[str, tuple[list[dict[str, Any]], str]] = {
    "half 429 without Retry-After": ([{"kind": "429"}], "half"),
    "half 429 with Retry-After": ([{"kind": "429", "retry_after": "0.01"}], "half"),
    "5xx bursts": ([{"kind": k} for k in ("500", "502", "503", "504")], "bursts"),
    "timeouts": ([{"kind": "timeout", "delay_s": 1.0}], "quarter"),
    "half truncated JSON": ([{"kind": "truncate"}], "half"),
    "mixed": (
        [{"kind": k} for k in ("429", "truncate", "503", "500")]
        + [{"kind": "429", "retry_after": "0"}],
        "half",
    ),
}


@pytest.mark.parametrize("storm", list(STORMS))
async def test_a_storm_is_ridden_out_within_the_retry_budget(
    calm: Calm,
    driver: Driver,
    *,
    neo4j_settings: Settings,
    refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path: Path,
    storm: str,
) -> None:
    faults, pattern = STORMS[storm]
    budget = 2 * calm.requests  # enough for a fault before every other request
    settings = s2_settings(neo4j_settings, tmp_path, s2_retry_budget=budget)
    wrapped = Storm(FakeS2(corpus, replay_recorded=False), faults, pattern)
    summary, stats = await load(refs, wrapped, settings, driver)

    assert summary.enrichment == "complete", summary.as_dict()
    assert summary.exit_code == EXIT_OK
    # Every injected fault cost exactly one retry, nothing else did.
    assert wrapped.injected > 0
    assert summary.retries == stats.retries == wrapped.injected <= budget
    assert len(wrapped.fake.requests) == calm.requests + wrapped.injected
    if all("retry_after" in f for f in faults):
        assert stats.retry_after_honoured == wrapped.injected
    elif not any("retry_after" in f for f in faults):
        assert stats.retry_after_honoured == 0
    assert sum(stats.faults.values()) == wrapped.injected
    # Nothing cached from a faulty answer: the graph is the calm one.
    assert graph_dump(driver, database=settings.neo4j_database) == calm.dump


@pytest.mark.parametrize("storm", ["half 429 without Retry-After", "5xx bursts"])
async def test_a_storm_beyond_the_budget_stops_cleanly_and_a_rerun_completes(
    calm: Calm,
    driver: Driver,
    *,
    neo4j_settings: Settings,
    refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path: Path,
    storm: str,
) -> None:
    faults, pattern = STORMS[storm]
    # A budget that runs out part-way through the edges.
    settings = s2_settings(neo4j_settings, tmp_path, s2_retry_budget=calm.requests // 3)
    db = settings.neo4j_database
    wrapped = Storm(FakeS2(corpus, replay_recorded=False), faults, pattern)
    stopped, _ = await load(refs, wrapped, settings, driver)

    assert stopped.exit_code == EXIT_PARTIAL
    assert stopped.enrichment in ("partial", "skipped")
    assert stopped.s2_problem is not None and "retry budget" in stopped.s2_problem
    assert "rerun" in stopped.messages[0]
    # Progress kept: every entry is in the graph (from S2 or from the page).
    kept = graph_dump(driver, database=db)
    seeds = [n for n in kept["nodes"] if n["label"] == "Paper" and n["props"].get("isSeed")]
    assert len(seeds) == ENTRIES
    answered = len(wrapped.fake.requests) - wrapped.injected

    # The storm is over: the same load resumes from the cache and ends in the calm graph.
    fake = FakeS2(corpus, replay_recorded=False)
    again, stats = await load(refs, fake, settings, driver)
    assert again.enrichment == "complete", again.as_dict()
    assert stats.cache_hits > 0
    assert len(fake.requests) <= calm.requests - answered + 1
    assert graph_dump(driver, database=db) == calm.dump


async def test_corrupted_cache_entries_are_refetched_by_a_rerun(
    calm: Calm,
    driver: Driver,
    *,
    neo4j_settings: Settings,
    refs: list[PaperRef],
    corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    settings = s2_settings(neo4j_settings, tmp_path)
    fake = FakeS2(corpus, replay_recorded=False)
    await load(refs, fake, settings, driver)
    entries = sorted(settings.s2_cache_dir.glob("??/*.json"))
    assert len(entries) == calm.requests
    # Three kinds of damage: a payload changed behind its checksum, a torn
    # write, and bytes that are not JSON at all.
    changed = json.loads(entries[0].read_text(encoding="utf-8"))
    changed["payload"] = changed["payload"][:-2] + " ]"
    entries[0].write_text(json.dumps(changed), encoding="utf-8")
    entries[1].write_bytes(entries[1].read_bytes()[:25])
    entries[2].write_bytes(b"\x00\xff not json")

    fake.requests.clear()
    again, stats = await load(refs, fake, settings, driver)
    assert again.enrichment == "complete"
    assert stats.cache_corrupt == 3
    assert len(fake.requests) == 3
    assert stats.cache_hits == calm.requests - 3
    assert graph_dump(driver, database=settings.neo4j_database) == calm.dump
