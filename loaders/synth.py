"""Synthetic corpora in the Semantic Scholar Datasets format (``citekb synth``).

Demos, tests and benchmarks need graphs far larger than the sample page, and
the S2 API cannot be reached from CI. :func:`generate` writes a directory that
:mod:`loaders.s2_datasets` reads exactly like an S2 snapshot slice:

``papers.jsonl``     one paper record per line (``corpusid``, ``externalids``,
                     ``title``, ``authors``, ``venue``, ``year``, counts,
                     ``s2fieldsofstudy``, ...), plus ``paperId`` (an S2-like
                     40-hex id) and ``abstract``
``citations.jsonl``  ``citingcorpusid``, ``citedcorpusid``, ``isinfluential``,
                     ``contexts``, ``intents``
``authors.jsonl``    ``authorid``, ``name``, ``hindex``, ``citationcount``,
                     ``papercount``, ``affiliations``, ``externalids``
``embeddings.jsonl`` with ``embeddings=True`` only: ``corpusid``, ``model``
                     (``"synthetic"``), ``vector`` (the text of a list of 768
                     floats, as S2's ``embeddings-specter_v2`` dataset has it)
``openalex_works.jsonl`` with ``openalex=True`` (``citekb synth --openalex``):
                     one OpenAlex-shaped work per paper (``authorships`` with
                     ``institutions`` [id, ROR-shaped ``ror``, country, type,
                     ``lineage``], raw affiliation strings in two spellings,
                     ORCIDs for a third of the authors, ``topics`` with
                     subfield/field/domain), joined by a synthetic DOI
                     (``10.5555/citekb-synthetic.<corpusid>``); the S2 author
                     ``affiliations`` are then ``[]``, as on real data
``synthetic.json``   the manifest: seed, parameters and record counts

How the graph is grown (one pass, papers in publication order):

* Publication dates span ``first_year``..``last_year`` with output growing
  about 10% a year; paper ``i`` is never older than paper ``i - 1``, and it
  cites only papers before it, so every citation points back in time.
* Each paper draws its reference count from a log-normal (mean ``refs_mean``)
  and picks targets by preferential attachment: a draw from a list holding
  each earlier paper once plus once per citation it has received, mostly
  from its own field. The in-degree distribution is heavy-tailed: a few
  papers collect a large share of all citations.
* 1-15 authors per paper (most papers have 2-5); authors are reused in
  proportion to how much they already published, within their field.
* Titles and abstracts are built from a per-field topical vocabulary so that
  full-text search and keyphrase topics find something meaningful.
* Embeddings (optional, ~6 KB a paper, so off by default) stand in for
  SPECTER2 vectors and cluster by field: each field has a random unit
  centroid mixed with its sibling field's (:data:`SIBLINGS`, so every field
  has one *nearest* other field, cosine ~0.6 between centroids); a paper's
  vector is its field's centroid, plus half its second field's, plus
  Gaussian noise of the same norm, normalised. Two papers of one field are
  at cosine ~0.5, of sibling fields ~0.3, of unrelated fields ~0. No model
  is involved.

Everything is labelled: each record carries ``"synthetic": true``, titles
start with ``[synthetic]``, corpus and author ids start at 9,000,000,000 (far
above S2's), and no DOI or arXiv id is invented (except the synthetic-prefix
DOI above, with ``openalex`` on). The same ``seed`` and
parameters give byte-identical files.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import random
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

GENERATOR_VERSION = 1
ID_BASE = 9_000_000_000
MARK = "[synthetic]"

# name -> topical words (single words or short phrases) used in titles and
# abstracts; the names are S2's own fields of study.
FIELDS: dict[str, tuple[str, ...]] = {
    "Computer Science": (
        "graph neural networks", "transformers", "retrieval", "language models",
        "reinforcement learning", "compilers", "distributed systems", "attention",
        "contrastive learning", "knowledge graphs", "program synthesis", "pretraining",
    ),
    "Medicine": (
        "clinical trials", "cardiology", "oncology", "immunotherapy", "epidemiology",
        "biomarkers", "diabetes", "sepsis", "radiology", "vaccination", "cohort study",
    ),
    "Biology": (
        "gene expression", "protein folding", "genomics", "microbiome", "cell signalling",
        "evolution", "CRISPR", "transcriptomics", "phylogenetics", "enzymes",
    ),
    "Physics": (
        "quantum entanglement", "superconductivity", "dark matter", "topological phases",
        "gravitational waves", "plasma", "spin chains", "quantum error correction",
    ),
    "Chemistry": (
        "catalysis", "polymers", "electrochemistry", "organic synthesis", "spectroscopy",
        "metal organic frameworks", "photochemistry", "molecular dynamics",
    ),
    "Mathematics": (
        "algebraic geometry", "number theory", "stochastic processes", "graph theory",
        "optimal transport", "convex optimization", "partial differential equations",
    ),
    "Economics": (
        "labour markets", "monetary policy", "causal inference", "auctions",
        "development economics", "inequality", "trade", "microfinance",
    ),
    "Psychology": (
        "working memory", "decision making", "cognitive bias", "attention span",
        "emotion regulation", "language acquisition", "perception",
    ),
    "Environmental Science": (
        "climate models", "carbon capture", "biodiversity", "hydrology", "air quality",
        "land use", "renewable energy", "ocean acidification",
    ),
    "Materials Science": (
        "thin films", "perovskites", "battery cathodes", "nanostructures", "alloys",
        "semiconductors", "ceramics", "2D materials",
    ),
    "Engineering": (
        "control systems", "signal processing", "robotics", "power grids",
        "structural health monitoring", "wireless channels", "fluid dynamics",
    ),
    "Linguistics": (
        "syntax", "morphology", "semantics", "phonology", "code switching",
        "corpus linguistics", "discourse",
    ),
}  # fmt: skip
FIELD_NAMES: tuple[str, ...] = tuple(FIELDS)
# Pairs of fields whose synthetic embeddings lie close together: each field's
# nearest other field is its sibling.
SIBLINGS: tuple[tuple[str, str], ...] = (
    ("Computer Science", "Mathematics"),
    ("Medicine", "Biology"),
    ("Physics", "Engineering"),
    ("Chemistry", "Materials Science"),
    ("Economics", "Environmental Science"),
    ("Psychology", "Linguistics"),
)
EMBEDDING_DIMENSIONS = 768  # loaders.rows.EMBEDDING_DIMENSIONS; a test checks they agree
EMBEDDING_MODEL = "synthetic"
# How much of its sibling a field centroid carries, and the noise per paper.
_SIBLING_MIX = 0.35
_SECOND_FIELD_MIX = 0.5
_EMBEDDING_NOISE = 1.0
_EMBEDDING_BLOCK = 2000

_METHODS = (
    "Scalable", "Robust", "Efficient", "Adaptive", "Hierarchical", "Probabilistic",
    "Sparse", "Unified", "Causal", "Interpretable", "Self-Supervised", "Bayesian",
)  # fmt: skip
_NOUNS = (
    "framework", "analysis", "benchmark", "model", "approach", "study", "method",
    "estimator", "architecture", "survey",
)  # fmt: skip
_VERBS = (
    "improves", "explains", "predicts", "characterises", "accelerates", "stabilises",
    "generalises", "simplifies",
)  # fmt: skip
_FIRST = (
    "Ada", "Bram", "Cleo", "Dara", "Emil", "Fen", "Gita", "Hugo", "Ines", "Jun", "Kira",
    "Lior", "Mara", "Nils", "Oona", "Pavel", "Quin", "Rhea", "Soren", "Tova", "Uma",
    "Vik", "Wren", "Xan", "Yara", "Zeno", "Ayo", "Bela", "Cyra", "Dov",
)  # fmt: skip
_SYLLABLES = (
    "ka", "ro", "vel", "an", "mir", "to", "sen", "li", "dor", "ash", "el", "quin",
    "bar", "nu", "zet", "ol", "rin", "ga", "mo", "thu",
)  # fmt: skip
_PLACES = (
    "Aldmere", "Brightwater", "Corvale", "Dunhollow", "Eastmarch", "Fairholt",
    "Glenrock", "Highmoor", "Ivywell", "Juniper Bay", "Kestrel Point", "Lowmarsh",
)  # fmt: skip
# 1..15 authors; most papers have 2-5.
_AUTHOR_COUNT_WEIGHTS = (10, 18, 20, 16, 12, 8, 5, 3, 2, 1.5, 1, 0.8, 0.6, 0.5, 0.4)
_INTENTS = ("background", "methodology", "result")
# How many of a field's latest authorships an existing author is drawn from.
_AUTHOR_WINDOW = 4000


@dataclass(frozen=True)
class SynthConfig:
    papers: int = 1000
    seed: int = 0
    # Mean references per paper; early papers cite less (fewer exist), so
    # 100,000 papers give about 1,000,000 citations.
    refs_mean: float = 10.6
    first_year: int = 1995
    last_year: int = 2025
    # Share of a paper's references drawn from its own field.
    same_field: float = 0.7
    # Share drawn from its sibling field (SIBLINGS): 0 by default, which
    # leaves corpora byte-identical to earlier versions; recommendation tests
    # raise it so that neighbouring communities also cite each other.
    sibling_field: float = 0.0
    # Chance that an author slot goes to a newcomer rather than a known author.
    new_author: float = 0.25
    # Also write embeddings.jsonl (768 floats a paper).
    embeddings: bool = False
    # Also write openalex_works.jsonl (authorships with institutions, topics)
    # and give papers a synthetic DOI to join on; S2 author affiliations are
    # then empty, as they are on real data.
    openalex: bool = False

    def __post_init__(self) -> None:
        if self.papers < 1:
            raise ValueError("papers must be at least 1")
        if self.last_year < self.first_year:
            raise ValueError("last_year must not be before first_year")
        if self.refs_mean < 0:
            raise ValueError("refs_mean must not be negative")
        if self.sibling_field < 0 or self.same_field + self.sibling_field > 0.92:
            raise ValueError("same_field + sibling_field must stay within 0..0.92")


@dataclass(frozen=True)
class SynthResult:
    out: Path
    papers: int
    citations: int
    authors: int
    authorships: int
    elapsed_s: float
    embeddings: int = 0


def synthetic_paper_id(seed: int, corpus_id: int) -> str:
    """An S2-like 40-hex paperId, stable for (seed, corpus id)."""
    raw = f"citekb-synthetic/{seed}/{corpus_id}".encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


def synthetic_doi(corpus_id: int) -> str:
    """The DOI a synthetic paper gets with ``openalex`` on (10.5555 is a test prefix)."""
    return f"10.5555/citekb-synthetic.{corpus_id}"


# OpenAlex domain of each field (its documented top level).
_DOMAINS = {
    "Biology": "Life Sciences",
    "Medicine": "Health Sciences",
    "Psychology": "Social Sciences",
    "Economics": "Social Sciences",
    "Sociology": "Social Sciences",
}
_KIND_TYPES = {"University": "education", "Institute": "facility", "Laboratory": "company"}
_COUNTRIES = ("GB", "US", "DE", "FR", "CA", "JP", "IN", "BR", "NL", "CH", "KR", "AU")


def _institutions(names: Sequence[str]) -> list[dict[str, Any]]:
    """Synthetic OpenAlex institutions: ROR-shaped ids (``0syn…``), every sixth without
    one; a Laboratory is PART_OF the University of its place (``lineage``)."""
    out: list[dict[str, Any]] = []
    for k, name in enumerate(names):
        kind = name.split()[1]
        place = name.split(" of ", 1)[1]
        own = f"https://openalex.org/I9{k:09d}"
        lineage = [own]
        if kind == "Laboratory":
            lineage.append(
                f"https://openalex.org/I9{names.index(f'Synthetic University of {place}'):09d}"
            )
        out.append(
            {
                "id": own,
                "display_name": name,
                "ror": None if k % 6 == 5 else f"https://ror.org/0syn{k:03d}{(7 * k) % 100:02d}",
                "country_code": _COUNTRIES[_PLACES.index(place) % len(_COUNTRIES)],
                "type": _KIND_TYPES.get(kind, "other"),
                "lineage": lineage,
            }
        )
    return out


def _orcid(author: int) -> str:
    return f"https://orcid.org/0000-0009-{author % 10_000:04d}-{(author // 10_000) % 10_000:04d}"


def _work(
    corpus_id: int,
    year: int,
    *,
    field: int,
    members: Sequence[int],
    author_names: Sequence[str],
    institutions: Sequence[dict[str, Any]],
    rng: random.Random,
) -> dict[str, Any]:
    """One OpenAlex-shaped work (snapshot line) for a synthetic paper, labelled synthetic.

    An author's institution is their home one (from their id), but on every
    fifth of their papers a second one: an affiliation belongs to a paper. The
    raw affiliation string alternates between two spellings.
    """
    authorships = []
    for position, a in enumerate(members):
        home = a % len(institutions)
        inst = institutions[(home + 1) % len(institutions) if corpus_id % 5 == 0 else home]
        name = inst["display_name"]
        raw = name if (corpus_id + a) % 2 else name.replace("Synthetic ", "Synth. ")
        authorships.append(
            {
                "author_position": "first"
                if position == 0
                else ("last" if position == len(members) - 1 else "middle"),
                "author": {
                    "id": f"https://openalex.org/A9{a:09d}",
                    "display_name": author_names[a],
                    "orcid": _orcid(a) if a % 3 == 0 else None,
                },
                "institutions": [inst],
                "raw_affiliation_strings": [raw],
                "affiliations": [{"raw_affiliation_string": raw, "institution_ids": [inst["id"]]}],
            }
        )
    field_name = FIELD_NAMES[field]
    words = FIELDS[field_name]
    topics = []
    for rank, t in enumerate(sorted(rng.sample(range(len(words)), k=min(2, len(words))))):
        topics.append(
            {
                "id": f"https://openalex.org/T9{field:02d}{t:03d}",
                "display_name": f"{words[t].title()} (synthetic topic)",
                "score": round(0.95 - 0.2 * rank, 3),
                "subfield": {
                    "id": f"https://openalex.org/subfields/9{field:02d}",
                    "display_name": f"{field_name} (synthetic subfield)",
                },
                "field": {
                    "id": f"https://openalex.org/fields/9{field:02d}",
                    "display_name": field_name,
                },
                "domain": {
                    "id": f"https://openalex.org/domains/9{len(_DOMAINS.get(field_name, '')) % 4}",
                    "display_name": _DOMAINS.get(field_name, "Physical Sciences"),
                },
            }
        )
    return {
        "id": f"https://openalex.org/W{corpus_id}",
        "doi": f"https://doi.org/{synthetic_doi(corpus_id)}",
        "publication_year": year,
        "authorships": authorships,
        "primary_topic": topics[0] if topics else None,
        "topics": topics,
        "synthetic": True,
    }


def _dates(cfg: SynthConfig) -> list[str]:
    """Non-decreasing ISO dates for papers 0..n-1, output growing ~10%/year."""
    start = datetime.date(cfg.first_year, 1, 1).toordinal()
    end = datetime.date(cfg.last_year, 12, 31).toordinal()
    span = end - start
    growth = 0.1 / 365.25
    # Inverse CDF of an exponential density on [0, span].
    total = math.expm1(growth * span)
    out: list[str] = []
    for i in range(cfg.papers):
        q = (i + 0.5) / cfg.papers
        day = math.log1p(q * total) / growth
        out.append(datetime.date.fromordinal(start + min(int(day), span)).isoformat())
    return out


def _author_name(rng: random.Random) -> str:
    last = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{rng.choice(_FIRST)} {last.capitalize()}"


def _article(word: str) -> str:
    return "An" if word[:1].lower() in "aeiou" else "A"


def _title(rng: random.Random, words: Sequence[str]) -> str:
    a, b = rng.sample(list(words), 2)
    pattern = rng.randrange(4)
    method = rng.choice(_METHODS)
    if pattern == 0:
        text = f"{method} {a} for {b}"
    elif pattern == 1:
        text = f"On {a} and {b}: a {rng.choice(_NOUNS)}"
    elif pattern == 2:
        text = f"{a.capitalize()} {rng.choice(_VERBS)} {b}"
    else:
        text = f"{_article(method)} {method.lower()} {rng.choice(_NOUNS)} of {a} in {b}"
    return f"{MARK} {text}"


def _abstract(rng: random.Random, words: Sequence[str], other: Sequence[str]) -> str:
    a, b, c = rng.sample(list(words), 3)
    d = rng.choice(other)
    method = rng.choice(_METHODS).lower()
    noun = rng.choice(_NOUNS)
    sentences = [
        f"This synthetic record studies {a} with {_article(method).lower()} {method} {noun}.",
        f"We show that {b} {rng.choice(_VERBS)} {a} across {rng.randint(3, 40)} settings.",
        f"Compared with prior work on {c}, the {noun} needs {rng.randint(2, 9)}x less data.",
        f"We also relate {a} to {d}.",
        "All numbers in this abstract are generated and describe no real experiment.",
    ]
    return " ".join(sentences)


class _Writer:
    """Buffered JSON-lines writer (one compact JSON object per line)."""

    def __init__(self, path: Path) -> None:
        self._fh: IO[str] = path.open("w", encoding="utf-8", newline="\n")
        self._buf: list[str] = []
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self._buf.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        self.count += 1
        if len(self._buf) >= 5000:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self._fh.write("\n".join(self._buf) + "\n")
            self._buf.clear()

    def close(self) -> None:
        self.flush()
        self._fh.close()


def generate(
    cfg: SynthConfig, out: Path, *, progress: Callable[[str, int, int], None] | None = None
) -> SynthResult:
    """Write a synthetic corpus into ``out`` (created; existing corpus files replaced)."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    n = cfg.papers
    # Not for secrets: reproducible pseudo-randomness is the point.
    graph_rng = random.Random(f"citekb-synth/{cfg.seed}/graph")  # noqa: S311
    text_rng = random.Random(f"citekb-synth/{cfg.seed}/text")  # noqa: S311
    n_fields = len(FIELD_NAMES)
    sibling_of = sibling_indexes()

    def tick(phase: str, done: int, total: int) -> None:
        if progress is not None and (done % 10_000 == 0 or done == total):
            progress(phase, done, total)

    # --- structure: fields, citations, authorship --------------------------
    field_of = array("b", (0,)) * n
    second_field = array("b", (-1,)) * n
    in_degree = array("l", (0,)) * n
    influential_in = array("l", (0,)) * n
    ref_start = array("l", (0,)) * (n + 1)
    refs = array("l")
    # Preferential attachment pools: each paper once, plus once per citation.
    pool_all: list[int] = []
    pool_field: list[list[int]] = [[] for _ in range(n_fields)]
    mu = math.log(max(cfg.refs_mean, 1e-9)) - 0.32  # log-normal, sigma 0.8
    author_start = array("l", (0,)) * (n + 1)
    authorship = array("l")
    author_field = array("b")
    author_pool_field: list[list[int]] = [[] for _ in range(n_fields)]
    author_weights = _AUTHOR_COUNT_WEIGHTS
    counts = list(range(1, len(author_weights) + 1))

    for i in range(n):
        f = graph_rng.randrange(n_fields)
        field_of[i] = f
        if graph_rng.random() < 0.3:
            second_field[i] = graph_rng.randrange(n_fields)
        k = 0 if cfg.refs_mean == 0 else min(i, int(graph_rng.lognormvariate(mu, 0.8)), 80)
        chosen: set[int] = set()
        attempts = 0
        while len(chosen) < k and attempts < 4 * k:
            attempts += 1
            r = graph_rng.random()
            local = pool_field[f]
            near = pool_field[sibling_of[f]]
            if r < cfg.same_field and local:
                t = local[graph_rng.randrange(len(local))]
            elif cfg.same_field <= r < cfg.same_field + cfg.sibling_field and near:
                t = near[graph_rng.randrange(len(near))]
            elif r < 0.92:
                t = pool_all[graph_rng.randrange(len(pool_all))]
            else:
                t = graph_rng.randrange(i)
            chosen.add(t)
        for t in sorted(chosen):
            refs.append(t)
            in_degree[t] += 1
            pool_all.append(t)
            pool_field[field_of[t]].append(t)
        ref_start[i + 1] = len(refs)
        # Initial attractiveness 2: a new paper enters the pools twice, which
        # keeps the tail heavy without letting the first papers take all.
        pool_all.extend((i, i))
        pool_field[f].extend((i, i))

        m = graph_rng.choices(counts, weights=author_weights)[0]
        mine: list[int] = []
        for _ in range(m):
            local_authors = author_pool_field[f]
            if not local_authors or graph_rng.random() < cfg.new_author:
                a = len(author_field)
                author_field.append(f)
            else:
                # Draw from the field's recent authorships only: careers end,
                # so nobody keeps publishing across the whole time span.
                window = min(len(local_authors), _AUTHOR_WINDOW)
                a = local_authors[len(local_authors) - 1 - graph_rng.randrange(window)]
            if a not in mine:
                mine.append(a)
        for a in mine:
            authorship.append(a)
            author_pool_field[f].append(a)
        author_start[i + 1] = len(authorship)
        tick("structure", i + 1, n)
    del pool_all, pool_field, author_pool_field

    # Influence flags are drawn per citation in citation order (deterministic).
    influential = bytearray(len(refs))
    for i in range(n):
        for j in range(ref_start[i], ref_start[i + 1]):
            t = refs[j]
            p = 0.15 if field_of[t] == field_of[i] else 0.05
            if graph_rng.random() < p:
                influential[j] = 1
                influential_in[t] += 1

    dates = _dates(cfg)
    corpus_ids = [ID_BASE + i for i in range(n)]

    # --- authors: names, affiliations, counts ------------------------------
    n_authors = len(author_field)
    author_papers: list[list[int]] = [[] for _ in range(n_authors)]
    for i in range(n):
        for j in range(author_start[i], author_start[i + 1]):
            author_papers[authorship[j]].append(i)
    author_names = [_author_name(text_rng) for _ in range(n_authors)]
    orgs = [
        f"Synthetic {kind} of {place}"
        for place in _PLACES
        for kind in ("University", "Institute", "Laboratory")
    ]

    # --- papers ------------------------------------------------------------
    papers_out = _Writer(out / "papers.jsonl")
    try:
        for i in range(n):
            f = field_of[i]
            words = FIELDS[FIELD_NAMES[f]]
            other = FIELDS[FIELD_NAMES[(f + 1 + text_rng.randrange(n_fields - 1)) % n_fields]]
            venue = f"Synthetic {FIELD_NAMES[f]} {('Letters', 'Journal', 'Conference')[i % 3]}"
            fos = [{"category": FIELD_NAMES[f], "source": "s2-fos-model"}]
            if text_rng.random() < 0.5:
                fos.insert(0, {"category": FIELD_NAMES[f], "source": "external"})
            if second_field[i] >= 0 and second_field[i] != f:
                fos.append({"category": FIELD_NAMES[second_field[i]], "source": "s2-fos-model"})
            cid = corpus_ids[i]
            authors = [
                {"authorId": str(ID_BASE + a), "name": author_names[a]}
                for a in authorship[author_start[i] : author_start[i + 1]]
            ]
            papers_out.write(
                {
                    "corpusid": cid,
                    "paperId": synthetic_paper_id(cfg.seed, cid),
                    "externalids": {
                        "ArXiv": None,
                        "DOI": synthetic_doi(cid) if cfg.openalex else None,
                        "MAG": None,
                        "DBLP": None,
                        "PubMed": None,
                        "CorpusId": str(cid),
                    },
                    "url": None,
                    "title": _title(text_rng, words),
                    "abstract": _abstract(text_rng, words, other),
                    "authors": authors,
                    "venue": venue,
                    "publicationvenueid": None,
                    "year": int(dates[i][:4]),
                    "referencecount": ref_start[i + 1] - ref_start[i],
                    "citationcount": in_degree[i],
                    "influentialcitationcount": influential_in[i],
                    "isopenaccess": text_rng.random() < 0.4,
                    "s2fieldsofstudy": fos,
                    "publicationtypes": ["JournalArticle" if i % 3 < 2 else "Conference"],
                    "publicationdate": dates[i],
                    "journal": {"name": venue, "volume": str(1 + i % 40), "pages": None},
                    "synthetic": True,
                }
            )
            tick("papers", i + 1, n)
    finally:
        papers_out.close()

    # --- citations ---------------------------------------------------------
    cites_out = _Writer(out / "citations.jsonl")
    try:
        for i in range(n):
            for j in range(ref_start[i], ref_start[i + 1]):
                r = text_rng.random()
                if r < 0.45:
                    intents: list[str] = []
                elif r < 0.9:
                    intents = [text_rng.choice(_INTENTS)]
                else:
                    intents = text_rng.sample(_INTENTS, 2)
                cites_out.write(
                    {
                        "citingcorpusid": corpus_ids[i],
                        "citedcorpusid": corpus_ids[refs[j]],
                        "isinfluential": bool(influential[j]),
                        "contexts": [],
                        "intents": intents,
                        "synthetic": True,
                    }
                )
            tick("citations", i + 1, n)
    finally:
        cites_out.close()

    # --- authors -----------------------------------------------------------
    authors_out = _Writer(out / "authors.jsonl")
    try:
        for a in range(n_authors):
            cites = sorted((in_degree[p] for p in author_papers[a]), reverse=True)
            h = sum(1 for rank, c in enumerate(cites, start=1) if c >= rank)
            affiliation = [orgs[text_rng.randrange(len(orgs))]] if text_rng.random() < 0.3 else []
            if cfg.openalex:
                affiliation = []
            authors_out.write(
                {
                    "authorid": str(ID_BASE + a),
                    "externalids": {},
                    "name": author_names[a],
                    "aliases": None,
                    "affiliations": affiliation,
                    "homepage": None,
                    "papercount": len(author_papers[a]),
                    "citationcount": sum(cites),
                    "hindex": h,
                    "url": None,
                    "synthetic": True,
                }
            )
    finally:
        authors_out.close()

    embeddings_written = 0
    if cfg.embeddings:
        embeddings_written = _write_embeddings(
            cfg,
            out / "embeddings.jsonl",
            field_of=field_of,
            second_field=second_field,
            corpus_ids=corpus_ids,
            tick=tick,
        )
    openalex_files = []
    if cfg.openalex:
        works_out = _Writer(out / "openalex_works.jsonl")
        institutions = _institutions(orgs)
        oa_rng = random.Random(f"citekb-synth/{cfg.seed}/openalex")  # noqa: S311
        try:
            for i in range(n):
                members = authorship[author_start[i] : author_start[i + 1]]
                works_out.write(
                    _work(
                        corpus_ids[i],
                        int(dates[i][:4]),
                        field=field_of[i],
                        members=members,
                        author_names=author_names,
                        institutions=institutions,
                        rng=oa_rng,
                    )
                )
                tick("openalex works", i + 1, n)
        finally:
            works_out.close()
        openalex_files.append("openalex_works.jsonl")
    else:
        (out / "openalex_works.jsonl").unlink(missing_ok=True)

    result = SynthResult(
        out=out,
        papers=n,
        citations=len(refs),
        authors=n_authors,
        authorships=len(authorship),
        elapsed_s=time.perf_counter() - started,
        embeddings=embeddings_written,
    )
    files = ["papers.jsonl", "citations.jsonl", "authors.jsonl"]
    if cfg.embeddings:
        files.append("embeddings.jsonl")
    files += openalex_files
    manifest: dict[str, Any] = {
        "synthetic": True,
        "generator": "citekb synth",
        "generatorVersion": GENERATOR_VERSION,
        "config": asdict(cfg),
        "papers": result.papers,
        "citations": result.citations,
        "authors": result.authors,
        "authorships": result.authorships,
        "files": files,
    }
    if cfg.embeddings:
        manifest["embeddings"] = result.embeddings
    (out / "synthetic.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return result


def sibling_indexes() -> list[int]:
    """For each field (by index in :data:`FIELD_NAMES`), its sibling's index.

    >>> FIELD_NAMES[sibling_indexes()[FIELD_NAMES.index("Medicine")]]
    'Biology'
    """
    sibling: dict[int, int] = {}
    for a, b in SIBLINGS:
        sibling[FIELD_NAMES.index(a)] = FIELD_NAMES.index(b)
        sibling[FIELD_NAMES.index(b)] = FIELD_NAMES.index(a)
    return [sibling[f] for f in range(len(FIELD_NAMES))]


def field_centroids(seed: int) -> np.ndarray:
    """Unit centroids (fields x 768), each mixed with its sibling's random direction.

    >>> c = field_centroids(0)
    >>> cs, math_ = FIELD_NAMES.index("Computer Science"), FIELD_NAMES.index("Mathematics")
    >>> bool(c[cs] @ c[math_] > 0.5), bool(abs(c[cs] @ c[FIELD_NAMES.index("Medicine")]) < 0.2)
    (True, True)
    """
    rng = np.random.default_rng([seed, 768, 1])
    base = rng.standard_normal((len(FIELD_NAMES), EMBEDDING_DIMENSIONS))
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    centroids = base + _SIBLING_MIX * base[sibling_indexes()]
    result: np.ndarray = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
    return result


def _write_embeddings(
    cfg: SynthConfig,
    path: Path,
    *,
    field_of: array[int],
    second_field: array[int],
    corpus_ids: list[int],
    tick: Callable[[str, int, int], None],
) -> int:
    """embeddings.jsonl: one clustered synthetic vector per paper (see the module notes)."""
    n = cfg.papers
    centroids = field_centroids(cfg.seed)
    rng = np.random.default_rng([cfg.seed, 768, 2])
    scale = _EMBEDDING_NOISE / math.sqrt(EMBEDDING_DIMENSIONS)
    out = _Writer(path)
    try:
        for start in range(0, n, _EMBEDDING_BLOCK):
            stop = min(start + _EMBEDDING_BLOCK, n)
            fields = np.frombuffer(field_of, dtype=np.int8)[start:stop].astype(np.intp)
            seconds = np.frombuffer(second_field, dtype=np.int8)[start:stop].astype(np.intp)
            vectors = centroids[fields].copy()
            has_second = (seconds >= 0) & (seconds != fields)
            vectors[has_second] += _SECOND_FIELD_MIX * centroids[seconds[has_second]]
            vectors += scale * rng.standard_normal((stop - start, EMBEDDING_DIMENSIONS))
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            for offset, row in enumerate(vectors.round(5).tolist()):
                out.write(
                    {
                        "corpusid": corpus_ids[start + offset],
                        "model": EMBEDDING_MODEL,
                        "vector": "[" + ",".join(map(repr, row)) + "]",
                        "synthetic": True,
                    }
                )
                tick("embeddings", start + offset + 1, n)
    finally:
        out.close()
    return n
