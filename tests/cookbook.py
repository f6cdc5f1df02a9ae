"""The example queries of ``docs/graphql.md``, as the tests run them.

Each fenced ``graphql`` block is one example, named after the section it sits
in (with a counter when a section has several).

>>> examples = cookbook_examples()
>>> all(query.lstrip().startswith(("{", "query")) for _, query in examples)
True
"""

from __future__ import annotations

import re
from pathlib import Path

COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "graphql.md"

_BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.M | re.S)
_HEADING = re.compile(r"^#{2,3} (.+)$", re.M)


def cookbook_examples(path: Path = COOKBOOK) -> list[tuple[str, str]]:
    """``(name, query)`` for every ``graphql`` block of the cookbook, in order."""
    text = path.read_text(encoding="utf-8")
    examples: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for match in _BLOCK.finditer(text):
        headings = _HEADING.findall(text, 0, match.start())
        section = headings[-1].strip() if headings else "intro"
        seen[section] = seen.get(section, 0) + 1
        examples.append((f"{section} #{seen[section]}", match.group(1)))
    return examples
