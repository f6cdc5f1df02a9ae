"""Keyphrase topics: normalisation, stoplists, scores, and topics shared on the sample page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders import rows, topics
from loaders.daily_papers import parse_daily_page_file
from loaders.topics import (
    BROAD_WORDS,
    GENERIC_WORDS,
    STOP_PHRASES,
    keyphrase_topics,
    normalise_phrase,
    topic_key,
)

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hf-daily-papers-pretraining.txt"


@pytest.fixture(scope="module")
def sample_topics() -> list[list[tuple[str, float]]]:
    return [keyphrase_topics(r.title or "", r.abstract) for r in parse_daily_page_file(SAMPLE)]


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("Language Models", "language model"),
        ("large language models", "large language model"),
        ("LLMs", "large language model"),
        ("Scaling Laws", "scaling law"),
        ("pre-training", "pretraining"),
        ("Pre-Training", "pretraining"),
        ("pretraining", "pretraining"),
        ("fine-tuning", "fine tuning"),
        ("finetuning", "fine tuning"),
        ("multi-modal   pre-training strategies", "multimodal pretraining strategy"),
        ("large-scale datasets", "large scale dataset"),
        ("novel training approaches", "training approach"),
        ("Advancing Math Reasoning", "math reasoning"),
        ("data analysis", "data analysis"),
        ("quantum physics", "quantum physics"),
        ("attention mechanisms", "attention mechanism"),
        ("classes", "class"),
        ("approaches", "approach"),
        ("Mamba2/GDN", "mamba2 gdn"),
        ("proposed", ""),
    ],
)
def test_normalise_phrase(phrase: str, name: str) -> None:
    assert normalise_phrase(phrase) == name


def test_topic_key_is_the_rows_one() -> None:
    assert topics.topic_key is rows.topic_key
    # Spelling variants that normalise together share one key.
    assert topic_key(normalise_phrase("Pre-trained Models")) == topic_key(
        normalise_phrase("pretrained model")
    )


def test_sample_papers_share_topics(sample_topics: list[list[tuple[str, float]]]) -> None:
    counts = Counter(name for paper in sample_topics for name, _ in paper)
    assert counts["pretraining"] >= 8
    assert counts["language model"] >= 5
    assert counts["large language model"] >= 5
    assert counts["scaling law"] >= 2
    assert counts["reinforcement learning"] >= 3
    names = set(counts)
    # Hyphenated and closed spellings never survive as separate topics.
    assert not any("pre training" in n or "-" in n for n in names)
    assert not any(n.endswith(("models", "laws", "llms")) for n in names)


def test_generic_phrases_are_filtered(sample_topics: list[list[tuple[str, float]]]) -> None:
    names = {name for paper in sample_topics for name, _ in paper}
    assert not names & STOP_PHRASES
    assert not names & BROAD_WORDS
    assert not any(all(w in GENERIC_WORDS for w in n.split()) for n in names)
    assert not any("http" in n or "github" in n for n in names)
    assert {"paper", "approach", "result", "method", "model", "large", "we propose"}.isdisjoint(
        names
    )


def test_scores_and_order(sample_topics: list[list[tuple[str, float]]]) -> None:
    for paper in sample_topics:
        assert 1 <= len(paper) <= 5
        scores = [s for _, s in paper]
        assert all(0 < s <= 1 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert len({n for n, _ in paper}) == len(paper)


def test_deterministic_and_k() -> None:
    title = "Scaling Data-Constrained Language Models"
    abstract = (
        "The current trend of scaling language models involves increasing both parameter "
        "count and training dataset size. We run a large set of experiments varying the "
        "extent of data repetition and compute budget. Code: https://github.com/x/y."
    )
    first = keyphrase_topics(title, abstract, k=4)
    assert first == keyphrase_topics(title, abstract, k=4)
    assert len(first) == 4
    assert keyphrase_topics(title, abstract, k=2) == first[:2]
    assert keyphrase_topics(title, abstract, k=0) == []
    assert keyphrase_topics("", None) == []
    assert keyphrase_topics("   ", "  ") == []
    assert keyphrase_topics(title, None)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120), st.one_of(st.none(), st.text(max_size=400)), st.integers(0, 8))
def test_arbitrary_text(title: str, abstract: str | None, k: int) -> None:
    found = keyphrase_topics(title, abstract, k=k)
    assert len(found) <= k
    assert all(0 < s <= 1 and name == name.strip() and name for name, s in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_no_sample_paper_carries_near_copies(
    sample_topics: list[list[tuple[str, float]]],
) -> None:
    # Issue 15: "scaling law", "scaling law principle", "original scaling law"...
    # on one paper; a phrase plus only generic words is a near-copy.
    for names in ([n for n, _ in paper] for paper in sample_topics):
        assert topics.near_copy_pairs(names) == []
        assert not set(names) & topics.GENERIC_HEADS


def test_the_scaling_laws_paper_has_one_scaling_law_topic() -> None:
    ref = next(
        r for r in parse_daily_page_file(SAMPLE) if "Mystery of Scaling Laws" in (r.title or "")
    )
    names = [n for n, _ in keyphrase_topics(ref.title or "", ref.abstract)]
    assert [n for n in names if "scaling law" in n] == ["scaling law"]
    assert "law" not in names


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("scaling law paper", "scaling law"),
        ("Scaling-law formulas", "scaling law"),
        ("original scaling laws", "scaling law"),
        ("low-rank approach", "low rank"),
        ("pretraining approach", "pretraining approach"),
    ],
)
def test_fillers_are_cut_so_spellings_meet_across_the_graph(phrase: str, name: str) -> None:
    assert normalise_phrase(phrase) == name


def test_a_term_modifier_keeps_the_term_and_drops_the_fragment() -> None:
    kept = topics.collapse_near_copies(
        {"language model": 0.1, "large language model": 0.3, "small language model": 0.2}
    )
    assert kept == {"large language model": 0.1, "small language model": 0.2}
    # A real qualifier is no near-copy: both stay.
    assert topics.near_copy_pairs(["language model", "neural language model"]) == []
