"""The API over the README's sample page, loaded as `make run` loads it here (S2 unreachable)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from neo4j import Driver

from graph_api.store import graph_store
from loaders.pipeline import run_load
from loaders.rows import PaperRef
from loaders.s2_client import S2Client
from loaders.sources import parse_source
from tests.conftest import REPO
from tests.integration.api.api_support import Api, running_api
from tests.integration.conftest import Neo4jHandle

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"


@pytest.fixture(scope="module")
def sample_refs() -> list[PaperRef]:
    return parse_source(SAMPLE, as_of=None)


@pytest.fixture(scope="module")
async def sample_api(
    session_driver: Driver,
    neo4j: Neo4jHandle,
    sample_refs: list[PaperRef],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Api]:
    settings = neo4j.settings.model_copy(
        update={
            "citekb_cache_dir": tmp_path_factory.mktemp("s2-cache"),
            "s2_max_retries": 1,
            "s2_retry_budget": 2,
        }
    )
    graph_store.clear_data(session_driver, settings.neo4j_database)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no internet on this machine", request=request)

    async with S2Client(settings.s2_config(), transport=httpx.MockTransport(refuse)) as client:
        summary = await run_load(
            sample_refs,
            driver=session_driver,
            database=settings.neo4j_database,
            client=client,
            source="sample",
        )
    assert summary.enrichment == "skipped"
    async with running_api(neo4j.settings) as api:
        yield api


def _scaling_law_titles(refs: list[PaperRef]) -> set[str]:
    return {
        r.title
        for r in refs
        if r.title and ("scaling law" in r.title.lower() or "scaling laws" in r.title.lower())
    }


async def test_papers_total_is_the_sample_size(
    sample_api: Api, sample_refs: list[PaperRef]
) -> None:
    data = await sample_api.data("{ papers(first: 5) { totalCount nodes { title } } }")
    assert data["papers"]["totalCount"] == len(sample_refs) == 54
    assert len(data["papers"]["nodes"]) == 5


async def test_search_finds_the_scaling_law_papers_first(
    sample_api: Api, sample_refs: list[PaperRef]
) -> None:
    expected = _scaling_law_titles(sample_refs)
    assert len(expected) >= 3
    data = await sample_api.data(
        '{ search(query: "scaling law", first: 10) { totalCount nodes { title } } }'
    )
    titles = [n["title"] for n in data["search"]["nodes"]]
    assert set(titles[: len(expected)]) == expected, titles
    assert data["search"]["totalCount"] > len(expected)  # abstracts mention it too


async def test_sample_organisation_and_placeholder_ids(sample_api: Api) -> None:
    data = await sample_api.data(
        '{ org(name: "AI at Meta") { name handle '
        "papers(first: 3) { totalCount nodes { paperId } } } }"
    )
    org = data["org"]
    assert org["name"] == "AI at Meta" and org["handle"] == "facebook"
    assert org["papers"]["totalCount"] >= 1
    placeholder = org["papers"]["nodes"][0]["paperId"]
    assert placeholder.startswith("title:")  # S2 did not resolve it: a stable placeholder id
    again = await sample_api.data(f'{{ paper(id: "{placeholder}") {{ paperId isSeed }} }}')
    assert again["paper"] == {"paperId": placeholder, "isSeed": True}
