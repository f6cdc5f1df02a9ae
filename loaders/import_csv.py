"""CSV for the offline importer (``neo4j-admin database import full``) from a Datasets directory.

The first load of a corpus into an empty database does not need
transactions: :func:`write_import_csv` reads the directory once (checking
every line as :mod:`loaders.s2_datasets` does: a bad one raises
``DatasetError`` with ``file:line: reason`` before anything reaches the
database), builds rows with the same row builders and the same chunks as
the online bulk path, and writes one CSV file per label and relationship
type with the importer's typed headers (``:ID,paperId:string``,
``:START_ID,:END_ID``, ``year:long``, ``intents:string[]``...). The graph
it describes is the one :func:`loaders.graph_writer.write_rows` leaves for
the same chunks, value for value:

* Each chunk's rows are folded by key first (``fold_rows``), exactly as the
  writer does per call; then every kind is merged into what earlier chunks
  wrote the way its Cypher statement would merge it: papers and authors
  "later non-null wins" (flags OR-ed), an org's or venue's ``name`` and a
  topic's ``name``/``source`` from the first row that created it, an org's
  ``handle`` and a venue's ``type`` first non-null, relationship values
  later non-null wins (``intents``: later non-empty).
* A relationship row whose endpoint no node row has created is dropped (the
  statements ``MATCH`` their endpoints). CITES endpoints always have one: a
  citation naming a corpus id no papers file lists brings its stub papers
  row ``{paperId: 'CorpusId:<n>', corpusId}``, as on the online path.
* ``loadedAt`` is the load's one timestamp (the online path stamps each
  write; both are left out of graph dumps); ``addedBy`` on every Paper and
  CITES is the load's number (:data:`IMPORT_LOAD_NO`), as ``write/papers``
  and ``write/cites`` stamp what a load creates.
* Two processes: the citations files, most of a corpus, are written by a
  second one (:func:`write_cites_csv`, below) while this one reads the
  others.
* Values: integers are ``long``, scores ``double``, flags ``boolean``,
  dates and timestamps the same ISO strings; a null is an empty field (no
  property), a string is always quoted (so ``""`` stays an empty string);
  an edge with no intents has no ``intents`` property, as online.

Node ids: the importer takes them as the store's own record ids
(``--id-type=actual``, :data:`ID_TYPE_ARG`), so it builds no id map (at
100k papers / 1M CITES the string ids cost it 1.7 s of its 8 s, and 84 of
the CITES file's 116 MB). They are small integers, dense and unique over
all labels, and never a property (``:ID`` has no name; every node's key
is an ordinary ``string`` column, as online). Both processes must give a
paper the same id without talking to each other, so:

* ``[0, bound)``: the papers files' papers, numbered in the order their
  ``paperId`` first appears there. Both processes read the same papers
  files in the same order; the CITES pass returns a digest of its
  numbering and the import stops if the two differ. ``bound`` is the papers
  files' line count (:func:`line_count`), known before either starts: ids
  between the last paper and ``bound`` (duplicate or blank lines) are
  left unused, which the importer allows.
* ``bound`` upwards: every other node (authors, orgs, topics, venues,
  papers only an abstracts or citations file names) in the order this
  process creates it. A citation naming such a paper is written by the
  CITES pass with a stand-in id to ``rel_CITES_stubs.csv``, which is
  rewritten here once the stubs have their ids.

Memory: the node tables (papers, authors, orgs, topics, venues) are held
until the end, because a later row may still change a node (an abstracts
file, an authors file after the papers that named the authors);
relationship rows are written as their chunk is read, with one integer per
relationship kept to recognise a pair seen again. A pair seen again in a
later chunk (rare: the same citation twice in a citations file) is
remembered with its later values, and that file is rewritten once at the
end with the merged values.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TextIO

from loaders import s2_datasets
from loaders.graph_writer import WRITE_ORDER, WriteCounts, fold_rows, now_iso
from loaders.rows import GraphRows, Row

# (label or type, file stem, [(property, importer type)]); the first node
# column is the key, written as the :ID of the label's id space.
NODE_TABLES: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "papers": (
        "Paper",
        "paperId",
        (
            ("corpusId", "long"),
            ("arxivId", "string"),
            ("doi", "string"),
            ("title", "string"),
            ("titleKey", "string"),
            ("abstract", "string"),
            ("year", "long"),
            ("publicationDate", "string"),
            ("venue", "string"),
            ("citationCount", "long"),
            ("referenceCount", "long"),
            ("influentialCitationCount", "long"),
            ("tldr", "string"),
            ("url", "string"),
            ("openAccessPdf", "string"),
            ("hfUpvotes", "long"),
            ("isSeed", "boolean"),
            ("synthetic", "boolean"),
            ("enrichedAt", "string"),
            ("authorsCount", "long"),
            ("rejectedMatches", "string[]"),
            ("loadedAt", "string"),
            ("addedBy", "long"),
            # write/embeddings: db.create.setNodeVectorProperty stores float32.
            ("embedding", "float[]"),
            ("embeddingModel", "string"),
        ),
    ),
    "authors": (
        "Author",
        "authorId",
        (
            ("name", "string"),
            ("hIndex", "long"),
            ("citationCount", "long"),
            ("paperCount", "long"),
        ),
    ),
    "orgs": ("Org", "key", (("name", "string"), ("handle", "string"))),
    "topics": ("Topic", "key", (("name", "string"), ("source", "string"))),
    "venues": ("Venue", "key", (("name", "string"), ("type", "string"))),
}

# type -> (start label, end label, [(property, importer type)])
REL_TABLES: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "CITES": (
        "Paper",
        "Paper",
        (
            ("isInfluential", "boolean"),
            ("intents", "string[]"),
            ("contexts", "string[]"),
            ("contextIntents", "string[]"),
            ("source", "string"),
            ("addedBy", "long"),
        ),
    ),
    "AUTHORED": ("Author", "Paper", (("position", "long"),)),
    "AFFILIATED_WITH": ("Author", "Org", ()),
    "SUBMITTED": ("Org", "Paper", ()),
    "HAS_TOPIC": ("Paper", "Topic", (("source", "string"), ("score", "double"))),
    "PUBLISHED_IN": ("Paper", "Venue", ()),
}

# Which row kind creates which label / relationship type (for the counts).
_KIND_NODES = {
    "papers": "Paper",
    "authors": "Author",
    "orgs": "Org",
    "topics": "Topic",
    "venues": "Venue",
}
_KIND_RELATIONSHIPS = {
    "cites": "CITES",
    "authored": "AUTHORED",
    "affiliated": "AFFILIATED_WITH",
    "submitted": "SUBMITTED",
    "topics": "HAS_TOPIC",
    "venues": "PUBLISHED_IN",
}

# Kinds fed to their tables without fold_rows, by their pair fields: folding
# a chunk's rows and then creating or merging the edge gives the same values
# as creating it from the first row and merging the later ones in order
# (every value is "later non-null wins"), and skipping the fold of 1M CITES
# rows is a quarter of this module's CPU.
_UNFOLDED = {"cites": ("citing", "cited"), "authored": ("authorId", "paperId")}

# Between the elements of a string[] value (intents): the ASCII unit
# separator, which no intent contains; passed to the importer as U+001F.
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_ARG = "U+001F"

# Node ids are the store's record ids (see the module docstring).
ID_TYPE_ARG = "--id-type=actual"


def read_buffer_size(longest_row: int) -> str:
    """The importer's ``--read-buffer-size`` for a CSV whose longest row is ``longest_row`` chars.

    1 MiB unless a row needs more. The importer reads its input in buffers
    (4 MiB by default) that must each hold a whole row. Before its first
    stage it estimates the input from a sample of every file, a whole buffer
    at a time until 1 MiB of the file is read, parsing and sizing every
    property on the main thread in the interpreter: with 1 MiB buffers it
    samples a quarter as much of each large file. The 100k corpus's CSV
    imported alone, alternating (28 Nov 2026, load 1.3-4.6): the estimate
    0.65-0.72 s -> 0.50-0.55 s, the whole process 6.14 / 5.83 / 5.83 s ->
    5.47 / 5.70 / 5.57 s (the stages no slower: a large file is cut into
    more chunks, which two cores share more evenly). A row of n characters
    is at most 4n bytes of UTF-8, so the buffer is sized for that whichever
    unit the importer counts in.

    >>> read_buffer_size(80_000)
    '1m'
    >>> read_buffer_size(300_000)
    '2m'
    """
    mebibytes = -(-(4 * longest_row + 4096) // (1 << 20))
    return f"{max(1, mebibytes)}m"


# The load number an import stamps as ``addedBy``: it only writes into an
# empty database, whose first load (write/load_begin) is number 1.
IMPORT_LOAD_NO = 1


def _string(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return '"' + (text.replace('"', '""') if '"' in text else text) + '"'


def _boolean(value: Any) -> str:
    return "" if value is None else ("true" if value else "false")


def _long(value: Any) -> str:
    return "" if value is None else str(int(value))


def _double(value: Any) -> str:
    return "" if value is None else repr(float(value))


def _float_array(value: Any) -> str:
    return "" if value is None else ARRAY_DELIMITER.join(repr(float(v)) for v in value)


def _string_array(value: Any) -> str:
    # The whole array is one quoted field; its elements never hold the delimiter.
    return "" if value is None else _string(ARRAY_DELIMITER.join(str(v) for v in value))


# importer type -> field encoder: empty for null, strings always quoted (so
# that "" stays an empty string), one function per column, looked up once.
_ENCODERS: dict[str, Callable[[Any], str]] = {
    "string": _string,
    "boolean": _boolean,
    "long": _long,
    "double": _double,
    "string[]": _string_array,
    "float[]": _float_array,
}


def _encode(value: Any, kind: str) -> str:
    """One CSV field of the importer type ``kind``."""
    return _ENCODERS[kind](value)


def _decode(text: str, kind: str) -> Any:
    """The inverse of :func:`_encode` for a field csv.reader has unquoted."""
    if text == "":
        return None
    if kind == "boolean":
        return text == "true"
    if kind == "string[]":
        return text.split(ARRAY_DELIMITER)
    if kind == "float[]":
        return [float(v) for v in text.split(ARRAY_DELIMITER)]
    if kind == "double":
        return float(text)
    if kind == "long":
        return int(text)
    return text


def _header(columns: Sequence[tuple[str, str]]) -> str:
    return ",".join(f"{name}:{kind}" for name, kind in columns)


@dataclass
class CsvFile:
    """One importer input: ``--nodes=<Label>=path`` or ``--relationships=<TYPE>=path``."""

    flag: str  # "nodes" or "relationships"
    name: str  # label or type
    path: Path
    rows: int = 0
    multiline: bool = False
    # Characters of its longest row, header included: the importer's read
    # buffer must hold a whole row (read_buffer_size).
    longest: int = 0

    @property
    def argument(self) -> str:
        return f"--{self.flag}={self.name}={self.path}"


@dataclass
class ImportCsv:
    """What :func:`write_import_csv` wrote, and the counts the load is recorded with."""

    directory: Path
    files: list[CsvFile] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    rows_by_kind: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    loaded_at: str = ""
    load_no: int = IMPORT_LOAD_NO
    elapsed_s: float = 0.0

    @property
    def multiline(self) -> bool:
        return any(f.multiline for f in self.files)

    def arguments(self) -> list[str]:
        return [f.argument for f in self.files]

    def options(self) -> list[str]:
        """The importer options this CSV is written for."""
        longest = max((f.longest for f in self.files), default=0)
        options = [
            ID_TYPE_ARG,
            f"--array-delimiter={ARRAY_DELIMITER_ARG}",
            f"--read-buffer-size={read_buffer_size(longest)}",
        ]
        if self.multiline:
            options.append("--multiline-fields=true")
        return options

    def write_counts(self, properties: int, elapsed_s: float) -> WriteCounts:
        """The load in the writer's terms, for ``Meta{key:'load'}`` and the summary.

        Rows per kind are the folded rows per chunk, as the online writer
        counts them; what each kind created is the nodes and relationships
        of its label and type. ``properties`` is the importer's own count.
        """
        counts = WriteCounts(
            nodes_created=sum(self.nodes.values()),
            relationships_created=sum(self.relationships.values()),
            properties_set=properties,
            elapsed_s=elapsed_s,
        )
        for kind, rows in self.rows_by_kind.items():
            if rows:
                counts.kind(kind).rows = rows
        for kind, label in _KIND_NODES.items():
            if kind in counts.by_kind:
                counts.by_kind[kind].nodes_created = self.nodes.get(label, 0)
        for kind, rel_type in _KIND_RELATIONSHIPS.items():
            if kind in counts.by_kind:
                counts.by_kind[kind].relationships_created = self.relationships.get(rel_type, 0)
        return counts


class _NodeIds:
    """The node ids of one import (see the module docstring): dense, unique over all labels."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.next_paper = 0
        self.next_other = bound

    def papers_file_paper(self) -> int:
        if self.next_paper >= self.bound:
            raise RuntimeError(
                f"more papers than the {self.bound} lines of the papers files: a file changed"
                " while it was read"
            )
        self.next_paper += 1
        return self.next_paper - 1

    def other(self) -> int:
        self.next_other += 1
        return self.next_other - 1


def paper_digest(paper_ids: Iterable[str]) -> str:
    """A digest of the papers files' paperIds in id order: both processes must agree on it."""
    h = hashlib.blake2b(digest_size=16)
    for paper_id in paper_ids:
        h.update(paper_id.encode("utf-8") + b"\n")
    return h.hexdigest()


def line_count(path: Path) -> int:
    """Lines of a (possibly gzipped) file as text mode splits them: at least its records.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = f.write_bytes(b"{}\\r\\n{}\\r{}\\n\\n{}")
    >>> line_count(f)
    5
    """
    opener: Callable[..., Any] = gzip.open if path.name.endswith(".gz") else open
    lines, cr_before, last = 0, False, b""
    with opener(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            # "\r", "\n" and "\r\n" each end a line, also across two chunks.
            lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if cr_before and chunk.startswith(b"\n"):
                lines -= 1
            cr_before = chunk.endswith(b"\r")
            last = chunk[-1:]
    return lines + (1 if last not in (b"", b"\n", b"\r") else 0)


class _NodeTable:
    """A label's nodes by key, merged the way its Cypher statement merges them."""

    def __init__(self, kind: str, merge: Callable[[Row, Row], None]) -> None:
        self.kind = kind
        self.label, self.key, self.columns = NODE_TABLES[kind]
        self.rows: dict[Any, Row] = {}
        self.index: dict[Any, int] = {}  # key -> node id
        self.merge = merge

    def upsert(self, key: Any, row: Row, new_id: Callable[[], int]) -> None:
        have = self.rows.get(key)
        if have is None:
            self.index[key] = new_id()
            self.rows[key] = row
        else:
            self.merge(have, row)

    def write(
        self, path: Path, loaded_at: str, load_no: int, keep: Callable[[int], bool] | None = None
    ) -> CsvFile:
        """The nodes (those whose id ``keep`` accepts) as the label's CSV file."""
        out = CsvFile("nodes", self.label, path)
        # The id is no property (``:ID`` without a name); the key is a string column.
        columns = (("", "ID"), (self.key, "string"), *self.columns)
        encoders = [(name, _ENCODERS[kind]) for name, kind in self.columns]
        index = self.index
        header = _header(columns)
        longest = len(header)
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(header + "\n")
            for key, row in self.rows.items():
                if keep is not None and not keep(index[key]):
                    continue
                if self.kind == "papers":
                    # Every paper of an import is created by it (write/papers: ON CREATE).
                    row.setdefault("loadedAt", loaded_at)
                    row["addedBy"] = load_no
                fields = [str(index[key]), _string(key)]
                fields.extend(encode(row.get(name)) for name, encode in encoders)
                line = ",".join(fields)
                if "\n" in line or "\r" in line:
                    out.multiline = True
                longest = max(longest, len(line))
                fh.write(line + "\n")
                out.rows += 1
        out.longest = longest
        return out


def _later_non_null(flags: tuple[str, ...] = ()) -> Callable[[Row, Row], None]:
    """write/papers, write/authors: a later non-null value wins; flags are OR-ed."""

    def merge(have: Row, row: Row) -> None:
        for name, value in row.items():
            if name in flags:
                have[name] = bool(have.get(name)) or bool(value)
            elif value is not None:
                have[name] = value

    return merge


def _first_non_null(*names: str) -> Callable[[Row, Row], None]:
    """write/orgs, write/venues: the creating row's name stays; these fill only a gap."""

    def merge(have: Row, row: Row) -> None:
        for name in names:
            if have.get(name) is None and row.get(name) is not None:
                have[name] = row[name]

    return merge


class _RelTable:
    """A relationship type's CSV, streamed; pairs seen again are merged at the end."""

    def __init__(
        self,
        rel_type: str,
        path: Path,
        merge: Callable[[Row, Row], None],
        on_create: Callable[[Row], Row] | None = None,
    ) -> None:
        self.type = rel_type
        self.on_create = on_create
        self.start_label, self.end_label, self.columns = REL_TABLES[rel_type]
        self.path = path
        self.merge = merge
        self.encoders = [(name, _ENCODERS[kind]) for name, kind in self.columns]
        self.seen: set[int] = set()
        self.late: dict[int, Row] = {}
        self.file = CsvFile("relationships", rel_type, path)
        self.fh: TextIO = path.open("w", encoding="utf-8", newline="")
        header = _header((("", "START_ID"), ("", "END_ID"), *self.columns))
        self.file.longest = len(header)
        self.fh.write(header + "\n")

    def add(self, pair: int, ends: str, row: Row) -> None:
        """One relationship: ``ends`` is ``"<start id>,<end id>"``, ``pair`` the two as one int."""
        if pair in self.seen:
            have = self.late.get(pair)
            if have is None:
                self.late[pair] = dict(row)
            else:
                self.merge(have, row)
            return
        self.seen.add(pair)
        if self.on_create is not None:
            row = self.on_create(row)
        self._write(",".join([ends, *[encode(row.get(name)) for name, encode in self.encoders]]))

    def add_encoded(
        self,
        pair: int,
        ends: str,
        row: Row,
        values: Callable[[Row], Row],
        tail: Callable[[Row], str],
    ) -> None:
        """:meth:`add` of ``values(row)``, whose columns ``tail(row)`` encodes in one step.

        For CITES, most of a corpus: no values dict for a new pair (the
        pass's largest cost after JSON decoding).
        """
        if pair in self.seen:
            self.add(pair, ends, values(row))
            return
        self.seen.add(pair)
        self._write(f"{ends},{tail(row)}")

    def _write(self, line: str) -> None:
        if "\n" in line or "\r" in line:
            self.file.multiline = True
        self.file.longest = max(self.file.longest, len(line))
        self.fh.write(line + "\n")
        self.file.rows += 1

    def finish(self) -> CsvFile:
        """Close the file; rewrite it once if some pairs came again with values to merge."""
        self.fh.close()
        if self.late and self.columns:

            def merged(start: int, end: int, row: Row) -> tuple[int, int]:
                later = self.late.get(_pair(start, end))
                if later is not None:
                    self.merge(row, later)
                return start, end

            _rewrite_rows(self.file, self.columns, merged)
        return self.file


def _non_empty(files: list[CsvFile]) -> list[CsvFile]:
    """The files with rows; the others deleted (the importer is given no empty input)."""
    for f in files:
        if not f.rows:
            f.path.unlink(missing_ok=True)
    return [f for f in files if f.rows]


def _rewrite_rows(
    file: CsvFile,
    columns: Sequence[tuple[str, str]],
    change: Callable[[int, int, Row], tuple[int, int]],
) -> None:
    """Rewrite a relationship file row by row: ``change`` may edit the values and the ids."""
    tmp = file.path.with_suffix(".rewritten")
    with (
        file.path.open(encoding="utf-8", newline="") as src,
        tmp.open("w", encoding="utf-8", newline="") as dst,
    ):
        header = src.readline()
        dst.write(header)
        longest = len(header.rstrip("\r\n"))
        for fields in csv.reader(src):
            row = {
                name: _decode(text, kind)
                for (name, kind), text in zip(columns, fields[2:], strict=True)
            }
            start, end = change(int(fields[0]), int(fields[1]), row)
            out = [str(start), str(end)]
            out.extend(_encode(row.get(name), kind) for name, kind in columns)
            line = ",".join(out)
            longest = max(longest, len(line))  # merged values may have grown a row
            dst.write(line + "\n")
    tmp.replace(file.path)
    file.longest = longest


def _cites_create(load_no: int) -> Callable[[Row], Row]:
    """write/cites ON CREATE: an unknown influence is false; ``addedBy`` the load's number."""

    def create(row: Row) -> Row:
        # The row is the caller's own fresh dict (see _Graph._add_cites).
        row["isInfluential"] = bool(row.get("isInfluential"))
        row["addedBy"] = load_no
        return row

    return create


def _cites_tail(load_no: int) -> Callable[[Row], str]:
    """A new pair's CITES columns from its cites row: _cites_values, ON CREATE, encoded.

    The same text as encoding ``_cites_create(load_no)(_cites_values(row))``
    column by column (a unit test compares the two), without the dicts.
    """
    added_by = _long(load_no)

    def tail(row: Row) -> str:
        contexts = row.get("contexts") or None
        return ",".join(
            (
                "true" if row.get("isInfluential") else "false",
                _string_array(row.get("intents") or None),
                _string_array(contexts),
                _string_array(row.get("contextIntents") if contexts else None),
                _string(row.get("source")),
                added_by,
            )
        )

    return tail


def _cites_merge(have: Row, row: Row) -> None:
    """write/cites ON MATCH: later non-null values; intents only when the later has some."""
    if row.get("isInfluential") is not None:
        have["isInfluential"] = row["isInfluential"]
    if row.get("intents"):
        have["intents"] = row["intents"]
    if row.get("contexts"):
        have["contexts"] = row["contexts"]
        have["contextIntents"] = row.get("contextIntents")
    if row.get("source") is not None:
        have["source"] = row["source"]


class _Graph:
    """The node tables and relationship files of one import, fed chunk by chunk."""

    def __init__(self, out: Path, load_no: int, papers_bound: int) -> None:
        self.out = out
        self.load_no = load_no
        self.ids = _NodeIds(papers_bound)
        # Which id a new paper takes: add_chunk sets it per chunk (papers files first).
        self.new_paper_id = self.ids.other
        self.papers = _NodeTable("papers", _later_non_null(("isSeed", "synthetic")))
        self.authors = _NodeTable("authors", _later_non_null())
        self.orgs = _NodeTable("orgs", _first_non_null("handle"))
        self.topics = _NodeTable("topics", _first_non_null())
        self.venues = _NodeTable("venues", _first_non_null("type"))

        def rel(
            rel_type: str,
            merge: Callable[[Row, Row], None],
            on_create: Callable[[Row], Row] | None = None,
        ) -> _RelTable:
            return _RelTable(rel_type, out / f"rel_{rel_type}.csv", merge, on_create)

        # CITES: written by the CITES pass (write_cites_csv), not from chunks.
        self.rels = {
            "AUTHORED": rel("AUTHORED", _later_non_null()),
            "AFFILIATED_WITH": rel("AFFILIATED_WITH", _later_non_null()),
            "SUBMITTED": rel("SUBMITTED", _later_non_null()),
            "HAS_TOPIC": rel("HAS_TOPIC", _later_non_null()),
            "PUBLISHED_IN": rel("PUBLISHED_IN", _later_non_null()),
        }
        self.rows_by_kind: dict[str, int] = dict.fromkeys(WRITE_ORDER, 0)

    def paper_index(self, paper_id: str) -> int | None:
        return self.papers.index.get(paper_id)

    def add_chunk(self, rows: GraphRows, dataset: str) -> None:
        """One chunk of ``dataset``: a papers file's new papers take the ids below the bound."""
        self.new_paper_id = self.ids.papers_file_paper if dataset == "papers" else self.ids.other
        for kind in WRITE_ORDER:
            if kind in _UNFOLDED:
                # No fold: a pair twice in the chunk is merged like a pair seen
                # again later (same result, see _UNFOLDED); only the count of
                # distinct pairs, the writer's "rows", needs the pairs.
                kind_rows = getattr(rows, kind)
                a, b = _UNFOLDED[kind]
                self.rows_by_kind[kind] += len({(r[a], r[b]) for r in kind_rows})
            else:
                kind_rows = fold_rows(kind, getattr(rows, kind))
                self.rows_by_kind[kind] += len(kind_rows)
            getattr(self, f"_add_{kind}")(kind_rows)

    def _add_papers(self, rows: list[Row]) -> None:
        for row in rows:
            new = {k: v for k, v in row.items() if k != "paperId"}
            new["isSeed"] = bool(new.get("isSeed"))
            new["synthetic"] = bool(new.get("synthetic"))
            self.papers.upsert(row["paperId"], new, self.new_paper_id)

    def add_stub_papers(self, rows: list[Row]) -> None:
        """One citations chunk's folded stub papers (from the CITES pass), counted as rows."""
        self.rows_by_kind["papers"] += len(rows)
        self.new_paper_id = self.ids.other
        self._add_papers(rows)

    def papers_file_digest(self) -> str:
        """:func:`paper_digest` of the papers files' papers, as this process numbered them."""
        bound = self.ids.bound
        return paper_digest(key for key, i in self.papers.index.items() if i < bound)

    def _add_embeddings(self, rows: list[Row]) -> None:
        # write/embeddings MATCHes the paper: only papers already in a table.
        for row in rows:
            have = self.papers.rows.get(row["paperId"])
            if have is not None:
                have["embedding"] = row["vector"]
                if row.get("model") is not None:
                    have["embeddingModel"] = row["model"]

    def _add_venues(self, rows: list[Row]) -> None:
        for row in rows:
            start = self.paper_index(row["paperId"])
            if start is None:
                continue
            self.venues.upsert(
                row["key"], {"name": row.get("name"), "type": row.get("type")}, self.ids.other
            )
            end = self.venues.index[row["key"]]
            self.rels["PUBLISHED_IN"].add(_pair(start, end), f"{start},{end}", {})

    def _add_topics(self, rows: list[Row]) -> None:
        for row in rows:
            start = self.paper_index(row["paperId"])
            if start is None:
                continue
            self.topics.upsert(
                row["key"], {"name": row.get("name"), "source": row.get("source")}, self.ids.other
            )
            end = self.topics.index[row["key"]]
            self.rels["HAS_TOPIC"].add(
                _pair(start, end),
                f"{start},{end}",
                {"source": row.get("source"), "score": row.get("score")},
            )

    def _add_orgs(self, rows: list[Row]) -> None:
        for row in rows:
            self.orgs.upsert(
                row["key"], {"name": row.get("name"), "handle": row.get("handle")}, self.ids.other
            )

    def _add_authors(self, rows: list[Row]) -> None:
        for row in rows:
            self.authors.upsert(
                row["authorId"], {k: v for k, v in row.items() if k != "authorId"}, self.ids.other
            )

    def _add_authored(self, rows: list[Row]) -> None:
        for row in rows:
            start = self.authors.index.get(row["authorId"])
            end = self.paper_index(row["paperId"])
            if start is None or end is None:
                continue
            self.rels["AUTHORED"].add(
                _pair(start, end), f"{start},{end}", {"position": row.get("position")}
            )

    def _add_affiliated(self, rows: list[Row]) -> None:
        for row in rows:
            start = self.authors.index.get(row["authorId"])
            end = self.orgs.index.get(row["orgKey"])
            if start is None or end is None:
                continue
            self.rels["AFFILIATED_WITH"].add(_pair(start, end), f"{start},{end}", {})

    def _add_submitted(self, rows: list[Row]) -> None:
        for row in rows:
            start = self.orgs.index.get(row["orgKey"])
            end = self.paper_index(row["paperId"])
            if start is None or end is None:
                continue
            self.rels["SUBMITTED"].add(_pair(start, end), f"{start},{end}", {})

    # OpenAlex kinds: S2 Datasets rows never carry them, and write_import_csv
    # refuses a directory with OpenAlex works (the online bulk path reads those).
    def _add_topic_tree(self, rows: list[Row]) -> None:
        assert not rows, "the importer takes no OpenAlex rows"

    _add_org_parents = _add_topic_tree
    _add_affiliations = _add_topic_tree

    def _add_cites(self, rows: list[Row]) -> None:
        assert not rows, "CITES rows go through write_cites_csv"

    def finish(self, loaded_at: str) -> list[CsvFile]:
        """Every file but the papers no papers file lists (:meth:`finish_papers`).

        Called once the chunks are in, while the CITES pass may still run:
        its stub papers only ever add to those other papers, so what is
        written here is final.
        """
        bound = self.ids.bound
        written = [
            self.papers.write(
                self.out / "nodes_Paper.csv", loaded_at, self.load_no, lambda i: i < bound
            )
        ]
        for table in (self.authors, self.orgs, self.topics, self.venues):
            path = self.out / f"nodes_{table.label}.csv"
            written.append(table.write(path, loaded_at, self.load_no))
        written.extend(table_.finish() for table_ in self.rels.values())
        return _non_empty(written)

    def finish_papers(self, loaded_at: str) -> list[CsvFile]:
        """The papers no papers file lists (stubs, abstracts only), once the stubs are in."""
        bound = self.ids.bound
        path = self.out / "nodes_Paper_more.csv"
        return _non_empty([self.papers.write(path, loaded_at, self.load_no, lambda i: i >= bound)])

    def resolve_stubs(self, file: CsvFile, stub_ids: Sequence[str]) -> None:
        """Rewrite the CITES pass's stand-in ids in ``file`` as the papers' ids.

        The CITES pass wrote ``bound + j`` for ``stub_ids[j]``, the j-th paper
        it met that no papers file lists; its stub rows (or an abstracts
        file) have made that paper a node here by now.
        """
        bound = self.ids.bound
        final = [self.papers.index[paper_id] for paper_id in stub_ids]

        def node(n: int) -> int:
            return n if n < bound else final[n - bound]

        if file.multiline:  # a value spans lines: only a CSV reader finds the rows
            _rewrite_rows(file, REL_TABLES["CITES"][2], lambda s, e, _row: (node(s), node(e)))
            return
        tmp = file.path.with_suffix(".rewritten")
        with (
            file.path.open(encoding="utf-8", newline="") as src,
            tmp.open("w", encoding="utf-8", newline="") as dst,
        ):
            dst.write(src.readline())
            for line in src:
                start, end, rest = line.split(",", 2)
                dst.write(f"{node(int(start))},{node(int(end))},{rest}")
        tmp.replace(file.path)
        # A row's two ids may each have grown by at most the final ids' digits.
        file.longest += 2 * len(str(max(final, default=0)))


def _cites_values(row: Row) -> Row:
    """A CITES row's relationship values, as write/cites stores them (empty lists: none)."""
    contexts = row.get("contexts") or None
    return {
        "isInfluential": row.get("isInfluential"),
        "intents": row.get("intents") or None,
        "contexts": contexts,
        "contextIntents": row.get("contextIntents") if contexts else None,
        "source": row.get("source"),
    }


def _pair(start: int, end: int) -> int:
    """One integer for a (start, end) pair of node indexes."""
    return (start << 32) ^ (end & 0xFFFFFFFF)


Progress = Callable[[str, int, int | None], None]


# --- the CITES pass, in a process of its own ----------------------------------
#
# Citations are most of a corpus (10 per paper) and need nothing the other
# files build but the papers' corpus id -> paperId table, so their CSV is
# written by a second process while this one reads the papers, abstracts,
# embeddings and authors files: the two halves of the CPU work run on two
# cores. The second process builds its own table from the papers files
# (JSON decoding only, about a tenth of the papers' row building) and hands
# back its file, its counts and the stub papers its chunks made, which
# join the papers table here exactly as the one-process pass adds them
# (after every other file, chunk by chunk, folded per chunk).


@dataclass
class CitesPass:
    """What the CITES pass wrote and counted."""

    file: CsvFile
    # Citations of a paper no papers file lists, with stand-in ids for it
    # (_Graph.resolve_stubs); None when there were none.
    stubs_file: CsvFile | None = None
    stub_ids: list[str] = field(default_factory=list)  # stand-in bound + j -> stub_ids[j]
    paper_digest: str = ""  # paper_digest of the papers files' papers in id order
    records: dict[str, int] = field(default_factory=dict)  # per citations file (path)
    skipped: int = 0
    rows: int = 0  # distinct pairs per chunk, summed: the writer's "rows"
    stub_chunks: list[list[Row]] = field(default_factory=list)  # folded papers rows per chunk


def write_cites_csv(
    paper_files: Sequence[Path],
    citation_files: Sequence[Path],
    path: Path,
    *,
    papers_bound: int,
    citation_chunk: int,
    load_no: int,
    on_records: Callable[[int], None] | None = None,
) -> CitesPass:
    """The CITES CSV of ``citation_files`` (checked line by line), with its own paper table.

    A papers file's paper gets the id the other process gives it (its
    ``paperId``'s first appearance in the papers files, below
    ``papers_bound``); a citation of any other paper goes to a second file,
    ``<path stem>_stubs.csv``, with ``papers_bound + j`` for the j-th such
    paper (``stub_ids``), for the caller to resolve. Raises ``DatasetError``
    at the first bad line, of a papers file too.
    """
    paper_ids: dict[int, str] = {}
    ids: dict[str, int] = {}  # the papers files' paperIds, numbered as _Graph numbers them
    for paper_path in paper_files:
        for line_no, record in s2_datasets.iter_records(paper_path):
            try:
                paper_id = s2_datasets.paper_id_of(record)
                paper_ids[s2_datasets.check_paper(record)] = paper_id
            except ValueError as exc:
                raise s2_datasets.DatasetError(paper_path, line_no, str(exc)) from exc
            if paper_id not in ids:
                ids[paper_id] = len(ids)
    if len(ids) > papers_bound:
        raise RuntimeError(f"more papers than the {papers_bound} lines of the papers files")
    validation = s2_datasets.Validation(files=[], paper_ids=paper_ids)
    table = _RelTable("CITES", path, _cites_merge, _cites_create(load_no))
    stubs = _RelTable(
        "CITES", path.with_name(f"{path.stem}_stubs.csv"), _cites_merge, _cites_create(load_no)
    )
    done = CitesPass(file=table.file, paper_digest=paper_digest(ids))
    stub_index: dict[str, int] = {}

    def stub_of(paper_id: str) -> int:
        idx = stub_index.get(paper_id)
        if idx is None:
            idx = stub_index[paper_id] = papers_bound + len(stub_index)
            done.stub_ids.append(paper_id)
        return idx

    id_of = ids.get
    tail = _cites_tail(load_no)
    for cites_path in citation_files:
        for chunk in s2_datasets.iter_file_chunks(
            "citations", cites_path, validation, citation_chunk
        ):
            if chunk.rows.papers:
                done.stub_chunks.append(fold_rows("papers", chunk.rows.papers))
            pairs: set[int] = set()  # distinct in this chunk: the writer's rows
            for row in chunk.rows.cites:
                citing, cited = id_of(row["citing"]), id_of(row["cited"])
                if citing is None or cited is None:
                    citing = stub_of(row["citing"]) if citing is None else citing
                    cited = stub_of(row["cited"]) if cited is None else cited
                    into = stubs
                else:
                    into = table
                pair = _pair(citing, cited)
                pairs.add(pair)
                into.add_encoded(pair, f"{citing},{cited}", row, _cites_values, tail)
            done.rows += len(pairs)
            done.skipped += chunk.skipped
            key = str(cites_path)
            done.records[key] = done.records.get(key, 0) + chunk.records
            if on_records is not None:
                on_records(chunk.records)
    table.finish()
    done.stubs_file = next(iter(_non_empty([stubs.finish()])), None)
    return done


def _cites_process(
    conn: Connection, counter: Any, args: tuple[Any, ...], kw: dict[str, Any]
) -> None:
    """The second process: run write_cites_csv, send ("ok", result) or the failure."""

    def on_records(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    try:
        conn.send(("ok", write_cites_csv(*args, on_records=on_records, **kw)))
    except s2_datasets.DatasetError as exc:
        conn.send(("bad", exc))
    except BaseException as exc:  # reported by the parent, which then stops
        conn.send(("error", "".join(traceback.format_exception(exc))[-3000:]))
    finally:
        conn.close()


class _CitesProcess:
    """write_cites_csv in a second process; :meth:`result` waits for it and re-raises."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        # fork where there is one: spawn would re-run the caller's __main__
        # module in the child (a script without a __name__ guard loads twice)
        # and import every package again; the forked child starts at once and
        # touches nothing of the parent's but its arguments and the pipe.
        methods = multiprocessing.get_all_start_methods()
        ctx = (
            multiprocessing.get_context("fork")
            if "fork" in methods
            else multiprocessing.get_context("spawn")
        )
        self.counter = ctx.Value("q", 0)
        self.recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(
            target=_cites_process,
            args=(send, self.counter, args, kw),
            name="citekb-cites-csv",
            daemon=True,
        )
        self.proc.start()
        send.close()

    def result(self, progress: Callable[[int], None] | None) -> CitesPass:
        while not self.recv.poll(0.5):
            if progress is not None:
                progress(int(self.counter.value))
            if not self.proc.is_alive() and not self.recv.poll(0):
                raise RuntimeError(f"the CITES CSV process died (exit code {self.proc.exitcode})")
        try:
            status, payload = self.recv.recv()
        except EOFError:
            raise RuntimeError(
                f"the CITES CSV process died (exit code {self.proc.exitcode})"
            ) from None
        if status == "bad":
            raise payload
        if status == "error":
            raise RuntimeError(f"the CITES CSV process failed:\n{payload}")
        return payload  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join()
        self.recv.close()


def write_import_csv(
    directory: Path,
    out: Path,
    *,
    progress: Progress | None = None,
    paper_chunk: int = 5000,
    citation_chunk: int = 50000,
    loaded_at: str | None = None,
    load_no: int = IMPORT_LOAD_NO,
    processes: int = 2,
) -> ImportCsv:
    """One pass over the Datasets files in ``directory``: check, build rows, write CSV into ``out``.

    Raises ``DatasetError`` (``file:line: reason``) at the first bad line; the
    CSV written so far is then worthless and the caller discards ``out``.
    The chunk sizes are the online bulk path's, so that the per-chunk folding
    (and so the graph) is the same. With ``processes`` >= 2 the citations
    files are written by a second process (see :func:`write_cites_csv`); the
    CSV is the same either way. ``load_no`` is stamped as ``addedBy`` on every
    Paper and CITES, as the online path stamps what a load creates.
    """
    started = time.perf_counter()
    files = s2_datasets.find_files(directory)
    if files.openalex_works:
        raise s2_datasets.DatasetError(
            files.openalex_works[0],
            0,
            "the offline importer does not read OpenAlex works; load this directory with"
            " `citekb load DIR` (the online bulk path), or move the openalex_works files aside",
        )
    out.mkdir(parents=True, exist_ok=True)
    # The papers files' papers take the ids below their line count, in both processes.
    papers_bound = sum(line_count(path) for path in files.papers)
    graph = _Graph(out, load_no, papers_bound)
    result = ImportCsv(directory=out, loaded_at=loaded_at or now_iso(), load_no=load_no)
    cites_args = (files.papers, files.citations, out / "rel_CITES.csv")
    cites_kw: dict[str, Any] = {
        "papers_bound": papers_bound,
        "citation_chunk": citation_chunk,
        "load_no": load_no,
    }
    second = _CitesProcess(*cites_args, **cites_kw) if files.citations and processes > 1 else None
    try:
        done: dict[Path, int] = {}
        for chunk in s2_datasets.iter_checked_chunks(
            replace(files, citations=[]), paper_chunk=paper_chunk, citation_chunk=citation_chunk
        ):
            graph.add_chunk(chunk.rows, chunk.kind)
            result.skipped += chunk.skipped
            result.records[chunk.kind] = result.records.get(chunk.kind, 0) + chunk.records
            done[chunk.path] = done.get(chunk.path, 0) + chunk.records
            if progress is not None:
                progress(f"csv {chunk.path.name}", done[chunk.path], None)
        # Written while the CITES pass may still run (see _Graph.finish).
        result.files = graph.finish(result.loaded_at)
        cites: CitesPass | None = None
        if files.citations:
            name = f"csv {files.citations[0].name}"
            if second is not None:
                cites = second.result(
                    None if progress is None else lambda n: progress(name, n, None)
                )
            else:
                cites = write_cites_csv(*cites_args, **cites_kw)
    finally:
        if second is not None:
            second.stop()
    if cites is not None:
        if cites.paper_digest != graph.papers_file_digest():
            raise RuntimeError(
                "the CITES pass numbered the papers files' papers differently: a papers file"
                " changed while it was read"
            )
        for stubs in cites.stub_chunks:
            graph.add_stub_papers(stubs)
        if cites.stubs_file is not None:
            graph.resolve_stubs(cites.stubs_file, cites.stub_ids)
        graph.rows_by_kind["cites"] += cites.rows
        result.skipped += cites.skipped
        result.records["citations"] = sum(cites.records.values())
    result.files.extend(graph.finish_papers(result.loaded_at))
    if cites is not None:
        result.files.extend(f for f in (cites.file, cites.stubs_file) if f and f.rows)
    result.rows_by_kind = graph.rows_by_kind
    for f in result.files:
        bucket = result.nodes if f.flag == "nodes" else result.relationships
        bucket[f.name] = bucket.get(f.name, 0) + f.rows
    result.elapsed_s = time.perf_counter() - started
    return result
