"""BibTeX and RIS: real-world-shaped files in, bad files out with file:line, exports back in."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from graph_api.cli.main import app
from loaders.bib_files import bibtex_text, parse_bibtex
from loaders.reference_entries import ReferenceRecord, citation_keys
from loaders.ris_files import parse_ris, ris_text
from loaders.rows import normalise_title
from loaders.sources import SourceError, SourceKind, detect_source, parse_source

REPO = Path(__file__).resolve().parents[2]
BIB = REPO / "examples" / "refs-pretraining.bib"
RIS = REPO / "examples" / "refs-pretraining.ris"


def by_line(refs: list) -> dict[int, tuple]:  # type: ignore[type-arg]
    return {r.line: (r.arxiv_id, r.doi, r.year, r.title) for r in refs}


def test_example_bib_entries_name_the_right_papers() -> None:
    """Each style's way of naming a paper: arXiv eprint, DBLP CoRR, arXiv DOI, Scholar's
    journal line, a doi.org URL in ``doi``, old-style eprint, and title-only."""
    assert detect_source(BIB) is SourceKind.BIBTEX
    refs = parse_source(BIB)
    assert by_line(refs) == {
        7: ("1706.03762", None, 2017, "Attention is all you need"),
        18: (
            None,
            "10.18653/v1/n19-1423",
            2019,
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        ),
        34: ("2001.08361", None, 2020, "Scaling Laws for Neural Language Models"),
        54: ("2203.15556", None, 2022, "Training Compute-Optimal Large Language Models"),
        67: ("1412.6980", None, 2014, "Adam: A method for stochastic optimization"),
        74: (None, "10.1109/cvpr.2016.90", 2016, "Deep Residual Learning for Image Recognition"),
        82: (None, "10.1162/neco.1997.9.8.1735", 1997, "Long Short-Term Memory"),
        93: (
            None,
            None,
            2002,
            "Learning with Kernels: Support Vector Machines, Regularization, Optimization, "
            "and Beyond",
        ),
        100: (
            "hep-th/9711200",
            None,
            1999,
            "The Large N Limit of Superconformal Field Theories and Supergravity",
        ),
    }
    vaswani = refs[0]
    assert "Kaiser, Łukasz" in vaswani.authors and len(vaswani.authors) == 8
    assert refs[6].authors == ("Sepp Hochreiter", "Jürgen Schmidhuber")
    assert refs[7].authors[0] == "Schölkopf, Bernhard"
    assert all(r.source == f"bib:refs-pretraining.bib:{r.line}" for r in refs)


def test_example_ris_records_name_the_right_papers() -> None:
    assert detect_source(RIS) is SourceKind.RIS
    refs = parse_source(RIS)
    assert by_line(refs) == {
        1: (None, "10.1038/nature14539", 2015, "Deep learning"),
        18: ("2005.14165", None, 2020, "Language Models are Few-Shot Learners"),
        35: ("1706.03762", None, 2017, "Attention is All you Need"),
        44: (
            None,
            None,
            2002,
            "Learning with Kernels: Support Vector Machines, Regularization, Optimization, "
            "and Beyond",
        ),
    }
    few_shot = refs[1]
    assert few_shot.abstract is not None and few_shot.abstract.endswith("on a specific task.")
    assert "fine-tuning on" in few_shot.abstract  # continuation lines joined
    assert refs[2].authors == ("Vaswani, Ashish", "Kaiser, Łukasz")


def test_ris_with_bom_and_crlf_and_bib_in_a_txt_file(tmp_path: Path) -> None:
    ris = tmp_path / "export.txt"
    ris.write_bytes(b"\xef\xbb\xbfTY  - JOUR\r\nTI  - Tiny\r\nDO  - 10.1000/xyz\r\nER  - \r\n")
    assert detect_source(ris) is SourceKind.RIS
    assert [(r.doi, r.line) for r in parse_source(ris)] == [("10.1000/xyz", 1)]
    bib = tmp_path / "library.txt"
    bib.write_text("@misc{a, title = {Caf\\'e {\\AA}ngstr{\\\"o}m}}\n", encoding="utf-8")
    assert detect_source(bib) is SourceKind.BIBTEX
    assert parse_source(bib)[0].title == "Café Ångström"


BAD_BIB = [
    (
        "% header\n@article{a, title={Fine}, year={2020}}\n\n"
        "@article{b,\n  title = {Unclosed {brace,\n  year = {2019}\n}\n"
        "@misc{c, title={After}}\n",
        4,
        "malformed BibTeX entry",
    ),
    ("@misc{a, title={One}}\n@misc{a, title={Two}}\n", 2, "duplicate entry key 'a'"),
    ("@misc{a,\n title={One},\n title={Two}}\n", 1, "a field given twice in one entry (title)"),
    ("@misc{a, title={T}}\n@misc{b,\n doi={10.1000}}\n", 2, "DOI '10.1000' is not usable"),
    ("@misc{a, eprint={12345}, archivePrefix={arXiv}}\n", 1, "arXiv eprint '12345'"),
    ("\n\n@misc{empty, year={2020}}\n", 3, "entry 'empty' has no title, DOI or arXiv id"),
]


BAD_RIS = [
    ("TY  - JOUR\nTI  - a\nER  - \nTY  - JOUR\nTI  - b\n", 4, "record not closed"),
    ("TY  - JOUR\nTI  - a\nTY  - JOUR\nER  - \n", 3, "a new record starts before the record"),
    ("TY  - JOUR\nER  - \nTI  - loose\n", 3, "tag TI outside a record"),
    ("TY  - JOUR\nER  - \n\nnot ris at all\n", 4, "not a RIS line"),
    ("TY  - JOUR\nAU  - Nobody\nER  - \n", 1, "entry has no title, DOI or arXiv id"),
    ("TY  - JOUR\nTI  - x\nDO  - doi:11.2/x\nER  - \n", 1, "DOI 'doi:11.2/x' is not usable"),
]


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [("bad.bib", *case) for case in BAD_BIB] + [("bad.ris", *case) for case in BAD_RIS],
)
def test_a_malformed_file_names_file_and_line(
    tmp_path: Path, name: str, text: str, line: int, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        parse_source(path)
    assert str(caught.value).startswith(f"{path}:{line}: {message}")


def test_cli_prints_one_line_for_a_bad_bib(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{a, title={One}}\n@misc{a, title={Two}}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["load", str(path), "--dry-run", "--json"])
    assert result.exit_code == 1
    assert f"{path}:2: duplicate entry key 'a'" in " ".join(result.output.split())
    assert "Traceback" not in result.output


RECORDS = [
    ReferenceRecord(
        "p1",
        "Attention: 50% of {all} you need — Gómez & Łukasz_x #1 $ ~ ^",
        2017,
        ("Gómez, Aidan", "Łukasz Kaiser"),
        venue="NeurIPS",
        doi="10.5555/3295222.3295349",
        arxiv_id="1706.03762",
        abstract="We propose the Transformer.",
    ),
    ReferenceRecord(
        "p2",
        "Long Short-Term Memory",
        1997,
        ("Jürgen Schmidhuber",),
        doi="10.1162/neco.1997.9.8.1735",
    ),
    ReferenceRecord("p3", "The Large N Limit", 1999, (), arxiv_id="hep-th/9711200"),
]


def test_bibtex_export_parses_back() -> None:
    text = bibtex_text(RECORDS)
    refs = parse_bibtex(text, "export.bib")
    assert [(r.title, r.doi, r.arxiv_id, r.year, r.authors) for r in refs] == [
        (rec.title, rec.doi, rec.arxiv_id, rec.year, rec.authors) for rec in RECORDS
    ]
    assert refs[0].abstract == "We propose the Transformer."


def test_ris_export_parses_back() -> None:
    refs = parse_ris(ris_text(RECORDS), "export.ris")
    assert [(r.title, r.doi, r.arxiv_id, r.year, r.authors) for r in refs] == [
        (rec.title, rec.doi, rec.arxiv_id, rec.year, rec.authors) for rec in RECORDS
    ]


def test_citation_keys_are_unique() -> None:
    records = [ReferenceRecord(f"p{i}", "Same title", 2020, ("Ann Lee",)) for i in range(30)]
    keys = citation_keys(records)
    assert len(set(keys)) == 30
    assert keys[:3] == ["lee2020same", "lee2020samea", "lee2020sameb"]


# Titles as people write them: letters of many scripts, LaTeX's special characters.
TITLE_CHARS = st.sampled_from(
    list(string.ascii_letters + string.digits + " -:,.;!?'()[]&%$#_{}~^")
    + list("éèüöçßøåÅÆŁłñ—\u2013\u03b1\u03b2\u03b3Жж中文한국")
)


@settings(max_examples=150, deadline=None)
@given(title=st.text(TITLE_CHARS, min_size=1, max_size=60).filter(lambda t: t.strip()))
def test_any_title_survives_a_bibtex_round_trip(title: str) -> None:
    record = ReferenceRecord("p", title, 2020, ("A. Author",), doi="10.1000/x")
    (ref,) = parse_bibtex(bibtex_text([record]), "round.bib")
    # Braces are grouping in BibTeX; an unbalanced literal one is escaped and comes back.
    assert normalise_title(ref.title or "") == normalise_title(title)
