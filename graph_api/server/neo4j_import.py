"""The offline importer (``neo4j-admin database import full``) run against our local server's store.

Which program: citekb's entry point ``citekb.neo4j.FullImport``, which is
``neo4j-admin``'s own ``database import full`` command class
(``org.neo4j.importer.ImportCommand.Full``, artifact
``org.neo4j:neo4j-import-tool``) with the batch importer's background
page-cache flusher off; built once from ``graph_api/server/java/`` by
:mod:`graph_api.server.import_launcher`. Where it cannot be built (no
``javac``), ``org.neo4j.cli.AdminTool`` (artifact
``org.neo4j:neo4j-command-line``), the main class behind the ``neo4j-admin``
script, runs the same command. Both artifacts are runtime dependencies of
``org.neo4j:neo4j``, so the jars
:func:`graph_api.server.neo4j_server.ensure_jars` fetches for the server hold
them; nothing else is downloaded. The tool reads ``NEO4J_HOME`` and
``NEO4J_CONF`` from its environment, so it finds the server's own
``neo4j.conf`` (data directory, store format).

How a failure leaves the database as it was: the importer writes straight
into ``data/databases/<db>`` and ``data/transactions/<db>``, and a failed
import leaves them unusable. So, with the server stopped, both folders are
first moved aside into ``data/import-backup/`` and a journal
(``run/import-journal.json``, with the importer's pid) records it. The
import then writes fresh folders; on success the backup is deleted, on any
failure (bad CSV row, the importer killed, a timeout, an exception here) the
partial folders are deleted and the backup moved back, and the server is
started again either way. If this process itself dies in between, the
journal is still there: :func:`recover_interrupted_import`, which
``LocalServer.start`` calls first, stops the importer if it still runs and
restores the backup, so the next start serves the database as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graph_api.server import class_archive, import_launcher, unsigned_jars
from graph_api.server.store_journal import (
    journal_path,
    recover_interrupted_import,
    restore_store,
    set_store_aside,
)

# The importer's own JVM: the heap holds little (its caches are off heap,
# bounded by --max-off-heap-memory); both are small on a shared machine.
IMPORT_HEAP = "1g"
IMPORT_OFF_HEAP = "2g"

_SOURCE = re.compile(r"source:(?P<path>[^\s,\[\]]+), position:\d+, line:(?P<line>\d+)")
_ORIGINAL = re.compile(r"original error: (?P<reason>.+)")


class ImportFailed(RuntimeError):
    """The import did not complete; the database was restored. The message says why."""


@dataclass(frozen=True)
class ImportResult:
    """The importer's own report: its process's wall time and what it says it did."""

    seconds: float
    nodes: int
    relationships: int
    properties: int
    # "IMPORT DONE in 2s 135ms": the import itself, without the JVM's start.
    reported_s: float | None = None
    # The main class that ran it, and why not citekb's when it was not.
    entry_point: str = import_launcher.LAUNCHER_MAIN_CLASS
    fallback_reason: str = ""


# The end of a row the parser gave up on, reported after (or instead of, with
# the real error only "Suppressed" under it) the error that stopped it.
_END_OF_INPUT = "Near Mark["


def failure_reason(output: str) -> str:
    """The importer's complaint in one line: ``file:line: reason`` when it names a row.

    The importer may report a bad row twice: the error in its field, and the
    end of input its parser then reached (``Near Mark[...]``), in either
    order (its threads race); the first complaint that is not the latter is
    the one meant.
    """
    reason = None
    reasons = list(_ORIGINAL.finditer(output))
    chosen = next(
        (m for m in reasons if not m.group("reason").startswith(_END_OF_INPUT)),
        reasons[0] if reasons else None,
    )
    if chosen is not None:
        reason = chosen.group("reason").strip()
    # The row named nearest before that complaint.
    sources = list(_SOURCE.finditer(output, 0, chosen.start() if chosen else len(output)))
    if m := (sources[-1] if sources else _SOURCE.search(output)):
        path = m.group("path").strip()
        # The importer counts lines from 0 (the header is line 0), and counts
        # them per read chunk, so on a large file it can be a line or two
        # short: the line holding the value it quotes is the one meant.
        line = _line_of(Path(path), int(m.group("line")) + 1, reason)
        return f"{path}:{line}: {reason or 'bad row'}"
    if reason:
        return reason
    lines = [ln.strip() for ln in output.splitlines() if ln.strip() and "∆" not in ln]
    interesting = [ln for ln in lines if "rror" in ln or "xception" in ln or "FAILED" in ln]
    return (interesting or lines or ["the importer failed without output"])[-1][:500]


_QUOTED = re.compile(r'"([^"]+)"')


def _line_of(path: Path, reported: int, reason: str | None) -> int:
    """The 1-based line of ``path`` nearest ``reported`` that holds the value ``reason`` quotes."""
    quoted = _QUOTED.search(reason or "")
    if quoted is None:
        return reported
    value = quoted.group(1)
    best: int | None = None
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, text in enumerate(fh, start=1):
                if value in text and (
                    best is None or abs(number - reported) < abs(best - reported)
                ):
                    best = number
    except OSError:
        return reported
    return best if best is not None else reported


_DONE = re.compile(r"IMPORT DONE in (?P<took>[0-9hms ]+)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def reported_seconds(output: str) -> float | None:
    """The duration of ``IMPORT DONE in 1m 2s 135ms`` in seconds, or None.

    >>> reported_seconds("IMPORT DONE in 1m 2s 135ms. ")
    62.135
    """
    m = _DONE.search(output)
    if m is None:
        return None
    parts = re.findall(r"(\d+)(ms|h|m|s)", m.group("took"))
    return round(sum(int(n) * _UNITS[unit] for n, unit in parts), 3)


def _counts(output: str) -> tuple[int, int, int]:
    def grab(word: str) -> int:
        m = re.search(rf"^\s*(\d+) {word}\s*$", output, re.MULTILINE)
        return int(m.group(1)) if m else 0

    return grab("nodes"), grab("relationships"), grab("properties")


def run_import(
    *,
    java: str,
    lib: Path,
    home: Path,
    database: str,
    inputs: Sequence[str],
    options: Sequence[str] = (),
    timeout_s: float = 3600.0,
    log: Path | None = None,
    entry: import_launcher.EntryPoint | None = None,
) -> ImportResult:
    """Import CSV into the (stopped) server's ``database``; restore it on any failure.

    ``inputs`` are ``--nodes=...``/``--relationships=...`` arguments. The
    caller stops the server before and starts it after. ``entry``: the
    program to run, :func:`import_launcher.entry_point`'s choice by default.
    """
    began = time.monotonic()
    recover_interrupted_import(home)
    log = log or home / "logs" / "import.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    journal = journal_path(home)
    journal.parent.mkdir(parents=True, exist_ok=True)
    set_store_aside(home, database)
    journal.write_text(json.dumps({"database": database, "pid": None}), encoding="utf-8")
    # Resolved: a class archive is valid for the exact class path it was
    # written with (graph_api/server/class_archive.py). Signed jars are
    # replaced by unsigned copies: their signature checks were a quarter of
    # the time before the first stage (graph_api/server/unsigned_jars.py).
    entry = entry or import_launcher.entry_point(java, lib)
    classpath = unsigned_jars.class_path(lib.resolve())
    if entry.jar is not None:
        classpath = f"{entry.jar}{os.pathsep}{classpath}"
    archive = class_archive.archive_path(lib.resolve().parent, "import", java, classpath)
    cmd = [
        java,
        f"-Xmx{IMPORT_HEAP}",
        "-XX:+UseParallelGC",
        # C2 only: on 2 cores the tiered compiler's C1 and C2 threads competed
        # with the import's own for the first seconds of a run that lasts ~7.
        # The 100k corpus's CSV (1.68M relationships) imported alone,
        # alternating (28 Nov 2026, load 0.8-4.8): default 6.3-9.0 s (median
        # 8.5), C1 only 6.9-7.5 s (7.1), C2 only 6.5-6.9 s (6.7).
        "-XX:-TieredCompilation",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        *class_archive.jvm_flags(archive, home / "run"),
        "-cp",
        classpath,
        entry.main_class,
        *entry.command,
        "--verbose",
        "--bad-tolerance=0",
        f"--max-off-heap-memory={IMPORT_OFF_HEAP}",
        f"--report-file={home / 'logs' / 'import.report'}",
        *options,
        # The database before the inputs: --nodes/--relationships take
        # several files each and would swallow a name after them.
        database,
        *inputs,
    ]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    ok = False
    try:
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
            journal.write_text(
                json.dumps({"database": database, "pid": proc.pid}), encoding="utf-8"
            )
            try:
                code = proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise ImportFailed(f"the import did not finish within {timeout_s:.0f}s") from None
            except BaseException:
                proc.kill()
                proc.wait()
                raise
        class_archive.adopt(archive, home / "run", clean_exit=code == 0)
        output = log.read_text(encoding="utf-8", errors="replace")
        if code != 0:
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            raise ImportFailed(f"neo4j-admin import failed ({how}): {failure_reason(output)}")
        nodes, rels, props = _counts(output)
        ok = True
        return ImportResult(
            time.monotonic() - began,
            nodes,
            rels,
            props,
            reported_seconds(output),
            entry.main_class,
            entry.fallback_reason,
        )
    finally:
        if ok:
            shutil.rmtree(home / "data" / "import-backup" / database, ignore_errors=True)
        else:
            restore_store(home, database)
        journal.unlink(missing_ok=True)
