"""Which Java entry point runs the offline importer, and building citekb's own.

citekb's entry point is ``citekb.neo4j.FullImport`` (source:
``graph_api/server/java/FullImport.java``): Neo4j's ``neo4j-admin database
import full`` command class (``org.neo4j.importer.ImportCommand.Full``, from
``org.neo4j:neo4j-import-tool``) run from a command line holding only that
command, with the batch importer's background page-cache flusher off. The
flusher calls ``flushAndForce`` on the whole page cache in a loop while the
node and relationship stages run; on 2 cores it took a core's share from
the import's workers (the importer alone at 100k papers: 5.5-6.0 s with it,
4.8-5.3 s without; bench/BENCHMARKS.md, Issue 13 session 7). No
``neo4j-admin`` option turns it off.

The class is compiled here, once per Neo4j version and source, against the
jars :func:`graph_api.server.neo4j_server.ensure_jars` fetched, with the
``javac`` of the JDK that runs the importer, into
``<cache>/neo4j/<version>/launcher/citekb-import-<digest>.jar`` (a jar, not a
folder: Java's class-data archive refuses class-path folders). Where it
cannot be built (no ``javac`` beside ``java`` or on ``PATH``, a failed
compile), the importer runs from ``org.neo4j.cli.AdminTool``, the class
behind the ``neo4j-admin`` script, with the same options: slower, the same
store. The reason is kept on the :class:`EntryPoint` and printed by the load.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from graph_api.server.fetch_lock import fetching

ADMIN_MAIN_CLASS = "org.neo4j.cli.AdminTool"
# neo4j-admin's words for the command FullImport is.
ADMIN_COMMAND = ("database", "import", "full")
LAUNCHER_MAIN_CLASS = "citekb.neo4j.FullImport"
LAUNCHER_DIR = "launcher"
_SOURCE = "FullImport.java"
# The importer runs on Java 17 (Neo4j 5.26 supports 17 and 21).
_RELEASE = "17"
_COMPILE_TIMEOUT_S = 300.0


class LauncherUnavailable(RuntimeError):
    """citekb's entry point could not be built here; the message says why."""


@dataclass(frozen=True)
class EntryPoint:
    """The importer's main class, the jar to put before Neo4j's, the words before its options."""

    main_class: str
    command: tuple[str, ...]
    jar: Path | None = None
    # Why neo4j-admin's entry point is used instead of citekb's ("" when it is not).
    fallback_reason: str = ""


def source() -> bytes:
    return resources.files("graph_api.server").joinpath("java", _SOURCE).read_bytes()


def jar_path(lib: Path) -> Path:
    """Where the launcher built from this source for ``lib``'s Neo4j lives (existing or not).

    Resolved: the jar heads the importer's class path, by which its class-data
    archive is keyed, so the same jar must be named the same however ``lib``
    was reached (a cache folder linked from another, as bench/first_load does).
    """
    digest = hashlib.sha256(source()).hexdigest()[:16]
    return lib.resolve().parent / LAUNCHER_DIR / f"citekb-import-{digest}.jar"


def javac_for(java: str) -> Path | None:
    """The ``javac`` of ``java``'s own JDK, else the one on ``PATH``; None when there is none."""
    sibling = Path(java).resolve().parent / "javac"
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return sibling
    found = shutil.which("javac")
    return Path(found) if found else None


def _write_jar(classes: Path, target: Path) -> None:
    """``classes``' files into a jar at ``target``, sorted, written aside then renamed."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as jar:
            jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
            for path in sorted(p for p in classes.rglob("*") if p.is_file()):
                jar.write(path, path.relative_to(classes).as_posix())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def build(java: str, lib: Path) -> Path:
    """The launcher's jar for ``lib``, compiled on first use.

    Raises :class:`LauncherUnavailable` when it cannot be built here.
    """
    jar = jar_path(lib)
    if jar.is_file():
        return jar
    javac = javac_for(java)
    if javac is None:
        raise LauncherUnavailable("no javac beside java or on PATH (a JRE only?)")
    with fetching(jar.parent):
        if jar.is_file():  # another process built it while this one waited
            return jar
        jar.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=jar.parent, prefix=".build-") as tmp:
            src = Path(tmp) / "src" / _SOURCE
            src.parent.mkdir()
            src.write_bytes(source())
            classes = Path(tmp) / "classes"
            cmd = [
                str(javac),
                "--release",
                _RELEASE,
                "-nowarn",
                "-encoding",
                "UTF-8",
                "-cp",
                f"{lib.resolve()}{os.sep}*",
                "-d",
                str(classes),
                str(src),
            ]
            try:
                done = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    timeout=_COMPILE_TIMEOUT_S,
                    check=False,
                    stdin=subprocess.DEVNULL,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise LauncherUnavailable(f"javac did not run: {exc}") from exc
            if done.returncode != 0:
                said = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
                raise LauncherUnavailable(
                    f"javac failed ({done.returncode}): {said[0] if said else 'no output'}"
                )
            _write_jar(classes, jar)
    return jar


def entry_point(java: str, lib: Path) -> EntryPoint:
    """citekb's entry point when it can be built here, else neo4j-admin's (with the reason)."""
    try:
        jar = build(java, lib)
    except LauncherUnavailable as exc:
        return EntryPoint(ADMIN_MAIN_CLASS, ADMIN_COMMAND, None, str(exc))
    return EntryPoint(LAUNCHER_MAIN_CLASS, (), jar)
