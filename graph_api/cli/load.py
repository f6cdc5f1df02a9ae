"""``citekb load SOURCE`` for pages, JSON and id lists: progress bar, summary, exit code.

``graph_api/cli/main.py`` only wires options to :func:`load_source`; everything the
command does is here. The S2 client is built from settings (``S2_BASE_URL``,
``S2_API_KEY``, ``S2_RATE_LIMIT`` ...). Before the first request the S2 host
is probed (:func:`loaders.pipeline.probe_s2`): a machine without internet
gets its entries written from the source at once, with a message saying how
to enrich them later, instead of waiting through the client's backoff.

With ``OPENALEX_ENABLED`` (the default) the OpenAlex host is probed the same
way and the load ends with the OpenAlex phase (organisations, ORCIDs, topic
hierarchy; :func:`loaders.pipeline.openalex_session`).

Exit codes: 0 complete, 3 partial (unresolved entries, S2 or OpenAlex
unreachable or failing part-way, pages missing), 1 failure.
"""

from __future__ import annotations

import asyncio
import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from graph_api.settings import Settings
from loaders.id_lists import IdError, normalise_id
from loaders.pipeline import (
    EXIT_OK,
    LoadSummary,
    ProgressFn,
    openalex_session,
    probe_s2,
    run_load,
)
from loaders.refresh import refresh_ages, seed_refs_sync
from loaders.rows import PaperRef
from loaders.s2_cache import CacheAges
from loaders.s2_client import S2Client
from loaders.sources import parse_source

_PHASES = {
    "resolve ids": "resolving ids",
    "resolve titles": "matching titles",
    "details": "paper details",
    "authors": "authors",
    "citations": "references + citations",
    "second hop": "second hop (references)",
    "openalex": "OpenAlex (orgs, topics)",
}


class _Bar:
    """A rich progress bar with one task per pipeline phase."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description:<26}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[note]}"),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.rows_written = 0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if phase == "write":
            self.rows_written += done
            if "write" not in self.tasks:
                self.tasks["write"] = self.progress.add_task(
                    "written to Neo4j", total=None, note=""
                )
            self.progress.update(self.tasks["write"], note=f"{self.rows_written} rows")
            return
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(
                _PHASES.get(phase, phase), total=total, note=""
            )
        self.progress.update(self.tasks[phase], completed=done, total=total)


def parse(source: Path, as_of: datetime.date | None) -> list[PaperRef]:
    """The source's entries (raises :class:`loaders.sources.SourceError`)."""
    return parse_source(source, as_of=as_of)


def parse_id_option(text: str) -> list[PaperRef]:
    """``--complete IDS``: comma-separated paper ids in any id-list form (ValueError if not).

    >>> [r.arxiv_id or r.s2_id for r in parse_id_option("arXiv:2512.17351v2, CorpusId:7")][:1]
    ['2512.17351']
    >>> parse_id_option("Attention is all you need")
    Traceback (most recent call last):
    ...
    ValueError: --complete takes paper ids (arXiv, DOI, CorpusId, S2 id), not titles: 'Attention is all you need'
    """  # noqa: E501
    refs: list[PaperRef] = []
    for i, part in enumerate(p.strip() for p in text.split(",")):
        if not part:
            continue
        ref = normalise_id(part, source=f"--complete:{i + 1}", line=i + 1)
        if isinstance(ref, IdError):
            raise ValueError(f"--complete: {ref}")
        if ref.title is not None:
            raise ValueError(
                f"--complete takes paper ids (arXiv, DOI, CorpusId, S2 id), not titles: {part!r}"
            )
        refs.append(ref)
    if not refs:
        raise ValueError("--complete needs at least one paper id")
    return refs


@dataclass(frozen=True)
class LoadRequest:
    """What one ``citekb load`` asks for, apart from where it writes and how it reports.

    ``cache_ages`` overrides the configured maximum ages of cached S2 answers
    (``--refresh``: none is trusted; ``citekb refresh``: lists older than
    ``--older-than``); ``complete`` is ``--complete``.
    """

    refs: list[PaperRef]
    source: str
    depth: int = 1
    max_papers: int | None = None
    max_citations_per_paper: int | None = None
    offline: bool = False
    cache_ages: CacheAges | None = None
    complete: bool = False


async def _load(
    request: LoadRequest,
    *,
    driver: Driver,
    settings: Settings,
    progress: ProgressFn,
    transport: httpx.AsyncBaseTransport | None,
    openalex_transport: httpx.AsyncBaseTransport | None,
) -> LoadSummary:
    offline = request.offline
    unreachable = None
    if not offline and transport is None:
        unreachable = await probe_s2(settings.s2_base_url)
    oa_config = settings.openalex_config(offline=offline or settings.s2_offline)
    async with (
        openalex_session(oa_config, transport=openalex_transport) as (openalex, oa_down),
        S2Client(
            settings.s2_config(),
            transport=transport,
            offline=offline,
            cache_ages=request.cache_ages,
        ) as client,
    ):
        return await run_load(
            request.refs,
            driver=driver,
            database=settings.neo4j_database,
            client=client,
            depth=request.depth,
            max_papers=request.max_papers,
            max_citations_per_paper=request.max_citations_per_paper,
            offline=offline,
            progress=progress,
            source=request.source,
            unreachable=unreachable,
            flush_rows=settings.load_flush_rows,
            flush_interval_s=settings.load_flush_interval_s,
            openalex=openalex,
            openalex_unreachable=oa_down,
            complete=request.complete,
        )


def load_refs(
    request: LoadRequest,
    *,
    driver: Driver,
    settings: Settings,
    console: Console | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    openalex_transport: httpx.AsyncBaseTransport | None = None,
) -> LoadSummary:
    """Run the pipeline for ``request`` with a progress bar on ``console`` (stderr by default)."""
    console = console or Console(stderr=True)
    bar = _Bar(console)
    with bar.progress:
        return asyncio.run(
            _load(
                request,
                driver=driver,
                settings=settings,
                progress=bar,
                transport=transport,
                openalex_transport=openalex_transport,
            )
        )


def summary_table(summary: LoadSummary) -> Table:
    """The end-of-load table: what was parsed, resolved, written and asked of S2."""
    s = summary
    table = Table(title="citekb load: summary", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    rows: list[tuple[str, Any]] = [
        ("source", s.source),
        ("enrichment", s.enrichment),
        ("depth", s.depth),
        ("parsed", s.parsed),
        ("duplicates", s.duplicates),
        ("resolved in S2", s.resolved),
        ("unresolved", len(s.unresolved)),
        ("written from the source only", s.placeholders_written),
        (
            "nodes created / matched",
            f"{s.writes.nodes_created} / {s.writes.nodes_matched}",
        ),
        (
            "relationships created / matched",
            f"{s.writes.relationships_created} / {s.relationships_matched}",
        ),
        ("placeholders merged", s.writes.placeholders_merged),
        ("CITES rows", s.cites_written),
        ("authors fetched", s.authors_fetched),
        ("S2 requests", s.s2_requests),
        ("S2 cache hits", s.cache_hits),
        ("S2 cache entries too old (asked again)", s.cache_stale),
        ("S2 retries", s.retries),
        ("null ids skipped (batches / edges)", f"{s.null_in_batches} / {s.null_in_edges}"),
        ("OpenAlex", s.openalex_status),
        ("elapsed", f"{s.elapsed_s:.1f} s"),
    ]
    if s.graph_version is not None:
        rows.append(("graph version (Load record)", s.graph_version))
    if s.dropped_by_max_papers:
        rows.append(("edges beyond --max-papers", s.dropped_by_max_papers))
    if s.papers_missing_edges:
        rows.append(("papers with edges missing", s.papers_missing_edges))
    if s.openalex_status != "off":
        oa = s.openalex
        rows += [
            ("OpenAlex works / papers with a DOI", f"{s.openalex_works} / {s.openalex_papers}"),
            ("OpenAlex orgs / affiliations", f"{oa.orgs} / {oa.affiliations}"),
            (
                "OpenAlex authors matched / kept apart",
                f"{oa.authors_matched} / {oa.authors_apart}",
            ),
            (
                "OpenAlex requests / cache hits / retries",
                f"{s.openalex_requests} / {s.openalex_cache_hits} / {s.openalex_retries}",
            ),
        ]
    for name, value in rows:
        table.add_row(name, str(value))
    return table


def unresolved_table(summary: LoadSummary, limit: int = 50) -> Table:
    table = Table(title="unresolved entries", title_justify="left")
    table.add_column("where")
    table.add_column("entry")
    table.add_column("reason")
    for item in summary.unresolved[:limit]:
        table.add_row(item.source, item.title or item.ident or "", item.reason)
    if len(summary.unresolved) > limit:
        table.add_row("...", f"{len(summary.unresolved) - limit} more", "")
    return table


def report(summary: LoadSummary, console: Console, *, as_json: bool = False) -> None:
    """Print the summary: a table (and the unresolved reasons), or one JSON object."""
    if as_json:
        console.print_json(json.dumps(summary.as_dict()))
        return
    console.print(summary_table(summary))
    if summary.unresolved:
        console.print(unresolved_table(summary))
    style = {"complete": "green", "partial": "yellow", "skipped": "yellow"}[summary.enrichment]
    if summary.failure:
        console.print(f"[bold red]failed:[/] {summary.failure}")
    for message in summary.messages:
        console.print(f"[{style}]{message}[/]")
    if summary.enrichment == "complete" and not summary.failure:
        console.print("[green]load complete[/]")


def run_load_command(
    refs: list[PaperRef],
    *,
    driver: Driver,
    settings: Settings,
    source: str,
    depth: int = 1,
    max_papers: int | None = None,
    max_citations_per_paper: int | None = None,
    offline: bool = False,
    analytics: bool = True,
    as_json: bool = False,
    out: Console | None = None,
    err: Console | None = None,
    cache_ages: CacheAges | None = None,
    complete: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """What ``citekb load SOURCE`` does after parsing: load, report, analytics; the exit code.

    The progress bar and messages go to ``err`` (stderr), the summary to
    ``out`` (stdout). Analytics (PageRank, communities) are recomputed after
    a load that wrote anything, unless ``analytics`` is False; the load has
    already bumped the graph version, so skipped analytics show as stale.
    """
    out = out or Console()
    err = err or Console(stderr=True)
    request = LoadRequest(
        refs,
        source,
        depth=depth,
        max_papers=max_papers,
        max_citations_per_paper=max_citations_per_paper,
        offline=offline,
        cache_ages=cache_ages,
        complete=complete,
    )
    summary = load_refs(request, driver=driver, settings=settings, console=err, transport=transport)
    report(summary, out, as_json=as_json)
    if summary.failure is None and analytics and summary.writes.transactions:
        from graph_api.store.analytics_store import run_analytics_command

        run_analytics_command(
            driver,
            settings.neo4j_database,
            err,
            status_only=False,
            topic_min_papers=settings.analytics_topic_min_papers,
            topic_top=settings.analytics_topic_top,
        )
    elif not analytics:
        err.print("analytics not recomputed (--no-analytics): run `citekb analytics`")
    return summary.exit_code


def run_refresh_command(
    *,
    driver: Driver,
    settings: Settings,
    older_than_s: float,
    analytics: bool = True,
    as_json: bool = False,
    out: Console | None = None,
    err: Console | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """``citekb refresh``: every seed of the graph loaded again at depth 1 (loaders/refresh.py).

    Reference/citation pages older than ``older_than_s`` and not-found
    answers older than the smaller of that and ``S2_MAX_AGE_NOT_FOUND_H`` are
    fetched again; what is new is merged and counted on the load's record.
    """
    err = err or Console(stderr=True)
    refs = seed_refs_sync(driver, database=settings.neo4j_database)
    if not refs:
        err.print("no seeds in the graph: load a source first (`citekb load SOURCE`)")
        return EXIT_OK
    placeholders = sum(1 for r in refs if r.s2_id is None)
    err.print(f"refreshing {len(refs)} seeds ({placeholders} not yet resolved in Semantic Scholar)")
    return run_load_command(
        refs,
        driver=driver,
        settings=settings,
        source="refresh",
        depth=1,
        analytics=analytics,
        as_json=as_json,
        out=out,
        err=err,
        cache_ages=refresh_ages(settings.s2_config().cache_ages, older_than_s),
        transport=transport,
    )
