"""The load pipeline against a fake Semantic Scholar (in process) and a real Neo4j.

The fake (:mod:`tests.fakes.fake_s2`) serves a synthetic corpus built around the
54 titles of the sample Daily Papers page (:func:`corpus_from_titles`, every
generated record labelled synthetic), so every expected number below is
computed from that corpus, not written down by hand.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver
from pydantic import SecretStr

from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import graph_counts, graph_dump
from loaders.pipeline import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_PARTIAL,
    TITLE_MATCH_THRESHOLD,
    LoadSummary,
    expected_requests,
    run_load,
)
from loaders.rows import PaperRef, normalise_title, org_key
from loaders.s2_client import S2Client
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.fakes.fake_s2 import BASE_PATH, FakeS2, load_through
from tests.fakes.fake_s2_corpus import FakeCorpus, corpus_from_titles

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
FAKE_URL = "http://fake-s2.test" + BASE_PATH


@pytest.fixture(scope="module")
def sample_refs() -> list[PaperRef]:
    refs = parse_source(SAMPLE)
    assert len(refs) == 54
    return refs


@pytest.fixture(scope="module")
def sample_corpus(sample_refs: list[PaperRef]) -> FakeCorpus:
    return corpus_from_titles(sample_refs, seed=0)


def s2_settings(neo4j_settings: Settings, cache_dir: Path) -> Settings:
    # No rate limit and tiny backoffs in process: the fake answers at once.
    return neo4j_settings.model_copy(
        update={
            "s2_base_url": FAKE_URL,
            "s2_api_key": None,
            "s2_rate_limit": 0.0,
            "s2_backoff_base_s": 0.001,
            "s2_backoff_max_s": 0.01,
            "citekb_cache_dir": cache_dir,
        }
    )


async def load(
    refs: list[PaperRef],
    fake: FakeS2,
    settings: Settings,
    driver: Driver,
    **options: Any,
) -> LoadSummary:
    summary, _ = await load_through(fake, refs, settings, driver, source="sample", **options)
    return summary


def seed_ids(corpus: FakeCorpus, refs: Iterable[PaperRef]) -> list[str]:
    return [corpus.by_title[normalise_title(str(r.title))][0] for r in refs]


def expected_edges(corpus: FakeCorpus, seeds: Iterable[str]) -> dict[tuple[str, str], Any]:
    edges: dict[tuple[str, str], Any] = {}
    for s in seeds:
        for e in corpus.references_of.get(s, []) + corpus.citations_of.get(s, []):
            if e.cited is not None:
                edges[(e.citing, e.cited)] = e
    return edges


def edge_pages(corpus: FakeCorpus, seeds: Iterable[str]) -> int:
    pages = 0
    for s in seeds:
        pages += max(1, math.ceil(len(corpus.references_of.get(s, [])) / 1000))
        pages += max(1, math.ceil(len(corpus.citations_of.get(s, [])) / 1000))
    return pages


def seed_authors(corpus: FakeCorpus, seeds: Iterable[str]) -> list[str]:
    ids: dict[str, None] = {}
    for s in seeds:
        for a in corpus.papers[s]["authors"]:
            ids.setdefault(a["authorId"])
    return list(ids)


def requests_by_kind(fake: FakeS2) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for r in fake.requests:
        if r.path.endswith("/references"):
            kinds["references"] += 1
        elif r.path.endswith("/citations"):
            kinds["citations"] += 1
        else:
            kinds[f"{r.method} {r.path}"] += 1
    return kinds


def rels(dump: dict[str, list[dict[str, Any]]], kind: str) -> list[dict[str, Any]]:
    return [r for r in dump["relationships"] if r["type"] == kind]


def pid(node_ref: str) -> str:
    return node_ref.split("/", 1)[1]


# --------------------------------------------------------------------------
async def test_depth1_sample_load_writes_the_graph_and_a_rerun_changes_nothing(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    fake = FakeS2(sample_corpus, replay_recorded=False)
    summary = await load(sample_refs, fake, settings, driver, depth=1)

    seeds = seed_ids(sample_corpus, sample_refs)
    assert summary.enrichment == "complete", summary.as_dict()
    assert summary.exit_code == EXIT_OK
    assert (summary.parsed, summary.resolved, summary.unresolved) == (54, 54, [])
    assert summary.placeholders_written == 0
    nulls = sum(1 for s in seeds for e in sample_corpus.references_of.get(s, []) if e.cited is None)
    assert nulls > 0
    assert summary.null_in_edges == nulls
    assert summary.s2_requests == len(fake.requests)

    db = settings.neo4j_database
    dump = graph_dump(driver, database=db)
    papers = {n["key"]: n["props"] for n in dump["nodes"] if n["label"] == "Paper"}

    # CITES: exactly the corpus edges touching a seed, with their intents and influence.
    want = expected_edges(sample_corpus, seeds)
    cites = {(pid(r["start"]), pid(r["end"])): r["props"] for r in rels(dump, "CITES")}
    assert set(cites) == set(want)
    for key, props in cites.items():
        assert props["isInfluential"] is want[key].is_influential
        assert props.get("intents", []) == want[key].intents
        assert props["source"] == "s2-api"
    assert any(p["isInfluential"] for p in cites.values())
    assert any(p.get("intents") for p in cites.values())
    assert set(papers) == {p for edge in want for p in edge} | set(seeds)
    assert {k for k, p in papers.items() if p.get("isSeed")} == set(seeds)

    # AUTHORED with the author's position on each seed; authors enriched by /author/batch.
    authored = {(pid(r["start"]), pid(r["end"])): r["props"] for r in rels(dump, "AUTHORED")}
    for s in seeds:
        for position, a in enumerate(sample_corpus.papers[s]["authors"]):
            assert authored[(a["authorId"], s)]["position"] == position
    authors = {n["key"]: n["props"] for n in dump["nodes"] if n["label"] == "Author"}
    for aid in seed_authors(sample_corpus, seeds):
        assert authors[aid]["hIndex"] == sample_corpus.authors[aid]["hIndex"]
    assert summary.authors_fetched == len(seed_authors(sample_corpus, seeds))

    # Topics: S2 fields of study and keyphrases on every seed.
    topic_sources: dict[str, set[str]] = {s: set() for s in seeds}
    for r in rels(dump, "HAS_TOPIC"):
        if pid(r["start"]) in topic_sources:
            topic_sources[pid(r["start"])].add(r["props"]["source"])
    assert all(v == {"s2-fos", "keyphrase"} for v in topic_sources.values()), topic_sources

    # Organisations: the page's submitting org, and S2 affiliations.
    submitted = {(pid(r["start"]), pid(r["end"])) for r in rels(dump, "SUBMITTED")}
    expected_submitted = {
        (org_key(str(ref.organization)), s)
        for ref, s in zip(sample_refs, seeds, strict=True)
        if ref.organization
    }
    assert expected_submitted
    assert submitted == expected_submitted
    assert rels(dump, "AFFILIATED_WITH")

    # A second load: every answer from the cache, no node/relationship/property changes.
    counts = graph_counts(driver, database=db)
    fake.requests.clear()
    again = await load(sample_refs, fake, settings, driver, depth=1)
    assert fake.requests == []
    assert again.s2_requests == 0
    assert again.cache_hits == summary.s2_requests
    assert again.writes.nodes_created == 0
    assert again.writes.relationships_created == 0
    assert graph_counts(driver, database=db) == counts
    assert graph_dump(driver, database=db) == dump


async def test_request_count_for_titles_is_the_formula(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    fake = FakeS2(sample_corpus, replay_recorded=False)
    summary = await load(sample_refs, fake, settings, driver, depth=1)
    seeds = seed_ids(sample_corpus, sample_refs)
    n = len(sample_refs)
    kinds = requests_by_kind(fake)
    pages = edge_pages(sample_corpus, seeds)
    authors = len(seed_authors(sample_corpus, seeds))
    assert kinds == {
        "GET /paper/search/match": n,
        "POST /paper/batch": math.ceil(n / 500),
        "references": len(seeds),
        "citations": len(seeds),
        "POST /author/batch": math.ceil(authors / 1000),
    }
    assert len(fake.requests) == summary.s2_requests
    assert summary.s2_requests == expected_requests(
        titles=n, resolved=n, edge_pages=pages, authors=authors
    )


def with_many_citations(corpus: FakeCorpus, cited: str, extra: int) -> FakeCorpus:
    """The corpus plus ``extra`` synthetic papers citing ``cited`` (to exercise paging)."""
    data = corpus.to_json()
    for k in range(extra):
        citing = f"{k:040x}"
        data["papers"].append(
            {"paperId": citing, "title": f"Synthetic citing paper {k}", "year": 2026}
        )
        data["edges"].append(
            {"citing": citing, "cited": cited, "isInfluential": k % 7 == 0, "intents": []}
        )
    return FakeCorpus.from_json(data)


async def test_request_count_for_ids_has_no_title_matches_and_one_details_call(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    seeds = seed_ids(sample_corpus, sample_refs)[:20]
    # One seed is cited over 1000 times: its citations take two pages of 1000.
    corpus = with_many_citations(sample_corpus, seeds[0], 1001)
    refs = [
        PaperRef(title=None, corpus_id=corpus.papers[s]["corpusId"], source=f"ids:{i}")
        for i, s in enumerate(seeds)
    ]
    refs.append(PaperRef(title=None, corpus_id=12345, source="ids:unknown"))
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    fake = FakeS2(corpus, replay_recorded=False)
    summary = await load(refs, fake, settings, driver, depth=1)

    kinds = requests_by_kind(fake)
    authors = len(seed_authors(corpus, seeds))
    pages = edge_pages(corpus, seeds)
    assert pages == 2 * len(seeds) + 1
    assert kinds == {
        "POST /paper/batch": 1,
        "references": len(seeds),
        "citations": len(seeds) + 1,
        "POST /author/batch": 1,
    }
    assert summary.s2_requests == expected_requests(
        titles=0, resolved=len(refs), edge_pages=pages, authors=authors
    )
    # The unknown id: a null in the batch answer, counted and reported, stored from the entry.
    assert summary.null_in_batches == 1
    assert [(u.source, u.reason) for u in summary.unresolved] == [
        ("ids:unknown", "not found in Semantic Scholar (CorpusId:12345)")
    ]
    assert summary.exit_code == EXIT_PARTIAL
    dump = graph_dump(driver, database=settings.neo4j_database)
    cited_first = [r for r in rels(dump, "CITES") if pid(r["end"]) == seeds[0]]
    assert len(cited_first) == len(corpus.citations_of[seeds[0]]) > 1000


async def test_max_citations_per_paper_and_depth0(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    seeds = seed_ids(sample_corpus, sample_refs)[:3]
    corpus = with_many_citations(sample_corpus, seeds[0], 1001)
    refs = [PaperRef(title=None, s2_id=s, source=f"ids:{i}") for i, s in enumerate(seeds)]
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    fake = FakeS2(corpus, replay_recorded=False)
    summary = await load(refs, fake, settings, driver, depth=1, max_citations_per_paper=700)
    assert summary.enrichment == "complete"
    citation_calls = [r for r in fake.requests if r.path.endswith("/citations")]
    assert len(citation_calls) == len(seeds)
    assert {r.params["limit"] for r in citation_calls} == {"700"}
    dump = graph_dump(driver, database=settings.neo4j_database)
    assert len([r for r in rels(dump, "CITES") if pid(r["end"]) == seeds[0]]) == 700

    # depth 0: details and authors only, no edge request, no CITES.
    fake.requests.clear()
    depth0 = await load(refs, fake, s2_settings(neo4j_settings, tmp_path / "c0"), driver, depth=0)
    assert {r.path for r in fake.requests} == {"/paper/batch", "/author/batch"}
    assert depth0.cites_written == 0


async def test_unresolved_titles_are_reported_with_reasons_and_kept(
    driver: Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    # Synthetic titles (no real paper has them).
    day = datetime.date(2025, 3, 1)
    known = [
        PaperRef(title="Synthetic Study of Tokeniser Drift in Pretraining", date=day),
        PaperRef(title="Synthetic Scaling Laws for Curriculum Mixtures", date=day),
        PaperRef(title="Synthetic Attention Sinks Revisited at Scale Today", date=day),
        PaperRef(title="Synthetic Mixture of Experts Routing Collapse", date=day),
    ]
    corpus = corpus_from_titles(known, seed=3)
    fake = FakeS2(corpus, replay_recorded=False)
    fake.null_ids.add(corpus.by_title[normalise_title(str(known[3].title))][0])
    refs = [
        PaperRef(title=known[0].title, date=day, source="page:1"),
        # S2 matches leading words; the whole titles differ too much to accept.
        PaperRef(title="Synthetic Scaling Laws for", date=day, source="page:2"),
        # Same title, but the page says 2019 and S2 says 2025.
        PaperRef(title=known[2].title, date=datetime.date(2019, 5, 1), source="page:3"),
        PaperRef(title="A Title Nobody Has Ever Written Down", date=day, source="page:4"),
        # S2 "lost" this paper: the title match finds nothing.
        PaperRef(title=known[3].title, date=day, source="page:5"),
    ]
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    summary = await load(refs, fake, settings, driver, depth=0)

    reasons = {u.source: u.reason for u in summary.unresolved}
    assert summary.resolved == 1
    assert set(reasons) == {"page:2", "page:3", "page:4", "page:5"}
    assert reasons["page:2"].startswith("low title similarity")
    assert f"< {TITLE_MATCH_THRESHOLD:.0f}" in reasons["page:2"]
    assert str(known[1].title) in reasons["page:2"]
    assert reasons["page:3"] == "year mismatch: S2 has 2025, the entry is dated 2019"
    assert reasons["page:4"] == reasons["page:5"] == "no title match in Semantic Scholar"
    assert summary.enrichment == "partial"
    assert summary.exit_code == EXIT_PARTIAL
    # Nothing lost: the four unresolved entries are placeholders next to the resolved seed.
    dump = graph_dump(driver, database=settings.neo4j_database)
    seeds = [n for n in dump["nodes"] if n["label"] == "Paper" and n["props"].get("isSeed")]
    assert len(seeds) == 5
    assert sum(1 for n in seeds if n["key"].startswith("title:")) == 4


async def test_s2_unreachable_writes_placeholders_and_a_later_run_merges_them(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    refs = sample_refs[:6]
    dead = s2_settings(neo4j_settings, tmp_path / "cache").model_copy(
        update={"s2_max_retries": 1, "s2_retry_budget": 2}
    )

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with S2Client(dead.s2_config(), transport=httpx.MockTransport(refuse)) as client:
        summary = await run_load(
            refs, driver=driver, database=dead.neo4j_database, client=client, source="six.txt"
        )
    assert summary.enrichment == "skipped"
    assert summary.exit_code == EXIT_PARTIAL
    assert summary.placeholders_written == 6
    assert "enrichment skipped" in summary.messages[0]
    assert "citekb load six.txt" in summary.messages[0]
    db = dead.neo4j_database
    before = graph_counts(driver, database=db)
    assert before["papers"] == 6
    assert before["submitted"] == sum(1 for r in refs if r.organization)
    assert before["hasTopic"] > 0

    # S2 is back: the same load resolves them, and the placeholders merge into S2 papers.
    fake = FakeS2(sample_corpus, replay_recorded=False)
    later = await load(refs, fake, s2_settings(neo4j_settings, tmp_path / "c2"), driver, depth=0)
    assert later.enrichment == "complete"
    assert later.writes.placeholders_merged == 6
    dump = graph_dump(driver, database=db)
    keys = {n["key"] for n in dump["nodes"] if n["label"] == "Paper"}
    assert keys == set(seed_ids(sample_corpus, refs))
    assert len(rels(dump, "SUBMITTED")) == before["submitted"]


async def test_depth2_adds_a_hop_of_references_bounded_by_max_papers(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    seeds = seed_ids(sample_corpus, sample_refs)[:5]
    refs = [PaperRef(title=None, s2_id=s, source=f"ids:{i}") for i, s in enumerate(seeds)]
    hop1 = {p for edge in expected_edges(sample_corpus, seeds) for p in edge} - set(seeds)
    hop2 = {
        e.cited for p in hop1 for e in sample_corpus.references_of.get(p, []) if e.cited is not None
    }
    everything = set(seeds) | hop1 | hop2
    assert hop2 - hop1 - set(seeds), "the corpus must have papers two hops away"

    fake = FakeS2(sample_corpus, replay_recorded=False)
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    summary = await load(refs, fake, settings, driver, depth=2, max_papers=10_000)
    assert summary.enrichment == "complete"
    dump = graph_dump(driver, database=settings.neo4j_database)
    assert {n["key"] for n in dump["nodes"] if n["label"] == "Paper"} == everything
    refs_asked = {r.path.split("/")[2] for r in fake.requests if r.path.endswith("/references")}
    assert refs_asked == set(seeds) | hop1

    # Bounded: no more papers than --max-papers, and the hop stops early.
    cap = len(seeds) + len(hop1) + 3
    capped_fake = FakeS2(sample_corpus, replay_recorded=False)
    graph_store.clear_data(driver, settings.neo4j_database)
    capped = await load(refs, capped_fake, settings, driver, depth=2, max_papers=cap)
    counts = graph_counts(driver, database=settings.neo4j_database)
    assert counts["papers"] == cap
    assert any(m.startswith("depth 2 stopped at --max-papers") for m in capped.messages)
    assert capped.enrichment == "complete"


async def test_offline_answers_from_the_cache_alone(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    refs = sample_refs[:4]
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    fake = FakeS2(sample_corpus, replay_recorded=False)

    # Nothing cached yet: every entry is kept from the page, reported, and the load is partial.
    async with S2Client(
        settings.s2_config(), transport=httpx.ASGITransport(app=fake), offline=True
    ) as c:
        cold = await run_load(
            refs, driver=driver, database=settings.neo4j_database, client=c, offline=True
        )
    assert fake.requests == []
    assert cold.enrichment == "partial"
    assert cold.placeholders_written == 4
    assert {u.reason for u in cold.unresolved} == {"not in the S2 cache (offline)"}

    # Once a load has run online, --offline replays it without a request.
    online = await load(refs, fake, settings, driver, depth=1)
    assert online.enrichment == "complete"
    dump = graph_dump(driver, database=settings.neo4j_database)
    fake.requests.clear()
    async with S2Client(
        settings.s2_config(), transport=httpx.ASGITransport(app=fake), offline=True
    ) as c:
        warm = await run_load(
            refs, driver=driver, database=settings.neo4j_database, client=c, offline=True
        )
    assert fake.requests == []
    assert warm.enrichment == "complete"
    assert warm.cache_hits == online.s2_requests
    assert graph_dump(driver, database=settings.neo4j_database) == dump


async def test_s2_failing_part_way_keeps_what_was_read_and_says_so(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    refs = sample_refs[:5]
    settings = s2_settings(neo4j_settings, tmp_path / "cache").model_copy(
        update={"s2_max_retries": 2, "s2_retry_budget": 5}
    )
    fake = FakeS2(sample_corpus, replay_recorded=False)
    fake.inject("500", times=100, path="/citations$")
    summary = await load(refs, fake, settings, driver, depth=1)
    assert summary.enrichment == "partial"
    assert summary.exit_code == EXIT_PARTIAL
    assert summary.resolved == 5
    assert summary.retries == 2
    assert "failed part-way" in summary.messages[0]
    counts = graph_counts(driver, database=settings.neo4j_database)
    seeds = seed_ids(sample_corpus, refs)
    # Seeds, their authors and the first seed's references are in; no citation was read.
    assert counts["authored"] == sum(len(sample_corpus.papers[s]["authors"]) for s in seeds)
    first_refs = [e for e in sample_corpus.references_of[seeds[0]] if e.cited is not None]
    assert counts["cites"] == len(first_refs)


async def test_a_rejected_api_key_fails_the_load_but_keeps_the_entries(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    refs = sample_refs[:3]
    settings = s2_settings(neo4j_settings, tmp_path / "cache").model_copy(
        update={"s2_api_key": SecretStr("not-the-key")}
    )
    fake = FakeS2(sample_corpus, replay_recorded=False, expected_api_key="the-key")
    summary = await load(refs, fake, settings, driver, depth=1)
    assert summary.exit_code == EXIT_FAILURE
    assert summary.failure is not None and "S2_API_KEY" in summary.failure
    assert "not-the-key" not in repr(summary.as_dict())
    assert len(fake.requests) == 1  # 403 is not retried
    assert summary.placeholders_written == 3
    assert graph_counts(driver, database=settings.neo4j_database)["papers"] == 3
