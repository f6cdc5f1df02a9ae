"""The bench's GraphQL documents: ``bench/graphql/<name>.graphql`` for citekb,
``bench/graphql/peer/<name>.graphql`` for the @neo4j/graphql peer.

Selections several queries share (a listed paper, a citation's facts) are
fragments: in the folder's ``fragments.graphql`` where the two servers name
things differently, in ``bench/graphql/shared.fragments.graphql`` where both
schemas accept the same text (a paper's own fields), so that selection is
written once for both. :func:`document` appends to a query the fragments it
spreads (and those they spread): each server receives one self-contained
document, and the two servers' forms of a query stay the same logical query. A
document that spreads nothing is sent as written.
"""

from __future__ import annotations

import re
from pathlib import Path

from graphql import FragmentDefinitionNode, parse

from bench import results

GRAPHQL_DIR = results.BENCH_DIR / "graphql"
PEER_GRAPHQL_DIR = GRAPHQL_DIR / "peer"
FRAGMENTS = "fragments.graphql"
SHARED_FRAGMENTS = GRAPHQL_DIR / "shared.fragments.graphql"

# `...Name` spreads a fragment; `... on Type` is an inline fragment.
_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([_A-Za-z]\w*)")


def fragments(folder: Path) -> dict[str, str]:
    """The fragments of ``folder``'s ``fragments.graphql`` and the shared file, by name,
    each as written."""
    found: dict[str, str] = {}
    for path in (SHARED_FRAGMENTS, folder / FRAGMENTS):
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for node in parse(text).definitions:
            assert isinstance(node, FragmentDefinitionNode), f"{path}: fragments only"
            assert node.loc is not None and node.name.value not in found, path
            found[node.name.value] = text[node.loc.start : node.loc.end]
    return found


def document(name: str, folder: Path = GRAPHQL_DIR) -> str:
    """``folder/<name>.graphql`` with the fragments it spreads appended."""
    text = (folder / f"{name}.graphql").read_text(encoding="utf-8")
    known = fragments(folder)
    used: list[str] = []
    pending = _SPREAD.findall(text)
    while pending:
        spread = pending.pop(0)
        if spread not in used:
            used.append(spread)
            pending.extend(_SPREAD.findall(known[spread]))
    return "\n\n".join([text.rstrip("\n"), *(known[u] for u in used)]) + "\n"
