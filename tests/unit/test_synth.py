"""Synthetic corpora: deterministic, labelled, citations back in time, heavy-tailed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from loaders.synth import FIELD_NAMES, MARK, SynthConfig, generate, synthetic_doi


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(SynthConfig(papers=3000, seed=11), out)
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    cfg = SynthConfig(papers=400, seed=5)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(cfg, a)
    generate(cfg, b)
    generate(SynthConfig(papers=400, seed=6), c)
    for name in ("papers.jsonl", "citations.jsonl", "authors.jsonl", "synthetic.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "papers.jsonl").read_bytes() != (c / "papers.jsonl").read_bytes()
    assert (a / "citations.jsonl").read_bytes() != (c / "citations.jsonl").read_bytes()


def test_everything_is_labelled_synthetic(corpus: Path) -> None:
    for name in ("papers.jsonl", "citations.jsonl", "authors.jsonl"):
        assert all(r["synthetic"] is True for r in read(corpus / name)), name
    papers = read(corpus / "papers.jsonl")
    assert all(p["title"].startswith(MARK) for p in papers)
    assert all("synthetic" in p["abstract"] for p in papers)
    # No invented identifiers in real namespaces.
    assert all(
        p["externalids"]["DOI"] is None and p["externalids"]["ArXiv"] is None for p in papers
    )
    assert min(p["corpusid"] for p in papers) >= 9_000_000_000
    assert json.loads((corpus / "synthetic.json").read_text())["synthetic"] is True


def test_citations_point_back_in_time_and_counts_agree(corpus: Path) -> None:
    papers = {p["corpusid"]: p for p in read(corpus / "papers.jsonl")}
    cites = read(corpus / "citations.jsonl")
    manifest = json.loads((corpus / "synthetic.json").read_text())
    assert manifest["papers"] == len(papers) == 3000
    assert manifest["citations"] == len(cites)
    indeg: Counter[int] = Counter()
    outdeg: Counter[int] = Counter()
    influential: Counter[int] = Counter()
    pairs = set()
    for c in cites:
        citing, cited = papers[c["citingcorpusid"]], papers[c["citedcorpusid"]]
        assert cited["publicationdate"] <= citing["publicationdate"]
        assert cited["year"] <= citing["year"]
        assert c["citingcorpusid"] > c["citedcorpusid"]
        pairs.add((c["citingcorpusid"], c["citedcorpusid"]))
        indeg[c["citedcorpusid"]] += 1
        outdeg[c["citingcorpusid"]] += 1
        influential[c["citedcorpusid"]] += c["isinfluential"]
        assert set(c["intents"]) <= {"background", "methodology", "result"}
    assert len(pairs) == len(cites), "no duplicate citations"
    for cid, p in papers.items():
        assert p["citationcount"] == indeg[cid]
        assert p["referencecount"] == outdeg[cid]
        assert p["influentialcitationcount"] == influential[cid]
    assert 0 < sum(influential.values()) < len(cites) / 4
    assert any(c["intents"] for c in cites) and any(not c["intents"] for c in cites)


def test_citations_are_heavy_tailed(corpus: Path) -> None:
    indeg = Counter(c["citedcorpusid"] for c in read(corpus / "citations.jsonl"))
    total = sum(indeg.values())
    counts = sorted(indeg.values(), reverse=True)
    top1 = sum(counts[: 3000 // 100]) / total
    # Uniform attachment to older papers gives the top 1% about 5%; preferential
    # attachment gives them far more.
    assert top1 > 0.15, top1
    assert total / 3000 > 6  # about refs_mean per paper, minus the early ones


def test_authors_fields_years_and_vocabulary(corpus: Path) -> None:
    papers = read(corpus / "papers.jsonl")
    authors = {a["authorid"]: a for a in read(corpus / "authors.jsonl")}
    sizes = Counter(len(p["authors"]) for p in papers)
    assert min(sizes) >= 1 and max(sizes) <= 15
    assert sum(n for k, n in sizes.items() if 2 <= k <= 5) > len(papers) / 2
    assert max(sizes) >= 8  # the tail exists
    paper_count: Counter[str] = Counter()
    for p in papers:
        ids = [a["authorId"] for a in p["authors"]]
        assert len(ids) == len(set(ids))
        paper_count.update(ids)
        assert {f["category"] for f in p["s2fieldsofstudy"]} <= set(FIELD_NAMES)
        assert 1995 <= p["year"] <= 2025
    assert set(paper_count) == set(authors)
    for aid, a in authors.items():
        assert a["papercount"] == paper_count[aid]
        assert 0 <= a["hindex"] <= a["papercount"]
    years = Counter(p["year"] for p in papers)
    assert years[2024] > years[1996]  # output grows over time
    titles = " ".join(p["title"] for p in papers).lower()
    assert "transformers" in titles or "graph neural networks" in titles


def test_config_is_validated() -> None:
    with pytest.raises(ValueError):
        SynthConfig(papers=0)
    with pytest.raises(ValueError):
        SynthConfig(first_year=2020, last_year=2000)


def test_openalex_works_join_by_a_synthetic_doi_and_leave_s2_affiliations_empty(
    tmp_path: Path,
) -> None:
    cfg = SynthConfig(papers=200, seed=5, openalex=True)
    generate(cfg, tmp_path / "a")
    generate(cfg, tmp_path / "b")
    works_a = (tmp_path / "a" / "openalex_works.jsonl").read_bytes()
    assert works_a == (tmp_path / "b" / "openalex_works.jsonl").read_bytes()
    papers = [json.loads(line) for line in (tmp_path / "a" / "papers.jsonl").open()]
    works = [json.loads(line) for line in works_a.decode().splitlines()]
    assert len(works) == len(papers) == 200
    assert {p["externalids"]["DOI"] for p in papers} == {
        synthetic_doi(p["corpusid"]) for p in papers
    }
    assert all(w["synthetic"] is True for w in works)
    authors = [json.loads(line) for line in (tmp_path / "a" / "authors.jsonl").open()]
    assert all(a["affiliations"] == [] for a in authors)
    insts = {i["id"]: i for w in works for a in w["authorships"] for i in a["institutions"]}
    assert all(i["display_name"].startswith("Synthetic ") for i in insts.values())
    assert any(i["ror"] for i in insts.values()) and any(not i["ror"] for i in insts.values())
    assert any(len(i["lineage"]) > 1 for i in insts.values())
    # Without the flag the corpus is byte for byte what it was.
    generate(SynthConfig(papers=200, seed=5), tmp_path / "c")
    assert not (tmp_path / "c" / "openalex_works.jsonl").exists()
