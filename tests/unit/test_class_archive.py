"""Class-data sharing archives: one per java binary and class path, adopted after a clean exit."""

from __future__ import annotations

import sys
from pathlib import Path

from graph_api.server import class_archive

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
