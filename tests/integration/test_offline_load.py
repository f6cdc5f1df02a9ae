"""The first load through Neo4j's offline importer against real Neo4j 5.26 servers.

The importer needs a store this process can reach, so these tests run their
own local server (own home, free ports) beside the session's, and compare
what the importer leaves there with what the online path leaves on the
session's server: the same SYNTHETIC 2,000-paper corpus, the same graph dump.
Failures (a bad line in the input, a bad row in the importer's CSV, the
importer killed mid-way) must leave the database as it was: empty, with its
constraints and indexes, and served again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graph_api.cli.main import app
from graph_api.server import import_launcher, neo4j_server, offline_load
from graph_api.server.neo4j_import import ImportFailed
from graph_api.server.store_journal import journal_path
from graph_api.settings import Settings, get_settings
from graph_api.store import graph_store
from loaders import import_csv
from loaders.bulk_load import load_datasets_dir
from loaders.graph_writer import graph_counts, graph_dump
from loaders.s2_datasets import DatasetError

runner = CliRunner()

# Each import stops and restarts a Neo4j server: minutes on the shared 2-core
# machine under load, more than the suite's default 600 s per test.
pytestmark = pytest.mark.timeout(1800)


# Citation contexts as S2's Datasets give them (one intents list per
# context), in every shape the two paths must store alike: intents on some
# contexts only (first, last), on none, text with a comma, quotes and a line
# break, and a pair cited twice whose second record brings the contexts.
CONTEXT_SHAPES: list[dict[str, Any]] = [
    {"contexts": ["As in [3], we use it.", "See [3]."], "intents": [["methodology"], []]},
    {"contexts": ["Unlike [7].", '[7] shows, "clearly",\na gain.'], "intents": [[], ["result"]]},
    {"contexts": ["Cited in passing [2]."], "intents": [[]]},
    {"contexts": ["Both [1]."], "intents": [["background", "methodology"]]},
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth2000-offline")
    result = runner.invoke(app, ["synth", "--papers", "2000", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    # The synthetic corpus has no contexts: give some citations the shapes above.
    path = out / "citations.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for n, record in enumerate(records[: 40 * len(CONTEXT_SHAPES)]):
        record.update(CONTEXT_SHAPES[n % len(CONTEXT_SHAPES)])
    records.append({**records[0], "contexts": [], "intents": []})  # seen again, without
    records.append({**records[1], **CONTEXT_SHAPES[3]})  # seen again, with others
    # Papers no papers record lists (corpus ids 1 and 2), which the importer
    # numbers after the papers files' papers: one only cited (a stub), with
    # a context over two lines, one also given an abstract; each cites too.
    known = records[0]["citingcorpusid"]
    records.append({"citingcorpusid": known, "citedcorpusid": 1, **CONTEXT_SHAPES[1]})
    records.append({"citingcorpusid": 1, "citedcorpusid": known, "intents": [["result"]]})
    records.append({"citingcorpusid": 2, "citedcorpusid": known, "isinfluential": True})
    records.append({"citingcorpusid": known, "citedcorpusid": 2})
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    abstracts = [
        {"corpusid": 2, "abstract": "Only an abstract."},
        {"corpusid": known, "abstract": "A new one."},
    ]
    write = "".join(json.dumps(r) + "\n" for r in abstracts)
    (out / "abstracts.jsonl").write_text(write, encoding="utf-8")
    # A papers record twice (its line's id stays unused by the importer).
    papers = (out / "papers.jsonl").read_text(encoding="utf-8").splitlines()
    papers.append(papers[5])
    (out / "papers.jsonl").write_text("\n".join(papers) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def own_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[neo4j_server.LocalServer, Settings]]:
    """A local server of this module's own, schema applied: the importer stops and starts it."""
    base = Settings()
    server = neo4j_server.LocalServer(
        home=tmp_path_factory.mktemp("neo4j-offline-home"),
        lib=neo4j_server.ensure_jars(base.neo4j_version, base.citekb_cache_dir),
        bolt_port=neo4j_server.free_port(),
        http_port=neo4j_server.free_port(),
        heap="1g",
        pagecache="256m",
        jvm_options=base.neo4j_jvm_flags,
    )
    settings = base.model_copy(
        update={
            "neo4j_uri": server.uri,
            "neo4j_bolt_port": server.bolt_port,
            "neo4j_start_timeout_s": 300.0,
        }
    )
    try:
        server.start(base.neo4j_password.get_secret_value(), base.neo4j_user, 300.0)
    except neo4j_server.Neo4jUnavailable as exc:
        pytest.fail(f"no Neo4j for the offline-import tests: {exc}", pytrace=False)
    try:
        with graph_store.driver_for(settings, server.uri) as drv:
            graph_store.apply_schema(drv, settings.neo4j_database)
        yield server, settings
    finally:
        server.stop()


@pytest.fixture
def own(own_server: tuple[neo4j_server.LocalServer, Settings]) -> Iterator[Driver]:
    """A driver to the module's server over an empty graph (schema kept)."""
    server, settings = own_server
    with graph_store.driver_for(settings, server.uri) as drv:
        graph_store.clear_data(drv, settings.neo4j_database)
        yield drv


def meta(driver: Driver, db: str, key: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query(
        "MATCH (m:Meta {key: $key}) RETURN properties(m) AS p", key=key, database_=db
    )
    return dict(records[0]["p"]) if records else {}


def stamped(driver: Driver, db: str) -> tuple[list[Any], list[Any]]:
    """The distinct addedBy values of Paper nodes and of CITES relationships."""
    nodes, _, _ = driver.execute_query(
        "MATCH (p:Paper) RETURN DISTINCT p.addedBy AS n ORDER BY n", database_=db
    )
    rels, _, _ = driver.execute_query(
        "MATCH ()-[c:CITES]->() RETURN DISTINCT c.addedBy AS n ORDER BY n", database_=db
    )
    return [r["n"] for r in nodes], [r["n"] for r in rels]


def assert_as_it_was(server: neo4j_server.LocalServer, settings: Settings) -> None:
    """Served again, empty, its constraints and indexes in place, nothing left set aside."""
    assert server.running_pid() is not None
    with graph_store.driver_for(settings, server.uri) as drv:
        assert graph_store.node_count(drv, settings.neo4j_database) == 0
        assert graph_store.schema_applied(drv, settings.neo4j_database)
    assert not journal_path(server.home).exists()
    assert not (server.home / "data" / "import-backup").exists() or not any(
        (server.home / "data" / "import-backup").iterdir()
    )
    assert not any((server.home / "import").glob("citekb-load-*"))


def test_importer_and_online_writer_leave_the_same_graph(
    corpus: Path,
    own: Driver,
    own_server: tuple[neo4j_server.LocalServer, Settings],
    driver: Driver,
    neo4j_settings: Settings,
) -> None:
    server, settings = own_server
    db = settings.neo4j_database
    summary = offline_load.offline_load(server, settings, corpus)
    assert summary.imported.relationships == summary.counts.relationships_created > 0
    # Through citekb's entry point (test_import_launcher compares it with neo4j-admin's).
    assert summary.imported.entry_point == import_launcher.LAUNCHER_MAIN_CLASS, (
        summary.imported.fallback_reason
    )
    assert set(summary.phases) == {"csv", "stop", "import", "start", "schema", "meta", "indexes"}
    assert not summary.indexes_online  # populating in the background unless asked to wait
    with graph_store.driver_for(settings, server.uri) as drv:
        imported = graph_dump(drv, database=db)
        imported_counts = graph_counts(drv, database=db)
        assert graph_store.schema_applied(drv, db)
        imported_meta = (meta(drv, db, "graph"), meta(drv, db, "load"), meta(drv, db, "load:1"))
        imported_stamps = stamped(drv, db)

    # The online path (the concurrent writer) on the session's server.
    online = load_datasets_dir(driver, corpus, neo4j_settings.neo4j_database)
    online_dump = graph_dump(driver, database=neo4j_settings.neo4j_database)
    assert imported_counts["papers"] == 2002  # with corpus ids 1 and 2
    assert imported_counts == graph_counts(driver, database=neo4j_settings.neo4j_database)
    assert imported == online_dump
    online_meta = (
        meta(driver, neo4j_settings.neo4j_database, "graph"),
        meta(driver, neo4j_settings.neo4j_database, "load"),
        meta(driver, neo4j_settings.neo4j_database, "load:1"),
    )
    # Contexts came through, and a context without intents is stored alike.
    contexts = [r["props"] for r in imported["relationships"] if r["props"].get("contexts")]
    assert len(contexts) >= 40 * len(CONTEXT_SHAPES) - 1
    assert any("" in (p.get("contextIntents") or ()) for p in contexts)
    # The same graph version, the same load numbers (addedBy), and the load
    # recorded with the same fields and row counts.
    for key in ("version", "loadSeq", "loadsRecordedTo"):
        assert imported_meta[0][key] == online_meta[0][key] == 1, key
    assert imported_stamps == stamped(driver, neo4j_settings.neo4j_database) == ([1], [1])
    # The Load record counts what load 1 added, both ways.
    for key in ("fromLoadNo", "toLoadNo", "papersAdded", "citationsAdded"):
        assert imported_meta[2][key] == online_meta[2][key], key
    assert imported_meta[2]["papersAdded"] == imported_counts["papers"]
    assert set(imported_meta[1]) == set(online_meta[1])
    for key in (
        "source",
        "status",
        "papersRows",
        "citesRows",
        "authorsRows",
        "nodesCreated",
    ):
        assert imported_meta[1][key] == online_meta[1][key], key
    assert imported_meta[1]["relationshipsCreated"] == online.counts.relationships_created

    # Now the database is not empty: the importer refuses, the online rerun changes nothing.
    with pytest.raises(offline_load.DatabaseNotEmpty, match="not empty"):
        offline_load.offline_load(server, settings, corpus)
    with graph_store.driver_for(settings, server.uri) as drv:
        again = load_datasets_dir(drv, corpus, db)
        assert again.counts.nodes_created == again.counts.relationships_created == 0
        assert graph_dump(drv, database=db) == imported


def test_a_bad_input_line_stops_before_the_server_is_touched(
    corpus: Path, tmp_path: Path, own: Driver, own_server: tuple[neo4j_server.LocalServer, Settings]
) -> None:
    server, settings = own_server
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("papers.jsonl", "authors.jsonl"):
        shutil.copy(corpus / name, bad / name)
    cites = (corpus / "citations.jsonl").read_text(encoding="utf-8").splitlines()
    cites[99] = '{"citingcorpusid": 9000000005, "citedcorpusid": "x"}'
    (bad / "citations.jsonl").write_text("\n".join(cites) + "\n", encoding="utf-8")
    pid = server.running_pid()
    with pytest.raises(DatasetError) as err:
        offline_load.offline_load(server, settings, bad)
    assert str(err.value).startswith(f"{bad / 'citations.jsonl'}:100: ")
    assert server.running_pid() == pid  # never stopped
    assert_as_it_was(server, settings)


def test_a_bad_row_in_the_importer_csv_restores_the_database(
    corpus: Path,
    own: Driver,
    own_server: tuple[neo4j_server.LocalServer, Settings],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, settings = own_server
    real = import_csv.write_import_csv
    bad_line: list[int] = []

    def corrupted(directory: Path, out: Path, **kw: Any) -> import_csv.ImportCsv:
        done = real(directory, out, **kw)
        papers = next(f for f in done.files if f.path.name == "nodes_Paper.csv")
        lines = papers.path.read_text(encoding="utf-8").splitlines()
        columns = lines[0].split(",")
        assert columns[:3] == [":ID", "paperId:string", "corpusId:long"]
        # One more paper whose corpusId is no integer: the importer must reject it.
        bad = ["1000000", '"zz-bad"', "nineteen-ninety", *[""] * (len(columns) - 3)]
        lines.append(",".join(bad))
        bad_line.append(len(lines))
        papers.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return done

    monkeypatch.setattr(offline_load, "write_import_csv", corrupted)
    with pytest.raises(ImportFailed) as err:
        offline_load.offline_load(server, settings, corpus)
    message = str(err.value)
    assert f"nodes_Paper.csv:{bad_line[0]}: " in message, message
    assert "nineteen-ninety" in message
    assert_as_it_was(server, settings)


def test_a_killed_import_restores_the_database(
    corpus: Path, own: Driver, own_server: tuple[neo4j_server.LocalServer, Settings]
) -> None:
    server, settings = own_server
    journal = journal_path(server.home)
    killed: list[int] = []

    def kill_the_importer() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                pid = json.loads(journal.read_text(encoding="utf-8")).get("pid")
            except (OSError, ValueError):
                pid = None
            if pid:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_the_importer, daemon=True)
    watcher.start()
    with pytest.raises(ImportFailed, match="killed by signal 9"):
        offline_load.offline_load(server, settings, corpus)
    watcher.join(timeout=5)
    assert killed
    assert_as_it_was(server, settings)


def test_cli_refuses_a_forced_import_into_a_non_empty_database_and_falls_back_when_unreachable(
    corpus: Path,
    driver: Driver,
    neo4j_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert neo4j_settings.neo4j_uri
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.neo4j_uri)
    get_settings.cache_clear()
    try:
        db = neo4j_settings.neo4j_database
        # Empty database behind NEO4J_URI: the importer cannot reach its store.
        result = runner.invoke(app, ["load", str(corpus), "--importer"])
        assert result.exit_code == 0, result.output
        flat = " ".join(result.output.split())
        assert "NEO4J_URI names a server whose store files citekb does not manage" in flat
        assert "writing online instead" in flat
        assert graph_counts(driver, database=db)["papers"] == 2002
        before = graph_dump(driver, database=db)

        # Not empty now: a forced import is refused and nothing changes.
        result = runner.invoke(app, ["load", str(corpus), "--importer"])
        assert result.exit_code == 1
        flat = " ".join(result.output.split())
        assert "the database is not empty" in flat and "--online" in flat
        assert graph_dump(driver, database=db) == before
    finally:
        get_settings.cache_clear()
