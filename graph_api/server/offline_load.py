"""The first load of a Datasets directory into an empty database, at the offline importer's speed.

``citekb load DIR`` takes this path when the database is empty and citekb
runs the server itself (the local server built from Maven Central's jars),
or when asked with ``--importer``:

1. **CSV** (:func:`loaders.import_csv.write_import_csv`): one pass over the
   files, every line checked; a bad one stops here with ``file:line:
   reason``, before the server is touched.
2. **Stop** the server (the importer needs the store to itself).
3. **Import** (:func:`graph_api.server.neo4j_import.run_import`): the store
   is set aside first and put back on any failure.
4. **Start** the server again, whatever happened in 3.
5. **Schema**: the store the importer wrote has no constraints or indexes.
   The constraints are created first and are online when this returns
   (:func:`graph_store.apply_constraints`): every later MERGE relies on them.
6. **Meta**: the load takes its number (``write/load_begin``: 1, the number
   the CSV stamped as ``addedBy``) and
   :func:`loaders.graph_writer.record_load_meta` records the load
   on ``Meta{key:'load'}`` and bumps ``Meta{key:'graph'}.version``, the same
   calls the online path makes, so the graph and its version are those an
   online load of the same directory leaves.
7. **Indexes**: the schema's other indexes (range, full-text, vector) are
   created in one transaction and populate in the background while the
   server already answers (``wait_for_indexes`` waits for them). This is a
   decision: the graph is complete and its keys enforced, and a query in
   the meantime gets the same answer, more slowly (the planner uses no range
   index before it is online; a full-text or vector query waits for its
   index). At 100k papers / 1M CITES that population is 5-10 s of the
   server's time on 2 cores that the command no longer waits for.

A server citekb does not run (``NEO4J_URI``, docker compose) keeps its store
where this process cannot reach it: :func:`importer_target` says so and the
caller writes online instead.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from graph_api.server import neo4j_server
from graph_api.server.neo4j_import import ImportResult, run_import
from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import WriteCounts, begin_load, record_load_meta
from loaders.import_csv import ImportCsv, Progress, write_import_csv


class DatabaseNotEmpty(RuntimeError):
    """The offline importer only writes into an empty database."""

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        super().__init__(
            f"the database is not empty ({nodes:,} nodes): the offline importer only loads into"
            " an empty database; load with --online (MERGE, idempotent) or start from an empty"
            " database (`citekb db up --fresh`)"
        )


@dataclass
class OfflineLoadSummary:
    """What an offline first load did, phase by phase (seconds)."""

    directory: Path
    csv: ImportCsv
    imported: ImportResult
    counts: WriteCounts
    phases: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0
    graph_version: int | None = None
    # False: the range, full-text and vector indexes were still populating
    # when the load returned (step 7 of the module docstring).
    indexes_online: bool = True

    @property
    def cites(self) -> int:
        return self.csv.relationships.get("CITES", 0)

    @property
    def import_cites_per_s(self) -> float:
        """CITES per second of the import step (the importer's process, JVM start included)."""
        seconds = self.phases.get("import", 0.0)
        return self.cites / seconds if seconds > 0 else 0.0


def importer_target(settings: Settings) -> neo4j_server.LocalServer | str:
    """Our local server, or why the offline importer cannot reach the configured one."""
    mode = neo4j_server.choose_mode(settings)
    if mode == "env":
        return (
            "NEO4J_URI names a server whose store files citekb does not manage, so the offline"
            " importer cannot reach them"
        )
    if mode == "docker":
        return (
            "the docker compose Neo4j keeps its store inside its container, where the offline"
            " importer cannot reach it"
        )
    return neo4j_server.local_server(settings)


def offline_load(
    server: neo4j_server.LocalServer,
    settings: Settings,
    directory: Path,
    *,
    progress: Progress | None = None,
    wait_for_indexes: bool = False,
) -> OfflineLoadSummary:
    """CSV, stop, import, start, schema, meta, indexes (see the module docstring).

    Raises ``DatasetError`` (bad input, nothing touched), :class:`DatabaseNotEmpty`
    (nothing touched) or ``ImportFailed`` (the database restored and served again).
    """
    started = time.perf_counter()
    phases: dict[str, float] = {}
    database = settings.neo4j_database
    password = settings.neo4j_password.get_secret_value()

    def mark(phase: str, since: float) -> float:
        now = time.perf_counter()
        phases[phase] = round(now - since, 3)
        return now

    driver = graph_store.driver_for(settings, server.uri)
    try:
        nodes = graph_store.node_count(driver, database)
    finally:
        driver.close()
    if nodes:
        raise DatabaseNotEmpty(nodes)
    work = server.home / "import" / f"citekb-load-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        t = time.perf_counter()
        csv = write_import_csv(directory, work, progress=progress)
        t = mark("csv", t)
        server.stop()
        t = mark("stop", t)
        try:
            imported = run_import(
                java=neo4j_server.java_binary(),
                lib=server.lib,
                home=server.home,
                database=database,
                inputs=csv.arguments(),
                options=csv.options(),
            )
            t = mark("import", t)
        finally:
            t0 = time.perf_counter()
            server.start(password, settings.neo4j_user, settings.neo4j_start_timeout_s)
            t = mark("start", t0)
        driver = graph_store.driver_for(settings, server.uri)
        try:
            graph_store.apply_constraints(driver, database)
            t = mark("schema", t)
            counts = csv.write_counts(imported.properties, time.perf_counter() - started)
            # The load number the CSV stamped as addedBy: the new store's first,
            # taken and recorded as the online path takes and records its own.
            load_no = begin_load(driver, database=database)
            if load_no != csv.load_no:
                raise RuntimeError(
                    f"the imported store numbered this load {load_no}, not {csv.load_no}"
                )
            version = record_load_meta(
                driver,
                counts,
                database=database,
                source=f"s2-datasets:{directory.resolve()}",
                at=csv.loaded_at,
                load_no=load_no,
                into_empty=True,
            )
            t = mark("meta", t)
            graph_store.create_indexes(driver, database, wait=wait_for_indexes)
            mark("indexes", t)
        finally:
            driver.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return OfflineLoadSummary(
        directory=directory,
        csv=csv,
        imported=imported,
        counts=counts,
        phases=phases,
        wall_s=time.perf_counter() - started,
        graph_version=version,
        indexes_online=wait_for_indexes,
    )
