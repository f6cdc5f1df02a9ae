"""The benchmark scripts still import, parse their arguments and find their files.

Speed itself is measured in bench/ (see bench/BENCHMARKS.md), never here.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, parse

import cypher

# bench/ is run from the checkout (`python -m bench.x`), not installed: put
# the repository root on the path the way `python -m` does.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MODULES = ("bench.ingest", "bench.api", "bench.analytics", "bench.spark_check")


@pytest.mark.parametrize("name", MODULES)
def test_bench_module_parses_its_arguments(name: str) -> None:
    module = importlib.import_module(name)
    defaults = module.parse_args([])
    assert defaults.papers == module.DEFAULT_PAPERS
    assert module.parse_args(["--papers", "100000"]).papers == 100_000
    with pytest.raises(SystemExit):
        module.parse_args(["--papers", "many"])


def test_baseline_and_sampling_cypher_are_shipped() -> None:
    assert cypher.header("bench/naive_paper").params == ["row", "loadedAt"]
    assert cypher.header("bench/naive_cites").params == ["row"]
    assert cypher.header("bench/api_sample_papers").params == ["limit"]


def test_every_query_of_the_mix_has_a_parsable_document() -> None:
    api = importlib.import_module("bench.api")
    for name, (candidates, _variables) in api.QUERIES.items():
        found = [c for c in candidates if (api.GRAPHQL_DIR / f"{c}.graphql").exists()]
        for cand in found:
            parse(api.document(cand))
        assert found, name


def test_cites_plan_parses_its_arguments() -> None:
    module = importlib.import_module("bench.cites_plan")
    assert module.parse_args(["--cites", "100"]).cites == 100


def test_compared_queries_validate_against_citekbs_schema() -> None:
    """bench.api's peer table sends these documents to citekb: they must be valid there."""
    from graphql import build_schema, validate

    peer = importlib.import_module("bench.peer")
    documents = importlib.import_module("bench.documents")
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    for q in peer.COMPARED:
        doc = documents.document(q.document)
        assert validate(schema, parse(doc)) == [], q.document
        parse(documents.document(q.document, documents.PEER_GRAPHQL_DIR))


def test_a_document_gets_the_fragments_it_spreads_and_no_others(tmp_path: Path) -> None:
    documents = importlib.import_module("bench.documents")
    (tmp_path / "fragments.graphql").write_text(
        "fragment A on T { a ...B }\nfragment B on T { b }\nfragment C on T { c }\n",
        encoding="utf-8",
    )
    (tmp_path / "q.graphql").write_text("{ t { ...A ... on T { d } } }\n", encoding="utf-8")
    (tmp_path / "plain.graphql").write_text("{ t { d } }\n", encoding="utf-8")
    doc = documents.document("q", tmp_path)
    names = [d.name.value for d in parse(doc).definitions if isinstance(d, FragmentDefinitionNode)]
    assert names == ["A", "B"]
    assert documents.document("plain", tmp_path) == "{ t { d } }\n"


def test_both_servers_forms_of_a_compared_query_select_the_same_fields() -> None:
    """The fragments keep the citekb and peer documents one logical query: after
    expansion both ask the listed paper's and the citation's same fields."""
    peer = importlib.import_module("bench.peer")
    documents = importlib.import_module("bench.documents")
    for q in peer.COMPARED:
        ours = documents.document(q.document)
        theirs = documents.document(q.document, documents.PEER_GRAPHQL_DIR)
        for field in ("isInfluential", "intents", "year", "hIndex"):
            assert (field in ours) == (field in theirs), (q.document, field)


def test_peer_type_definitions_read_properties_citekb_writes() -> None:
    """The peer's typeDefs mirror citekb's model: every property it reads is one a loader writes."""
    import re

    peer = importlib.import_module("bench.peer")
    type_defs = (peer.PEER_DIR / "typeDefs.graphql").read_text(encoding="utf-8")
    written = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cypher").rglob("*.cypher"))
    scalars = re.findall(r"^\s+(\w+): (?:String|Int|Float|Boolean|\[String!\])!?$", type_defs, re.M)
    assert {"paperId", "citationCount", "isInfluential", "intents", "position"} <= set(scalars)
    for name in scalars:
        assert re.search(rf"\b{name}\b", written), name
    for rel in re.findall(r'type: "(\w+)"', type_defs):
        assert f":{rel}" in written, rel


def test_response_cache_switch_follows_the_settings_field() -> None:
    from pydantic import BaseModel

    peer = importlib.import_module("bench.peer")

    class NoCache(BaseModel):
        api_workers: int = 1

    class FlagCache(BaseModel):
        api_response_cache: bool = True

    class SizedCache(BaseModel):
        api_response_cache_bytes: int = 0

    assert peer.response_cache_envs(NoCache()) is None
    assert peer.response_cache_envs(FlagCache()) == {
        "off": {"API_RESPONSE_CACHE": "false"},
        "on": {"API_RESPONSE_CACHE": "true"},
    }
    sized = peer.response_cache_envs(SizedCache())
    assert sized["off"] == {"API_RESPONSE_CACHE_BYTES": "0"}
    assert int(sized["on"]["API_RESPONSE_CACHE_BYTES"]) > 0


def test_peer_figures_are_medians_of_the_rounds() -> None:
    peer = importlib.import_module("bench.peer")
    runs = [
        {"p50Ms": p, "p95Ms": p, "p99Ms": 2 * p, "rps": 100 / p, "requests": 10, "errors": e}
        for p, e in ((1.0, 0), (3.0, 1), (2.0, 0))
    ]
    s = peer.summarise(runs)
    assert (s["p50Ms"], s["p99Ms"], s["rps"]) == (2.0, 4.0, 50.0)
    assert (s["requests"], s["errors"]) == (30, 1)
