"""``citekb db shell``'s fallback: a small Cypher REPL over the Python driver.

Used when cypher-shell cannot be fetched or run (no ``mvn`` or Java), or with
``--driver``. It reads statements ending in ``;`` (several lines each) from a
terminal or a pipe, runs each in its own auto-commit transaction, and prints
the records as a table; ``:exit`` or end of input quits. A failing statement
prints Neo4j's message on one line and the REPL goes on.

The statements are the user's own text, typed at a prompt, as in
cypher-shell; citekb's statements stay in ``cypher/`` (the house rule is
about code, which this module runs none of).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from neo4j import Driver
from neo4j.exceptions import Neo4jError
from rich.console import Console
from rich.table import Table

MAX_ROWS = 1000


def statements(lines: Iterable[str]) -> Iterator[str]:
    """Statements split at a ``;`` ending a line; ``//`` comment lines dropped.

    >>> list(statements(["MATCH (n)", "RETURN n;", "// note", "RETURN 1;", ":exit", "RETURN 2;"]))
    ['MATCH (n)\\nRETURN n', 'RETURN 1']
    """
    buffer: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if not buffer and line.strip() in (":exit", ":quit"):
            return
        if line.strip().startswith("//"):
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            text = "\n".join(buffer).strip().rstrip(";").strip()
            buffer = []
            if text:
                yield text
    if "\n".join(buffer).strip():
        yield "\n".join(buffer).strip()


def _prompted(source: TextIO, out: Console) -> Iterator[str]:
    interactive = source.isatty()
    while True:
        if interactive:
            out.print("cypher> ", end="")
        line = source.readline()
        if not line:
            return
        yield line


def run_repl(driver: Driver, database: str, source: TextIO, out: Console) -> int:
    """Run every statement from ``source``; returns how many failed."""
    failures = 0
    for text in statements(_prompted(source, out)):
        try:
            with driver.session(database=database) as session:
                result = session.run(text)
                keys = list(result.keys())
                rows = [record.values() for record in result]
                summary = result.consume()
        except Neo4jError as exc:
            failures += 1
            out.print(f"error: {exc.message or exc}", markup=False, highlight=False)
            continue
        if keys:
            table = Table(*keys)
            for row in rows[:MAX_ROWS]:
                table.add_row(*(str(v) for v in row))
            out.print(table)
        more = f" (first {MAX_ROWS} shown)" if len(rows) > MAX_ROWS else ""
        counters = summary.counters
        changed = " , ".join(
            f"{name} {value}"
            for name, value in (
                ("nodes created", counters.nodes_created),
                ("relationships created", counters.relationships_created),
                ("properties set", counters.properties_set),
            )
            if value
        )
        out.print(f"{len(rows)} rows{more}{'; ' + changed if changed else ''}", markup=False)
    return failures
