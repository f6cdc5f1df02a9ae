"""One fetch at a time of a download kept in citekb's cache (jars, npm assets).

Every first-use fetch (Neo4j's jars, cypher-shell, the Browser's jar, the
playground's npm files) checks a marker, deletes any half-written folder and
fetches again. Two processes doing that at once on a fresh machine (two
``citekb`` commands, or two test workers starting their Neo4j) would delete
each other's files mid-download. The fetcher takes this lock, then checks the
marker again: the second process waits for the first and finds the files
there.

An advisory ``flock`` on a file beside the folder: the kernel drops it when
the holder dies, so a killed fetch never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def fetching(folder: Path) -> Iterator[None]:
    """Hold the fetch lock of ``folder`` (created with its parents if missing).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, fetching(Path(tmp) / "jars"):
    ...     (Path(tmp) / ".jars.lock").exists()
    True
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".{folder.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
