"""A knowledge base that stays current: cache ages, `citekb refresh`, the Load records and the
change feed, against the fake S2 (a synthetic corpus) and a real Neo4j.

The fake S2 changes between runs the way the real one does: an entry it
answered "not found" becomes known, and a seed gains a citation from a new
paper. The not-found age is set to one second, so "after the not-found age"
is a real second of waiting, not a mocked clock.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver
from pydantic import SecretStr
from rich.console import Console

from graph_api.cli.load import run_load_command, run_refresh_command
from graph_api.settings import Settings
from loaders.graph_writer import graph_dump
from loaders.rows import PaperRef, normalise_title
from tests.fakes.fake_s2 import FakeS2
from tests.fakes.fake_s2_corpus import Edge, FakeCorpus, corpus_from_titles
from tests.integration.api.api_support import running_api
from tests.integration.test_load_pipeline import s2_settings

DAY = datetime.date(2025, 9, 1)
TITLES = [
    "Synthetic Freshness Study of Citation Drift",
    "Synthetic Survey of Retrieval Heads in Transformers",
    "Synthetic Benchmarks for Long Context Recall",
    "Synthetic Paper Too New For The Index Yesterday",
]
API_KEY = "synthetic-test-key-freshness-0001"


def refs() -> list[PaperRef]:
    return [
        PaperRef(title=t, date=DAY, authors_count=3, source=f"page:{i + 1}")
        for i, t in enumerate(TITLES)
    ]


def with_new_citation(corpus: FakeCorpus, cited: str) -> tuple[FakeCorpus, str]:
    """The same corpus plus one new paper citing ``cited`` (S2 a week later)."""
    template = next(p for p in corpus.papers.values() if "follow-up" in p["title"])
    new = copy.deepcopy(template)
    new["paperId"] = "f" * 8 + template["paperId"][8:]
    new["title"] = "Synthetic follow-up work published after the first load"
    new["externalIds"] = {"CorpusId": template["corpusId"] + 7}
    new["corpusId"] = template["corpusId"] + 7
    papers = [copy.deepcopy(p) for p in corpus.papers.values()]
    for p in papers:
        if p["paperId"] == cited:
            p["citationCount"] += 1
    return (
        FakeCorpus(
            [*papers, new],
            [*corpus.edges, Edge(new["paperId"], cited, is_influential=True)],
            corpus.authors.values(),
            synthetic=True,
            label="synthetic corpus, a week later",
        ),
        new["paperId"],
    )


def graph_keys(driver: Driver, database: str) -> tuple[set[str], set[tuple[str, str]]]:
    dump = graph_dump(driver, database=database)
    papers = {n["key"] for n in dump["nodes"] if n["label"] == "Paper"}
    cites = {
        (r["start"].split("/", 1)[1], r["end"].split("/", 1)[1])
        for r in dump["relationships"]
        if r["type"] == "CITES"
    }
    return papers, cites


def load_records(driver: Driver, database: str) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(
        "MATCH (l:Load) RETURN l {.*} AS l ORDER BY l.version", database_=database
    )
    return [r["l"] for r in records]


async def test_refresh_resolves_what_s2_learnt_and_the_feed_lists_exactly_what_is_new(
    driver: Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    settings = s2_settings(neo4j_settings, tmp_path / "cache").model_copy(
        update={"citekb_api_key": SecretStr(API_KEY)}
    )
    # The same cache, with a not-found age of one second.
    impatient = settings.model_copy(update={"s2_max_age_not_found_h": 1 / 3600})
    db = settings.neo4j_database
    corpus = corpus_from_titles(refs(), seed=31)
    seed_ids = [corpus.by_title[normalise_title(t)][0] for t in TITLES]
    late = seed_ids[3]
    fake = FakeS2(corpus, replay_recorded=False)
    fake.null_ids.add(late)  # S2 does not know the newest entry yet
    quiet = Console(quiet=True)

    def load_page(with_settings: Settings) -> int:
        return run_load_command(
            refs(), driver=driver, settings=with_settings, source="page", analytics=False,
            out=quiet, err=quiet, transport=httpx.ASGITransport(app=fake),
        )  # fmt: skip

    assert await asyncio.to_thread(load_page, settings) == 3  # partial: one entry unresolved
    papers_v1, _ = graph_keys(driver, db)
    assert late not in papers_v1
    assert sum(1 for p in papers_v1 if p.startswith("title:")) == 1

    # Inside the not-found age (6 hours) a rerun replays "not found": no new title match.
    matches = len(fake.calls("search/match"))
    assert await asyncio.to_thread(load_page, settings) == 3
    assert len(fake.calls("search/match")) == matches

    # Later (for the fake): the entry is known and seed 0 has a new citation.
    fake.null_ids.clear()
    fake.corpus, newcomer = with_new_citation(corpus, seed_ids[0])
    await asyncio.sleep(1.1)  # past a one-second not-found age
    assert await asyncio.to_thread(load_page, impatient) == 0
    assert len(fake.calls("search/match")) == matches + 1
    papers_v2, cites_v2 = graph_keys(driver, db)
    assert late in papers_v2, "the entry S2 answered 404 resolved by a rerun after the age"
    assert not [p for p in papers_v2 if p.startswith("title:")], "its placeholder merged"
    assert (newcomer, seed_ids[0]) not in cites_v2, "citation pages are younger than 7 days"
    (v_before,) = {r["version"] for r in load_records(driver, db)[-1:]}

    def refresh() -> int:
        return run_refresh_command(
            driver=driver, settings=settings, older_than_s=1.0, analytics=False,
            out=quiet, err=quiet, transport=httpx.ASGITransport(app=fake),
        )  # fmt: skip

    assert await asyncio.to_thread(refresh) == 0
    papers_v3, cites_v3 = graph_keys(driver, db)
    assert (newcomer, seed_ids[0]) in cites_v3, "the seed's new citation is in the graph"
    new_papers = papers_v3 - papers_v2
    new_cites = cites_v3 - cites_v2
    assert new_papers == {newcomer}
    assert new_cites == {(newcomer, seed_ids[0])}

    # The refresh's Load record: keyed by the version it produced, counting what it added.
    record = load_records(driver, db)[-1]
    assert record["version"] == v_before + 1
    assert record["key"] == f"load:{record['version']}"
    assert record["source"] == "refresh"
    assert (record["papersAdded"], record["citationsAdded"]) == (1, 1)

    async with running_api(settings) as api:
        feed = await api.data(
            """query($since: Int!) { changes(since: $since, first: 100) {
                 since currentVersion truncated
                 loads { version source papersAdded citationsAdded papersMatched
                         papers { paperId }
                         citations { version citing { paperId } cited { paperId } } } } }""",
            {"since": v_before},
        )
        (load,) = feed["changes"]["loads"]
        assert load["version"] == feed["changes"]["currentVersion"] == record["version"]
        assert {p["paperId"] for p in load["papers"]} == new_papers
        got = {(c["citing"]["paperId"], c["cited"]["paperId"]) for c in load["citations"]}
        assert got == new_cites
        assert {c["version"] for c in load["citations"]} == {record["version"]}

        # "What is new that cites my papers": a saved collection of seed 0.
        save = """mutation($name: String!, $seeds: [ID!]!) {
                    saveCollection(name: $name, seeds: $seeds) { name seeds { paperId } } }"""
        saved = await api.client.post(
            "/graphql",
            json={"query": save, "variables": {"name": "mine", "seeds": [seed_ids[0]]}},
            headers={"authorization": f"Bearer {API_KEY}"},
        )
        assert "errors" not in saved.json(), saved.json()
        assert saved.json()["data"]["saveCollection"]["seeds"] == [{"paperId": seed_ids[0]}]
        mine = await api.data(
            """query($since: Int!) {
                 collection(name: "mine") { newCitations(since: $since) { citing { paperId } } }
                 changes(since: $since, collection: "mine") { loads { papersMatched
                   papers { paperId } citations { citing { paperId } cited { paperId } } } } }""",
            {"since": v_before},
        )
        assert mine["collection"]["newCitations"] == [{"citing": {"paperId": newcomer}}]
        (narrowed,) = mine["changes"]["loads"]
        assert narrowed["papers"] == [{"paperId": newcomer}]
        assert narrowed["citations"] == [
            {"citing": {"paperId": newcomer}, "cited": {"paperId": seed_ids[0]}}
        ]
        # Since the first load, the seed's older citations are "new" too.
        everything = await api.data(
            '{ collection(name: "mine") { newCitations(since: 0, first: 100) { citing { paperId } } } }'  # noqa: E501
        )
        citing_seed = {c for c, s in cites_v3 if s == seed_ids[0]}
        assert {
            c["citing"]["paperId"] for c in everything["collection"]["newCitations"]
        } == citing_seed
        # Without the key, nothing is saved.
        refused = await api.client.post(
            "/graphql", json={"query": save, "variables": {"name": "x", "seeds": [late]}}
        )
        assert refused.json()["errors"]
        assert (await api.data('{ collection(name: "x") { name } }'))["collection"] is None
