"""``citekb collection save|list`` through the command line (typer's runner) on a real Neo4j.

The graph is the SYNTHETIC API test graph (tests/integration/api/api_graph.py):
even-numbered papers have arXiv ids, every third a DOI, all a CorpusId, so a
seed can be named in every id form the command promises to take. What the
command says is checked against what the graph then holds, read back through
``collection list`` and through the stored ``Collection`` node.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver
from typer.testing import CliRunner, Result

import cypher
from graph_api.cli.main import app
from graph_api.settings import Settings, get_settings
from loaders.graph_writer import write_rows
from tests.integration.api.api_graph import PAPERS, graph_rows
from tests.integration.api.api_support import running_api

BY_ARXIV = next(p for p in PAPERS if p.arxiv_id and p.doi)  # even and a multiple of 3
OTHER = next(p for p in PAPERS if p.arxiv_id is None and p.doi is None)
UNKNOWN = "0" * 40  # a well-formed S2 id no paper of the graph has
SEEDS_101 = [f"{i:040x}" for i in range(1, 102)]


@pytest.fixture
def cli(
    driver: Driver, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """The runner against an empty graph holding only the synthetic API papers."""
    assert neo4j_settings.neo4j_uri
    write_rows(
        driver, graph_rows(), database=neo4j_settings.neo4j_database, source="synthetic:api-tests"
    )
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.neo4j_uri)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, ["collection", *args])


def said(result: Result) -> str:
    """The output with rich's line wrapping (at the runner's 80 columns) undone."""
    return " ".join(result.output.split())


def listed(cli: CliRunner) -> dict[str, list[str]]:
    """``collection list`` parsed: name -> seeds, checking the count it prints."""
    result = run(cli, "list")
    assert result.exit_code == 0, result.output
    out: dict[str, list[str]] = {}
    for line in result.output.splitlines():
        if not line.strip() or line.startswith("no collections"):
            continue
        name, count, seeds = line.split("\t")
        out[name] = seeds.split()
        assert count == f"{len(out[name])} seeds", line
    return out


def stored(driver: Driver, settings: Settings) -> dict[str, list[str]]:
    """The Collection nodes as the API reads them (not through the command's output)."""
    records, _, _ = driver.execute_query(
        cypher.statement("read/api/collections"), {"names": None}, database_=settings.neo4j_database
    )
    return {r["name"]: list(r["seeds"]) for r in records}


def test_save_takes_every_id_form_and_list_shows_it(
    cli: CliRunner, driver: Driver, neo4j_settings: Settings
) -> None:
    assert listed(cli) == {}
    assert "no collections" in run(cli, "list").output
    forms = [
        f"arXiv:{BY_ARXIV.arxiv_id}",
        f"https://arxiv.org/abs/{BY_ARXIV.arxiv_id}v2",  # the same paper again: kept once
        f"https://doi.org/{BY_ARXIV.doi}",
        OTHER.paper_id,
        f"CorpusId:{PAPERS[5].corpus_id}",
    ]
    saved = run(cli, "save", "  my   papers ", *forms)
    assert saved.exit_code == 0, saved.output
    want = [BY_ARXIV.paper_id, OTHER.paper_id, PAPERS[5].paper_id]
    assert saved.output.strip() == "collection 'my papers' saved: 3 seeds"
    assert listed(cli) == {"my papers": want} == stored(driver, neo4j_settings)


def test_saving_a_name_again_replaces_its_seeds_and_says_so(
    cli: CliRunner, driver: Driver, neo4j_settings: Settings
) -> None:
    assert run(cli, "save", "mine", PAPERS[1].paper_id, PAPERS[2].paper_id).exit_code == 0
    assert run(cli, "save", "other", PAPERS[3].paper_id).exit_code == 0
    again = run(cli, "save", "mine", PAPERS[4].paper_id)
    assert again.exit_code == 0, again.output
    assert again.output.strip() == "collection 'mine' replaced: 1 seed (it had 2)"
    assert listed(cli) == {"mine": [PAPERS[4].paper_id], "other": [PAPERS[3].paper_id]}
    assert stored(driver, neo4j_settings) == listed(cli)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["mine", UNKNOWN], f"not in the graph (load them first): {UNKNOWN}"),
        (["mine", "arXiv:12.34"], "arXiv:12.34"),
        (["mine", "Attention is all you need"], "Attention is all you need"),
        (["   ", PAPERS[1].paper_id], "a collection needs a name"),
        (["x" * 101, PAPERS[1].paper_id], "at most 100 characters"),
        (["tab\x07name", PAPERS[1].paper_id], "printable"),
        (["mine", *SEEDS_101], "101 seeds; a collection has at most 100"),
    ],
    ids=["unknown id", "malformed id", "a title", "blank name", "long name", "control char",
         "101 seeds"],
)  # fmt: skip
def test_bad_input_is_one_clear_error_and_changes_nothing(
    cli: CliRunner, driver: Driver, neo4j_settings: Settings, args: list[str], says: str
) -> None:
    assert run(cli, "save", "mine", PAPERS[1].paper_id).exit_code == 0
    before = stored(driver, neo4j_settings)
    result = run(cli, "save", *args)
    assert result.exit_code == 1, result.output
    assert said(result).startswith("error: ") and says in said(result), result.output
    assert "Traceback" not in result.output
    assert stored(driver, neo4j_settings) == before


def test_every_bad_id_is_named_in_one_error(cli: CliRunner) -> None:
    result = run(cli, "save", "mine", "arXiv:12.34", PAPERS[1].paper_id, "CorpusId:x")
    assert result.exit_code == 1
    assert "arXiv:12.34" in said(result) and "CorpusId:x" in said(result)
    missing = run(cli, "save", "mine", UNKNOWN, PAPERS[1].paper_id, "f" * 40)
    assert missing.exit_code == 1
    assert f"{UNKNOWN}, {'f' * 40}" in said(missing)
    assert listed(cli) == {}


def test_save_needs_ids_and_a_database(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    no_ids = run(cli, "save", "mine")
    assert no_ids.exit_code == 2 and "Missing argument" in no_ids.output
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    get_settings.cache_clear()
    down = run(cli, "list")
    assert down.exit_code == 1
    assert "Neo4j is not answering at bolt://127.0.0.1:9" in said(down)


async def test_the_api_finds_a_saved_collection_by_its_name_as_typed(
    cli: CliRunner, neo4j_settings: Settings
) -> None:
    # Names are stored trimmed with inner spaces collapsed; the API looks them up so.
    assert run(cli, "save", "  my   papers ", PAPERS[1].paper_id).exit_code == 0
    by_name = "query($n: String!) { collection(name: $n) { name seeds { paperId } } }"
    feed = "query($n: String!) { changes(since: 0, collection: $n) { since } }"
    async with running_api(neo4j_settings) as api:
        for typed in ("my papers", "  my   papers "):
            found = await api.data(by_name, {"n": typed})
            assert found["collection"] == {
                "name": "my papers",
                "seeds": [{"paperId": PAPERS[1].paper_id}],
            }
            assert (await api.data(feed, {"n": typed}))["changes"] == {"since": 0}
        assert (await api.data(by_name, {"n": "my paper"}))["collection"] is None
