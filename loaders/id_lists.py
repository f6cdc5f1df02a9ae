"""Paper identifiers: one normaliser for id lists and for the GraphQL API.

:func:`parse_paper_id` turns whatever a person types for a paper into a
:class:`ParsedId` (what kind of id, its canonical value, and the form the
Semantic Scholar API accepts) or an :class:`IdError`. It is pure: no I/O, no
exceptions for bad input, so the API can call it on user text directly.

Recognised forms (case-insensitive prefixes, surrounding whitespace ignored):

========== ============================================================ ======================
kind       written as                                                   canonical ``value``
========== ============================================================ ======================
``s2``     40 hex digits; a semanticscholar.org ``/paper/...`` URL      lower-case hex
``arxiv``  ``arXiv:2512.17351v2``, bare ``2512.17351``, ``hep-th/9901001``, ``2512.17351``
           ``math.GT/0309136``, arxiv.org ``/abs/`` ``/pdf/`` ``/html/``
           URLs, the arXiv DataCite DOI ``10.48550/arXiv.<id>``
``doi``    ``DOI:10.x/...``, bare ``10.x/...``, ``doi.org``/``dx.doi.org``   lower-case, URL-decoded
           URLs
``corpus`` ``CorpusId:123`` / ``CorpusID:123``                          the integer as text
``title``  anything else (whitespace collapsed)                         the title
========== ============================================================ ======================

Version suffixes (``v2``) are dropped; an old-style id's subject class
(``math.GT/0309136``) is dropped too because arXiv's identifier is
``math/0309136``. A text that announces a kind but is malformed
(``arXiv:12345``, ``CorpusId:abc``), an unrecognised URL, and the S2 prefixes
we do not store (``PMID:``, ``PMCID:``, ``MAG:``, ``ACL:``) give an
:class:`IdError` rather than silently becoming a title.

An id list file has one entry per line; blank lines and lines starting with
``#`` are skipped, and a trailing `` # comment`` (whitespace before the
``#``) is removed from an id line (a title keeps its ``#`` characters).
Kinds may be mixed. A bare number is not taken for an id: it is a title.

>>> parse_paper_id("arXiv:2512.17351v2")
ParsedId(kind='arxiv', value='2512.17351', s2_form='ARXIV:2512.17351')
>>> parse_paper_id("https://doi.org/10.1093/MIND/LIX.236.433").s2_form
'DOI:10.1093/mind/lix.236.433'
>>> parse_paper_id("CorpusID:470667").s2_form
'CorpusId:470667'
>>> parse_paper_id("  Attention   is all you need ")
ParsedId(kind='title', value='Attention is all you need', s2_form=None)
>>> parse_paper_id("arXiv:12.34")
IdError(text='arXiv:12.34', reason='not an arXiv id (expected YYMM.NNNNN or archive/YYMMNNN)')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from loaders.rows import PaperRef
from loaders.source_files import SourceError, check_line_lengths, read_source_text

IdKind = Literal["s2", "arxiv", "doi", "corpus", "title"]

# Titles are long at most a few hundred characters; anything longer on one
# line of an id list is a pasted abstract or a broken file.
MAX_ID_LINE = 2000
MAX_TITLE = 1000

_S2_HEX = re.compile(r"[0-9a-f]{40}", re.IGNORECASE)
# New-style arXiv ids (2007-): YYMM.NNNN until 1412, YYMM.NNNNN from 1501.
_ARXIV_NEW = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?:v\d+)?")
# Old-style ids (1991-2007): archive[.SUBJECT-CLASS]/YYMMNNN.
_ARXIV_OLD = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?/(?P<yy>\d{2})(?P<mm>\d{2})(?P<num>\d{3})(?:v\d+)?",
    re.IGNORECASE,
)
_ARXIV_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<id>[^?#\s]+?)"
    r"(?:\.pdf)?/?(?:[?#]\S*)?",
    re.IGNORECASE,
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_URL = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/(?P<doi>\S+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(?P<id>\S+)", re.IGNORECASE)
_S2_URL = re.compile(
    r"(?:https?://)?(?:www\.|api\.)?semanticscholar\.org/(?:graph/v1/)?paper/"
    r"(?:[^/?#\s]+/)?(?P<id>[0-9a-f]{40})/?(?:[?#]\S*)?",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"(?P<prefix>[a-z][a-z0-9_ ]{0,12}?)\s*:\s*(?P<rest>.*)", re.IGNORECASE)
_UNSUPPORTED_PREFIXES = {"pmid", "pmcid", "mag", "acl", "medline", "dblp"}
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S*|www\.\S+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TRAILING_COMMENT = re.compile(r"\s+#.*$")


@dataclass(frozen=True)
class ParsedId:
    """A recognised paper identifier: ``s2_form`` is what S2 accepts (``None`` for a title)."""

    kind: IdKind
    value: str
    s2_form: str | None


@dataclass(frozen=True)
class IdError:
    """Why a text is not a usable paper identifier (returned, not raised)."""

    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.text!r}"


def _arxiv_new(text: str) -> str | None:
    m = _ARXIV_NEW.fullmatch(text)
    if m is None or not 1 <= int(m["mm"]) <= 12:
        return None
    yymm = int(m["yy"] + m["mm"])
    # Four-digit sequence numbers ran 0704-1412, five digits since 1501.
    if (len(m["num"]) == 5) != (yymm >= 1501) or yymm < 704:
        return None
    return f"{m['yy']}{m['mm']}.{m['num']}"


def _arxiv_old(text: str) -> str | None:
    m = _ARXIV_OLD.fullmatch(text)
    if m is None or not 1 <= int(m["mm"]) <= 12:
        return None
    return f"{m['archive'].lower()}/{m['yy']}{m['mm']}{m['num']}"


def _arxiv(text: str) -> str | None:
    return _arxiv_new(text) or _arxiv_old(text)


def _arxiv_id(value: str) -> ParsedId:
    return ParsedId("arxiv", value, f"ARXIV:{value}")


def _doi(text: str) -> ParsedId | None:
    doi = text.strip().lower()
    if not _DOI.fullmatch(doi):
        return None
    m = _ARXIV_DOI.fullmatch(doi)
    if m is not None and (arxiv := _arxiv(m["id"])) is not None:
        # S2 files arXiv papers under their arXiv id; the DataCite DOI is an alias.
        return _arxiv_id(arxiv)
    return ParsedId("doi", doi, f"DOI:{doi}")


def _url(text: str) -> ParsedId | IdError:
    if m := _ARXIV_URL.fullmatch(text):
        arxiv = _arxiv(unquote(m["id"]))
        if arxiv is None:
            return IdError(text, "an arxiv.org URL without a valid arXiv id")
        return _arxiv_id(arxiv)
    if m := _DOI_URL.fullmatch(text):
        parsed = _doi(unquote(m["doi"]))
        if parsed is None:
            return IdError(text, "a doi.org URL without a valid DOI")
        return parsed
    if m := _S2_URL.fullmatch(text):
        return ParsedId("s2", m["id"].lower(), m["id"].lower())
    return IdError(text, "unrecognised URL (expected arxiv.org, doi.org or semanticscholar.org)")


def parse_paper_id(text: str) -> ParsedId | IdError:
    """Recognise one paper identifier or title (see the module docstring)."""
    if not isinstance(text, str):
        return IdError(repr(text), "not text")
    stripped = " ".join(text.split())
    if not stripped:
        return IdError(text, "empty")
    if len(stripped) > MAX_ID_LINE:
        return IdError(stripped[:80] + "...", f"longer than {MAX_ID_LINE} characters")
    if _CONTROL.search(stripped):
        return IdError(stripped, "contains control characters")
    if _S2_HEX.fullmatch(stripped):
        return ParsedId("s2", stripped.lower(), stripped.lower())
    if _URL.match(stripped) or _ARXIV_URL.fullmatch(stripped) or _DOI_URL.fullmatch(stripped):
        return _url(stripped)
    if _S2_URL.fullmatch(stripped):
        return _url(stripped)
    if (m := _PREFIX.fullmatch(stripped)) is not None:
        prefix = m["prefix"].replace(" ", "").replace("_", "").lower()
        rest = m["rest"].strip()
        if prefix == "arxiv":
            arxiv = _arxiv(rest)
            if arxiv is None:
                return IdError(stripped, "not an arXiv id (expected YYMM.NNNNN or archive/YYMMNNN)")
            return _arxiv_id(arxiv)
        if prefix == "doi":
            if _DOI_URL.fullmatch(rest):
                return _url(rest)
            parsed = _doi(rest)
            return parsed or IdError(stripped, "not a DOI (expected 10.<registrant>/<suffix>)")
        if prefix == "corpusid":
            if not rest.isascii() or not rest.isdigit():
                return IdError(stripped, "not a CorpusId (expected CorpusId:<integer>)")
            value = str(int(rest))
            return ParsedId("corpus", value, f"CorpusId:{value}")
        if prefix == "url":
            return _url(rest)
        if prefix in _UNSUPPORTED_PREFIXES:
            return IdError(
                stripped,
                f"{m['prefix'].upper()} ids are not supported (use an arXiv id, DOI, "
                "CorpusId, S2 paper id or the title)",
            )
    if (arxiv := _arxiv(stripped)) is not None:
        return _arxiv_id(arxiv)
    if (parsed := _doi(stripped)) is not None:
        return parsed
    if len(stripped) > MAX_TITLE:
        return IdError(stripped[:80] + "...", f"a title longer than {MAX_TITLE} characters")
    return ParsedId("title", stripped, None)


def ref_from_parsed(parsed: ParsedId, *, source: str = "", line: int | None = None) -> PaperRef:
    """The :class:`PaperRef` of a parsed id: exactly one of its id fields or the title set."""
    if parsed.kind == "s2":
        return PaperRef(title=None, s2_id=parsed.value, source=source, line=line)
    if parsed.kind == "arxiv":
        return PaperRef(title=None, arxiv_id=parsed.value, source=source, line=line)
    if parsed.kind == "doi":
        return PaperRef(title=None, doi=parsed.value, source=source, line=line)
    if parsed.kind == "corpus":
        return PaperRef(title=None, corpus_id=int(parsed.value), source=source, line=line)
    return PaperRef(title=parsed.value, source=source, line=line)


def normalise_id(text: str, *, source: str = "", line: int | None = None) -> PaperRef | IdError:
    """One identifier or title -> a :class:`PaperRef`, or the :class:`IdError` saying why not.

    >>> normalise_id("ARXIV:hep-th/9901001v3").arxiv_id
    'hep-th/9901001'
    >>> normalise_id("doi:10.1145/3292500.3330701").doi
    '10.1145/3292500.3330701'
    """
    parsed = parse_paper_id(text)
    if isinstance(parsed, IdError):
        return parsed
    return ref_from_parsed(parsed, source=source, line=line)


def _entry_text(line: str) -> str | None:
    """The id or title on one line of a list, ``None`` for blanks and comments."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    without_comment = _TRAILING_COMMENT.sub("", stripped)
    if without_comment != stripped:
        parsed = parse_paper_id(without_comment)
        # Only ids lose a trailing comment: "C# in depth # 2nd ed" stays a title.
        if isinstance(parsed, ParsedId) and parsed.kind != "title":
            return without_comment
    return stripped


def parse_id_lines(
    lines: Iterable[str], name: str, *, path: str | Path | None = None
) -> list[PaperRef]:
    """Every entry of an id list; the first bad line raises :class:`SourceError`.

    ``name`` goes into each ref's ``source`` (``ids:<name>:<line>``); ``path``
    (default ``name``) into error messages.

    >>> [r.arxiv_id or r.title for r in parse_id_lines(
    ...     ["# seeds", "", "arXiv:2512.17351v1  # canon layers", "Tiny language models"], "s.txt")]
    ['2512.17351', 'Tiny language models']
    """
    where = path if path is not None else name
    refs: list[PaperRef] = []
    for number, line in enumerate(lines, start=1):
        text = _entry_text(line)
        if text is None:
            continue
        ref = normalise_id(text, source=f"ids:{name}:{number}", line=number)
        if isinstance(ref, IdError):
            raise SourceError(where, str(ref), line=number)
        refs.append(ref)
    return refs


def parse_id_text(text: str, path: str | Path) -> list[PaperRef]:
    """An id list's text (already decoded) -> refs; ``path`` names it in sources and errors."""
    lines = text.split("\n")
    check_line_lengths(lines, path, MAX_ID_LINE, "an id list")
    return parse_id_lines(lines, Path(path).name, path=path)


def parse_id_list(path: str | Path) -> list[PaperRef]:
    """Read and parse an id list file."""
    return parse_id_text(read_source_text(path), path)
