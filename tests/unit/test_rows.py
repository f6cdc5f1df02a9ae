"""loaders.rows against the real recorded S2 bodies in tests/fakes/s2_recorded/."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.pipeline import DETAIL_FIELDS, EDGE_PAPER_FIELDS
from loaders.rows import (
    EMBEDDING_DIMENSIONS,
    GraphRows,
    PaperRef,
    cites_rows,
    embedding_row,
    normalise_title,
    org_key,
    placeholder_paper_id,
    rows_from_ref,
    rows_from_s2_authors,
    rows_from_s2_edge,
    rows_from_s2_paper,
    title_key,
)

SAMPLES = Path(__file__).resolve().parents[1] / "fakes" / "s2_recorded"
PAPER_KEYS = {
    "paperId", "corpusId", "arxivId", "doi", "title", "titleKey", "abstract", "year",
    "publicationDate", "venue", "citationCount", "referenceCount", "influentialCitationCount",
    "tldr", "url", "openAccessPdf", "isSeed", "hfUpvotes", "synthetic", "enrichedAt",
}  # fmt: skip


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def all_sample_papers() -> list[dict[str, Any]]:
    """Every full paper object in the samples (batch, detail, search, match)."""
    papers = [p for p in sample("paper_batch__POST_paper_batch_with_null.json") if p]
    papers.append(sample("paper_detail__GET_paper_id_all_fields.json"))
    papers.extend(sample("paper_search__GET_paper_search_all_fields.json")["data"])
    papers.extend(sample("paper_search_match__GET_paper_search_match_all_fields.json")["data"])
    return papers


# --- keys ------------------------------------------------------------------


def test_normalise_title_folds_case_punctuation_and_unicode() -> None:
    assert normalise_title("Attention Is All You Need") == "attention is all you need"
    assert normalise_title("  Attention—is   all you NEED!!  ") == "attention is all you need"
    # NFKC: full-width letters and ligatures become plain ones.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "Efficient")
    assert normalise_title(full_width + " \ufb01ne-tuning") == "efficient fine tuning"
    assert normalise_title("snake_case_title") == "snake case title"
    assert title_key("") is None
    assert title_key("!!!") is None


def test_placeholder_id_is_stable_and_shaped() -> None:
    a = placeholder_paper_id("Scaling Laws for Neural Language Models")
    assert re.fullmatch(r"title:[0-9a-f]{24}", a)
    assert a == placeholder_paper_id("scaling laws for neural language models.")
    assert a != placeholder_paper_id("Scaling Laws for Neural Language Model")


@given(st.text())
def test_normalise_title_is_idempotent(text: str) -> None:
    once = normalise_title(text)
    assert normalise_title(once) == once
    assert once == once.strip()
    assert "  " not in once


# --- S2 paper objects --------------------------------------------------------


@pytest.mark.parametrize("paper", all_sample_papers(), ids=lambda p: p["paperId"][:8])
def test_every_real_paper_gives_a_contract_row(paper: dict[str, Any]) -> None:
    rows = rows_from_s2_paper(paper, is_seed=False)
    assert len(rows.papers) == 1
    row = rows.papers[0]
    assert set(row) == PAPER_KEYS
    assert row["paperId"] == paper["paperId"]
    # Empty strings never reach the graph: they would beat coalesce().
    assert all(v != "" for v in row.values())
    assert row["titleKey"] == normalise_title(paper["title"])
    assert row["doi"] is None or row["doi"] == row["doi"].lower()
    authored = [a["authorId"] for a in rows.authored]
    assert authored == [a["authorId"] for a in paper["authors"] if a.get("authorId")]
    assert [a["position"] for a in rows.authored] == list(range(len(authored)))
    for topic in rows.topics:
        assert topic["source"] == "s2-fos"
        assert topic["paperId"] == paper["paperId"]
    categories = {f["category"] for f in paper.get("s2FieldsOfStudy") or []}
    assert {t["name"] for t in rows.topics} == categories


def test_batch_nulls_fields_of_study_null_and_missing_external_ids() -> None:
    batch = sample("paper_batch__POST_paper_batch_with_null.json")
    assert batch[0] is None
    third = batch[3]
    assert third["fieldsOfStudy"] is None and third["s2FieldsOfStudy"]
    rows = rows_from_s2_paper(third, is_seed=True)
    row = rows.papers[0]
    # externalIds has no ArXiv key at all: absent means None, not an error.
    assert row["arxivId"] is None
    assert row["doi"] == "10.1257/rct.1355"
    assert row["corpusId"] == 255313304
    assert row["publicationDate"] is None and row["year"] == 2023
    assert row["openAccessPdf"] is None  # openAccessPdf: null
    assert row["venue"] is None  # venue: ""
    assert row["isSeed"] is True
    assert {t["name"] for t in rows.topics} == {"Environmental Science", "Business", "Economics"}
    # One source only (s2-fos-model) scores lower than a category both sources agree on.
    assert {t["score"] for t in rows.topics} == {0.5}
    second = rows_from_s2_paper(batch[1], is_seed=False)
    econ = next(t for t in second.topics if t["name"] == "Economics")
    assert econ["score"] == 1.0


def test_detail_tldr_doi_case_and_author_stats() -> None:
    paper = sample("paper_detail__GET_paper_id_all_fields.json")
    rows = rows_from_s2_paper(paper, is_seed=True, enriched_at="2026-01-01T00:00:00+00:00")
    row = rows.papers[0]
    assert row["doi"] == "10.1093/mind/lix.236.433"  # S2 sent it upper-case
    assert row["tldr"] and row["tldr"].startswith("If the meaning")
    assert row["venue"] == "The Philosophy of Artificial Intelligence"
    assert row["enrichedAt"] == "2026-01-01T00:00:00+00:00"
    assert rows.authors == [
        {
            "authorId": "2262347",
            "name": "A. Turing",
            "hIndex": 22,
            "citationCount": 13621,
            "paperCount": 57,
        }
    ]
    # Nested citations/references are not rows of this paper.
    assert rows.cites == []
    assert [v["name"] for v in rows.venues] == ["The Philosophy of Artificial Intelligence"]


def test_arxiv_paper_with_empty_pdf_url_and_arxiv_doi() -> None:
    data = sample("paper_search__GET_paper_search_all_fields.json")["data"]
    arxiv_only = next(p for p in data if p["paperId"].startswith("7cbc2a78"))
    assert arxiv_only["openAccessPdf"]["url"] == ""
    row = rows_from_s2_paper(arxiv_only, is_seed=False).papers[0]
    assert row["openAccessPdf"] is None
    assert row["arxivId"] == "2201.11990"
    llm = next(p for p in data if p["paperId"].startswith("66e35007"))
    rows = rows_from_s2_paper(llm, is_seed=False)
    assert rows.papers[0]["doi"] == "10.48550/arxiv.2503.23674"
    assert rows.papers[0]["arxivId"] == "2503.23674"
    # publicationVenue (curated, typed) wins over the free-text venue.
    assert rows.venues[0]["name"] == "arXiv.org"


def test_arxiv_id_is_read_from_the_arxiv_doi_when_the_key_is_absent() -> None:
    paper = {"paperId": "a" * 40, "externalIds": {"DOI": "10.48550/arXiv.2401.00001"}}
    assert rows_from_s2_paper(paper, is_seed=False).papers[0]["arxivId"] == "2401.00001"


def test_ref_fills_gaps_but_s2_values_win() -> None:
    data = sample("paper_search__GET_paper_search_all_fields.json")["data"]
    no_abstract = next(p for p in data if p["abstract"] is None)
    ref = PaperRef(
        title="page title",
        abstract="The page's abstract.",
        upvotes=42,
        organization="AI at Meta",
        organization_handle="facebook",
        arxiv_id="9999.99999",
    )
    rows = rows_from_s2_paper(no_abstract, is_seed=True, ref=ref)
    row = rows.papers[0]
    assert row["abstract"] == "The page's abstract."
    assert row["title"] == no_abstract["title"]
    assert row["hfUpvotes"] == 42
    assert rows.orgs == [{"key": "ai at meta", "name": "AI at Meta", "handle": "facebook"}]
    assert rows.submitted == [
        {"orgKey": "ai at meta", "paperId": no_abstract["paperId"], "handle": "facebook"}
    ]
    with_abstract = next(p for p in data if p["abstract"])
    assert (
        rows_from_s2_paper(with_abstract, is_seed=True, ref=ref).papers[0]["abstract"]
        == with_abstract["abstract"]
    )


def test_keyphrases_become_topics_without_duplicating_fields_of_study() -> None:
    paper = sample("paper_search_match__GET_paper_search_match_all_fields.json")["data"][0]
    rows = rows_from_s2_paper(
        paper,
        is_seed=True,
        keyphrases=[
            ("association rules", 0.9),
            ("Association  Rules", 0.95),
            ("computer science", 0.4),
            ("", 1.0),
        ],
    )
    keyphrase = [t for t in rows.topics if t["source"] == "keyphrase"]
    assert keyphrase == [
        {
            "paperId": paper["paperId"],
            "key": "association rules",
            "name": "Association  Rules",
            "source": "keyphrase",
            "score": 0.95,
        }
    ]
    fos = [t for t in rows.topics if t["source"] == "s2-fos"]
    assert [t["key"] for t in fos] == ["computer science"]


def test_unresolved_seed_without_paper_id_becomes_a_placeholder() -> None:
    ref = PaperRef(title="A Paper S2 Does Not Know", date=datetime.date(2025, 3, 4))
    rows = rows_from_s2_paper({"paperId": None, "title": "x"}, is_seed=True, ref=ref)
    assert rows.papers[0]["paperId"] == placeholder_paper_id("A Paper S2 Does Not Know")
    assert rows_from_s2_paper({"paperId": None}, is_seed=False) == GraphRows()


# Every field the loader asks S2 for a paper (its answer's keys: `embedding` for
# `embedding.specter_v2`), and `fieldsOfStudy`, which the topic rows fall back to.
ASKED_OF_S2 = sorted(
    {f.split(".")[0] for f in (*DETAIL_FIELDS, *EDGE_PAPER_FIELDS)} | {"fieldsOfStudy"}
)


@given(
    st.dictionaries(
        st.sampled_from(ASKED_OF_S2),
        st.one_of(
            st.none(),
            st.text(max_size=5),
            st.integers(),
            st.booleans(),
            st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=3),
            st.dictionaries(st.text(max_size=3), st.one_of(st.none(), st.text(max_size=3))),
        ),
    )
)
def test_odd_values_never_crash_the_builder(paper: dict[str, Any]) -> None:
    rows = rows_from_s2_paper(paper, is_seed=False)
    for row in rows.papers:
        assert set(row) == PAPER_KEYS
        assert all(v != "" for v in row.values())


# --- refs, authors, edges --------------------------------------------------------


def test_rows_from_ref_is_a_seed_placeholder_with_page_metadata() -> None:
    ref = PaperRef(
        title="Scaling Monosemanticity",
        abstract="We find features.",
        date=datetime.date(2025, 12, 19),
        upvotes=7,
        organization="Anthropic",
        organization_handle="anthropic",
        arxiv_id="2512.17351v2",
        doi="10.1/ABC",
        source="hf-page:x.txt:3",
    )
    rows = rows_from_ref(ref, keyphrases=[("monosemanticity", 0.8)])
    (row,) = rows.papers
    assert row["paperId"] == placeholder_paper_id("Scaling Monosemanticity")
    assert row["titleKey"] == "scaling monosemanticity"
    assert row["isSeed"] is True
    assert row["arxivId"] == "2512.17351"
    assert row["doi"] == "10.1/abc"
    assert row["publicationDate"] == "2025-12-19" and row["year"] == 2025
    assert row["hfUpvotes"] == 7
    assert rows.topics[0]["source"] == "keyphrase"
    assert rows.submitted[0]["orgKey"] == org_key("Anthropic")


def test_ref_without_title_falls_back_to_its_ids() -> None:
    a = rows_from_ref(PaperRef(title=None, arxiv_id="2401.00001"))
    b = rows_from_ref(PaperRef(title=None, arxiv_id="arXiv:2401.00001v3"))
    assert a.papers[0]["paperId"] == b.papers[0]["paperId"]
    assert a.papers[0]["paperId"].startswith("title:")
    assert rows_from_ref(PaperRef(title=None, s2_id="b" * 40)).papers[0]["paperId"] == "b" * 40
    with pytest.raises(ValueError, match="no title and no id"):
        rows_from_ref(PaperRef(title=None, source="ids:list.txt:4"))


def test_author_batch_with_null_and_full_fields() -> None:
    rows = rows_from_s2_authors(sample("author_batch__POST_author_batch_with_null.json"))
    assert [a["authorId"] for a in rows.authors] == ["3234559", "1726629", "1711844"]
    assert all(a["hIndex"] is None for a in rows.authors)
    full = rows_from_s2_authors(sample("author_batch__POST_author_batch_all_fields.json"))
    assert [a["hIndex"] for a in full.authors] == [42, 52, 57]
    assert full.orgs == [] and full.affiliated == []
    with_aff = rows_from_s2_authors(
        [{"authorId": "1", "name": "X", "affiliations": ["Univ. of Oxford", "", None]}]
    )
    assert with_aff.orgs == [{"key": "univ of oxford", "name": "Univ. of Oxford", "handle": None}]
    assert with_aff.affiliated == [{"authorId": "1", "orgKey": "univ of oxford"}]


def test_reference_page_items_give_neighbour_and_cites() -> None:
    page = sample("paper_references__GET_paper_id_references_rich_fields.json")
    seed = "f" * 40
    rows = GraphRows()
    for item in page["data"]:
        rows.extend(rows_from_s2_edge(item, paper_id=seed, direction="references"))
    assert len(rows.cites) == len(page["data"])
    assert all(c["citing"] == seed and c["source"] == "s2-api" for c in rows.cites)
    assert [c["cited"] for c in rows.cites] == [i["citedPaper"]["paperId"] for i in page["data"]]
    assert all(p["isSeed"] is False for p in rows.papers)
    with_intents = [c for c in rows.cites if c["intents"]]
    assert with_intents, "the sample keeps one item with intents"


def test_citation_item_points_at_the_paper_and_keeps_intents() -> None:
    item = sample("paper_citations__data_item_fixture.json")
    rows = rows_from_s2_edge(item, paper_id="seed", direction="citations")
    (cite,) = rows.cites
    assert cite["cited"] == "seed"
    assert cite["citing"] == item["citingPaper"]["paperId"]
    assert cite["isInfluential"] is True
    assert cite["intents"] == ["result", "background", "methodology"]
    # contextsWithIntent pairs each citing sentence with its own intents.
    assert cite["contexts"] == [c["context"] for c in item["contextsWithIntent"]]
    assert cite["contextIntents"] == [",".join(c["intents"]) for c in item["contextsWithIntent"]]


def test_unresolved_bibliography_entry_gives_no_rows() -> None:
    item = {"citedPaper": {"paperId": None, "title": "Some old book"}, "isInfluential": False}
    assert rows_from_s2_edge(item, paper_id="p", direction="references") == GraphRows()


def test_cites_rows_and_graph_rows_extend() -> None:
    row = cites_rows(
        "a", "b", is_influential=None, intents=["background", "background", ""], source="x"
    )
    assert row == {
        "citing": "a",
        "cited": "b",
        "isInfluential": None,
        "intents": ["background"],
        "contexts": None,
        "contextIntents": None,
        "source": "x",
    }
    rows = GraphRows(cites=[row])
    rows.extend(GraphRows(cites=[row], papers=[{"paperId": "a"}]))
    assert rows.sizes()["cites"] == 2 and rows.sizes()["papers"] == 1
    assert len(rows) == 3


def test_embeddings_from_the_recorded_shape() -> None:
    # The recorded detail carries S2's default SPECTER v1 vector: same length,
    # another space, so it is not stored; the same object as specter_v2 is.
    paper = sample("paper_detail__GET_paper_id_all_fields.json")
    assert paper["embedding"]["model"] == "specter_v1"
    assert len(paper["embedding"]["vector"]) == EMBEDDING_DIMENSIONS
    assert rows_from_s2_paper(paper, is_seed=True).embeddings == []
    v2 = {**paper, "embedding": {**paper["embedding"], "model": "specter_v2"}}
    (row,) = rows_from_s2_paper(v2, is_seed=True).embeddings
    assert row == {
        "paperId": paper["paperId"],
        "vector": [float(x) for x in paper["embedding"]["vector"]],
        "model": "specter_v2",
    }
    # The Datasets layout: the vector as the text of a JSON list.
    text = {"vector": json.dumps(paper["embedding"]["vector"]), "model": "specter_v2"}
    assert embedding_row("p", text) == {**row, "paperId": "p"}
    assert embedding_row("p", None) is None
    assert embedding_row("p", {"vector": [1.0] * (EMBEDDING_DIMENSIONS - 1)}) is None
