"""`citekb synth` then `citekb load DIR` against a real Neo4j, through the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graph_api.cli.main import app
from graph_api.settings import Settings, get_settings
from graph_api.store import graph_store
from loaders.bulk_load import load_datasets_dir
from loaders.graph_writer import graph_counts, graph_dump
from loaders.s2_datasets import DatasetError

runner = CliRunner()


@pytest.fixture
def cli_env(neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI reads its settings from the environment: point it at the test server."""
    assert neo4j_settings.neo4j_uri
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.neo4j_uri)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth2000")
    result = runner.invoke(app, ["synth", "--papers", "2000", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "[synthetic] wrote 2,000 papers" in " ".join(result.output.split())
    return out


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def meta_version(driver: Driver, db: str) -> int:
    records, _, _ = driver.execute_query(
        "MATCH (m:Meta {key: 'graph'}) RETURN m.version AS v", database_=db
    )
    return int(records[0]["v"]) if records else 0


def test_synth_then_load_matches_the_files_and_reloading_changes_nothing(
    corpus: Path, driver: Driver, neo4j_settings: Settings, cli_env: None
) -> None:
    db = neo4j_settings.neo4j_database
    result = runner.invoke(app, ["load", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "CITES" in result.output and "created" in result.output

    manifest = json.loads((corpus / "synthetic.json").read_text())
    papers = lines(corpus / "papers.jsonl")
    authors = lines(corpus / "authors.jsonl")
    counts = graph_counts(driver, database=db)
    assert counts["papers"] == manifest["papers"] == len(papers) == 2000
    assert counts["cites"] == manifest["citations"] == len(lines(corpus / "citations.jsonl"))
    assert counts["authors"] == manifest["authors"] == len(authors)
    assert counts["authored"] == manifest["authorships"]
    assert counts["publishedIn"] == 2000
    assert counts["hasTopic"] == sum(
        len({f["category"] for f in p["s2fieldsofstudy"]}) for p in papers
    )
    assert counts["affiliated"] == sum(len(a["affiliations"]) for a in authors)
    assert counts["topics"] == len({f["category"] for p in papers for f in p["s2fieldsofstudy"]})

    # Spot-check values: counts and dates survive, every paper is marked synthetic.
    records, _, _ = driver.execute_query(
        """MATCH (p:Paper) RETURN count(*) AS n, sum(p.citationCount) AS cited,
                  sum(CASE WHEN p.synthetic THEN 1 ELSE 0 END) AS synthetic,
                  min(p.year) AS first, max(p.year) AS last""",
        database_=db,
    )
    row = records[0]
    assert row["synthetic"] == 2000
    assert row["cited"] == manifest["citations"]
    assert 1995 <= row["first"] <= row["last"] <= 2025
    records, _, _ = driver.execute_query(
        """MATCH (a:Paper)-[:CITES]->(b:Paper)
           RETURN count(*) AS n, sum(CASE WHEN b.publicationDate > a.publicationDate
                                     THEN 1 ELSE 0 END) AS forward""",
        database_=db,
    )
    assert records[0]["forward"] == 0
    version = meta_version(driver, db)
    assert version >= 1

    dump = graph_dump(driver, database=db)
    again = runner.invoke(app, ["load", str(corpus)])
    assert again.exit_code == 0, again.output
    assert graph_counts(driver, database=db) == counts
    assert graph_dump(driver, database=db) == dump
    assert meta_version(driver, db) == version + 1  # one bump per load


def test_malformed_file_fails_with_file_and_line_and_writes_nothing(
    corpus: Path, tmp_path: Path, driver: Driver, neo4j_settings: Settings, cli_env: None
) -> None:
    db = neo4j_settings.neo4j_database
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(corpus / "papers.jsonl", bad / "papers.jsonl")
    shutil.copy(corpus / "authors.jsonl", bad / "authors.jsonl")
    cites = (corpus / "citations.jsonl").read_text(encoding="utf-8").splitlines()
    cites[99] = '{"citingcorpusid": 9000000005, "citedcorpusid": "x"}'
    (bad / "citations.jsonl").write_text("\n".join(cites) + "\n", encoding="utf-8")

    before = graph_dump(driver, database=db)
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 1
    # Rich wraps long lines; compare without the line breaks.
    flat = "".join(result.output.split())
    assert f"{bad / 'citations.jsonl'}:100:" in flat
    assert "'citedcorpusid'mustbeaninteger" in flat
    # The papers and authors files were fine, but nothing from the directory was written.
    assert graph_dump(driver, database=db) == before
    assert graph_counts(driver, database=db)["papers"] == 0
    assert meta_version(driver, db) == 0


def test_load_function_reports_progress_and_summary(
    tmp_path: Path, driver: Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.neo4j_database
    (tmp_path / "papers.jsonl").write_text(
        json.dumps({"corpusid": 1, "title": "Real-shaped record", "url": None}) + "\n"
    )
    (tmp_path / "citations.jsonl").write_text(
        "\n".join(
            json.dumps(r)
            for r in (
                {"citingcorpusid": 1, "citedcorpusid": 2, "isinfluential": False},
                {"citingcorpusid": 1, "citedcorpusid": None},
            )
        )
        + "\n"
    )
    seen: list[tuple[str, int, int | None]] = []
    summary = load_datasets_dir(
        driver, tmp_path, db, lambda phase, done, total: seen.append((phase, done, total))
    )
    assert summary.records["papers"] == 1 and summary.records["citations"] == 2
    assert summary.skipped == 1
    assert summary.counts.by_kind["cites"].relationships_created == 1
    assert ("write citations.jsonl", 2, 2) in seen
    assert any(phase == "check papers.jsonl" for phase, _, _ in seen)
    records, _, _ = driver.execute_query(
        "MATCH (a:Paper)-[r:CITES]->(b:Paper) RETURN a.paperId AS a, b.paperId AS b,"
        " b.corpusId AS cid, r.source AS source",
        database_=db,
    )
    assert records[0].data() == {
        "a": "CorpusId:1",
        "b": "CorpusId:2",
        "cid": 2,
        "source": "s2-datasets",
    }
    with pytest.raises(DatasetError):
        load_datasets_dir(driver, tmp_path / "nothing-here", db)


class _Crash(RuntimeError):
    """Raised from the progress callback: the load dies part-way, like a killed process."""


def test_concurrent_writer_equals_the_sequential_merge_writer_and_resumes_after_a_crash(
    corpus: Path, driver: Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.neo4j_database
    # Today's path: one transaction at a time, MERGE for every row.
    sequential = load_datasets_dir(
        driver, corpus, db, batch_size=700, concurrency=1, known_new=False
    )
    assert sequential.counts.retries == 0
    reference = graph_dump(driver, database=db)

    graph_store.clear_data(driver, db)
    # Several transactions at once, CREATE for what this load created; small
    # batches and chunks so that many run concurrently and chunks share state.
    fast = load_datasets_dir(
        driver, corpus, db, batch_size=700, paper_chunk=900, citation_chunk=6000, concurrency=4
    )
    assert graph_dump(driver, database=db) == reference
    assert fast.counts.nodes_created == sequential.counts.nodes_created
    assert fast.counts.relationships_created == sequential.counts.relationships_created
    assert fast.counts.transactions > sequential.counts.transactions // 2

    # A rerun creates nothing and changes nothing.
    again = load_datasets_dir(driver, corpus, db, batch_size=700, concurrency=4)
    assert again.counts.nodes_created == 0 and again.counts.relationships_created == 0
    assert graph_dump(driver, database=db) == reference

    # A load that dies half-way through the citations, then a rerun: same graph.
    graph_store.clear_data(driver, db)
    written: list[str] = []

    def die_half_way(phase: str, done: int, total: int | None) -> None:
        if phase.startswith("write citations") and total and done >= total // 2:
            written.append(phase)
            raise _Crash("killed")

    with pytest.raises(_Crash):
        load_datasets_dir(
            driver, corpus, db, die_half_way, batch_size=700, citation_chunk=3000, concurrency=4
        )
    assert written
    partial = graph_counts(driver, database=db)
    reference_cites = sum(1 for r in reference["relationships"] if r["type"] == "CITES")
    assert 0 < partial["cites"] < reference_cites
    resumed = load_datasets_dir(driver, corpus, db, batch_size=700, concurrency=4)
    # The rerun MERGEs what the dead load wrote and creates exactly the rest.
    assert (
        resumed.counts.by_kind["cites"].relationships_created
        == reference_cites - (partial["cites"])
    )
    assert graph_dump(driver, database=db) == reference
