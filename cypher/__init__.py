"""Every Cypher statement citekb runs, kept as ``.cypher`` package data.

Statements are looked up by name (``"write/papers"`` is
``cypher/write/papers.cypher``), read once through :mod:`importlib.resources`
and cached. Each file opens with a ``// params:`` and a ``// returns:`` line so
a reader knows its contract without reading the query. Nothing in citekb
builds Cypher with f-strings; the type ``LiteralString`` records that the text
comes from the package, not from user input.

>>> "dbms.components" in statement("read/server_info")
True
>>> header("admin/set_initial_password").params
['old', 'new']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import LiteralString, cast

_ROOT = files(__name__)


class UnknownStatement(KeyError):
    """No ``.cypher`` file of that name ships with the package."""


@dataclass(frozen=True)
class Header:
    params: list[str]
    returns: str


@cache
def _text(name: str) -> str:
    parts = name.split("/")
    node: Traversable = _ROOT
    for part in parts[:-1]:
        node = node.joinpath(part)
    node = node.joinpath(parts[-1] + ".cypher")
    if not node.is_file():
        raise UnknownStatement(name)
    return node.read_text(encoding="utf-8")


def statement(name: str) -> LiteralString:
    """The Cypher text of ``cypher/<name>.cypher`` (cached)."""
    # The cast is sound: the text is package data shipped with citekb, never
    # input from a user, which is what LiteralString is meant to assert.
    return cast(LiteralString, _text(name))  # type: ignore[redundant-cast]


def statements(name: str) -> list[LiteralString]:
    """A multi-statement file (the schema) split on ``;`` at line ends."""
    body = "\n".join(
        line for line in _text(name).splitlines() if not line.lstrip().startswith("//")
    )
    parts = (s.strip().rstrip(";").strip() for s in body.split(";\n"))
    return [cast(LiteralString, s) for s in parts if s]  # type: ignore[redundant-cast]


def header(name: str) -> Header:
    """The ``// params:`` and ``// returns:`` contract of a statement."""
    params: list[str] | None = None
    returns: str | None = None
    for line in _text(name).splitlines():
        stripped = line.strip()
        if stripped.startswith("// params:"):
            raw = stripped.removeprefix("// params:").strip()
            params = [
                p.strip().lstrip("$") for p in raw.split(",") if p.strip() and p.strip() != "-"
            ]
        elif stripped.startswith("// returns:"):
            returns = stripped.removeprefix("// returns:").strip()
        if params is not None and returns is not None:
            return Header(params=params, returns=returns)
    raise ValueError(f"cypher/{name}.cypher lacks a '// params:' or '// returns:' header")


def names() -> list[str]:
    """Every statement shipped, as names usable with :func:`statement`."""
    found: list[str] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir() and not child.name.startswith("__"):
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".cypher"):
                found.append(prefix + child.name.removesuffix(".cypher"))

    walk(_ROOT, "")
    return sorted(found)
