"""Rows -> Neo4j: batched, idempotent, null-safe writes (docs/contract.md).

:func:`write_rows` is the one writing path for every loader (pages, id lists,
S2 enrichment, S2 Datasets files, synthetic corpora). Each kind of row has
one ``cypher/write/<kind>.cypher`` statement of the form ``UNWIND $rows AS
row MERGE ...``; rows are sent in batches of ``batch_size``, each batch in
its own managed write transaction (``session.execute_write``, which retries
transient errors such as deadlocks). ``CALL {} IN TRANSACTIONS`` cannot run
inside a managed transaction, so batching happens here, in Python.

Guarantees:

* Idempotent: every statement MERGEs on a key and SETs values derived only
  from the row (and the node's own values), so writing the same rows twice
  changes no node, relationship or property except ``loadedAt`` and the
  ``Meta`` bookkeeping.
* A null in a row never erases a known value (``coalesce`` in Cypher), and
  ``isSeed`` only ever goes false -> true.
* Within one call, rows with the same key are folded into one row first
  (later non-null values win), so the counts of created vs matched nodes are
  exact and no statement MERGEs the same key twice.
* Placeholders (unresolved seeds, ``paperId`` ``title:...``) are merged into
  the resolved paper with the same ``titleKey``, arXiv id or DOI in the same
  transaction that writes the paper batch (``write/merge_placeholders``).
* Every call that records its load bumps ``Meta{key:'graph'}.version`` and
  creates a ``Meta:Load`` record keyed by that version.
* What a load adds is traceable: a load takes a number first
  (:func:`begin_load`, ``write/load_begin``), the Paper nodes and CITES
  relationships it *creates* carry it as ``addedBy``, and its ``Load`` record
  says which numbers it accounts for and how many papers and citations they
  added (``write/meta``, ``write/load_added``). The change feed reads those.
* Every call that writes rows first sets ``Meta{key:'graph'}.dirty`` (cleared
  when the load is recorded), so a load that dies part-way is visible as such.

Write order: papers (+ placeholder merge), embeddings, venues, topics,
topic_tree, orgs, org_parents, authors, authored, affiliated, affiliations,
submitted, cites. A failure part-way leaves the batches already committed in
place; re-running the same rows completes the load.

Speed (bench/BENCHMARKS.md, "online writer"):

* **Several transactions at once** (``concurrency`` > 1; the default is one,
  measured fastest on this project's 2 cores, see :data:`DEFAULT_CONCURRENCY`).
  Papers, authors, AUTHORED and CITES rows are split into up to
  ``concurrency`` partitions by one key (paperId,
  authorId, paperId, citing paper), each written by its own session on its
  own thread, so no two concurrent transactions write the same node's key or
  the same citing paper's edges. Inside a batch, AUTHORED rows are sorted by
  author and CITES rows by cited paper, so transactions that share those
  endpoints take their locks in the same order; a deadlock that still happens
  (rare: two CREATEs meeting on a heavily cited paper's relationship group)
  is a transient error that ``execute_write`` retries (counted in
  ``WriteCounts.retries``). Relationship MERGEs (``write/cites``,
  ``write/authored``: reruns, resumed loads, pairs seen again) lock both
  endpoints and deadlock when concurrent, so they run after the partitions'
  CREATEs, one transaction at a time. The other kinds (a few dozen venues,
  topics and organisations shared by every paper) stay one transaction at a
  time.
* **No existence check for what is known new.** ``write/papers_new`` CREATEs
  the papers absent from the graph (one index lookup, one map SET) and
  returns their ids; only papers already there go through ``write/papers``'s
  MERGE and coalescing SETs. A paper created by this load (this call, or an
  earlier call sharing the same :class:`LoadState`, as the bulk path's
  chunks do) cannot have edges this load did not write, so its CITES and
  AUTHORED rows are CREATEd (``write/cites_new``, ``write/authored_new``)
  the first time the load sees the pair, with no ``Expand(Into)`` lookup. A
  pair seen again, every edge of a paper that existed before the load (a
  rerun, a resumed crashed load), and every load after a placeholder merge
  (which moves edges onto resolved papers) take the MERGE statements, so a
  rerun and a resumed load leave the same graph.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, LiteralString

from neo4j import Driver, ManagedTransaction, ResultSummary
from neo4j.exceptions import ConstraintError
from neo4j.time import Date, DateTime, Duration, Time

import cypher
from loaders.rows import S2_PAPER_SCALARS, GraphRows, Row, is_placeholder_id

DEFAULT_BATCH_SIZE = 2000
# Transactions in flight at once for the partitioned kinds. 1: on the 2-core
# machine at load 1-2 (bench/BENCHMARKS.md, Issue 13, run F) one transaction
# at a time with CREATE for what is known new wrote 35,916-38,092 CITES/s and
# 8,897-11,767 papers/s; 4 in flight wrote 16,804 CITES/s and 6,155 papers/s
# (run A, load ~6), 2 in node-disjoint rounds 12,711 CITES/s (run C):
# concurrent relationship CREATEs wait on each other's relationship-chain
# locks and deadlock, and one transaction already keeps the server's core
# busy while the client prepares the next. (4 was chosen at load 30+, where
# one transaction never got a core to itself.)
DEFAULT_CONCURRENCY = 1
# A partition smaller than this is not worth a transaction of its own.
MIN_PARTITION_ROWS = 500

# Properties that record when something was written, not what it is; they
# differ between two loads of the same data and are left out of graph_dump.
TIMESTAMP_PROPERTIES = frozenset({"enrichedAt", "loadedAt", "updatedAt"})
# Properties that record *which* load wrote something (its number): a killed
# load and its rerun number things differently from one uninterrupted load.
BOOKKEEPING_PROPERTIES = TIMESTAMP_PROPERTIES | {"addedBy"}

# kind -> (key fields, fields combined with OR instead of "later non-null wins")
_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "papers": (("paperId",), ("isSeed", "synthetic")),
    "embeddings": (("paperId",), ()),
    "venues": (("paperId", "key"), ()),
    "topics": (("paperId", "key"), ()),
    "topic_tree": (("key", "parentKey"), ()),
    "orgs": (("key",), ()),
    "org_parents": (("orgKey", "parentKey"), ()),
    "authors": (("authorId",), ()),
    "authored": (("authorId", "paperId"), ()),
    "affiliated": (("authorId", "orgKey"), ()),
    "affiliations": (("authorId", "orgKey", "paperId"), ()),
    "submitted": (("orgKey", "paperId"), ()),
    "cites": (("citing", "cited"), ()),
}
WRITE_ORDER: tuple[str, ...] = tuple(_KEYS)
# kind -> the field whose value picks a row's partition (kinds not named here
# are written one transaction at a time).
_PARTITION_BY = {
    "papers": "paperId",
    "authors": "authorId",
    "authored": "paperId",
    "cites": "citing",
}
# kind -> the field a batch is sorted by: shared endpoints locked in one order.
_SORT_BY = {"authored": "authorId", "cites": "cited"}
# Relationship kinds with a CREATE statement for pairs known new:
# kind -> (the paper field that must be a paper this load created, the other end).
_KNOWN_NEW = {"cites": ("citing", "cited"), "authored": ("paperId", "authorId")}
# Statements run one transaction at a time even where their kind is partitioned.
_RELATIONSHIP_MERGES = frozenset({"write/cites", "write/authored"})
# What write/papers stores on a paper it creates (besides paperId and loadedAt);
# write/papers_new stores the same from a map (tests/unit check the two agree).
PAPER_PROPERTIES: tuple[str, ...] = (
    "corpusId",
    "arxivId",
    "doi",
    "title",
    "titleKey",
    "abstract",
    *S2_PAPER_SCALARS,
    "tldr",
    "url",
    "openAccessPdf",
    "hfUpvotes",
    "isSeed",
    "synthetic",
    "enrichedAt",
    # Placeholders only (an entry S2 did not resolve): the page's author count
    # and the S2 ids its title match refused (loaders/pipeline.py).
    "authorsCount",
    "rejectedMatches",
)
# Load bookkeeping write/papers sets on create, besides PAPER_PROPERTIES: the
# creating load's number (write/load_begin). The offline importer stamps its
# load's number too (loaders/import_csv.py, IMPORT_LOAD_NO).
PAPER_BOOKKEEPING = ("addedBy",)
# List fields that accumulate: folded rows keep every distinct value, in order.
_UNION_FIELDS = frozenset({"aliases", "nameKeys"})
# Kinds whose statement MERGEs exactly one node per row: created vs matched
# is exact for them.
_NODE_KINDS = ("papers", "orgs", "authors")

Progress = Callable[[str, int], None]


@dataclass
class KindCounts:
    """What one kind of row did to the graph (summed over its batches)."""

    rows: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    elapsed_s: float = 0.0

    @property
    def matched(self) -> int:
        """Rows whose node already existed (meaningful for node kinds)."""
        return max(self.rows - self.nodes_created, 0)


@dataclass
class WriteCounts:
    """Totals from the query summaries (``summary.counters``) of one or more writes."""

    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    placeholders_merged: int = 0
    transactions: int = 0
    # Transaction attempts beyond the first (deadlocks, transient errors).
    retries: int = 0
    elapsed_s: float = 0.0
    by_kind: dict[str, KindCounts] = field(default_factory=dict)
    graph_version: int | None = None

    @property
    def nodes_matched(self) -> int:
        """Paper, Author and Org rows that found their node already in the graph."""
        return sum(self.by_kind[k].matched for k in _NODE_KINDS if k in self.by_kind)

    def kind(self, name: str) -> KindCounts:
        return self.by_kind.setdefault(name, KindCounts())

    def add_summary(self, kind: str, summary: ResultSummary) -> None:
        c = summary.counters
        self.nodes_created += c.nodes_created
        self.nodes_deleted += c.nodes_deleted
        self.relationships_created += c.relationships_created
        self.relationships_deleted += c.relationships_deleted
        self.properties_set += c.properties_set
        k = self.kind(kind)
        k.nodes_created += c.nodes_created
        k.relationships_created += c.relationships_created
        k.properties_set += c.properties_set

    def extend(self, other: WriteCounts) -> None:
        """Add another write's counts (bulk loads sum per-chunk counts)."""
        self.nodes_created += other.nodes_created
        self.nodes_deleted += other.nodes_deleted
        self.relationships_created += other.relationships_created
        self.relationships_deleted += other.relationships_deleted
        self.properties_set += other.properties_set
        self.placeholders_merged += other.placeholders_merged
        self.transactions += other.transactions
        self.retries += other.retries
        self.elapsed_s += other.elapsed_s
        for name, kc in other.by_kind.items():
            mine = self.kind(name)
            mine.rows += kc.rows
            mine.nodes_created += kc.nodes_created
            mine.relationships_created += kc.relationships_created
            mine.properties_set += kc.properties_set
            mine.elapsed_s += kc.elapsed_s
        if other.graph_version is not None:
            self.graph_version = other.graph_version

    def as_meta(self) -> dict[str, int]:
        """Flat integer map stored on ``Meta{key:'load'}``."""
        flat = {
            "nodesCreated": self.nodes_created,
            "nodesDeleted": self.nodes_deleted,
            "relationshipsCreated": self.relationships_created,
            "propertiesSet": self.properties_set,
            "placeholdersMerged": self.placeholders_merged,
        }
        for name in WRITE_ORDER:
            flat[f"{name}Rows"] = self.by_kind[name].rows if name in self.by_kind else 0
        return flat


def fold_rows(kind: str, rows: Iterable[Row]) -> list[Row]:
    """Fold rows that share a key into one, in first-seen order.

    Later non-null values win, like the Cypher ``coalesce`` does across
    writes; flag fields (``isSeed``, ``synthetic``) are OR-ed, and list fields
    that accumulate (an org's ``aliases``) are united.

    >>> fold_rows("authors", [{"authorId": "1", "name": "A", "hIndex": 3},
    ...                       {"authorId": "1", "name": None, "hIndex": 4}])
    [{'authorId': '1', 'name': 'A', 'hIndex': 4}]
    >>> fold_rows("orgs", [{"key": "ror:1", "aliases": ["MIT"]},
    ...                    {"key": "ror:1", "aliases": ["M.I.T.", "MIT"]}])
    [{'key': 'ror:1', 'aliases': ['MIT', 'M.I.T.']}]
    """
    keys, flags = _KEYS[kind]
    out: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        k = tuple(row.get(f) for f in keys)
        have = out.get(k)
        if have is None:
            out[k] = dict(row)
            continue
        for name, value in row.items():
            if name in flags:
                have[name] = bool(have.get(name)) or bool(value)
            elif name in _UNION_FIELDS and isinstance(value, list):
                known = list(have.get(name) or [])
                have[name] = known + [v for v in value if v not in known]
            elif (value is not None and value != []) or name not in have:
                have[name] = value
    return list(out.values())


def _batches(rows: Sequence[Row], size: int) -> Iterable[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@dataclass
class LoadState:
    """What one load has created so far: the licence for CREATE instead of MERGE.

    A paper in ``created_papers`` was created by this load's
    ``write/papers_new``, so the only edges it can have are the ones this load
    wrote; ``written`` holds a hash of every such pair already CREATEd (per
    kind), so a pair seen again takes the MERGE statement. A hash collision
    only sends a new pair down the MERGE path, which is always correct.
    Shared by the calls of one load (the bulk path's chunks); a fresh one per
    call otherwise.
    """

    created_papers: set[str] = field(default_factory=set)
    written: dict[str, set[int]] = field(
        default_factory=lambda: {kind: set() for kind in _KNOWN_NEW}
    )

    def forget(self) -> None:
        """Give up the licence (a placeholder merge moved edges onto resolved papers)."""
        self.created_papers.clear()
        for seen in self.written.values():
            seen.clear()

    def split(self, kind: str, rows: Sequence[Row]) -> tuple[list[Row], list[Row]]:
        """(rows known new, rows that need MERGE) of a relationship kind."""
        if kind not in _KNOWN_NEW or not self.created_papers:
            return [], list(rows)
        paper_field, other = _KNOWN_NEW[kind]
        created, seen = self.created_papers, self.written[kind]
        new: list[Row] = []
        old: list[Row] = []
        for row in rows:
            if row[paper_field] in created:
                pair = hash((row[paper_field], row[other]))
                if pair not in seen:
                    seen.add(pair)
                    new.append(row)
                    continue
            old.append(row)
        return new, old


def _new_paper(row: Row) -> Row:
    """A papers row as write/papers_new takes it: exactly what write/papers would store."""
    props = {k: row.get(k) for k in PAPER_PROPERTIES if row.get(k) is not None}
    props["paperId"] = row["paperId"]
    props["isSeed"] = bool(row.get("isSeed"))
    props["synthetic"] = bool(row.get("synthetic"))
    return {"paperId": row["paperId"], "props": props}


def _run(tx: ManagedTransaction, stmt: LiteralString, params: dict[str, Any]) -> ResultSummary:
    return tx.run(stmt, params).consume()


@dataclass
class _PapersResult:
    summaries: list[tuple[str, ResultSummary]]
    created: list[str]
    merged: int


@dataclass(frozen=True)
class _PapersCall:
    """How a papers batch is written: its loadedAt, the placeholder merge, CREATE for new."""

    loaded_at: str
    merge: bool
    fast: bool
    load_no: int | None = None


def _write_papers(
    tx: ManagedTransaction, batch: Sequence[Row], how: _PapersCall, attempts: list[int]
) -> _PapersResult:
    attempts[0] += 1
    loaded_at, merge, fast = how.loaded_at, how.merge, how.fast
    summaries: list[tuple[str, ResultSummary]] = []
    created: list[str] = []
    rest: Sequence[Row] = batch
    if fast:
        result = tx.run(
            cypher.statement("write/papers_new"),
            {
                "rows": [_new_paper(r) for r in batch],
                "loadedAt": loaded_at,
                "loadNo": how.load_no,
            },
        )
        created = [str(record["paperId"]) for record in result]
        summaries.append(("papers", result.consume()))
        if created:
            done = set(created)
            rest = [r for r in batch if r["paperId"] not in done]
    if rest:
        summaries.append(
            (
                "papers",
                _run(
                    tx,
                    cypher.statement("write/papers"),
                    {"rows": rest, "loadedAt": loaded_at, "loadNo": how.load_no},
                ),
            )
        )
    if not merge:
        return _PapersResult(summaries, created, 0)
    keys = [
        {
            "paperId": r["paperId"],
            "titleKey": r.get("titleKey"),
            "arxivId": r.get("arxivId"),
            "doi": r.get("doi"),
        }
        for r in batch
    ]
    result = tx.run(cypher.statement("write/merge_placeholders"), {"rows": keys})
    record = result.single()
    merged = int(record["merged"]) if record else 0
    summaries.append(("placeholders", result.consume()))
    return _PapersResult(summaries, created, merged)


# Statements that stamp what they create with the load's number.
_STAMPING = frozenset({"write/cites", "write/cites_new"})


def _write_batch(
    tx: ManagedTransaction, stmt: LiteralString, params: dict[str, Any], attempts: list[int]
) -> ResultSummary:
    attempts[0] += 1
    return _run(tx, stmt, params)


def _mark_dirty(tx: ManagedTransaction, at: str) -> None:
    tx.run(cypher.statement("write/graph_dirty"), {"at": at}).consume()


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def placeholders_exist(driver: Driver, *, database: str) -> bool:
    records, _, _ = driver.execute_query(
        cypher.statement("read/placeholder_count"), database_=database
    )
    return bool(records and records[0]["n"])


def _partitions(kind: str, rows: list[Row], concurrency: int) -> list[list[Row]]:
    """Rows split by the kind's partition key (:data:`_PARTITION_BY`); one list if not split."""
    key = _PARTITION_BY.get(kind)
    parts = min(concurrency, len(rows) // MIN_PARTITION_ROWS) if key else 1
    if parts <= 1 or key is None:
        return [rows]
    out: list[list[Row]] = [[] for _ in range(parts)]
    for row in rows:
        out[hash(row[key]) % parts].append(row)
    return [p for p in out if p]


@dataclass
class _Job:
    """One batch: the statement to run it with (None: the papers transaction)."""

    kind: str
    statement: str | None
    rows: Sequence[Row]


@dataclass
class _PartDone:
    summaries: list[tuple[str, ResultSummary]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    merged: int = 0
    transactions: int = 0
    attempts: int = 0


def _jobs(
    kind: str, part: list[Row], state: LoadState, batch_size: int, known_new: bool
) -> list[_Job]:
    """A partition's batches, each with its statement (CREATE for pairs known new)."""
    if kind == "papers":
        return [_Job(kind, None, b) for b in _batches(part, batch_size)]
    new, old = state.split(kind, part) if known_new else ([], part)
    jobs: list[_Job] = []
    order = _SORT_BY.get(kind)
    for name, group in ((f"write/{kind}_new", new), (f"write/{kind}", old)):
        ordered = sorted(group, key=lambda r: str(r[order])) if order else group
        jobs.extend(_Job(kind, name, b) for b in _batches(ordered, batch_size))
    return jobs


def write_rows(
    driver: Driver,
    rows: GraphRows,
    *,
    database: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    source: str = "rows",
    record_load: bool = True,
    progress: Progress | None = None,
    merge_placeholders: bool | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    state: LoadState | None = None,
    known_new: bool = True,
    load_no: int | None = None,
) -> WriteCounts:
    """Write every row, in :data:`WRITE_ORDER`, in batches; returns the summed counters.

    ``record_load`` writes ``Meta{key:'load'}`` and bumps the graph version
    (bulk loads turn it off per chunk and call :func:`record_load` once).
    ``merge_placeholders`` ``None`` means: run the merge step when this call
    writes a placeholder or the graph holds any. ``progress(kind, n)`` is
    called after each batch with the rows it wrote (from the writing
    threads, one call at a time). ``concurrency`` bounds the transactions in
    flight; ``state`` carries what earlier calls of the same load created;
    ``known_new=False`` MERGEs every row (today's single-statement path, kept
    for the benchmark's baseline). ``load_no`` is the number from
    :func:`begin_load` that the papers and citations this call creates are
    stamped with; a call that records its own load takes one itself.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    started = time.perf_counter()
    counts = WriteCounts()
    loaded_at = now_iso()
    if load_no is None and record_load:
        load_no = begin_load(driver, database=database)
    state = state if state is not None else LoadState()
    folded = {kind: fold_rows(kind, getattr(rows, kind)) for kind in WRITE_ORDER}
    merge = merge_placeholders
    if merge is None:
        merge = any(
            is_placeholder_id(str(r["paperId"])) for r in folded["papers"]
        ) or placeholders_exist(driver, database=database)
    progress_lock = threading.Lock()

    def run_part(jobs: list[_Job]) -> _PartDone:
        done = _PartDone()
        attempts = [0]
        with driver.session(database=database) as session:
            for job in jobs:
                if job.statement is None:
                    done.merged += _papers_job(session, job, done, attempts)
                else:
                    stmt = cypher.statement(job.statement)
                    params: dict[str, Any] = {"rows": job.rows}
                    if job.statement in _STAMPING:
                        params["loadNo"] = load_no
                    summary = session.execute_write(_write_batch, stmt, params, attempts)
                    done.summaries.append((job.kind, summary))
                done.transactions += 1
                if progress is not None:
                    with progress_lock:
                        progress(job.kind, len(job.rows))
        done.attempts = attempts[0]
        return done

    def _papers_job(session: Any, job: _Job, done: _PartDone, attempts: list[int]) -> int:
        try:
            res: _PapersResult = session.execute_write(
                _write_papers, job.rows, _PapersCall(loaded_at, merge, known_new, load_no), attempts
            )
        except ConstraintError:
            # Another writer created one of these papers between the lookup
            # and the CREATE: redo the batch with MERGE.
            res = session.execute_write(
                _write_papers, job.rows, _PapersCall(loaded_at, merge, False, load_no), attempts
            )
        done.summaries.extend(res.summaries)
        done.created.extend(res.created)
        return res.merged

    pool = ThreadPoolExecutor(max_workers=concurrency) if concurrency > 1 else None
    try:
        if any(folded[kind] for kind in WRITE_ORDER):
            # Before the first row: readers caching per graph version stop
            # caching until this load is recorded (write/meta clears the flag),
            # so a load dying part-way never leaves its rows under a version
            # whose answers were cached as complete.
            with driver.session(database=database) as session:
                session.execute_write(_mark_dirty, loaded_at)
        for kind in WRITE_ORDER:
            kind_rows = folded[kind]
            if not kind_rows:
                continue
            counts.kind(kind).rows += len(kind_rows)
            kind_started = time.perf_counter()
            parts = [
                _jobs(kind, part, state, batch_size, known_new)
                for part in _partitions(kind, kind_rows, concurrency)
            ]
            # Relationship MERGEs lock both endpoints and their dense nodes'
            # relationship groups in row order: run concurrently they
            # deadlock (measured with bench.cites_plan's setup). They run
            # after the partitions' CREATEs, one transaction at a time.
            merges = [
                job for jobs in parts for job in jobs if job.statement in _RELATIONSHIP_MERGES
            ]
            parts = [
                [job for job in jobs if job.statement not in _RELATIONSHIP_MERGES] for jobs in parts
            ]
            parts = [jobs for jobs in parts if jobs]
            if pool is None or len(parts) == 1:
                results = [run_part(jobs) for jobs in parts]
            else:
                results = list(pool.map(run_part, parts))
            if merges:
                results.append(run_part(merges))
            batches = sum(len(jobs) for jobs in parts) + len(merges)
            for res in results:
                for name, summary in res.summaries:
                    counts.add_summary(name, summary)
                counts.transactions += res.transactions
                counts.placeholders_merged += res.merged
                counts.retries += res.attempts
                if kind == "papers":
                    state.created_papers.update(res.created)
            counts.retries -= batches
            if kind == "papers" and counts.placeholders_merged:
                state.forget()
            counts.kind(kind).elapsed_s += time.perf_counter() - kind_started
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    counts.elapsed_s = time.perf_counter() - started
    if record_load:
        counts.graph_version = record_load_meta(
            driver, counts, database=database, source=source, at=loaded_at, load_no=load_no
        )
    return counts


def begin_load(driver: Driver, *, database: str) -> int:
    """A new load number (``Meta{key:'graph'}.loadSeq``), taken before a load's first write."""

    def work(tx: ManagedTransaction) -> int:
        record = tx.run(cypher.statement("write/load_begin")).single(strict=True)
        return int(record["loadNo"])

    with driver.session(database=database) as session:
        return session.execute_write(work)


def record_load_meta(
    driver: Driver,
    counts: WriteCounts,
    *,
    database: str,
    source: str,
    at: str | None = None,
    status: str = "ok",
    load_no: int | None = None,
    extra: Mapping[str, int | str | None] | None = None,
    into_empty: bool = False,
) -> int:
    """Record a load on ``Meta{key:'load'}`` and a ``Meta:Load`` record; bump the graph version.

    The ``Load`` record (key ``load:<version>``) holds the load's figures,
    ``extra`` (flat values, e.g. the S2 counters of an API load) and, counted
    in the same transaction, ``papersAdded`` and ``citationsAdded``: what the
    load numbers up to ``load_no`` created that no earlier record accounted
    for. ``into_empty``: the load was the first into an empty database (the
    offline importer's), so everything is its own and the count store's
    totals are those counts (``write/load_added_first``). Returns the new
    graph version.
    """
    load: dict[str, Any] = {
        "at": at or now_iso(),
        "source": source,
        "status": status,
        "elapsedS": round(counts.elapsed_s, 3),
        **counts.as_meta(),
        **{k: v for k, v in (extra or {}).items() if v is not None},
    }

    def work(tx: ManagedTransaction) -> int:
        record = tx.run(cypher.statement("write/meta"), {"load": load, "loadNo": load_no}).single(
            strict=True
        )
        version = int(record["version"])
        added = "write/load_added_first" if into_empty else "write/load_added"
        tx.run(cypher.statement(added), {"version": version}).consume()
        return version

    with driver.session(database=database) as session:
        return session.execute_write(work)


# --- "same graph" comparisons ---------------------------------------------


def _plain(value: Any) -> Any:
    """Neo4j values -> comparable, JSON-friendly Python values."""
    if isinstance(value, (DateTime, Date, Time)):
        return value.iso_format()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _props(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(props[k]) for k in sorted(props) if k not in BOOKKEEPING_PROPERTIES}


def graph_dump(driver: Driver, *, database: str) -> dict[str, list[dict[str, Any]]]:
    """Every node and relationship with its properties, canonically sorted.

    Load timestamps and numbers (:data:`BOOKKEEPING_PROPERTIES`) and the ``Meta``
    bookkeeping nodes are left out, so two loads of the same data compare
    equal. Meant for tests and small graphs: it reads the whole graph.
    """
    node_records, _, _ = driver.execute_query(
        cypher.statement("read/graph_dump_nodes"), database_=database
    )
    rel_records, _, _ = driver.execute_query(
        cypher.statement("read/graph_dump_relationships"), database_=database
    )
    nodes = [
        {"label": ":".join(sorted(r["labels"])), "key": r["key"], "props": _props(r["props"])}
        for r in node_records
    ]
    rels = [
        {
            "type": r["type"],
            "start": f"{':'.join(sorted(r['startLabels']))}/{r['start']}",
            "end": f"{':'.join(sorted(r['endLabels']))}/{r['end']}",
            "props": _props(r["props"]),
        }
        for r in rel_records
    ]
    nodes.sort(key=lambda n: (n["label"], str(n["key"])))
    rels.sort(key=lambda r: (r["type"], r["start"], r["end"], repr(r["props"])))
    return {"nodes": nodes, "relationships": rels}


def graph_counts(driver: Driver, *, database: str) -> dict[str, int]:
    """Node counts per label and relationship counts per type."""
    # Count-store lookups name every type; on a graph that lacks one the
    # server would warn "relationship type does not exist" for each.
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        record = session.run(cypher.statement("read/graph_counts")).single(strict=True)
    return {k: int(v) for k, v in record.data().items()}
