"""The paper-id normaliser and id-list files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.id_lists import (
    IdError,
    ParsedId,
    normalise_id,
    parse_id_lines,
    parse_id_list,
    parse_paper_id,
)
from loaders.rows import PaperRef
from loaders.source_files import SourceError

S2 = "649def34f8be52c8b66281af98ae884c09aef38b"


@pytest.mark.parametrize(
    ("text", "kind", "value", "s2_form"),
    [
        (S2, "s2", S2, S2),
        (S2.upper(), "s2", S2, S2),
        (f"https://www.semanticscholar.org/paper/Attention-Is-All/{S2}", "s2", S2, S2),
        ("arXiv:2512.17351", "arxiv", "2512.17351", "ARXIV:2512.17351"),
        ("ARXIV:2512.17351v3", "arxiv", "2512.17351", "ARXIV:2512.17351"),
        ("arxiv: 1706.03762v7", "arxiv", "1706.03762", "ARXIV:1706.03762"),
        ("2512.17351", "arxiv", "2512.17351", "ARXIV:2512.17351"),
        ("0704.0001", "arxiv", "0704.0001", "ARXIV:0704.0001"),
        ("https://arxiv.org/abs/2512.17351v2", "arxiv", "2512.17351", "ARXIV:2512.17351"),
        ("arxiv.org/pdf/2512.17351v2.pdf", "arxiv", "2512.17351", "ARXIV:2512.17351"),
        ("http://export.arxiv.org/abs/hep-th/9901001", "arxiv", "hep-th/9901001", None),
        ("hep-th/9901001", "arxiv", "hep-th/9901001", "ARXIV:hep-th/9901001"),
        ("arXiv:math.GT/0309136v2", "arxiv", "math/0309136", "ARXIV:math/0309136"),
        ("cond-mat/0102536v1", "arxiv", "cond-mat/0102536", "ARXIV:cond-mat/0102536"),
        ("10.48550/arXiv.2512.17351", "arxiv", "2512.17351", "ARXIV:2512.17351"),
        ("DOI:10.1093/mind/lix.236.433", "doi", "10.1093/mind/lix.236.433", None),
        ("10.1093/MIND/LIX.236.433", "doi", "10.1093/mind/lix.236.433", None),
        ("doi: 10.2139/ssrn.2250500", "doi", "10.2139/ssrn.2250500", "DOI:10.2139/ssrn.2250500"),
        ("https://doi.org/10.1145%2F3292500.3330701", "doi", "10.1145/3292500.3330701", None),
        ("https://dx.doi.org/10.1000/XYZ123", "doi", "10.1000/xyz123", "DOI:10.1000/xyz123"),
        ("CorpusId:470667", "corpus", "470667", "CorpusId:470667"),
        ("CorpusID:211530585", "corpus", "211530585", "CorpusId:211530585"),
        ("corpusid: 0042", "corpus", "42", "CorpusId:42"),
        ("  Attention   Is All\tYou Need ", "title", "Attention Is All You Need", None),
        ("UL2: Unifying Language Learning Paradigms", "title", None, None),
        ("Kimi k1.5: Scaling Reinforcement Learning with LLMs", "title", None, None),
        ("1234", "title", "1234", None),
        ("1234.5678", "title", "1234.5678", None),
    ],
)
def test_recognised_forms(text: str, kind: str, value: str | None, s2_form: str | None) -> None:
    parsed = parse_paper_id(text)
    assert isinstance(parsed, ParsedId), parsed
    assert parsed.kind == kind
    if value is not None:
        assert parsed.value == value
    if kind == "title":
        assert parsed.s2_form is None
    elif s2_form is not None:
        assert parsed.s2_form == s2_form
    else:
        assert parsed.s2_form is not None and parsed.s2_form.endswith(parsed.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("arXiv:12.34", "not an arXiv id"),
        ("arXiv:2513.17351", "not an arXiv id"),  # month 13
        ("arXiv:2512.1735", "not an arXiv id"),  # 4 digits after 1412
        ("DOI:11.1000/x", "not a DOI"),
        ("CorpusId:abc", "not a CorpusId"),
        ("CorpusId:", "not a CorpusId"),
        ("PMID:19872477", "not supported"),
        ("https://example.com/paper/1", "unrecognised URL"),
        ("https://arxiv.org/abs/notanid", "arxiv.org URL"),
        ("x" * 3000, "longer than"),
        ("a title with a \x07 bell", "control characters"),
    ],
)
def test_errors_are_returned_not_raised(text: str, needle: str) -> None:
    parsed = parse_paper_id(text)
    assert isinstance(parsed, IdError)
    assert needle in parsed.reason
    assert isinstance(normalise_id(text), IdError)


def test_normalise_id_fills_exactly_one_field() -> None:
    assert normalise_id("arXiv:2512.17351v2", source="s", line=3) == PaperRef(
        title=None, arxiv_id="2512.17351", source="s", line=3
    )
    assert normalise_id("DOI:10.1093/MIND/lix.236.433") == PaperRef(
        title=None, doi="10.1093/mind/lix.236.433"
    )
    assert normalise_id("CorpusId:470667") == PaperRef(title=None, corpus_id=470667)
    assert normalise_id(S2) == PaperRef(title=None, s2_id=S2)
    assert normalise_id("Tiny language models") == PaperRef(title="Tiny language models")


def test_id_list_mixed_with_comments(tmp_path: Path) -> None:
    path = tmp_path / "seeds.txt"
    path.write_text(
        "# seeds for the demo\n"
        "\n"
        "arXiv:2512.17351v1   # canon layers\n"
        "https://arxiv.org/abs/hep-th/9901001\n"
        "DOI:10.1093/mind/lix.236.433\n"
        "   \n"
        f"{S2}\n"
        "CorpusID:470667\n"
        "C# Programming Patterns # 2nd edition\n"
        "Tiny language models\n",
        encoding="utf-8",
    )
    refs = parse_id_list(path)
    assert [(r.arxiv_id, r.doi, r.s2_id, r.corpus_id, r.title) for r in refs] == [
        ("2512.17351", None, None, None, None),
        ("hep-th/9901001", None, None, None, None),
        (None, "10.1093/mind/lix.236.433", None, None, None),
        (None, None, S2, None, None),
        (None, None, None, 470667, None),
        (None, None, None, None, "C# Programming Patterns # 2nd edition"),
        (None, None, None, None, "Tiny language models"),
    ]
    assert [r.line for r in refs] == [3, 4, 5, 7, 8, 9, 10]
    assert refs[0].source == "ids:seeds.txt:3"


def test_bad_line_names_file_and_line() -> None:
    with pytest.raises(SourceError) as info:
        parse_id_lines(["arXiv:2512.17351", "# ok", "arXiv:bogus"], "ids.txt")
    assert info.value.line == 3
    assert str(info.value).startswith("ids.txt:3: not an arXiv id")


# --- property-based ---------------------------------------------------------


@st.composite
def new_arxiv(draw: st.DrawFn) -> str:
    yy = draw(st.integers(7, 29))
    mm = draw(st.integers(1, 12))
    if yy == 7:
        mm = max(mm, 4)
    digits = 5 if yy * 100 + mm >= 1501 else 4
    num = draw(st.integers(0, 10**digits - 1))
    return f"{yy:02d}{mm:02d}.{num:0{digits}d}"


ARXIV_FORMS = [
    "{id}{v}",
    "arXiv:{id}{v}",
    "ARXIV:{id}{v}",
    "arxiv: {id}{v}",
    "https://arxiv.org/abs/{id}{v}",
    "https://arxiv.org/pdf/{id}{v}.pdf",
    "arxiv.org/abs/{id}{v}",
    "URL:https://arxiv.org/abs/{id}{v}",
]


@settings(max_examples=300, deadline=None)
@given(
    new_arxiv(),
    st.one_of(st.just(""), st.integers(1, 99).map(lambda n: f"v{n}")),
    st.sampled_from(ARXIV_FORMS),
)
def test_arxiv_versions_and_forms_normalise_to_one_id(arxiv: str, version: str, form: str) -> None:
    parsed = parse_paper_id(form.format(id=arxiv, v=version))
    assert parsed == ParsedId("arxiv", arxiv, f"ARXIV:{arxiv}")


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"10\.[0-9]{4,9}/[A-Za-z0-9._;()/:-]{1,40}", fullmatch=True),
    st.randoms(use_true_random=False),
    st.sampled_from(["{d}", "DOI:{d}", "doi:{d}", "https://doi.org/{d}", "http://dx.doi.org/{d}"]),
)
def test_dois_are_case_insensitive(doi: str, rnd: object, form: str) -> None:
    import random

    assert isinstance(rnd, random.Random)
    flipped = "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in doi)
    a = parse_paper_id(form.format(d=doi))
    b = parse_paper_id(flipped)
    assert isinstance(a, ParsedId) and isinstance(b, ParsedId)
    if doi.lower().startswith("10.48550/arxiv."):
        return
    assert a == b == ParsedId("doi", doi.lower(), f"DOI:{doi.lower()}")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_garbage_never_crashes(text: str) -> None:
    parsed = parse_paper_id(text)
    assert isinstance(parsed, ParsedId | IdError)
    ref = normalise_id(text)
    assert isinstance(ref, PaperRef | IdError)
    if isinstance(parsed, ParsedId):
        # Parsing is idempotent on the canonical value.
        again = parse_paper_id(parsed.s2_form or parsed.value)
        assert isinstance(again, ParsedId) and again.value == parsed.value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=20))
def test_id_lines_raise_only_source_error(lines: list[str]) -> None:
    try:
        refs = parse_id_lines(lines, "fuzz.txt")
    except SourceError as exc:
        assert str(exc).startswith("fuzz.txt:")
        return
    assert all(isinstance(r, PaperRef) for r in refs)
