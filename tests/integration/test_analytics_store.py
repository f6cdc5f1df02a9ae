"""Analytics on a real Neo4j: projection, stored scores, staleness, export, CLI.

One synthetic corpus of 2,000 papers (``loaders.synth``, labelled synthetic)
is loaded once for the module through the real bulk path
(``loaders.bulk_load``), and ``citekb analytics`` stores its scores.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graph_api.analytics import lineage
from graph_api.cli.main import app
from graph_api.settings import Settings, get_settings
from graph_api.store import graph_store
from graph_api.store.analytics_store import (
    AnalyticsRun,
    analytics_status,
    compute_and_store,
    top_stored_pagerank,
)
from graph_api.store.graph_export import ExportError, export_graph
from graph_api.store.projection import ProjectionCache, aload_projection, load_projection
from loaders.bulk_load import load_datasets_dir
from loaders.graph_writer import WriteCounts, record_load_meta
from loaders.synth import SynthConfig, generate

PAPERS = 2000


@dataclass(frozen=True)
class Corpus:
    directory: Path
    run: AnalyticsRun
    database: str


@pytest.fixture(scope="module")
def corpus(
    session_driver: Driver, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Corpus:
    database = neo4j_settings.neo4j_database
    graph_store.clear_data(session_driver, database)
    directory = tmp_path_factory.mktemp("synth-2000")
    generate(SynthConfig(papers=PAPERS, seed=11), directory)
    load_datasets_dir(session_driver, directory, database)
    run = compute_and_store(session_driver, database)
    return Corpus(directory=directory, run=run, database=database)


def graph_from_files(directory: Path) -> nx.DiGraph:
    """The citation graph read straight from the Datasets files, no citekb code involved."""
    ids: dict[int, str] = {}
    G = nx.DiGraph()
    with (directory / "papers.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            ids[record["corpusid"]] = record["paperId"]
            G.add_node(record["paperId"])
    with (directory / "citations.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            citing, cited = record["citingcorpusid"], record["citedcorpusid"]
            if cited is None or citing == cited:
                continue
            G.add_edge(ids.get(citing, f"CorpusId:{citing}"), ids.get(cited, f"CorpusId:{cited}"))
    return G


def test_stored_pagerank_top_20_matches_networkx_on_the_files(
    corpus: Corpus, session_driver: Driver
) -> None:
    G = graph_from_files(corpus.directory)
    assert corpus.run.papers == G.number_of_nodes()
    assert corpus.run.cites == G.number_of_edges()
    # A tight tolerance so the reference order is settled, not an artefact of
    # networkx's default stopping rule.
    expected = nx.pagerank(G, alpha=0.85, tol=1e-12, max_iter=1000)
    top = sorted(expected, key=lambda p: (-expected[p], p))[:20]
    stored = top_stored_pagerank(session_driver, corpus.database, 20)
    assert [r["paperId"] for r in stored] == top
    assert [r["pagerankRank"] for r in stored] == list(range(1, 21))
    for row in stored:
        assert row["pagerank"] == pytest.approx(expected[row["paperId"]], rel=1e-6)
    assert stored[0]["pagerankPercentile"] == 100.0


def test_communities_are_stored_with_labels(corpus: Corpus, session_driver: Driver) -> None:
    projection = load_projection(session_driver, corpus.database)
    stored = [c for _, c in projection.graph.nodes(data="community")]
    assert None not in stored
    status = analytics_status(session_driver, corpus.database)
    sizes, labels, n = status.community_sizes, status.community_labels, status.communities
    assert n == corpus.run.communities == len(sizes) == len(labels)
    # The stored ids partition the papers exactly as the recorded sizes say.
    counts = sorted(nx.utils.groups(dict(enumerate(stored))).items())
    assert [len(members) for _, members in counts] == sizes
    assert sizes == sorted(sizes, reverse=True)
    # Synthetic papers carry fields of study: the big communities get labels.
    assert labels[0]


def test_status_goes_stale_after_a_load_and_fresh_after_a_run(
    corpus: Corpus, session_driver: Driver
) -> None:
    status = analytics_status(session_driver, corpus.database)
    assert status.computed and not status.stale
    assert status.analytics_version == corpus.run.graph_version is not None
    assert "fresh" in status.describe()
    record_load_meta(session_driver, WriteCounts(), database=corpus.database, source="test")
    status = analytics_status(session_driver, corpus.database)
    assert status.stale
    assert status.graph_version == corpus.run.graph_version + 1
    assert "STALE" in status.describe()
    rerun = compute_and_store(session_driver, corpus.database)
    assert rerun.graph_version == status.graph_version
    assert not analytics_status(session_driver, corpus.database).stale


def test_projection_cache_reloads_only_when_the_version_moves(
    corpus: Corpus, session_driver: Driver
) -> None:
    cache = ProjectionCache()
    first = cache.get(session_driver, corpus.database)
    assert cache.get(session_driver, corpus.database) is first
    assert cache.loads == 1
    assert first.papers == corpus.run.papers
    # Projection attributes come along: years, topics, authors, orgs.
    attrs = first.graph.nodes[next(iter(first.graph))]
    assert isinstance(attrs["year"], int) and attrs["topics"] and attrs["authors"]
    assert first.orgs.by_member  # synthetic authors have affiliations
    record_load_meta(session_driver, WriteCounts(), database=corpus.database, source="test")
    second = cache.get(session_driver, corpus.database)
    assert second is not first
    assert second.version == (first.version or 0) + 1
    assert cache.loads == 2


async def test_async_projection_matches_sync(
    corpus: Corpus, session_driver: Driver, neo4j_settings: Settings
) -> None:
    assert neo4j_settings.neo4j_uri
    adriver = graph_store.async_driver_for(neo4j_settings, neo4j_settings.neo4j_uri)
    try:
        async_proj = await aload_projection(adriver, corpus.database)
    finally:
        await adriver.close()
    sync_proj = load_projection(session_driver, corpus.database)
    assert sorted(async_proj.graph.edges) == sorted(sync_proj.graph.edges)
    assert async_proj.version == sync_proj.version


def test_exports_read_back(corpus: Corpus, session_driver: Driver, tmp_path: Path) -> None:
    G = load_projection(session_driver, corpus.database).graph
    top = max(G.nodes, key=lambda p: (G.nodes[p]["pagerank"], p))

    export_graph(G, "graphml", tmp_path / "all.graphml")
    back = nx.read_graphml(tmp_path / "all.graphml")
    assert back.is_directed()
    assert (back.number_of_nodes(), back.number_of_edges()) == (len(G), G.number_of_edges())
    assert set(back.edges) == set(G.edges)
    assert back.nodes[top]["pagerank"] == pytest.approx(G.nodes[top]["pagerank"])
    assert back.nodes[top]["label"] == G.nodes[top]["title"]

    export_graph(G, "gexf", tmp_path / "all.gexf")
    gexf = nx.read_gexf(tmp_path / "all.gexf")
    assert (gexf.number_of_nodes(), gexf.number_of_edges()) == (len(G), G.number_of_edges())
    assert gexf.nodes[top]["community"] == G.nodes[top]["community"]

    # Lineage: the top paper's descendants at one hop are exactly its citers.
    summary = export_graph(
        G, "csv", tmp_path / "lineage", lineage_of=top, depth=1, side="descendants"
    )
    with (tmp_path / "lineage" / "nodes.csv").open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with (tmp_path / "lineage" / "edges.csv").open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert {n["Id"] for n in nodes} == {top, *G.predecessors(top)}
    assert summary.papers == len(nodes) == 1 + G.in_degree(top)
    assert {(e["Source"], e["Target"]) for e in edges} == set(G.subgraph(summary_ids(nodes)).edges)
    assert {n["lineageSide"] for n in nodes} == {"root", "descendant"}

    # Lineage both ways at depth 2 matches the analytics' own lineage.
    both = export_graph(G, "graphml", tmp_path / "lin.graphml", lineage_of=top, depth=2)
    expected = set(lineage(G, top, direction="ancestors", depth=2, max_papers=None).depth) | set(
        lineage(G, top, direction="descendants", depth=2, max_papers=None).depth
    )
    assert set(nx.read_graphml(tmp_path / "lin.graphml").nodes) == expected
    assert both.papers == len(expected)

    # Community 0 (the largest): its stored members and nothing else.
    export_graph(G, "gexf", tmp_path / "c0.gexf", community=0)
    members = {p for p, c in G.nodes(data="community") if c == 0}
    assert set(nx.read_gexf(tmp_path / "c0.gexf").nodes) == members
    with pytest.raises(ExportError, match="no community 99999"):
        export_graph(G, "gexf", tmp_path / "none.gexf", community=99999)


def summary_ids(nodes: list[dict[str, str]]) -> list[str]:
    return [n["Id"] for n in nodes]


@pytest.fixture
def cli_env(neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    assert neo4j_settings.neo4j_uri
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.neo4j_uri)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_analytics_status_and_export(corpus: Corpus, cli_env: None, tmp_path: Path) -> None:
    runner = CliRunner()
    ran = runner.invoke(app, ["analytics"])
    assert ran.exit_code == 0, ran.output
    assert "analytics stored at graph version" in ran.output
    status = runner.invoke(app, ["analytics", "--status"])
    assert status.exit_code == 0, status.output
    assert "analytics fresh" in status.output
    out = tmp_path / "c0"
    exported = runner.invoke(
        app, ["export", "--format", "csv", "--community", "0", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert (out / "nodes.csv").exists() and (out / "edges.csv").exists()
    bad = runner.invoke(app, ["export", "--format", "pdf", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 1
    assert "--format must be one of graphml, gexf, csv" in bad.output
