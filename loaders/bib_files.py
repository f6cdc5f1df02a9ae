"""BibTeX files: ``citekb load refs.bib`` reads them, exports write them.

Parsing is bibtexparser 2 (``parse_string`` with its LaTeX-decoding
middleware, so ``G{\\"o}mez`` is ``Gömez`` and ``{Nested {Braces}}`` loses its
braces). bibtexparser keeps going past a broken block and lists it in
``failed_blocks``; we do not: the first failed block (unbalanced braces, a
missing comma, a duplicate entry key or field) is a :class:`SourceError`
naming the file and the 1-based line the block starts on, raised before
anything is written. ``@string``, ``@preamble`` and ``@comment`` blocks and
text between entries are not papers and are ignored, as BibTeX does.

Each entry becomes a :class:`PaperRef` through
:func:`loaders.reference_entries.entry_ref` (which fields name which ids is
documented there): ``title``, ``doi``, ``eprint`` + ``archivePrefix`` /
``eprinttype``, ``arxivid``, ``url``, ``journal``/``note``/``volume``
mentions of arXiv, ``year`` or biblatex ``date``, ``author``, ``abstract``.

Writing (:func:`bibtex_text`) goes through bibtexparser's LaTeX-encoding
middleware, so what we write parses back to the same text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string, write_string
from bibtexparser.library import Library
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
)
from bibtexparser.writer import BibtexFormat
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder

from loaders.reference_entries import (
    EntryFields,
    ReferenceRecord,
    citation_keys,
    entry_ref,
    record_urls,
)
from loaders.rows import PaperRef
from loaders.source_files import SourceError

# A line that opens an entry: "@article{", "@InProceedings (" ...
_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_NOT_PAPERS = frozenset({"string", "preamble", "comment"})
_ARXIV_PREFIXES = frozenset({"arxiv", "arxiv.org"})


# pylatexenc reads \\textasciicircum as U+02C6 (a modifier letter), not the
# caret its own encoder meant: teach the decoder the caret, so what we write
# reads back as written. Characters LaTeX has no name for (CJK...) stay as
# UTF-8, which biber and modern BibTeX read.
_LATEX_CONTEXT = get_default_latex_context_db().filter_context()
_LATEX_CONTEXT.add_context_category(
    "citekb-caret", prepend=True, macros=[MacroTextSpec("textasciicircum", simplify_repl="^")]
)
_DECODER = LatexNodes2Text(latex_context=_LATEX_CONTEXT)
_ENCODER = UnicodeToLatexEncoder(unknown_char_policy="keep", unknown_char_warning=False)


# bibtexparser logs each broken block (with 0-based line numbers) before we
# raise the one clear error; the user should see only ours.
_SPLITTER_LOG = logging.getLogger("bibtexparser.splitter")


@contextmanager
def _quiet_splitter() -> Iterator[None]:
    level = _SPLITTER_LOG.level
    _SPLITTER_LOG.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        _SPLITTER_LOG.setLevel(level)


def looks_like_bibtex(text: str) -> bool:
    """True when some line opens a BibTeX entry (no id list or page line does).

    >>> looks_like_bibtex("% refs\\n@Article{k,\\n title={T}}")
    True
    >>> looks_like_bibtex("arXiv:2001.08361\\n@someone wrote this")
    False
    """
    return _ENTRY_START.search(text) is not None


def _failure(block: object) -> str:
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"duplicate entry key {block.key!r} (each entry needs its own key)"
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return f"a field given twice in one entry ({fields})"
    if isinstance(block, ParsingFailedBlock):
        return (
            "malformed BibTeX entry starting here (an unclosed brace or quote, "
            "or a missing comma between fields)"
        )
    return "malformed BibTeX block"


def _value(entry: Entry, *names: str) -> str | None:
    fields = {key.lower(): field for key, field in entry.fields_dict.items()}
    for name in names:
        field = fields.get(name)
        if field is not None and isinstance(field.value, str) and field.value.strip():
            return field.value.strip()
    return None


def _entry_fields(entry: Entry, line: int) -> EntryFields:
    eprints: list[str] = []
    eprint = _value(entry, "eprint")
    prefix = (_value(entry, "archiveprefix", "eprinttype") or "arxiv").lower()
    if eprint and prefix in _ARXIV_PREFIXES:
        eprints.append(eprint)
    if arxivid := _value(entry, "arxivid", "arxiv"):
        eprints.append(arxivid)
    authors = _value(entry, "author")
    return EntryFields(
        line=line,
        key=entry.key,
        title=_value(entry, "title"),
        doi=_value(entry, "doi"),
        eprints=tuple(eprints),
        urls=tuple(u for u in (_value(entry, "url"), _value(entry, "howpublished")) if u),
        mentions=tuple(
            m for m in (_value(entry, n) for n in ("journal", "note", "volume", "eprint")) if m
        ),
        date=_value(entry, "date", "year"),
        authors=tuple(a.strip() for a in re.split(r"\s+and\s+", authors)) if authors else (),
        abstract=_value(entry, "abstract"),
    )


def parse_bibtex(text: str, path: str | Path) -> list[PaperRef]:
    """Every paper entry of a BibTeX text, in file order; the first bad block raises.

    >>> text = '@misc{k, title = {G{\\\\"o}del {Numbers}}, eprint = {2001.08361}}'
    >>> refs = parse_bibtex(text, "r.bib")
    >>> (refs[0].title, refs[0].arxiv_id, refs[0].line)
    ('Gödel Numbers', '2001.08361', 1)
    >>> parse_bibtex("@misc{k, title = {open\\n\\n@misc{j, title={x}}", "r.bib")
    Traceback (most recent call last):
    ...
    loaders.source_files.SourceError: r.bib:1: malformed BibTeX entry starting here (...)
    """
    decoding = middlewares.LatexDecodingMiddleware(decoder=_DECODER)
    with _quiet_splitter():
        library = parse_string(text, append_middleware=[decoding])
    failed = sorted(library.failed_blocks, key=lambda b: b.start_line or 0)
    if failed:
        first = failed[0]
        line = first.start_line + 1 if first.start_line is not None else None
        raise SourceError(path, _failure(first), line=line)
    refs: list[PaperRef] = []
    for entry in library.entries:
        if entry.entry_type.lower() in _NOT_PAPERS:
            continue
        line = (entry.start_line or 0) + 1
        refs.append(entry_ref(_entry_fields(entry, line), path, kind="bib"))
    return refs


# Fields BibTeX and biblatex read verbatim: no LaTeX escapes there.
_VERBATIM = frozenset({"doi", "eprint", "archiveprefix", "url"})


def _field(name: str, value: str) -> Field:
    return Field(name, value if name in _VERBATIM else _ENCODER.unicode_to_latex(value))


def bibtex_text(records: Sequence[ReferenceRecord]) -> str:
    """A BibTeX file of ``records`` (keys from :func:`citation_keys`); text fields in LaTeX.

    >>> print(bibtex_text([ReferenceRecord("p1", "Gödel & Co", 2020, ("Kurt Gödel",),
    ...                                    arxiv_id="2001.08361")]).strip())
    @misc{godel2020godel,
      title = {G\\"odel \\& Co},
      author = {Kurt G\\"odel},
      year = {2020},
      eprint = {2001.08361},
      archiveprefix = {arXiv},
      url = {https://arxiv.org/abs/2001.08361}
    }
    """
    entries: list[Block] = []
    for record, key in zip(records, citation_keys(records), strict=True):
        values: list[tuple[str, str | None]] = [
            ("title", record.title),
            ("author", " and ".join(record.authors) or None),
            ("year", str(record.year) if record.year else None),
            ("journal", record.venue),
            ("doi", record.doi),
            ("eprint", record.arxiv_id),
            ("archiveprefix", "arXiv" if record.arxiv_id else None),
            *(("url", url) for url in record_urls(record)),
            ("abstract", record.abstract),
        ]
        fields = [_field(name, value) for name, value in values if value]
        entries.append(Entry("article" if record.venue else "misc", key, fields))
    layout = BibtexFormat()  # type: ignore[no-untyped-call]
    layout.indent = "  "
    return str(write_string(Library(entries), bibtex_format=layout))
