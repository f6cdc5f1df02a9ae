"""``examples/refs-pretraining.bib`` and ``.ris`` load into the right papers (fake S2, real Neo4j).

The fake S2 serves a SYNTHETIC corpus in which the papers those files cite
exist under the ids a reader of the files would expect (arXiv ids, DOIs, or
only the title), among synthetic background papers sharing none of them. The
test then checks that every entry landed on the paper S2 knows by that id:
nothing left as a placeholder, nothing merged into the wrong paper.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import Driver

from graph_api.settings import Settings
from loaders.graph_writer import graph_dump
from loaders.pipeline import EXIT_OK
from loaders.rows import is_placeholder_id, normalise_title
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.fakes.fake_s2 import BASE_PATH, FakeS2, load_through
from tests.fakes.fake_s2_corpus import FakeCorpus, corpus_from_titles

BIB = REPO / "examples" / "refs-pretraining.bib"
RIS = REPO / "examples" / "refs-pretraining.ris"
FAKE_URL = "http://fake-s2.test" + BASE_PATH


@dataclass(frozen=True)
class Truth:
    """A paper as the fake S2 knows it (what corpus_from_titles reads)."""

    title: str
    arxiv_id: str | None
    doi: str | None
    date: datetime.date
    authors: tuple[str, ...] = ()


def paper(
    title: str,
    year: int,
    arxiv: str | None = None,
    doi: str | None = None,
    authors: tuple[str, ...] = (),
) -> Truth:
    return Truth(title, arxiv, doi, datetime.date(year, 6, 1), authors)


# The papers as S2 has them (titles in S2's spelling, which differs from the files' in case,
# braces and punctuation). An entry that names an id must land here by that id.
TRUTH = {
    "attention": paper("Attention is All you Need", 2017, arxiv="1706.03762"),
    "bert": paper(
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        2019,
        doi="10.18653/v1/N19-1423",
    ),
    "kaplan": paper("Scaling Laws for Neural Language Models", 2020, arxiv="2001.08361"),
    "chinchilla": paper("Training Compute-Optimal Large Language Models", 2022, arxiv="2203.15556"),
    "adam": paper("Adam: A Method for Stochastic Optimization", 2014, arxiv="1412.6980"),
    "resnet": paper(
        "Deep Residual Learning for Image Recognition", 2016, doi="10.1109/CVPR.2016.90"
    ),
    "lstm": paper("Long Short-Term Memory", 1997, doi="10.1162/neco.1997.9.8.1735"),
    "kernels": paper(
        "Learning with kernels: support vector machines, regularization, optimization, and beyond",
        2002,
        # A title-only entry: the pipeline checks S2's authors against the entry's
        # surnames, so the fake must know the real ones.
        authors=("Bernhard Schölkopf", "Alexander J. Smola"),
    ),
    "maldacena": paper(
        "The Large N limit of superconformal field theories and supergravity",
        1997,
        arxiv="hep-th/9711200",
    ),
    "deep-learning": paper("Deep Learning", 2015, doi="10.1038/nature14539"),
    "gpt3": paper("Language Models are Few-Shot Learners", 2020, arxiv="2005.14165"),
}
# Which paper each entry means, by the line the entry starts on.
BIB_LINES = {
    7: "attention",
    18: "bert",
    34: "kaplan",
    54: "chinchilla",
    67: "adam",
    74: "resnet",
    82: "lstm",
    93: "kernels",
    100: "maldacena",
}
RIS_LINES = {1: "deep-learning", 18: "gpt3", 35: "attention", 44: "kernels"}


@pytest.fixture(scope="module")
def corpus() -> FakeCorpus:
    return corpus_from_titles(list(TRUTH.values()), seed=12, unresolved_share=0.0)


def expected_id(corpus: FakeCorpus, name: str) -> str:
    truth = TRUTH[name]
    (pid,) = corpus.by_title[normalise_title(truth.title)]
    return pid


@pytest.mark.parametrize("case", [(BIB, BIB_LINES), (RIS, RIS_LINES)], ids=["bib", "ris"])
async def test_reference_file_entries_land_on_the_right_papers(
    driver: Driver,
    neo4j_settings: Settings,
    tmp_path: Path,
    corpus: FakeCorpus,
    case: tuple[Path, dict[int, str]],
) -> None:
    source, lines = case
    refs = parse_source(source)
    assert sorted(r.line for r in refs) == sorted(lines)
    settings = neo4j_settings.model_copy(
        update={
            "s2_base_url": FAKE_URL,
            "s2_api_key": None,
            "s2_rate_limit": 0.0,
            "citekb_cache_dir": tmp_path / "cache",
        }
    )
    fake = FakeS2(corpus, replay_recorded=False)
    summary, _ = await load_through(fake, refs, settings, driver, depth=0, source=str(source))
    assert summary.exit_code == EXIT_OK, [(u.title, u.reason) for u in summary.unresolved]
    dump = graph_dump(driver, database=settings.neo4j_database)
    papers = [n for n in dump["nodes"] if n["label"] == "Paper"]
    seeds = {n["key"]: n["props"] for n in papers if n["props"]["isSeed"]}
    assert not [pid for pid in seeds if is_placeholder_id(pid)]
    assert set(seeds) == {expected_id(corpus, name) for name in lines.values()}
    for line, name in lines.items():
        stored = seeds[expected_id(corpus, name)]
        truth = TRUTH[name]
        assert normalise_title(stored["title"]) == normalise_title(truth.title), line
        if truth.arxiv_id:
            assert stored["arxivId"] == truth.arxiv_id, line
        if truth.doi:
            assert stored["doi"] == truth.doi.lower(), line
