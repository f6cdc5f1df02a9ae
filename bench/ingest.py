"""Ingest benchmark: the batched writer against a naive baseline, then the S2 API pipeline.

``python -m bench.ingest [--papers N]`` (see BENCHMARKS.md for what each figure means):

1. **Same rows, both writers.** The first ``--naive-papers`` paper rows and
   ``--naive-cites`` CITES rows of the corpus, exactly as the bulk path builds
   them, are written by :func:`loaders.graph_writer.write_rows` (UNWIND
   batches) into an empty graph, then, after clearing it, by the naive
   baseline: ``cypher/bench/naive_paper`` / ``naive_cites``, one auto-commit
   transaction per row. Same statements per row, same rows, same server.
2. **Whole corpus, batched.** ``citekb load DIR`` (the bulk path,
   :func:`loaders.bulk_load.load_datasets_dir`) of the full synthetic corpus
   into an empty graph: papers/s and CITES/s from the writer's own per-kind
   timings, plus the end-to-end wall time (parse + write).
3. **S2 API pipeline.** ``--pipeline-seeds`` paper ids from a small synthetic
   corpus served by the fake S2 (``tests.fakes.fake_s2``, 100 ms per call) to the
   real client at 1 req/s, loaded at depth 1 by :func:`loaders.pipeline.run_load`:
   S2 requests and wall time per seed, scaled to 1,000 papers, against the
   minimum the rate limit allows (requests x 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from neo4j import Driver
from pydantic import SecretStr

import cypher
from bench import profiles, results
from bench.corpus import Corpus, citekb_command, ensure_corpus
from bench.server import BenchNeo4j, bench_neo4j, connected_driver, process_cpu_seconds
from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders import s2_datasets
from loaders.bulk_load import DEFAULT_BATCH_SIZE, load_datasets_dir
from loaders.graph_writer import DEFAULT_CONCURRENCY, graph_counts, now_iso, write_rows
from loaders.rows import GraphRows, PaperRef, Row
from loaders.s2_client import AUTHOR_BATCH_MAX, PAPER_BATCH_MAX

DEFAULT_PAPERS = 5000
TARGET_CITES_PER_S = 20_000
TARGET_RATIO = 20.0
# Issue 13: the first load through the importer and the online writer.
TARGET_FIRST_LOAD_S = 30.0
TARGET_IMPORT_CITES = 200_000
TARGET_ONLINE_CITES = 30_000
TARGET_ONLINE_PAPERS = 10_000
FAKE_S2_BASE = "http://fake-s2/graph/v1"


# --- 1. same rows, both writers ------------------------------------------------
def sample_rows(corpus: Corpus, n_papers: int, n_cites: int) -> tuple[list[Row], list[Row]]:
    """The first paper and CITES rows of the corpus, built as the bulk path builds them."""
    files = s2_datasets.find_files(corpus.path)
    validation = s2_datasets.validate(files)

    def first_chunk(kind: str, size: int) -> GraphRows:
        only = [fc for fc in validation.files if fc.kind == kind]
        part = s2_datasets.Validation(files=only, paper_ids=validation.paper_ids)
        for chunk in s2_datasets.iter_chunks(part, paper_chunk=size, citation_chunk=size):
            return chunk.rows
        return GraphRows()

    papers = first_chunk("papers", n_papers).papers[:n_papers]
    cites = first_chunk("citations", n_cites).cites[:n_cites]
    return papers, cites


def batched_write(driver: Driver, db: str, papers: list[Row], cites: list[Row]) -> dict[str, float]:
    took: dict[str, float] = {}
    for kind, rows in (("papers", GraphRows(papers=papers)), ("cites", GraphRows(cites=cites))):
        started = time.perf_counter()
        write_rows(
            driver,
            rows,
            database=db,
            batch_size=DEFAULT_BATCH_SIZE,
            record_load=False,
            merge_placeholders=False,
        )
        took[kind] = time.perf_counter() - started
    return took


def naive_write(driver: Driver, db: str, papers: list[Row], cites: list[Row]) -> dict[str, float]:
    took: dict[str, float] = {}
    loaded_at = now_iso()
    paper_stmt = cypher.statement("bench/naive_paper")
    cite_stmt = cypher.statement("bench/naive_cites")
    with driver.session(database=db) as session:
        started = time.perf_counter()
        for row in papers:
            session.run(paper_stmt, {"row": row, "loadedAt": loaded_at}).consume()
        took["papers"] = time.perf_counter() - started
        started = time.perf_counter()
        for row in cites:
            session.run(cite_stmt, {"row": row}).consume()
        took["cites"] = time.perf_counter() - started
    return took


def same_rows(
    driver: Driver, db: str, corpus: Corpus, n_papers: int, n_cites: int, *, rounds: int
) -> dict[str, Any]:
    """Both writers on the same rows, alternating for ``rounds`` rounds; medians compared.

    Alternating keeps a change in the machine's load (the cores are shared)
    from favouring one writer; each write starts from an empty graph.
    """
    papers, cites = sample_rows(corpus, n_papers, n_cites)
    # Warm both paths up (query plans, JIT) on a few rows, then start empty.
    batched_write(driver, db, papers[:200], cites[:200])
    graph_store.clear_data(driver, db)
    naive_write(driver, db, papers[:200], cites[:200])
    graph_store.clear_data(driver, db)

    runs: dict[str, list[dict[str, float]]] = {"batched": [], "naive": []}
    for _ in range(rounds):
        for name, writer in (("batched", batched_write), ("naive", naive_write)):
            runs[name].append(writer(driver, db, papers, cites))
            graph_store.clear_data(driver, db)
    out: dict[str, Any] = {"papers": len(papers), "cites": len(cites), "rounds": rounds}
    for kind, n in (("papers", len(papers)), ("cites", len(cites))):
        b_s = statistics.median(r[kind] for r in runs["batched"])
        n_s = statistics.median(r[kind] for r in runs["naive"])
        out[kind + "Batched"] = {
            "seconds": round(b_s, 3),
            "rowsPerS": round(n / b_s),
            "allRowsPerS": [round(n / r[kind]) for r in runs["batched"]],
        }
        out[kind + "Naive"] = {
            "seconds": round(n_s, 3),
            "rowsPerS": round(n / n_s),
            "allRowsPerS": [round(n / r[kind]) for r in runs["naive"]],
        }
        out[kind + "Ratio"] = round(n_s / b_s, 1)
    return out


# --- 2. whole corpus through the bulk path -------------------------------------
def full_load(
    driver: Driver,
    db: str,
    corpus: Corpus,
    neo_pid: int | None,
    *,
    concurrency: int,
    known_new: bool,
) -> dict[str, Any]:
    """The whole corpus through the online bulk path, one writer setting, into an empty graph."""
    graph_store.clear_data(driver, db)
    neo_cpu = process_cpu_seconds(neo_pid)
    own_cpu = process_cpu_seconds(os.getpid())
    marks: dict[str, list[float]] = {}
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int | None) -> None:
        marks.setdefault(phase, []).append(time.perf_counter() - started)

    # py-spy (when installed) samples this process while it loads: how much
    # of the wall time the client is busy, and on what.
    raw = Path(tempfile.mkdtemp(prefix="citekb-bench-spy-")) / "load.raw"
    spy = profiles.start(os.getpid(), 3600, raw)
    try:
        summary = load_datasets_dir(
            driver, corpus.path, db, progress, concurrency=concurrency, known_new=known_new
        )
    finally:
        wall = time.perf_counter() - started
        profiles.stop(spy)
    client_profile = profiles.summarise(raw, wall) if spy is not None else {"available": False}
    neo_after = process_cpu_seconds(neo_pid)
    own_after = process_cpu_seconds(os.getpid())
    cpu = {
        "neo4jS": None if neo_cpu is None or neo_after is None else round(neo_after - neo_cpu, 1),
        "clientS": None if own_cpu is None or own_after is None else round(own_after - own_cpu, 1),
    }
    shutil.rmtree(raw.parent, ignore_errors=True)
    kinds = {
        name: {
            "rows": k.rows,
            "seconds": round(k.elapsed_s, 3),
            "rowsPerS": round(k.rows / k.elapsed_s) if k.elapsed_s else None,
            "nodesCreated": k.nodes_created,
            "relationshipsCreated": k.relationships_created,
        }
        for name, k in summary.counts.by_kind.items()
    }
    # The citations file's phase, parse + write: from the end of the phase
    # before it to its last chunk.
    write_phases = [p for p in marks if p.startswith("write ")]
    cites_phase: dict[str, Any] | None = None
    for i, phase in enumerate(write_phases):
        if "citations" in phase:
            begin = marks[write_phases[i - 1]][-1] if i > 0 else summary.validate_s
            seconds = marks[phase][-1] - begin
            rows = summary.records["citations"] - summary.skipped
            cites_phase = {
                "seconds": round(seconds, 3),
                "rows": rows,
                "rowsPerS": round(rows / seconds),
            }
    return {
        "wallS": round(wall, 3),
        "validateS": round(summary.validate_s, 3),
        "writeS": round(summary.write_s, 3),
        "transactions": summary.counts.transactions,
        "retries": summary.counts.retries,
        "concurrency": concurrency,
        "knownNew": known_new,
        "batchSize": DEFAULT_BATCH_SIZE,
        "records": summary.records,
        "skipped": summary.skipped,
        "kinds": kinds,
        "citationsPhase": cites_phase,
        "nodesCreated": summary.counts.nodes_created,
        "relationshipsCreated": summary.counts.relationships_created,
        "clientProfile": client_profile,
        "cpuSeconds": cpu,
    }


def timed_clear(driver: Driver, db: str) -> dict[str, Any]:
    """Empty the loaded graph with graph_store.clear_data (batched DETACH DELETE)."""
    started = time.perf_counter()
    try:
        graph_store.clear_data(driver, db)
    except Exception as exc:  # recorded, not fatal: the load's figures are already in
        return {"ok": False, "error": str(exc)[:300], "seconds": time.perf_counter() - started}
    return {"ok": True, "seconds": round(time.perf_counter() - started, 2)}


# --- 2b. the first load through the offline importer ---------------------------
_PHASE = re.compile(r"\b(csv|stop|import|start|schema|meta|indexes) (\d+(?:\.\d+)?)s")
_REPORTED = re.compile(r"the importer reports (\d+(?:\.\d+)?)s")
_STEP = re.compile(r"import step ([\d,]+) CITES/s")


def importer_figures(output: str, cites: int) -> dict[str, Any]:
    """Phases, the importer's own time and CITES/s, from ``citekb load --importer``'s output.

    ``importCitesPerS`` is the CLI's own figure, from the unrounded import
    phase; the phases it prints are rounded to 0.1 s, which moves a 5 s
    step's rate by up to 1%. Older output without it falls back to those.

    >>> out = ("offline importer (empty database): nodes 2; import 5.0s, start 1.6s;"
    ...        " import step 199,121 CITES/s (the importer reports 3.7s)")
    >>> f = importer_figures(out, 1_004_367)
    >>> f["importCitesPerS"], f["phases"]["import"], f["importerOwnCitesPerS"]
    (199121, 5.0, 271451)
    """
    flat = " ".join(output.split())
    # From the summary line on: the progress bars before it are left out.
    flat = flat[max(flat.find("offline importer (empty database)"), 0) :]
    phases = {name: float(sec) for name, sec in _PHASE.findall(flat)}
    reported = _REPORTED.search(flat)
    step = _STEP.search(flat)
    rounded = round(cites / phases["import"]) if phases.get("import") else None
    return {
        "phases": phases,
        "importerReportedS": float(reported.group(1)) if reported else None,
        "importCitesPerS": int(step.group(1).replace(",", "")) if step else rounded,
        "importerOwnCitesPerS": round(cites / float(reported.group(1))) if reported else None,
    }


def importer_load(driver: Driver, neo: BenchNeo4j, corpus: Corpus) -> dict[str, Any]:
    """``citekb load DIR --importer`` as a separate process, against the benchmark's own server.

    The command runs in local mode with a cache folder of symlinks: the
    jars are the real ones and ``instances/default`` is this benchmark's
    server home, so the CLI stops, imports into and restarts exactly this
    server. py-spy samples the CLI process (its CSV pass is Python).
    """
    if neo.server is None:
        return {"available": False, "why": "NEO4J_URI: the store is out of the importer's reach"}
    server = neo.server
    db = neo.settings.neo4j_database
    graph_store.clear_data(driver, db)
    cache = Path(tempfile.mkdtemp(prefix="citekb-bench-importer-"))
    version = neo.settings.neo4j_version
    (cache / "neo4j" / "instances").mkdir(parents=True)
    (cache / "neo4j" / version).symlink_to(server.lib.parent, target_is_directory=True)
    (cache / "neo4j" / "instances" / "default").symlink_to(server.home, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    env.update(
        CITEKB_CACHE_DIR=str(cache),
        CITEKB_NEO4J_MODE="local",
        NEO4J_BOLT_PORT=str(server.bolt_port),
        NEO4J_HTTP_PORT=str(server.http_port),
        NEO4J_HEAP=server.heap,
        NEO4J_PAGECACHE=server.pagecache,
        COLUMNS="200",
    )
    load_before = results.load_average()
    raw = cache / "cli.raw"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*citekb_command(), "load", str(corpus.path), "--importer"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    spy = profiles.start(proc.pid, 3600, raw)
    output, _ = proc.communicate()
    wall = time.perf_counter() - started
    profiles.stop(spy)
    client_profile = profiles.summarise(raw, wall) if spy is not None else {"available": False}
    shutil.rmtree(cache, ignore_errors=True)
    with graph_store.driver_for(neo.settings, server.uri) as fresh:
        counts = graph_counts(fresh, database=db)
        schema = graph_store.schema_applied(fresh, db)
    return {
        "available": True,
        "exitCode": proc.returncode,
        "wallS": round(wall, 3),
        **importer_figures(output, counts.get("cites", 0)),
        "counts": counts,
        "schemaApplied": schema,
        "loadAverageBefore": load_before,
        "loadAverageAfter": results.load_average(),
        "clientProfile": client_profile,
        "outputTail": output.splitlines()[-6:],
    }


# --- 3. the S2 API pipeline through the fake S2 --------------------------------
def pick_seeds(corpus_dir: Path, n: int) -> list[PaperRef]:
    """``n`` paper ids spread over the middle of the corpus (they both cite and are cited)."""
    papers = [rec for _, rec in s2_datasets.iter_records(corpus_dir / "papers.jsonl")]
    middle = papers[len(papers) // 3 : 2 * len(papers) // 3]
    step = max(1, len(middle) // n)
    return [
        PaperRef(title=str(rec["title"]), s2_id=str(rec["paperId"]), source=f"bench:{i}")
        for i, rec in enumerate(middle[::step][:n])
    ]


async def _pipeline(
    driver: Driver, settings: Settings, refs: list[PaperRef], fake: Any
) -> tuple[Any, int, float]:
    from tests.fakes.fake_s2 import load_through

    started = time.perf_counter()
    summary, stats = await load_through(fake, refs, settings, driver, depth=1, source="bench")
    return summary, stats.requests_sent, time.perf_counter() - started


def pipeline(
    driver: Driver,
    neo: BenchNeo4j,
    *,
    seeds: int,
    corpus_papers: int,
    latency_s: float,
    rate: float,
) -> dict[str, Any]:
    from tests.fakes.fake_s2 import FakeS2
    from tests.fakes.fake_s2_corpus import corpus_from_datasets_dir

    db = neo.settings.neo4j_database
    graph_store.clear_data(driver, db)
    small = ensure_corpus(corpus_papers, seed=1)
    fake = FakeS2(corpus_from_datasets_dir(small.path), replay_recorded=False, latency_s=latency_s)
    refs = pick_seeds(small.path, seeds)
    with tempfile.TemporaryDirectory(prefix="citekb-bench-s2cache-") as cache:
        settings = neo.settings.model_copy(
            update={
                "s2_base_url": FAKE_S2_BASE,
                "s2_rate_limit": rate,
                "s2_api_key": SecretStr("bench-key"),
                "citekb_cache_dir": Path(cache),
            }
        )
        summary, sent, wall = asyncio.run(_pipeline(driver, settings, refs, fake))
    n = len(refs)
    min_s = sent / rate
    by_path: dict[str, int] = {}
    for r in fake.requests:
        key = r.method + " " + ("/paper/{id}/" + r.path.rsplit("/", 1)[-1]
                                if r.path.count("/") >= 3 else r.path)  # fmt: skip
        by_path[key] = by_path.get(key, 0) + 1
    papers_written = summary.writes.by_kind.get("papers")
    # Scaled to 1,000 seeds the way the pipeline's requests grow: edge pages
    # per seed, one id batch per 500 seeds, one author batch per 1,000 authors.
    edge_pages = sum(v for k, v in by_path.items() if k.endswith(("references", "citations")))
    authors_per_seed = summary.authors_fetched / n
    per1000 = (
        round(edge_pages / n * 1000)
        + math.ceil(1000 / PAPER_BATCH_MAX)
        + math.ceil(authors_per_seed * 1000 / AUTHOR_BATCH_MAX)
    )
    per_request_s = wall / sent if sent else 0.0
    return {
        "seeds": n,
        "corpusPapers": small.papers,
        "latencyMs": round(latency_s * 1000),
        "rateLimitPerS": rate,
        "requests": sent,
        "requestsByEndpoint": dict(sorted(by_path.items())),
        "wallS": round(wall, 2),
        "minimumS": round(min_s, 2),
        "overheadS": round(wall - min_s, 2),
        "wallPerRequestS": round(per_request_s, 3),
        "papersInGraph": papers_written.rows if papers_written else 0,
        "citesWritten": summary.cites_written,
        "enrichment": summary.enrichment,
        "resolved": summary.resolved,
        "authorsFetched": summary.authors_fetched,
        "edgePages": edge_pages,
        "per1000Seeds": {
            "requests": per1000,
            "minimumS": round(per1000 / rate),
            "wallS": round(per1000 * per_request_s),
        },
    }


def _render_load(full: dict[str, Any], title: str, same: dict[str, Any] | None) -> list[str]:
    kinds = full["kinds"]
    cites = kinds.get("cites", {})
    rate = cites.get("rowsPerS") or 0
    naive_rate = (same or {}).get("citesNaive", {}).get("rowsPerS")
    lines = [
        "",
        f"**Whole corpus, online ({title})**"
        + (f" (measured {full['measuredAt']})" if full.get("measuredAt") else "")
        + f" (`citekb load DIR --online`, batch size"
        f" {full['batchSize']:,}, {full['transactions']:,} transactions,"
        f" {full.get('retries', 0):,} retried): wall"
        f" {full['wallS']:.1f} s = check {full['validateS']:.1f} s + parse and write"
        f" {full['writeS']:.1f} s. Per kind, the writer's own time:",
        "",
        *results.table(
            ["kind", "rows", "seconds", "rows/s", "created"],
            [
                [
                    name,
                    f"{k['rows']:,}",
                    k["seconds"],
                    f"{k['rowsPerS']:,}" if k["rowsPerS"] else "-",
                    f"{k['nodesCreated'] or k['relationshipsCreated']:,}",
                ]
                for name, k in kinds.items()
            ],
        ),
        "",
        f"- **CITES/s (writer): {rate:,}**",
    ]
    if full.get("citationsPhase"):
        cp = full["citationsPhase"]
        lines.append(
            f"- CITES/s end to end (citations file parsed and written):"
            f" {cp['rowsPerS']:,} ({cp['rows']:,} rows in {cp['seconds']:.1f} s)"
        )
    cpu = full.get("cpuSeconds") or {}
    if cpu.get("neo4jS") is not None:
        lines.append(
            f"- CPU used during the load ({full['wallS']:.0f} s wall, 2 cores = "
            f"{2 * full['wallS']:.0f} core-seconds): Neo4j {cpu['neo4jS']:.0f} s, the loading"
            f" process {cpu['clientS']:.0f} s; the rest went to other work on the machine"
        )
    lines += profiles.render(full["clientProfile"], "the loading process (client side)")
    if naive_rate:
        ratio = rate / naive_rate
        lines.append(
            f"- whole-corpus CITES/s against the naive baseline's CITES/s on the subset:"
            f" {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x:"
            f" {'met' if ratio >= TARGET_RATIO else 'MISSED'}; the naive rate was measured"
            " on an empty graph and would only fall as the graph grows)"
        )
    return lines


def _render_ratios(today: dict[str, Any], fast: dict[str, Any]) -> list[str]:
    def rate(load: dict[str, Any], kind: str) -> int:
        return int(load["kinds"].get(kind, {}).get("rowsPerS") or 0)

    cites, papers, authors = (rate(fast, k) for k in ("cites", "papers", "authors"))
    lines = ["", "Concurrent writer against today's writer, same corpus, same run:", ""]
    lines += results.table(
        ["kind", "today rows/s", "concurrent rows/s", "ratio"],
        [
            [k, f"{rate(today, k):,}", f"{rate(fast, k):,}",
             f"{rate(fast, k) / rate(today, k):.2f}x" if rate(today, k) else "-"]
            for k in fast["kinds"]
        ],
    )  # fmt: skip
    lines += [
        "",
        f"- **online CITES/s: {cites:,}** (target >= {TARGET_ONLINE_CITES:,}:"
        f" {'met' if cites >= TARGET_ONLINE_CITES else 'MISSED'});"
        f" **papers/s: {papers:,}** (target >= {TARGET_ONLINE_PAPERS:,}:"
        f" {'met' if papers >= TARGET_ONLINE_PAPERS else 'MISSED'}); authors/s {authors:,}",
        f"- whole load wall {today['wallS']:.1f} s -> {fast['wallS']:.1f} s"
        f" ({today['wallS'] / fast['wallS']:.2f}x)",
    ]
    return lines


def _render_importer(imp: dict[str, Any], today: dict[str, Any] | None) -> list[str]:
    if not imp.get("available"):
        return ["", f"**First load through the offline importer**: not run ({imp.get('why')})"]
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in imp["phases"].items())
    rate = imp.get("importCitesPerS") or 0
    own = imp.get("importerOwnCitesPerS")
    wall = imp["wallS"]
    lines = [
        "",
        "**First load through the offline importer**"
        + (f" (measured {imp['measuredAt']})" if imp.get("measuredAt") else "")
        + " (`citekb load DIR --importer` as its own process, into the empty database of"
        " this run's server: CSV, stop, `neo4j-admin database import full`, start, schema,"
        f" meta; exit code {imp['exitCode']}; load average"
        f" {' / '.join(map(str, imp['loadAverageBefore']))} before,"
        f" {' / '.join(map(str, imp['loadAverageAfter']))} after):",
        "",
        f"- **whole command: {wall:.1f} s wall** (target <= {TARGET_FIRST_LOAD_S} s:"
        f" {'met' if wall <= TARGET_FIRST_LOAD_S else 'MISSED'}); phases: {phases}",
        f"- **import step: {rate:,} CITES/s** over the importer process's wall time, JVM start"
        f" included (target >= {TARGET_IMPORT_CITES:,}:"
        f" {'met' if rate >= TARGET_IMPORT_CITES else 'MISSED'})"
        + (
            f"; {own:,} CITES/s over the time the importer reports for itself"
            f" ({imp['importerReportedS']:.1f} s)"
            if own
            else ""
        ),
        f"- graph after the import: {imp['counts'].get('papers', 0):,} papers,"
        f" {imp['counts'].get('cites', 0):,} CITES, {imp['counts'].get('authors', 0):,} authors;"
        f" schema applied: {imp['schemaApplied']}",
    ]
    if today:
        lines.append(
            f"- against today's writer in the same run: whole load {today['wallS']:.1f} s ->"
            f" {wall:.1f} s (**{today['wallS'] / wall:.1f}x**)"
        )
    lines += profiles.render(imp["clientProfile"], "the `citekb load` process (CSV pass)")
    return lines


# --- report ------------------------------------------------------------------------
def render(payload: dict[str, Any]) -> list[str]:
    lines = results.header_lines(payload)
    if payload.get("neo4jDriver"):
        lines.append(f"- Python driver: {payload['neo4jDriver']}")
    same = payload.get("sameRows")
    if same:
        lines += [
            "",
            f"**Same rows, both writers** (first {same['papers']:,} paper rows and"
            f" {same['cites']:,} CITES rows of the corpus, each into an empty graph, the two"
            f" writers alternating for {same.get('rounds', 1)} rounds, medians shown"
            + (f", measured {same['measuredAt']}" if same.get("measuredAt") else "")
            + ";"
            f" batched = `write_rows`, UNWIND batches of {DEFAULT_BATCH_SIZE:,}; naive ="
            " `cypher/bench/naive_*.cypher`, one auto-commit transaction per row):",
            "",
            *results.table(
                ["rows", "batched s", "batched rows/s", "naive s", "naive rows/s", "ratio"],
                [
                    [
                        f"{same[k]:,} {label}",
                        same[k + "Batched"]["seconds"],
                        f"{same[k + 'Batched']['rowsPerS']:,}",
                        same[k + "Naive"]["seconds"],
                        f"{same[k + 'Naive']['rowsPerS']:,}",
                        f"**{same[k + 'Ratio']}x**",
                    ]
                    for k, label in (("papers", "papers"), ("cites", "CITES"))
                ],
            ),
            "",
            f"- same rows, batched against naive: papers {same['papersRatio']}x, CITES"
            f" **{same['citesRatio']}x** (target >= {TARGET_RATIO:.0f}x:"
            f" {'met' if same['citesRatio'] >= TARGET_RATIO else 'MISSED'}); every round's"
            f" rows/s: batched CITES {same['citesBatched'].get('allRowsPerS')}, naive CITES"
            f" {same['citesNaive'].get('allRowsPerS')}",
        ]
    full = payload.get("fullLoad")
    if full:
        lines += _render_load(full, "today's writer: one transaction at a time, MERGE", same)
        clear = payload.get("clear")
        if clear:
            lines.append(
                f"- emptying the loaded graph (`graph_store.clear_data`): {clear['seconds']:.1f} s"
                if clear["ok"]
                else f"- emptying the loaded graph FAILED after {clear['seconds']:.1f} s:"
                f" {clear['error']}"
            )
    fast = payload.get("concurrentLoad")
    if fast:
        lines += _render_load(
            fast,
            f"concurrent writer: {fast.get('concurrency')} transactions at once, CREATE for"
            " what the load created",
            None,
        )
        if full:
            lines += _render_ratios(full, fast)
    imp = payload.get("importer")
    if imp:
        lines += _render_importer(imp, full)
    pipe = payload.get("pipeline")
    if pipe:
        per = pipe["per1000Seeds"]
        lines += [
            "",
            "**S2 API pipeline**"
            + (f" (measured {pipe['measuredAt']})" if pipe.get("measuredAt") else "")
            + f" (`citekb load` of {pipe['seeds']} paper ids at depth 1, fake S2"
            f" over a {pipe['corpusPapers']:,}-paper synthetic corpus, {pipe['latencyMs']} ms per"
            f" call, client rate limit {pipe['rateLimitPerS']:g} req/s):",
            "",
            f"- measured: {pipe['requests']} S2 requests, wall {pipe['wallS']:.1f} s; the rate"
            f" limit alone needs {pipe['minimumS']:.1f} s (requests x 1 s), so the pipeline adds"
            f" {pipe['overheadS']:.1f} s ({pipe['wallPerRequestS']:.3f} s per request);"
            f" {pipe['papersInGraph']:,} paper rows and {pipe['citesWritten']:,} CITES written;"
            f" enrichment {pipe['enrichment']}",
            "- requests by endpoint: "
            + ", ".join(f"`{k}` {v}" for k, v in pipe["requestsByEndpoint"].items()),
            f"- **per 1,000 seed papers at depth 1: {per['requests']:,} requests, minimum"
            f" {per['minimumS'] / 60:.0f} min at 1 req/s, measured rate {per['wallS'] / 60:.0f}"
            f" min** (scaled from the {pipe['seeds']} seeds measured: {pipe['edgePages']}"
            " reference/citation pages for them, one id batch per 500 seeds,"
            " one author batch per 1,000 authors, at the measured wall time per request)",
        ]
    lines += ["", f"Raw figures: `bench/results/ingest-p{payload['corpus']['papers']}.json`."]
    return lines


def carry_over(payload: dict[str, Any], name: str, papers: int) -> None:
    """Parts skipped in this run keep the figures of the previous run (marked with its date)."""
    previous = results.read_json(name, papers)
    if previous is None:
        return
    for part in ("sameRows", "fullLoad", "concurrentLoad", "importer", "clear", "pipeline"):
        if part not in payload and part in previous:
            kept = dict(previous[part])
            kept.setdefault("measuredAt", previous.get("date"))
            payload[part] = kept


def driver_build() -> str:
    """The neo4j driver version, and whether its Rust packstream extension is loaded."""
    import importlib.metadata
    import importlib.util

    version = importlib.metadata.version("neo4j")
    rust = importlib.util.find_spec("neo4j._rust") is not None
    return f"neo4j {version}" + (" + neo4j-rust-ext" if rust else " (pure-Python packstream)")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n")[0])
    p.add_argument("--papers", type=int, default=DEFAULT_PAPERS, help="corpus size (synthetic)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--naive-papers", type=int, default=1000, help="paper rows for the baseline")
    p.add_argument("--naive-cites", type=int, default=5000, help="CITES rows for the baseline")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds of both writers")
    p.add_argument("--pipeline-seeds", type=int, default=10, help="seed ids for the S2 pipeline")
    p.add_argument("--pipeline-corpus", type=int, default=5000, help="fake S2 corpus size")
    p.add_argument("--latency-ms", type=float, default=100.0, help="fake S2 latency per call")
    p.add_argument("--rate", type=float, default=1.0, help="S2 client rate limit, req/s")
    p.add_argument(
        "--tag",
        default=None,
        help="record as ingest-<tag> (e.g. another driver build), not the main section",
    )
    p.add_argument("--skip-naive", action="store_true")
    p.add_argument("--skip-full", action="store_true")
    p.add_argument("--skip-pipeline", action="store_true")
    p.add_argument("--skip-importer", action="store_true")
    p.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help="transactions in flight for the concurrent writer",
    )
    p.add_argument("--heap", default=None, help="Neo4j heap (default: settings, 1g)")
    p.add_argument("--pagecache", default=None, help="Neo4j page cache (default: settings)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    payload = results.new_payload("ingest")
    corpus = ensure_corpus(args.papers, args.seed)
    payload["corpus"] = corpus.describe()
    with bench_neo4j(args.heap, args.pagecache) as neo, connected_driver(neo) as driver:
        payload["neo4j"] = neo.describe()
        db = neo.settings.neo4j_database
        if not args.skip_naive:
            payload["sameRows"] = same_rows(
                driver, db, corpus, args.naive_papers, args.naive_cites, rounds=args.rounds
            )
            print("same rows:", payload["sameRows"], flush=True)
        # The pipeline runs before the whole-corpus load, so that no step has
        # to empty a graph of 1M relationships first.
        if not args.skip_pipeline:
            payload["pipeline"] = pipeline(
                driver,
                neo,
                seeds=args.pipeline_seeds,
                corpus_papers=args.pipeline_corpus,
                latency_s=args.latency_ms / 1000.0,
                rate=args.rate,
            )
            print("pipeline:", payload["pipeline"], flush=True)
        if not args.skip_full:
            # Today's writer (one transaction at a time, MERGE for every row),
            # then the concurrent writer, then the importer: the same corpus,
            # each into an empty graph, back to back.
            payload["fullLoad"] = full_load(
                driver, db, corpus, neo.pid, concurrency=1, known_new=False
            )
            payload["neo4jMemory"] = neo.rss_bytes()
            print("full load (today's writer):", payload["fullLoad"], flush=True)
            payload["concurrentLoad"] = full_load(
                driver, db, corpus, neo.pid, concurrency=args.concurrency, known_new=True
            )
            print("full load (concurrent writer):", payload["concurrentLoad"], flush=True)
            payload["clear"] = timed_clear(driver, db)
            print("clear:", payload["clear"], flush=True)
        if not args.skip_importer:
            payload["importer"] = importer_load(driver, neo, corpus)
            print("importer:", payload["importer"], flush=True)
    payload["loadAverageAtEnd"] = results.load_average()
    name = "ingest" if not args.tag else f"ingest-{args.tag}"
    payload["tag"] = args.tag
    carry_over(payload, name, corpus.papers)
    payload["neo4jDriver"] = driver_build()
    results.write_json(name, corpus.papers, payload)
    title = f"Ingest, {corpus.papers:,} papers" + (f" ({args.tag})" if args.tag else "")
    results.update_section(name, corpus.papers, title, render(payload))
    return payload


if __name__ == "__main__":
    main()
