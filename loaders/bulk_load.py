"""The bulk path of ``citekb load DIR``: check, then write a Datasets directory.

:func:`load_datasets_dir` loads a directory in the Semantic Scholar Datasets
format (see :mod:`loaders.s2_datasets`): pass 1 checks every file (a bad
line fails with ``file:line: reason`` before anything is written), pass 2
writes the records in chunks through :func:`loaders.graph_writer.write_rows`.
The load is recorded once on ``Meta{key:'load'}`` and bumps the graph
version, also when a write fails part-way (status ``failed``), so analytics
never trusts scores computed before a partial write.

The terminal side (progress bars, the summary table) is the CLI's:
``graph_api/cli/bulk.py``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Driver

from loaders import s2_datasets
from loaders.graph_writer import (
    DEFAULT_CONCURRENCY,
    LoadState,
    WriteCounts,
    begin_load,
    placeholders_exist,
    record_load_meta,
    write_rows,
)

# Measured on the synthetic 100k/1M corpus (see the engineer's report and
# bench/): 5,000-row transactions for CITES keep the lock and memory footprint
# per transaction modest while amortising the round trip.
DEFAULT_BATCH_SIZE = 5000
PAPER_CHUNK = 5000
CITATION_CHUNK = 50000

# (phase, done so far, total or None when unknown)
BulkProgress = Callable[[str, int, int | None], None]


@dataclass
class BulkSummary:
    directory: Path
    files: list[s2_datasets.FileCheck] = field(default_factory=list)
    skipped: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    validate_s: float = 0.0
    write_s: float = 0.0
    graph_version: int | None = None

    @property
    def records(self) -> dict[str, int]:
        out = dict.fromkeys(s2_datasets.DATASETS, 0)
        for f in self.files:
            out[f.kind] += f.records
        return out

    @property
    def elapsed_s(self) -> float:
        return self.validate_s + self.write_s

    @property
    def cites_per_s(self) -> float:
        """CITES rows per second of the writer's own time on them."""
        cites = self.counts.by_kind.get("cites")
        if cites is None or cites.elapsed_s <= 0:
            return 0.0
        return cites.rows / cites.elapsed_s


def load_datasets_dir(
    driver: Driver,
    path: Path,
    database: str,
    progress: BulkProgress | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    paper_chunk: int = PAPER_CHUNK,
    citation_chunk: int = CITATION_CHUNK,
    concurrency: int = DEFAULT_CONCURRENCY,
    known_new: bool = True,
) -> BulkSummary:
    """Check, then write, every Datasets file in ``path``; raises DatasetError on bad input.

    The chunks share one :class:`~loaders.graph_writer.LoadState`: the papers
    the papers files create let the citations files CREATE their edges.
    ``concurrency`` and ``known_new`` go to the writer (the benchmark turns
    them off to measure the sequential MERGE writer in the same run).
    """
    summary = BulkSummary(directory=path)
    started = time.perf_counter()
    files = s2_datasets.find_files(path)
    seen: dict[Path, int] = {}

    def on_lines(file: Path, n: int) -> None:
        seen[file] = seen.get(file, 0) + n
        if progress is not None:
            progress(f"check {file.name}", seen[file], None)

    validation = s2_datasets.validate(files, progress=on_lines)
    summary.files = validation.files
    if progress is not None:
        for fc in validation.files:  # the counts are known now: close the check bars
            progress(f"check {fc.path.name}", fc.records, fc.records)
    summary.validate_s = time.perf_counter() - started

    started = time.perf_counter()
    totals = {fc.path: fc.records for fc in validation.files}
    done: dict[Path, int] = {}
    # Datasets rows never carry placeholders; only the graph can hold some.
    merge = placeholders_exist(driver, database=database)
    state = LoadState()
    load_no = begin_load(driver, database=database)
    status = "failed"
    chunks = s2_datasets.iter_chunks(
        validation, paper_chunk=paper_chunk, citation_chunk=citation_chunk
    )
    try:
        for chunk in prefetched(chunks):
            if progress is not None and chunk.path not in done:
                progress(f"write {chunk.path.name}", 0, totals[chunk.path])
            counts = write_rows(
                driver,
                chunk.rows,
                database=database,
                batch_size=batch_size,
                record_load=False,
                merge_placeholders=merge,
                concurrency=concurrency,
                state=state,
                known_new=known_new,
                load_no=load_no,
            )
            summary.counts.extend(counts)
            summary.skipped += chunk.skipped
            done[chunk.path] = done.get(chunk.path, 0) + chunk.records
            if progress is not None:
                progress(f"write {chunk.path.name}", done[chunk.path], totals[chunk.path])
        status = "ok"
    finally:
        summary.write_s = time.perf_counter() - started
        summary.counts.elapsed_s = summary.write_s
        if summary.counts.transactions:
            summary.graph_version = record_load_meta(
                driver,
                summary.counts,
                database=database,
                source=f"s2-datasets:{path.resolve()}",
                status=status,
                load_no=load_no,
            )
    return summary


def prefetched(chunks: Iterator[s2_datasets.Chunk], depth: int = 2) -> Iterator[s2_datasets.Chunk]:
    """Parse the next chunks on a thread while the current one is being written.

    Parsing JSON and building rows is client CPU; writing waits on the
    server. Overlapping them uses a second core; ``depth`` bounds how many
    parsed chunks wait in memory. An error while parsing surfaces here, in
    order, after the chunks before it were yielded.
    """
    done = object()
    box: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer, which re-raises
            put(exc)

    worker = threading.Thread(target=produce, name="datasets-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = box.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, s2_datasets.Chunk)
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
