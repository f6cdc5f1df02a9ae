"""The benchmark scripts still import, parse their arguments and find their files.

Speed itself is measured in bench/ (see bench/BENCHMARKS.md), never here.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from graphql import parse

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
