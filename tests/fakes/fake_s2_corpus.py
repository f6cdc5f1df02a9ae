"""What the fake Semantic Scholar server (:mod:`tests.fakes.fake_s2`) knows.

A :class:`FakeCorpus` holds Graph-API-shaped paper dicts (the keys of
``/paper/batch`` items), citation edges and author records, with the indexes
S2 resolves ids by (sha, ``CorpusId:``, DOI, arXiv, MAG, ACL, PubMed, URL) and
titles by. Builders:

* :meth:`FakeCorpus.from_graph_api` - from Graph-API paper dicts whose nested
  ``references`` / ``citations`` become edges;
* :meth:`FakeCorpus.recorded` - the real recorded S2 bodies shipped in
  ``tests/fakes/s2_recorded/`` (real data, ``synthetic=False``);
* :func:`corpus_from_titles` - a plausible **synthetic** corpus around a list
  of titles / :class:`~loaders.rows.PaperRef` (each title resolvable by title
  match, a few references and citations each, authors, fields of study, some
  references S2 could not resolve);
* :func:`corpus_from_datasets` / :func:`corpus_from_datasets_dir` - from rows
  in the S2 Datasets format (``papers``, ``citations``, ``authors``,
  ``abstracts``), converted as the bulk loader converts them;
  :func:`corpus_from_synth` runs ``citekb synth``'s generator and serves
  its papers, so the bulk path and the API path can load the same graph.

Everything generated here is labelled synthetic: the corpus flag (served by
the fake as ``x-fake-s2-synthetic: true``), "Synthetic" in every generated
title, author name and abstract, and ids in a range S2 does not use.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from loaders.rows import normalise_title
from loaders.s2_datasets import author_to_api, find_files, iter_records, paper_id_of, paper_to_api
from loaders.synth import SynthConfig, generate

Paper = dict[str, Any]
Author = dict[str, Any]

_SHA = re.compile(r"^[0-9a-f]{40}$")
_ARXIV_VERSION = re.compile(r"v\d+$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
# Synthetic corpus ids start here, far above any real S2 corpus id (~3e8).
SYNTHETIC_CORPUS_ID_BASE = 4_000_000_000
SYNTHETIC_AUTHOR_ID_BASE = 9_000_000_000

RECORDED = Path(__file__).resolve().parent / "s2_recorded"
# S2's OpenAPI spec, kept beside the bodies (SAMPLES-README.md says where it is wrong).
SPEC_NAME = "openapi__s2-graph-api.swagger.json"


@dataclass
class Edge:
    """``citing`` cites ``cited``; ``cited`` None is a reference S2 could not resolve."""

    citing: str
    cited: str | None
    cited_title: str | None = None
    is_influential: bool = False
    intents: list[str] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "citing": self.citing,
            "cited": self.cited,
            "citedTitle": self.cited_title,
            "isInfluential": self.is_influential,
            "intents": list(self.intents),
            "contexts": list(self.contexts),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Edge:
        return cls(
            citing=str(d["citing"]),
            cited=d.get("cited"),
            cited_title=d.get("citedTitle"),
            is_influential=bool(d.get("isInfluential", False)),
            intents=list(d.get("intents") or []),
            contexts=list(d.get("contexts") or []),
        )


def bare_arxiv(value: str) -> str:
    return _ARXIV_VERSION.sub("", value.strip()).lower()


class FakeCorpus:
    """Papers, edges and authors with S2's id and title lookups."""

    def __init__(
        self,
        papers: Iterable[Paper],
        edges: Iterable[Edge] = (),
        authors: Iterable[Author] = (),
        *,
        synthetic: bool,
        label: str = "",
    ) -> None:
        self.synthetic = synthetic
        self.label = label
        self.papers: dict[str, Paper] = {}
        for p in papers:
            pid = p.get("paperId")
            if not isinstance(pid, str):
                raise ValueError(f"paper without a paperId: {str(p)[:120]}")
            self.papers[pid] = {**self.papers.get(pid, {}), **p}
        self.authors: dict[str, Author] = {}
        for a in authors:
            aid = a.get("authorId")
            if isinstance(aid, str):
                self.authors[aid] = {**self.authors.get(aid, {}), **a}
        self.edges: list[Edge] = []
        self.references_of: dict[str, list[Edge]] = {}
        self.citations_of: dict[str, list[Edge]] = {}
        seen: set[tuple[str, str | None, str | None]] = set()
        for e in edges:
            if e.citing not in self.papers or (e.cited is not None and e.cited not in self.papers):
                continue  # an edge needs both ends (a null end is allowed on the cited side)
            k = (e.citing, e.cited, e.cited_title if e.cited is None else None)
            if k in seen:
                continue
            seen.add(k)
            self.edges.append(e)
            self.references_of.setdefault(e.citing, []).append(e)
            if e.cited is not None:
                self.citations_of.setdefault(e.cited, []).append(e)
        self.papers_of_author: dict[str, list[str]] = {}
        for pid, p in self.papers.items():
            for a in p.get("authors") or []:
                aid = a.get("authorId")
                if isinstance(aid, str):
                    self.papers_of_author.setdefault(aid, []).append(pid)
                    self.authors.setdefault(aid, {"authorId": aid, "name": a.get("name")})
        self._index()

    def _index(self) -> None:
        self.by_corpus: dict[int, str] = {}
        self.by_external: dict[tuple[str, str], str] = {}
        self.by_title: dict[str, list[str]] = {}
        for pid, p in self.papers.items():
            ext = p.get("externalIds") or {}
            cid = p.get("corpusId", ext.get("CorpusId"))
            if isinstance(cid, int):
                self.by_corpus[cid] = pid
            for name, value in ext.items():
                if name == "CorpusId" or value is None:
                    continue
                v = str(value).lower()
                if name == "ArXiv":
                    v = bare_arxiv(v)
                self.by_external[(name, v)] = pid
                if name == "DOI" and (m := _ARXIV_DOI.match(v)):
                    self.by_external.setdefault(("ArXiv", bare_arxiv(m.group(1))), pid)
            if p.get("title"):
                self.by_title.setdefault(normalise_title(p["title"]), []).append(pid)

    # -- lookups -------------------------------------------------------------
    def resolve(self, raw: str) -> str | None:
        """The paperId an S2 id form names: ``<sha>``, ``CorpusId:``, ``DOI:``/bare DOI,
        ``ARXIV:``, ``MAG:``, ``ACL:``, ``PMID:``, ``PMCID:``, ``URL:``."""
        raw = raw.strip()
        if _SHA.match(raw.lower()):
            pid = raw.lower()
            return pid if pid in self.papers else None
        prefix, sep, rest = raw.partition(":")
        kind = prefix.upper() if sep else ""
        if kind == "CORPUSID":
            try:
                return self.by_corpus.get(int(rest))
            except ValueError:
                return None
        if kind == "DOI":
            return self.by_external.get(("DOI", rest.lower()))
        if raw.startswith("10."):
            return self.by_external.get(("DOI", raw.lower()))
        if kind == "ARXIV":
            return self.by_external.get(("ArXiv", bare_arxiv(rest)))
        names = {"MAG": "MAG", "ACL": "ACL", "PMID": "PubMed", "PMCID": "PubMedCentral"}
        if kind in names:
            return self.by_external.get((names[kind], rest.lower()))
        if kind == "URL":
            return self._resolve_url(rest)
        return None

    def _resolve_url(self, url: str) -> str | None:
        m = re.search(r"semanticscholar\.org/paper/(?:[^/]+/)?([0-9a-fA-F]{40})", url)
        if m:
            pid = m.group(1).lower()
            return pid if pid in self.papers else None
        m = re.search(r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:\.pdf)?(?:[?#].*)?$", url)
        if m:
            return self.by_external.get(("ArXiv", bare_arxiv(m.group(1))))
        m = re.search(r"aclweb\.org/anthology/([^/?#]+)", url) or re.search(
            r"aclanthology\.org/([^/?#]+)", url
        )
        if m:
            return self.by_external.get(("ACL", m.group(1).rstrip("/").lower()))
        return None

    def resolve_author(self, raw: str) -> str | None:
        return raw if raw in self.authors else None

    def author_record(self, author_id: str) -> Author:
        return self.authors.get(author_id, {"authorId": author_id})

    # -- persistence ---------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "synthetic": self.synthetic,
            "label": self.label,
            "papers": list(self.papers.values()),
            "edges": [e.to_json() for e in self.edges],
            "authors": list(self.authors.values()),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FakeCorpus:
        return cls(
            data["papers"],
            [Edge.from_json(e) for e in data.get("edges", [])],
            data.get("authors", []),
            synthetic=bool(data.get("synthetic", True)),
            label=str(data.get("label", "")),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> FakeCorpus:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    # -- builders ------------------------------------------------------------
    @classmethod
    def from_graph_api(
        cls,
        papers: Iterable[Paper],
        *,
        authors: Iterable[Author] = (),
        edges: Iterable[Edge] = (),
        synthetic: bool,
        label: str = "",
    ) -> FakeCorpus:
        """Papers as the Graph API returns them. Nested ``references`` / ``citations``
        (BasePaper lists) become edges and papers; richer author objects inside
        ``authors`` become author records."""
        flat: list[Paper] = []
        all_edges = list(edges)
        all_authors = list(authors)

        def take(p: Paper) -> None:
            own = {k: v for k, v in p.items() if k not in ("references", "citations")}
            own["authors"] = [
                {"authorId": a.get("authorId"), "name": a.get("name")}
                for a in p.get("authors") or []
            ]
            if "authors" not in p:
                del own["authors"]
            flat.append(own)
            for a in p.get("authors") or []:
                if len(a) > 2 and a.get("authorId"):
                    all_authors.append({k: v for k, v in a.items() if k != "papers"})

        for p in papers:
            take(p)
            pid = p["paperId"]
            for ref in p.get("references") or []:
                if ref.get("paperId"):
                    take(ref)
                all_edges.append(Edge(pid, ref.get("paperId"), cited_title=ref.get("title")))
            for cit in p.get("citations") or []:
                if cit.get("paperId"):
                    take(cit)
                    all_edges.append(Edge(cit["paperId"], pid))
        return cls(flat, all_edges, all_authors, synthetic=synthetic, label=label)

    @classmethod
    def recorded(cls) -> FakeCorpus:
        """The papers, edges and authors in the real recorded S2 bodies (not synthetic)."""
        body = recorded_body
        papers: list[Paper] = []
        edges: list[Edge] = []
        authors: list[Author] = []
        papers.append(body("paper_detail__GET_paper_id_all_fields.json"))
        papers.extend(p for p in body("paper_batch__POST_paper_batch_with_null.json") if p)
        papers.append(
            {
                k: v
                for k, v in body("paper_search_match__GET_paper_search_match_all_fields.json")[
                    "data"
                ][0].items()
                if k != "matchScore"
            }
        )
        papers.extend(body("paper_search__GET_paper_search_all_fields.json")["data"])
        papers.extend(
            item["citedPaper"]
            for item in body("paper_references__GET_paper_id_references_rich_fields.json")["data"]
        )
        # The references page of 10.2139/ssrn.2250500 (paper cb1ebd91...).
        miracle = "cb1ebd913c3724c599f6b276b14b5c6253da68f3"
        for item in body("paper_references__GET_paper_id_references_last_page.json")["data"]:
            cited = item["citedPaper"]
            if cited["paperId"]:
                papers.append(dict(cited))
            edges.append(Edge(miracle, cited["paperId"], cited_title=cited["title"]))
        for name in (
            "paper_citations__GET_paper_id_citations_first_page.json",
            "paper_citations__GET_paper_id_citations_last_page.json",
        ):
            papers.extend(item["citingPaper"] for item in body(name)["data"])
        authors.extend(body("paper_authors__GET_paper_id_authors.json")["data"])
        for a in [
            *body("author_batch__POST_author_batch_all_fields.json"),
            body("author_detail__GET_author_id_all_fields.json"),
        ]:
            authors.append({k: v for k, v in a.items() if k != "papers"})
            papers.extend(a.get("papers") or [])
        return cls.from_graph_api(
            papers,
            authors=authors,
            edges=edges,
            synthetic=False,
            label="real S2 bodies recorded by the semanticscholar client's test cassettes",
        )


# --------------------------------------------------------------------------
# Recorded bodies (copies of real S2 answers kept beside this module)
# --------------------------------------------------------------------------
def recorded_text(name: str) -> str:
    """A recorded S2 body (``tests/fakes/s2_recorded/<name>``)."""
    return (RECORDED / name).read_text(encoding="utf-8")


def recorded_body(name: str) -> Any:
    return json.loads(recorded_text(name))


def recorded_names() -> list[str]:
    return sorted(
        p.name
        for p in RECORDED.iterdir()
        if p.name.endswith(".json") and p.name not in {"replays.json", SPEC_NAME}
    )


# --------------------------------------------------------------------------
# Synthetic corpus around a list of titles
# --------------------------------------------------------------------------
class TitleLike(Protocol):
    """What :func:`corpus_from_titles` reads from a :class:`~loaders.rows.PaperRef`."""

    @property
    def title(self) -> str | None: ...


_TOPICS = [
    ("Computer Science", "language model pretraining"),
    ("Computer Science", "scaling laws"),
    ("Computer Science", "attention mechanisms"),
    ("Mathematics", "optimisation"),
    ("Linguistics", "tokenisation"),
    ("Computer Science", "reinforcement learning"),
    ("Engineering", "efficient inference"),
    ("Computer Science", "data curation"),
    ("Physics", "statistical mechanics of learning"),
    ("Computer Science", "mixture of experts"),
]
_INTENTS = ["background", "methodology", "result"]


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _attr(ref: object, name: str) -> Any:
    return getattr(ref, name, None)


def corpus_from_titles(
    refs: Sequence[str | TitleLike],
    *,
    seed: int = 0,
    references_per_paper: tuple[int, int] = (3, 7),
    citations_per_paper: tuple[int, int] = (1, 5),
    unresolved_share: float = 0.2,
) -> FakeCorpus:
    """A synthetic corpus in which every given title is a paper S2 "knows".

    Each seed gets references (to synthetic background papers, to older seeds,
    and a share of unresolved ones with a null ``paperId``), citations from
    synthetic follow-up papers, authors (the ref's names when it has them),
    fields of study, an arXiv id when the ref has one, and counts consistent
    with the edges. Deterministic for ``seed``.
    """
    rng = random.Random(seed)
    n = len(refs)
    author_pool: list[Author] = []

    def new_author(name: str | None = None, affiliation: str | None = None) -> Author:
        k = len(author_pool)
        a: Author = {
            "authorId": str(SYNTHETIC_AUTHOR_ID_BASE + seed * 100_000 + k),
            "externalIds": {},
            "url": None,
            "name": name or f"Synthetic Author {k:03d}",
            "affiliations": [affiliation] if affiliation else [],
            "homepage": None,
            "paperCount": rng.randint(3, 300),
            "citationCount": rng.randint(10, 40_000),
            "hIndex": rng.randint(1, 80),
        }
        a["url"] = f"https://www.semanticscholar.org/author/{a['authorId']}"
        author_pool.append(a)
        return a

    counts = [c for r in refs if isinstance(c := _attr(r, "authors_count"), int)]
    for _ in range(max(12, n, *counts)):
        new_author(affiliation=rng.choice([None, None, "Synthetic Institute of Technology"]))

    by_name: dict[str, Author] = {}
    corpus_ids: set[int] = set()

    def make_paper(
        key: str,
        title: str,
        *,
        year: int,
        date: datetime.date | None,
        arxiv: str | None,
        doi: str | None,
        abstract: str | None,
        authors: list[Author],
    ) -> Paper:
        pid = _sha(f"citekb-synthetic:{seed}:{key}")
        cid = SYNTHETIC_CORPUS_ID_BASE + int(pid[:7], 16)
        while cid in corpus_ids:
            cid += 1
        corpus_ids.add(cid)
        fos, phrase = rng.choice(_TOPICS)
        ext: dict[str, Any] = {}
        if arxiv:
            ext["ArXiv"] = arxiv
            ext["DOI"] = f"10.48550/arXiv.{arxiv}"
        if doi:
            ext["DOI"] = doi
        ext["CorpusId"] = cid
        s2fos = [{"category": "Computer Science", "source": "external"}] if arxiv else []
        s2fos.append({"category": "Computer Science", "source": "s2-fos-model"})
        if fos != "Computer Science":
            s2fos.append({"category": fos, "source": "s2-fos-model"})
        text = abstract or f"Synthetic abstract: a study of {phrase} (generated for tests)."
        venue_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "citekb-synthetic-venue:arxiv"))
        return {
            "paperId": pid,
            "externalIds": ext,
            "corpusId": cid,
            "publicationVenue": {
                "id": venue_id,
                "name": "arXiv.org",
                "type": "repository",
                "alternate_names": ["ArXiv"],
                "url": "https://arxiv.org",
            }
            if arxiv
            else None,
            "url": f"https://www.semanticscholar.org/paper/{pid}",
            "title": title,
            "abstract": text,
            "venue": "arXiv.org" if arxiv else "",
            "year": year,
            "referenceCount": 0,
            "citationCount": 0,
            "influentialCitationCount": 0,
            "isOpenAccess": bool(arxiv),
            "openAccessPdf": {"url": f"https://arxiv.org/pdf/{arxiv}", "status": "GREEN"}
            if arxiv
            else None,
            "fieldsOfStudy": ["Computer Science"] if arxiv else None,
            "s2FieldsOfStudy": s2fos,
            "tldr": {"model": "tldr@v2.0.0", "text": text.split(". ")[0].rstrip(".") + "."},
            "publicationTypes": ["JournalArticle"],
            "publicationDate": date.isoformat() if date else None,
            "journal": {"name": "ArXiv", "volume": f"abs/{arxiv}"} if arxiv else None,
            "citationStyles": {"bibtex": _bibtex(cid, title, year)},
            "authors": [{"authorId": a["authorId"], "name": a["name"]} for a in authors],
        }

    def pick_authors(k: int) -> list[Author]:
        return rng.sample(author_pool, k=min(k, len(author_pool)))

    # Seeds, in the given order.
    seeds: list[Paper] = []
    for i, ref in enumerate(refs):
        title = ref if isinstance(ref, str) else _attr(ref, "title")
        arxiv = None if isinstance(ref, str) else _attr(ref, "arxiv_id")
        doi = None if isinstance(ref, str) else _attr(ref, "doi")
        date = None if isinstance(ref, str) else _attr(ref, "date")
        if not title:
            title = f"Synthetic paper for {'arXiv:' + arxiv if arxiv else doi or f'entry {i}'}"
        names = () if isinstance(ref, str) else (_attr(ref, "authors") or ())
        org = None if isinstance(ref, str) else _attr(ref, "organization")
        if names:
            authors = []
            for name in names:
                if name not in by_name:
                    by_name[name] = new_author(name)
                authors.append(by_name[name])
        else:
            # As many authors as the page says: title matches are verified by it.
            count = None if isinstance(ref, str) else _attr(ref, "authors_count")
            authors = pick_authors(
                count if isinstance(count, int) and count > 0 else rng.randint(2, 5)
            )
        if org and authors and org not in authors[0]["affiliations"]:
            # The page's submitting organisation, as a sparse S2 affiliation.
            authors[0]["affiliations"].append(org)
        year = date.year if isinstance(date, datetime.date) else 2025
        seeds.append(
            make_paper(
                f"seed:{i}:{normalise_title(title)}",
                title,
                year=year,
                date=date if isinstance(date, datetime.date) else None,
                arxiv=arxiv,
                doi=doi,
                abstract=None if isinstance(ref, str) else _attr(ref, "abstract"),
                authors=authors,
            )
        )

    background = [
        make_paper(
            f"background:{k}",
            f"Synthetic background work {k}: {rng.choice(_TOPICS)[1]}",
            year=(y := rng.randint(2012, 2024)),
            date=datetime.date(y, rng.randint(1, 12), rng.randint(1, 28)),
            arxiv=f"{y % 100:02d}{rng.randint(1, 12):02d}.9{k:04d}",
            doi=None,
            abstract=None,
            authors=pick_authors(rng.randint(1, 4)),
        )
        for k in range(max(20, 2 * n))
    ]
    followups = [
        make_paper(
            f"followup:{k}",
            f"Synthetic follow-up work {k}: {rng.choice(_TOPICS)[1]}",
            year=2026,
            date=datetime.date(2026, rng.randint(1, 6), rng.randint(1, 28)),
            arxiv=None,
            doi=None,
            abstract=None,
            authors=pick_authors(rng.randint(1, 4)),
        )
        for k in range(max(10, n))
    ]

    edges: list[Edge] = []

    def edge(citing: str, cited: str | None, title: str | None = None) -> None:
        intents = sorted(rng.sample(_INTENTS, k=rng.choice([0, 0, 1, 1, 2])))
        contexts = [
            f"Synthetic citation context {rng.randint(1, 999)}." for _ in range(rng.randint(0, 2))
        ]
        edges.append(
            Edge(
                citing,
                cited,
                cited_title=title,
                is_influential=rng.random() < 0.2,
                intents=intents,
                contexts=contexts,
            )
        )

    def when(p: Paper) -> str:
        return str(p["publicationDate"] or f"{p['year']}-12-31")

    # Citations point back in time: a paper cites only papers no newer than itself.
    unresolved = 0
    chronological = sorted(seeds, key=lambda p: (when(p), p["paperId"]))
    for s in seeds:
        k = rng.randint(*references_per_paper)
        older_background = [b for b in background if when(b) <= when(s)]
        for b in rng.sample(older_background, k=min(k, len(older_background))):
            edge(s["paperId"], b["paperId"])
        older_seeds = [o for o in chronological if when(o) < when(s)]
        for older in rng.sample(older_seeds, k=min(len(older_seeds), rng.randint(0, 2))):
            edge(s["paperId"], older["paperId"])
        for _ in range(k):
            if rng.random() < unresolved_share:
                unresolved += 1
                edge(s["paperId"], None, f"Synthetic unresolved reference {unresolved}")
        for f in rng.sample(followups, k=min(rng.randint(*citations_per_paper), len(followups))):
            edge(f["paperId"], s["paperId"])
    # Background papers cite older background papers, so depth 2 has edges too.
    ordered = sorted(background, key=lambda p: (when(p), p["paperId"]))
    for j, b in enumerate(ordered):
        for older in rng.sample(ordered[:j], k=min(j, rng.randint(0, 3))):
            edge(b["paperId"], older["paperId"])
    # A follow-up cites more than the seeds: a few background papers too, so a
    # depth-1 load holds only part of a citing paper's references (what the
    # coverage of the disruption index reports). Drawn last, so the edges
    # above are the same as before this was added.
    for f in followups:
        for b in rng.sample(background, k=min(len(background), rng.randint(2, 6))):
            edge(f["paperId"], b["paperId"])

    papers = [*seeds, *background, *followups]
    _set_counts(papers, edges)
    return FakeCorpus(
        papers,
        edges,
        author_pool,
        synthetic=True,
        label=f"synthetic corpus around {n} titles (seed {seed})",
    )


def _bibtex(corpus_id: int, title: str, year: int) -> str:
    return f"@Article{{synthetic{corpus_id},\n title = {{{title}}},\n year = {{{year}}}\n}}\n"


def _set_counts(papers: list[Paper], edges: list[Edge]) -> None:
    refs: dict[str, int] = {}
    cites: dict[str, int] = {}
    infl: dict[str, int] = {}
    for e in edges:
        refs[e.citing] = refs.get(e.citing, 0) + 1
        if e.cited is not None:
            cites[e.cited] = cites.get(e.cited, 0) + 1
            if e.is_influential:
                infl[e.cited] = infl.get(e.cited, 0) + 1
    for p in papers:
        p["referenceCount"] = refs.get(p["paperId"], 0)
        p["citationCount"] = cites.get(p["paperId"], 0)
        p["influentialCitationCount"] = infl.get(p["paperId"], 0)


# --------------------------------------------------------------------------
# S2 Datasets rows (what `citekb synth` writes) -> corpus
# --------------------------------------------------------------------------
def _api_paper_id(record: Mapping[str, Any]) -> str:
    # The bulk loader's id (paper_id_of) when it is an S2 sha; S2 ids are
    # always 40-hex, so a "CorpusId:N" fallback gets a stable sha instead.
    pid = paper_id_of(record)
    return pid if _SHA.match(pid) else _sha(f"corpus:{record['corpusid']}")


def _flat_intents(value: Any) -> list[str]:
    # The Datasets files give one intent list per context; the API a flat, distinct list.
    out: list[str] = []
    for item in value or []:
        for intent in item if isinstance(item, list) else [item]:
            if isinstance(intent, str) and intent not in out:
                out.append(intent)
    return out


def corpus_from_datasets(
    papers: Iterable[Mapping[str, Any]],
    citations: Iterable[Mapping[str, Any]] = (),
    authors: Iterable[Mapping[str, Any]] = (),
    abstracts: Iterable[Mapping[str, Any]] = (),
    *,
    synthetic: bool = True,
    label: str = "S2 Datasets rows",
) -> FakeCorpus:
    """Records in the S2 Datasets format (``corpusid``, ``externalids``,
    ``citationcount``, ``citingcorpusid`` ...) as Graph-API papers, converted the
    way the bulk loader (:mod:`loaders.s2_datasets`) reads them."""
    abstract_of = {int(a["corpusid"]): a.get("abstract") for a in abstracts}
    out: list[Paper] = []
    pid_of: dict[int, str] = {}
    for record in papers:
        cid = int(record["corpusid"])
        pid = _api_paper_id(record)
        pid_of[cid] = pid
        p = paper_to_api(record, pid)
        p.pop("synthetic", None)  # a Datasets label, not a Graph API field
        external = [
            f["category"] for f in p.get("s2FieldsOfStudy") or [] if f.get("source") == "external"
        ]
        p["fieldsOfStudy"] = list(dict.fromkeys(external)) or None
        p["url"] = p.get("url") or f"https://www.semanticscholar.org/paper/{pid}"
        p["venue"] = p.get("venue") or ""
        p["isOpenAccess"] = bool(p.get("isOpenAccess"))
        if p.get("abstract") is None:
            p["abstract"] = abstract_of.get(cid)
        p["tldr"] = record.get("tldr")
        out.append(p)
    edges: list[Edge] = []
    for c in citations:
        citing = pid_of.get(int(c["citingcorpusid"]))
        if citing is None:
            continue
        cited_cid = c.get("citedcorpusid")
        cited = pid_of.get(int(cited_cid)) if cited_cid is not None else None
        edges.append(
            Edge(
                citing,
                cited,
                cited_title=None
                if cited
                else (c.get("citedtitle") or f"Unresolved reference (CorpusId {cited_cid})"),
                is_influential=bool(c.get("isinfluential", False)),
                intents=_flat_intents(c.get("intents")),
                contexts=list(c.get("contexts") or []),
            )
        )
    author_rows = []
    for a in authors:
        row = author_to_api(a)
        row["externalIds"] = a.get("externalids") or {}
        row["url"] = a.get("url") or f"https://www.semanticscholar.org/author/{row['authorId']}"
        row["homepage"] = a.get("homepage")
        author_rows.append(row)
    return FakeCorpus(out, edges, author_rows, synthetic=synthetic, label=label)


def corpus_from_datasets_dir(directory: str | Path, *, synthetic: bool = True) -> FakeCorpus:
    """The ``papers*`` / ``citations*`` / ``authors*`` / ``abstracts*`` ``.jsonl[.gz]``
    files of a directory (found as the bulk loader finds them)."""
    d = Path(directory)
    files = find_files(d)

    def rows(paths: Sequence[Path]) -> Iterator[dict[str, Any]]:
        for path in paths:
            for _, record in iter_records(path):
                yield record

    return corpus_from_datasets(
        rows(files.papers),
        rows(files.citations),
        rows(files.authors),
        rows(files.abstracts),
        synthetic=synthetic,
        label=f"S2 Datasets files in {d.name}",
    )


def corpus_from_synth(directory: str | Path, config: SynthConfig | None = None) -> FakeCorpus:
    """Generate a synthetic corpus with :func:`loaders.synth.generate` (``citekb synth``)
    into ``directory`` and serve the same papers: the bulk path and the API path then
    see one graph."""
    d = Path(directory)
    generate(config or SynthConfig(), d)
    corpus = corpus_from_datasets_dir(d, synthetic=True)
    corpus.label = f"synthetic corpus from citekb synth in {d.name}"
    return corpus
