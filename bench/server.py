"""A Neo4j for one benchmark run: ``NEO4J_URI`` if set, else a throwaway local server.

The throwaway server is started the way the integration tests start theirs
(:class:`graph_api.server.neo4j_server.LocalServer` on free ports with a temporary
home), so a benchmark never touches ``citekb db up``'s data or another
engineer's server. Its heap and page cache are part of the results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from neo4j import Driver

from graph_api.server import neo4j_server
from graph_api.settings import Settings
from graph_api.store import graph_store


@dataclass(frozen=True)
class BenchNeo4j:
    """Where the benchmark's Neo4j is and how it was configured."""

    uri: str
    settings: Settings
    how: str
    heap: str | None
    pagecache: str | None
    pid: int | None
    # Our own server (None with NEO4J_URI): the offline importer needs its store.
    server: neo4j_server.LocalServer | None = None

    def describe(self) -> dict[str, object]:
        return {
            "uri": self.uri,
            "how": self.how,
            "heap": self.heap,
            "pagecache": self.pagecache,
            "version": self.settings.neo4j_version,
        }

    def rss_bytes(self) -> dict[str, int | None]:
        """Current and peak resident memory of our server process (None if not ours)."""
        if self.pid is None:
            return {"rss": None, "peak": None}
        return process_memory(self.pid)


def process_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds a process has used so far (children not included)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # fields[11], fields[12] are utime and stime (fields 14 and 15 of stat).
    return (int(fields[11]) + int(fields[12])) / ticks


def process_memory(pid: int) -> dict[str, int | None]:
    """VmRSS and VmHWM of a process, in bytes, from /proc."""
    out: dict[str, int | None] = {"rss": None, "peak": None}
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            out["rss"] = int(line.split()[1]) * 1024
        elif line.startswith("VmHWM:"):
            out["peak"] = int(line.split()[1]) * 1024
    return out


@contextmanager
def bench_neo4j(
    heap: str | None = None, pagecache: str | None = None, store: Path | None = None
) -> Iterator[BenchNeo4j]:
    """Yield a running server with the schema applied; a local one is stopped and removed.

    ``store``: the local server's home is kept there (not removed at the end)
    and reused by the next run, so a benchmark whose corpus takes minutes to
    write can time its queries again without writing it again.
    """
    base = Settings()
    if base.neo4j_uri:
        yield BenchNeo4j(base.neo4j_uri, base, "NEO4J_URI", None, None, None)
        return
    heap = heap or base.neo4j_heap
    pagecache = pagecache or base.neo4j_pagecache
    if store is not None:
        store.mkdir(parents=True, exist_ok=True)
    home = store or Path(tempfile.mkdtemp(prefix="citekb-bench-neo4j-"))
    server = neo4j_server.LocalServer(
        home=home,
        lib=neo4j_server.ensure_jars(base.neo4j_version, base.citekb_cache_dir),
        bolt_port=neo4j_server.free_port(),
        http_port=neo4j_server.free_port(),
        heap=heap,
        pagecache=pagecache,
        jvm_options=base.neo4j_jvm_flags,
    )
    try:
        server.start(base.neo4j_password.get_secret_value(), base.neo4j_user, 180.0)
        settings = base.model_copy(
            update={"neo4j_uri": server.uri, "neo4j_bolt_port": server.bolt_port}
        )
        yield BenchNeo4j(
            server.uri, settings, "local", heap, pagecache, server.running_pid(), server
        )
    finally:
        server.stop()
        if store is None:
            shutil.rmtree(home, ignore_errors=True)


@contextmanager
def connected_driver(neo: BenchNeo4j) -> Iterator[Driver]:
    """A sync driver to the benchmark's server, schema applied."""
    driver = graph_store.driver_for(neo.settings, neo.uri)
    try:
        driver.verify_connectivity()
        graph_store.apply_schema(driver, neo.settings.neo4j_database)
        yield driver
    finally:
        driver.close()


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 30 s: how every benchmark ends the servers it started."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
