"""Title matches are verified with everything the page gives (loaders/pipeline.py).

A synthetic corpus holds two papers with the same title: the one S2's title
match returns first ("wrong": other authors, another abstract) and the one
the page means ("right"), which only appears as a reference of another seed.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from neo4j import Driver

from graph_api.settings import Settings
from loaders.graph_writer import graph_dump
from loaders.pipeline import ABSTRACT_MATCH_THRESHOLD
from loaders.rows import PaperRef, normalise_title
from tests.fakes.fake_s2 import FakeS2
from tests.fakes.fake_s2_corpus import Edge, FakeCorpus, corpus_from_titles
from tests.integration.test_load_pipeline import load, s2_settings

DAY = datetime.date(2025, 6, 2)
TITLE = "Synthetic Tokeniser Drift Across Pretraining Stages"
PAGE_ABSTRACT = (
    "Synthetic abstract: we measure how a byte-pair tokeniser drifts between the stages of "
    "language model pretraining and propose a vocabulary freeze that keeps perplexity flat."
)
WRONG_ABSTRACT = (
    "Synthetic abstract: a field guide to cataloguing river sediments, with sampling protocols "
    "for estuaries and a dataset of grain sizes collected over three seasons."
)
OTHER = "Synthetic Survey of Curriculum Mixtures for Small Models"


def corpus_with_namesakes() -> tuple[FakeCorpus, str, str, str]:
    wrong = PaperRef(title=TITLE, date=DAY, authors_count=2, abstract=WRONG_ABSTRACT)
    right = PaperRef(title=TITLE, date=DAY, authors_count=6, abstract=PAGE_ABSTRACT)
    other = PaperRef(title=OTHER, date=DAY, authors_count=3, abstract="Synthetic abstract: x.")
    base = corpus_from_titles([wrong, right, other], seed=21)
    wrong_id, right_id = base.by_title[normalise_title(TITLE)]
    other_id = base.by_title[normalise_title(OTHER)][0]
    corpus = FakeCorpus(
        base.papers.values(),
        [*base.edges, Edge(other_id, wrong_id), Edge(other_id, right_id)],
        base.authors.values(),
        synthetic=True,
        label="synthetic namesakes",
    )
    return corpus, wrong_id, right_id, other_id


async def test_a_namesake_is_rejected_with_its_reason_and_never_written(
    driver: Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    corpus, wrong_id, right_id, other_id = corpus_with_namesakes()
    fake = FakeS2(corpus, replay_recorded=False)
    settings = s2_settings(neo4j_settings, tmp_path / "cache")
    entry = PaperRef(
        title=TITLE, date=DAY, authors_count=6, abstract=PAGE_ABSTRACT, source="page:1"
    )

    summary = await load([entry], fake, settings, driver, depth=1)

    # S2's title match really is the namesake, and it was refused for the right reasons.
    assert [r.path for r in fake.requests] == ["/paper/search/match"]
    (unresolved,) = summary.unresolved
    assert unresolved.source == "page:1"
    assert unresolved.reason.startswith(f"S2's {wrong_id} has this title but other details")
    assert "the page lists 6 authors, S2 has 2" in unresolved.reason
    assert f"< {ABSTRACT_MATCH_THRESHOLD:.0f}" in unresolved.reason
    assert summary.as_dict()["unresolved"][0]["reason"] == unresolved.reason
    assert summary.exit_code == 3
    dump = graph_dump(driver, database=settings.neo4j_database)
    keys = {n["key"] for n in dump["nodes"] if n["label"] == "Paper"}
    assert wrong_id not in keys
    assert not [r for r in dump["relationships"] if wrong_id in (r["start"] + r["end"])]
    (placeholder,) = [n for n in dump["nodes"] if n["label"] == "Paper"]
    assert placeholder["key"].startswith("title:")
    assert placeholder["props"]["rejectedMatches"] == [wrong_id]

    # A later load brings both namesakes in as references of another seed:
    # the placeholder merges into the right one, never into the refused one.
    other = PaperRef(title=OTHER, date=DAY, authors_count=3, source="page:2")
    again = await load([entry, other], fake, settings, driver, depth=1)
    assert again.writes.placeholders_merged == 1
    dump = graph_dump(driver, database=settings.neo4j_database)
    papers = {n["key"]: n["props"] for n in dump["nodes"] if n["label"] == "Paper"}
    assert not [k for k in papers if k.startswith("title:")]
    assert papers[right_id]["isSeed"] is True
    assert "rejectedMatches" not in papers[right_id]
    assert papers[wrong_id]["isSeed"] is False
    assert papers[other_id]["isSeed"] is True
