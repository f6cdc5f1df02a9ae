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
* Every call that records its load bumps ``Meta{key:'graph'}.version``.

Write order: papers (+ placeholder merge), venues, topics, orgs, authors,
authored, affiliated, submitted, cites. A failure part-way leaves the batches
already committed in place; re-running the same rows completes the load.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString

from neo4j import Driver, ManagedTransaction, ResultSummary
from neo4j.time import Date, DateTime, Duration, Time

import cypher
from loaders.rows import GraphRows, Row, is_placeholder_id

DEFAULT_BATCH_SIZE = 2000

# Properties that record when something was written, not what it is; they
# differ between two loads of the same data and are left out of graph_dump.
TIMESTAMP_PROPERTIES = frozenset({"enrichedAt", "loadedAt", "updatedAt"})

# kind -> (key fields, fields combined with OR instead of "later non-null wins")
_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "papers": (("paperId",), ("isSeed", "synthetic")),
    "venues": (("paperId", "key"), ()),
    "topics": (("paperId", "key"), ()),
    "orgs": (("key",), ()),
    "authors": (("authorId",), ()),
    "authored": (("authorId", "paperId"), ()),
    "affiliated": (("authorId", "orgKey"), ()),
    "submitted": (("orgKey", "paperId"), ()),
    "cites": (("citing", "cited"), ()),
}
WRITE_ORDER: tuple[str, ...] = tuple(_KEYS)
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
    writes; flag fields (``isSeed``, ``synthetic``) are OR-ed.

    >>> fold_rows("authors", [{"authorId": "1", "name": "A", "hIndex": 3},
    ...                       {"authorId": "1", "name": None, "hIndex": 4}])
    [{'authorId': '1', 'name': 'A', 'hIndex': 4}]
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
            elif (value is not None and value != []) or name not in have:
                have[name] = value
    return list(out.values())


def _batches(rows: Sequence[Row], size: int) -> Iterable[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _run(tx: ManagedTransaction, stmt: LiteralString, params: dict[str, Any]) -> ResultSummary:
    return tx.run(stmt, params).consume()


def _write_papers(
    tx: ManagedTransaction, batch: Sequence[Row], loaded_at: str, merge: bool
) -> tuple[ResultSummary, ResultSummary | None, int]:
    summary = _run(tx, cypher.statement("write/papers"), {"rows": batch, "loadedAt": loaded_at})
    if not merge:
        return summary, None, 0
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
    return summary, result.consume(), merged


def _write_batch(
    tx: ManagedTransaction, stmt: LiteralString, batch: Sequence[Row]
) -> ResultSummary:
    return _run(tx, stmt, {"rows": batch})


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def placeholders_exist(driver: Driver, *, database: str) -> bool:
    records, _, _ = driver.execute_query(
        cypher.statement("read/placeholder_count"), database_=database
    )
    return bool(records and records[0]["n"])


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
) -> WriteCounts:
    """Write every row, in :data:`WRITE_ORDER`, in batches; returns the summed counters.

    ``record_load`` writes ``Meta{key:'load'}`` and bumps the graph version
    (bulk loads turn it off per chunk and call :func:`record_load` once).
    ``merge_placeholders`` ``None`` means: run the merge step when this call
    writes a placeholder or the graph holds any. ``progress(kind, n)`` is
    called after each batch with the rows it wrote.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    counts = WriteCounts()
    loaded_at = now_iso()
    folded = {kind: fold_rows(kind, getattr(rows, kind)) for kind in WRITE_ORDER}
    if merge_placeholders is None:
        merge_placeholders = any(
            is_placeholder_id(str(r["paperId"])) for r in folded["papers"]
        ) or placeholders_exist(driver, database=database)
    with driver.session(database=database) as session:
        for kind in WRITE_ORDER:
            kind_rows = folded[kind]
            if not kind_rows:
                continue
            counts.kind(kind).rows += len(kind_rows)
            stmt = cypher.statement(f"write/{kind}")
            kind_started = time.perf_counter()
            for batch in _batches(kind_rows, batch_size):
                if kind == "papers":
                    summary, merge_summary, merged = session.execute_write(
                        _write_papers, batch, loaded_at, merge_placeholders
                    )
                    counts.add_summary(kind, summary)
                    if merge_summary is not None:
                        counts.add_summary("placeholders", merge_summary)
                        counts.placeholders_merged += merged
                else:
                    counts.add_summary(kind, session.execute_write(_write_batch, stmt, batch))
                counts.transactions += 1
                if progress is not None:
                    progress(kind, len(batch))
            counts.kind(kind).elapsed_s += time.perf_counter() - kind_started
    counts.elapsed_s = time.perf_counter() - started
    if record_load:
        counts.graph_version = record_load_meta(
            driver, counts, database=database, source=source, at=loaded_at
        )
    return counts


def record_load_meta(
    driver: Driver,
    counts: WriteCounts,
    *,
    database: str,
    source: str,
    at: str | None = None,
    status: str = "ok",
) -> int:
    """Record a load on ``Meta{key:'load'}`` and bump ``Meta{key:'graph'}.version``."""
    load: dict[str, Any] = {
        "at": at or now_iso(),
        "source": source,
        "status": status,
        "elapsedS": round(counts.elapsed_s, 3),
        **counts.as_meta(),
    }

    def work(tx: ManagedTransaction) -> int:
        record = tx.run(cypher.statement("write/meta"), {"load": load}).single()
        return int(record["version"]) if record else 0

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
    return {k: _plain(props[k]) for k in sorted(props) if k not in TIMESTAMP_PROPERTIES}


def graph_dump(driver: Driver, *, database: str) -> dict[str, list[dict[str, Any]]]:
    """Every node and relationship with its properties, canonically sorted.

    Load timestamps (:data:`TIMESTAMP_PROPERTIES`) and the ``Meta``
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
