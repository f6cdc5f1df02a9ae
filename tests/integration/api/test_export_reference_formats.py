"""``citekb export`` to BibTeX/RIS and every id form on the command line (real Neo4j).

The graph is the SYNTHETIC API test graph (tests/integration/api/api_graph.py):
even-numbered papers have arXiv ids, every third a DOI, all a CorpusId, so
each id form can name a paper. Expectations come from :data:`PAPERS`, the
csv export of the same selection, and reading the written files back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graph_api.cli.main import app
from graph_api.settings import Settings, get_settings
from graph_api.store.analytics_store import top_stored_pagerank
from loaders.bib_files import parse_bibtex
from loaders.ris_files import parse_ris
from loaders.rows import normalise_title
from tests.integration.api.api_graph import PAPERS

BY_ID = {p.paper_id: p for p in PAPERS}
ROOT = next(p for p in PAPERS if p.arxiv_id == "2401.10020")


@pytest.fixture
def cli(synth_graph: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    assert synth_graph.neo4j_uri
    monkeypatch.setenv("NEO4J_URI", synth_graph.neo4j_uri)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def csv_ids(folder: Path) -> set[str]:
    with (folder / "nodes.csv").open(encoding="utf-8") as f:
        return {row["Id"] for row in csv.DictReader(f)}


def test_lineage_as_bibtex_by_every_id_form(cli: CliRunner, tmp_path: Path) -> None:
    lineage = ("--depth", "2", "--direction", "ancestors")
    run(cli, "export", "--lineage", ROOT.paper_id, *lineage, "--format", "csv",
        "--out", str(tmp_path / "csv"))  # fmt: skip
    expected = csv_ids(tmp_path / "csv")
    assert len(expected) > 3
    forms = [
        f"arXiv:{ROOT.arxiv_id}",
        f"https://arxiv.org/abs/{ROOT.arxiv_id}v3",
        f"CorpusId:{ROOT.corpus_id}",
        f"https://www.semanticscholar.org/paper/{ROOT.paper_id}",
        ROOT.paper_id,
    ]
    texts = []
    for i, form in enumerate(forms):
        out = tmp_path / f"lineage-{i}.bib"
        run(cli, "export", "--lineage", form, *lineage, "--format", "bibtex", "--out", str(out))
        texts.append(out.read_text(encoding="utf-8"))
    assert len(set(texts)) == 1  # every form names the same paper
    entries = parse_bibtex(texts[0], "lineage.bib")
    assert len(entries) == len(expected)
    papers = sorted(expected)  # the export writes papers in id order
    for entry, paper_id in zip(entries, papers, strict=True):
        paper = BY_ID[paper_id]
        assert normalise_title(entry.title or "") == normalise_title(paper.title)
        assert entry.arxiv_id == paper.arxiv_id
        assert entry.doi == paper.doi
        assert entry.year == paper.year


def test_collection_as_ris_and_similarity_graph(cli: CliRunner, tmp_path: Path) -> None:
    doi_paper = next(p for p in PAPERS if p.doi and not p.arxiv_id)
    out = tmp_path / "reading.ris"
    run(cli, "export", "--paper", f"arXiv:{ROOT.arxiv_id}", "--paper", f"DOI:{doi_paper.doi}",
        "--format", "ris", "--out", str(out))  # fmt: skip
    entries = parse_ris(out.read_text(encoding="utf-8"), "reading.ris")
    assert {(e.arxiv_id, e.doi) for e in entries} == {
        (ROOT.arxiv_id, ROOT.doi),
        (None, doi_paper.doi),
    }

    graphml = tmp_path / "similar.graphml"
    run(cli, "export", "--similar", f"arXiv:{ROOT.arxiv_id}", "--first", "10",
        "--format", "graphml", "--out", str(graphml))  # fmt: skip
    G = nx.read_graphml(graphml)
    assert not G.is_directed()
    assert ROOT.paper_id in G and 1 < G.number_of_nodes() <= 10
    assert G.nodes[ROOT.paper_id]["isOrigin"] is True
    assert all(0 < w <= 1 for _, _, w in G.edges(data="weight"))


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("arXiv:2401.99998", "no paper 'arXiv:2401.99998' in the graph"),
        ("Scaling Laws for Neural Language Models", "is not a paper id"),
        ("PMID:123", "not supported"),
    ],
)
def test_a_bad_paper_name_is_one_clear_line(
    cli: CliRunner, tmp_path: Path, given: str, says: str
) -> None:
    result = cli.invoke(app, ["export", "--lineage", given, "--out", str(tmp_path / "x.bib"),
                              "--format", "bibtex"])  # fmt: skip
    assert result.exit_code == 1
    assert says in " ".join(result.output.split())
    assert not (tmp_path / "x.bib").exists()


def test_analytics_prints_titles(
    cli: CliRunner, session_driver: Driver, synth_graph: Settings
) -> None:
    output = " ".join(run(cli, "analytics").split())
    top = top_stored_pagerank(session_driver, synth_graph.neo4j_database, 3)
    for row in top:
        paper = BY_ID[row["paperId"]]
        assert f"{paper.title} ({paper.year})" in output
