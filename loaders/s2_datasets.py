"""Read Semantic Scholar Datasets files (the bulk path) into :class:`GraphRows`.

S2 publishes snapshots of its corpus as JSON-lines datasets; this module
reads a directory holding (plain or gzipped) files named

``papers*.jsonl[.gz]``     paper records: ``corpusid``, ``externalids``, ``url``,
                           ``title``, ``authors`` [{authorId, name}], ``venue``,
                           ``year``, counts, ``s2fieldsofstudy``, ...
``abstracts*.jsonl[.gz]``  optional: ``corpusid``, ``abstract``
``authors*.jsonl[.gz]``    ``authorid``, ``name``, ``hindex``, ``citationcount``,
                           ``papercount``, ``affiliations``, ...
``citations*.jsonl[.gz]``  ``citingcorpusid``, ``citedcorpusid``,
                           ``isinfluential``, ``contexts``, ``intents`` (one
                           list of intents per context)
``embeddings*.jsonl[.gz]`` optional: ``corpusid``, ``vector`` (768 floats, as S2's
                           ``embeddings-specter_v2`` dataset gives them: the
                           text of a JSON list), ``model``
``openalex_works*.jsonl[.gz]`` optional: an OpenAlex works snapshot slice, one
                           work object per line (``id``, ``doi``,
                           ``publication_year``, ``authorships``, ``topics``,
                           ...), joined to the papers by DOI and written last
                           by :mod:`loaders.openalex_rows` (orgs per
                           authorship, author ids, topic hierarchy); a work
                           whose DOI no papers record has is skipped and counted

(each may also sit in a sub-directory named after its dataset, e.g.
``papers/part-0.jsonl.gz`` or ``embeddings-specter_v2/part-0.jsonl.gz``).
Records are converted to the Graph API's shape and go through the same row
builders (:mod:`loaders.rows`) and the same writer as every other source:
there is no second writing path.

**Paper ids.** Datasets key papers by ``corpusid``; the graph keys them by
``paperId``. A paper's ``paperId`` is its S2 sha (40 hex digits) when the
record gives one (a ``paperId`` or ``sha`` field, or the ``url``
``https://www.semanticscholar.org/paper/<sha>``), so papers loaded from
datasets and from the API meet on the same node. Without a sha it is
``CorpusId:<n>``. Citations name corpus ids only: they are mapped through
the papers files of the same directory (a ``corpusid -> sha`` table held in
memory, about 100 bytes per paper); a corpus id that no papers file lists
becomes ``CorpusId:<n>`` (a stub paper with that ``corpusId``). The rule is
deterministic, so re-loading a directory hits the same nodes.

**Malformed input.** Loading happens in two passes. Pass 1 reads every line
of every file and checks it (valid JSON object, required keys with the right
types); the first bad line raises :class:`DatasetError` as
``file:line: reason`` before anything is written, so a malformed file leaves
the graph exactly as it was (the whole directory is checked, not only that
file). Pass 2 re-reads the files and yields rows in bounded chunks, so 1M
citations never sit in one list. Citations whose ``citedcorpusid`` is null
(a bibliography entry S2 did not resolve) or that cite themselves are skipped
and counted, not errors.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from loaders.openalex_rows import LoadedPaper, rows_from_openalex_works
from loaders.rows import (
    EMBEDDING_DIMENSIONS,
    GraphRows,
    bare_doi,
    cites_rows,
    embedding_row,
    parse_vector,
    rows_from_s2_authors,
    rows_from_s2_paper,
)

# Load order: embeddings right after the papers they belong to; openalex_works
# (an OpenAlex works snapshot slice, joined to the papers by DOI) last, when
# its papers and authors exist.
DATASETS = ("papers", "abstracts", "embeddings", "authors", "citations", "openalex_works")
# S2 names its embeddings dataset after the model.
_SUBDIRS = {"embeddings": ("embeddings", "embeddings-specter_v2")}
_SHA = re.compile(r"^[0-9a-f]{40}$")
_URL_SHA = re.compile(r"/paper/([0-9a-f]{40})/?$")


class DatasetError(ValueError):
    """A file that is not in the Datasets format: ``file:line: reason``."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")

    def __reduce__(self) -> tuple[type[DatasetError], tuple[str, int, str]]:
        # Raised in the importer's CITES process and re-raised in its parent.
        return (DatasetError, (self.path, self.line, self.reason))


@dataclass(frozen=True)
class DatasetFiles:
    """The files of one directory, per dataset, in load order."""

    papers: list[Path] = field(default_factory=list)
    abstracts: list[Path] = field(default_factory=list)
    embeddings: list[Path] = field(default_factory=list)
    authors: list[Path] = field(default_factory=list)
    citations: list[Path] = field(default_factory=list)
    openalex_works: list[Path] = field(default_factory=list)

    def by_kind(self) -> list[tuple[str, Path]]:
        """(dataset, file) pairs in the order they are written."""
        return [(kind, p) for kind in DATASETS for p in getattr(self, kind)]


def _is_jsonl(path: Path) -> bool:
    return path.is_file() and (path.name.endswith(".jsonl") or path.name.endswith(".jsonl.gz"))


def find_files(directory: Path) -> DatasetFiles:
    """``papers*``, ``abstracts*``, ``authors*``, ``citations*``, ``openalex_works*`` files."""
    if not directory.is_dir():
        raise DatasetError(directory, 0, "not a directory")
    found: dict[str, list[Path]] = {kind: [] for kind in DATASETS}
    for kind in DATASETS:
        found[kind].extend(p for p in directory.glob(f"{kind}*") if _is_jsonl(p))
        for name in _SUBDIRS.get(kind, (kind,)):
            sub = directory / name
            if sub.is_dir():
                found[kind].extend(p for p in sub.iterdir() if _is_jsonl(p))
    if not any(found[k] for k in ("papers", "authors", "citations")):
        raise DatasetError(
            directory, 0, "no papers*, authors* or citations* .jsonl[.gz] files in this directory"
        )
    return DatasetFiles(**{kind: sorted(set(paths)) for kind, paths in found.items()})


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, JSON object) for every non-blank line; bad lines raise DatasetError."""
    line_no = 0
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line_no, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    record = orjson.loads(text)
                except orjson.JSONDecodeError as exc:  # a json.JSONDecodeError
                    raise DatasetError(path, line_no, f"invalid JSON ({exc.msg})") from exc
                if not isinstance(record, dict):
                    raise DatasetError(
                        path, line_no, f"expected a JSON object, got {type(record).__name__}"
                    )
                yield line_no, record
    except UnicodeDecodeError as exc:
        raise DatasetError(path, line_no + 1, f"not UTF-8 ({exc.reason})") from exc
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise DatasetError(path, line_no + 1, f"corrupt gzip data ({exc})") from exc


# --- per-record checks -------------------------------------------------------


def _int_field(record: Mapping[str, Any], key: str, *, required: bool) -> int | None:
    value = record.get(key)
    if value is None:
        if required:
            raise ValueError(f"missing '{key}'")
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{key}' must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"'{key}' must be an integer, got {value!r}")


def _check_type(record: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> None:
    value = record.get(key)
    if value is not None and not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ValueError(f"'{key}' must be {name}, got {type(value).__name__}")


def paper_id_of(record: Mapping[str, Any]) -> str:
    """The graph's ``paperId`` for a papers record (see the module docstring).

    >>> paper_id_of({"corpusid": 42})
    'CorpusId:42'
    >>> paper_id_of({"corpusid": 42, "url": "https://www.semanticscholar.org/paper/" + "a" * 40})
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    """
    for key in ("paperId", "sha"):
        value = record.get(key)
        if isinstance(value, str) and _SHA.match(value.strip().lower()):
            return value.strip().lower()
    url = record.get("url")
    if isinstance(url, str) and (m := _URL_SHA.search(url.strip())):
        return m.group(1)
    return corpus_paper_id(_int_field(record, "corpusid", required=True) or 0)


def corpus_paper_id(corpus_id: int) -> str:
    return f"CorpusId:{corpus_id}"


def check_paper(record: Mapping[str, Any]) -> int:
    """Validate a papers record; returns its corpus id."""
    corpus_id = _int_field(record, "corpusid", required=True)
    assert corpus_id is not None
    _check_type(record, "title", str)
    _check_type(record, "externalids", dict)
    _check_type(record, "journal", dict)
    _check_type(record, "s2fieldsofstudy", list)
    _check_type(record, "publicationtypes", list)
    _int_field(record, "year", required=False)
    for key in ("citationcount", "referencecount", "influentialcitationcount"):
        _int_field(record, key, required=False)
    authors = record.get("authors")
    if authors is not None:
        if not isinstance(authors, list):
            raise ValueError(f"'authors' must be a list, got {type(authors).__name__}")
        for author in authors:
            if not isinstance(author, dict):
                raise ValueError("'authors' items must be objects")
    return corpus_id


def check_abstract(record: Mapping[str, Any]) -> int:
    corpus_id = _int_field(record, "corpusid", required=True)
    assert corpus_id is not None
    _check_type(record, "abstract", str)
    return corpus_id


def check_embedding(record: Mapping[str, Any]) -> int:
    """Validate an embeddings record; returns its corpus id."""
    corpus_id = _int_field(record, "corpusid", required=True)
    assert corpus_id is not None
    if parse_vector(record.get("vector")) is None:
        raise ValueError(f"'vector' must be a list of {EMBEDDING_DIMENSIONS} numbers")
    _check_type(record, "model", str)
    return corpus_id


def check_author(record: Mapping[str, Any]) -> str:
    value = record.get("authorid")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise ValueError("missing 'authorid'")
    for key in ("hindex", "citationcount", "papercount"):
        _int_field(record, key, required=False)
    _check_type(record, "affiliations", list)
    return str(value).strip()


def check_work(record: Mapping[str, Any]) -> str | None:
    """Validate an OpenAlex work (snapshot line); returns its bare DOI, if any."""
    value = record.get("id")
    if not isinstance(value, str) or not value.strip():
        raise ValueError("missing 'id' (an OpenAlex work id)")
    _check_type(record, "doi", str)
    _check_type(record, "authorships", list)
    _check_type(record, "topics", list)
    _check_type(record, "primary_topic", dict)
    for authorship in record.get("authorships") or ():
        if not isinstance(authorship, dict):
            raise ValueError("'authorships' items must be objects")
        if not isinstance(authorship.get("institutions") or [], list):
            raise ValueError("'institutions' of an authorship must be a list")
    doi = record.get("doi")
    return bare_doi(doi) if isinstance(doi, str) else None


def check_citation(record: Mapping[str, Any]) -> tuple[int, int | None]:
    citing = _int_field(record, "citingcorpusid", required=True)
    assert citing is not None
    cited = _int_field(record, "citedcorpusid", required=False)
    _check_type(record, "isinfluential", bool)
    _check_type(record, "intents", list)
    return citing, cited


_CHECKS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "papers": check_paper,
    "abstracts": check_abstract,
    "embeddings": check_embedding,
    "authors": check_author,
    "citations": check_citation,
    "openalex_works": check_work,
}


# --- conversion to the Graph API shape ------------------------------------


def paper_to_api(record: Mapping[str, Any], paper_id: str) -> dict[str, Any]:
    """A papers record in the Graph API's paper shape (what rows_from_s2_paper reads)."""
    ext_raw = record.get("externalids") or {}
    ext: dict[str, Any] = {k: v for k, v in ext_raw.items() if v is not None}
    corpus_id = _int_field(record, "corpusid", required=True)
    ext["CorpusId"] = corpus_id
    authors = [
        {
            "authorId": None
            if (aid := a.get("authorId", a.get("authorid"))) is None
            else str(aid).strip(),
            "name": a.get("name"),
        }
        for a in record.get("authors") or []
    ]
    return {
        "paperId": paper_id,
        "corpusId": corpus_id,
        "externalIds": ext,
        "url": record.get("url"),
        "title": record.get("title"),
        "abstract": record.get("abstract"),
        "venue": record.get("venue"),
        "publicationVenue": None,
        "year": record.get("year"),
        "referenceCount": record.get("referencecount"),
        "citationCount": record.get("citationcount"),
        "influentialCitationCount": record.get("influentialcitationcount"),
        "isOpenAccess": record.get("isopenaccess"),
        "openAccessPdf": None,
        "fieldsOfStudy": None,
        "s2FieldsOfStudy": record.get("s2fieldsofstudy"),
        "publicationTypes": record.get("publicationtypes"),
        "publicationDate": record.get("publicationdate"),
        "journal": record.get("journal"),
        "authors": authors,
        "synthetic": record.get("synthetic") is True,
    }


def author_to_api(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "authorId": str(record.get("authorid")).strip(),
        "name": record.get("name"),
        "hIndex": record.get("hindex"),
        "citationCount": record.get("citationcount"),
        "paperCount": record.get("papercount"),
        "affiliations": record.get("affiliations") or [],
    }


def _contexts(record: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(sentence, intents) pairs: ``contexts[i]`` goes with ``intents[i]`` when
    ``intents`` is a list of lists (one per context, S2's Datasets layout)."""
    texts = record.get("contexts")
    if not texts or not isinstance(texts, list):  # most citations: no contexts
        return []
    per_context = record.get("intents") or []
    paired = isinstance(per_context, list) and all(isinstance(i, list) for i in per_context)
    out: list[tuple[str, list[str]]] = []
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text:
            continue
        intents = per_context[i] if paired and i < len(per_context) else []
        out.append((text, [x for x in intents if isinstance(x, str)]))
    return out


def _flat_intents(value: Any) -> list[str]:
    """S2 gives intents per context (a list of lists) or already flat."""
    out: list[str] = []
    for item in value or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, list):
            out.extend(i for i in item if isinstance(i, str))
    return out


# --- the two passes ------------------------------------------------------------


@dataclass
class FileCheck:
    path: Path
    kind: str
    records: int = 0


@dataclass
class Validation:
    """What pass 1 learnt: per-file record counts and the corpus id -> paperId table."""

    files: list[FileCheck]
    paper_ids: dict[int, str]
    # Bare DOI -> the paper an OpenAlex work joins to (papers with a DOI only).
    by_doi: dict[str, LoadedPaper] = field(default_factory=dict)

    @property
    def records(self) -> dict[str, int]:
        out = dict.fromkeys(DATASETS, 0)
        for f in self.files:
            out[f.kind] += f.records
        return out

    def paper_id(self, corpus_id: int) -> str:
        return self.paper_ids.get(corpus_id) or corpus_paper_id(corpus_id)


LineProgress = Callable[[Path, int], None]


def validate(files: DatasetFiles, *, progress: LineProgress | None = None) -> Validation:
    """Pass 1: check every line of every file; raises DatasetError at the first bad one."""
    checked: list[FileCheck] = []
    paper_ids: dict[int, str] = {}
    by_doi: dict[str, LoadedPaper] = {}
    for kind, path in files.by_kind():
        check = _CHECKS[kind]
        fc = FileCheck(path=path, kind=kind)
        for line_no, record in iter_records(path):
            try:
                result = check(record)
                if kind == "papers":
                    paper_ids[int(result)] = paper_id_of(record)
                    if files.openalex_works:
                        _remember_doi(record, by_doi)
            except ValueError as exc:
                raise DatasetError(path, line_no, str(exc)) from exc
            fc.records += 1
            if progress is not None and fc.records % 10_000 == 0:
                progress(path, 10_000)
        if progress is not None and fc.records % 10_000:
            progress(path, fc.records % 10_000)
        checked.append(fc)
    return Validation(files=checked, paper_ids=paper_ids, by_doi=by_doi)


def _remember_doi(record: Mapping[str, Any], by_doi: dict[str, LoadedPaper]) -> None:
    ext = record.get("externalids") or {}
    doi = bare_doi(ext.get("DOI")) if isinstance(ext.get("DOI"), str) else None
    if doi is None or doi in by_doi:
        return
    authors = tuple(
        (str(a["authorId"]), a.get("name") if isinstance(a.get("name"), str) else None)
        for a in record.get("authors") or ()
        if isinstance(a, dict) and a.get("authorId") is not None
    )
    year = _int_field(record, "year", required=False)
    by_doi[doi] = LoadedPaper(paper_id_of(record), doi, year, authors)


@dataclass
class Chunk:
    kind: str
    path: Path
    records: int
    skipped: int
    rows: GraphRows


def iter_chunks(
    validation: Validation, *, paper_chunk: int = 5000, citation_chunk: int = 20000
) -> Iterator[Chunk]:
    """Pass 2: rows for every record, ``paper_chunk``/``citation_chunk`` records at a time."""
    for fc in validation.files:
        size = citation_chunk if fc.kind == "citations" else paper_chunk
        yield from _file_chunks(fc, validation, size, register=False)


def iter_checked_chunks(
    files: DatasetFiles, *, paper_chunk: int = 5000, citation_chunk: int = 20000
) -> Iterator[Chunk]:
    """Both passes in one, for a caller whose output is discarded on error (the importer's CSV).

    Every record is checked as it is read (the first bad line raises
    DatasetError with ``file:line``), and the corpus id -> paperId table is
    filled while the papers files are read: they come first, so it is
    complete before an abstracts or citations record needs it. The chunks
    are those :func:`iter_chunks` yields after :func:`validate`.
    """
    validation = Validation(files=[], paper_ids={})
    for kind, path in files.by_kind():
        fc = FileCheck(path=path, kind=kind)
        validation.files.append(fc)
        size = citation_chunk if kind == "citations" else paper_chunk
        yield from _file_chunks(fc, validation, size, register=True)


def iter_file_chunks(kind: str, path: Path, validation: Validation, size: int) -> Iterator[Chunk]:
    """Pass 2 over one file: its chunks of ``size`` records, every record checked.

    For a caller that reads the files of one dataset by itself (the
    importer's CITES pass, in a process of its own); ``validation`` must
    already hold the papers' corpus id -> paperId table.
    """
    yield from _file_chunks(FileCheck(path=path, kind=kind), validation, size, register=False)


def _file_chunks(
    fc: FileCheck, validation: Validation, size: int, *, register: bool
) -> Iterator[Chunk]:
    rows = GraphRows()
    records = skipped = 0
    for line_no, record in iter_records(fc.path):
        try:
            if register and fc.kind == "papers":
                validation.paper_ids[check_paper(record)] = paper_id_of(record)
            skipped += _add_record(fc.kind, record, rows, validation)
        except ValueError as exc:  # a bad record (or the file changed since pass 1)
            raise DatasetError(fc.path, line_no, str(exc)) from exc
        records += 1
        if register:
            fc.records += 1
        if records >= size:
            yield Chunk(fc.kind, fc.path, records, skipped, rows)
            rows = GraphRows()
            records = skipped = 0
    if records:
        yield Chunk(fc.kind, fc.path, records, skipped, rows)


def _add_record(
    kind: str, record: Mapping[str, Any], rows: GraphRows, validation: Validation
) -> int:
    """Append one record's rows; returns 1 when the record is skipped."""
    if kind == "papers":
        check_paper(record)
        rows.extend(rows_from_s2_paper(paper_to_api(record, paper_id_of(record)), is_seed=False))
    elif kind == "abstracts":
        corpus_id = check_abstract(record)
        patch = {
            "paperId": validation.paper_id(corpus_id),
            "corpusId": corpus_id,
            "abstract": record.get("abstract"),
        }
        rows.extend(rows_from_s2_paper(patch, is_seed=False))
    elif kind == "embeddings":
        corpus_id = check_embedding(record)
        row = embedding_row(validation.paper_id(corpus_id), record)
        if row is None:  # checked in pass 1; only a changed file gets here
            raise ValueError("bad 'vector'")
        rows.embeddings.append(row)
    elif kind == "authors":
        check_author(record)
        rows.extend(rows_from_s2_authors([author_to_api(record)]))
    elif kind == "openalex_works":
        doi = check_work(record)
        paper = validation.by_doi.get(doi) if doi else None
        if paper is None:
            return 1  # a work for no paper of this directory
        rows.extend(rows_from_openalex_works([paper], {paper.doi: record}).rows)
    else:
        citing, cited = check_citation(record)
        if cited is None or cited == citing:
            return 1
        for corpus_id in (citing, cited):
            if corpus_id not in validation.paper_ids:
                # No papers record: a stub that at least knows its corpus id.
                stub = {"paperId": corpus_paper_id(corpus_id), "corpusId": corpus_id}
                rows.extend(rows_from_s2_paper(stub, is_seed=False))
        influential = record.get("isinfluential")
        rows.cites.append(
            cites_rows(
                validation.paper_id(citing),
                validation.paper_id(cited),
                is_influential=influential if isinstance(influential, bool) else None,
                intents=_flat_intents(record.get("intents")),
                source="synthetic" if record.get("synthetic") is True else "s2-datasets",
                contexts=_contexts(record),
            )
        )
    return 0
