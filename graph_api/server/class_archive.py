"""Class-data sharing archives for our JVMs (the server and the offline importer).

Most of a Neo4j start is the JVM loading, verifying and linking some
thousands of classes from the ~200 jars of ``lib/`` (measured on the shared
2-core machine: a server start 3.7-8.0 s without an archive, 2.3-4.1 s with
one, bench/BENCHMARKS.md section Issue 13). Java 17 can record the classes a
run loaded into a *dynamic archive* when the JVM exits
(``-XX:ArchiveClassesAtExit``) and map that archive at the next start
(``-XX:SharedArchiveFile``); Java 19's ``-XX:+AutoCreateSharedArchive``
does both at once, but the server runs on Java 17. So:

* The archive of a program lives beside the jars
  (``<cache>/neo4j/<version>/cds-<program>-<digest>.jsa``); its name carries
  a digest of the ``java`` binary and the class path, so a JDK update or
  another jar set gets an archive of its own instead of a stale one.
* While it does not exist, the JVM is asked to dump one at exit into the
  instance's ``run/`` folder: one JVM of an instance runs at a time (the
  importer only while the server is stopped), and two servers have two
  homes, so no two JVMs write the same dump. Whoever sees that JVM exit
  cleanly (:meth:`LocalServer.stop` within its timeout, :func:`run_import`
  with exit code 0) calls :func:`adopt`, which moves the dump into place
  with one atomic rename; a JVM that is killed may leave half a dump, which
  is deleted, never adopted. The next clean exit dumps again.
* A JVM that cannot use the archive (it does not match this JDK or class
  path, or it was deleted) starts without it, silently (``-Xshare:auto``,
  the default, with the ``cds`` log tags off): the archive only ever saves
  time.
* Archives of other JDKs and class paths are dead weight once a new one
  appears: :func:`jvm_flags` marks an archive used (its mtime) each time a
  JVM maps it, and :func:`adopt`, the one moment a new archive appears,
  deletes the same program's archives unused for
  :data:`graph_api.server.cache_retention.RETENTION_S` (two weeks). Why
  that is safe under running and starting JVMs: :mod:`graph_api.server.cache_retention`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from graph_api.server import cache_retention

# The JVM's own notes about the archive (classes it skips, a mismatch) are
# not the server's output.
_QUIET = "-Xlog:cds*=off"
# Hex digits of the digest in an archive's name.
_DIGEST_LEN = 16


def archive_path(dist: Path, program: str, java: str, classpath: str) -> Path:
    """Where ``program``'s archive for this ``java`` and class path lives (existing or not)."""
    real = Path(java).resolve()
    try:
        stat = real.stat()
        stamp = f"{real}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        stamp = str(real)
    digest = hashlib.sha256(f"{stamp}\n{classpath}".encode()).hexdigest()[:_DIGEST_LEN]
    return dist / _file_name(program, digest)


def _file_name(program: str, digest: str) -> str:
    return f"cds-{program}-{digest}.jsa"


def _program(archive: Path) -> str:
    """The program ``archive`` belongs to, from its name (``cds-<program>-<digest>.jsa``)."""
    return archive.stem.removeprefix("cds-").rpartition("-")[0]


def jvm_flags(archive: Path, run_dir: Path) -> list[str]:
    """Flags that map ``archive``, or that dump it into ``run_dir`` at exit while it is missing.

    An archive about to be mapped is marked used now, which keeps it from
    being pruned (:func:`adopt`).
    """
    if archive.is_file():
        cache_retention.mark_used(archive)
        return [f"-XX:SharedArchiveFile={archive}", _QUIET]
    run_dir.mkdir(parents=True, exist_ok=True)
    return [f"-XX:ArchiveClassesAtExit={run_dir / archive.name}", _QUIET]


def dumping(archive: Path) -> bool:
    """True when a JVM started now dumps ``archive`` at exit (it does not exist yet)."""
    return not archive.is_file()


def adopt(archive: Path, run_dir: Path, *, clean_exit: bool) -> bool:
    """Move the dump the JVM left in ``run_dir`` into place; True when it was adopted.

    A dump left by a JVM that did not exit cleanly may be cut short: it is
    deleted instead. Once adopted, the same program's other archives unused
    for the retention period are deleted (:func:`prune`).
    """
    dump = run_dir / archive.name
    if not dump.is_file():
        return False
    if not clean_exit or archive.exists() or dump.stat().st_size == 0:
        dump.unlink(missing_ok=True)
        return False
    try:
        os.replace(dump, archive)
    except OSError:
        with contextlib.suppress(OSError):
            dump.unlink()
        return False
    prune(archive)
    return True


def prune(keep: Path, retention_s: float = cache_retention.RETENTION_S) -> list[Path]:
    """Delete the archives of ``keep``'s program unused for ``retention_s``, never ``keep``.

    Only the same program's: the server's and the importer's archives are
    used by different commands, so one's age says nothing about the other.
    (``?`` per digest digit, not ``*``: a program named ``server-x`` would
    have archives of its own, not the server's.)
    """
    pattern = _file_name(_program(keep), "?" * _DIGEST_LEN)
    return cache_retention.prune(keep, pattern, retention_s)
