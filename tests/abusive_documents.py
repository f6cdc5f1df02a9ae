"""GraphQL documents built to be refused: deep nesting and fragment doubling.

Shared by the unit tests of refusals (tests/unit/test_api_refusals.py) and the
floods against a served API (tests/integration/api/test_api_abuse.py).
"""

from __future__ import annotations


def nested_document(paper_id: str, levels: int) -> str:
    """A query ``levels`` objects deep: paper -> references -> nodes -> references ..."""
    inner = "title"
    for _ in range(levels):
        inner = f"references(first: 1) {{ nodes {{ {inner} }} }}"
    return f'{{ paper(id: "{paper_id}") {{ {inner} }} }}'


def doubling_document(levels: int) -> str:
    """Fragments that each spread the previous one twice: 2**levels copies of F0 (cost 21)."""
    parts = [
        f"query Q {{ ...F{levels} }}",
        "fragment F0 on Query { papers(first: 20) { nodes { title } } }",
    ]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join(parts)
