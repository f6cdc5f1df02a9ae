"""Analytics that say what they saw: coverage on disruption, lineage and similarity, and
`citekb load --complete`, against the fake S2 and a real Neo4j.

Two corpora, both synthetic: the one around the sample page's 54 titles
(tests/fakes/fake_s2_corpus.py: follow-up papers cite seeds and background
papers), loaded by the `citekb` command against the fake S2 served as a process,
and a nine-paper one small enough to work the index out by hand. On the
sample the expected index is computed from the fake S2's raw answers by the
definition alone (:func:`reference_cd_index`), never from the code under test.
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

from graph_api.cli.load import run_load_command
from graph_api.settings import Settings
from loaders.rows import PaperRef
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.fakes.fake_s2 import FakeS2
from tests.fakes.fake_s2_corpus import Edge, FakeCorpus, corpus_from_titles
from tests.integration.api.api_support import running_api
from tests.integration.process_support import citekb, cli_env, fake_s2_process
from tests.integration.test_load_pipeline import s2_settings, seed_ids

QUIET = Console(quiet=True)
SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
DISRUPTION = """query($id: ID!) { paper(id: $id) {
  coverage { referencesReported referencesHeld citationsReported citationsHeld ratio complete }
  disruption { index nI nJ nK complete reason
    coverage { referencesReported referencesHeld citationsReported citationsHeld ratio complete }
    citingCoverage { papers referencesReported referencesHeld unknown ratio complete }
    referenceCitationsCoverage { papers citationsReported citationsHeld unknown ratio complete }
  } } }"""


def sha(label: str) -> str:
    return hashlib.sha1(f"citekb-synthetic-coverage:{label}".encode()).hexdigest()


def hand_corpus() -> FakeCorpus:
    """F cites R1 and R2. A cites F, R1 and X; B cites F and Y; C cites F and R2.
    D cites R1 only (only the citations of F's references reach D)."""
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
        label="synthetic nine-paper corpus for a hand-worked CD index",
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
    # R1 is cited by F, A and D, R2 by F and C: the graph holds F's edges only.
    assert d["referenceCitationsCoverage"] == {
        "papers": 2, "citationsReported": 5, "citationsHeld": 2, "unknown": 0,
        "ratio": pytest.approx(2 / 5), "complete": False,
    }  # fmt: skip
    assert d["complete"] is False
    assert d["reason"] == (
        "coverage 0.40 < 0.80: the graph holds 3 of the 7 references S2 reports for the 3"
        " papers citing it; the graph holds 2 of the 5 citations S2 reports for its 2"
        f" references; `citekb load --complete {focal}` reads what the index needs"
    )

    assert await asyncio.to_thread(load, depth=1, complete=True) == 0
    d = (await disruption_of(settings, focal))["disruption"]
    # By hand: A cites F and R1, C cites F and R2 (n_j = 2); B cites F and not
    # R1/R2 (n_i = 1); D (2023, after F's 2018) cites R1 and not F (n_k = 1).
    # CD = (1 - 2) / (1 + 2 + 1) = -1/4.
    assert (d["nI"], d["nJ"], d["nK"]) == (1, 2, 1)
    assert d["index"] == pytest.approx(-1 / 4)
    assert d["reason"] is None
    assert d["complete"] is True
    assert d["citingCoverage"]["referencesHeld"] == 7
    assert d["referenceCitationsCoverage"]["citationsHeld"] == 5


@pytest.fixture(scope="module")
def sample_refs() -> list[PaperRef]:
    return parse_source(SAMPLE)


@pytest.fixture(scope="module")
def sample_corpus(sample_refs: list[PaperRef]) -> FakeCorpus:
    return corpus_from_titles(sample_refs, seed=0)


class RawS2:
    """The fake S2's answers over HTTP, as they come: no code of citekb reads them."""

    def __init__(self, root: str) -> None:
        self.http = httpx.Client(base_url=root + "/graph/v1", timeout=30)

    def year(self, paper: str) -> int:
        year = self.http.get(f"/paper/{paper}", params={"fields": "year"}).json()["year"]
        assert isinstance(year, int), paper
        return year

    def edges(self, paper: str, kind: str) -> list[dict[str, Any]]:
        """Every page of /paper/{id}/references or /citations: the other papers."""
        side = "citedPaper" if kind == "references" else "citingPaper"
        found: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            params = {"fields": "paperId,year", "limit": 1000, "offset": offset}
            body = self.http.get(f"/paper/{paper}/{kind}", params=params).json()
            found += [item[side] for item in body.get("data", [])]
            offset = body.get("next")
        return found


def reference_cd_index(s2: RawS2, focal: str) -> tuple[int, int, int, float]:
    """(n_i, n_j, n_k, CD) of ``focal`` by the definition (Funk & Owen-Smith 2017),
    from S2's lists alone: among the papers citing ``focal`` or one of its
    references, no older than ``focal``, n_i cite it and none of its references,
    n_j cite it and at least one, n_k cite a reference and not it.
    CD = (n_i - n_j) / (n_i + n_j + n_k)."""
    year = s2.year(focal)
    references = {p["paperId"] for p in s2.edges(focal, "references") if p["paperId"]}
    citing_focal = {p["paperId"]: p["year"] for p in s2.edges(focal, "citations")}
    citing_references = {
        p["paperId"]: p["year"] for r in references for p in s2.edges(r, "citations")
    }
    n_i = n_j = n_k = 0
    for paper, paper_year in (citing_references | citing_focal).items():
        if paper == focal or paper_year < year:
            continue
        if paper not in citing_focal:
            n_k += 1
        elif {p["paperId"] for p in s2.edges(paper, "references")} & references:
            n_j += 1
        else:
            n_i += 1
    return n_i, n_j, n_k, (n_i - n_j) / (n_i + n_j + n_k)


async def test_the_sample_by_the_command_line_withholds_at_depth_1_and_complete_gives_the_index(
    driver: Driver,
    neo4j_settings: Settings,
    sample_refs: list[PaperRef],
    sample_corpus: FakeCorpus,
    tmp_path: Path,
) -> None:
    assert neo4j_settings.neo4j_uri
    seeds = seed_ids(sample_corpus, sample_refs)
    # The focal paper: the most cited seed among those cited by follow-up papers
    # only (a seed citing it would have its whole reference list loaded at depth 1).
    focal = max(
        (
            s
            for s in seeds
            if not {e.citing for e in sample_corpus.citations_of.get(s, [])} & set(seeds)
        ),
        key=lambda s: len(sample_corpus.citations_of.get(s, [])),
    )
    with fake_s2_process(f"titles:{SAMPLE}", tmp_path / "fake-s2.log") as root:
        env = cli_env(neo4j_settings.neo4j_uri, tmp_path / "cache", root)
        loaded = await asyncio.to_thread(citekb, ["load", str(SAMPLE), "--no-analytics"], env)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        s2 = RawS2(root)
        n_i, n_j, n_k, index = await asyncio.to_thread(reference_cd_index, s2, focal)
        references = [p["paperId"] for p in s2.edges(focal, "references") if p["paperId"]]
        citers = [p["paperId"] for p in s2.edges(focal, "citations")]
        reported_citations = sum(len(s2.edges(r, "citations")) for r in references)

        depth1 = (await disruption_of(neo4j_settings, focal))["disruption"]
        assert depth1["index"] is None
        assert depth1["citingCoverage"]["papers"] == len(citers)
        assert depth1["referenceCitationsCoverage"]["papers"] == len(references)
        assert depth1["referenceCitationsCoverage"]["citationsReported"] == reported_citations
        assert depth1["referenceCitationsCoverage"]["citationsHeld"] < reported_citations
        assert depth1["reason"].startswith("coverage ")
        assert f"the {len(citers)} papers citing it" in depth1["reason"]
        assert f"S2 reports for its {len(references)} references" in depth1["reason"]
        assert depth1["reason"].endswith(
            f"`citekb load --complete {focal}` reads what the index needs"
        )

        completed = await asyncio.to_thread(
            citekb, ["load", "--complete", focal, "--no-analytics"], env
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr
    d = (await disruption_of(neo4j_settings, focal))["disruption"]
    assert (d["nI"], d["nJ"], d["nK"]) == (n_i, n_j, n_k)
    assert d["index"] == pytest.approx(index)
    assert d["reason"] is None
    assert d["citingCoverage"]["complete"] is True
    assert d["referenceCitationsCoverage"]["complete"] is True
    # S2 also lists a reference of the focal paper it could not resolve (a null
    # paperId), which no graph holds: the paper's own coverage stays incomplete.
    assert d["coverage"]["referencesHeld"] == len(references)
    assert d["coverage"]["referencesReported"] > len(references)
    assert d["complete"] is False

    # Worked by hand from the fake S2's lists for this focal paper (seed 0 of
    # corpus_from_titles; "How Learning Rate Decay Wastes Your Best Data in
    # Curriculum-Based LLM Pretraining", 2025, S2 id ce659cc9...):
    # - it cites four resolved background papers, dfd2be79 (2021), a99f29c2
    #   (2020), c8ce7edf (2023) and 84b9e158 (2012), and one unresolved one;
    # - five follow-ups of 2026 cite it: 7a281366, f5470cc4, e1d0ce14 and
    #   9735ccd0 cite none of its references (n_i = 4); 59620ffd also cites
    #   84b9e158 (n_j = 1);
    # - papers citing a reference but not it, from 2025 on: dfd2be79 <- 912254a0,
    #   7b86a065 (031a1054 is 2022); a99f29c2 <- eaecc3fd, aa2cd2e4, ca058287,
    #   a39e43db, e4ed5d80 (ad779e50 is 2021); c8ce7edf <- 494f3b47, 1eff0a14,
    #   c51b0b53, 6872e03d (three are 2024); 84b9e158 <- 7e6f22e5, 5c53237f
    #   (four are 2012-2022, 59620ffd cites it too): 13 papers, none twice (n_k = 13).
    # CD = (4 - 1) / (4 + 1 + 13) = 3/18 = 1/6. Before `--complete` read the
    # references' citations the graph held only the four 2025 seeds among them
    # (n_k = 4) and gave 1/3.
    assert focal.startswith("ce659cc9")
    assert (n_i, n_j, n_k) == (4, 1, 13)
    assert index == pytest.approx(1 / 6)
