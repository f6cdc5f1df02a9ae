"""Citation contexts from S2's recorded shapes round-trip through CITES and GraphQL, and a
lineage over influential citations on a hand-made graph gives the hand-worked main path.

The references page and the citation item are REAL recorded S2 bodies
(tests/fakes/s2_recorded); the lineage graph is hand-made (SYNTHETIC).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import write_rows
from loaders.rows import GraphRows, cites_rows, rows_from_s2_edge
from tests.integration.api.api_support import Api, running_api
from tests.integration.conftest import Neo4jHandle

SAMPLES = Path(__file__).resolve().parents[2] / "fakes" / "s2_recorded"
SEED = "f" * 40  # the paper whose references page was recorded (its id stands in)
CITED = "e" * 40  # the paper the recorded citation item cites

# Hand-made lineage graph: ids, years; (citing, cited, influential, intents).
YEARS = {"a": 2010, "b": 2012, "c": 2013, "d": 2015, "e": 2016}
EDGES = [
    ("b", "a", True, []),
    ("c", "a", False, ["methodology"]),
    ("d", "b", True, []),
    ("d", "c", False, ["methodology"]),
    ("e", "d", True, ["methodology"]),
    ("e", "c", True, []),
]


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def hand_id(name: str) -> str:
    """An S2-shaped (40-hex) id for a hand-made paper."""
    return hashlib.sha1(f"hand-made-{name}".encode(), usedforsecurity=False).hexdigest()


def graph() -> GraphRows:
    rows = GraphRows()
    rows.papers.append({"paperId": SEED, "title": "[synthetic] seed of the recorded page"})
    rows.papers.append({"paperId": CITED, "title": "[synthetic] cited by the recorded item"})
    for item in sample("paper_references__GET_paper_id_references_rich_fields.json")["data"]:
        rows.extend(rows_from_s2_edge(item, paper_id=SEED, direction="references"))
    item = sample("paper_citations__data_item_fixture.json")
    rows.extend(rows_from_s2_edge(item, paper_id=CITED, direction="citations"))
    for name, year in YEARS.items():
        rows.papers.append(
            {
                "paperId": hand_id(name),
                "title": f"[synthetic] {name}",
                "year": year,
                "synthetic": True,
            }
        )
    for citing, cited, influential, intents in EDGES:
        rows.cites.append(
            cites_rows(
                hand_id(citing),
                hand_id(cited),
                is_influential=influential,
                intents=intents,
                source="synthetic",
            )
        )
    return rows


@pytest.fixture(scope="module")
def contexts_graph(session_driver: Driver, neo4j: Neo4jHandle) -> Iterator[Settings]:
    db = neo4j.settings.neo4j_database
    graph_store.clear_data(session_driver, db)
    write_rows(session_driver, graph(), database=db, source="synthetic:contexts-tests")
    yield neo4j.settings


@pytest.fixture(scope="module")
async def contexts_api(contexts_graph: Settings) -> AsyncIterator[Api]:
    async with running_api(contexts_graph) as harness:
        yield harness


EDGE_FIELDS = "isInfluential intents contexts { text intents } node { paperId }"


async def test_recorded_contexts_and_intents_round_trip(contexts_api: Api) -> None:
    data = await contexts_api.data(
        f"""
        query($seed: ID!, $cited: ID!) {{
          seed: paper(id: $seed) {{ references(first: 50) {{ edges {{ {EDGE_FIELDS} }} }} }}
          cited: paper(id: $cited) {{ citations(first: 50) {{ edges {{ {EDGE_FIELDS} }} }} }}
          method: paper(id: $cited) {{
            citations(first: 50, intent: METHODOLOGY) {{ totalCount }}
          }}
          none: paper(id: $seed) {{ references(first: 50, intent: METHODOLOGY) {{ totalCount }} }}
        }}
        """,
        {"seed": SEED, "cited": CITED},
    )
    page = sample("paper_references__GET_paper_id_references_rich_fields.json")["data"]
    by_id = {e["node"]["paperId"]: e for e in data["seed"]["references"]["edges"]}
    assert set(by_id) == {i["citedPaper"]["paperId"] for i in page}
    for item in page:
        edge = by_id[item["citedPaper"]["paperId"]]
        assert edge["isInfluential"] == item["isInfluential"]
        assert edge["intents"] == item["intents"]
        assert edge["contexts"] == [
            {"text": c["context"], "intents": c["intents"]} for c in item["contextsWithIntent"]
        ]
    assert any(e["contexts"] for e in by_id.values()), "the page keeps one item with contexts"
    item = sample("paper_citations__data_item_fixture.json")
    (edge,) = data["cited"]["citations"]["edges"]
    assert edge["node"]["paperId"] == item["citingPaper"]["paperId"]
    assert edge["intents"] == item["intents"]
    assert edge["contexts"] == [
        {"text": c["context"], "intents": c["intents"]} for c in item["contextsWithIntent"]
    ]
    assert data["method"]["citations"]["totalCount"] == 1  # its intents name methodology
    # The recorded page's one item with intents says 'background' only.
    assert data["none"]["references"]["totalCount"] == 0


LINEAGE = """
query($id: ID!, $edges: LineageEdges!) {
  lineage(id: $id, direction: ANCESTORS, depth: 3, edges: $edges) {
    nodes { paperId depth }
    mainPath { paperIds spc }
  }
}
"""


async def test_lineage_over_influential_citations_hand_worked(contexts_api: Api) -> None:
    async def run(edges: str) -> dict[str, Any]:
        data = await contexts_api.data(LINEAGE, {"id": hand_id("e"), "edges": edges})
        lin: dict[str, Any] = data["lineage"]
        return lin

    # All citations: paths e-d-b-a, e-d-c-a, e-c-a. SPC (from sources x to sinks):
    # (e,d) 1x2, (d,c) 1x1, (c,a) 2x1, (e,c) 1x1, (d,b) 1x1, (b,a) 1x1, so the
    # main path e-d-c-a totals 5 against e-d-b-a's 4.
    everything = await run("ALL")
    assert everything["mainPath"]["paperIds"] == [hand_id(x) for x in "acde"]
    assert everything["mainPath"]["spc"] == [2, 1, 2]
    # Influential only: c->a and d->c drop out, so a is three hops away through
    # b and the main path is e-d-b-a (each edge 1 path) over e-c.
    infl = await run("INFLUENTIAL")
    assert {n["paperId"]: n["depth"] for n in infl["nodes"]} == {
        hand_id("e"): 0, hand_id("c"): 1, hand_id("d"): 1, hand_id("b"): 2, hand_id("a"): 3
    }  # fmt: skip
    assert infl["mainPath"]["paperIds"] == [hand_id(x) for x in "abde"]
    assert infl["mainPath"]["spc"] == [1, 1, 1]
    # Methodology only: e->d, d->c, c->a.
    method = await run("METHODOLOGY")
    assert method["mainPath"]["paperIds"] == [hand_id(x) for x in "acde"]
    assert sorted(n["paperId"] for n in method["nodes"]) == sorted(hand_id(x) for x in "acde")
