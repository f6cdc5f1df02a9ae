"""The Daily Papers page parser, on the real saved page and on generated pages."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.daily_papers import (
    PageDate,
    looks_like_daily_page,
    parse_daily_json,
    parse_daily_page,
    parse_daily_page_file,
    reference_date,
    split_organization,
)
from loaders.rows import PaperRef
from loaders.source_files import SourceError

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"
HF_JSON = REPO / "examples" / "hf-daily-papers-api.handmade.json"


@pytest.fixture(scope="module")
def sample() -> list[PaperRef]:
    return parse_daily_page_file(SAMPLE)


def by_title(refs: list[PaperRef], prefix: str) -> PaperRef:
    [ref] = [r for r in refs if r.title and r.title.startswith(prefix)]
    return ref


def test_sample_has_54_entries_in_page_order(sample: list[PaperRef]) -> None:
    assert len(sample) == 54
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    for ref in sample:
        # Every entry points at its own title line.
        assert ref.line is not None
        assert lines[ref.line - 1] == ref.title
        assert ref.source == f"hf-page:{SAMPLE.name}:{ref.line}"
    assert [r.line for r in sample] == sorted(r.line for r in sample if r.line)


def test_sample_metadata_counts_match_the_raw_text(sample: list[PaperRef]) -> None:
    raw = SAMPLE.read_text(encoding="utf-8").split("\n")
    separators = sum(1 for line in raw if line.strip() == "\u00b7")
    author_lines = [
        int(m[1]) for line in raw if (m := re.fullmatch(r"\s*\u2022 (\d+) authors", line))
    ]
    assert separators == sum(1 for r in sample if r.date is not None) == 52
    assert sorted(author_lines) == sorted(r.authors_count for r in sample if r.authors_count)
    assert sum(1 for r in sample if r.organization) == 3
    assert all(r.abstract for r in sample)


def test_org_entry_with_yearless_date_and_upvotes(sample: list[PaperRef]) -> None:
    ref = sample[0]
    assert ref.title == (
        "Physics of Language Models: Part 4.1, Architecture Design and the Magic of Canon Layers"
    )
    assert ref.organization == "AI at Meta"
    assert ref.organization_handle == "facebook"
    assert ref.authors_count is None
    # "Dec 19 2" on a page dated "Dec 25" whose newest printed year is 2024.
    assert ref.date == datetime.date(2025, 12, 19)
    assert ref.upvotes == 2
    assert ref.line == 13
    assert ref.abstract is not None
    assert ref.abstract.startswith("Understanding architectural differences in language models")
    assert ref.abstract.endswith("unlocking deeper reasoning and hierarchical inference.")
    assert ref.arxiv_id is None and ref.doi is None


def test_authors_entry_with_year_and_upvotes(sample: list[PaperRef]) -> None:
    ref = sample[1]
    assert ref.title.startswith("An Emulator for Fine-Tuning Large Language Models")  # type: ignore[union-attr]
    assert (ref.date, ref.upvotes, ref.authors_count) == (datetime.date(2023, 10, 19), 1, 5)
    assert ref.organization is None and ref.organization_handle is None


def test_year_without_upvotes_and_yearless_without_upvotes(sample: list[PaperRef]) -> None:
    fine_line = sample[2]
    assert fine_line.title.startswith("The Fine Line")  # type: ignore[union-attr]
    assert (fine_line.date, fine_line.upvotes, fine_line.authors_count) == (
        datetime.date(2024, 4, 1),
        None,
        16,
    )
    scalable = sample[3]
    assert (scalable.date, scalable.upvotes) == (datetime.date(2025, 5, 28), None)


def test_single_digit_day_with_upvotes(sample: list[PaperRef]) -> None:
    ref = by_title(sample, "PretrainZero")
    assert (ref.date, ref.upvotes, ref.authors_count) == (datetime.date(2025, 12, 2), 3, 6)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("RLP: Reinforcement", ("nvidia", "NVIDIA", datetime.date(2025, 9, 26), 4)),
        ("Kimi k1.5", ("moonshotai", "Moonshot AI", datetime.date(2025, 1, 21), 7)),
    ],
)
def test_other_organisations(
    sample: list[PaperRef], prefix: str, expected: tuple[str, str, datetime.date, int]
) -> None:
    ref = by_title(sample, prefix)
    assert (ref.organization_handle, ref.organization, ref.date, ref.upvotes) == expected


@pytest.mark.parametrize(
    "prefix", ["Reinforcement Learning on Pre-Training Data", "SCALE: Selective Resource"]
)
def test_entries_without_metadata_are_kept(sample: list[PaperRef], prefix: str) -> None:
    ref = by_title(sample, prefix)
    assert ref.abstract and len(ref.abstract) > 500
    assert (ref.date, ref.upvotes, ref.authors_count, ref.organization) == (None, None, None, None)
    # The entry after it keeps its own metadata.
    following = sample[sample.index(ref) + 1]
    assert following.date is not None and following.authors_count is not None


@pytest.mark.parametrize(
    ("prefix", "link"),
    [
        ("POA: Pre-training Once", "https://github.com/Qichuzyy/POA"),
        ("Tiny language models", "https://github.com/Rg32601/Tiny-Language-Models"),
        ("Efficient Continual Pre-training", "https://huggingface.co/YiDuo1999/"),
    ],
)
def test_abstract_links_are_kept(sample: list[PaperRef], prefix: str, link: str) -> None:
    assert link in (by_title(sample, prefix).abstract or "")


def test_as_of_overrides_the_inferred_reference(sample: list[PaperRef]) -> None:
    refs = parse_daily_page(
        SAMPLE.read_text(encoding="utf-8"), SAMPLE, as_of=datetime.date(2026, 6, 1)
    )
    assert by_title(refs, "Physics of Language Models").date == datetime.date(2025, 12, 19)
    assert by_title(refs, "Kimi k1.5").date == datetime.date(2026, 1, 21)
    # Dates printed with a year never move.
    assert refs[1].date == sample[1].date == datetime.date(2023, 10, 19)


PAGE_HEAD = "Daily Papers\n\nbyAK and the research community\n\n"


def test_reference_year_falls_back_to_today_without_printed_years() -> None:
    text = PAGE_HEAD + "Mar 3\n\nA Title\n\nAn abstract.\n\n  \u2022 3 authors\n\u00b7\nMar 1 4\n"
    [ref] = parse_daily_page(text, "p.txt", today=lambda: datetime.date(2031, 7, 1))
    assert ref.date == datetime.date(2031, 3, 1)
    # Without a page date, the newest year-less date is the reference day.
    text2 = "A Title\n\nAn abstract.\n\n  \u2022 3 authors\n\u00b7\nDec 30\n"
    [ref2] = parse_daily_page(text2, "p.txt", today=lambda: datetime.date(2031, 7, 1))
    assert ref2.date == datetime.date(2031, 12, 30)


def test_reference_date_rules() -> None:
    dates = [PageDate(1, 2, None, None, 1), PageDate(5, 6, 2019, None, 2)]
    today = datetime.date(2040, 1, 1)
    assert reference_date(dates, None, today) == datetime.date(2020, 1, 2)
    assert reference_date(dates, PageDate(3, 4, 2022, None, 0), today) == datetime.date(2022, 3, 4)
    # Feb 29 as the page date in a non-leap reference year: the last leap year.
    assert reference_date([], PageDate(2, 29, None, None, 0), datetime.date(2027, 1, 1)) == (
        datetime.date(2024, 2, 29)
    )


def test_crafted_layouts() -> None:
    text = (
        "Dec 25\n\n"
        "No Abstract Here\n\nhuggingface Hugging Face\n\u00b7\nDec 1 1.2k\n\n"
        "Single Token Org\n\nAbstract one.\n\nnvidia\n\u00b7\nNov 2, 2021\n\n"
        "Non Handle Org\n\nAbstract two.\n\nUniversit\u00e9 de Montr\u00e9al\n\u00b7\nNov 3\n\n"
        "Glued Abstract\nThe abstract right below the title.\n\n  \u2022 1 author\n\u00b7\nFeb 29\n"
    )
    refs = parse_daily_page(text, "c.txt", as_of=datetime.date(2025, 12, 25))
    assert [r.title for r in refs] == [
        "No Abstract Here",
        "Single Token Org",
        "Non Handle Org",
        "Glued Abstract",
    ]
    first, single, non_handle, glued = refs
    assert first.abstract is None
    assert (first.organization_handle, first.organization, first.upvotes) == (
        "huggingface",
        "Hugging Face",
        1200,
    )
    assert (single.organization_handle, single.organization) == ("nvidia", "nvidia")
    assert single.date == datetime.date(2021, 11, 2)
    assert (non_handle.organization_handle, non_handle.organization) == (
        None,
        "Universit\u00e9 de Montr\u00e9al",
    )
    assert glued.abstract == "The abstract right below the title."
    assert glued.authors_count == 1
    assert glued.date == datetime.date(2024, 2, 29)


def test_title_without_abstract_followed_by_full_entry() -> None:
    text = (
        "Lonely Title\n\nSecond Title\n\nSecond abstract, a sentence.\n\n"
        "  \u2022 2 authors\n\u00b7\nMay 5\n"
    )
    refs = parse_daily_page(text, "t.txt", as_of=datetime.date(2025, 6, 1))
    assert [(r.title, r.abstract) for r in refs] == [
        ("Lonely Title", None),
        ("Second Title", "Second abstract, a sentence."),
    ]
    assert refs[1].date == datetime.date(2025, 5, 5)


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("T\n\nAbstract.\n\n  \u2022 2 authors\n\u00b7\nyesterday\n", 7, "expected a date"),
        ("T\n\nAbstract.\n\n  \u2022 2 authors\n\u00b7\n", 6, "ends after"),
        ("  \u2022 2 authors\n\u00b7\nMay 5\n", 1, "without a title"),
        ("T\n\nA.\n\n  \u2022 2 authors\n\u00b7\nFeb 30, 2024\n", 7, "not a calendar date"),
    ],
)
def test_malformed_pages_name_the_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_daily_page(text, "bad.txt", as_of=datetime.date(2025, 1, 1))
    assert info.value.line == line
    assert needle in str(info.value)
    assert str(info.value).startswith(f"bad.txt:{line}: ")


def test_split_organization_on_every_sample_org_line() -> None:
    raw = SAMPLE.read_text(encoding="utf-8").split("\n")
    org_lines = [
        raw[i - 1]
        for i, line in enumerate(raw)
        if line.strip() == "\u00b7" and not raw[i - 1].strip().startswith("\u2022")
    ]
    assert org_lines == ["facebook AI at Meta", "nvidia NVIDIA", "moonshotai Moonshot AI"]
    assert [split_organization(o) for o in org_lines] == [
        ("facebook", "AI at Meta"),
        ("nvidia", "NVIDIA"),
        ("moonshotai", "Moonshot AI"),
    ]


def test_page_detection() -> None:
    assert looks_like_daily_page(SAMPLE.read_text(encoding="utf-8"))
    assert not looks_like_daily_page("arXiv:2512.17351\nAttention is all you need\n")


def test_handmade_json() -> None:
    refs = parse_daily_json(HF_JSON.read_text(encoding="utf-8"), HF_JSON)
    assert [r.arxiv_id for r in refs] == ["2512.17351", "2501.12599", "2511.00001"]
    meta, kimi, plain = refs
    # Hard line breaks from arXiv are collapsed.
    assert meta.title == (
        "Physics of Language Models: Part 4.1, Architecture Design and the Magic of Canon Layers"
    )
    assert meta.abstract is not None and "\n" not in meta.abstract
    assert (meta.organization, meta.organization_handle) == ("AI at Meta", "facebook")
    assert (meta.date, meta.upvotes, meta.authors) == (
        datetime.date(2025, 12, 19),
        2,
        ("Zeyuan Allen-Zhu",),
    )
    # Organisation only at the item level; hidden authors still count.
    assert (kimi.organization, kimi.organization_handle) == ("Moonshot AI", "moonshotai")
    assert kimi.authors_count == 3 and len(kimi.authors) == 3
    assert (plain.organization, plain.upvotes) == (None, None)
    assert [r.line for r in refs] == [2, 42, 63]
    assert plain.source == f"hf-json:{HF_JSON.name}:63"


# --- property-based ---------------------------------------------------------

LINE_PARTS = st.sampled_from(
    [
        "",
        "",
        "\u00b7",
        "Dec 19 2",
        "Oct 19, 2023 1",
        "Apr 1, 2024",
        "Feb 29",
        "Feb 31, 2023",
        "  \u2022 5 authors",
        "facebook AI at Meta",
        "Daily Papers",
        "Dec 25",
        "A Title Line",
        "An abstract sentence.",
        "x" * 400,
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(LINE_PARTS, st.text(max_size=40)), max_size=30))
def test_arbitrary_text_raises_only_source_error(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        refs = parse_daily_page(text, "fuzz.txt", today=lambda: datetime.date(2025, 6, 1))
    except SourceError as exc:
        assert str(exc).startswith("fuzz.txt")
        return
    assert all(isinstance(r, PaperRef) and r.title for r in refs)


WORDS = st.sampled_from(
    [
        "scaling",
        "laws",
        "language",
        "models",
        "pretraining",
        "data",
        "efficient",
        "sparse",
        "attention",
        "transformer",
        "reasoning",
        "vision",
        "tokens",
        "curriculum",
        "emulator",
        "canon",
        "layers",
    ]
)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class GenEntry:
    title: str
    abstract: str | None
    org: tuple[str, str] | None
    authors: int | None
    month: int
    day: int
    year: int | None
    upvotes: int | None
    has_meta: bool


@st.composite
def entries(draw: st.DrawFn) -> GenEntry:
    title = " ".join(w.capitalize() for w in draw(st.lists(WORDS, min_size=1, max_size=8)))
    has_meta = draw(st.booleans())
    has_abstract = draw(st.booleans()) if has_meta else True
    abstract = (
        " ".join(draw(st.lists(WORDS, min_size=3, max_size=40))).capitalize() + "."
        if has_abstract
        else None
    )
    use_org = draw(st.booleans())
    org = (
        (
            draw(st.from_regex(r"[a-z][a-z0-9-]{1,12}", fullmatch=True)),
            " ".join(w.capitalize() for w in draw(st.lists(WORDS, min_size=1, max_size=3))),
        )
        if use_org
        else None
    )
    return GenEntry(
        title=title,
        abstract=abstract,
        org=org,
        authors=None if use_org else draw(st.integers(1, 40)),
        month=draw(st.integers(1, 12)),
        day=draw(st.integers(1, 28)),
        year=draw(st.one_of(st.none(), st.integers(2015, 2024))),
        upvotes=draw(st.one_of(st.none(), st.integers(0, 5000))),
        has_meta=has_meta,
    )


def render(entry: GenEntry) -> str:
    parts = [entry.title]
    if entry.abstract is not None:
        parts.append(entry.abstract)
    if entry.has_meta:
        who = f"{entry.org[0]} {entry.org[1]}" if entry.org else f"  \u2022 {entry.authors} authors"
        date = f"{MONTHS[entry.month - 1]} {entry.day}"
        if entry.year is not None:
            date += f", {entry.year}"
        if entry.upvotes is not None:
            date += f" {entry.upvotes}"
        parts.append(f"{who}\n\u00b7\n{date}")
    return "\n\n".join(parts)


@settings(max_examples=200, deadline=None)
@given(st.lists(entries(), min_size=1, max_size=8))
def test_round_trip_of_well_formed_entries(generated: list[GenEntry]) -> None:
    as_of = datetime.date(2025, 12, 25)
    text = PAGE_HEAD + "Dec 25\n\n" + "\n\n".join(render(e) for e in generated) + "\n"
    refs = parse_daily_page(text, "gen.txt", as_of=as_of)
    assert len(refs) == len(generated)
    for ref, entry in zip(refs, generated, strict=True):
        assert ref.title == entry.title
        assert ref.abstract == entry.abstract
        if not entry.has_meta:
            assert (ref.date, ref.upvotes, ref.authors_count, ref.organization) == (None,) * 4
            continue
        year = entry.year
        if year is None:
            year = 2025 if (entry.month, entry.day) <= (12, 25) else 2024
        assert ref.date == datetime.date(year, entry.month, entry.day)
        assert ref.upvotes == entry.upvotes
        assert ref.authors_count == entry.authors
        assert (ref.organization_handle, ref.organization) == (entry.org or (None, None))
