"""The Hugging Face Daily Papers list: the page saved as text, and the API's JSON.

The page as text
================

Copying the Daily Papers page (or a search on it) gives text laid out as
paragraphs separated by blank lines::

    new / Get trending papers in your email inbox! / Subscribe /
    Daily Papers / byAK and the research community      <- header lines
    Dec 25                                              <- the page date

    <title>                                             <- one line

    <abstract>                                          <- one paragraph, links kept

    facebook AI at Meta        or:    • 5 authors       <- who submitted it
    ·
    Dec 19 2                   or:    Oct 19, 2023 1    or: Apr 1, 2024

The metadata paragraph is: the submitting organisation as ``handle Display
Name`` *or* the author count ``• N authors``; a line holding only ``·``;
then the date, ``Mon D`` (current year) or ``Mon D, YYYY``, optionally
followed by the upvote count. No upvote number means "not shown" and gives
``upvotes=None`` (not 0). An entry may lack the metadata paragraph (the
sample has two); it is kept with those fields ``None``. An entry may also lack
the abstract when its metadata follows the title directly.

Rules, in the order the parser applies them:

* Header paragraphs (the known header lines and the first bare date) are
  skipped until the first other paragraph, which is the first title.
* A paragraph holding a ``·`` line is metadata: the line before the ``·`` (in
  the same paragraph) is the author count or the organisation; the line after
  (or the first line of the next paragraph) must be a date, else the file is
  malformed (:class:`SourceError` with that line). A paragraph that is only an
  author-count line is metadata too.
* After a title, the next paragraph is its abstract, except when it looks like
  a title (one line, at most 300 characters, not ending with ``.``) *and* the
  paragraph after it is an abstract (not metadata, not title-like): then the
  first title had no abstract. Two consecutive entries that both lack the
  abstract and the metadata cannot be told apart from a title and a short
  abstract; the parser reads them as the latter.
* A second text paragraph after an abstract starts the next entry; an
  abstract is one paragraph.

The organisation line is split at the first space: the first token is the
Hugging Face handle (``facebook``, ``nvidia``, ``moonshotai``), the rest is
the display name (``AI at Meta``, ``NVIDIA``, ``Moonshot AI``). A single
token is both handle and display name (the page then showed only one). A
first token that cannot be a handle (not ``[A-Za-z0-9][A-Za-z0-9._-]*``)
means the whole line is a display name and the handle is ``None``.

Dates without a year
====================

The page prints the year only for dates outside the current year, so a date
without one is resolved against a reference date ``as_of``: it gets
``as_of``'s year, or the year before when that would put it after
``as_of``. When ``as_of`` is not given it is inferred:

* the reference year is one more than the newest year printed on the page
  (those dates are, by the page's own rule, from earlier years); a page with
  no dated-with-year entry uses the year of ``today`` (the caller's clock);
* the reference month and day are the page date (``Dec 25``) when the header
  has one, else the newest year-less date of the entries.

On the sample the newest printed year is 2024 and the page date is ``Dec 25``,
so ``as_of`` is 2025-12-25 and ``Dec 19`` is 2025-12-19. ``Feb 29`` in a
non-leap year falls back to the previous leap year. Pass ``as_of`` (CLI:
``--as-of``) when the page was saved long ago and shows no year at all.

The JSON
========

``https://huggingface.co/api/daily_papers`` answers a list of items ``{paper:
{id (the arXiv id), title, summary, authors: [{name, ...}], upvotes,
publishedAt, organization?: {name (handle), fullname}}, publishedAt, title,
numComments, submittedBy, organization?}``. A bare paper object (the shape of
``/api/papers/<id>``) or a single item is accepted too. Titles and summaries
carry arXiv's hard line breaks; whitespace is collapsed. The date is
``paper.publishedAt`` (the arXiv publication date, which is what the page
prints: ``Oct 19, 2023`` for arXiv 2310.12962), else the item's
``publishedAt`` (when it was posted to Daily Papers); the organisation is
``paper.organization``, else the item's; ``name`` is the handle and
``fullname`` the display name. Each ref's ``source`` is
``hf-json:<file name>:<line of the item's opening brace>``.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.id_lists import ParsedId, parse_paper_id
from loaders.rows import PaperRef
from loaders.source_files import SourceError, check_line_lengths, line_of, read_source_text

# The longest abstract on the sample is ~2,500 characters; a page line far
# longer than this is not a Daily Papers page.
MAX_PAGE_LINE = 100_000
MAX_TITLE_LIKE = 300
MAX_ORG_LINE = 120

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# "Dec 19", "Dec 19 2", "Oct 19, 2023 1", "Apr 1, 2024"; the upvote count may
# be abbreviated ("1.2k") on popular papers.
DATE_LINE = re.compile(
    r"(?P<month>[A-Za-z]{3,9})\.?[ \t]+(?P<day>\d{1,2})"
    r"(?:,[ \t]*(?P<year>\d{4}))?"
    r"(?:[ \t]+(?P<upvotes>\d{1,9}(?:\.\d)?[kK]?))?"
)
AUTHORS_LINE = re.compile(r"[\u2022*\-]?[ \t]*(?P<n>\d{1,6})[ \t]+authors?", re.IGNORECASE)
SEPARATORS = frozenset({"\u00b7", "\u22c5", "\u2219"})
HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
HEADER_LINES = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "trending papers",
    }
)


@dataclass(frozen=True)
class PageDate:
    """A date as printed on the page, before the year is resolved."""

    month: int
    day: int
    year: int | None
    upvotes: int | None
    line: int


@dataclass
class _Meta:
    line: int
    organization: str | None = None
    handle: str | None = None
    authors_count: int | None = None
    date: PageDate | None = None


@dataclass
class _Text:
    lines: list[tuple[int, str]]

    @property
    def line(self) -> int:
        return self.lines[0][0]

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.lines)

    def title_like(self) -> bool:
        text = self.text
        return len(self.lines) == 1 and len(text) <= MAX_TITLE_LIKE and not text.endswith(".")


@dataclass
class _Entry:
    title: str
    line: int
    abstract: str | None = None
    meta: _Meta | None = None
    extra: list[str] = field(default_factory=list)


_Block = _Meta | _Text


def month_number(name: str) -> int | None:
    """``"Dec"``/``"December"`` -> 12, anything else -> ``None``."""
    return _MONTHS.get(name.lower())


def _upvotes(text: str | None) -> int | None:
    if text is None:
        return None
    lower = text.lower()
    if lower.endswith("k"):
        return int(float(lower[:-1]) * 1000)
    if "." in lower:
        return None
    return int(lower)


def parse_date_line(text: str, line: int) -> PageDate | None:
    """A page date line, or ``None`` when the text is not one.

    >>> parse_date_line("Oct 19, 2023 1", 7)
    PageDate(month=10, day=19, year=2023, upvotes=1, line=7)
    >>> parse_date_line("Dec 19 2", 3)
    PageDate(month=12, day=19, year=None, upvotes=2, line=3)
    >>> parse_date_line("Apr 1, 2024", 1).upvotes is None
    True
    """
    m = DATE_LINE.fullmatch(text.strip())
    if m is None:
        return None
    month = month_number(m["month"])
    upvotes = _upvotes(m["upvotes"])
    if month is None or (m["upvotes"] is not None and upvotes is None):
        return None
    year = int(m["year"]) if m["year"] else None
    return PageDate(month, int(m["day"]), year, upvotes, line)


def split_organization(text: str) -> tuple[str | None, str]:
    """``"facebook AI at Meta"`` -> ``("facebook", "AI at Meta")``: (handle, display name).

    >>> split_organization("moonshotai Moonshot AI")
    ('moonshotai', 'Moonshot AI')
    >>> split_organization("nvidia")
    ('nvidia', 'nvidia')
    >>> split_organization("Université de Montréal")
    (None, 'Université de Montréal')
    """
    tokens = text.split()
    if not HANDLE.fullmatch(tokens[0]):
        return None, " ".join(tokens)
    if len(tokens) == 1:
        return tokens[0], tokens[0]
    return tokens[0], " ".join(tokens[1:])


def _paragraphs(lines: Sequence[str]) -> Iterator[list[tuple[int, str]]]:
    para: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if text:
            para.append((number, text))
        elif para:
            yield para
            para = []
    if para:
        yield para


def _is_header(para: list[tuple[int, str]]) -> bool:
    return all(
        t.casefold() in HEADER_LINES
        or ((d := parse_date_line(t, n)) is not None and d.upvotes is None)
        for n, t in para
    )


class _Blocks:
    """Paragraphs cut into text blocks and metadata blocks."""

    def __init__(self, paras: list[list[tuple[int, str]]], path: str | Path) -> None:
        self.paras = paras
        self.path = path
        self.blocks: list[_Block] = []
        i = 0
        while i < len(paras):
            i = self._cut(i)

    def _date_at(self, number: int, text: str) -> PageDate:
        date = parse_date_line(text, number)
        if date is None:
            raise SourceError(
                self.path,
                f"expected a date like 'Dec 19 2' or 'Oct 19, 2023' after '\u00b7', "
                f"got {text[:60]!r}",
                line=number,
            )
        return date

    def _cut(self, i: int) -> int:
        """Append the blocks of paragraph ``i``; return the next paragraph to read."""
        para = self.paras[i]
        next_i = i + 1
        rest = para
        while rest:
            sep = next((k for k, (_, t) in enumerate(rest) if t in SEPARATORS), None)
            if sep is None:
                if len(rest) == 1 and (m := AUTHORS_LINE.fullmatch(rest[0][1])):
                    self.blocks.append(_Meta(rest[0][0], authors_count=int(m["n"])))
                else:
                    self.blocks.append(_Text(rest))
                return next_i
            meta = _Meta(rest[sep][0])
            start = sep
            # Walk back over at most one author-count line and one organisation
            # line; a longer line above them is the abstract, glued on.
            took_authors = took_org = False
            while start > 0 and not (took_authors and took_org):
                number, text = rest[start - 1]
                authors = AUTHORS_LINE.fullmatch(text)
                if authors is not None and not took_authors:
                    meta.authors_count = int(authors["n"])
                    took_authors = True
                elif authors is None and not took_org and len(text) <= MAX_ORG_LINE:
                    meta.handle, meta.organization = split_organization(text)
                    took_org = True
                else:
                    break
                meta.line = number
                start -= 1
            if start > 0:
                self.blocks.append(_Text(rest[:start]))
            if sep + 1 < len(rest):
                number, text = rest[sep + 1]
                meta.date = self._date_at(number, text)
                rest = rest[sep + 2 :]
            elif next_i < len(self.paras):
                number, text = self.paras[next_i][0]
                meta.date = self._date_at(number, text)
                rest = self.paras[next_i][1:]
                next_i += 1
            else:
                raise SourceError(
                    self.path,
                    "the file ends after '\u00b7' where a date was expected",
                    line=rest[sep][0],
                )
            self.blocks.append(meta)
        return next_i


def _assemble(blocks: list[_Block], path: str | Path) -> list[_Entry]:
    entries: list[_Entry] = []
    current: _Entry | None = None
    for index, block in enumerate(blocks):
        if isinstance(block, _Meta):
            if current is None or current.meta is not None:
                raise SourceError(
                    path,
                    "metadata (author count or date) without a title above it",
                    line=block.line,
                )
            current.meta = block
            current = None
            continue
        if current is not None and current.abstract is None:
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            starts_entry = (
                block.title_like() and isinstance(following, _Text) and not following.title_like()
            )
            if not starts_entry:
                current.abstract = block.text
                continue
        title_line, title = block.lines[0]
        current = _Entry(title=title, line=title_line)
        entries.append(current)
        if len(block.lines) > 1:
            # A title glued to its abstract (no blank line between them).
            current.abstract = " ".join(t for _, t in block.lines[1:])
    return entries


def _safe_date(year: int, month: int, day: int, line: int, path: str | Path) -> datetime.date:
    if month == 2 and day == 29:
        # A year-less Feb 29 belongs to the latest leap year not after `year`.
        while not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
            year -= 1
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise SourceError(path, f"not a calendar date: {exc}", line=line) from exc


def reference_date(
    dates: Sequence[PageDate],
    page_date: PageDate | None,
    today: datetime.date,
    path: str | Path = "<page>",
) -> datetime.date:
    """The ``as_of`` a page implies (see the module docstring).

    >>> d = [PageDate(12, 19, None, 2, 1), PageDate(10, 19, 2023, 1, 2)]
    >>> reference_date(d, PageDate(12, 25, None, None, 0), datetime.date(2030, 1, 1))
    datetime.date(2024, 12, 25)
    """
    if page_date is not None and page_date.year is not None:
        return _safe_date(page_date.year, page_date.month, page_date.day, page_date.line, path)
    years = [d.year for d in dates if d.year is not None]
    ref_year = max(years) + 1 if years else today.year
    if page_date is not None:
        return _safe_date(ref_year, page_date.month, page_date.day, page_date.line, path)
    yearless = [(d.month, d.day) for d in dates if d.year is None]
    if yearless:
        month, day = max(yearless)
        return _safe_date(ref_year, month, day, 0, path)
    return datetime.date(ref_year, 12, 31)


def resolve_date(
    date: PageDate, as_of: datetime.date, path: str | Path = "<page>"
) -> datetime.date:
    """A page date with its year: printed, or the latest one not after ``as_of``.

    >>> resolve_date(PageDate(12, 19, None, None, 1), datetime.date(2025, 12, 25))
    datetime.date(2025, 12, 19)
    >>> resolve_date(PageDate(12, 30, None, None, 1), datetime.date(2025, 12, 25))
    datetime.date(2024, 12, 30)
    """
    if date.year is not None:
        return _safe_date(date.year, date.month, date.day, date.line, path)
    resolved = _safe_date(as_of.year, date.month, date.day, date.line, path)
    if resolved > as_of:
        resolved = _safe_date(as_of.year - 1, date.month, date.day, date.line, path)
    return resolved


def parse_daily_page(
    text: str,
    path: str | Path,
    *,
    as_of: datetime.date | None = None,
    today: Callable[[], datetime.date] = datetime.date.today,
) -> list[PaperRef]:
    """Every entry of a Daily Papers page saved as text, in page order.

    ``path`` names the file in sources (``hf-page:<file name>:<title line>``)
    and in errors; ``today`` is consulted only when neither ``as_of`` nor a
    year printed on the page fixes the year.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    check_line_lengths(lines, path, MAX_PAGE_LINE, "a Daily Papers page")
    paras = list(_paragraphs(lines))
    page_date: PageDate | None = None
    first = 0
    while first < len(paras) and _is_header(paras[first]):
        for number, line in paras[first]:
            date = parse_date_line(line, number)
            if date is not None and page_date is None:
                page_date = date
        first += 1
    blocks = _Blocks(paras[first:], path).blocks
    entries = _assemble(blocks, path)
    dates = [e.meta.date for e in entries if e.meta is not None and e.meta.date is not None]
    if as_of is None:
        as_of = reference_date(dates, page_date, today(), path)
    name = Path(path).name
    refs: list[PaperRef] = []
    for entry in entries:
        meta = entry.meta
        date = meta.date if meta is not None else None
        refs.append(
            PaperRef(
                title=entry.title,
                abstract=entry.abstract,
                date=resolve_date(date, as_of, path) if date is not None else None,
                upvotes=date.upvotes if date is not None else None,
                authors_count=meta.authors_count if meta is not None else None,
                organization=meta.organization if meta is not None else None,
                organization_handle=meta.handle if meta is not None else None,
                source=f"hf-page:{name}:{entry.line}",
                line=entry.line,
            )
        )
    return refs


def looks_like_daily_page(text: str) -> bool:
    """Whether text reads as a Daily Papers page (a ``·`` line before a date, an
    author-count line, or the page's header)."""
    lines = [line.strip() for line in text.split("\n")]
    for i, line in enumerate(lines):
        if line in SEPARATORS and any(
            parse_date_line(following, 0) is not None
            for following in lines[i + 1 : i + 3]
            if following
        ):
            return True
        if AUTHORS_LINE.fullmatch(line) or line.casefold() in {
            "daily papers",
            "byak and the research community",
        }:
            return True
    return False


def parse_daily_page_file(
    path: str | Path, *, as_of: datetime.date | None = None
) -> list[PaperRef]:
    return parse_daily_page(read_source_text(path), path, as_of=as_of)


# --- the JSON --------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    collapsed = " ".join(value.split())
    return collapsed or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _iso_date(value: Any) -> datetime.date | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _json_items(text: str, path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line, item) for each element of a top-level JSON array (or the one object).

    Decoding element by element gives each item's line for sources and errors.
    """
    decoder = json.JSONDecoder()

    def decode(at: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            message = "truncated JSON" if exc.pos >= len(text.rstrip()) else "malformed JSON"
            raise SourceError(
                path, f"{message}: {exc.msg} (column {exc.colno})", line=exc.lineno
            ) from exc
        except RecursionError as exc:
            raise SourceError(path, "JSON nested too deeply", line=line_of(text, at)) from exc

    def skip(at: int) -> int:
        while at < len(text) and text[at] in " \t\n\r\ufeff":
            at += 1
        return at

    pos = skip(0)
    if pos < len(text) and text[pos] == "{":
        item, end = decode(pos)
        if skip(end) != len(text):
            raise SourceError(
                path,
                "more than one JSON value (JSON Lines?); expected one list of Daily Papers items",
                line=line_of(text, skip(end)),
            )
        yield line_of(text, pos), item
        return
    if pos >= len(text) or text[pos] != "[":
        raise SourceError(
            path, "expected a JSON list of Daily Papers items", line=line_of(text, pos)
        )
    pos = skip(pos + 1)
    line, counted = 1, 0
    if pos < len(text) and text[pos] == "]":
        pos = skip(pos + 1)
    else:
        while True:
            if pos >= len(text):
                raise SourceError(
                    path, "truncated JSON: the list is not closed", line=line_of(text, pos)
                )
            item, end = decode(pos)
            line += text.count("\n", counted, pos)
            counted = pos
            yield line, item
            pos = skip(end)
            if pos < len(text) and text[pos] == ",":
                pos = skip(pos + 1)
                continue
            if pos < len(text) and text[pos] == "]":
                pos = skip(pos + 1)
                break
            if pos >= len(text):
                raise SourceError(
                    path, "truncated JSON: the list is not closed", line=line_of(text, pos)
                )
            raise SourceError(
                path,
                f"malformed JSON: expected ',' or ']', got {text[pos]!r}",
                line=line_of(text, pos),
            )
    if pos != len(text):
        raise SourceError(path, "malformed JSON: data after the list", line=line_of(text, pos))


def ref_from_daily_item(item: Any, *, source: str = "", line: int | None = None) -> PaperRef | str:
    """One Daily Papers API item (or bare paper object) -> a ref, or why it is not one."""
    if not isinstance(item, Mapping):
        return f"a list item is {type(item).__name__}, not an object"
    paper = _mapping(item.get("paper")) or item
    title = _text(paper.get("title")) or _text(item.get("title"))
    raw_id = _text(paper.get("id"))
    arxiv_id: str | None = None
    if raw_id is not None:
        parsed = parse_paper_id(raw_id)
        if isinstance(parsed, ParsedId) and parsed.kind == "arxiv":
            arxiv_id = parsed.value
    if title is None and arxiv_id is None:
        return "an item without paper.title and without an arXiv paper.id"
    raw_authors = paper.get("authors")
    authors = (
        tuple(n for a in raw_authors if (n := _text(_mapping(a).get("name"))) is not None)
        if isinstance(raw_authors, list)
        else ()
    )
    org = _mapping(paper.get("organization")) or _mapping(item.get("organization"))
    handle = _text(org.get("name"))
    display = _text(org.get("fullname")) or handle
    upvotes = _int(paper.get("upvotes"))
    if upvotes is None:
        upvotes = _int(item.get("upvotes"))
    return PaperRef(
        title=title,
        abstract=_text(paper.get("summary")) or _text(item.get("summary")),
        date=_iso_date(paper.get("publishedAt")) or _iso_date(item.get("publishedAt")),
        upvotes=upvotes,
        authors_count=len(raw_authors) if isinstance(raw_authors, list) else None,
        authors=authors,
        organization=display,
        organization_handle=handle,
        arxiv_id=arxiv_id,
        source=source,
        line=line,
    )


def parse_daily_json(text: str, path: str | Path) -> list[PaperRef]:
    """Every item of a saved ``/api/daily_papers`` answer, in order."""
    name = Path(path).name
    refs: list[PaperRef] = []
    for line, item in _json_items(text, path):
        ref = ref_from_daily_item(item, source=f"hf-json:{name}:{line}", line=line)
        if isinstance(ref, str):
            raise SourceError(path, ref, line=line)
        refs.append(ref)
    return refs


def parse_daily_json_file(path: str | Path) -> list[PaperRef]:
    return parse_daily_json(read_source_text(path), path)
