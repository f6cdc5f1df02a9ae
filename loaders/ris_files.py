"""RIS files (EndNote, Zotero, Mendeley, publishers' "export citation"): read and write.

rispy maps RIS tags to names and joins continuation lines, but it is lenient
by design: a record without its ``ER`` line, or tags before a ``TY`` line,
are dropped without a word. A file that loses entries silently is worse than
one that fails, so :func:`check_ris_structure` walks the lines first and
raises :class:`SourceError` with the file and line for: a tag line before a
record's ``TY``; a text line outside a record; a ``TY`` inside an open record
(the previous one has no ``ER``); a record still open at the end of the file.
Only then does rispy parse the text, one record per ``TY`` line checked.

Fields read (see :func:`loaders.reference_entries.entry_ref`): ``TI``/``T1``
title, ``DO`` DOI, ``UR``/``L1``-``L4`` links, ``N1``/``M1``/``M3``/``AN``
notes that may say ``arXiv:<id>``, ``PY``/``Y1``/``DA`` date, ``AU``/``A1``
authors, ``AB``/``N2`` abstract.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rispy

from loaders.reference_entries import EntryFields, ReferenceRecord, entry_ref, record_urls
from loaders.rows import PaperRef
from loaders.source_files import SourceError

# "TY  - JOUR": two upper-case letters or a letter and a digit, two spaces, a dash.
_TAG_LINE = re.compile(r"^(?P<tag>[A-Z][A-Z0-9])  -(?: (?P<value>.*))?$")


def looks_like_ris(text: str) -> bool:
    """True when the first non-blank line is a RIS tag line, or ``TY`` and ``ER`` lines occur.

    A stray tag before the first record still makes the file RIS (and then an
    error naming that line), not an id list of odd titles.

    >>> looks_like_ris("\\nTY  - JOUR\\nTI  - x\\nER  - ")
    True
    >>> looks_like_ris("TI  - Stray\\nTY  - JOUR\\nER  - ")
    True
    >>> looks_like_ris("TYPE - x")
    False
    """
    lines = text.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if _TAG_LINE.match(first.rstrip()):
        return True
    tags = {m["tag"] for line in lines if (m := _TAG_LINE.match(line.rstrip()))}
    return {"TY", "ER"} <= tags


def check_ris_structure(text: str, path: str | Path) -> list[int]:
    """The 1-based line of every record's ``TY``; a broken structure raises.

    >>> check_ris_structure("TY  - JOUR\\nTI  - a\\nER  - \\n\\nTY  - GEN\\nER  -", "r.ris")
    [1, 5]
    >>> check_ris_structure("TY  - JOUR\\nTI  - a\\n", "r.ris")
    Traceback (most recent call last):
    ...
    loaders.source_files.SourceError: r.ris:1: record not closed: no 'ER  - ' line before ...
    """
    starts: list[int] = []
    open_at: int | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        m = _TAG_LINE.match(line)
        if open_at is None:
            if not line.strip():
                continue
            if m is None:
                raise SourceError(
                    path, "not a RIS line (expected 'XX  - value' tag lines)", line=number
                )
            if m["tag"] != "TY":
                raise SourceError(
                    path,
                    f"tag {m['tag']} outside a record (a record starts with 'TY  - ')",
                    line=number,
                )
            open_at = number
            starts.append(number)
        elif m is not None and m["tag"] == "TY":
            raise SourceError(
                path,
                f"a new record starts before the record of line {open_at} ended with 'ER  - '",
                line=number,
            )
        elif m is not None and m["tag"] == "ER":
            open_at = None
        # Any other line inside a record is a tag or a continuation of the last value.
    if open_at is not None:
        raise SourceError(
            path, "record not closed: no 'ER  - ' line before the end of the file", line=open_at
        )
    return starts


def _texts(record: dict[str, Any], *names: str) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            found.append(value.strip())
        elif isinstance(value, list):
            found.extend(v.strip() for v in value if isinstance(v, str) and v.strip())
    return tuple(found)


def _first(record: dict[str, Any], *names: str) -> str | None:
    values = _texts(record, *names)
    return values[0] if values else None


def _entry_fields(record: dict[str, Any], line: int) -> EntryFields:
    return EntryFields(
        line=line,
        key=_first(record, "id"),
        title=_first(record, "title", "primary_title", "translated_title"),
        doi=_first(record, "doi"),
        urls=_texts(record, "urls", "file_attachments1", "file_attachments2"),
        mentions=_texts(
            record,
            "notes",
            "note",
            "type_of_work",
            "accession_number",
            "journal_name",
            "secondary_title",
        ),
        date=_first(record, "date", "year", "publication_year"),
        authors=_texts(record, "authors", "first_authors"),
        abstract=_first(record, "abstract", "notes_abstract"),
    )


def parse_ris(text: str, path: str | Path) -> list[PaperRef]:
    """Every record of a RIS text as a :class:`PaperRef`, in file order.

    >>> text = "TY  - JOUR\\nTI  - Tiny\\nDO  - 10.48550/arXiv.2001.08361\\nER  - "
    >>> refs = parse_ris(text, "r.ris")
    >>> (refs[0].title, refs[0].arxiv_id, refs[0].source)
    ('Tiny', '2001.08361', 'ris:r.ris:1')
    """
    starts = check_ris_structure(text, path)
    records = rispy.loads(text)
    if len(records) != len(starts):  # our check and rispy disagree: say so, never guess
        raise SourceError(
            path, f"{len(starts)} records found but the RIS parser read {len(records)}"
        )
    return [
        entry_ref(_entry_fields(record, line), path, kind="ris")
        for record, line in zip(records, starts, strict=True)
    ]


class _PlainRisWriter(rispy.RisWriter):  # type: ignore[misc]  # rispy ships no types
    """rispy's writer without its numbered header line before each record."""

    def set_header(self, count: int) -> str:
        return ""


def ris_text(records: Sequence[ReferenceRecord]) -> str:
    """A RIS file of ``records`` (``JOUR`` when the venue is known, else ``GEN``).

    >>> print(ris_text([ReferenceRecord("p1", "Tiny", 2020, ("Kurt Gödel",),
    ...                                 arxiv_id="2001.08361")]).strip())
    TY  - GEN
    TI  - Tiny
    AU  - Kurt Gödel
    PY  - 2020
    UR  - https://arxiv.org/abs/2001.08361
    N1  - arXiv:2001.08361
    ID  - p1
    ER  -
    """
    entries: list[dict[str, Any]] = []
    for record in records:
        entry: dict[str, Any] = {"type_of_reference": "JOUR" if record.venue else "GEN"}
        if record.title:
            entry["title"] = record.title
        if record.authors:
            entry["authors"] = list(record.authors)
        if record.year:
            entry["year"] = str(record.year)
        if record.venue:
            entry["journal_name"] = record.venue
        if record.doi:
            entry["doi"] = record.doi
        urls = list(record_urls(record))
        if urls:
            entry["urls"] = urls
        if record.arxiv_id:
            entry["notes"] = [f"arXiv:{record.arxiv_id}"]
        if record.abstract:
            entry["abstract"] = record.abstract
        entry["id"] = record.paper_id
        entries.append(entry)
    return str(rispy.dumps(entries, implementation=_PlainRisWriter))
