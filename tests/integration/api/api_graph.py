"""A small SYNTHETIC citation graph for the API tests, written through the real writer.

40 papers (``synthetic=True``) over 2015-2024 with titles from a few themes
(three are about scaling laws), authors with positions, organisations (one
Daily Papers submitter), fields of study and keyphrase topics, two venues and
CITES edges that point back in time with isInfluential/intents (some with
citing sentences), and synthetic 768-float embeddings clustered by theme
(every seventh paper has none). Every value
is a deterministic function of the paper's index so tests can compute their
expectations from :data:`PAPERS` instead of hard-coding answers.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

from loaders.rows import (
    EMBEDDING_DIMENSIONS,
    GraphRows,
    cites_rows,
    org_key,
    title_key,
    topic_key,
    venue_key,
)

N_PAPERS = 40
N_AUTHORS = 12

THEMES = [
    "Attention Mechanisms for Sequence Transduction",
    "Graph Neural Networks for Molecule Property Prediction",
    "Contrastive Pretraining of Visual Representations",
    "Reinforcement Learning from Human Feedback",
    "Retrieval Augmented Generation for Open Domain Questions",
]
SCALING_TITLES = {
    7: "Scaling Laws for Neural Language Models",
    21: "Compute Optimal Scaling Law Estimates for Transformers",
    33: "Data Constrained Scaling Law Analysis",
}
META = "AI at Meta"
LAB = "Synthetic Vision Lab"


def hex_id(kind: str, i: int) -> str:
    return hashlib.sha1(f"synthetic-{kind}-{i}".encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class SynthPaper:
    index: int
    paper_id: str
    title: str
    year: int
    citation_count: int | None
    arxiv_id: str | None
    doi: str | None
    corpus_id: int
    is_seed: bool
    venue: str
    authors: tuple[int, ...]  # author indexes in author order
    references: tuple[int, ...]  # indexes of cited papers


def _paper(i: int) -> SynthPaper:
    title = SCALING_TITLES.get(i, f"{THEMES[i % len(THEMES)]} Part {i}")
    # Ties on purpose (i // 3) and one paper without a count (index 5).
    count = None if i == 5 else (N_PAPERS - i) // 3 * 10
    refs = tuple(range(max(0, i - 12), i))  # up to 12 older papers
    return SynthPaper(
        index=i,
        paper_id=hex_id("paper", i),
        title=title,
        year=2015 + i // 4,
        citation_count=count,
        arxiv_id=f"2401.{10000 + i:05d}" if i % 2 == 0 else None,
        doi=f"10.5555/synthetic.{i}" if i % 3 == 0 else None,
        corpus_id=900000 + i,
        is_seed=i % 4 == 0,
        venue="NeurIPS" if i % 2 == 0 else "arXiv.org",
        authors=(i % N_AUTHORS, (i + 1) % N_AUTHORS, (i + 5) % N_AUTHORS),
        references=refs,
    )


PAPERS = [_paper(i) for i in range(N_PAPERS)]


def author_id(a: int) -> str:
    return str(1000 + a)


def author_name(a: int) -> str:
    return f"Synthetic Author {a:02d}"


def influential(citing: int, cited: int) -> bool:
    return (citing + cited) % 3 == 0


def intents(citing: int, cited: int) -> list[str]:
    return ["methodology"] if (citing + cited) % 2 == 0 else ["background"]


def contexts(citing: int, cited: int) -> list[tuple[str, list[str]]]:
    """Citing sentences of every fourth citation (synthetic), with the edge's intents."""
    if (citing + cited) % 4:
        return []
    return [
        (f"[synthetic] Paper {citing} builds on paper {cited} [{cited}].", intents(citing, cited))
    ]


def _unit(values: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def embedding(i: int) -> list[float] | None:
    """A synthetic vector near its theme's centroid; every seventh paper has none."""
    if i % 7 == 6:
        return None
    theme = random.Random(f"theme-{i % len(THEMES)}")
    noise = random.Random(f"paper-{i}")
    centre = [theme.gauss(0, 1) for _ in range(EMBEDDING_DIMENSIONS)]
    return _unit([c + 0.8 * noise.gauss(0, 1) for c in centre])


def topics_of(p: SynthPaper) -> list[str]:
    names = ["Computer Science"]
    if p.index in SCALING_TITLES:
        names.append("scaling laws")
    if p.index % 5 == 1:
        names.append("graph neural networks")
    return names


def submitted_by(p: SynthPaper) -> str | None:
    return META if p.index % 4 == 0 else None


def affiliation(a: int) -> str:
    return META if a % 3 == 0 else LAB


def graph_rows() -> GraphRows:
    rows = GraphRows()
    for p in PAPERS:
        rows.papers.append(
            {
                "paperId": p.paper_id,
                "corpusId": p.corpus_id,
                "arxivId": p.arxiv_id,
                "doi": p.doi,
                "title": p.title,
                "titleKey": title_key(p.title),
                "abstract": f"Synthetic abstract of paper {p.index} about {p.title.lower()}.",
                "year": p.year,
                "publicationDate": f"{p.year}-03-01",
                "venue": p.venue,
                "citationCount": p.citation_count,
                "referenceCount": len(p.references),
                "influentialCitationCount": None,
                "tldr": None,
                "url": None,
                "openAccessPdf": None,
                "isSeed": p.is_seed,
                "hfUpvotes": p.index if p.is_seed else None,
                "synthetic": True,
                "enrichedAt": None,
            }
        )
        for pos, a in enumerate(p.authors):
            rows.authored.append({"authorId": author_id(a), "paperId": p.paper_id, "position": pos})
        for name in topics_of(p):
            source = "s2-fos" if name == "Computer Science" else "keyphrase"
            rows.topics.append(
                {
                    "paperId": p.paper_id,
                    "key": topic_key(name),
                    "name": name,
                    "source": source,
                    "score": 1.0 if source == "s2-fos" else 0.5,
                }
            )
        rows.venues.append(
            {
                "paperId": p.paper_id,
                "key": venue_key(p.venue),
                "name": p.venue,
                "type": "conference",
            }
        )
        org = submitted_by(p)
        if org:
            rows.submitted.append(
                {"orgKey": org_key(org), "paperId": p.paper_id, "handle": "facebook"}
            )
        vector = embedding(p.index)
        if vector is not None:
            rows.embeddings.append({"paperId": p.paper_id, "vector": vector, "model": "synthetic"})
        for r in p.references:
            rows.cites.append(
                cites_rows(
                    p.paper_id,
                    PAPERS[r].paper_id,
                    is_influential=influential(p.index, r),
                    intents=intents(p.index, r),
                    source="synthetic",
                    contexts=contexts(p.index, r),
                )
            )
    for a in range(N_AUTHORS):
        rows.authors.append(
            {
                "authorId": author_id(a),
                "name": author_name(a),
                "hIndex": a,
                "citationCount": 100 * a,
                "paperCount": 10 + a,
            }
        )
        rows.affiliated.append({"authorId": author_id(a), "orgKey": org_key(affiliation(a))})
    rows.orgs.append({"key": org_key(META), "name": META, "handle": "facebook"})
    rows.orgs.append({"key": org_key(LAB), "name": LAB, "handle": None})
    return rows


def citing_papers(i: int) -> list[int]:
    return [p.index for p in PAPERS if i in p.references]


def most_cited_order(indexes: list[int]) -> list[int]:
    """The API's nested-list order: citationCount desc (missing last), then paperId."""
    return sorted(
        indexes,
        key=lambda j: (
            -(PAPERS[j].citation_count if PAPERS[j].citation_count is not None else -1),
            PAPERS[j].paper_id,
        ),
    )
