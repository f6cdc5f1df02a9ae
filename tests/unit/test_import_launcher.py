"""Which entry point runs the importer when citekb's own cannot be built here."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from graph_api.server import import_launcher


def test_without_javac_the_importer_runs_from_neo4j_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A JRE: java, no javac beside it or on PATH.
    bin_dir = tmp_path / "jre" / "bin"
    bin_dir.mkdir(parents=True)
    java = bin_dir / "java"
    java.write_text("#!/bin/sh\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    lib = tmp_path / "neo4j" / "5.26.30" / "lib"
    lib.mkdir(parents=True)

    entry = import_launcher.entry_point(str(java), lib)

    assert entry.main_class == import_launcher.ADMIN_MAIN_CLASS
    assert entry.command == ("database", "import", "full")
    assert entry.jar is None
    assert "no javac" in entry.fallback_reason
    assert not import_launcher.jar_path(lib).exists()


def test_a_failed_compile_falls_back_with_javac_s_complaint(tmp_path: Path) -> None:
    # No Neo4j jars to compile against: javac must fail on the missing packages.
    javac = import_launcher.javac_for("java")
    assert javac is not None, "the test machine's JDK has javac (CI installs OpenJDK 17)"
    lib = tmp_path / "neo4j" / "5.26.30" / "lib"
    lib.mkdir(parents=True)

    entry = import_launcher.entry_point(str(Path(javac).parent / "java"), lib)

    assert entry.main_class == import_launcher.ADMIN_MAIN_CLASS
    assert entry.fallback_reason.startswith("javac failed"), entry.fallback_reason
    assert "does not exist" in entry.fallback_reason  # package org.neo4j... does not exist
    assert not import_launcher.jar_path(lib).exists()
    # Nothing half-built is left beside the jars.
    assert [p.name for p in (lib.parent / import_launcher.LAUNCHER_DIR).iterdir()] == []
    assert os.listdir(lib) == []


def test_the_jar_is_named_for_the_source_and_the_real_folder(tmp_path: Path) -> None:
    real = tmp_path / "cache" / "neo4j" / "5.26.30"
    (real / "lib").mkdir(parents=True)
    path = import_launcher.jar_path(real / "lib")
    assert path.parent == real / import_launcher.LAUNCHER_DIR
    assert path.name.startswith("citekb-import-") and path.suffix == ".jar"
    # Reached through a linked cache folder, the same path: the importer's
    # class-data archive is keyed by the class path this jar heads.
    linked = tmp_path / "other-cache" / "neo4j"
    linked.mkdir(parents=True)
    (linked / "5.26.30").symlink_to(real, target_is_directory=True)
    assert import_launcher.jar_path(linked / "5.26.30" / "lib") == path
