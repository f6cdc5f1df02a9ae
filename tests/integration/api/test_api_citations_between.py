"""``citationsBetween``: the citations between a paper and others, either way, with their
intents and citing sentences (the explorer's details panel asks it).

Expectations are computed from the SYNTHETIC API graph's definition
(:mod:`tests.integration.api.api_graph`: paper i cites the 12 papers before it; every
fourth citation has a citing sentence), not hard-coded.
"""

from __future__ import annotations

from typing import Any

from tests.integration.api import api_graph as g
from tests.integration.api.api_support import Api

QUERY = """query($id: ID!, $others: [ID!]!) {
  citationsBetween(id: $id, others: $others) {
    citing cited isInfluential intents contexts { text intents }
  }
}"""


def expected(i: int, others: list[int]) -> list[dict[str, Any]]:
    """Every citation between paper i and the others, either way, as the API words it."""
    links = []
    for o in others:
        for citing, cited in ((i, o), (o, i)):
            if cited in g.PAPERS[citing].references:
                links.append(
                    {
                        "citing": g.PAPERS[citing].paper_id,
                        "cited": g.PAPERS[cited].paper_id,
                        "isInfluential": g.influential(citing, cited),
                        "intents": g.intents(citing, cited),
                        "contexts": [
                            {"text": text, "intents": intents}
                            for text, intents in g.contexts(citing, cited)
                        ],
                    }
                )
    return sorted(links, key=lambda link: (link["citing"], link["cited"]))


async def test_citations_between_either_way_with_contexts(api: Api) -> None:
    # Paper 20 cites 12 (with a sentence) and 14; 25 and 30 cite 20; 39 and 20 are unlinked.
    others = [12, 14, 25, 30, 39]
    given = [f"arXiv:{g.PAPERS[12].arxiv_id}", g.PAPERS[14].paper_id, g.PAPERS[25].paper_id,
             f"CorpusId:{g.PAPERS[30].corpus_id}", g.PAPERS[39].paper_id]  # fmt: skip
    data = await api.data(QUERY, {"id": f"arXiv:{g.PAPERS[20].arxiv_id}", "others": given})
    links = data["citationsBetween"]
    assert links == expected(20, others)
    assert {(link["citing"], link["cited"]) for link in links} == {
        (g.PAPERS[20].paper_id, g.PAPERS[12].paper_id),
        (g.PAPERS[20].paper_id, g.PAPERS[14].paper_id),
        (g.PAPERS[25].paper_id, g.PAPERS[20].paper_id),
        (g.PAPERS[30].paper_id, g.PAPERS[20].paper_id),
    }
    assert any(link["contexts"] for link in links), "the graph gives 20 -> 12 a sentence"


async def test_citations_between_unknown_and_bad_ids(api: Api) -> None:
    # Unknown papers have no citations; the paper itself among the others is ignored.
    known = g.PAPERS[20].paper_id
    data = await api.data(QUERY, {"id": "f" * 40, "others": [known]})
    assert data["citationsBetween"] == []
    data = await api.data(QUERY, {"id": known, "others": [known, "CorpusId:1"]})
    assert data["citationsBetween"] == []
    for variables in (
        {"id": "not an id", "others": [known]},
        {"id": known, "others": ["DOI:"]},
        {"id": known, "others": []},
        {"id": known, "others": [f"{i:040x}" for i in range(101)]},  # at most 100
    ):
        body = await api.post(QUERY, variables)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (variables, error)
