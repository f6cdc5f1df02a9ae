"""Reading a source file safely: the one error type every source parser raises.

A source is whatever the user points ``citekb load`` at. Whatever is wrong
with it (missing, a directory, empty, binary, not UTF-8, absurdly long lines,
malformed content) surfaces as a :class:`SourceError` whose message names the
file and, when it is about one place, the line, so the CLI can print one line
instead of a traceback. Nothing here hangs on hostile input: the file is read
once with a size cap and every later check is a linear scan.
"""

from __future__ import annotations

import codecs
from pathlib import Path

# Far above any real Daily Papers page (~100 KB) or id list (a million DOIs is
# ~30 MB); a bigger file is almost certainly not a seed list.
MAX_SOURCE_BYTES = 128 * 1024 * 1024


class SourceError(Exception):
    """A source that cannot be read or parsed; ``str()`` is ready to print.

    >>> str(SourceError("ids.txt", "not an id", line=3))
    'ids.txt:3: not an id'
    >>> str(SourceError("ids.txt", "empty file"))
    'ids.txt: empty file'
    """

    def __init__(self, path: str | Path, message: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


def line_of(data: bytes | str, index: int) -> int:
    """1-based line number of ``index`` in ``data``.

    >>> line_of("a\\nb\\nc", 4)
    3
    """
    newline: bytes | str = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, index) + 1  # type: ignore[arg-type]


def decode_source(data: bytes, path: str | Path) -> str:
    """Bytes of a source file -> text with ``\\n`` newlines, or a :class:`SourceError`.

    UTF-8 (with or without a BOM) and BOM-marked UTF-16 are accepted; NUL bytes
    or undecodable bytes mean the file is binary.

    >>> decode_source(b"\\xef\\xbb\\xbfarXiv:2512.17351\\r\\n", "ids.txt")
    'arXiv:2512.17351\\n'
    >>> decode_source(b"ok\\n\\x00\\x01", "x.bin")
    Traceback (most recent call last):
    ...
    loaders.source_files.SourceError: x.bin:2: binary data (a NUL byte at offset 3), not a text file
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(path, f"not valid UTF-16 text ({exc.reason})") from exc
    else:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise SourceError(
                path,
                f"binary data (a NUL byte at offset {nul}), not a text file",
                line=line_of(data, nul),
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(
                path,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                line=line_of(data, exc.start),
            ) from exc
    if "\x00" in text:
        raise SourceError(path, "binary data (a NUL character), not a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source_text(path: str | Path, *, max_bytes: int = MAX_SOURCE_BYTES) -> str:
    """The text of a source file, or a :class:`SourceError` saying why not."""
    p = Path(path)
    try:
        if p.is_dir():
            raise SourceError(p, "is a directory, not a file")
        size = p.stat().st_size
        if size > max_bytes:
            raise SourceError(
                p, f"{size} bytes is too large for a source (limit {max_bytes} bytes)"
            )
        with p.open("rb") as handle:
            # Read one byte past the limit: files that grow or lie about their
            # size (pipes, /proc) are still capped.
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise SourceError(p, "no such file") from exc
    except PermissionError as exc:
        raise SourceError(p, "permission denied") from exc
    except OSError as exc:
        raise SourceError(p, f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise SourceError(p, f"too large for a source (limit {max_bytes} bytes)")
    text = decode_source(data, p)
    if not text.strip():
        raise SourceError(p, "empty file (no entries)")
    return text


def check_line_lengths(lines: list[str], path: str | Path, limit: int, what: str) -> None:
    """Raise on the first line longer than ``limit`` characters.

    >>> try:
    ...     check_line_lengths(["ok", "x" * 11], "ids.txt", 10, "an id list")
    ... except SourceError as exc:
    ...     print(exc)
    ids.txt:2: line is 11 characters long; lines of an id list are at most 10
    """
    for number, line in enumerate(lines, start=1):
        if len(line) > limit:
            raise SourceError(
                path,
                f"line is {len(line)} characters long; lines of {what} are at most {limit}",
                line=number,
            )
