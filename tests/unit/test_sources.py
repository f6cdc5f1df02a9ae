"""Source detection, bad files, and ``citekb load --dry-run``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph_api.cli.main import app
from loaders.sources import SourceError, SourceKind, detect_source, parse_source

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
HF_JSON = REPO / "examples" / "hf-daily-papers-api.handmade.json"
TEN_MB = 10 * 1024 * 1024


def test_detects_every_kind(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json.txt"
    ids.write_text("arXiv:2512.17351\nTiny language models\n", encoding="utf-8")
    # The extension is not trusted: JSON content in a .txt file is JSON.
    renamed = tmp_path / "papers.txt"
    renamed.write_bytes(HF_JSON.read_bytes())
    datasets = tmp_path / "s2"
    datasets.mkdir()
    (datasets / "papers-part0.jsonl").write_text("{}\n", encoding="utf-8")
    assert detect_source(SAMPLE) is SourceKind.HF_PAGE
    assert detect_source(HF_JSON) is SourceKind.HF_JSON
    assert detect_source(renamed) is SourceKind.HF_JSON
    assert detect_source(ids) is SourceKind.ID_LIST
    assert detect_source(datasets) is SourceKind.S2_DATASETS
    with pytest.raises(SourceError, match="S2 Datasets directory"):
        parse_source(datasets)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match="without S2 Datasets files"):
        detect_source(plain)


def test_parse_source_dispatches(tmp_path: Path) -> None:
    assert len(parse_source(SAMPLE)) == 54
    assert [r.arxiv_id for r in parse_source(HF_JSON)] == ["2512.17351", "2501.12599", "2511.00001"]
    ids = tmp_path / "ids.txt"
    ids.write_text("# one\nCorpusId:470667\n", encoding="utf-8")
    [ref] = parse_source(ids)
    assert ref.corpus_id == 470667 and ref.source == "ids:ids.txt:2"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "needle", "line"),
    [
        ("empty.txt", b"", "empty file", None),
        ("blank.txt", b"  \n\n\t\n", "empty file", None),
        ("only-comments.txt", b"# nothing here\n", "no paper entries", None),
        ("binary.bin", bytes(range(256)) * 4, "binary data", 1),
        ("latin1.txt", "line one\ncaf\u00e9 au lait\n".encode("latin-1"), "not UTF-8", 2),
        ("empty-list.json", b"[]", "no paper entries", None),
        ("scalar.json", b'["just a string"]', "not an object", 1),
        ("no-title.json", b'[\n{"paper": {"id": "not-arxiv"}}\n]', "without paper.title", 2),
        ("two.json", b'{"title": "a"}\n{"title": "b"}\n', "JSON Lines", 2),
        ("junk.json", b'[{"title": "a"} {"title": "b"}]', "expected ',' or ']'", 1),
    ],
)
def test_bad_files_raise_source_error(
    tmp_path: Path, name: str, data: bytes, needle: str, line: int | None
) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(SourceError) as info:
        parse_source(path)
    assert needle in str(info.value)
    assert str(info.value).startswith(str(path))
    assert info.value.line == line


def test_truncated_json_names_the_line(tmp_path: Path) -> None:
    text = HF_JSON.read_text(encoding="utf-8")
    cut = text[: text.index('"Kimi Team"')]
    path = write(tmp_path, "cut.json", cut.encode("utf-8"))
    with pytest.raises(SourceError) as info:
        parse_source(path)
    assert "truncated JSON" in str(info.value)
    assert info.value.line == cut.count("\n") + 1
    # Cut right after a complete item: the list is not closed.
    item_end = text.index("\n  },\n  {") + len("\n  },")
    path2 = write(tmp_path, "cut2.json", text[:item_end].encode("utf-8"))
    with pytest.raises(SourceError, match="truncated JSON"):
        parse_source(path2)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        parse_source(tmp_path / "nope.txt")
    with pytest.raises(SourceError, match="without S2 Datasets files"):
        parse_source(tmp_path)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("fill", "needle"),
    [
        (b"a", "characters long"),
        (b"[", "nested too deeply"),
        (b"\xc2\xb7 ", "characters long"),
    ],
)
def test_ten_megabyte_single_line(tmp_path: Path, fill: bytes, needle: str) -> None:
    path = write(tmp_path, "huge.txt", fill * (TEN_MB // len(fill)))
    start = time.monotonic()
    with pytest.raises(SourceError) as info:
        parse_source(path)
    assert needle in str(info.value)
    assert info.value.line == 1
    assert time.monotonic() - start < 30


@pytest.mark.timeout(60)
def test_ten_megabyte_json_string(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.json", b'[{"title": "' + b"x" * TEN_MB + b'"')
    with pytest.raises(SourceError, match="truncated JSON"):
        parse_source(path)


# --- the CLI ------------------------------------------------------------------

runner = CliRunner()

REQUIRED_KEYS = {
    "title",
    "abstract",
    "date",
    "upvotes",
    "authorsCount",
    "organization",
    "organizationHandle",
    "arxivId",
    "doi",
    "source",
}


def test_dry_run_json_prints_one_object_per_entry() -> None:
    result = runner.invoke(app, ["load", str(SAMPLE), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 54
    records = [json.loads(line) for line in lines]
    assert all(set(r) >= REQUIRED_KEYS for r in records)
    first = records[0]
    assert first["date"] == "2025-12-19"
    assert (first["organization"], first["organizationHandle"], first["upvotes"]) == (
        "AI at Meta",
        "facebook",
        2,
    )
    assert records[1]["authorsCount"] == 5 and records[1]["organization"] is None
    assert sum(1 for r in records if r["date"] is None) == 2
    assert first["source"] == f"hf-page:{SAMPLE.name}:13"


def test_dry_run_as_of_and_topics() -> None:
    result = runner.invoke(
        app, ["load", str(SAMPLE), "--dry-run", "--json", "--as-of", "2026-06-01", "--topics"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    kimi = next(r for r in records if r["title"].startswith("Kimi k1.5"))
    assert kimi["date"] == "2026-01-21"
    assert all(0 < t["score"] <= 1 for r in records for t in r["topics"])
    assert all(len(r["topics"]) <= 5 for r in records)


def test_dry_run_text_and_json_source(tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(HF_JSON), "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert len(out) == 3
    assert out[0].startswith("2025-12-19     2  Physics of Language Models")
    assert "arXiv:2512.17351" in out[0]


def test_cli_bad_as_of_is_a_usage_error() -> None:
    result = runner.invoke(app, ["load", str(SAMPLE), "--dry-run", "--as-of", "25 December"])
    assert result.exit_code == 1
    assert "--as-of expects" in result.output
    assert "Traceback" not in result.output


def test_cli_bad_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "bad[1].json", b'[{"title": "x"')
    result = runner.invoke(app, ["load", str(path), "--dry-run", "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert f"{path}:1: truncated JSON" in " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit)
