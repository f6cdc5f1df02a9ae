"""Analytics that say what they saw: coverage on disruption, lineage and similarity, and
`citekb load --complete`, against the fake S2 and a real Neo4j.

Two corpora, both synthetic: the one around the sample page's 54 titles
(tests/fakes/fake_s2_corpus.py: follow-up papers cite seeds and background
papers), and a seven-paper one small enough to work the index out by hand.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver
from rich.console import Console

from graph_api.cli.load import parse_id_option, run_load_command
from graph_api.settings import Settings
from loaders.rows import PaperRef
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.fakes.fake_s2 import FakeS2
from tests.fakes.fake_s2_corpus import Edge, FakeCorpus, corpus_from_titles
from tests.integration.api.api_support import running_api
from tests.integration.test_load_pipeline import s2_settings, seed_ids

QUIET = Console(quiet=True)
SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
DISRUPTION = """query($id: ID!) { paper(id: $id) {
  coverage { referencesReported referencesHeld citationsReported citationsHeld ratio complete }
  disruption { index nI nJ nK complete reason
    coverage { referencesReported referencesHeld citationsReported citationsHeld ratio complete }
    citingCoverage { papers referencesReported referencesHeld unknown ratio complete } } } }"""


def sha(label: str) -> str:
    return hashlib.sha1(f"citekb-synthetic-coverage:{label}".encode()).hexdigest()


def hand_corpus() -> FakeCorpus:
    """F cites R1 and R2. A cites F, R1 and X; B cites F and Y; C cites F and R2.
    D cites R1 only (nothing loaded here reaches D)."""
    years = {"R1": 2015, "R2": 2016, "X": 2014, "Y": 2013, "F": 2018, "A": 2020, "B": 2021,
             "C": 2022, "D": 2023}  # fmt: skip
    cites = [("F", "R1"), ("F", "R2"), ("A", "F"), ("A", "R1"), ("A", "X"), ("B", "F"),
             ("B", "Y"), ("C", "F"), ("C", "R2"), ("D", "R1")]  # fmt: skip
    papers = []
    for i, (name, year) in enumerate(years.items()):
        papers.append(
            {
                "paperId": sha(name),
                "externalIds": {"CorpusId": 4_100_000_000 + i},
                "corpusId": 4_100_000_000 + i,
                "title": f"Synthetic coverage paper {name}",
                "abstract": f"Synthetic abstract of paper {name}.",
                "year": year,
                "referenceCount": sum(1 for a, _ in cites if a == name),
                "citationCount": sum(1 for _, b in cites if b == name),
                "authors": [],
                "s2FieldsOfStudy": [],
            }
        )
    return FakeCorpus(
        papers,
        [Edge(sha(a), sha(b)) for a, b in cites],
        synthetic=True,
        label="synthetic seven-paper corpus for a hand-worked CD index",
    )


async def disruption_of(settings: Settings, paper_id: str) -> dict[str, Any]:
    async with running_api(settings) as api:
        data = await api.data(DISRUPTION, {"id": paper_id})
    paper: dict[str, Any] = data["paper"]
    return paper


async def test_depth1_withholds_the_index_and_complete_gives_the_hand_worked_value(
    driver: Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    fake = FakeS2(hand_corpus(), replay_recorded=False)
    focal = sha("F")

    def load(**options: Any) -> int:
        return run_load_command(
            [PaperRef(title=None, s2_id=focal, source="ids:1")], driver=driver, settings=settings,
            source="hand", analytics=False, out=QUIET, err=QUIET,
            transport=httpx.ASGITransport(app=fake), **options,
        )  # fmt: skip

    assert await asyncio.to_thread(load, depth=1) == 0
    before = await disruption_of(settings, focal)
    d = before["disruption"]
    # Depth 1: F's two references and three citations, but of A, B and C only
    # their edge to F: each looks like it cites F alone (n_i = 3, index +1).
    assert (d["nI"], d["nJ"], d["nK"]) == (3, 0, 0)
    assert d["index"] is None
    assert d["coverage"] == before["coverage"] == {
        "referencesReported": 2, "referencesHeld": 2, "citationsReported": 3,
        "citationsHeld": 3, "ratio": 1.0, "complete": True,
    }  # fmt: skip
    # A reports 3 references, B 2, C 2: the graph holds one of each.
    assert d["citingCoverage"] == {
        "papers": 3, "referencesReported": 7, "referencesHeld": 3, "unknown": 0,
        "ratio": pytest.approx(3 / 7), "complete": False,
    }  # fmt: skip
    assert d["complete"] is False
    assert d["reason"] == (
        "coverage 0.43 < 0.80: the graph holds 3 of the 7 references S2 reports for the 3"
        f" papers citing it; `citekb load --complete {focal}` reads what the index needs"
    )

    assert await asyncio.to_thread(load, depth=1, complete=True) == 0
    d = (await disruption_of(settings, focal))["disruption"]
    # By hand: A cites F and R1, C cites F and R2 (n_j = 2); B cites F and not
    # R1/R2 (n_i = 1); D, the only paper citing a reference alone, is not in
    # the graph (n_k = 0). CD = (1 - 2) / (1 + 2 + 0) = -1/3.
    assert (d["nI"], d["nJ"], d["nK"]) == (1, 2, 0)
    assert d["index"] == pytest.approx(-1 / 3)
    assert d["reason"] is None
    assert d["complete"] is True
    assert d["citingCoverage"]["referencesHeld"] == 7


@pytest.fixture(scope="module")
def sample_refs() -> list[PaperRef]:
    return parse_source(SAMPLE)


@pytest.fixture(scope="module")
def sample_corpus(sample_refs: list[PaperRef]) -> FakeCorpus:
    return corpus_from_titles(sample_refs, seed=0)


async def test_a_depth1_load_of_the_sample_reports_coverage_and_withholds_disruption(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    fake = FakeS2(sample_corpus, replay_recorded=False)

    def load(refs: list[PaperRef], **options: Any) -> int:
        return run_load_command(
            refs, driver=driver, settings=settings, source="sample", analytics=False,
            out=QUIET, err=QUIET, transport=httpx.ASGITransport(app=fake), **options,
        )  # fmt: skip

    assert await asyncio.to_thread(load, sample_refs) == 0
    seeds = seed_ids(sample_corpus, sample_refs)
    # The most cited seed among those cited by follow-up papers only (a seed
    # citing it would have its whole reference list loaded at depth 1).
    seed = max(
        (
            s
            for s in seeds
            if not {e.citing for e in sample_corpus.citations_of.get(s, [])} & set(seeds)
        ),
        key=lambda s: len(sample_corpus.citations_of.get(s, [])),
    )
    citers = [e.citing for e in sample_corpus.citations_of[seed]]
    reported = sum(sample_corpus.papers[c]["referenceCount"] for c in citers)
    held = sum(  # at depth 1 a citing paper's edges to seeds are all the graph holds
        sum(1 for e in sample_corpus.references_of[c] if e.cited in seeds) for c in citers
    )
    assert held < reported
    d = (await disruption_of(settings, seed))["disruption"]
    assert d["index"] is None
    assert d["citingCoverage"]["papers"] == len(citers)
    assert (d["citingCoverage"]["referencesReported"], d["citingCoverage"]["referencesHeld"]) == (
        reported,
        held,
    )
    assert d["reason"].startswith(f"coverage {held / reported:.2f} < 0.80")
    assert d["coverage"]["citationsHeld"] == d["coverage"]["citationsReported"] == len(citers)

    assert await asyncio.to_thread(load, parse_id_option(seed), complete=True) == 0
    d = (await disruption_of(settings, seed))["disruption"]
    assert d["citingCoverage"]["referencesHeld"] == reported
    assert d["citingCoverage"]["complete"] is True
    assert d["reason"] is None and d["index"] is not None
