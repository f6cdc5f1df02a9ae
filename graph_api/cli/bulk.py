"""Terminal side of the bulk path: ``citekb load DIR`` and ``citekb synth``.

The logic is :func:`loaders.bulk_load.load_datasets_dir` and
:func:`loaders.synth.generate`; this module adds progress bars and summaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from neo4j import Driver
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from loaders.bulk_load import BulkSummary, load_datasets_dir
from loaders.synth import SynthConfig, SynthResult, generate


class RichBulkProgress:
    """One progress bar per phase (``check papers.jsonl``, ``write citations.jsonl``...)."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<34}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        task = self.tasks.get(phase)
        if task is None:
            task = self.tasks[phase] = self.progress.add_task(phase, total=total)
        self.progress.update(task, completed=done, total=total)

    @contextmanager
    def shown(self) -> Iterator[RichBulkProgress]:
        with self.progress:
            yield self


def summary_table(summary: BulkSummary) -> Table:
    counts = summary.counts
    table = Table(title=f"loaded {summary.directory}", show_header=True)
    table.add_column("what")
    table.add_column("rows", justify="right")
    table.add_column("created", justify="right")
    table.add_column("matched", justify="right")
    for kind, label, node in (
        ("papers", "papers", True),
        ("authors", "authors", True),
        ("orgs", "organisations", True),
        ("cites", "CITES", False),
        ("authored", "AUTHORED", False),
        ("topics", "HAS_TOPIC", False),
        ("venues", "PUBLISHED_IN", False),
    ):
        k = counts.by_kind.get(kind)
        if k is None:
            continue
        created = k.nodes_created if node else k.relationships_created
        table.add_row(label, f"{k.rows:,}", f"{created:,}", f"{max(k.rows - created, 0):,}")
    return table


def report_load(summary: BulkSummary, console: Console) -> None:
    console.print(summary_table(summary))
    recs = summary.records
    console.print(
        f"files: {len(summary.files)} ({recs['papers']:,} papers, {recs['authors']:,} authors,"
        f" {recs['citations']:,} citations, {recs['abstracts']:,} abstracts);"
        f" skipped {summary.skipped:,} unresolved/self citations"
    )
    console.print(
        f"nodes created {summary.counts.nodes_created:,}, relationships created"
        f" {summary.counts.relationships_created:,}, transactions"
        f" {summary.counts.transactions:,}; checked in {summary.validate_s:.1f}s, written in"
        f" {summary.write_s:.1f}s ({summary.cites_per_s:,.0f} CITES rows/s in the writer);"
        f" graph version {summary.graph_version}"
    )


def run_load_command(
    driver: Driver, path: Path, database: str, console: Console, *, batch_size: int
) -> BulkSummary:
    """``citekb load DIR``: progress bars, then the summary. DatasetError propagates."""
    bar = RichBulkProgress(console)
    with bar.shown():
        summary = load_datasets_dir(driver, path, database, bar, batch_size=batch_size)
    report_load(summary, console)
    return summary


def run_synth_command(cfg: SynthConfig, out: Path, console: Console) -> SynthResult:
    """``citekb synth``: generate with a progress bar, then say what was written."""
    bar = RichBulkProgress(console)
    with bar.shown():
        result = generate(cfg, out, progress=bar)
    console.print(
        f"[synthetic] wrote {result.papers:,} papers, {result.citations:,} citations,"
        f" {result.authors:,} authors ({result.authorships:,} authorships) to {out}"
        f" in {result.elapsed_s:.1f}s (seed {cfg.seed})",
        markup=False,
    )
    return result
