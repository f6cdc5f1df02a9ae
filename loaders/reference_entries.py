"""Reference-manager entries (BibTeX, RIS) <-> papers: what both formats share.

A researcher's ``.bib`` or ``.ris`` file names a paper in many ways at once:
a DOI, an arXiv eprint, URLs, a title, a year. :func:`entry_ref` turns the
fields a format parser pulled out of one entry into a :class:`PaperRef` that
keeps every id it found (the pipeline looks a ref up by its strongest id and
keeps the title for the placeholder and the title match), and raises
:class:`SourceError` with the entry's line when a field that announces an id
does not hold one: a typo in a DOI is reported, not silently dropped.

Where arXiv ids are looked for, in order: an explicit eprint (BibTeX
``eprint`` with ``archivePrefix``/``eprinttype`` arXiv, or none given; an
``arxivid`` field), arXiv's DataCite DOI ``10.48550/arXiv.<id>``, arxiv.org
URLs, then an ``arXiv:<id>`` mention in the journal or a note (Google
Scholar's ``journal = {arXiv preprint arXiv:2001.08361}``, DBLP's
``volume = {abs/2001.08361}`` with ``journal = {CoRR}``).

:class:`ReferenceRecord` is the other direction: a stored paper as the
exporters (:mod:`loaders.bib_files`, :mod:`loaders.ris_files`) write it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.id_lists import IdError, ParsedId, parse_paper_id
from loaders.rows import PaperRef
from loaders.source_files import SourceError

# "arXiv:2001.08361", "arXiv: hep-th/9901001v2", "arXiv preprint arXiv:2001.08361".
_ARXIV_MENTION = re.compile(
    r"arxiv\s*:\s*(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[a-z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
# DBLP writes CoRR papers as volume "abs/2001.08361".
_CORR_VOLUME = re.compile(r"abs/(?P<id>\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?P<year>1[5-9]\d\d|20\d\d)(?!\d)")
_ISO_DATE = re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})")


@dataclass(frozen=True)
class EntryFields:
    """What a format parser found in one entry, before ids are checked."""

    line: int
    key: str | None = None
    title: str | None = None
    doi: str | None = None
    eprints: tuple[str, ...] = ()  # explicit arXiv eprints (must parse)
    urls: tuple[str, ...] = ()  # any URLs (arxiv.org / doi.org ones are used)
    mentions: tuple[str, ...] = ()  # free text that may mention arXiv:<id>
    date: str | None = None  # a year or an ISO-ish date
    authors: tuple[str, ...] = ()
    abstract: str | None = None


def clean_text(value: str | None) -> str | None:
    """Whitespace collapsed, NFC; ``None`` for nothing.

    >>> clean_text("  Attention \\n is   all ")
    'Attention is all'
    >>> clean_text("   ") is None
    True
    """
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", value).split())
    return text or None


def _parse_id(
    text: str, line: int, path: str | Path, what: str, *, shown: str | None = None
) -> ParsedId:
    parsed = parse_paper_id(text)
    if isinstance(parsed, IdError):
        raise SourceError(
            path, f"{what} {shown or repr(text)} is not usable ({parsed.reason})", line=line
        )
    return parsed


def _entry_date(text: str | None) -> tuple[datetime.date | None, int | None]:
    """A full date when the entry gives one, else just the year.

    >>> _entry_date("2017/06/12/")
    (datetime.date(2017, 6, 12), 2017)
    >>> _entry_date("2020")
    (None, 2020)
    >>> _entry_date("n.d.")
    (None, None)
    """
    if not text:
        return None, None
    if m := _ISO_DATE.search(text):
        try:
            day = datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            day = None
        if day is not None:
            return day, day.year
    if m := _YEAR.search(text):
        return None, int(m["year"])
    return None, None


def _arxiv_from(
    fields: EntryFields, path: str | Path, doi_arxiv: str | None
) -> tuple[str | None, str | None]:
    """The arXiv id (and a DOI taken from a doi.org URL) from an entry's fields."""
    for eprint in fields.eprints:
        text = eprint if ":" in eprint else f"arXiv:{eprint}"
        parsed = _parse_id(text, fields.line, path, "arXiv eprint", shown=repr(eprint))
        return parsed.value, None
    if doi_arxiv is not None:
        return doi_arxiv, None
    url_doi = None
    for url in fields.urls:
        parsed_url = parse_paper_id(url)
        if isinstance(parsed_url, ParsedId):
            if parsed_url.kind == "arxiv":
                return parsed_url.value, None
            if parsed_url.kind == "doi" and url_doi is None:
                url_doi = parsed_url.value
    for text in fields.mentions:
        m = _ARXIV_MENTION.search(text) or _CORR_VOLUME.fullmatch(text.strip())
        if m is not None:
            parsed_mention = parse_paper_id(f"arXiv:{m['id']}")
            if isinstance(parsed_mention, ParsedId):
                return parsed_mention.value, url_doi
    return None, url_doi


def entry_ref(fields: EntryFields, path: str | Path, *, kind: str) -> PaperRef:
    """One entry's :class:`PaperRef` (every id it names, its title and date).

    >>> ref = entry_ref(EntryFields(line=3, title="Scaling  Laws", eprints=("2001.08361v1",),
    ...                             date="2020"), "refs.bib", kind="bib")
    >>> (ref.arxiv_id, ref.title, ref.year, ref.source, ref.line)
    ('2001.08361', 'Scaling Laws', 2020, 'bib:refs.bib:3', 3)
    >>> entry_ref(EntryFields(line=7, doi="10.1000"), "refs.bib", kind="bib")
    Traceback (most recent call last):
    ...
    loaders.source_files.SourceError: refs.bib:7: DOI '10.1000' is not usable (not a DOI ...)
    """
    doi: str | None = None
    doi_arxiv: str | None = None
    if fields.doi:
        text = (
            fields.doi if fields.doi.lower().startswith(("doi:", "http")) else "DOI:" + fields.doi
        )
        parsed = _parse_id(text, fields.line, path, "DOI", shown=repr(fields.doi))
        if parsed.kind == "arxiv":
            doi_arxiv = parsed.value  # arXiv's DataCite DOI: S2 knows the paper by its arXiv id
        elif parsed.kind == "doi":
            doi = parsed.value
        else:
            raise SourceError(path, f"DOI {fields.doi!r} is not a DOI", line=fields.line)
    arxiv, url_doi = _arxiv_from(fields, path, doi_arxiv)
    doi = doi or url_doi
    title = clean_text(fields.title)
    if title is None and doi is None and arxiv is None:
        name = f"entry {fields.key!r}" if fields.key else "entry"
        raise SourceError(
            path, f"{name} has no title, DOI or arXiv id to find the paper by", line=fields.line
        )
    date, year = _entry_date(fields.date)
    return PaperRef(
        title=title,
        abstract=clean_text(fields.abstract),
        date=date,
        year=year,
        authors=tuple(a for a in (clean_text(x) for x in fields.authors) if a),
        authors_count=len(fields.authors) or None,
        arxiv_id=arxiv,
        doi=doi,
        source=f"{kind}:{Path(path).name}:{fields.line}",
        line=fields.line,
    )


@dataclass(frozen=True)
class ReferenceRecord:
    """A stored paper as a BibTeX or RIS exporter writes it."""

    paper_id: str
    title: str | None
    year: int | None = None
    authors: tuple[str, ...] = ()
    venue: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    url: str | None = None
    abstract: str | None = None


_KEY_WORD = re.compile(r"[A-Za-z0-9]+")
_STOP = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "is"})


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(_KEY_WORD.findall(folded))


def citation_keys(records: Sequence[ReferenceRecord]) -> list[str]:
    """Unique BibTeX-style keys: first author's surname, year, first title word.

    >>> recs = [ReferenceRecord("p1", "The Scaling of Laws", 2020, ("Jared Kaplan",)),
    ...         ReferenceRecord("p2", "Scaling again", 2020, ("Kaplan, J.",)),
    ...         ReferenceRecord("p3", None)]
    >>> citation_keys(recs)
    ['kaplan2020scaling', 'kaplan2020scalinga', 'p3']
    """
    keys: list[str] = []
    seen: set[str] = set()
    for record in records:
        surname = ""
        if record.authors:
            first = record.authors[0]
            surname = first.split(",")[0] if "," in first else first.split()[-1]
        word = next(
            (
                w
                for w in (_ascii_word(t) for t in (record.title or "").split())
                if w and w.lower() not in _STOP
            ),
            "",
        )
        year = str(record.year) if record.year else ""
        base = (_ascii_word(surname) + year + word).lower() or _ascii_word(record.paper_id)
        base = base or "paper"
        key, suffix = base, 0
        while key in seen:
            key = base + _suffix(suffix)
            suffix += 1
        seen.add(key)
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    """a, b, ..., z, aa, ab, ... (as BibTeX tools disambiguate).

    >>> [_suffix(i) for i in (0, 25, 26)]
    ['a', 'z', 'aa']
    """
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def record_urls(record: ReferenceRecord) -> Iterable[str]:
    """The links an exported entry carries: its own URL, else arXiv's abstract page."""
    if record.url:
        yield record.url
    elif record.arxiv_id:
        yield f"https://arxiv.org/abs/{record.arxiv_id}"
