"""``citekb load SOURCE --dry-run``: what a load would read, touching neither S2 nor Neo4j.

Each entry of the source becomes one JSON object (``--json``, one per line)
or one readable line. The JSON keys are the camelCase names the GraphQL API
uses: ``title``, ``abstract``, ``date`` (ISO 8601 or null), ``upvotes``,
``authorsCount``, ``authors``, ``organization`` (display name or null),
``organizationHandle``, ``arxivId``, ``doi``, ``s2Id``, ``corpusId``,
``source`` and ``line``; with ``topics=True`` also ``topics``, the
keyphrase topics as ``[{name, key, score}]``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.rows import PaperRef
from loaders.sources import parse_source
from loaders.topics import keyphrase_topics, topic_key


def ref_json(ref: PaperRef, *, topics: bool = False) -> dict[str, Any]:
    """The dry-run record of one entry.

    >>> ref_json(PaperRef(title="T", date=datetime.date(2025, 12, 19), upvotes=2))["date"]
    '2025-12-19'
    """
    record: dict[str, Any] = {
        "title": ref.title,
        "abstract": ref.abstract,
        "date": ref.date.isoformat() if ref.date else None,
        "year": ref.date.year if ref.date else ref.year,
        "upvotes": ref.upvotes,
        "authorsCount": ref.authors_count,
        "authors": list(ref.authors),
        "organization": ref.organization,
        "organizationHandle": ref.organization_handle,
        "arxivId": ref.arxiv_id,
        "doi": ref.doi,
        "s2Id": ref.s2_id,
        "corpusId": ref.corpus_id,
        "source": ref.source,
        "line": ref.line,
    }
    if topics:
        record["topics"] = (
            [
                {"name": name, "key": topic_key(name), "score": score}
                for name, score in keyphrase_topics(ref.title, ref.abstract)
            ]
            if ref.title
            else []
        )
    return record


def _text_line(ref: PaperRef) -> str:
    ident = (
        (f"arXiv:{ref.arxiv_id}" if ref.arxiv_id else None)
        or (f"DOI:{ref.doi}" if ref.doi else None)
        or (f"CorpusId:{ref.corpus_id}" if ref.corpus_id is not None else None)
        or ref.s2_id
    )
    parts = [
        ref.date.isoformat() if ref.date else "----------",
        f"{ref.upvotes:>4}" if ref.upvotes is not None else "   -",
        ref.title or ident or "?",
    ]
    extras = [
        x
        for x in (
            ident if ref.title else None,
            ref.organization and f"org: {ref.organization}",
            ref.authors_count is not None and f"{ref.authors_count} authors",
        )
        if x
    ]
    return "  ".join(parts) + (f"  ({'; '.join(str(x) for x in extras)})" if extras else "")


def dry_run_lines(
    path: str | Path,
    *,
    as_of: datetime.date | None = None,
    as_json: bool = True,
    topics: bool = False,
) -> Iterator[str]:
    """The lines ``load --dry-run`` prints; raises :class:`loaders.sources.SourceError`.

    The whole source is parsed before the first line is yielded, so a bad
    file prints nothing but its error.
    """
    refs = parse_source(path, as_of=as_of)
    for ref in refs:
        if as_json:
            yield json.dumps(ref_json(ref, topics=topics), ensure_ascii=False)
        else:
            yield _text_line(ref)
