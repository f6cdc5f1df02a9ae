"""recommend through the API on a SYNTHETIC corpus with known communities.

``citekb synth`` (3,000 papers, embeddings, sibling fields citing each other)
is loaded through the bulk path; a paper's community is its synthetic field
of study, and each field's nearest other community is its sibling
(:data:`loaders.synth.SIBLINGS`). From 5 positive seeds of one field the top
20 must hold at least 16 of that field; 5 negative seeds from the sibling
field must lower the sibling's share (read on the longest list the API gives,
50, since in the top 20 it is often zero already); every score is the sum of
its signals.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.bulk_load import load_datasets_dir
from loaders.synth import SIBLINGS, SynthConfig, generate, synthetic_paper_id
from tests.integration.api.api_support import Api, running_api
from tests.integration.conftest import Neo4jHandle

QUERY = """
query($pos: [ID!]!, $neg: [ID!], $first: Int) {
  recommend(positive: $pos, negative: $neg, first: $first) {
    papers { paperId score signals { pagerank coCitation coupling embedding negative missing } }
  }
}
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    out = tmp_path_factory.mktemp("synth-communities")
    generate(SynthConfig(papers=3000, seed=3, embeddings=True, sibling_field=0.15), out)
    field: dict[str, str] = {}
    for line in (out / "papers.jsonl").read_text().splitlines():
        record = json.loads(line)
        model = [f for f in record["s2fieldsofstudy"] if f["source"] == "s2-fos-model"]
        field[record["paperId"]] = model[0]["category"]
    return out, field


@pytest.fixture(scope="module")
def loaded(
    corpus: tuple[Path, dict[str, str]], session_driver: Driver, neo4j: Neo4jHandle
) -> Iterator[Settings]:
    db = neo4j.settings.neo4j_database
    graph_store.clear_data(session_driver, db)
    load_datasets_dir(session_driver, corpus[0], db)
    yield neo4j.settings


@pytest.fixture(scope="module")
async def api(loaded: Settings) -> AsyncIterator[Api]:
    async with running_api(loaded) as harness:
        yield harness


async def test_recommend_keeps_to_the_seeds_community_and_negatives_push_the_sibling_out(
    api: Api, corpus: tuple[Path, dict[str, str]]
) -> None:
    out, field = corpus
    degree: Counter[str] = Counter()
    for line in (out / "citations.jsonl").read_text().splitlines():
        record = json.loads(line)
        for key in ("citingcorpusid", "citedcorpusid"):
            degree[synthetic_paper_id(3, int(record[key]))] += 1
    sibling_before = sibling_after = 0
    for draw in range(2):
        rng = random.Random(draw)
        for target, sibling in SIBLINGS[:4]:
            pool = sorted(p for p, f in field.items() if f == target and degree.get(p, 0) >= 5)
            near = sorted(p for p, f in field.items() if f == sibling and degree.get(p, 0) >= 5)
            positive, negative = rng.sample(pool, 5), rng.sample(near, 5)
            top20 = (await api.data(QUERY, {"pos": positive, "first": 20}))["recommend"]["papers"]
            assert sum(field[p["paperId"]] == target for p in top20) >= 16, (target, draw)
            plain = (await api.data(QUERY, {"pos": positive, "first": 50}))["recommend"]["papers"]
            pushed = (await api.data(QUERY, {"pos": positive, "neg": negative, "first": 50}))[
                "recommend"
            ]["papers"]
            for p in [*top20, *plain, *pushed]:
                s = p["signals"]
                total = s["pagerank"] + s["coCitation"] + s["coupling"] + s["embedding"]
                assert total + s["negative"] == pytest.approx(p["score"], abs=1e-9)
                assert s["missing"] == []  # every synthetic paper has a vector
            before = sum(field[p["paperId"]] == sibling for p in plain)
            after = sum(field[p["paperId"]] == sibling for p in pushed)
            assert after <= before, (target, draw)
            if before:
                assert after < before, (target, draw)
            sibling_before += before
            sibling_after += after
    assert sibling_before > 0, "the sibling field must show up without negatives"
    assert sibling_after < sibling_before
