"""Every form of paper id a user has at hand, reduced to one lookup.

``paper(id:)`` accepts the Semantic Scholar paper id (40 hex digits), the
placeholder id of an unresolved seed (``title:<sha1>``), ``arXiv:``/``ARXIV:``
ids with or without a version (and bare new-style arXiv ids), ``DOI:`` (and
bare ``10.`` DOIs or doi.org URLs), ``CorpusId:`` and a Relay global id of a
``Paper``. Anything else is an :class:`InvalidPaperId`: the API reports it as
a clear error instead of answering ``null`` for a typo.

>>> parse_paper_id("arXiv:2512.17351v2")
PaperKey(kind='arxiv', value='2512.17351')
>>> parse_paper_id("ARXIV:hep-th/9901001")
PaperKey(kind='arxiv', value='hep-th/9901001')
>>> parse_paper_id("DOI:10.1093/MIND/LIX.236.433")
PaperKey(kind='doi', value='10.1093/mind/lix.236.433')
>>> parse_paper_id("CorpusId:215416146")
PaperKey(kind='corpus', value=215416146)
>>> parse_paper_id("649def34f8be52c8b66281af98ae884c09aef38b")
PaperKey(kind='paper', value='649def34f8be52c8b66281af98ae884c09aef38b')
>>> parse_paper_id(global_id("Paper", "649def34f8be52c8b66281af98ae884c09aef38b")).kind
'paper'
>>> parse_paper_id("arXiv:12.34")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph_api.service.paper_ids.InvalidPaperId: not an arXiv id (expected YYMM.NNNNN or ...): ...
>>> parse_paper_id("not an id")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph_api.service.paper_ids.InvalidPaperId: 'not an id' is not a paper id: ...
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal

from loaders.id_lists import IdError, ParsedId
from loaders.id_lists import parse_paper_id as normalise_paper_id

PaperKeyKind = Literal["paper", "arxiv", "doi", "corpus"]

# The paperId of a seed Semantic Scholar has not resolved (loaders.rows.placeholder_paper_id).
_PLACEHOLDER = re.compile(r"^title:[0-9a-f]{24}$")


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


class InvalidPaperId(ValueError):
    """The text is not any paper id form the API understands."""

    def __init__(self, text: str, reason: str | None = None) -> None:
        super().__init__(
            reason
            or (
                f"{_shown(text)!r} is not a paper id: use a Semantic Scholar id, arXiv:<id>, "
                "DOI:<doi>, CorpusId:<n> or a Paper global id"
            )
        )


@dataclass(frozen=True)
class PaperKey:
    """Which indexed property to look a paper up by, and the value."""

    kind: PaperKeyKind
    value: str | int


def global_id(type_name: str, node_id: str) -> str:
    """A Relay global id, as strawberry encodes it: base64 of ``Type:id``.

    >>> global_id("Paper", "abc")
    'UGFwZXI6YWJj'
    """
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode("ascii")


def decode_global_id(text: str) -> tuple[str, str] | None:
    """``(type, id)`` of a Relay global id, or ``None`` when it is not one.

    >>> decode_global_id("UGFwZXI6YWJj")
    ('Paper', 'abc')
    >>> decode_global_id("2512.17351") is None
    True
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, node_id = raw.partition(":")
    if not sep or not type_name.isidentifier() or not node_id:
        return None
    return type_name, node_id


def parse_paper_id(text: str) -> PaperKey:
    """The lookup for any supported paper id form; :class:`InvalidPaperId` otherwise.

    The id forms themselves are recognised by the loaders' normaliser
    (:func:`loaders.id_lists.parse_paper_id`), so an id accepted in an id list
    is accepted here too. On top: placeholder ids and Relay global ids. A
    title is not an id here (``search`` finds papers by title).
    """
    value = text.strip()
    if _PLACEHOLDER.match(value):
        return PaperKey("paper", value)
    parsed = normalise_paper_id(value)
    if isinstance(parsed, ParsedId) and parsed.kind != "title":
        if parsed.kind == "s2":
            return PaperKey("paper", parsed.value)
        if parsed.kind == "corpus":
            return PaperKey("corpus", int(parsed.value))
        return PaperKey(parsed.kind, parsed.value)
    decoded = decode_global_id(value)
    if decoded is not None:
        type_name, node_id = decoded
        if type_name != "Paper":
            raise InvalidPaperId(value, f"{value!r} is the global id of a {type_name}, not a Paper")
        return PaperKey("paper", node_id)
    if isinstance(parsed, IdError):
        raise InvalidPaperId(value, f"{parsed.reason}: {_shown(value)!r}")
    raise InvalidPaperId(value)
