"""Where an offline import puts the store it replaces, and how it is put back.

The importer (:mod:`graph_api.server.neo4j_import`) moves the database's
folders into ``data/import-backup/<db>/`` before it writes new ones and
records that in ``run/import-journal.json`` (with the importer's pid). If
the process running the import dies before it can clean up, the journal
stays: :func:`recover_interrupted_import`, called by ``LocalServer.start``
before the server opens the store, stops a still-running importer and moves
the old folders back. Owned here, apart from both modules, because the
server's start and the importer both need it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from pathlib import Path


def journal_path(home: Path) -> Path:
    return home / "run" / "import-journal.json"


def _store_dirs(home: Path, database: str) -> tuple[Path, Path]:
    data = home / "data"
    return data / "databases" / database, data / "transactions" / database


def _backup_dirs(home: Path, database: str) -> tuple[Path, Path]:
    backup = home / "data" / "import-backup" / database
    return backup / "databases", backup / "transactions"


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs; an exited process its parent has not reaped yet (a
    zombie: another process started the server, as a benchmark does before
    ``citekb load`` stops it) counts as gone."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True  # no /proc: trust the signal check
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def recover_interrupted_import(home: Path) -> bool:
    """Undo an import whose process died before it could restore the database.

    Returns True when something was restored. Safe to call at every start.
    """
    journal = journal_path(home)
    if not journal.exists():
        return False
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    pid = record.get("pid")
    if isinstance(pid, int) and pid > 0 and process_alive(pid):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while process_alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
    database = str(record.get("database") or "neo4j")
    restore_store(home, database)
    journal.unlink(missing_ok=True)
    return True


def restore_store(home: Path, database: str) -> None:
    for live, saved in zip(_store_dirs(home, database), _backup_dirs(home, database), strict=True):
        if saved.exists():
            shutil.rmtree(live, ignore_errors=True)
            live.parent.mkdir(parents=True, exist_ok=True)
            saved.replace(live)
    shutil.rmtree(home / "data" / "import-backup" / database, ignore_errors=True)


def set_store_aside(home: Path, database: str) -> None:
    for live, saved in zip(_store_dirs(home, database), _backup_dirs(home, database), strict=True):
        shutil.rmtree(saved, ignore_errors=True)
        saved.parent.mkdir(parents=True, exist_ok=True)
        if live.exists():
            live.replace(saved)
