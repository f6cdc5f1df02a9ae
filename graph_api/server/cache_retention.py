"""How long a derived file in the JVM cache lives once nothing uses it.

``<cache>/neo4j/<version>/`` holds files made from the jars that are keyed
by a digest of what they were made from: the class-data sharing archives
(:mod:`graph_api.server.class_archive`, 30-140 MB each). A new JDK or a new
class path (a new importer launcher jar, a new Neo4j Browser jar) makes a
new archive under a new name and the old one is never read again;
unpruned, one machine collected 15 archives (~1 GB) in a day of
development.

The policy, kept simple on purpose:

* **mtime is the last use.** Whoever starts a JVM with such a file calls
  :func:`mark_used`, which sets its mtime to now. No registry of users, no
  lock: the file system already keeps one timestamp per file. Archives
  only, never a jar: Java checks each class-path jar's size and mtime
  against the archive it maps and refuses the archive when one differs
  ("A jar file is not the one used while building the shared archive
  file", seen with ``-Xshare:on``), so touching the importer's launcher jar
  would silently cost every later import its archive. Those jars are 3 KB
  each and are kept.
* **Pruning happens only when a successor appears** (an archive adopted, a
  launcher jar built): exactly when an old file may have become dead, and
  never on the hot path of a start. :func:`prune` deletes the siblings of
  the new file (same kind, same folder) unused for :data:`RETENTION_S`.
* **Deleting never breaks a JVM.** One that already runs keeps the file it
  mapped or opened (Linux unlinks a name, not an open file). One that starts
  with ``-XX:SharedArchiveFile`` naming a file just deleted starts without
  the archive (``-Xshare:auto``, Java 17's default: checked with
  ``java -XX:SharedArchiveFile=/nonexistent -version``, exit code 0), and its
  next start dumps a new one. A file is pruned only after
  :data:`RETENTION_S` unused, and its user touches it just before starting,
  so that race needs a use and a prune within the same instant. A server
  left running for longer than that is not touched meanwhile: its archive
  may go while it runs (harmless, above), and its next start runs without
  one and dumps a new one at the stop after.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

# Two weeks: long enough that someone who runs citekb every week or two never
# pays for a rebuilt archive (one slow start plus a 20-30 s dump at the next
# stop), and short enough that the files a JDK or citekb upgrade left behind
# (30-140 MB each) go within a fortnight of the next new one appearing.
RETENTION_S = 14 * 24 * 3600.0


def mark_used(path: Path) -> None:
    """Record that ``path`` is being used now (its mtime); a file we cannot touch stays as it is.

    Failing to touch (a cache shared read-only, the file just pruned) must
    not stop the JVM about to use it: at worst the file is pruned early and
    made again.
    """
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(keep: Path, pattern: str, retention_s: float = RETENTION_S) -> list[Path]:
    """Delete the files of ``keep``'s folder matching ``pattern`` unused for ``retention_s``.

    ``keep`` (the file just made) is never deleted, whatever its mtime.
    Returns the files deleted. A file that vanishes meanwhile (another
    process pruning) or cannot be deleted (someone else's) is skipped:
    pruning only saves space and must never fail the start, stop or import
    that triggered it.
    """
    cutoff = time.time() - retention_s
    deleted: list[Path] = []
    for path in sorted(keep.parent.glob(pattern)):
        if path.name == keep.name:
            continue
        try:
            if path.stat().st_mtime >= cutoff:
                continue
            path.unlink()
        except OSError:
            continue
        deleted.append(path)
    return deleted
