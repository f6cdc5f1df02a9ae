"""citekb's importer entry point against neo4j-admin's: the same import, the same store.

Both run Neo4j 5.26's real batch importer (the jars the server runs on) on
the same small CSV, each into a fresh server home: citekb's entry point
(background page-cache flushing off) and ``org.neo4j.cli.AdminTool``, the
class behind ``neo4j-admin``. No server needs to run for an import.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from graph_api.server import import_launcher, neo4j_server
from graph_api.server.neo4j_import import ImportResult, run_import
from graph_api.settings import Settings

PAPERS = 300
FLUSHING_OFF = "Background page-cache flushing: off (citekb)"


def _csv(folder: Path) -> list[str]:
    folder.mkdir()
    papers = folder / "papers.csv"
    papers.write_text(
        ":ID,paperId:string,title:string,year:long\n"
        + "".join(
            f'{i},"p{i}","[synthetic] paper {i}, a title",{2000 + i % 25}\n' for i in range(PAPERS)
        ),
        encoding="utf-8",
    )
    cites = folder / "cites.csv"
    cites.write_text(
        ":START_ID,:END_ID,intents:string[],isInfluential:boolean\n"
        + "".join(
            f'{i},{j},"methodology",{str(i % 3 == 0).lower()}\n'
            for i in range(PAPERS)
            for j in range(max(0, i - 4), i)
        ),
        encoding="utf-8",
    )
    return [f"--nodes=Paper={papers}", f"--relationships=CITES={cites}"]


def _import(
    tmp: Path, name: str, inputs: list[str], entry: import_launcher.EntryPoint | None
) -> tuple[ImportResult, Path]:
    settings = Settings()
    lib = neo4j_server.ensure_jars(settings.neo4j_version, settings.citekb_cache_dir)
    home = tmp / name
    server = neo4j_server.LocalServer(home=home, lib=lib, bolt_port=1, http_port=2)
    server.write_conf()
    result = run_import(
        java=neo4j_server.java_binary(),
        lib=lib,
        home=home,
        database="neo4j",
        inputs=inputs,
        options=["--id-type=actual"],
        entry=entry,
    )
    return result, home


def _store_files(home: Path) -> dict[str, int]:
    """Every file of the imported database with its size (the store id differs, not the sizes)."""
    store = home / "data" / "databases" / "neo4j"
    return {str(p.relative_to(store)): p.stat().st_size for p in store.rglob("*") if p.is_file()}


def test_citekb_s_entry_point_and_neo4j_admin_leave_the_same_store(tmp_path: Path) -> None:
    settings = Settings()
    lib = neo4j_server.ensure_jars(settings.neo4j_version, settings.citekb_cache_dir)
    entry = import_launcher.entry_point(neo4j_server.java_binary(), lib)
    assert entry.main_class == import_launcher.LAUNCHER_MAIN_CLASS, entry.fallback_reason
    assert entry.jar is not None
    with zipfile.ZipFile(entry.jar) as jar:
        assert "citekb/neo4j/FullImport.class" in jar.namelist()
    built = entry.jar.stat().st_mtime_ns
    # Built once: asked again, the same jar, not rebuilt and not touched (Java
    # refuses a class-data archive when a class-path jar's mtime changed).
    assert import_launcher.entry_point(neo4j_server.java_binary(), lib) == entry
    assert entry.jar.stat().st_mtime_ns == built

    inputs = _csv(tmp_path / "csv")
    ours, our_home = _import(tmp_path, "citekb", inputs, None)
    admin, admin_home = _import(
        tmp_path,
        "admin",
        inputs,
        import_launcher.EntryPoint(import_launcher.ADMIN_MAIN_CLASS, import_launcher.ADMIN_COMMAND),
    )

    assert ours.entry_point == import_launcher.LAUNCHER_MAIN_CLASS
    assert admin.entry_point == import_launcher.ADMIN_MAIN_CLASS
    cites = sum(min(i, 4) for i in range(PAPERS))
    assert (ours.nodes, ours.relationships, ours.properties) == (
        PAPERS,
        cites,
        3 * PAPERS + 2 * cites,
    )
    assert (admin.nodes, admin.relationships, admin.properties) == (
        ours.nodes,
        ours.relationships,
        ours.properties,
    )
    assert FLUSHING_OFF in (our_home / "logs" / "import.log").read_text(encoding="utf-8")
    assert FLUSHING_OFF not in (admin_home / "logs" / "import.log").read_text(encoding="utf-8")
    assert _store_files(our_home) == _store_files(admin_home)
