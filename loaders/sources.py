"""What a path given to ``citekb load`` is, and its entries as :class:`PaperRef`.

Detection, in order:

1. a directory holding ``papers*``/``authors*``/``citations*``/``abstracts*``
   files or folders is an S2 Datasets snapshot (bulk-loaded by
   :mod:`loaders.bulk_load`, not parsed into seed entries here);
   any other directory is an error;
2. a file whose first non-blank character is ``[`` or ``{`` is the Daily
   Papers API JSON (the extension is not trusted either way);
3. a file whose first non-blank line is a RIS ``TY  - `` tag line is RIS
   (:mod:`loaders.ris_files`); a file with a line opening a BibTeX entry
   (``@article{``) is BibTeX (:mod:`loaders.bib_files`);
4. a text file with the Daily Papers page's marks (a ``·`` line followed by
   a date, an ``• N authors`` line, or the page header) is a saved page;
5. any other text file is an id list (one id or title per line).

Every failure is a :class:`SourceError` naming the file (and the line when
there is one): missing, empty, binary, not UTF-8, over-long lines, truncated
or malformed JSON, an unparseable entry, or no entries at all.
"""

from __future__ import annotations

import datetime
import enum
from pathlib import Path

from loaders.bib_files import looks_like_bibtex, parse_bibtex
from loaders.daily_papers import looks_like_daily_page, parse_daily_json, parse_daily_page
from loaders.id_lists import parse_id_text
from loaders.ris_files import looks_like_ris, parse_ris
from loaders.rows import PaperRef
from loaders.s2_datasets import DATASETS
from loaders.source_files import SourceError, read_source_text

__all__ = ["SourceError", "SourceKind", "detect_source", "is_s2_datasets_dir", "parse_source"]


class SourceKind(enum.StrEnum):
    HF_PAGE = "hf-page"
    HF_JSON = "hf-json"
    ID_LIST = "id-list"
    BIBTEX = "bibtex"
    RIS = "ris"
    S2_DATASETS = "s2-datasets"


def is_s2_datasets_dir(path: Path) -> bool:
    """A directory in the S2 Datasets layout (:mod:`loaders.s2_datasets`): ``papers*``,
    ``authors*``, ``citations*`` or ``abstracts*`` files or folders."""
    try:
        return path.is_dir() and any(child.name.startswith(DATASETS) for child in path.iterdir())
    except OSError:
        return False


def _kind_of_text(text: str) -> SourceKind:
    head = text.lstrip(" \t\n\ufeff")[:1]
    if head in ("[", "{"):
        return SourceKind.HF_JSON
    if looks_like_ris(text):
        return SourceKind.RIS
    if looks_like_bibtex(text):
        return SourceKind.BIBTEX
    if looks_like_daily_page(text):
        return SourceKind.HF_PAGE
    return SourceKind.ID_LIST


def _directory_kind(p: Path) -> SourceKind:
    if is_s2_datasets_dir(p):
        return SourceKind.S2_DATASETS
    raise SourceError(
        p, "is a directory without S2 Datasets files (expected papers*.jsonl[.gz] and the like)"
    )


def detect_source(path: str | Path) -> SourceKind:
    """The kind of source at ``path`` (reads the file; raises :class:`SourceError`)."""
    p = Path(path)
    if p.is_dir():
        return _directory_kind(p)
    return _kind_of_text(read_source_text(p))


def parse_text(
    text: str, path: str | Path, *, as_of: datetime.date | None = None
) -> tuple[SourceKind, list[PaperRef]]:
    """Detect and parse already-decoded text; ``path`` names it in sources and errors."""
    kind = _kind_of_text(text)
    if kind is SourceKind.HF_JSON:
        refs = parse_daily_json(text, path)
    elif kind is SourceKind.HF_PAGE:
        refs = parse_daily_page(text, path, as_of=as_of)
    elif kind is SourceKind.BIBTEX:
        refs = parse_bibtex(text, path)
    elif kind is SourceKind.RIS:
        refs = parse_ris(text, path)
    else:
        refs = parse_id_text(text, path)
    if not refs:
        raise SourceError(path, f"no paper entries found (read as {kind.value})")
    return kind, refs


def parse_source(path: str | Path, as_of: datetime.date | None = None) -> list[PaperRef]:
    """Every entry of a page, JSON, BibTeX, RIS or id list at ``path``, in file order.

    ``as_of`` fixes the reference date for the page's year-less dates (see
    :mod:`loaders.daily_papers`). An S2 Datasets directory has no seed entries:
    it raises :class:`SourceError` telling so (the bulk loader reads it).
    """
    p = Path(path)
    if p.is_dir():
        _directory_kind(p)
        raise SourceError(
            p,
            "is an S2 Datasets directory: it is bulk-loaded (`citekb load DIR`), "
            "not read as a list of seed papers",
        )
    return parse_text(read_source_text(p), p, as_of=as_of)[1]
