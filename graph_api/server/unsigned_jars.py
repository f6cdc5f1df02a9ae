"""The class path of the importer and the server: Neo4j's jars, signed ones as unsigned copies.

Why: two of the runtime jars of ``org.neo4j:neo4j`` 5.26
(``eclipse-collections`` and ``eclipse-collections-api`` 11.1.0) are signed
by the Eclipse Foundation. A class read from a signed jar costs the JVM far
more than one from a plain jar: it parses the jar's manifest (744 KB of
per-entry SHA-256 digests), hashes every class it reads to check it against
its digest, and class-data sharing never archives such a class (the dump
skips it as "Signed JAR"), so the 411 of its classes the importer loads were
loaded, parsed and verified from the jar on every start, under the
signature checks. Measured on the shared 2-core machine (28 Nov 2026,
importer alone on the 100k corpus's CSV, alternating, load 1.4-2.5): the
time from the JVM's start to the first stage 2.03 / 2.15 / 2.10 s with the
signed jars, 1.58 / 1.52 / 1.63 s with the unsigned copies; the whole
process 6.72 / 7.16 / 6.74 s against 6.29 / 5.88 / 6.23 s.

Why it changes nothing else: with no security manager (Java 17 on a plain
class path) a jar's signers grant nothing; the JVM only checks that the
classes match the digests of the jar they came from, and the jars are the
ones Maven fetched (checked against Maven Central's checksums). A copy holds
the same entries, byte for byte once decompressed, except that the signature
files (``META-INF/*.SF``, ``*.RSA``, ``*.DSA``, ``*.EC``, ``SIG-*``) are left
out and the manifest keeps only its main section (the per-entry sections
hold the digests the signature covers, nothing else).

The copies live beside the jars (``<cache>/neo4j/<version>/lib-unsigned/``),
written once under the folder's fetch lock with a ``.complete`` marker that
names the jars replaced; :func:`graph_api.server.neo4j_server.ensure_jars`
deletes the folder with the jars it replaces. The class path lists every
jar by name, in sorted order, so it is the same string from run to run (the
importer's class-data archive is keyed by it,
:mod:`graph_api.server.class_archive`).
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from graph_api.server.fetch_lock import fetching

UNSIGNED_DIR = "lib-unsigned"
_MARKER = ".complete"
# The files that make a jar signed (java.util.jar.JarFile's rule: a
# signature file and its signature block, both directly under META-INF/).
_SIGNATURE_FILE = re.compile(r"^META-INF/(?:[^/]+\.(?:SF|RSA|DSA|EC)|SIG-[^/]+)$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^META-INF/[^/]+\.SF$", re.IGNORECASE)
_MANIFEST = "META-INF/MANIFEST.MF"


def is_signed(jar: Path) -> bool:
    """True when ``jar`` carries a signature file (``META-INF/<name>.SF``)."""
    with zipfile.ZipFile(jar) as zf:
        return any(_SIGNATURE.match(name) for name in zf.namelist())


def main_section(manifest: bytes) -> bytes:
    r"""The manifest's main section (up to its first blank line), ending in one blank line.

    >>> main_section(b"Manifest-Version: 1.0\r\n\r\nName: a.class\r\nSHA-256-Digest: x\r\n\r\n")
    b'Manifest-Version: 1.0\r\n\r\n'
    >>> main_section(b"Manifest-Version: 1.0\n")
    b'Manifest-Version: 1.0\n\n'
    """
    ends = [
        (found, sep)
        for sep in (b"\r\n\r\n", b"\n\n", b"\r\r")
        if (found := manifest.find(sep)) >= 0
    ]
    if ends:
        found, sep = min(ends)
        return manifest[:found] + sep
    newline = b"\r\n" if b"\r\n" in manifest else b"\n"
    return manifest.rstrip(b"\r\n") + newline + newline


def write_unsigned_copy(jar: Path, target: Path) -> None:
    """Write ``jar`` to ``target`` without its signature files and its manifest's digests."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(jar) as src, zipfile.ZipFile(partial, "w") as dst:
            for info in src.infolist():
                if _SIGNATURE_FILE.match(info.filename):
                    continue
                data = src.read(info)
                if info.filename == _MANIFEST:
                    data = main_section(data)
                # The entry's own metadata (compression, dates, attributes).
                dst.writestr(info, data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _replaced(lib: Path, unsigned: Path) -> set[str]:
    """The names of ``lib``'s signed jars, each with its unsigned copy in ``unsigned``."""
    marker = unsigned / _MARKER
    if marker.is_file():
        return set(marker.read_text(encoding="utf-8").split())
    with fetching(unsigned):
        if marker.is_file():  # another process wrote them while this one waited
            return set(marker.read_text(encoding="utf-8").split())
        unsigned.mkdir(parents=True, exist_ok=True)
        names = sorted(jar.name for jar in lib.glob("*.jar") if is_signed(jar))
        for name in names:
            write_unsigned_copy(lib / name, unsigned / name)
        marker.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    return set(names)


def class_path(lib: Path) -> str:
    """Every jar of ``lib`` by name, sorted, each signed one replaced by its unsigned copy.

    ``lib`` should be resolved: the class-data archive is keyed by this string.
    """
    unsigned = lib.parent / UNSIGNED_DIR
    replaced = _replaced(lib, unsigned)
    jars = sorted(lib.glob("*.jar"), key=lambda jar: jar.name)
    # A copy deleted by hand since: the signed jar still works, only slower.
    return os.pathsep.join(
        str(copy if jar.name in replaced and (copy := unsigned / jar.name).is_file() else jar)
        for jar in jars
    )
