"""The load pipeline: seed entries -> Semantic Scholar resolution and enrichment -> Neo4j.

:func:`run_load` orchestrates the other loader modules; it owns no parsing,
no HTTP and no Cypher of its own:

* **Resolution.** Entries carrying an id (S2 paperId, arXiv id, DOI,
  CorpusId) go through ``POST /paper/batch`` (at most 500 ids a call) with the
  *detail* fields, so that one call both resolves and enriches them; a
  ``null`` answer means S2 has no such paper. Entries with only a title go
  through ``GET /paper/search/match`` (asking only ``paperId,title,year``) and
  are accepted when the normalised titles agree (``rapidfuzz`` ratio of at
  least :data:`TITLE_MATCH_THRESHOLD`) and the year is plausible (S2's year
  within :data:`YEAR_TOLERANCE` of the page's date, or either unknown); their
  details then come from ``POST /paper/batch``. Everything else is reported
  as unresolved, with the reason.
* **Enrichment by depth.** ``depth 0``: the listed papers (details, authors
  from ``POST /author/batch``, at most 1000 ids a call), no edges.
  ``depth 1``: also every reference and citation of each seed
  (``/paper/{id}/references`` and ``/citations``, pages of 1000, with
  ``isInfluential`` and ``intents`` and the other paper's basic metadata) as
  ``CITES``. ``depth 2``: one more hop of *references* from the papers
  depth 1 found, until ``max_papers`` papers are in the load.
  ``max_citations_per_paper`` bounds the citations read per paper.
  ``complete`` (``citekb load --complete IDS``): also the references of every
  paper citing a seed and the citations of every reference of a seed, which
  the seeds' disruption index needs (n_j against n_i, and n_k).
* So the S2 requests of a depth-1 load of N titles are exactly N title
  matches + ceil(resolved/500) batch calls + the reference and citation
  pages + ceil(authors/1000) author batches; with ids instead of titles there
  are no title matches and the resolving batch is also the details call.
* **Incremental, idempotent writes.** Rows go through
  :func:`loaders.graph_writer.write_rows` as the load goes (seeds first, then
  authors, then edges every ``flush_rows`` rows or ``flush_interval_s``
  seconds), each batch its own managed transactions. A crash loses only
  what was in flight; since every S2 answer is in the client's on-disk cache
  and every write MERGEs, rerunning the same load replays the same answers
  in the same order and ends in the same graph as an uninterrupted load.
* **S2 unreachable.** When S2 cannot be reached (``unreachable`` given by
  the caller's probe, or :class:`~loaders.s2_client.S2Unavailable` after the
  client's retries), every entry not yet written from S2 is written from the
  page itself (:func:`loaders.rows.rows_from_ref`: placeholder paper, page
  metadata, submitting organisation, keyphrase topics), and the summary says
  enrichment was skipped and how to resume. A later run merges those
  placeholders into the S2 papers (the writer does that by ``titleKey``).

* **OpenAlex.** With an :class:`~loaders.openalex_client.OpenAlexClient`,
  after the S2 phases every paper the load wrote with a DOI (arXiv papers
  carry ``10.48550/arXiv.<id>``) is looked up in OpenAlex in batches of
  :data:`~loaders.openalex_client.DOI_FILTER_MAX`, seeds first, each batch
  written when answered (:mod:`loaders.openalex_rows`: organisations per
  authorship, OpenAlex ids and ORCIDs of the S2 authors, topic hierarchy).
  OpenAlex failing or unreachable never undoes S2's part: the summary says
  what was skipped and the load is partial (exit 3).

The result is a :class:`LoadSummary`; :attr:`LoadSummary.exit_code` is 0 when
enrichment is complete, 3 when partial (unresolved entries, S2 unreachable,
pages missing), 1 on failure (e.g. the S2 key is rejected).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import math
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar
from urllib.parse import urlsplit

import httpx
from neo4j import Driver
from rapidfuzz import fuzz

from loaders.config import OpenAlexConfig
from loaders.graph_writer import (
    WriteCounts,
    begin_load,
    now_iso,
    record_load_meta,
    write_rows,
)
from loaders.openalex_client import (
    OpenAlexClient,
    OpenAlexError,
    OpenAlexOfflineMiss,
)
from loaders.openalex_rows import LoadedPaper, OpenAlexOutcome, rows_from_openalex_works
from loaders.rows import (
    S2_COUNTS,
    S2_PAPER_SCALARS,
    GraphRows,
    PaperRef,
    bare_arxiv_id,
    bare_doi,
    is_placeholder_id,
    normalise_title,
    rows_from_ref,
    rows_from_s2_authors,
    rows_from_s2_edge,
    rows_from_s2_paper,
)
from loaders.s2_client import (
    AUTHOR_BATCH_MAX,
    PAGE_MAX,
    PAPER_BATCH_MAX,
    S2AuthError,
    S2Client,
    S2Error,
    S2OfflineMiss,
    S2Unavailable,
)
from loaders.topics import keyphrase_topics

# A title match is accepted when rapidfuzz's ratio (0..100) of the two
# normalised titles reaches this. 90 tolerates punctuation/hyphenation and a
# word's spelling (``pre-training`` vs ``pretraining`` normalises differently)
# while rejecting a different paper that shares most words with a long title.
TITLE_MATCH_THRESHOLD: Final = 90.0
# The page's date is when Hugging Face featured the paper; S2's year is the
# publication year, which may be a venue's year after the preprint.
YEAR_TOLERANCE: Final = 1
# A title match whose page abstract and S2 abstract score below this
# (abstract_similarity) is another paper with the same title.
ABSTRACT_MATCH_THRESHOLD: Final = 75.0
# Author counts may differ by this much (or 10%) before they disagree.
AUTHOR_COUNT_TOLERANCE: Final = 1
# Depth 2 without --max-papers still stops here: one hop of references from
# a few thousand papers is already tens of thousands of requests.
DEFAULT_DEPTH2_MAX_PAPERS: Final = 2000

EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_PARTIAL: Final = 3

# What the details call asks for a seed (POST /paper/batch).
DETAIL_FIELDS: Final = (
    "paperId",
    "corpusId",
    "externalIds",
    "title",
    "abstract",
    "year",
    "publicationDate",
    "venue",
    "publicationVenue",
    "journal",
    *S2_COUNTS,
    "tldr",
    "url",
    "openAccessPdf",
    "s2FieldsOfStudy",
    "authors",
    # SPECTER2, not the default SPECTER v1: v2 is what S2 recommends for
    # similarity, and one index cannot mix the two models' spaces.
    "embedding.specter_v2",
)
# The title match has to identify the paper and carry what it is verified
# by (judge_title_match); the remaining details follow in a batch.
MATCH_FIELDS: Final = ("paperId", "title", "year", "externalIds", "abstract", "authors")
# Basic metadata of the paper at the other end of a reference/citation (the
# client adds the edge's own isInfluential, intents, contexts).
EDGE_PAPER_FIELDS: Final = (
    "paperId",
    "corpusId",
    "externalIds",
    "title",
    *S2_PAPER_SCALARS,
    "s2FieldsOfStudy",
    "url",
)
AUTHOR_FIELDS: Final = ("name", "hIndex", "citationCount", "paperCount", "affiliations")

Enrichment = Literal["complete", "partial", "skipped"]
# "off": no OpenAlex client was given (or OPENALEX_ENABLED is false).
OpenAlexStatus = Literal["off", "complete", "partial", "skipped"]
T = TypeVar("T")
# progress(phase, done, total): called as work advances; total None = unknown.
ProgressFn = Callable[[str, int, int | None], None]


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


@dataclass(frozen=True)
class Unresolved:
    """An entry S2 did not resolve; it is stored as a placeholder paper."""

    source: str
    title: str | None
    ident: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "id": self.ident, "reason": self.reason}


@dataclass
class LoadSummary:
    """What a load did; rendered by ``citekb load`` and recorded on ``Meta{key:'load'}``."""

    source: str = ""
    depth: int = 1
    parsed: int = 0
    duplicates: int = 0
    resolved: int = 0
    unresolved: list[Unresolved] = field(default_factory=list)
    placeholders_written: int = 0
    papers_written: int = 0
    cites_written: int = 0
    authors_fetched: int = 0
    s2_requests: int = 0
    cache_hits: int = 0
    cache_stale: int = 0
    retries: int = 0
    null_in_batches: int = 0
    null_in_edges: int = 0
    dropped_by_max_papers: int = 0
    papers_missing_edges: int = 0
    enrichment: Enrichment = "complete"
    s2_problem: str | None = None
    openalex_status: OpenAlexStatus = "off"
    openalex_problem: str | None = None
    openalex_papers: int = 0
    openalex_works: int = 0
    openalex_requests: int = 0
    openalex_cache_hits: int = 0
    openalex_retries: int = 0
    openalex_offline_misses: int = 0
    openalex: OpenAlexOutcome = field(default_factory=OpenAlexOutcome)
    failure: str | None = None
    messages: list[str] = field(default_factory=list)
    writes: WriteCounts = field(default_factory=WriteCounts)
    elapsed_s: float = 0.0
    # The graph version this load produced (its Meta:Load record), once recorded.
    graph_version: int | None = None

    @property
    def skipped_null_ids(self) -> int:
        return self.null_in_batches + self.null_in_edges

    @property
    def relationships_matched(self) -> int:
        """Relationship rows whose relationship already existed."""
        total = 0
        for kind in (
            "venues",
            "topics",
            "topic_tree",
            "org_parents",
            "authored",
            "affiliated",
            "affiliations",
            "submitted",
            "cites",
        ):
            kc = self.writes.by_kind.get(kind)
            if kc is not None:
                total += max(kc.rows - kc.relationships_created, 0)
        return total

    @property
    def exit_code(self) -> int:
        if self.failure is not None:
            return EXIT_FAILURE
        return EXIT_OK if self.enrichment == "complete" else EXIT_PARTIAL

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "depth": self.depth,
            "parsed": self.parsed,
            "duplicates": self.duplicates,
            "resolved": self.resolved,
            "unresolved": [u.as_dict() for u in self.unresolved],
            "placeholdersWritten": self.placeholders_written,
            "papersWritten": self.papers_written,
            "citesWritten": self.cites_written,
            "authorsFetched": self.authors_fetched,
            "nodesCreated": self.writes.nodes_created,
            "nodesMatched": self.writes.nodes_matched,
            "relationshipsCreated": self.writes.relationships_created,
            "relationshipsMatched": self.relationships_matched,
            "placeholdersMerged": self.writes.placeholders_merged,
            "s2Requests": self.s2_requests,
            "cacheHits": self.cache_hits,
            "cacheStale": self.cache_stale,
            "retries": self.retries,
            "nullInBatches": self.null_in_batches,
            "nullInEdges": self.null_in_edges,
            "droppedByMaxPapers": self.dropped_by_max_papers,
            "papersMissingEdges": self.papers_missing_edges,
            "enrichment": self.enrichment,
            "s2Problem": self.s2_problem,
            "openalex": {
                "status": self.openalex_status,
                "problem": self.openalex_problem,
                "papersWithDoi": self.openalex_papers,
                "worksFound": self.openalex_works,
                "requests": self.openalex_requests,
                "cacheHits": self.openalex_cache_hits,
                "retries": self.openalex_retries,
                "offlineMisses": self.openalex_offline_misses,
                **self.openalex.as_dict(),
            },
            "failure": self.failure,
            "messages": list(self.messages),
            "elapsedS": round(self.elapsed_s, 3),
            "exitCode": self.exit_code,
            "graphVersion": self.graph_version,
        }


# --------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------
def batch_id(ref: PaperRef) -> str | None:
    """The id a ref is looked up by in ``/paper/batch`` (strongest id first).

    >>> batch_id(PaperRef(title=None, arxiv_id="2512.17351v2"))
    'ARXIV:2512.17351'
    >>> batch_id(PaperRef(title="x", doi="10.1/ABC", corpus_id=7))
    'DOI:10.1/abc'
    >>> batch_id(PaperRef(title="only a title")) is None
    True
    """
    if ref.s2_id:
        return ref.s2_id.strip()
    arxiv = bare_arxiv_id(ref.arxiv_id)
    if arxiv:
        return f"ARXIV:{arxiv}"
    doi = bare_doi(ref.doi)
    if doi:
        return f"DOI:{doi}"
    if ref.corpus_id is not None:
        return f"CorpusId:{ref.corpus_id}"
    return None


def ref_identity(ref: PaperRef) -> str | None:
    """What makes two entries the same entry (its batch id, else its normalised title)."""
    ident = batch_id(ref)
    if ident is not None:
        return ident.lower()
    if ref.title and normalise_title(ref.title):
        return "title:" + normalise_title(ref.title)
    return None


def title_similarity(a: str, b: str) -> float:
    """rapidfuzz ratio (0..100) of the normalised titles.

    >>> title_similarity("BERT: Pre-training of Transformers", "bert pre training of transformers")
    100.0
    """
    return float(fuzz.ratio(normalise_title(a), normalise_title(b)))


def _author_count_agrees(page: int, s2: int) -> bool:
    """The page's author count against S2's, allowing S2's usual slips (a merged or split name).

    >>> _author_count_agrees(16, 15), _author_count_agrees(5, 2), _author_count_agrees(2, 3)
    (True, False, True)
    """
    return abs(page - s2) <= max(AUTHOR_COUNT_TOLERANCE, math.ceil(0.1 * max(page, s2)))


def _surnames(names: Iterable[str]) -> set[str]:
    """Each name's surname, normalised: "Last, First" (BibTeX, RIS) or "First Last".

    >>> sorted(_surnames(["Schölkopf, Bernhard", "Alexander J. Smola", "  "]))
    ['schölkopf', 'smola']
    """
    out: set[str] = set()
    for name in names:
        # BibTeX and RIS write "Last, First"; the page and S2 write "First Last".
        last = name.split(",", 1)[0] if "," in name else name
        words = normalise_title(last).split()
        if words:
            out.add(words[-1])
    return out


def abstract_similarity(a: str, b: str) -> float:
    """rapidfuzz token-set ratio (0..100) of the normalised abstracts.

    Token-set, because one side is often a shortened or revised copy of the
    other (a subset scores 100), while two different abstracts on the same
    subject share only the field's vocabulary: among the 54 abstracts of the
    sample page (all on pretraining) no two score above 64.

    >>> abstract_similarity("We train a model. It works.", "we train a model")
    100.0
    """
    return float(fuzz.token_set_ratio(normalise_title(a), normalise_title(b)))


def _external(match: Mapping[str, Any], name: str) -> str | None:
    ext = match.get("externalIds")
    value = ext.get(name) if isinstance(ext, Mapping) else None
    return str(value) if value else None


def title_match_disagreements(ref: PaperRef, match: Mapping[str, Any]) -> list[str]:
    """What the page knows that S2's title match contradicts (empty: nothing does).

    Checked when both sides know it: arXiv id, DOI, the number of authors
    (:func:`_author_count_agrees`), the authors' surnames when the source
    names them, and the abstract (:func:`abstract_similarity` at least
    :data:`ABSTRACT_MATCH_THRESHOLD`). An arXiv id or DOI that agrees settles
    it: the other fields are not weighed against an identifier.

    >>> ref = PaperRef(title="T", authors_count=5, abstract="we study scaling laws of models")
    >>> title_match_disagreements(ref, {"authors": [{"name": "A B"}] * 2,
    ...     "abstract": "a survey of graph databases and their query languages"})
    ['the page lists 5 authors, S2 has 2', 'abstract similarity 45 < 75']
    >>> with_id = PaperRef(title="T", authors_count=5, arxiv_id="2401.00001v2")
    >>> title_match_disagreements(with_id, {"authors": [{"name": "A B"}] * 2,
    ...     "externalIds": {"ArXiv": "2401.00001"}, "abstract": "other"})
    []
    """
    page_arxiv, s2_arxiv = bare_arxiv_id(ref.arxiv_id), bare_arxiv_id(_external(match, "ArXiv"))
    page_doi, s2_doi = bare_doi(ref.doi), bare_doi(_external(match, "DOI"))
    if s2_arxiv is None and s2_doi is not None:
        s2_arxiv = bare_arxiv_id(s2_doi) if s2_doi.startswith("10.48550/arxiv.") else None
    out: list[str] = []
    if page_arxiv and s2_arxiv:
        if page_arxiv != s2_arxiv:
            out.append(f"arXiv id {page_arxiv} on the page, {s2_arxiv} in S2")
        else:
            return []
    if page_doi and s2_doi:
        if page_doi != s2_doi:
            out.append(f"DOI {page_doi} on the page, {s2_doi} in S2")
        elif not out:
            return []
    authors = [a for a in match.get("authors") or () if isinstance(a, Mapping)]
    if ref.authors_count and authors and not _author_count_agrees(ref.authors_count, len(authors)):
        out.append(f"the page lists {ref.authors_count} authors, S2 has {len(authors)}")
    if ref.authors and authors:
        s2_names = [str(a.get("name")) for a in authors if a.get("name")]
        if s2_names and not (_surnames(ref.authors) & _surnames(s2_names)):
            out.append("no author in common")
    s2_abstract = match.get("abstract")
    if ref.abstract and isinstance(s2_abstract, str) and s2_abstract.strip():
        score = abstract_similarity(ref.abstract, s2_abstract)
        if score < ABSTRACT_MATCH_THRESHOLD:
            out.append(f"abstract similarity {score:.0f} < {ABSTRACT_MATCH_THRESHOLD:.0f}")
    return out


def judge_title_match(ref: PaperRef, match: Mapping[str, Any] | None) -> tuple[str | None, str]:
    """``(paperId, "")`` when the match is accepted, else ``(None, reason)``.

    Title similarity and year first; then everything else the source gives
    (:func:`title_match_disagreements`): a near-identical title with other
    authors or another abstract is a different paper.

    >>> ref = PaperRef(title="Attention Is All You Need", date=datetime.date(2017, 6, 12))
    >>> judge_title_match(ref, {"paperId":"p1", "title": "attention is ALL you need", "year": 2018})
    ('p1', '')
    >>> judge_title_match(ref, {"paperId":"p2", "title": "Attention is all you need", "year": 2021})
    (None, 'year mismatch: S2 has 2021, the entry is dated 2017')
    >>> judge_title_match(ref, None)
    (None, 'no title match in Semantic Scholar')
    >>> judge_title_match(PaperRef(title="Attention Is All You Need", authors_count=8),
    ...     {"paperId": "p3", "title": "Attention is all you need", "authors": [{"name": "X"}]})
    (None, "S2's p3 has this title but other details: the page lists 8 authors, S2 has 1")
    """
    if match is None or not match.get("paperId"):
        return None, "no title match in Semantic Scholar"
    s2_title = match.get("title") if isinstance(match.get("title"), str) else ""
    score = title_similarity(ref.title or "", s2_title or "")
    if score < TITLE_MATCH_THRESHOLD:
        return None, (
            f"low title similarity {score:.0f} < {TITLE_MATCH_THRESHOLD:.0f}"
            f" with S2 title {s2_title!r}"
        )
    year = match.get("year")
    entry_year = ref.date.year if ref.date is not None else ref.year
    if isinstance(year, int) and entry_year is not None and abs(year - entry_year) > YEAR_TOLERANCE:
        return None, f"year mismatch: S2 has {year}, the entry is dated {entry_year}"
    disagreements = title_match_disagreements(ref, match)
    if disagreements:
        return None, (
            f"S2's {match['paperId']} has this title but other details: " + "; ".join(disagreements)
        )
    return str(match["paperId"]), ""


def expected_requests(*, titles: int, resolved: int, edge_pages: int, authors: int) -> int:
    """The request budget of a depth-1 load (module docstring), for tests and docs.

    >>> expected_requests(titles=54, resolved=54, edge_pages=108, authors=300)
    164
    """
    return (
        titles
        + math.ceil(resolved / PAPER_BATCH_MAX)
        + edge_pages
        + math.ceil(authors / AUTHOR_BATCH_MAX)
    )


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _describe(ref: PaperRef) -> str:
    return ref.title or batch_id(ref) or ref.source


async def probe_s2(base_url: str, *, timeout_s: float = 5.0) -> str | None:
    """``None`` when a TCP connection to S2's host opens, else why not.

    A CI machine without internet fails here at once (DNS failure or
    connection refused), instead of after the client's full backoff.
    """
    parts = urlsplit(base_url)
    host = parts.hostname
    if not host:
        return f"S2_BASE_URL {base_url!r} has no host"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(timeout_s):
            _, writer = await asyncio.open_connection(host, port)
    except socket.gaierror as exc:
        return f"cannot resolve {host} ({exc.strerror or exc})"
    except TimeoutError:
        return f"no answer from {host}:{port} within {timeout_s:.0f} s"
    except OSError as exc:
        return f"cannot connect to {host}:{port} ({exc.strerror or exc})"
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return None


@contextlib.asynccontextmanager
async def openalex_session(
    config: OpenAlexConfig, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[tuple[OpenAlexClient | None, str | None]]:
    """The OpenAlex client a load should use (None when disabled) and, when its host
    cannot be reached, why (so the phase is reported skipped without waiting through
    backoff). A given transport (a fake) is never probed. Closed on exit.
    """
    if not config.enabled:
        yield None, None
        return
    unreachable = None
    if not config.offline and transport is None:
        unreachable = await probe_s2(config.base_url)
    async with OpenAlexClient(config, transport=transport) as client:
        yield client, unreachable


# --------------------------------------------------------------------------
# The load
# --------------------------------------------------------------------------
@dataclass
class _Seed:
    ref: PaperRef
    paper_id: str | None = None
    details: dict[str, Any] | None = None
    written_from_s2: bool = False
    # The S2 id a title match offered and verification refused.
    rejected_match: str | None = None


class _S2Down(Exception):
    """Internal: stop asking S2 (unreachable, retries spent, or key rejected)."""


class _Load:
    def __init__(
        self,
        refs: list[PaperRef],
        *,
        driver: Driver,
        database: str,
        client: S2Client,
        depth: int,
        max_papers: int | None,
        max_citations_per_paper: int | None,
        offline: bool,
        progress: ProgressFn,
        source: str,
        flush_rows: int,
        flush_interval_s: float,
        load_no: int | None,
        complete: bool = False,
        openalex: OpenAlexClient | None = None,
        openalex_unreachable: str | None = None,
    ) -> None:
        self.driver = driver
        self.openalex = openalex
        self.openalex_unreachable = openalex_unreachable
        # paperId -> (DOI, year) of every S2 paper this load wrote, in write
        # order; seeds also keep their S2 author list and keyphrases.
        self.loaded: dict[str, tuple[str, int | None]] = {}
        self.seed_authors: dict[str, tuple[tuple[str, str | None], ...]] = {}
        self.seed_keyphrases: dict[str, tuple[str, ...]] = {}
        self.database = database
        self.load_no = load_no
        self.complete = complete
        # Papers citing a seed and papers a seed cites, in the order read (for --complete).
        self.citers: dict[str, None] = {}
        self.seed_references: dict[str, None] = {}
        self.client = client
        self.depth = depth
        self.max_papers = max_papers
        if depth >= 2 and max_papers is None:
            self.max_papers = DEFAULT_DEPTH2_MAX_PAPERS
        self.max_citations = max_citations_per_paper
        self.offline = offline
        self.progress = progress
        self.flush_rows = flush_rows
        self.flush_interval_s = flush_interval_s
        self.summary = LoadSummary(source=source, depth=depth, parsed=len(refs))
        self.seeds = self._dedupe(refs)
        self.buffer = GraphRows()
        self.last_flush = time.monotonic()
        self.enriched_at = now_iso()
        self.s2_down: str | None = None
        self.offline_misses = 0
        self.admitted: dict[str, None] = {}
        self.stats_before = (
            client.stats.requests_sent,
            client.stats.cache_hits,
            client.stats.retries,
            client.stats.cache_stale,
        )

    # -- bookkeeping ---------------------------------------------------------
    def _dedupe(self, refs: list[PaperRef]) -> list[_Seed]:
        seen: set[str] = set()
        seeds: list[_Seed] = []
        for ref in refs:
            ident = ref_identity(ref)
            if ident is None:
                self.summary.unresolved.append(
                    Unresolved(ref.source, ref.title, None, "entry has no title and no id")
                )
                continue
            if ident in seen:
                self.summary.duplicates += 1
                continue
            seen.add(ident)
            seeds.append(_Seed(ref))
        return seeds

    def _unresolved(self, seed: _Seed, reason: str) -> None:
        self.summary.unresolved.append(
            Unresolved(seed.ref.source, seed.ref.title, batch_id(seed.ref), reason)
        )

    def _note_s2_error(self, exc: S2Error) -> None:
        """Turn an S2 failure into either a stop (raise _S2Down) or a counted miss."""
        if isinstance(exc, S2OfflineMiss):
            self.offline_misses += 1
            return
        if isinstance(exc, S2AuthError):
            self.summary.failure = str(exc)
            self.s2_down = str(exc)
            raise _S2Down from exc
        if isinstance(exc, S2Unavailable):
            self.s2_down = str(exc)
            raise _S2Down from exc

    async def _flush(self, *, force: bool = False) -> None:
        due = (
            len(self.buffer) >= self.flush_rows
            or time.monotonic() - self.last_flush >= self.flush_interval_s
        )
        if not self.buffer or not (force or due):
            return
        rows, self.buffer = self.buffer, GraphRows()
        for paper in rows.papers:
            doi, paper_id = paper.get("doi"), str(paper["paperId"])
            if isinstance(doi, str) and doi and not is_placeholder_id(paper_id):
                self.loaded.setdefault(paper_id, (doi, paper.get("year")))
        self.summary.papers_written += len(rows.papers)
        self.summary.cites_written += len(rows.cites)
        self.progress("write", len(rows), None)
        counts = await asyncio.to_thread(
            write_rows,
            self.driver,
            rows,
            database=self.database,
            source=self.summary.source,
            record_load=False,
            load_no=self.load_no,
        )
        self.summary.writes.extend(counts)
        self.last_flush = time.monotonic()

    def _keyphrases(
        self, ref: PaperRef, details: Mapping[str, Any] | None
    ) -> list[tuple[str, float]]:
        # The page's own text when it has an abstract: a placeholder written
        # offline and the S2 paper written later then get the same topics.
        title = ref.title
        abstract = ref.abstract
        if not abstract and details is not None:
            title = title or details.get("title")
            abstract = details.get("abstract") if isinstance(details.get("abstract"), str) else None
        return list(keyphrase_topics(title or "", abstract or ""))

    # -- phases --------------------------------------------------------------
    async def _batch_details(
        self, seeds: list[_Seed], ids: list[str], *, phase: str, miss: str
    ) -> AsyncIterator[tuple[_Seed, dict[str, Any] | None]]:
        """POST /paper/batch over ``ids`` in chunks: each seed with its answer, in order.

        A chunk S2 cannot answer (offline and not cached, or failing past the
        retries) marks its seeds unresolved with ``miss`` and forgets their
        paper id, instead of failing the whole load.
        """
        done = 0
        for chunk_start in range(0, len(ids), PAPER_BATCH_MAX):
            chunk = ids[chunk_start : chunk_start + PAPER_BATCH_MAX]
            part = seeds[chunk_start : chunk_start + PAPER_BATCH_MAX]
            try:
                answers = await self.client.paper_batch(chunk, DETAIL_FIELDS)
            except S2Error as exc:
                self._note_s2_error(exc)
                for seed in part:
                    seed.paper_id = None
                    self._unresolved(seed, miss)
                continue
            for seed, answer in zip(part, answers, strict=True):
                yield seed, answer
            done += len(chunk)
            self.progress(phase, done, len(ids))

    async def resolve_ids(self) -> None:
        """POST /paper/batch with the detail fields: resolution and details in one call."""
        seeds = [s for s in self.seeds if batch_id(s.ref) is not None]
        ids = [str(batch_id(s.ref)) for s in seeds]
        miss = "not in the S2 cache (offline)"
        async for seed, answer in self._batch_details(seeds, ids, phase="resolve ids", miss=miss):
            if answer is None or not answer.get("paperId"):
                self.summary.null_in_batches += 1
                self._unresolved(seed, f"not found in Semantic Scholar ({batch_id(seed.ref)})")
                continue
            seed.paper_id = str(answer["paperId"])
            seed.details = answer

    async def resolve_titles(self) -> None:
        """GET /paper/search/match per title-only entry, verified by title and year."""
        seeds = [s for s in self.seeds if batch_id(s.ref) is None]
        for i, seed in enumerate(seeds, start=1):
            title = seed.ref.title or ""
            try:
                match = await self.client.search_match(title, MATCH_FIELDS)
            except S2Error as exc:
                self._note_s2_error(exc)
                self._unresolved(seed, "not in the S2 cache (offline)")
                continue
            paper_id, reason = judge_title_match(seed.ref, match)
            if paper_id is None:
                if match is not None and match.get("paperId"):
                    seed.rejected_match = str(match["paperId"])
                self._unresolved(seed, reason)
            else:
                seed.paper_id = paper_id
            self.progress("resolve titles", i, len(seeds))

    async def fetch_details(self) -> None:
        """POST /paper/batch for seeds resolved by title (ids came with their details)."""
        seeds = [s for s in self.seeds if s.paper_id is not None and s.details is None]
        ids = [str(s.paper_id) for s in seeds]
        miss = "details not in the S2 cache (offline)"
        async for seed, answer in self._batch_details(seeds, ids, phase="details", miss=miss):
            if answer is None or not answer.get("paperId"):
                self.summary.null_in_batches += 1
                self._unresolved(seed, f"S2 has no details for {seed.paper_id}")
                seed.paper_id = None
                continue
            seed.details = answer
            # S2 may answer with the canonical id of a merged record.
            seed.paper_id = str(answer["paperId"])

    async def write_seeds(self) -> None:
        """Rows for every resolved seed; two entries resolving to one paper count once."""
        written: set[str] = set()
        for seed in self.seeds:
            if seed.details is None or seed.paper_id is None:
                continue
            if seed.paper_id in written:
                self.summary.duplicates += 1
                seed.written_from_s2 = True
                continue
            written.add(seed.paper_id)
            keyphrases = self._keyphrases(seed.ref, seed.details)
            self.buffer.extend(
                rows_from_s2_paper(
                    seed.details,
                    is_seed=True,
                    ref=seed.ref,
                    enriched_at=self.enriched_at,
                    keyphrases=keyphrases,
                )
            )
            self.seed_keyphrases[seed.paper_id] = tuple(name for name, _ in keyphrases)
            self.seed_authors[seed.paper_id] = tuple(
                (str(a["authorId"]), a.get("name") if isinstance(a.get("name"), str) else None)
                for a in seed.details.get("authors") or ()
                if isinstance(a, Mapping) and isinstance(a.get("authorId"), str)
            )
            seed.written_from_s2 = True
            self.admitted.setdefault(seed.paper_id)
        self.summary.resolved = len(written)
        await self._flush(force=True)

    async def write_placeholders(self) -> None:
        """Every entry not written from S2 is written from its page metadata: nothing lost."""
        count = 0
        for seed in self.seeds:
            if seed.written_from_s2:
                continue
            self.buffer.extend(
                rows_from_ref(
                    seed.ref,
                    keyphrases=self._keyphrases(seed.ref, None),
                    rejected_matches=[seed.rejected_match] if seed.rejected_match else (),
                )
            )
            count += 1
        self.summary.placeholders_written = count
        await self._flush(force=True)

    async def fetch_authors(self) -> None:
        ids: dict[str, None] = {}
        for seed in self.seeds:
            if seed.details is None:
                continue
            for author in seed.details.get("authors") or ():
                if isinstance(author, Mapping) and isinstance(author.get("authorId"), str):
                    ids.setdefault(author["authorId"])
        author_ids = list(ids)
        done = 0
        for chunk in _chunks(author_ids, AUTHOR_BATCH_MAX):
            try:
                answers = await self.client.author_batch(list(chunk), AUTHOR_FIELDS)
            except S2Error as exc:
                self._note_s2_error(exc)
                continue
            self.summary.null_in_batches += sum(1 for a in answers if a is None)
            self.summary.authors_fetched += sum(1 for a in answers if a is not None)
            self.buffer.extend(rows_from_s2_authors(answers))
            done += len(chunk)
            self.progress("authors", done, len(author_ids))
        await self._flush(force=True)

    def _cap_reached(self) -> bool:
        return self.max_papers is not None and len(self.admitted) >= self.max_papers

    async def _edges(
        self,
        paper_id: str,
        direction: Literal["references", "citations"],
        *,
        into: dict[str, None] | None = None,
    ) -> bool:
        """Read one paper's references or citations into the buffer; False if cut short.

        ``into`` collects the other papers' ids in the order read (a seed's
        citers and references, which ``--complete`` reads further).
        """
        if direction == "references":
            pages = self.client.references(paper_id, EDGE_PAPER_FIELDS, limit=PAGE_MAX)
            key = "citedPaper"
        else:
            pages = self.client.citations(
                paper_id, EDGE_PAPER_FIELDS, limit=PAGE_MAX, max_items=self.max_citations
            )
            key = "citingPaper"
        try:
            async for item in pages:
                other = item.get(key) if isinstance(item, Mapping) else None
                other_id = other.get("paperId") if isinstance(other, Mapping) else None
                if not isinstance(other_id, str) or not other_id:
                    self.summary.null_in_edges += 1
                    continue
                if other_id not in self.admitted:
                    if self._cap_reached():
                        self.summary.dropped_by_max_papers += 1
                        continue
                    self.admitted.setdefault(other_id)
                if into is not None:
                    into.setdefault(other_id)
                self.buffer.extend(rows_from_s2_edge(item, paper_id=paper_id, direction=direction))
        except S2Error as exc:
            self._note_s2_error(exc)
            return False
        return True

    async def fetch_edges(self) -> None:
        seeds: list[str] = []
        for seed in self.seeds:
            if seed.details is not None and seed.paper_id and seed.paper_id not in seeds:
                seeds.append(seed.paper_id)
        for i, paper_id in enumerate(seeds, start=1):
            complete = await self._edges(paper_id, "references", into=self.seed_references)
            complete = await self._edges(paper_id, "citations", into=self.citers) and complete
            if not complete:
                self.summary.papers_missing_edges += 1
            self.progress("citations", i, len(seeds))
            await self._flush()
        await self._flush(force=True)

    async def fetch_citers_references(self) -> None:
        """``--complete``: the references of every paper citing a seed, and the
        citations of every paper a seed cites.

        The disruption index of a seed asks, of each paper citing it, whether
        it also cites one of the seed's references (n_j, else n_i), and counts
        the papers citing a reference but not the seed (n_k). At depth 1 the
        graph holds only the citing papers' edge to the seed, so every one of
        them looks like it cites the seed alone, and of each reference only
        its edges from the loaded seeds. This reads both lists
        (``max_citations_per_paper`` bounds each citation list; the index's
        coverage then says what is missing).
        """
        seed_ids = {s.paper_id for s in self.seeds if s.paper_id}
        lists: tuple[tuple[dict[str, None], Literal["references", "citations"], str], ...] = (
            (self.citers, "references", "citing papers' references"),
            (self.seed_references, "citations", "references' citations"),
        )
        for ids, direction, phase in lists:
            papers = [p for p in ids if p not in seed_ids]
            for i, paper_id in enumerate(papers, start=1):
                if not await self._edges(paper_id, direction):
                    self.summary.papers_missing_edges += 1
                self.progress(phase, i, len(papers))
                await self._flush()
        await self._flush(force=True)

    async def fetch_second_hop(self) -> None:
        seed_ids = {s.paper_id for s in self.seeds if s.paper_id}
        frontier = [p for p in self.admitted if p not in seed_ids]
        for i, paper_id in enumerate(frontier, start=1):
            if self._cap_reached():
                self.summary.messages.append(
                    f"depth 2 stopped at --max-papers {self.max_papers}:"
                    f" references of {len(frontier) - i + 1} papers not read"
                )
                break
            if not await self._edges(paper_id, "references"):
                self.summary.papers_missing_edges += 1
            self.progress("second hop", i, len(frontier))
            await self._flush()
        await self._flush(force=True)

    async def fetch_openalex(self) -> None:
        """OpenAlex works of every loaded paper with a DOI: orgs, author ids, topic tree.

        Batches of ``OPENALEX_BATCH_SIZE`` (at most :data:`DOI_FILTER_MAX`) DOIs
        in write order (seeds first),
        each written as soon as it is answered; a failure stops the phase
        with what was written kept, and the summary says what was skipped.
        """
        assert self.openalex is not None
        s = self.summary
        papers = [
            LoadedPaper(
                paper_id,
                doi,
                year if isinstance(year, int) else None,
                self.seed_authors.get(paper_id),
                self.seed_keyphrases.get(paper_id, ()),
            )
            for paper_id, (doi, year) in self.loaded.items()
        ]
        s.openalex_papers = len(papers)
        if self.openalex_unreachable is not None:
            s.openalex_problem = self.openalex_unreachable
            s.openalex_status = "skipped"
            return
        stats = self.openalex.stats
        before = (stats.requests_sent, stats.cache_hits, stats.retries)
        done = 0
        for chunk in _chunks(papers, self.openalex.batch_size):
            try:
                works = await self.openalex.works_by_doi([p.doi for p in chunk])
            except OpenAlexOfflineMiss:
                s.openalex_offline_misses += 1
                continue
            except OpenAlexError as exc:
                s.openalex_problem = str(exc)
                break
            outcome = rows_from_openalex_works(chunk, works)
            s.openalex_works += outcome.works_used
            total = s.openalex
            total.works_used += outcome.works_used
            total.authors_matched += outcome.authors_matched
            total.authors_apart += outcome.authors_apart
            total.disagreements.extend(outcome.disagreements)
            total.orgs += outcome.orgs
            total.affiliations += outcome.affiliations
            self.buffer.extend(outcome.rows)
            await self._flush(force=True)
            done += len(chunk)
            self.progress("openalex", done, len(papers))
        s.openalex_requests = stats.requests_sent - before[0]
        s.openalex_cache_hits = stats.cache_hits - before[1]
        s.openalex_retries = stats.retries - before[2]
        if s.openalex_problem is not None:
            s.openalex_status = "partial" if done else "skipped"
        elif s.openalex_offline_misses:
            s.openalex_status = "partial"
        else:
            s.openalex_status = "complete"

    # -- driver --------------------------------------------------------------
    async def run(self, unreachable: str | None) -> LoadSummary:
        started = time.perf_counter()
        if unreachable is not None:
            self.s2_down = unreachable
        else:
            try:
                await self.resolve_ids()
                await self.resolve_titles()
                await self.fetch_details()
            except _S2Down:
                pass
        # Seeds are written as soon as they are known, before any edge page.
        await self.write_seeds()
        await self.write_placeholders()
        if self.s2_down is None:
            try:
                await self.fetch_authors()
                if self.depth >= 1 or self.complete:
                    await self.fetch_edges()
                if self.complete and self.s2_down is None:
                    await self.fetch_citers_references()
                if self.depth >= 2 and self.s2_down is None:
                    await self.fetch_second_hop()
            except _S2Down:
                # Whatever was read before the failure is still written.
                await self._flush(force=True)
        # OpenAlex comes after S2: whatever OpenAlex does, S2's part is done.
        if self.openalex is not None:
            await self.fetch_openalex()
        self._finish(started)
        return self.summary

    def _finish(self, started: float) -> None:
        s = self.summary
        stats = self.client.stats
        s.s2_requests = stats.requests_sent - self.stats_before[0]
        s.cache_hits = stats.cache_hits - self.stats_before[1]
        s.retries = stats.retries - self.stats_before[2]
        s.cache_stale = stats.cache_stale - self.stats_before[3]
        if s.dropped_by_max_papers:
            s.messages.append(
                f"--max-papers {self.max_papers}: {s.dropped_by_max_papers} citation edges"
                " to papers beyond the limit were not stored"
            )
        nothing_enriched = s.resolved == 0
        if self.s2_down is not None:
            s.s2_problem = self.s2_down
            s.enrichment = "skipped" if nothing_enriched else "partial"
            again = f"citekb load {s.source or 'SOURCE'}"
            if self.depth != 1:
                again += f" --depth {self.depth}"
            how = (
                f"rerun `{again}` when Semantic Scholar is reachable"
                " (answers already fetched are replayed from the cache), or"
                f" `{again} --offline` to enrich from the cache alone"
            )
            if nothing_enriched:
                s.messages.insert(
                    0,
                    f"Semantic Scholar unreachable ({self.s2_down}): enrichment skipped;"
                    f" {s.placeholders_written} entries written from the source's own metadata"
                    f" (title, abstract, date, upvotes, organisation, keyphrase topics)."
                    f" To enrich them: {how}.",
                )
            else:
                s.messages.insert(
                    0,
                    f"Semantic Scholar failed part-way ({self.s2_down}): enrichment partial;"
                    f" everything read so far is written. To finish: {how}.",
                )
        elif self.offline_misses or s.unresolved or s.papers_missing_edges:
            s.enrichment = "partial"
            if self.offline_misses:
                s.messages.append(
                    f"offline: {self.offline_misses} S2 answers were not in the cache;"
                    " rerun without --offline when Semantic Scholar is reachable"
                )
            if s.unresolved:
                s.messages.append(
                    f"{len(s.unresolved)} entries not resolved in Semantic Scholar;"
                    " they are stored from the source's metadata (see reasons)"
                )
        else:
            s.enrichment = "complete"
        self._finish_openalex()
        s.elapsed_s = time.perf_counter() - started

    def _finish_openalex(self) -> None:
        s = self.summary
        if s.openalex.disagreements:
            s.messages.append(
                f"OpenAlex: {len(s.openalex.disagreements)} authorships disagree with S2"
                f" (kept apart), e.g. {s.openalex.disagreements[0]}"
            )
        if s.openalex_status not in ("partial", "skipped"):
            return
        if s.enrichment == "complete":
            s.enrichment = "partial"
        again = f"citekb load {s.source or 'SOURCE'}"
        if s.openalex_offline_misses:
            s.messages.append(
                f"offline: {s.openalex_offline_misses} OpenAlex batches were not in the cache;"
                " their organisations and OpenAlex topics are missing"
            )
        if s.openalex_problem is not None:
            done = s.openalex_status == "partial"
            s.messages.append(
                f"OpenAlex {'failed part-way' if done else 'unavailable'} ({s.openalex_problem}):"
                f" organisations, ORCIDs and OpenAlex topics"
                f" {'partly ' if done else ''}skipped for the {s.openalex_papers} loaded papers"
                f" with a DOI ({s.openalex_works} works written); the Semantic Scholar part"
                f" is {'complete' if s.s2_problem is None else 'as reported above'}."
                f" Rerun `{again}` when OpenAlex answers (answers already fetched are"
                " replayed from the cache), or set OPENALEX_ENABLED=false to load without it."
            )


async def run_load(
    refs: list[PaperRef],
    *,
    driver: Driver,
    database: str = "neo4j",
    client: S2Client,
    depth: int = 1,
    max_papers: int | None = None,
    max_citations_per_paper: int | None = None,
    offline: bool = False,
    progress: ProgressFn = _no_progress,
    source: str = "",
    unreachable: str | None = None,
    flush_rows: int = 2000,
    flush_interval_s: float = 5.0,
    record: bool = True,
    complete: bool = False,
    openalex: OpenAlexClient | None = None,
    openalex_unreachable: str | None = None,
) -> LoadSummary:
    """Resolve, enrich and write ``refs``; see the module docstring.

    ``complete`` (``citekb load --complete IDS``) also reads the references of
    every paper citing a seed and the citations of every reference of a seed:
    what the disruption index of the seeds needs
    (:meth:`_Load.fetch_citers_references`).

    ``unreachable`` is the caller's finding that S2 cannot be reached (e.g.
    :func:`probe_s2`): enrichment is skipped without a request. ``offline``
    documents that ``client`` answers from its cache alone (a miss leaves an
    entry unresolved instead of stopping the load). ``record`` writes the
    load on ``Meta{key:'load'}`` and bumps the graph version, which is how
    analytics learns its stored scores are stale. ``openalex`` runs the
    OpenAlex phase after S2's (``openalex_unreachable``: the caller's probe
    found it down, so the phase is reported skipped without a request).
    """
    if depth not in (0, 1, 2):
        raise ValueError("depth must be 0, 1 or 2")
    load_no = None
    if record:
        load_no = await asyncio.to_thread(begin_load, driver, database=database)
    load = _Load(
        refs,
        driver=driver,
        database=database,
        client=client,
        depth=depth,
        max_papers=max_papers,
        max_citations_per_paper=max_citations_per_paper,
        offline=offline or client.offline,
        progress=progress,
        source=source,
        flush_rows=flush_rows,
        flush_interval_s=flush_interval_s,
        load_no=load_no,
        complete=complete,
        openalex=openalex,
        openalex_unreachable=openalex_unreachable,
    )
    summary = await load.run(unreachable)
    if record:
        summary.graph_version = await asyncio.to_thread(
            record_load_meta,
            driver,
            summary.writes,
            database=database,
            source=source or "refs",
            status=summary.enrichment,
            load_no=load_no,
            extra={
                "depth": depth,
                "complete": complete,
                "resolved": summary.resolved,
                "unresolved": len(summary.unresolved),
                "s2Requests": summary.s2_requests,
                "cacheHits": summary.cache_hits,
                "cacheStale": summary.cache_stale,
            },
        )
    return summary


def load_date(value: str | None) -> datetime.date | None:
    """``--as-of`` text -> date (ISO 8601), ``None`` for none."""
    return datetime.date.fromisoformat(value) if value else None
