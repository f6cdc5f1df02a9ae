"""Plain rows for the graph writer: the shared data contract (docs/contract.md).

Every loader turns what it read (a page, an id list, Semantic Scholar
responses, S2 Datasets files) into a :class:`GraphRows`; the writer
(:mod:`loaders.graph_writer`) turns rows into Neo4j writes. The functions here
are pure: no I/O, no clock, no network, so they are cheap to test against the
real recorded S2 bodies.

Conventions (what the writer and the API rely on):

* A missing value is ``None``, never ``""``: S2 sends ``""`` for an unknown
  venue and for ``openAccessPdf.url`` of arXiv-only papers, and those become
  ``None`` here so that the writer's ``coalesce`` keeps what is already known.
* DOIs are lower-cased; arXiv ids are bare and unversioned (``2503.23674``).
  S2 lists an arXiv paper's DataCite DOI (``10.48550/arXiv.<id>``); when the
  ``ArXiv`` key is absent the arXiv id is read from that DOI.
* ``titleKey`` is :func:`normalise_title` of the title. A seed that S2 did not
  resolve is stored under :func:`placeholder_paper_id` (``title:<sha1>``), and
  the writer merges it into the S2 node that later arrives with the same
  ``titleKey`` (or the same arXiv id or DOI).
* Dates are ISO strings (``YYYY-MM-DD``).

>>> normalise_title("  Attention Is All You Need! ")
'attention is all you need'
>>> a = placeholder_paper_id("Attention is all you need")
>>> a == placeholder_paper_id("ATTENTION is all-you-need.")
True
>>> a
'title:37f63852cdfb06903c168047'
>>> cites_rows("a", "b", is_influential=True, intents=["methodology"], source="s2-api")
{'citing': 'a', 'cited': 'b', 'isInfluential': True, 'intents': ['methodology'], \
'contexts': None, 'contextIntents': None, 'source': 's2-api'}
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

Row = dict[str, Any]

PLACEHOLDER_PREFIX = "title:"
TOPIC_SOURCE_FOS = "s2-fos"
TOPIC_SOURCE_KEYPHRASE = "keyphrase"
CITES_SOURCES = ("s2-api", "s2-datasets", "synthetic")
# SPECTER2 (and SPECTER) vectors have 768 dimensions; the vector index in
# cypher/schema/schema.cypher is declared with the same number, and a vector
# of any other length is not stored (it could never be compared).
EMBEDDING_DIMENSIONS = 768
# The embedding model citekb asks S2 for (``embedding.specter_v2``).
EMBEDDING_MODEL = "specter_v2"
# S2's default answer to a bare ``embedding`` field is SPECTER v1 (see the
# recorded paper detail): the same length, another space; one index cannot
# mix the two, so such vectors are not stored.
OTHER_EMBEDDING_MODELS = frozenset({"specter_v1", "specter@v1"})
# S2's counts of a paper, which a paper row keeps under S2's own names
# (rows_from_s2_paper copies them): the loader asks S2 for them
# (loaders/pipeline.py: details, and the papers of reference/citation pages)
# and write/papers stores them (loaders/graph_writer.py, PAPER_PROPERTIES).
S2_COUNTS: tuple[str, ...] = ("citationCount", "referenceCount", "influentialCitationCount")
# The basic fields of a paper under S2's names (a reference's or citation's
# paper brings these; the row keeps year, date and venue after filling gaps).
S2_PAPER_SCALARS: tuple[str, ...] = ("year", "publicationDate", "venue", *S2_COUNTS)

# S2 registers every arXiv paper under a DataCite DOI of this form.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v\d+$")
# Anything that is not a letter or a digit separates words; "_" counts as
# punctuation here although regex treats it as a word character.
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class PaperRef:
    """One entry parsed from a source (page, id list, HF JSON)."""

    title: str | None
    abstract: str | None = None
    date: datetime.date | None = None
    # The year alone, for sources that give no day (BibTeX, RIS); ``date.year`` when both.
    year: int | None = None
    upvotes: int | None = None
    authors_count: int | None = None
    authors: tuple[str, ...] = ()
    organization: str | None = None
    organization_handle: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    s2_id: str | None = None
    corpus_id: int | None = None
    source: str = ""
    line: int | None = None


@dataclass
class GraphRows:
    """Rows for the writer; every list feeds one ``UNWIND`` statement.

    papers:     {paperId, corpusId, arxivId, doi, title, titleKey, abstract, year,
                 publicationDate, venue, citationCount, referenceCount,
                 influentialCitationCount, tldr, url, openAccessPdf, isSeed,
                 hfUpvotes, synthetic, enrichedAt}
    authors:    {authorId, name, hIndex, citationCount, paperCount}
    authored:   {authorId, paperId, position}
    orgs:       {key, name, handle} (+ ror, openalexId, country, type, source,
                 aliases from OpenAlex)
    org_parents: {orgKey, parentKey, parentOpenalexId} (institution lineage, PART_OF)
    affiliated: {authorId, orgKey} (S2's per-person affiliations)
    affiliations: {authorId, orgKey, paperId, year} (per-paper, from OpenAlex)
    submitted:  {orgKey, paperId, handle}
    topics:     {paperId, key, name, source, score} (+ level, openalexId)
    topic_tree: {key, name, level, openalexId, source, parentKey, parentName,
                 parentLevel, parentOpenalexId} (SUBTOPIC_OF)
    venues:     {paperId, key, name, type}
    cites:      {citing, cited, isInfluential, intents, contexts, contextIntents, source}
    embeddings: {paperId, vector (768 floats), model}

    ``contexts`` are the sentences of the citing paper that cite (S2's
    ``contexts``); ``contextIntents[i]`` holds the intents of ``contexts[i]``
    joined by ``","`` (``""`` when S2 gives none), since a Neo4j property
    cannot hold a list of lists. Both are ``None`` when S2 gave no contexts;
    ``contextIntents`` is also ``None`` when no context has an intent.
    """

    papers: list[Row] = field(default_factory=list)
    authors: list[Row] = field(default_factory=list)
    authored: list[Row] = field(default_factory=list)
    orgs: list[Row] = field(default_factory=list)
    org_parents: list[Row] = field(default_factory=list)
    affiliated: list[Row] = field(default_factory=list)
    affiliations: list[Row] = field(default_factory=list)
    submitted: list[Row] = field(default_factory=list)
    topics: list[Row] = field(default_factory=list)
    topic_tree: list[Row] = field(default_factory=list)
    venues: list[Row] = field(default_factory=list)
    cites: list[Row] = field(default_factory=list)
    embeddings: list[Row] = field(default_factory=list)

    def extend(self, other: GraphRows) -> None:
        # Called once a record by the bulk path (100k times for a 100k corpus):
        # the kinds' names come from a tuple made once, not dataclasses.fields(),
        # which builds its answer anew on every call (100k extends of a typical
        # paper's rows: 0.16-0.31 s with fields(), 0.09-0.15 s with the tuple).
        for kind in ROW_KINDS:
            more = getattr(other, kind)
            if more:
                getattr(self, kind).extend(more)

    def sizes(self) -> dict[str, int]:
        """Rows per kind, e.g. ``{"papers": 3, "cites": 10, ...}``."""
        return {kind: len(getattr(self, kind)) for kind in ROW_KINDS}

    def __len__(self) -> int:
        return sum(self.sizes().values())


# The row kinds, in GraphRows' field order.
ROW_KINDS: tuple[str, ...] = tuple(f.name for f in fields(GraphRows))


# --- keys -------------------------------------------------------------------


def normalise_title(title: str) -> str:
    """NFKC, casefold, punctuation to spaces, whitespace collapsed.

    >>> normalise_title("BERT: Pre-training of Deep\\u00a0Bidirectional Transformers")
    'bert pre training of deep bidirectional transformers'
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def title_key(title: str | None) -> str | None:
    """The ``titleKey`` of a paper row, ``None`` for a missing or empty title."""
    if not title:
        return None
    return normalise_title(title) or None


def placeholder_paper_id(title: str) -> str:
    """Stable id of a seed that S2 did not resolve, from its normalised title."""
    digest = hashlib.sha1(normalise_title(title).encode("utf-8"), usedforsecurity=False)
    return PLACEHOLDER_PREFIX + digest.hexdigest()[:24]


def is_placeholder_id(paper_id: str) -> bool:
    return paper_id.startswith(PLACEHOLDER_PREFIX)


def _name_key(name: str) -> str:
    return normalise_title(name)


def org_key(name: str) -> str:
    """Key of an organisation: its normalised display name.

    >>> org_key("  AI at Meta ")
    'ai at meta'
    """
    return _name_key(name)


def topic_key(name: str) -> str:
    """Key of a topic: its normalised name.

    >>> topic_key("Computer Science")
    'computer science'
    """
    return _name_key(name)


def venue_key(name: str) -> str:
    """Key of a venue: its normalised name.

    >>> venue_key("arXiv.org")
    'arxiv org'
    """
    return _name_key(name)


def bare_arxiv_id(value: str | None) -> str | None:
    """``arXiv:2512.17351v2`` -> ``2512.17351``; ``None`` stays ``None``.

    >>> bare_arxiv_id("arXiv:2512.17351v2")
    '2512.17351'
    >>> bare_arxiv_id("hep-th/9901001v1")
    'hep-th/9901001'
    """
    if not value:
        return None
    text = value.strip()
    if text.lower().startswith("arxiv:"):
        text = text[len("arxiv:") :]
    return _ARXIV_VERSION.sub("", text) or None


def bare_doi(value: str | None) -> str | None:
    """Lower-cased DOI without a ``doi:``/URL prefix.

    >>> bare_doi("https://doi.org/10.1093/MIND/LIX.236.433")
    '10.1093/mind/lix.236.433'
    """
    if not value:
        return None
    text = value.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text or None


# --- small coercions (S2 bodies carry nulls and empty strings anywhere) -------


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _iso_date(value: Any) -> str | None:
    """An ISO date string, or ``None`` when S2 sent nothing usable."""
    text = _text(value)
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dedupe(values: Iterable[str]) -> list[str]:
    # First-seen order, strings only, no empties. One call per CITES row and
    # per context, nearly all with one to three values: a plain loop (the
    # generator into dict.fromkeys it replaced was 12.6% of the offline
    # load's CSV pass).
    out: list[str] = []
    for v in values:
        if isinstance(v, str) and v and v not in out:
            out.append(v)
    return out


# --- builders ---------------------------------------------------------------


def _empty_paper(paper_id: str) -> Row:
    return {
        "paperId": paper_id,
        "corpusId": None,
        "arxivId": None,
        "doi": None,
        "title": None,
        "titleKey": None,
        "abstract": None,
        "year": None,
        "publicationDate": None,
        "venue": None,
        "citationCount": None,
        "referenceCount": None,
        "influentialCitationCount": None,
        "tldr": None,
        "url": None,
        "openAccessPdf": None,
        "isSeed": False,
        "hfUpvotes": None,
        "synthetic": False,
        "enrichedAt": None,
    }


def _keyphrase_rows(
    paper_id: str, keyphrases: Sequence[tuple[str, float]] | None, taken: set[str]
) -> list[Row]:
    best: dict[str, Row] = {}
    for phrase, score in keyphrases or ():
        name = _text(phrase)
        if name is None:
            continue
        key = topic_key(name)
        if not key or key in taken:
            continue
        row = {
            "paperId": paper_id,
            "key": key,
            "name": name,
            "source": TOPIC_SOURCE_KEYPHRASE,
            "score": float(score),
        }
        if key not in best or best[key]["score"] < row["score"]:
            best[key] = row
    return list(best.values())


def _org_rows(name: str | None, handle: str | None = None) -> Row | None:
    name = _text(name)
    if name is None:
        return None
    key = org_key(name)
    if not key:
        return None
    return {"key": key, "name": name, "handle": _text(handle)}


def _author_row(author: Mapping[str, Any]) -> Row | None:
    author_id = _text(author.get("authorId"))
    if author_id is None:
        return None
    return {
        "authorId": author_id,
        "name": _text(author.get("name")),
        "hIndex": _int(author.get("hIndex")),
        "citationCount": _int(author.get("citationCount")),
        "paperCount": _int(author.get("paperCount")),
    }


def _add_author(rows: GraphRows, author: Mapping[str, Any]) -> str | None:
    row = _author_row(author)
    if row is None:
        return None
    rows.authors.append(row)
    for affiliation in _list(author.get("affiliations")):
        org = _org_rows(affiliation if isinstance(affiliation, str) else None)
        if org is not None:
            rows.orgs.append(org)
            rows.affiliated.append({"authorId": row["authorId"], "orgKey": org["key"]})
    return str(row["authorId"])


def _add_submitted(rows: GraphRows, paper_id: str, ref: PaperRef | None) -> None:
    if ref is None:
        return
    org = _org_rows(ref.organization, ref.organization_handle)
    if org is None:
        return
    rows.orgs.append(org)
    rows.submitted.append({"orgKey": org["key"], "paperId": paper_id, "handle": org["handle"]})


def rows_from_s2_paper(
    paper: Mapping[str, Any],
    *,
    is_seed: bool,
    ref: PaperRef | None = None,
    enriched_at: str | None = None,
    keyphrases: Sequence[tuple[str, float]] | None = None,
) -> GraphRows:
    """Rows for one Semantic Scholar Graph API paper object.

    Missing fields give ``None`` (the writer never lets them erase known
    values). ``ref`` is the seed entry the paper was resolved from: its
    upvotes, submitting organisation and, when S2 has none, its abstract are
    kept. A paper without ``paperId`` (an unresolved bibliography entry) gives
    no rows, unless it is a seed with a ``ref``: then it is stored as a
    placeholder like :func:`rows_from_ref` does.
    """
    paper_id = _text(paper.get("paperId"))
    if paper_id is None:
        if is_seed and ref is not None:
            return rows_from_ref(ref, keyphrases=keyphrases)
        return GraphRows()
    ext = _mapping(paper.get("externalIds"))
    doi = bare_doi(_text(ext.get("DOI")))
    arxiv = bare_arxiv_id(_text(ext.get("ArXiv")))
    if arxiv is None and doi is not None and (m := _ARXIV_DOI.match(doi)):
        arxiv = bare_arxiv_id(m.group("id"))
    title = _text(paper.get("title"))
    publication_date = _iso_date(paper.get("publicationDate"))
    year = _int(paper.get("year"))
    if year is None and publication_date is not None:
        year = int(publication_date[:4])
    abstract = _text(paper.get("abstract"))
    if abstract is None and ref is not None:
        abstract = _text(ref.abstract)
    pub_venue = _mapping(paper.get("publicationVenue"))
    venue_name = _text(paper.get("venue")) or _text(pub_venue.get("name"))

    row = _empty_paper(paper_id)
    row.update(
        corpusId=_int(paper.get("corpusId")) or _int(ext.get("CorpusId")),
        arxivId=arxiv or (bare_arxiv_id(ref.arxiv_id) if ref else None),
        doi=doi or (bare_doi(ref.doi) if ref else None),
        title=title,
        titleKey=title_key(title),
        abstract=abstract,
        year=year,
        publicationDate=publication_date,
        venue=venue_name,
        **{count: _int(paper.get(count)) for count in S2_COUNTS},
        tldr=_text(_mapping(paper.get("tldr")).get("text")),
        url=_text(paper.get("url")),
        openAccessPdf=_text(_mapping(paper.get("openAccessPdf")).get("url")),
        isSeed=bool(is_seed),
        hfUpvotes=ref.upvotes if ref is not None else None,
        synthetic=paper.get("synthetic") is True,
        enrichedAt=enriched_at,
    )
    rows = GraphRows(papers=[row])
    embedding = embedding_row(paper_id, paper.get("embedding"))
    if embedding is not None:
        rows.embeddings.append(embedding)

    # The venue node: publicationVenue is the curated record (with a type);
    # the free-text venue string is the fallback.
    pv_name = _text(pub_venue.get("name"))
    if pv_name and venue_key(pv_name):
        rows.venues.append(
            {
                "paperId": paper_id,
                "key": venue_key(pv_name),
                "name": pv_name,
                "type": _text(pub_venue.get("type")),
            }
        )
    elif venue_name and venue_key(venue_name):
        rows.venues.append(
            {"paperId": paper_id, "key": venue_key(venue_name), "name": venue_name, "type": None}
        )

    rows.topics.extend(_fos_rows(paper_id, paper))
    taken = {t["key"] for t in rows.topics}
    rows.topics.extend(_keyphrase_rows(paper_id, keyphrases, taken))

    for position, author in enumerate(_list(paper.get("authors"))):
        if not isinstance(author, Mapping):
            continue
        author_id = _add_author(rows, author)
        if author_id is not None:
            rows.authored.append({"authorId": author_id, "paperId": paper_id, "position": position})

    _add_submitted(rows, paper_id, ref)
    return rows


def embedding_row(paper_id: str, embedding: Any) -> Row | None:
    """An ``embeddings`` row from S2's ``embedding`` object, if it is a usable vector.

    S2 answers ``{"model": "specter_v2", "vector": [768 floats]}`` (or null);
    the Datasets files give the vector as the text of a JSON list. A vector
    of the wrong length or with a non-number, or one of SPECTER v1
    (:data:`OTHER_EMBEDDING_MODELS`), is dropped (``None``).

    >>> row = embedding_row("p", {"model": "specter_v2", "vector": [0.5] * 768})
    >>> row["paperId"], row["model"], len(row["vector"])
    ('p', 'specter_v2', 768)
    >>> embedding_row("p", {"model": "specter_v2", "vector": [0.5, 1.0]}) is None
    True
    """
    emb = _mapping(embedding)
    if _text(emb.get("model")) in OTHER_EMBEDDING_MODELS:
        return None
    vector = parse_vector(emb.get("vector"))
    if vector is None:
        return None
    return {"paperId": paper_id, "vector": vector, "model": _text(emb.get("model"))}


def parse_vector(value: Any) -> list[float] | None:
    """A list of :data:`EMBEDDING_DIMENSIONS` finite floats, from a list or its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, list) or len(value) != EMBEDDING_DIMENSIONS:
        return None
    out: list[float] = []
    for x in value:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            return None
        out.append(float(x))
    return out


def _fos_rows(paper_id: str, paper: Mapping[str, Any]) -> list[Row]:
    """Topics from ``s2FieldsOfStudy`` (falling back to ``fieldsOfStudy``).

    A category named by both S2 sources (``external`` and ``s2-fos-model``)
    scores 1.0, by one source 0.5: agreement is the only confidence signal
    the API gives.
    """
    sources: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for item in _list(paper.get("s2FieldsOfStudy")):
        item_map = _mapping(item)
        name = _text(item_map.get("category"))
        if name is None or not topic_key(name):
            continue
        key = topic_key(name)
        names.setdefault(key, name)
        sources.setdefault(key, set()).add(_text(item_map.get("source")) or "?")
    if not names:
        for name in _list(paper.get("fieldsOfStudy")):
            text = _text(name)
            if text and topic_key(text):
                names.setdefault(topic_key(text), text)
                sources.setdefault(topic_key(text), {"external"})
    return [
        {
            "paperId": paper_id,
            "key": key,
            "name": names[key],
            "source": TOPIC_SOURCE_FOS,
            "score": 1.0 if len(sources[key]) > 1 else 0.5,
        }
        for key in names
    ]


def ref_paper_id(ref: PaperRef) -> str:
    """The id a ref is stored under while S2 has not resolved it.

    Its S2 id when known; else the placeholder from its title; a ref without
    a title falls back to a placeholder built from its strongest id (the
    writer also merges placeholders by arXiv id and DOI).
    """
    if _text(ref.s2_id):
        return str(_text(ref.s2_id))
    if _text(ref.title):
        return placeholder_paper_id(str(ref.title))
    for prefix, value in (
        ("arxiv:", bare_arxiv_id(ref.arxiv_id)),
        ("doi:", bare_doi(ref.doi)),
        ("corpusid:", str(ref.corpus_id) if ref.corpus_id is not None else None),
    ):
        if value:
            return placeholder_paper_id(prefix + value)
    raise ValueError(f"{ref.source or 'paper ref'}: no title and no id; nothing to store")


def rows_from_ref(
    ref: PaperRef,
    *,
    keyphrases: Sequence[tuple[str, float]] | None = None,
    rejected_matches: Sequence[str] = (),
) -> GraphRows:
    """A seed that S2 did not (yet) resolve: placeholder paper, page metadata, org.

    ``rejected_matches`` are S2 paper ids a title match offered and the
    verification refused (same title, other paper): the placeholder never
    merges into them, even when one of them is loaded as a neighbour with the
    same ``titleKey``.
    """
    paper_id = ref_paper_id(ref)
    title = _text(ref.title)
    row = _empty_paper(paper_id)
    row.update(
        corpusId=ref.corpus_id,
        arxivId=bare_arxiv_id(ref.arxiv_id),
        doi=bare_doi(ref.doi),
        title=title,
        titleKey=title_key(title),
        abstract=_text(ref.abstract),
        year=ref.date.year if ref.date else ref.year,
        publicationDate=ref.date.isoformat() if ref.date else None,
        isSeed=True,
        hfUpvotes=ref.upvotes,
        # The page's author count: a later run (citekb refresh) verifies title
        # matches of this placeholder with it.
        authorsCount=ref.authors_count,
        rejectedMatches=sorted(set(rejected_matches)) or None,
    )
    rows = GraphRows(papers=[row])
    rows.topics.extend(_keyphrase_rows(paper_id, keyphrases, set()))
    _add_submitted(rows, paper_id, ref)
    return rows


def rows_from_s2_authors(authors: Sequence[Mapping[str, Any] | None]) -> GraphRows:
    """``/author/batch`` items (``None`` for unknown ids) -> authors, orgs, affiliations."""
    rows = GraphRows()
    for author in authors:
        if isinstance(author, Mapping):
            _add_author(rows, author)
    return rows


def cites_rows(
    citing: str,
    cited: str,
    *,
    is_influential: bool | None,
    intents: Sequence[str] | None,
    source: str,
    contexts: Sequence[tuple[str, Sequence[str]]] | None = None,
) -> Row:
    """One ``CITES`` row (citing -> cited); intents deduplicated, order kept.

    ``contexts`` are (sentence, its intents) pairs; see :class:`GraphRows`.
    """
    pairs = [(text, _dedupe(i)) for text, i in contexts or () if text]
    joined = [",".join(i) for _, i in pairs]
    return {
        "citing": citing,
        "cited": cited,
        "isInfluential": bool(is_influential) if is_influential is not None else None,
        "intents": _dedupe(intents or ()),
        "contexts": [text for text, _ in pairs] or None,
        # None when no context has an intent: readers take a missing list as
        # "none for each context", and the offline importer cannot store a
        # list of empty strings (its CSV field for [""] is empty: no property), so both
        # paths store nothing rather than [""].
        "contextIntents": joined if any(joined) else None,
        "source": source,
    }


def s2_contexts(item: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(sentence, intents) pairs of one references/citations item.

    ``contextsWithIntent`` (``[{"context", "intents"}]``) is used when S2
    sent it; else the bare ``contexts`` strings, with no intents each.

    >>> s2_contexts({"contexts": ["a [4]."], "contextsWithIntent": [
    ...     {"context": "a [4].", "intents": ["methodology"]}]})
    [('a [4].', ['methodology'])]
    >>> s2_contexts({"contexts": ["b [1]."]})
    [('b [1].', [])]
    """
    with_intent = _list(item.get("contextsWithIntent"))
    if with_intent:
        out: list[tuple[str, list[str]]] = []
        for entry in with_intent:
            m = _mapping(entry)
            text = m.get("context")
            if isinstance(text, str) and text:
                out.append((text, [i for i in _list(m.get("intents")) if isinstance(i, str)]))
        return out
    return [(c, []) for c in _list(item.get("contexts")) if isinstance(c, str) and c]


def rows_from_s2_edge(
    item: Mapping[str, Any],
    *,
    paper_id: str,
    direction: Literal["references", "citations"],
    source: str = "s2-api",
    enriched_at: str | None = None,
    keyphrases: Sequence[tuple[str, float]] | None = None,
) -> GraphRows:
    """One item of ``/paper/{id}/references`` or ``/citations``: the neighbour + CITES.

    ``paper_id`` is the paper whose page this is. The neighbour is stored as
    a non-seed paper (its basic metadata never erases richer values already
    in the graph). An unresolved bibliography entry (``paperId`` null) gives
    no rows.
    """
    key = "citedPaper" if direction == "references" else "citingPaper"
    neighbour = _mapping(item.get(key))
    other = _text(neighbour.get("paperId"))
    if other is None or other == paper_id:
        return GraphRows()
    rows = rows_from_s2_paper(
        neighbour, is_seed=False, enriched_at=enriched_at, keyphrases=keyphrases
    )
    citing, cited = (paper_id, other) if direction == "references" else (other, paper_id)
    intents = _list(item.get("intents"))
    rows.cites.append(
        cites_rows(
            citing,
            cited,
            is_influential=item.get("isInfluential")
            if isinstance(item.get("isInfluential"), bool)
            else None,
            intents=[i for i in intents if isinstance(i, str)],
            source=source,
            contexts=s2_contexts(item),
        )
    )
    return rows
