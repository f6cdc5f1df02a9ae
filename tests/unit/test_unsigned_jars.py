"""The importer's class path: signed jars replaced by unsigned copies that hold the same classes."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from graph_api.server import unsigned_jars

MANIFEST = (
    b"Manifest-Version: 1.0\r\nBundle-Name: x\r\n\r\n"
    b"Name: a/B.class\r\nSHA-256-Digest: AAAA\r\n\r\n"
    b"Name: a/C.txt\r\nSHA-256-Digest: BBBB\r\n\r\n"
)
ENTRIES = {
    "META-INF/services/a.Service": (b"a.Impl\n", zipfile.ZIP_DEFLATED),
    "a/B.class": (b"\xca\xfe\xba\xbe" + bytes(range(256)) * 4, zipfile.ZIP_DEFLATED),
    "a/C.txt": (b"stored, not deflated", zipfile.ZIP_STORED),
}


def _jar(path: Path, *, signed: bool) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("META-INF/MANIFEST.MF", MANIFEST if signed else b"Manifest-Version: 1.0\r\n")
        if signed:
            zf.writestr("META-INF/ECLIPSE_.SF", b"Signature-Version: 1.0\r\n")
            zf.writestr("META-INF/ECLIPSE_.RSA", b"\x30\x82")
        for name, (data, compression) in ENTRIES.items():
            zf.writestr(zipfile.ZipInfo(name, (2022, 7, 5, 15, 3, 0)), data, compression)
    return path


def test_the_copy_holds_every_entry_but_the_signature_and_the_manifest_digests(
    tmp_path: Path,
) -> None:
    signed = _jar(tmp_path / "signed.jar", signed=True)
    assert unsigned_jars.is_signed(signed)
    assert not unsigned_jars.is_signed(_jar(tmp_path / "plain.jar", signed=False))

    copy = tmp_path / "copy.jar"
    unsigned_jars.write_unsigned_copy(signed, copy)
    assert not unsigned_jars.is_signed(copy)
    with zipfile.ZipFile(copy) as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(["META-INF/MANIFEST.MF", *ENTRIES])
        assert zf.read("META-INF/MANIFEST.MF") == b"Manifest-Version: 1.0\r\nBundle-Name: x\r\n\r\n"
        for name, (data, compression) in ENTRIES.items():
            info = zf.getinfo(name)
            assert zf.read(name) == data
            assert info.compress_type == compression
            assert info.date_time == (2022, 7, 5, 15, 3, 0)
    assert not list(tmp_path.glob(".*.partial"))


def test_the_class_path_lists_every_jar_sorted_with_copies_made_once(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    _jar(lib / "b-signed.jar", signed=True)
    _jar(lib / "a-plain.jar", signed=False)
    _jar(lib / "c-plain.jar", signed=False)
    (lib / "notes.txt").write_text("not a jar")

    path = unsigned_jars.class_path(lib)
    copy = tmp_path / unsigned_jars.UNSIGNED_DIR / "b-signed.jar"
    assert path.split(os.pathsep) == [str(lib / "a-plain.jar"), str(copy), str(lib / "c-plain.jar")]
    assert not unsigned_jars.is_signed(copy)

    made = copy.stat().st_mtime_ns
    assert unsigned_jars.class_path(lib) == path  # the same string: the class archive's key
    assert copy.stat().st_mtime_ns == made  # not written again

    # A copy deleted by hand: the signed jar is used again rather than a missing file.
    copy.unlink()
    assert unsigned_jars.class_path(lib).split(os.pathsep)[1] == str(lib / "b-signed.jar")


def test_main_section_keeps_a_manifest_without_sections_whole() -> None:
    assert unsigned_jars.main_section(b"Manifest-Version: 1.0\r\nA: b\r\n") == (
        b"Manifest-Version: 1.0\r\nA: b\r\n\r\n"
    )
