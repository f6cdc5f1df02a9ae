"""Class-data sharing archives: one per java binary and class path, adopted after a clean exit,
pruned once long unused."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from graph_api.server import cache_retention, class_archive

JAVA = sys.executable  # any existing file stands in for the java binary


def test_the_archive_is_named_for_the_java_binary_and_the_class_path(tmp_path: Path) -> None:
    a = class_archive.archive_path(tmp_path, "server", JAVA, "/lib/*")
    assert a.parent == tmp_path and a.name.startswith("cds-server-") and a.suffix == ".jsa"
    assert class_archive.archive_path(tmp_path, "server", JAVA, "/lib/*") == a
    assert class_archive.archive_path(tmp_path, "server", JAVA, "/lib/*:/b.jar") != a
    assert class_archive.archive_path(tmp_path, "import", JAVA, "/lib/*") != a
    other_java = tmp_path / "java"
    other_java.write_bytes(b"x")
    assert class_archive.archive_path(tmp_path, "server", str(other_java), "/lib/*") != a


def test_a_missing_archive_is_dumped_at_exit_and_adopted_after_a_clean_exit(
    tmp_path: Path,
) -> None:
    archive = class_archive.archive_path(tmp_path, "server", JAVA, "/lib/*")
    run = tmp_path / "run"
    flags = class_archive.jvm_flags(archive, run)
    assert flags[0] == f"-XX:ArchiveClassesAtExit={run / archive.name}"
    assert not class_archive.adopt(archive, run, clean_exit=True)  # nothing dumped yet
    (run / archive.name).write_bytes(b"classes")
    assert class_archive.adopt(archive, run, clean_exit=True)
    assert archive.read_bytes() == b"classes" and not (run / archive.name).exists()
    # Now it exists: the next JVM maps it and dumps nothing.
    assert class_archive.jvm_flags(archive, run)[0] == f"-XX:SharedArchiveFile={archive}"


def test_a_dump_after_an_unclean_exit_is_deleted_never_adopted(tmp_path: Path) -> None:
    archive = class_archive.archive_path(tmp_path, "import", JAVA, "/lib/*")
    run = tmp_path / "run"
    run.mkdir()
    (run / archive.name).write_bytes(b"half a dump")
    assert not class_archive.adopt(archive, run, clean_exit=False)
    assert not archive.exists() and not (run / archive.name).exists()
    # An empty dump is no archive either.
    (run / archive.name).write_bytes(b"")
    assert not class_archive.adopt(archive, run, clean_exit=True)
    assert not archive.exists()


DAY = 24 * 3600.0
KEPT_DAYS = cache_retention.RETENTION_S / DAY


def _aged(path: Path, days: float) -> Path:
    """``path`` written and last used ``days`` ago."""
    path.write_bytes(b"classes")
    then = time.time() - days * DAY
    os.utime(path, (then, then))
    return path


def test_adopting_an_archive_prunes_only_the_same_program_s_long_unused_ones(
    tmp_path: Path,
) -> None:
    old_server = _aged(tmp_path / "cds-server-0123456789abcdef.jsa", KEPT_DAYS + 1)
    recent_server = _aged(tmp_path / "cds-server-fedcba9876543210.jsa", KEPT_DAYS - 1)
    old_import = _aged(tmp_path / "cds-import-0123456789abcdef.jsa", KEPT_DAYS * 2)
    # Not an archive of the server's: another program's, another name.
    old_other = _aged(tmp_path / "cds-server-x-0123456789abcdef.jsa", KEPT_DAYS * 2)
    archive = class_archive.archive_path(tmp_path, "server", JAVA, "/lib/*")
    run = tmp_path / "run"
    run.mkdir()
    # The dump keeps its mtime through the rename: the new archive is kept by name.
    _aged(run / archive.name, KEPT_DAYS * 2)

    assert class_archive.adopt(archive, run, clean_exit=True)

    assert archive.read_bytes() == b"classes"  # the new one, however old its mtime
    assert not old_server.exists()
    assert recent_server.exists() and old_import.exists() and old_other.exists()


def test_no_pruning_unless_an_archive_is_adopted(tmp_path: Path) -> None:
    old = _aged(tmp_path / "cds-import-0123456789abcdef.jsa", KEPT_DAYS * 2)
    archive = class_archive.archive_path(tmp_path, "import", JAVA, "/lib/*")
    run = tmp_path / "run"
    run.mkdir()
    (run / archive.name).write_bytes(b"half a dump")
    assert not class_archive.adopt(archive, run, clean_exit=False)
    assert not class_archive.adopt(archive, run, clean_exit=True)  # nothing dumped
    assert old.exists()


def test_mapping_an_archive_marks_it_used_so_it_is_kept(tmp_path: Path) -> None:
    archive = class_archive.archive_path(tmp_path, "server", JAVA, "/lib/*")
    _aged(archive, KEPT_DAYS * 2)
    class_archive.jvm_flags(archive, tmp_path / "run")
    assert time.time() - archive.stat().st_mtime < 60

    newer = _aged(tmp_path / "cds-server-fedcba9876543210.jsa", 0)
    assert class_archive.prune(newer) == []
    assert archive.exists()


def test_pruning_tolerates_archives_that_vanish_or_cannot_be_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep = _aged(tmp_path / "cds-import-0000000000000000.jsa", 0)
    gone = _aged(tmp_path / "cds-import-1111111111111111.jsa", KEPT_DAYS + 1)
    stuck = _aged(tmp_path / "cds-import-2222222222222222.jsa", KEPT_DAYS + 1)
    old = _aged(tmp_path / "cds-import-3333333333333333.jsa", KEPT_DAYS + 1)
    unlink = Path.unlink

    def racing_unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == gone.name:  # another process pruned it first
            unlink(self)
            raise FileNotFoundError(self)
        if self.name == stuck.name:
            raise PermissionError(self)
        unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", racing_unlink)
    assert class_archive.prune(keep) == [old]
    assert keep.exists() and stuck.exists() and not gone.exists() and not old.exists()
