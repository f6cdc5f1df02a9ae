"""The sample page loaded with the fake S2 and the fake OpenAlex: organisations from authorships.

The fake S2 serves the synthetic corpus around the sample's 54 titles, with
the seeds given synthetic arXiv ids (real S2 knows them); the fake OpenAlex
serves synthetic works for every corpus paper with a DOI, in OpenAlex's
documented shapes (tests/fakes/fake_openalex.py). Everything runs in
process against a real Neo4j.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graph_api.settings import Settings
from graph_api.store import graph_store
from graph_api.store.analytics_store import compute_and_store
from loaders.graph_writer import graph_dump
from loaders.openalex_client import OpenAlexClient
from loaders.pipeline import EXIT_OK, EXIT_PARTIAL, LoadSummary, run_load
from loaders.rows import PaperRef
from loaders.s2_client import S2Client
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.fakes.fake_openalex import FakeOpenAlex, give_seeds_arxiv_ids, synthetic_works
from tests.fakes.fake_s2 import FakeS2
from tests.fakes.fake_s2_corpus import FakeCorpus, corpus_from_titles
from tests.integration.api.api_support import running_api

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"


@pytest.fixture(scope="module")
def sample_refs() -> list[PaperRef]:
    refs = parse_source(SAMPLE)
    assert len(refs) == 54
    return refs


@pytest.fixture(scope="module")
def corpus(sample_refs: list[PaperRef]) -> FakeCorpus:
    corpus = corpus_from_titles(sample_refs, seed=0)
    assert give_seeds_arxiv_ids(corpus, [r.title or "" for r in sample_refs]) == 54
    return corpus


def settings_for(neo4j_settings: Settings, cache: Path) -> Settings:
    return neo4j_settings.model_copy(
        update={
            "s2_base_url": "http://fake-s2.test/graph/v1",
            "s2_rate_limit": 0.0,
            "s2_backoff_base_s": 0.001,
            "s2_backoff_max_s": 0.01,
            "openalex_enabled": True,
            "openalex_base_url": "http://fake-openalex.test",
            "openalex_api_key": None,
            "openalex_rate_limit": 0.0,
            "openalex_backoff_base_s": 0.001,
            "openalex_backoff_max_s": 0.01,
            "openalex_max_retry_after_s": 0.01,
            "citekb_cache_dir": cache,
        }
    )


async def load(
    refs: list[PaperRef],
    s2: FakeS2,
    openalex: FakeOpenAlex,
    settings: Settings,
    driver: Driver,
    *,
    depth: int = 1,
) -> LoadSummary:
    oa = OpenAlexClient(
        settings.openalex_config(),
        transport=httpx.ASGITransport(app=openalex),
        rng=random.Random(0),
    )
    async with (
        S2Client(settings.s2_config(), transport=httpx.ASGITransport(app=s2)) as client,
        oa,
    ):
        return await run_load(
            refs,
            driver=driver,
            database=settings.neo4j_database,
            client=client,
            source="sample",
            depth=depth,
            openalex=oa,
        )


def rows(driver: Driver, db: str, text: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(text, params, database_=db)
    return [r.data() for r in records]


async def test_the_sample_gets_organisations_from_openalex_authorships(
    driver: Driver,
    neo4j_settings: Settings,
    corpus: FakeCorpus,
    sample_refs: list[PaperRef],
    tmp_path: Path,
) -> None:
    db = neo4j_settings.neo4j_database
    settings = settings_for(neo4j_settings, tmp_path / "cache")
    openalex = FakeOpenAlex(synthetic_works(corpus.papers.values()))
    summary = await load(
        sample_refs, FakeS2(corpus, replay_recorded=False), openalex, settings, driver
    )
    assert summary.exit_code == EXIT_OK, summary.as_dict()
    assert summary.openalex_status == "complete"
    assert summary.resolved == 54
    # Seeds and their neighbours with a DOI, 100 DOIs per request.
    assert summary.openalex_papers > 54
    assert summary.openalex_requests == -(-summary.openalex_papers // 100)
    assert all(len(r.params["filter"].split("|")) <= 100 for r in openalex.requests)

    # Every seed has organisations through its authors, from its own authorships.
    per_seed = rows(
        driver,
        db,
        "MATCH (p:Paper {isSeed: true}) RETURN p.paperId AS id,"
        " COUNT { MATCH (p)<-[:AUTHORED]-(:Author)-[r:AFFILIATED_WITH]->(o:Org)"
        " WHERE r.paperId = p.paperId AND o.key STARTS WITH 'ror:' RETURN DISTINCT o } AS rors",
    )
    assert len(per_seed) == 54 and all(r["rors"] >= 1 for r in per_seed)
    affiliations = rows(
        driver,
        db,
        "MATCH (:Author)-[r:AFFILIATED_WITH]->(:Org) WHERE r.paperId IS NOT NULL"
        " RETURN r.paperId AS paperId, r.year AS year",
    )
    assert len(affiliations) == summary.openalex.affiliations > 54
    assert all(r["year"] for r in affiliations)
    # S2's affiliation string for the same institution made no second Org.
    same_name = rows(
        driver, db, "MATCH (o:Org {name: 'Synthetic Institute of Technology'}) RETURN o.key AS key"
    )
    assert same_name == [{"key": "ror:0synthb01"}]
    orgs = rows(
        driver,
        db,
        "MATCH (o:Org) WHERE o.source = 'openalex' AND o.name IS NOT NULL"
        " RETURN o.key AS key, o.ror AS ror, o.country AS country, o.type AS type,"
        " o.aliases AS aliases",
    )
    assert len(orgs) == 8  # the fake's synthetic institutions, one Org each
    assert sum(1 for o in orgs if o["ror"]) == 7
    assert all(o["country"] and o["type"] for o in orgs)
    # Two spellings of one institution (raw affiliation strings) are one Org.
    assert all(len(o["aliases"]) >= 2 for o in orgs)
    lineage = rows(driver, db, "MATCH (c:Org)-[:PART_OF]->(p:Org) RETURN c.name AS c, p.name AS p")
    assert {"c": "Synthetic AI Research Lab", "p": "Synthetic Holdings (United States)"} in lineage
    orcids = rows(
        driver,
        db,
        "MATCH (a:Author) WHERE a.orcid IS NOT NULL AND NOT a.authorId STARTS WITH"
        " 'openalex:' RETURN count(a) AS n",
    )
    assert orcids[0]["n"] > 0
    # The fake disagrees on the last author of every 17th paper: reported, kept apart.
    assert summary.openalex.authors_apart == len(summary.openalex.disagreements) > 0
    assert any("kept apart" in m for m in summary.messages)
    apart = rows(
        driver,
        db,
        "MATCH (a:Author) WHERE a.authorId STARTS WITH 'openalex:' RETURN a.name AS name",
    )
    assert apart and {a["name"] for a in apart} == {"Synthetic Unrelated Person"}
    # The topic hierarchy sits beside the keyphrase topics.
    levels = rows(
        driver, db, "MATCH (t:Topic) WHERE t.level IS NOT NULL RETURN DISTINCT t.level AS level"
    )
    assert {r["level"] for r in levels} == {"topic", "subfield", "field", "domain"}
    filed = rows(
        driver,
        db,
        "MATCH (k:Topic {source: 'keyphrase'})-[:SUBTOPIC_OF]->(t:Topic {level: 'topic'})"
        " RETURN count(*) AS n",
    )
    assert filed[0]["n"] > 0

    # GraphQL: orgRanking is no longer empty, and orgs show their ROR ids.
    compute_and_store(driver, db)
    async with running_api(neo4j_settings) as api:
        data = await api.data(
            "{ orgRanking(orderBy: {field: PAPERS}, first: 10)"
            " { key papers org { name ror country type aliases } } }"
        )
    ranking = data["orgRanking"]
    assert ranking and ranking[0]["papers"] > 0
    assert any(r["org"]["ror"] and r["key"].startswith("ror:") for r in ranking)

    # Loading again changes nothing.
    before = graph_dump(driver, database=db)
    again = await load(
        sample_refs, FakeS2(corpus, replay_recorded=False), openalex, settings, driver
    )
    assert again.exit_code == EXIT_OK
    assert graph_dump(driver, database=db) == before


@pytest.mark.parametrize("fault", ["429", "500", "503", "truncate"])
async def test_openalex_faults_are_retried_within_the_budget(  # noqa: PLR0917
    driver: Driver,
    neo4j_settings: Settings,
    corpus: FakeCorpus,
    sample_refs: list[PaperRef],
    tmp_path: Path,
    fault: str,
) -> None:
    settings = settings_for(neo4j_settings, tmp_path / "cache")
    openalex = FakeOpenAlex(synthetic_works(corpus.papers.values()))
    openalex.inject(fault, times=4, retry_after="1" if fault == "429" else None)
    # Depth 0: the 54 seeds, one OpenAlex request (plus its retries).
    summary = await load(
        sample_refs, FakeS2(corpus, replay_recorded=False), openalex, settings, driver, depth=0
    )
    assert summary.exit_code == EXIT_OK, summary.as_dict()
    assert summary.openalex_requests == 5
    assert summary.openalex_retries == 4
    assert summary.openalex_status == "complete"


async def test_openalex_down_leaves_s2_complete_and_says_what_was_skipped(
    driver: Driver,
    neo4j_settings: Settings,
    corpus: FakeCorpus,
    sample_refs: list[PaperRef],
    tmp_path: Path,
) -> None:
    db = neo4j_settings.neo4j_database
    settings = settings_for(neo4j_settings, tmp_path / "cache")
    openalex = FakeOpenAlex(synthetic_works(corpus.papers.values()))
    openalex.down = True
    s2 = FakeS2(corpus, replay_recorded=False)
    summary = await load(sample_refs, s2, openalex, settings, driver)
    assert summary.exit_code == EXIT_PARTIAL
    assert summary.resolved == 54 and summary.cites_written > 0 and summary.s2_problem is None
    assert summary.openalex_status == "skipped"
    # Bounded: one request's retries, and the budget is per client.
    assert len(openalex.requests) <= settings.openalex_max_retries + 1
    message = next(m for m in summary.messages if m.startswith("OpenAlex unavailable"))
    assert "organisations" in message and "Semantic Scholar part is complete" in message
    assert rows(driver, db, "MATCH (o:Org) WHERE o.source = 'openalex' RETURN count(o) AS n") == [
        {"n": 0}
    ]
    # OpenAlex back: the rerun fills in what was skipped.
    openalex.down = False
    summary = await load(sample_refs, s2, openalex, settings, driver)
    assert summary.exit_code == EXIT_OK
    assert (
        rows(driver, db, "MATCH (o:Org) WHERE o.source = 'openalex' RETURN count(o) AS n")[0]["n"]
        > 0
    )
    graph_store.clear_data(driver, db)
