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
  path) starts without it, silently (``-Xshare:auto``, the default, with the
  ``cds`` log tags off): the archive only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

# The JVM's own notes about the archive (classes it skips, a mismatch) are
# not the server's output.
_QUIET = "-Xlog:cds*=off"


def archive_path(dist: Path, program: str, java: str, classpath: str) -> Path:
    """Where ``program``'s archive for this ``java`` and class path lives (existing or not)."""
    real = Path(java).resolve()
    try:
        stat = real.stat()
        stamp = f"{real}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        stamp = str(real)
    digest = hashlib.sha256(f"{stamp}\n{classpath}".encode()).hexdigest()[:16]
    return dist / f"cds-{program}-{digest}.jsa"


def jvm_flags(archive: Path, run_dir: Path) -> list[str]:
    """Flags that map ``archive``, or that dump it into ``run_dir`` at exit while it is missing."""
    if archive.is_file():
        return [f"-XX:SharedArchiveFile={archive}", _QUIET]
    run_dir.mkdir(parents=True, exist_ok=True)
    return [f"-XX:ArchiveClassesAtExit={run_dir / archive.name}", _QUIET]


def dumping(archive: Path) -> bool:
    """True when a JVM started now dumps ``archive`` at exit (it does not exist yet)."""
    return not archive.is_file()


def adopt(archive: Path, run_dir: Path, *, clean_exit: bool) -> bool:
    """Move the dump the JVM left in ``run_dir`` into place; True when it was adopted.

    A dump left by a JVM that did not exit cleanly may be cut short: it is
    deleted instead.
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
    return True
