"""The ``citekb`` command line.

Each command group lives with the code it drives; this module only wires
them together and keeps the error handling uniform: a known failure prints
one clear line and exits non-zero, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from neo4j import Driver
from neo4j.exceptions import AuthError, ServiceUnavailable
from rich.console import Console

from graph_api.server import neo4j_server
from graph_api.settings import Settings, get_settings
from graph_api.store import graph_store

app = typer.Typer(
    name="citekb",
    help="citekb: a citation-graph knowledge base (Neo4j + GraphQL).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Run and prepare the Neo4j server.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# emoji=False: "file:100:" in an error message must not turn into an emoji.
console = Console(stderr=True, emoji=False)

EXIT_FAILURE = 1


def fail(message: str, code: int = EXIT_FAILURE) -> typer.Exit:
    # soft_wrap: a long path stays one piece a user can copy (the terminal
    # wraps it for display; rich would cut it with a newline at 80 columns).
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def sole_writer(driver: Driver, settings: Settings, what: str, wait_s: float) -> Iterator[None]:
    """The graph's writer lease for a command (graph_api/store/writer_lease.py).

    Another writer (an API job, another ``citekb load``) holding it ends the
    command with a clear message before anything is written; ``--wait``
    waits for it first.
    """
    from rich.markup import escape

    from graph_api.store.writer_lease import WriterBusy, holding_writer_lease

    try:
        with holding_writer_lease(
            driver, settings.neo4j_database, what, wait_s=wait_s, ttl_s=settings.writer_lease_ttl_s
        ):
            yield
    except WriterBusy as exc:
        raise fail(escape(str(exc)) + "; or pass --wait SECONDS") from exc


WAIT_HELP = "Seconds to wait for another writer (a load, analytics, an API job) to finish."


@contextmanager
def connected(settings: Settings | None = None) -> Iterator[tuple[Driver, Settings]]:
    """A sync driver to the configured server, or a clear error if none answers."""
    settings = settings or get_settings()
    where = neo4j_server.endpoint(settings)
    driver = graph_store.driver_for(settings, where.uri)
    try:
        driver.verify_connectivity()
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        raise fail(
            f"Neo4j is not answering at {where.uri} ({where.detail}); run `citekb db up`"
        ) from exc
    except AuthError as exc:
        driver.close()
        raise fail(
            f"Neo4j at {where.uri} rejected the configured NEO4J_USER/NEO4J_PASSWORD"
        ) from exc
    try:
        yield driver, settings
    finally:
        driver.close()


@db_app.command("up")
def db_up(
    fresh: bool = typer.Option(False, "--fresh", help="Start from an empty database."),
    init: bool = typer.Option(True, "--init/--no-init", help="Apply the schema after start."),
) -> None:
    """Start Neo4j (NEO4J_URI, docker compose, or the local Maven-fetched server)."""
    settings = get_settings()
    try:
        where, took = neo4j_server.up(settings, fresh=fresh)
    except neo4j_server.Neo4jUnavailable as exc:
        raise fail(str(exc)) from exc
    console.print(f"Neo4j up at {where.uri} ({where.detail}) in {took:.1f}s")
    if init:
        with connected(settings) as (driver, s):
            n = graph_store.apply_schema(driver, s.neo4j_database)
        console.print(f"schema applied ({n} statements)")


@db_app.command("down")
def db_down() -> None:
    """Stop the server citekb started."""
    console.print(neo4j_server.down(get_settings()))


@db_app.command("status")
def db_status() -> None:
    """Where the server is, its version and edition, and whether the schema is applied."""
    settings = get_settings()
    with connected(settings) as (driver, s):
        info = graph_store.server_info(driver, s.neo4j_database)
        applied = graph_store.schema_applied(driver, s.neo4j_database)
    where = neo4j_server.endpoint(settings)
    typer.echo(f"uri:     {where.uri} ({where.mode}: {where.detail})")
    typer.echo(f"server:  {info.name} {info.version} {info.edition}")
    typer.echo(f"schema:  {'applied' if applied else 'NOT applied (run `citekb db init`)'}")


@db_app.command(
    "shell", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def db_shell(
    ctx: typer.Context,
    driver_repl: bool = typer.Option(
        False, "--driver", help="Use citekb's REPL over the Python driver, not cypher-shell."
    ),
) -> None:
    """Cypher at the configured server: cypher-shell (fetched from Maven Central once; extra
    arguments go to it, e.g. `--format plain`), else a REPL over the driver."""
    import os
    import subprocess
    import sys

    from graph_api.cli.shell import run_repl
    from graph_api.server import neo4j_tools

    settings = get_settings()
    if not driver_repl:
        where = neo4j_server.endpoint(settings)
        try:
            java = neo4j_server.java_binary()
            argv, secret = neo4j_tools.cypher_shell_command(settings, where.uri, java, ctx.args)
        except (neo4j_tools.ToolUnavailable, neo4j_server.Neo4jUnavailable) as exc:
            console.print(f"cypher-shell unavailable ({exc}); using citekb's driver REPL")
        else:
            raise typer.Exit(subprocess.call(argv, env={**os.environ, **secret}))
    with connected(settings) as (driver, s):
        failed = run_repl(driver, s.neo4j_database, sys.stdin, Console(emoji=False))
    raise typer.Exit(1 if failed else 0)


@db_app.command("init")
def db_init() -> None:
    """Apply constraints and indexes (idempotent)."""
    with connected() as (driver, s):
        n = graph_store.apply_schema(driver, s.neo4j_database)
    console.print(f"schema applied ({n} statements)")


@app.command("load")
def load(
    source: Annotated[
        Path | None,
        typer.Argument(
            help="Daily Papers page (text), Daily Papers JSON, id list, or S2 Datasets directory"
            " (not needed with --complete)."
        ),
    ] = None,
    *,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only parse and print the entries; touch neither S2 nor Neo4j."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print one JSON object per entry (with --dry-run) or the summary."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="YYYY-MM-DD: the reference date for page dates shown without a year."
    ),
    topics: bool = typer.Option(False, "--topics", help="With --dry-run: add keyphrase topics."),
    depth: int = typer.Option(
        1,
        "--depth",
        min=0,
        max=2,
        help="0: the listed papers; 1: also what they cite and what cites them;"
        " 2: one more hop of references (bounded by --max-papers, default 2000).",
    ),
    max_papers: int | None = typer.Option(
        None, "--max-papers", min=1, help="Stop adding papers beyond this many."
    ),
    max_citations_per_paper: int | None = typer.Option(
        None, "--max-citations-per-paper", min=0, help="Read at most this many citations a paper."
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Answer S2 requests from the on-disk cache only."
    ),
    no_analytics: bool = typer.Option(
        False, "--no-analytics", help="Do not recompute PageRank/communities after the load."
    ),
    importer: bool | None = typer.Option(
        None,
        "--importer/--online",
        help="Datasets directory: write through Neo4j's offline importer (empty database only)"
        " or online transactions; default: the importer when the database is empty and"
        " citekb runs the server itself.",
    ),
    wait: float = typer.Option(0.0, "--wait", min=0.0, help=WAIT_HELP),
    refresh: bool = typer.Option(
        False,
        "--refresh",
        help="Ask S2 again for everything, whatever the age of the cached answers.",
    ),
    complete: str | None = typer.Option(
        None,
        "--complete",
        metavar="IDS",
        help="Comma-separated paper ids (any form): load them with their references and"
        " citations, the references of every paper citing them and the citations of every"
        " paper they cite (what their disruption index needs).",
    ),
) -> None:
    """Load papers from SOURCE (the type is detected from the content)."""
    from rich.markup import escape

    from loaders.dry_run import dry_run_lines
    from loaders.sources import SourceError

    reference: date | None = None
    if as_of is not None:
        try:
            reference = date.fromisoformat(as_of)
        except ValueError as exc:
            raise fail(f"--as-of expects a date as YYYY-MM-DD, got {escape(as_of)!r}") from exc
    if complete is not None and (source is not None or dry_run):
        raise fail("--complete IDS takes the papers from IDS: give no SOURCE and no --dry-run")
    if complete is None and source is None:
        raise fail("give a SOURCE to load (or --complete IDS)")
    if source is not None and source.is_dir() and not dry_run:
        _load_datasets_dir(source, importer, wait)
        return
    if not dry_run:
        _load_source(
            source,
            reference,
            depth=1 if complete is not None else depth,
            max_papers=max_papers,
            max_citations_per_paper=max_citations_per_paper,
            offline=offline,
            analytics=not no_analytics,
            as_json=json_output,
            wait=wait,
            refresh=refresh,
            complete_ids=complete,
        )
        return
    assert source is not None
    try:
        for line in dry_run_lines(source, as_of=reference, as_json=json_output, topics=topics):
            typer.echo(line)
    except SourceError as exc:
        raise fail(escape(str(exc))) from exc


def _load_source(
    source: Path | None,
    as_of: date | None,
    *,
    depth: int,
    max_papers: int | None,
    max_citations_per_paper: int | None,
    offline: bool,
    analytics: bool,
    as_json: bool,
    wait: float,
    refresh: bool = False,
    complete_ids: str | None = None,
) -> None:
    """A page, JSON or id list: S2 resolution + enrichment -> Neo4j (graph_api/cli/load.py)."""
    from neo4j.exceptions import DriverError, Neo4jError
    from rich.markup import escape

    from graph_api.cli.load import parse, parse_id_option, run_load_command
    from loaders.s2_cache import CacheAges
    from loaders.sources import SourceError

    try:
        refs = parse(source, as_of) if source is not None else parse_id_option(complete_ids or "")
    except (SourceError, ValueError) as exc:
        raise fail(escape(str(exc))) from exc
    where = str(source) if source is not None else f"--complete {complete_ids}"
    with connected() as (driver, s), sole_writer(driver, s, f"citekb load {where}", wait):
        try:
            code = run_load_command(
                refs,
                driver=driver,
                settings=s,
                source=where,
                depth=depth,
                max_papers=max_papers,
                max_citations_per_paper=max_citations_per_paper,
                offline=offline,
                analytics=analytics,
                as_json=as_json,
                cache_ages=CacheAges.refresh_all() if refresh else None,
                complete=complete_ids is not None,
            )
        except (Neo4jError, DriverError) as exc:
            raise fail(
                f"writing {escape(where)} failed: {escape(str(exc))};"
                " committed batches stay, re-running the load completes it"
            ) from exc
    raise typer.Exit(code)


@app.command("refresh")
def refresh_command(
    older_than: str = typer.Option(
        "7d",
        "--older-than",
        help="Ask S2 again for reference/citation lists cached longer than this (s, m, h, d, w);"
        " not-found answers too when older than this or S2_MAX_AGE_NOT_FOUND_H.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    no_analytics: bool = typer.Option(
        False, "--no-analytics", help="Do not recompute PageRank/communities afterwards."
    ),
) -> None:
    """Re-fetch the citations of every seed and retry unresolved entries; merge what is new."""
    from neo4j.exceptions import DriverError, Neo4jError
    from rich.markup import escape

    from graph_api.cli.load import run_refresh_command
    from loaders.refresh import parse_age

    try:
        older_than_s = parse_age(older_than)
    except ValueError as exc:
        raise fail(f"--older-than: {escape(str(exc))}") from exc
    with connected() as (driver, s), sole_writer(driver, s, "citekb refresh", 0.0):
        try:
            code = run_refresh_command(
                driver=driver,
                settings=s,
                older_than_s=older_than_s,
                analytics=not no_analytics,
                as_json=json_output,
            )
        except (Neo4jError, DriverError) as exc:
            raise fail(
                f"refresh failed: {escape(str(exc))}; committed batches stay, rerun to complete"
            ) from exc
    raise typer.Exit(code)


collection_app = typer.Typer(
    help="Saved seed sets for the change feed (`changes`, `Collection.newCitations`).",
    no_args_is_help=True,
)
app.add_typer(collection_app, name="collection")


@collection_app.command("save")
def collection_save(
    name: Annotated[str, typer.Argument(help="The collection's name (saving again replaces it).")],
    ids: Annotated[list[str], typer.Argument(help="Its seeds: paper ids in any form.")],
) -> None:
    """Save (or replace) a named seed set of papers already in the graph.

    Every id must name a paper of the graph; one error names every id that
    does not (malformed, or not loaded), and nothing is saved then.
    """
    from rich.markup import escape

    from graph_api.store import collections

    with connected() as (driver, s):
        try:
            name = collections.check_name(name)
            seeds = collections.resolve_ids(driver, s.neo4j_database, ids)
            before = collections.list_sync(driver, s.neo4j_database, [name])
            saved = collections.save_sync(driver, s.neo4j_database, name, seeds)
        except collections.CollectionError as exc:
            raise fail(escape(str(exc))) from exc
    n = len(saved["seeds"])
    what = f"{n} seed{'' if n == 1 else 's'}"
    if before:
        typer.echo(
            f"collection {saved['name']!r} replaced: {what} (it had {len(before[0]['seeds'])})"
        )
    else:
        typer.echo(f"collection {saved['name']!r} saved: {what}")


@collection_app.command("list")
def collection_list() -> None:
    """The saved collections and their seeds: name, count and paperIds, tab-separated."""
    from graph_api.store import collections

    with connected() as (driver, s):
        found = collections.list_sync(driver, s.neo4j_database)
    if not found:
        typer.echo("no collections (`citekb collection save NAME ID...` makes one)")
    for c in found:
        typer.echo(f"{c['name']}\t{len(c['seeds'])} seeds\t{' '.join(c['seeds'])}")


def _load_datasets_dir(source: Path, importer: bool | None, wait: float) -> None:
    """The bulk path: a directory in the S2 Datasets format.

    Into an empty database on citekb's own server, the offline importer
    (graph_api/server/offline_load.py); otherwise online transactions
    (loaders/bulk_load.py), holding the writer lease (an offline import has
    the stopped server to itself). ``importer`` True/False forces the choice; a
    forced import into a non-empty database is refused, and one the importer
    cannot reach (NEO4J_URI, docker) is written online with a note saying so.
    """
    from neo4j.exceptions import DriverError, Neo4jError
    from rich.markup import escape

    from graph_api.cli.bulk import run_load_command, run_offline_load_command
    from graph_api.server.neo4j_import import ImportFailed
    from graph_api.server.offline_load import DatabaseNotEmpty, importer_target
    from loaders.bulk_load import DEFAULT_BATCH_SIZE
    from loaders.s2_datasets import DatasetError

    with connected() as (driver, s):
        server: neo4j_server.LocalServer | None = None
        if importer is not False:
            nodes = graph_store.node_count(driver, s.neo4j_database)
            if nodes and importer:
                raise fail(escape(str(DatabaseNotEmpty(nodes))))
            if not nodes:
                target = importer_target(s)
                if isinstance(target, str):
                    console.print(f"note: {escape(target)}; writing online instead")
                else:
                    server = target
        try:
            if server is None:
                with sole_writer(driver, s, f"citekb load {source}", wait):
                    run_load_command(
                        driver, source, s.neo4j_database, console, batch_size=DEFAULT_BATCH_SIZE
                    )
                return
            driver.close()
            run_offline_load_command(server, s, source, console)
        except DatasetError as exc:
            raise fail(escape(str(exc))) from exc
        except DatabaseNotEmpty as exc:
            raise fail(escape(str(exc))) from exc
        except ImportFailed as exc:
            raise fail(
                f"{escape(str(exc))}; the database was left as it was and the server restarted"
            ) from exc
        except (Neo4jError, DriverError) as exc:
            raise fail(
                f"writing {escape(str(source))} failed: {escape(str(exc))};"
                " committed batches stay, re-running the load completes it"
            ) from exc


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the corpus into.")],
    *,
    papers: int = typer.Option(1000, "--papers", min=1, help="How many papers."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same files."),
    refs_mean: float = typer.Option(10.6, "--refs-mean", min=0.0, help="Mean references/paper."),
    embeddings: bool = typer.Option(
        False,
        "--embeddings",
        help="Also write embeddings.jsonl: synthetic 768-float vectors clustered by field.",
    ),
    sibling_field: float = typer.Option(
        0.0,
        "--sibling-field",
        min=0.0,
        help="Share of references drawn from the paper's sibling field (0 keeps old corpora).",
    ),
    openalex: bool = typer.Option(
        False,
        "--openalex",
        help="Also write openalex_works.jsonl (authorships with institutions, ROR ids,"
        " topics; joined by a synthetic DOI) and leave S2 affiliations empty, as on real data.",
    ),
) -> None:
    """Write a synthetic corpus (S2 Datasets format, labelled synthetic) for demos and bench."""
    from graph_api.cli.bulk import run_synth_command
    from loaders.synth import SynthConfig

    try:
        cfg = SynthConfig(
            papers=papers,
            seed=seed,
            refs_mean=refs_mean,
            embeddings=embeddings,
            sibling_field=sibling_field,
            openalex=openalex,
        )
    except ValueError as exc:
        raise fail(str(exc)) from exc
    run_synth_command(cfg, out, console)


@app.command("analytics")
def analytics(
    status: bool = typer.Option(
        False, "--status", help="Only say whether the stored scores match the graph version."
    ),
    seed: int = typer.Option(42, "--seed", help="Louvain random seed (same seed, same result)."),
    resolution: float = typer.Option(
        1.0, "--resolution", min=0.0, help="Louvain resolution: higher gives smaller communities."
    ),
    wait: float = typer.Option(0.0, "--wait", min=0.0, help=WAIT_HELP),
) -> None:
    """Compute PageRank and communities and store them on the papers (graph analytics)."""
    from graph_api.store.analytics_store import run_analytics_command

    with connected() as (driver, s):
        if status:
            run_analytics_command(driver, s.neo4j_database, console, status_only=True)
            return
        with sole_writer(driver, s, "citekb analytics", wait):
            run_analytics_command(
                driver, s.neo4j_database, console, status_only=False, seed=seed,
                resolution=resolution, topic_min_papers=s.analytics_topic_min_papers,
                topic_top=s.analytics_topic_top,
            )  # fmt: skip


@app.command("export")
def export(
    *,
    out: Annotated[
        Path,
        typer.Option("--out", help="Output file (graphml, gexf, bibtex, ris) or directory (csv)."),
    ],
    fmt: str = typer.Option("graphml", "--format", help="graphml, gexf, csv, bibtex or ris."),
    lineage: str | None = typer.Option(
        None, "--lineage", help="Only this paper's lineage (any id form: arXiv:, DOI:, URL...)."
    ),
    depth: int = typer.Option(2, "--depth", help="Lineage depth, 1..5."),
    direction: str = typer.Option(
        "both", "--direction", help="Lineage side: ancestors, descendants or both."
    ),
    community: int | None = typer.Option(None, "--community", help="Only this stored community."),
    similar: Annotated[
        list[str] | None,
        typer.Option("--similar", help="The similarity graph of this paper (repeat for more)."),
    ] = None,
    first: int = typer.Option(40, "--first", help="Papers in a similarity graph, 1..1000."),
    paper: Annotated[
        list[str] | None,
        typer.Option("--paper", help="A collection: these papers (repeat the option)."),
    ] = None,
) -> None:
    """Export the citation graph, a lineage, community, similarity graph or collection."""
    from rich.markup import escape

    from graph_api.store.graph_export import ExportError, run_export_command

    with connected() as (driver, s):
        try:
            run_export_command(
                driver,
                s.neo4j_database,
                console,
                fmt=fmt,
                out=out,
                lineage_of=lineage,
                depth=depth,
                side=direction,
                community=community,
                similar_to=similar or [],
                first=first,
                papers=paper or [],
            )
        except ExportError as exc:
            raise fail(escape(str(exc))) from exc


# --- GraphQL API (logic in service.app, service.schema, server.playground) ---
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
playground_app = typer.Typer(
    help="The npm files of the GraphiQL playground and the explorer.", no_args_is_help=True
)
app.add_typer(playground_app, name="playground")


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, help="Bind address (default API_HOST)."),
    port: int | None = typer.Option(None, help="Port (default API_PORT)."),
    workers: int | None = typer.Option(None, help="Worker processes (default API_WORKERS)."),
) -> None:
    """Serve the GraphQL API, the playground at /graphql and the explorer at /explore."""
    from graph_api.service.app import serve as serve_api

    s = get_settings()
    serve_api(
        s,
        host=host or s.api_host,
        port=port or s.api_port,
        workers=workers or s.api_workers,
    )


@schema_app.command("export")
def schema_export() -> None:
    """Write the SDL to schema.graphql at the repository root."""
    from graph_api.service.schema import export as export_sdl

    console.print(f"wrote {export_sdl()}")


@playground_app.command("install")
def playground_install() -> None:
    """Fetch GraphiQL's and Cytoscape.js's files with npm (checked against pinned hashes)."""
    from graph_api.server.explorer import EXPLORER
    from graph_api.server.playground import GRAPHIQL, AssetsUnavailable, install_assets

    for bundle, what in ((GRAPHIQL, "playground"), (EXPLORER, "explorer")):
        try:
            folder = install_assets(get_settings(), bundle=bundle)
        except AssetsUnavailable as exc:
            raise fail(str(exc)) from exc
        console.print(f"{what} files ready in {folder}")


if __name__ == "__main__":  # pragma: no cover
    app()
