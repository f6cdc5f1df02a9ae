"""The importer's CSV, the import's store juggling, the writer's fast-path bookkeeping.

No services: files in tmp_path only.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

import cypher
from graph_api.server.neo4j_import import failure_reason
from graph_api.server.store_journal import (
    journal_path,
    recover_interrupted_import,
    set_store_aside,
)
from loaders import import_csv
from loaders.graph_writer import PAPER_BOOKKEEPING, PAPER_PROPERTIES, LoadState, _partitions
from loaders.s2_datasets import DatasetError, iter_records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


NodeKey = tuple[str, str]  # (label, key)


def read_import(
    done: import_csv.ImportCsv,
) -> tuple[dict[NodeKey, dict[str, str]], dict[tuple[str, str, str], dict[str, str]], list[int]]:
    """The graph the importer's CSV describes, ids resolved to keys: nodes, relationships, ids.

    Checks what --id-type=actual relies on: every node id unique over all
    labels, every relationship's ids naming a node of its type's labels, the
    key a plain string column and no id stored as a property.
    """
    keys = {label: key for label, key, _ in import_csv.NODE_TABLES.values()}
    by_id: dict[int, NodeKey] = {}
    nodes: dict[NodeKey, dict[str, str]] = {}
    for f in done.files:
        if f.flag == "nodes":
            for row in read_csv(f.path):
                node_id, key = int(row.pop(":ID")), row.pop(f"{keys[f.name]}:string")
                assert node_id not in by_id, node_id
                assert not any("ID" in column for column in row)
                by_id[node_id] = (f.name, key)
                nodes[(f.name, key)] = row
    rels: dict[tuple[str, str, str], dict[str, str]] = {}
    for f in done.files:
        if f.flag == "relationships":
            start_label, end_label, _ = import_csv.REL_TABLES[f.name]
            for row in read_csv(f.path):
                start, end = by_id[int(row.pop(":START_ID"))], by_id[int(row.pop(":END_ID"))]
                assert (start[0], end[0]) == (start_label, end_label), f.name
                assert (f.name, start[1], end[1]) not in rels
                rels[(f.name, start[1], end[1])] = row
    return nodes, rels, sorted(by_id)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ('A "quoted", title\nover two lines', "string"),
        ("", "string"),
        (True, "boolean"),
        (False, "boolean"),
        (["background", "methodology"], "string[]"),
        (0.5, "double"),
        (9_000_000_123, "long"),
    ],
)
def test_fields_round_trip_through_a_csv_reader(value: Any, kind: str) -> None:
    text = import_csv._encode(value, kind)
    (parsed,) = next(csv.reader([text]))
    back = import_csv._decode(parsed, kind)
    assert back == (value if value != "" else None)
    assert import_csv._encode(None, kind) == ""


def test_papers_columns_are_what_the_online_writer_stores() -> None:
    set_by_papers = set(re.findall(r"p\.(\w+) = ", cypher.statement("write/papers")))
    # write/embeddings sets the other two, on papers that exist.
    embeddings = cypher.statement("write/embeddings")
    set_by_embeddings = set(re.findall(r"p\.(\w+) = ", embeddings))
    set_by_embeddings |= set(re.findall(r"setNodeVectorProperty\(p, '(\w+)'", embeddings))
    assert set_by_embeddings == {"embedding", "embeddingModel"}
    columns = [name for name, _ in import_csv.NODE_TABLES["papers"][2]]
    assert set(columns) == set_by_papers | set_by_embeddings
    assert set_by_papers == {*PAPER_PROPERTIES, *PAPER_BOOKKEEPING, "loadedAt"}
    # CITES: what write/cites sets on a relationship it creates, addedBy included.
    cites = cypher.statement("write/cites").split("ON MATCH SET")[0]
    assert {name for name, _ in import_csv.REL_TABLES["CITES"][2]} == set(
        re.findall(r"r\.(\w+) = ", cites)
    )


def assert_longest_rows_known(done: import_csv.ImportCsv) -> None:
    """Each file knows its longest row: exactly, or at least for rows rewritten in place."""
    for f in done.files:
        text = f.path.read_text(encoding="utf-8")
        physical = max(len(line) for line in text.split("\n"))
        if f.multiline or f.path.name.endswith("_stubs.csv"):
            assert f.longest >= physical, f.path.name
        else:
            assert f.longest == physical, f.path.name


def test_a_row_longer_than_a_quarter_mebibyte_gets_a_larger_read_buffer(
    tmp_path: Path,
) -> None:
    d = tmp_path / "ds"
    d.mkdir()
    write_jsonl(d / "papers.jsonl", [{"corpusid": 1, "title": "One"}])
    write_jsonl(d / "abstracts.jsonl", [{"corpusid": 1, "abstract": "x" * 300_000}])
    done = import_csv.write_import_csv(d, tmp_path / "csv", loaded_at="x")
    assert_longest_rows_known(done)
    assert "--read-buffer-size=2m" in done.options()


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    d = tmp_path / "ds"
    d.mkdir()
    write_jsonl(
        d / "papers.jsonl",
        [
            {
                "corpusid": 1,
                "title": "One, with a comma",
                "year": 2001,
                "authors": [{"authorId": "a1", "name": "Ann"}],
            },
            {
                "corpusid": 2,
                "title": "Two",
                "s2fieldsofstudy": [{"category": "Physics", "source": "external"}],
            },
            # The same paper again in a later chunk: later non-null values win.
            {"corpusid": 1, "title": None, "year": 2002, "venue": "Synthetic Letters"},
        ],
    )
    write_jsonl(
        d / "abstracts.jsonl",
        [
            {"corpusid": 2, "abstract": "Line one\nline two"},
            # No papers record: a paper of its own, which a citation names too.
            {"corpusid": 77, "abstract": "Only an abstract"},
        ],
    )
    write_jsonl(
        d / "authors.jsonl",
        [{"authorid": "a1", "name": "Ann B.", "hindex": 3, "affiliations": ["Lab X"]}],
    )
    write_jsonl(
        d / "citations.jsonl",
        [
            {"citingcorpusid": 2, "citedcorpusid": 1, "isinfluential": True, "intents": []},
            {"citingcorpusid": 2, "citedcorpusid": 77},  # 77: no papers record
            {"citingcorpusid": 88, "citedcorpusid": 1},  # 88: in no file but this one
            {"citingcorpusid": 1, "citedcorpusid": None},  # skipped
            # The first pair again, later: intents arrive, influence unknown.
            {"citingcorpusid": 2, "citedcorpusid": 1, "intents": [["result"]]},
        ],
    )
    return d


def test_one_pass_writes_every_label_and_type_with_the_writers_merge_rules(
    datasets: Path, tmp_path: Path
) -> None:
    out = tmp_path / "csv"
    done = import_csv.write_import_csv(
        datasets, out, paper_chunk=1, citation_chunk=1, loaded_at="2026-01-01T00:00:00+00:00"
    )
    assert done.records == {"papers": 3, "abstracts": 2, "authors": 1, "citations": 5}
    assert done.skipped == 1
    assert done.nodes == {"Paper": 4, "Author": 1, "Org": 1, "Topic": 1, "Venue": 1}
    assert done.relationships == {
        "CITES": 3,
        "AUTHORED": 1,
        "AFFILIATED_WITH": 1,
        "HAS_TOPIC": 1,
        "PUBLISHED_IN": 1,
    }
    assert done.multiline  # the abstract spans two lines
    nodes, rels, ids = read_import(done)
    # Dense ids: the papers file's two papers below its 3 lines (one line
    # repeats a paper, so id 2 stays unused), then the rest in creation order.
    assert ids == [0, 1, *range(3, 3 + len(nodes) - 2)]
    papers = {key: r for (label, key), r in nodes.items() if label == "Paper"}
    assert (nodes[("Paper", "CorpusId:1")], nodes[("Paper", "CorpusId:2")]) == (
        papers["CorpusId:1"],
        papers["CorpusId:2"],
    )
    one = papers["CorpusId:1"]
    assert (one["title:string"], one["year:long"]) == ("One, with a comma", "2002")
    assert one["venue:string"] == "Synthetic Letters"
    assert papers["CorpusId:2"]["abstract:string"] == "Line one\nline two"
    stub = papers["CorpusId:88"]  # a stub paper that knows its corpus id
    assert (stub["corpusId:long"], stub["title:string"], stub["isSeed:boolean"]) == (
        "88",
        "",
        "false",
    )
    # The abstracts file made 77 a paper; the citation of it names that one.
    assert papers["CorpusId:77"]["abstract:string"] == "Only an abstract"
    assert {r["loadedAt:string"] for r in papers.values()} == {"2026-01-01T00:00:00+00:00"}
    (author,) = read_csv(out / "nodes_Author.csv")
    assert (author["name:string"], author["hIndex:long"]) == ("Ann B.", "3")
    cites = {(start, end): r for (kind, start, end), r in rels.items() if kind == "CITES"}
    assert set(cites) == {
        ("CorpusId:2", "CorpusId:1"),
        ("CorpusId:2", "CorpusId:77"),
        ("CorpusId:88", "CorpusId:1"),
    }
    merged = cites[("CorpusId:2", "CorpusId:1")]
    # First seen influential, no intents; seen again with intents and no influence.
    assert merged["isInfluential:boolean"] == "true"
    assert merged["intents:string[]"] == "result"
    to_stub = cites[("CorpusId:2", "CorpusId:77")]
    assert (to_stub["isInfluential:boolean"], to_stub["intents:string[]"]) == ("false", "")
    assert done.arguments()[0] == f"--nodes=Paper={out / 'nodes_Paper.csv'}"
    # Citations of the papers no papers file lists have a file of their own.
    assert done.arguments()[-2:] == [
        f"--relationships=CITES={out / 'rel_CITES.csv'}",
        f"--relationships=CITES={out / 'rel_CITES_stubs.csv'}",
    ]
    assert done.options()[:3] == [
        "--id-type=actual",
        "--array-delimiter=U+001F",
        "--read-buffer-size=1m",
    ]
    assert_longest_rows_known(done)
    counts = done.write_counts(properties=10, elapsed_s=1.0)
    assert counts.by_kind["cites"].relationships_created == 3
    assert counts.by_kind["papers"].nodes_created == 4
    assert counts.nodes_created == 8


def test_one_process_and_two_write_the_same_csv(datasets: Path, tmp_path: Path) -> None:
    # The citations go to a second process by default; the files must not change.
    kw: dict[str, Any] = {"paper_chunk": 1, "citation_chunk": 2, "loaded_at": "2026-01-01"}
    one = import_csv.write_import_csv(datasets, tmp_path / "one", processes=1, **kw)
    two = import_csv.write_import_csv(datasets, tmp_path / "two", processes=2, **kw)
    assert sorted(f.path.name for f in one.files) == sorted(f.path.name for f in two.files)
    for f in one.files:
        assert f.path.read_bytes() == (tmp_path / "two" / f.path.name).read_bytes(), f.path.name
    assert (one.records, one.skipped, one.rows_by_kind, one.nodes, one.relationships) == (
        two.records,
        two.skipped,
        two.rows_by_kind,
        two.nodes,
        two.relationships,
    )
    # Every Paper and CITES carries the import's load number, as online.
    for name in ("nodes_Paper.csv", "rel_CITES.csv"):
        assert {r["addedBy:long"] for r in read_csv(tmp_path / "two" / name)} == {"1"}


def test_a_bad_line_raises_with_file_and_line(datasets: Path, tmp_path: Path) -> None:
    with (datasets / "citations.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"citingcorpusid": "x"}\n')
    with pytest.raises(DatasetError, match=r"citations\.jsonl:6: 'citingcorpusid'"):
        import_csv.write_import_csv(datasets, tmp_path / "csv")


def test_an_interrupted_import_is_undone_at_the_next_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = home / "data" / "databases" / "neo4j"
    logs = home / "data" / "transactions" / "neo4j"
    for d in (store, logs):
        d.mkdir(parents=True)
        (d / "before.txt").write_text("the database as it was", encoding="utf-8")
    set_store_aside(home, "neo4j")
    assert not store.exists()
    # The importer started writing, then this process died: journal left behind.
    store.mkdir(parents=True)
    (store / "partial.db").write_text("half an import", encoding="utf-8")
    journal_path(home).parent.mkdir(parents=True)
    journal_path(home).write_text(json.dumps({"database": "neo4j", "pid": None}))
    assert recover_interrupted_import(home)
    assert (store / "before.txt").read_text(encoding="utf-8") == "the database as it was"
    assert (logs / "before.txt").exists()
    assert not (store / "partial.db").exists()
    assert not journal_path(home).exists()
    assert not recover_interrupted_import(home)  # nothing to undo twice


def test_the_importers_complaint_becomes_file_line_reason() -> None:
    output = """IMPORT FAILED in 156ms.
Caused by: org.neo4j.internal.batchimport.input.InputException: ERROR in input
  data source: BufferedCharSeeker[source:/tmp/x/nodes_Paper.csv, position:32, line:2]
  original error: Not an integer: "notanumber"
"""
    assert failure_reason(output) == '/tmp/x/nodes_Paper.csv:3: Not an integer: "notanumber"'
    assert failure_reason("Error importing csv file.\n") == "Error importing csv file."


def test_the_row_error_wins_over_the_end_of_input_the_parser_reached_after_it() -> None:
    # The importer's threads race: the end of input its parser reached after
    # the bad field may come first, the field's error "Suppressed" under it
    # (seen in tests/integration/test_offline_load.py, Neo4j 5.26.30).
    output = """Caused by: org.neo4j.internal.batchimport.input.InputException: ERROR in input
  data source: BufferedCharSeeker[source:/tmp/x/nodes_Paper.csv, position:126, line:4]
  in field: embedding:float[]:25
  raw field value: ??
  original error: Near Mark[from:-1, to:-1, quoted:false]
	Suppressed: org.neo4j.internal.batchimport.input.InputException: ERROR in input
  data source: BufferedCharSeeker[source:/tmp/x/nodes_Paper.csv, position:101, line:3]
  in field: corpusId:long:2
  raw field value: nineteen-ninety
  original error: Not an integer: "nineteen-ninety"
Caused by: org.neo4j.internal.batchimport.input.UnexpectedEndOfInputException: Near Mark[from:-1]
"""
    assert failure_reason(output) == ('/tmp/x/nodes_Paper.csv:4: Not an integer: "nineteen-ninety"')
    only_the_end = output.split("\tSuppressed", maxsplit=1)[0]
    assert failure_reason(only_the_end).startswith("/tmp/x/nodes_Paper.csv:5: Near Mark[")


def test_the_line_named_is_the_one_holding_the_quoted_value(tmp_path: Path) -> None:
    # The importer counts lines per read chunk: on a long file it may name a
    # line or two early; the line holding the value it quotes is the one meant.
    csv_file = tmp_path / "nodes_Paper.csv"
    rows = [f'"p{i}",{i}' for i in range(2000)]
    csv_file.write_text("paperId:ID(Paper),year:long\n" + "\n".join([*rows, '"zz",oops']) + "\n")
    output = (
        f"  data source: BufferedCharSeeker[source:{csv_file}, position:9, line:2000]\n"
        '  original error: Not an integer: "oops"\n'
    )
    assert failure_reason(output) == f'{csv_file}:2002: Not an integer: "oops"'


def test_load_state_licenses_create_once_per_pair_of_a_created_paper() -> None:
    state = LoadState()
    rows = [
        {"citing": "new", "cited": "x"},
        {"citing": "old", "cited": "x"},
    ]
    assert state.split("cites", rows) == ([], rows)  # nothing created yet
    state.created_papers.add("new")
    new, old = state.split("cites", rows)
    assert new == [rows[0]] and old == [rows[1]]
    # The same pair in a later call of the load: MERGE, not a second CREATE.
    assert state.split("cites", rows[:1]) == ([], rows[:1])
    authored = [{"authorId": "a", "paperId": "new", "position": 0}]
    assert state.split("authored", authored) == (authored, [])
    state.forget()
    assert state.split("authored", authored) == ([], authored)


def test_partitions_never_share_a_key() -> None:
    rows = [{"citing": f"p{i % 700}", "cited": f"q{i}"} for i in range(5000)]
    parts = _partitions("cites", rows, 4)
    assert len(parts) == 4 and sum(map(len, parts)) == 5000
    keys = [{r["citing"] for r in part} for part in parts]
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            assert not a & b
    assert _partitions("venues", rows, 4) == [rows]  # shared hub nodes: one at a time
    assert _partitions("cites", rows[:600], 4) == [rows[:600]]  # too small to split


@pytest.mark.parametrize("context", [None, "Two lines\nof context [1]."])
def test_citations_of_papers_no_papers_file_lists_get_those_papers_ids(
    tmp_path: Path, context: str | None
) -> None:
    # A context with a line break makes the stub file multiline: then only a
    # CSV reader finds its rows when the stand-in ids are replaced.
    d = tmp_path / "ds"
    d.mkdir()
    write_jsonl(d / "papers.jsonl", [{"corpusid": 1, "title": "One"}, {"corpusid": 2}])
    first: dict[str, Any] = {"citingcorpusid": 5, "citedcorpusid": 1, "intents": []}
    if context is not None:
        first |= {"contexts": [context], "intents": [["background"]]}
    write_jsonl(
        d / "citations.jsonl",
        [
            first,
            {"citingcorpusid": 2, "citedcorpusid": 1},
            {"citingcorpusid": 1, "citedcorpusid": 6, "isinfluential": True},
            {"citingcorpusid": 5, "citedcorpusid": 6},
            # The first pair again: merged into its row in the stub file.
            {"citingcorpusid": 5, "citedcorpusid": 1, "intents": [["result"]]},
        ],
    )
    done = import_csv.write_import_csv(d, tmp_path / "csv", citation_chunk=2, loaded_at="x")
    assert done.multiline == (context is not None)
    nodes, rels, ids = read_import(done)
    assert ids == [0, 1, 2, 3]  # 5 and 6 right after the two papers file lines
    assert {key for label, key in nodes if label == "Paper"} == {
        "CorpusId:1",
        "CorpusId:2",
        "CorpusId:5",
        "CorpusId:6",
    }
    assert set(rels) == {
        ("CITES", "CorpusId:5", "CorpusId:1"),
        ("CITES", "CorpusId:2", "CorpusId:1"),
        ("CITES", "CorpusId:1", "CorpusId:6"),
        ("CITES", "CorpusId:5", "CorpusId:6"),
    }
    merged = rels[("CITES", "CorpusId:5", "CorpusId:1")]
    assert merged["intents:string[]"] == "result"
    assert merged["contexts:string[]"] == (context or "")
    assert rels[("CITES", "CorpusId:1", "CorpusId:6")]["isInfluential:boolean"] == "true"
    assert_longest_rows_known(done)
    # Only the papers file's pair is in the main file; the rest in the stub file.
    assert len(read_csv(tmp_path / "csv" / "rel_CITES.csv")) == 1
    assert len(read_csv(tmp_path / "csv" / "rel_CITES_stubs.csv")) == 3


def test_the_two_processes_must_number_the_papers_alike(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = import_csv.write_cites_csv

    def numbered_otherwise(*args: Any, **kw: Any) -> import_csv.CitesPass:
        done = real(*args, **kw)
        done.paper_digest = import_csv.paper_digest(["CorpusId:2", "CorpusId:1"])
        return done

    monkeypatch.setattr(import_csv, "write_cites_csv", numbered_otherwise)
    with pytest.raises(RuntimeError, match="numbered the papers files' papers differently"):
        import_csv.write_import_csv(datasets, tmp_path / "csv", processes=1)


def test_papers_past_the_papers_files_line_count_are_refused() -> None:
    ids = import_csv._NodeIds(2)
    assert (ids.papers_file_paper(), ids.papers_file_paper(), ids.other()) == (0, 1, 2)
    with pytest.raises(RuntimeError, match="more papers than the 2 lines"):
        ids.papers_file_paper()


@pytest.mark.parametrize(
    "row",
    [
        {"isInfluential": None, "intents": [], "contexts": None, "source": "s2-datasets"},
        {"isInfluential": True, "intents": ["a", "b"], "source": "synthetic"},
        {
            "isInfluential": False,
            "intents": ["result"],
            "contexts": ['Says "so",\nover lines', "Two"],
            "contextIntents": ["result", ""],
            "source": None,
        },
        {"contexts": [], "contextIntents": ["x"], "intents": None},
    ],
)
def test_a_new_cites_pairs_columns_in_one_step_are_the_column_by_column_encoding(
    row: dict[str, Any],
) -> None:
    # The fast path of the CITES pass against the generic one it replaces.
    values = import_csv._cites_create(7)(import_csv._cites_values(row))
    columns = import_csv.REL_TABLES["CITES"][2]
    reference = ",".join(import_csv._encode(values.get(name), kind) for name, kind in columns)
    assert import_csv._cites_tail(7)(row) == reference


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_the_papers_bound_counts_what_the_reader_reads_gzipped_or_not(
    tmp_path: Path, newline: bytes
) -> None:
    # The bound must be at least the records iter_records yields, whatever the
    # line ends; and no more than the lines, or ids would be left unused.
    body = newline.join([b'{"corpusid": 1}', b"", b'{"corpusid": 2}', b'{"corpusid": 3}'])
    plain, packed = tmp_path / "papers.jsonl", tmp_path / "papers2.jsonl.gz"
    plain.write_bytes(body)
    packed.write_bytes(gzip.compress(body + newline))
    for path in (plain, packed):
        assert len(list(iter_records(path))) == 3
        assert import_csv.line_count(path) == 4, path.name
