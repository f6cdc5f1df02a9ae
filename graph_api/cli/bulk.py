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

from graph_api.server.neo4j_server import LocalServer
from graph_api.server.offline_load import OfflineLoadSummary, offline_load
from graph_api.settings import Settings
from loaders.bulk_load import BulkSummary, load_datasets_dir
from loaders.graph_writer import WriteCounts
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


def summary_table(directory: Path, counts: WriteCounts) -> Table:
    table = Table(title=f"loaded {directory}", show_header=True)
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
        ("affiliations", "AFFILIATED_WITH (per paper)", False),
        ("org_parents", "PART_OF", False),
        ("topic_tree", "SUBTOPIC_OF", False),
    ):
        k = counts.by_kind.get(kind)
        if k is None:
            continue
        created = k.nodes_created if node else k.relationships_created
        table.add_row(label, f"{k.rows:,}", f"{created:,}", f"{max(k.rows - created, 0):,}")
    return table


def report_load(summary: BulkSummary, console: Console) -> None:
    console.print(summary_table(summary.directory, summary.counts))
    recs = summary.records
    console.print(
        f"files: {len(summary.files)} ({recs['papers']:,} papers, {recs['authors']:,} authors,"
        f" {recs['citations']:,} citations, {recs['abstracts']:,} abstracts,"
        f" {recs['openalex_works']:,} OpenAlex works); skipped {summary.skipped:,}"
        " unresolved/self citations and works for no paper"
    )
    console.print(
        f"nodes created {summary.counts.nodes_created:,}, relationships created"
        f" {summary.counts.relationships_created:,}, transactions"
        f" {summary.counts.transactions:,} ({summary.counts.retries:,} retried); checked in"
        f" {summary.validate_s:.1f}s, written in"
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


def report_offline_load(summary: OfflineLoadSummary, console: Console) -> None:
    console.print(summary_table(summary.directory, summary.counts))
    recs, csv = summary.csv.records, summary.csv
    phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in summary.phases.items())
    console.print(
        f"files: {recs.get('papers', 0):,} papers, {recs.get('authors', 0):,} authors,"
        f" {recs.get('citations', 0):,} citations, {recs.get('abstracts', 0):,} abstracts;"
        f" skipped {csv.skipped:,} unresolved/self citations"
    )
    reported = summary.imported.reported_s
    console.print(
        f"offline importer (empty database): nodes {summary.counts.nodes_created:,},"
        f" relationships {summary.counts.relationships_created:,}; {phases};"
        f" whole load {summary.wall_s:.1f}s; import step"
        f" {summary.import_cites_per_s:,.0f} CITES/s"
        + (f" (the importer reports {reported:.1f}s)" if reported is not None else "")
        + f"; graph version {summary.graph_version}"
    )
    if summary.imported.fallback_reason:
        console.print(
            f"the importer ran from {summary.imported.entry_point}, slower than citekb's own"
            f" entry point: {summary.imported.fallback_reason}"
        )
    if not summary.indexes_online:
        console.print(
            "constraints online; the other indexes are populating in the background"
            " (answers stay the same meanwhile, some slower; `SHOW INDEXES` shows progress)"
        )


def run_offline_load_command(
    server: LocalServer, settings: Settings, path: Path, console: Console
) -> OfflineLoadSummary:
    """``citekb load DIR`` into an empty database: CSV, import, restart, schema, summary."""
    bar = RichBulkProgress(console)
    with bar.shown():
        summary = offline_load(server, settings, path, progress=bar)
    report_offline_load(summary, console)
    return summary


def run_synth_command(cfg: SynthConfig, out: Path, console: Console) -> SynthResult:
    """``citekb synth``: generate with a progress bar, then say what was written."""
    bar = RichBulkProgress(console)
    with bar.shown():
        result = generate(cfg, out, progress=bar)
    console.print(
        f"[synthetic] wrote {result.papers:,} papers, {result.citations:,} citations,"
        f" {result.authors:,} authors ({result.authorships:,} authorships)"
        + (f", {result.embeddings:,} embeddings" if cfg.embeddings else "")
        + f" to {out} in {result.elapsed_s:.1f}s (seed {cfg.seed})",
        markup=False,
    )
    return result
