"""Papers as a BibTeX or RIS file: the ``Bibliography`` GraphQL type and its one builder.

``bibliography(ids:, format:)`` and the ``bibliography(format:)`` fields of
``Lineage``, ``SimilarityGraph`` and ``CommunityGraph`` all answer with
:func:`make_bibliography`: one read of the papers' export details
(``read/export_references``), then the writers of :mod:`loaders.bib_files`
and :mod:`loaders.ris_files`, whose output ``citekb load`` reads back.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from graph_api.service.context import Info
from graph_api.store.graph_export import reference_records_async
from loaders.bib_files import bibtex_text
from loaders.ris_files import ris_text


@strawberry.enum(description="A reference-manager format.")
class CitationFormat(Enum):
    BIBTEX = strawberry.enum_value("bibtex", description="BibTeX (.bib), LaTeX-escaped")
    RIS = strawberry.enum_value("ris", description="RIS (.ris), as EndNote and Zotero read it")


@strawberry.type(description="Papers as a BibTeX or RIS file.")
class Bibliography:
    format: CitationFormat = strawberry.field(description="The format of `text`")
    text: str = strawberry.field(description="The file's content")
    papers: int = strawberry.field(description="Entries written")


async def make_bibliography(info: Info, paper_ids: list[str], fmt: CitationFormat) -> Bibliography:
    """The papers (in the order given) as one BibTeX or RIS text."""
    records = await reference_records_async(info.context.reader, paper_ids)
    text = bibtex_text(records) if fmt is CitationFormat.BIBTEX else ris_text(records)
    return Bibliography(format=fmt, text=text, papers=len(records))
