"""Bad input through a real ``citekb load``: one clear line, nothing written, a clean rerun;
unknown ids and titles in unusual Unicode end up in the graph exactly once.

The fake S2 is a server process serving a SYNTHETIC corpus built around the
titles below (the titles themselves are made up for this test).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph_api.settings import Settings
from loaders.graph_writer import graph_counts, graph_dump
from loaders.pipeline import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL
from tests.integration.process_support import citekb, cli_env, fake_requests, fake_s2_process

# Synthetic titles chosen for what Unicode does to text: canonical (NFC/NFD)
# and compatibility (full-width, mathematical letters) forms, right-to-left
# scripts, CJK, emoji with zero-width joiners, zero-width spaces, bidi
# controls, case folds that change length (ß, İ) and combining overlays.
TITLES = [
    "Caf\u00e9 Scaling Laws for Na\u00efve Transformers",
    "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 Tokens in Pretraining Corpora",
    "\U0001d401\U0001d428\U0001d425\U0001d41d Mathematical Letters in Synthetic Titles",
    "\u0646\u0645\u0627\u0630\u062c \u0627\u0644\u0644\u063a\u0629 \u0627\u0644\u0643\u0628\u064a\u0631\u0629 \u062f\u0631\u0627\u0633\u0629 \u062a\u062c\u0631\u064a\u0628\u064a\u0629",  # noqa: E501
    "\u05e2\u05d9\u05d1\u05d5\u05d3 \u05e9\u05e4\u05d4 \u05d8\u05d1\u05e2\u05d9\u05ea \u05e2\u05dd \u05e8\u05e9\u05ea\u05d5\u05ea \u05e2\u05de\u05d5\u05e7\u05d5\u05ea",  # noqa: E501
    "\u5927\u89c4\u6a21\u8bed\u8a00\u6a21\u578b\u7684\u9884\u8bad\u7ec3\u7814\u7a76",
    "Emoji \U0001f469\u200d\U0001f52c Scientists and \U0001f9ea Chemistry Benchmarks",
    "Zero\u200bWidth\u200b Spaces Inside Synthetic Tokenisers",
    "Stra\u00dfe und Ma\u00dfe: German Case Folding in Retrieval",
    "\u0130stanbul and the Dotless \u0131 in Turkish Language Models",
    "Bidi \u202eoverride\u202c Marks in a Synthetic Title",
    "Combining Overlays a\u0305b\u0305 and \u2260 in Notation",
]
UNKNOWN_IDS = [
    "CorpusId:999999999",
    "arXiv:2401.99999",
    "DOI:10.9999/citekb.synthetic.unknown",
    "f" * 40,
]
TEN_MB = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def fake_s2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("unicode-corpus")
    titles = folder / "titles.txt"
    titles.write_text("\n".join(TITLES) + "\n", encoding="utf-8")
    with fake_s2_process(f"titles:{titles}", folder / "fake.log") as root:
        yield root


def env(settings: Settings, tmp_path: Path, fake_s2: str) -> dict[str, str]:
    assert settings.neo4j_uri is not None
    return cli_env(settings.neo4j_uri, tmp_path / "cache", fake_s2)


def seed_titles(driver: Driver, settings: Settings) -> list[str]:
    dump = graph_dump(driver, database=settings.neo4j_database)
    return sorted(
        n["props"].get("title") or n["key"]
        for n in dump["nodes"]
        if n["label"] == "Paper" and n["props"].get("isSeed")
    )


BAD_FILES: dict[str, tuple[bytes, str, int | None]] = {
    # name: (content, what the error says, the line it names)
    "empty": (b"", "empty file", None),
    "blank": (b"\n  \n\t\n", "empty file", None),
    "only comments": (b"# seeds to come\n", "no paper entries", None),
    "binary": (bytes(range(256)) * 8, "binary data", 1),
    "not utf-8": ("Caf\u00e9 au lait\n".encode("latin-1"), "not UTF-8", 1),
    "truncated json": (b'[\n  {"title": "A synthetic title", "paper": {"id"', "truncated JSON", 2),
    "10 MB single line": (b"a" * TEN_MB, "characters long", 1),
    "malformed id": (b"arXiv:2512.17351\n\nCorpusId:12x\n", "not a CorpusId", 3),
    "unsupported id": (b"PMID:31452104\n", "not supported", 1),
    # Researchers' files: the first entry is fine, a later one is broken.
    "bibtex unclosed brace": (
        b"@article{ok, title={A synthetic title}, eprint={2001.08361}}\n\n"
        b"@article{broken,\n  title = {Unclosed {brace},\n  year = {2019}\n",
        "malformed BibTeX entry",
        3,
    ),
    "bibtex duplicate key": (
        b"@misc{k, title={One}}\n@misc{k, title={Two}}\n",
        "duplicate entry key",
        2,
    ),
    "bibtex bad doi": (b"@misc{k, title={T},\n doi={10.12}}\n", "DOI '10.12' is not usable", 1),
    "ris without ER": (
        b"TY  - JOUR\nTI  - A synthetic title\nER  - \n\nTY  - JOUR\nTI  - Cut short\n",
        "record not closed",
        5,
    ),
    "ris tag outside a record": (b"TI  - Stray\nTY  - JOUR\nER  - \n", "outside a record", 1),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_one_clear_error_and_writes_nothing(
    driver: Driver, neo4j_settings: Settings, fake_s2: str, tmp_path: Path, case: str
) -> None:
    content, says, line = BAD_FILES[case]
    source = tmp_path / "seeds.txt"
    source.write_bytes(content)
    before = fake_requests(fake_s2)
    failed = citekb(["load", str(source), "--no-analytics"], env(neo4j_settings, tmp_path, fake_s2))

    assert failed.returncode == EXIT_FAILURE
    message = " ".join(failed.stderr.split())
    where = f"{source}:{line}:" if line is not None else f"{source}:"
    assert message.startswith(f"error: {where}"), message[:500]
    assert says in message
    assert "Traceback" not in failed.stdout + failed.stderr
    assert len(failed.stderr) < 1000  # one line, not the file echoed back
    assert failed.stdout == ""
    assert fake_requests(fake_s2) == before
    assert graph_counts(driver, database=neo4j_settings.neo4j_database)["papers"] == 0


def test_a_rerun_after_failures_is_clean(
    driver: Driver, neo4j_settings: Settings, fake_s2: str, tmp_path: Path
) -> None:
    source = tmp_path / "seeds.txt"
    environment = env(neo4j_settings, tmp_path, fake_s2)
    # Two failures in a row on the same path (one while parsing, one on a bad line) ...
    for content, _, _ in (BAD_FILES["truncated json"], BAD_FILES["malformed id"]):
        source.write_bytes(content)
        assert citekb(["load", str(source), "--no-analytics"], environment).returncode == 1
    # ... then the fixed file loads as if nothing had happened before.
    source.write_text(TITLES[0] + "\n" + TITLES[1] + "\n", encoding="utf-8")
    fixed = citekb(["load", str(source), "--no-analytics", "--depth", "0", "--json"], environment)
    assert fixed.returncode == EXIT_OK, fixed.stdout + fixed.stderr
    summary = json.loads(fixed.stdout)
    assert (summary["parsed"], summary["resolved"], summary["unresolved"]) == (2, 2, [])
    assert seed_titles(driver, neo4j_settings) == sorted(TITLES[:2])


def test_unusual_unicode_titles_and_unknown_ids_load_once_and_rerun_cleanly(
    driver: Driver, neo4j_settings: Settings, fake_s2: str, tmp_path: Path
) -> None:
    decomposed = unicodedata.normalize("NFD", TITLES[0])
    assert decomposed != TITLES[0]
    lines = [
        "# synthetic seeds in unusual Unicode",
        *TITLES,
        decomposed,  # the same title, canonically decomposed: one paper
        "  " + TITLES[5] + "  ",  # surrounding spaces: the same paper again
        *UNKNOWN_IDS,
    ]
    source = tmp_path / "unicode seeds \u00e9\u4e2d.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    environment = env(neo4j_settings, tmp_path, fake_s2)
    args = ["load", str(source), "--no-analytics", "--json"]

    first = citekb(args, environment)
    assert first.returncode == EXIT_PARTIAL, first.stdout + first.stderr
    summary = json.loads(first.stdout)
    assert summary["parsed"] == len(TITLES) + 2 + len(UNKNOWN_IDS)
    assert summary["duplicates"] == 2
    assert summary["resolved"] == len(TITLES)
    reasons = {u["id"]: u["reason"] for u in summary["unresolved"]}
    assert len(reasons) == len(UNKNOWN_IDS)
    assert all(r.startswith("not found in Semantic Scholar") for r in reasons.values())

    db = neo4j_settings.neo4j_database
    # Every title is stored exactly as S2 (here: the synthetic corpus) spells it,
    # once; the unknown ids are kept as placeholders named by their id.
    titles = seed_titles(driver, neo4j_settings)
    assert [t for t in titles if t in TITLES] == sorted(TITLES)
    assert len(titles) == len(TITLES) + len(UNKNOWN_IDS)
    graph = graph_dump(driver, database=db)

    again = citekb(args, environment)
    assert again.returncode == EXIT_PARTIAL, again.stdout + again.stderr
    rerun = json.loads(again.stdout)
    assert rerun["nodesCreated"] == 0 and rerun["relationshipsCreated"] == 0
    assert rerun["s2Requests"] == 0
    assert graph_dump(driver, database=db) == graph
