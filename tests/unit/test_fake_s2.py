"""The fake S2 speaks S2's real shapes.

Its bodies are validated against the official Graph API swagger spec in
``tests/fakes/s2_recorded/`` (copied from the project's shared samples),
patched where SAMPLES-README.md there shows the spec is wrong
(batch answers are arrays with nulls; fields are nullable; author counts and
search totals are integers; matchScore is a float; the embedding vector is a
list). The patch is itself checked: every real recorded body passes it, and
the unpatched spec rejects them. Paper, author and edge objects are also
closed (``additionalProperties: false``) so the fake cannot invent keys.
"""

from __future__ import annotations

import asyncio
import copy
import gzip
import json
import random
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from graph_api.settings import Settings
from loaders.daily_papers import parse_daily_page_file
from loaders.s2_client import S2Client
from loaders.synth import SynthConfig
from tests.conftest import REPO
from tests.fakes.fake_s2 import BASE_PATH, FakeS2
from tests.fakes.fake_s2_corpus import (
    SPEC_NAME,
    FakeCorpus,
    corpus_from_datasets,
    corpus_from_datasets_dir,
    corpus_from_synth,
    corpus_from_titles,
    recorded_body,
    recorded_text,
)

SAMPLES = REPO / "tests" / "fakes" / "s2_recorded"
SPEC_FILE = SAMPLES / SPEC_NAME
SAMPLE_PAGE = REPO / "examples" / "hf-daily-papers-pretraining.txt"

ALL_PAPER_FIELDS = (
    "paperId,externalIds,corpusId,publicationVenue,url,title,abstract,venue,year,referenceCount,"
    "citationCount,influentialCitationCount,isOpenAccess,openAccessPdf,fieldsOfStudy,"
    "s2FieldsOfStudy,tldr,publicationTypes,publicationDate,journal,citationStyles,authors"
)
BASE_FIELDS = ALL_PAPER_FIELDS.replace(",tldr", "")
AUTHOR_FIELDS = (
    "authorId,externalIds,url,name,affiliations,homepage,paperCount,citationCount,hIndex"
)
CLOSED = (
    "FullPaper",
    "BasePaper",
    "AuthorInfo",
    "Author",
    "AuthorWithPapers",
    "Reference",
    "Citation",
    "ReferenceBatch",
    "CitationBatch",
    "AuthorBatch",
    "PaperMatch",
    "Title Match Paper",
    "PaperRelevanceSearchBatch",
    "PaperBulkSearchBatch",
    "AuthorSearchBatch",
    "Tldr",
    "Embedding",
)
# recorded file -> (method, swagger path, is a batch)
RECORDED_ENDPOINT = {
    "paper_detail__GET_paper_id_all_fields.json": ("get", "/paper/{paper_id}", False),
    "paper_detail__GET_paper_id_title_only.json": ("get", "/paper/{paper_id}", False),
    "paper_batch__POST_paper_batch_with_null.json": ("post", "/paper/batch", True),
    "paper_batch__POST_paper_batch_authors.json": ("post", "/paper/batch", True),
    "paper_search_match__GET_paper_search_match_all_fields.json": (
        "get",
        "/paper/search/match",
        False,
    ),
    "paper_search_match__GET_paper_search_match_title_only.json": (
        "get",
        "/paper/search/match",
        False,
    ),
    "paper_search__GET_paper_search_all_fields.json": ("get", "/paper/search", False),
    "paper_search__GET_paper_search_no_results.json": ("get", "/paper/search", False),
    "paper_search_bulk__GET_paper_search_bulk_first_page.json": (
        "get",
        "/paper/search/bulk",
        False,
    ),
    "paper_references__GET_paper_id_references_rich_fields.json": (
        "get",
        "/paper/{paper_id}/references",
        False,
    ),
    "paper_references__GET_paper_id_references_last_page.json": (
        "get",
        "/paper/{paper_id}/references",
        False,
    ),
    "paper_citations__GET_paper_id_citations_first_page.json": (
        "get",
        "/paper/{paper_id}/citations",
        False,
    ),
    "paper_citations__GET_paper_id_citations_last_page.json": (
        "get",
        "/paper/{paper_id}/citations",
        False,
    ),
    "paper_authors__GET_paper_id_authors.json": ("get", "/paper/{paper_id}/authors", False),
    "author_detail__GET_author_id_all_fields.json": ("get", "/author/{author_id}", False),
    "author_batch__POST_author_batch_all_fields.json": ("post", "/author/batch", True),
    "author_batch__POST_author_batch_with_null.json": ("post", "/author/batch", True),
    "author_search__GET_author_search.json": ("get", "/author/search", False),
}


# --------------------------------------------------------------------------
# The spec, patched as tests/fakes/s2_recorded/SAMPLES-README.md says
# --------------------------------------------------------------------------
def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def patch_spec(spec: dict[str, Any], *, closed: bool = True) -> dict[str, Any]:
    defs = copy.deepcopy(spec["definitions"])
    for d in defs.values():
        for name, prop in list(d.get("properties", {}).items()):
            d["properties"][name] = _nullable(prop)
    for name in ("Author", "AuthorWithPapers"):
        for f in ("paperCount", "citationCount", "hIndex"):
            defs[name]["properties"][f] = {"type": ["integer", "null"]}
    for name in ("PaperRelevanceSearchBatch", "PaperBulkSearchBatch", "AuthorSearchBatch"):
        defs[name]["properties"]["total"] = {"type": "integer"}
    defs["Title Match Paper"]["properties"]["matchScore"] = {"type": "number"}
    defs["Embedding"]["properties"]["vector"] = {"type": "array", "items": {"type": "number"}}
    if closed:
        for name in CLOSED:
            defs[name]["additionalProperties"] = False
    return defs


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_FILE.read_text())
    return data


@pytest.fixture(scope="module")
def defs(spec: dict[str, Any]) -> dict[str, Any]:
    return patch_spec(spec)


def response_schema(
    spec: dict[str, Any], defs: dict[str, Any], method: str, path: str, status: str = "200"
) -> jsonschema.Draft4Validator:
    ref = spec["paths"][path][method]["responses"][status]["schema"]["$ref"]
    schema: dict[str, Any] = {"$ref": ref}
    if method == "post" and path.endswith("/batch") and status == "200":
        # The spec says one object; S2 answers a list with null for unknown ids.
        schema = {"type": "array", "items": {"anyOf": [schema, {"type": "null"}]}}
    return jsonschema.Draft4Validator({**schema, "definitions": defs})


def assert_valid(validator: jsonschema.Draft4Validator, body: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message[:160]}" for e in validator.iter_errors(body)]
    assert not errors, errors[:5]


def test_patched_spec_accepts_every_recorded_body_and_the_raw_spec_does_not(
    spec: dict[str, Any], defs: dict[str, Any]
) -> None:
    for name, (method, path, _) in RECORDED_ENDPOINT.items():
        assert_valid(response_schema(spec, defs, method, path), recorded_body(name))
    raw = jsonschema.Draft4Validator(
        {"$ref": "#/definitions/FullPaper", "definitions": spec["definitions"]}
    )
    assert not raw.is_valid(recorded_body("paper_batch__POST_paper_batch_with_null.json"))
    assert not raw.is_valid(recorded_body("paper_detail__GET_paper_id_all_fields.json"))
    errors = spec["paths"]["/paper/{paper_id}"]["get"]["responses"]
    assert_valid(
        response_schema(spec, defs, "get", "/paper/{paper_id}", "404"),
        recorded_body("error_404__GET_paper_id_not_found.json"),
    )
    assert "404" in errors


# --------------------------------------------------------------------------
# Helpers to talk to the fake directly
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def titles_corpus() -> FakeCorpus:
    return corpus_from_titles(parse_daily_page_file(SAMPLE_PAGE), seed=11)


@pytest.fixture
async def synth(titles_corpus: FakeCorpus) -> AsyncIterator[tuple[FakeS2, httpx.AsyncClient]]:
    fake = FakeS2(titles_corpus, replay_recorded=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake), base_url="http://fake" + BASE_PATH + "/"
    ) as http:
        yield fake, http


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[FakeS2, httpx.AsyncClient]]:
    fake = FakeS2()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake), base_url="http://fake" + BASE_PATH + "/"
    ) as http:
        yield fake, http


def seeds(corpus: FakeCorpus) -> list[dict[str, Any]]:
    return [p for p in corpus.papers.values() if not p["title"].startswith("Synthetic")]


def with_refs(corpus: FakeCorpus) -> str:
    """A seed that has both a resolved and an unresolved reference, and citations."""
    for p in seeds(corpus):
        refs = corpus.references_of.get(p["paperId"], [])
        if (
            any(e.cited is None for e in refs)
            and any(e.cited for e in refs)
            and corpus.citations_of.get(p["paperId"])
        ):
            return str(p["paperId"])
    raise AssertionError("no seed with mixed references")


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------
async def test_synthetic_bodies_validate_against_the_patched_spec(
    spec: dict[str, Any],
    defs: dict[str, Any],
    synth: tuple[FakeS2, httpx.AsyncClient],
    titles_corpus: FakeCorpus,
) -> None:
    _, http = synth
    pid = with_refs(titles_corpus)
    seed = titles_corpus.papers[pid]
    author = seed["authors"][0]["authorId"]
    edge_fields = "contexts,intents,contextsWithIntent,isInfluential," + BASE_FIELDS
    rich = ALL_PAPER_FIELDS + ",authors.hIndex,citations.title,citations.year,references"
    checks: list[tuple[str, str, httpx.Response]] = [
        (
            "post",
            "/paper/batch",
            await http.post(
                "paper/batch",
                params={"fields": rich},
                json={"ids": [pid, "CorpusId:1", f"CorpusId:{seed['corpusId']}"]},
            ),
        ),
        ("get", "/paper/{paper_id}", await http.get(f"paper/{pid}", params={"fields": rich})),
        (
            "get",
            "/paper/{paper_id}/references",
            await http.get(f"paper/{pid}/references", params={"fields": edge_fields}),
        ),
        (
            "get",
            "/paper/{paper_id}/citations",
            await http.get(f"paper/{pid}/citations", params={"fields": edge_fields, "limit": 1}),
        ),
        (
            "get",
            "/paper/{paper_id}/authors",
            await http.get(f"paper/{pid}/authors", params={"fields": AUTHOR_FIELDS}),
        ),
        (
            "get",
            "/paper/search/match",
            await http.get(
                "paper/search/match", params={"query": seed["title"], "fields": ALL_PAPER_FIELDS}
            ),
        ),
        (
            "get",
            "/paper/search",
            await http.get(
                "paper/search", params={"query": "language models", "fields": BASE_FIELDS}
            ),
        ),
        (
            "get",
            "/paper/search",
            await http.get("paper/search", params={"query": "zzzz qqqq", "fields": "title"}),
        ),
        (
            "get",
            "/paper/search/bulk",
            await http.get("paper/search/bulk", params={"query": "synthetic", "fields": "year"}),
        ),
        (
            "post",
            "/author/batch",
            await http.post(
                "author/batch",
                params={"fields": AUTHOR_FIELDS + ",papers.title,papers.year"},
                json={"ids": [author, "0"]},
            ),
        ),
        (
            "get",
            "/author/{author_id}",
            await http.get(f"author/{author}", params={"fields": AUTHOR_FIELDS + ",papers"}),
        ),
        (
            "get",
            "/author/search",
            await http.get("author/search", params={"query": "synthetic author"}),
        ),
    ]
    for method, path, response in checks:
        assert response.status_code == 200, (path, response.text[:200])
        assert response.headers["x-fake-s2-synthetic"] == "true"
        assert_valid(response_schema(spec, defs, method, path), response.json())
    refs = checks[2][2].json()["data"]
    assert any(item["citedPaper"]["paperId"] is None for item in refs)
    assert any(item["citedPaper"]["paperId"] for item in refs)
    assert checks[0][2].json()[1] is None
    for method, path, response in [
        ("get", "/paper/{paper_id}", await http.get("paper/CorpusId:1")),
        ("get", "/paper/search/match", await http.get("paper/search/match?query=zzzz+qqqq")),
        ("get", "/paper/{paper_id}", await http.get(f"paper/{pid}?fields=nonsense")),
    ]:
        assert response.status_code in (400, 404)
        assert set(response.json()) == {"error"}
        assert_valid(
            response_schema(spec, defs, method, path, str(response.status_code)), response.json()
        )
    assert (await http.get("paper/search/match?query=zzzz+qqqq")).json() == {
        "error": "Title match not found"
    }


def _keys(obj: Any) -> list[str]:
    assert isinstance(obj, dict), obj
    return list(obj)


def _recorded_request(name: str) -> dict[str, Any]:
    for r in recorded_body("replays.json"):
        if r["file"] == name:
            return dict(r)
    raise KeyError(name)


async def test_fake_rebuilds_recorded_bodies_from_its_corpus(
    recorded: tuple[FakeS2, httpx.AsyncClient],
) -> None:
    """Replay off: the recorded corpus answers the recorded requests with the same bodies."""
    fake, http = recorded
    fake.replays = []
    for name in (
        "paper_batch__POST_paper_batch_with_null.json",
        "paper_batch__POST_paper_batch_authors.json",
        "author_batch__POST_author_batch_with_null.json",
        "paper_detail__GET_paper_id_title_only.json",
    ):
        r = _recorded_request(name)
        params = {**r["params"], "fields": ",".join(r["params"]["fields"])}
        response = await http.request(
            r["method"], r["path"].lstrip("/"), params=params, json=r["body"]
        )
        assert response.json() == recorded_body(name), name
        assert fake.requests[-1].replayed is None
    # A reference page rebuilt from the corpus has the recorded items, nulls included.
    response = await http.get(
        "paper/10.2139/ssrn.2250500/references", params={"fields": "title", "limit": 100}
    )
    assert (
        response.json()["data"]
        == recorded_body("paper_references__GET_paper_id_references_last_page.json")["data"]
    )


async def test_synthetic_bodies_have_the_recorded_key_structure(
    synth: tuple[FakeS2, httpx.AsyncClient], titles_corpus: FakeCorpus
) -> None:
    _, http = synth
    pid = with_refs(titles_corpus)
    seed = titles_corpus.papers[pid]

    async def ask(name: str, path: str, **extra: Any) -> Any:
        r = _recorded_request(name)
        params = {**r["params"], "fields": ",".join(r["params"]["fields"]), **extra}
        body = {"ids": [pid, "CorpusId:1"]} if r["method"] == "POST" else None
        if "author/batch" in path:
            body = {"ids": ["0", seed["authors"][0]["authorId"]]}
        response = await http.request(r["method"], path, params=params, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    # Batch: an array with nulls; items keyed exactly as the real ones.
    name = "paper_batch__POST_paper_batch_with_null.json"
    real = recorded_body(name)
    ours = await ask(name, "paper/batch")
    assert ours[1] is None
    assert _keys(ours[0]) == _keys(real[1])
    assert _keys(ours[0]["authors"][0]) == _keys(real[1]["authors"][0])

    name = "paper_detail__GET_paper_id_all_fields.json"
    real = recorded_body(name)
    ours = await ask(name, f"paper/{pid}")
    expected = [k for k in _keys(real) if k != "embedding"]  # synthetic papers have none
    assert [k for k in _keys(ours) if k != "embedding"] == expected
    assert ours["embedding"] is None
    assert _keys(ours["authors"][0]) == _keys(real["authors"][0])
    assert _keys(ours["references"][0]) == _keys(real["references"][0])
    assert _keys(ours["citations"][0]) == _keys(real["citations"][0])
    assert _keys(ours["tldr"]) == _keys(real["tldr"])

    name = "paper_search_match__GET_paper_search_match_all_fields.json"
    real = recorded_body(name)
    ours = await ask(name, "paper/search/match", query=seed["title"])
    assert _keys(ours) == ["data"]
    assert len(ours["data"]) == 1
    assert _keys(ours["data"][0]) == _keys(real["data"][0])

    name = "paper_references__GET_paper_id_references_rich_fields.json"
    real = recorded_body(name)
    ours = await ask(name, f"paper/{pid}/references", limit=1)
    assert _keys(ours) == _keys(real)  # offset, next, data
    assert _keys(ours["data"][0]) == _keys(real["data"][0])
    resolved = next(i for i in ours["data"] if i["citedPaper"]["paperId"])
    assert _keys(resolved["citedPaper"]) == _keys(real["data"][0]["citedPaper"])
    assert _keys(ours["data"][0]["citedPaper"]) == _keys(real["data"][0]["citedPaper"])

    name = "paper_citations__GET_paper_id_citations_last_page.json"
    real = recorded_body(name)
    ours = await ask(name, f"paper/{pid}/citations", offset=0, limit=1000)
    assert _keys(ours) == _keys(real)  # last page: no "next"
    assert _keys(ours["data"][0]) == _keys(real["data"][0])
    assert _keys(ours["data"][0]["citingPaper"]) == _keys(real["data"][0]["citingPaper"])

    name = "paper_search__GET_paper_search_all_fields.json"
    real = recorded_body(name)
    ours = await ask(name, "paper/search", query="synthetic", limit=2)
    assert _keys(ours) == _keys(real)
    assert _keys(ours["data"][0]) == _keys(real["data"][0])  # abstract last, as recorded

    name = "paper_search__GET_paper_search_no_results.json"
    assert await ask(name, "paper/search", query="n0 r3sult s3arch t3rm") == recorded_body(name)

    name = "author_batch__POST_author_batch_all_fields.json"
    real = recorded_body(name)
    ours = await ask(name, "author/batch")
    assert ours[0] is None
    assert _keys(ours[1]) == _keys(real[0])
    assert _keys(ours[1]["papers"][0]) == _keys(real[0]["papers"][0])

    name = "paper_authors__GET_paper_id_authors.json"
    real = recorded_body(name)
    ours = await ask(name, f"paper/{pid}/authors")
    assert _keys(ours) == _keys(real)
    assert _keys(ours["data"][0]) == _keys(real["data"][0])


async def test_recorded_requests_are_replayed_verbatim(
    recorded: tuple[FakeS2, httpx.AsyncClient],
) -> None:
    fake, http = recorded
    replays = recorded_body("replays.json")
    assert len(replays) >= 15
    for r in replays:
        params = {**r["params"], "fields": ",".join(reversed(r["params"]["fields"]))}
        response = await http.request(
            r["method"], r["path"].lstrip("/"), params=params, json=r["body"]
        )
        assert response.status_code == 200
        assert response.text == recorded_text(r["file"]), r["file"]
        assert fake.requests[-1].replayed == r["file"]
        assert "x-fake-s2-synthetic" not in response.headers


# --------------------------------------------------------------------------
# Ids, fields, paging
# --------------------------------------------------------------------------
async def test_every_documented_id_form_resolves(
    recorded: tuple[FakeS2, httpx.AsyncClient],
) -> None:
    _, http = recorded
    turing = "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
    forms = [
        turing,
        turing.upper(),
        "CorpusId:14636783",
        "CorpusID:14636783",
        "DOI:10.1093/mind/lix.236.433",
        "10.1093/MIND/LIX.236.433",
        "MAG:2145482038",
        f"URL:https://www.semanticscholar.org/paper/{turing}",
        f"URL:https://www.semanticscholar.org/paper/Computing-Machinery-and-Intelligence/{turing}",
    ]
    got = (await http.post("paper/batch", params={"fields": "title"}, json={"ids": forms})).json()
    assert [g["paperId"] for g in got] == [turing] * len(forms)
    for form in forms:
        response = await http.get(f"paper/{form}", params={"fields": "year"})
        assert response.json() == {"paperId": turing, "year": 1950}, form
    arxiv = "598b65b8f514304abd34b7e14296559388b20f25"  # arXiv 2208.04425 in the references sample
    for form in (
        "ARXIV:2208.04425",
        "arXiv:2208.04425v2",
        "URL:https://arxiv.org/abs/2208.04425v1",
        "URL:https://arxiv.org/pdf/2208.04425",
        "DOI:10.48550/arXiv.2208.04425",
    ):
        response = await http.get(f"paper/{form}")
        assert response.json()["paperId"] == arxiv, form
    for unknown in ("CorpusId:1", "ARXIV:0000.00000", "URL:https://example.org/x", "nonsense"):
        assert (await http.get(f"paper/{unknown}")).json() == {
            "error": f"Paper with id {unknown} not found"
        }


async def test_fields_offset_and_limit_are_honoured(
    synth: tuple[FakeS2, httpx.AsyncClient], titles_corpus: FakeCorpus
) -> None:
    _, http = synth
    pid = with_refs(titles_corpus)
    assert _keys((await http.get(f"paper/{pid}")).json()) == ["paperId", "title"]
    assert _keys((await http.get(f"paper/{pid}?fields=year,title")).json()) == [
        "paperId",
        "title",
        "year",
    ]
    authors = (await http.get(f"paper/{pid}?fields=authors.hIndex")).json()["authors"]
    assert _keys(authors[0]) == ["authorId", "name", "hIndex"]
    nested = (await http.get(f"paper/{pid}?fields=references.year")).json()["references"]
    assert all(_keys(r) == ["paperId", "year"] for r in nested)
    total = len(titles_corpus.references_of[pid])
    pages: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = (
            await http.get(f"paper/{pid}/references", params={"offset": offset, "limit": 2})
        ).json()
        assert page["offset"] == offset
        assert len(page["data"]) <= 2
        pages.append(page)
        offset = page.get("next")
    assert sum(len(p["data"]) for p in pages) == total
    assert "next" not in pages[-1]
    assert all(_keys(i) == ["citedPaper"] for p in pages for i in p["data"])
    too_big = await http.get(f"paper/{pid}/citations", params={"limit": 1001})
    assert too_big.status_code == 400
    assert "limit" in too_big.json()["error"]
    over = await http.post("paper/batch", json={"ids": [pid] * 501})
    assert over.status_code == 400
    search = (await http.get("paper/search", params={"query": "synthetic", "limit": 3})).json()
    assert search["offset"] == 0
    assert search["next"] == 3
    assert search["total"] > 3
    page2 = (
        await http.get("paper/search", params={"query": "synthetic", "limit": 3, "offset": 3})
    ).json()
    assert {d["paperId"] for d in page2["data"]}.isdisjoint(d["paperId"] for d in search["data"])
    bulk = (await http.get("paper/search/bulk", params={"query": "synthetic"})).json()
    assert bulk["total"] == len(bulk["data"])
    assert bulk["token"] is None


# --------------------------------------------------------------------------
# Faults and the request log
# --------------------------------------------------------------------------
async def test_faults_use_the_recorded_gateway_bodies(
    recorded: tuple[FakeS2, httpx.AsyncClient],
) -> None:
    fake, http = recorded
    batch = {"ids": ["CorpusId:470667"]}
    fake.inject("429")
    fake.inject("429", retry_after=12)
    fake.inject("500", path="batch")
    fake.inject("504")
    fake.inject("403")
    fake.inject("too_large")
    r = await http.post("paper/batch", json=batch)
    assert r.status_code == 429
    assert r.json() == recorded_body("error_429__GET_paper_search.json")
    assert "retry-after" not in r.headers  # as recorded: no Retry-After
    assert r.headers["x-amzn-errortype"] == "TooManyRequestsException"
    r = await http.post("paper/batch", json=batch)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "12"
    r = await http.post("paper/batch", json=batch)
    assert (r.status_code, r.json()) == (500, {"message": "Internal Server Error"})
    r = await http.get("paper/CorpusId:470667/citations")
    assert (r.status_code, r.json()) == (504, {"message": "Endpoint request timed out"})
    r = await http.get("paper/CorpusId:470667")
    assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})
    r = await http.post("paper/batch", json=batch)
    assert r.status_code == 400
    assert "exceed maximum size" in r.json()["error"]
    r = await http.post("paper/batch", json=batch)
    assert r.status_code == 200
    assert [q.fault for q in fake.requests] == [
        "429",
        "429",
        "500",
        "504",
        "403",
        "too_large",
        None,
    ]
    assert fake.faults == []


async def test_fault_scoped_to_a_path_waits_for_it(
    recorded: tuple[FakeS2, httpx.AsyncClient],
) -> None:
    fake, http = recorded
    fake.inject("500", path=r"/references$", times=2)
    assert (await http.get("paper/CorpusId:470667")).status_code == 200
    assert (await http.get("paper/CorpusId:470667/references")).status_code == 500
    assert (await http.get("paper/CorpusId:470667/references")).status_code == 500
    assert (await http.get("paper/CorpusId:470667/references")).status_code == 200


async def test_truncated_body_and_timeout(recorded: tuple[FakeS2, httpx.AsyncClient]) -> None:
    fake, http = recorded
    fake.inject("truncate")
    r = await http.post(
        "paper/batch", params={"fields": "title"}, json={"ids": ["CorpusId:470667"]}
    )
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.text)
    fake.inject("timeout", delay_s=10.0)
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await http.get("paper/CorpusId:470667")
    assert time.perf_counter() - started < 5


async def test_request_log_and_latency(recorded: tuple[FakeS2, httpx.AsyncClient]) -> None:
    fake, http = recorded
    fake.latency_s = 0.05
    started = time.perf_counter()
    await http.post(
        "paper/batch",
        params={"fields": "title"},
        json={"ids": ["CorpusId:470667"]},
        headers={"x-api-key": "k"},
    )
    await http.get("paper/search/match", params={"query": "nothing like this", "fields": "title"})
    assert time.perf_counter() - started >= 0.1
    first, second = fake.requests
    assert (first.method, first.path, first.params, first.body) == (
        "POST",
        "/paper/batch",
        {"fields": "title"},
        {"ids": ["CorpusId:470667"]},
    )
    assert first.api_key_sent
    assert first.status == 200
    assert (second.method, second.path, second.status, second.api_key_sent) == (
        "GET",
        "/paper/search/match",
        404,
        False,
    )
    assert fake.calls("match") == [second]


async def test_null_ids_make_papers_unknown_everywhere(
    synth: tuple[FakeS2, httpx.AsyncClient], titles_corpus: FakeCorpus
) -> None:
    fake, http = synth
    pid = with_refs(titles_corpus)
    cited = next(e.cited for e in titles_corpus.references_of[pid] if e.cited)
    assert cited is not None
    fake.null_ids.add(cited)
    got = (await http.post("paper/batch", json={"ids": [cited, pid]})).json()
    assert got[0] is None
    assert got[1]["paperId"] == pid
    refs = (await http.get(f"paper/{pid}/references", params={"limit": 1000})).json()["data"]
    masked = [
        r["citedPaper"]
        for r in refs
        if r["citedPaper"]["title"] == titles_corpus.papers[cited]["title"]
    ]
    assert masked == [{"paperId": None, "title": titles_corpus.papers[cited]["title"]}]
    assert (await http.get(f"paper/{cited}")).status_code == 404


# --------------------------------------------------------------------------
# The depth-1 load of the 54-paper sample page (synthetic S2 data)
# --------------------------------------------------------------------------
async def test_depth_one_load_of_the_sample_page(tmp_path: Path, titles_corpus: FakeCorpus) -> None:
    refs = parse_daily_page_file(SAMPLE_PAGE)
    assert len(refs) == 54
    assert titles_corpus.synthetic
    fake = FakeS2(titles_corpus, replay_recorded=False)
    settings = Settings(
        citekb_cache_dir=tmp_path, s2_base_url="http://fake" + BASE_PATH, s2_rate_limit=0
    )
    async with S2Client(
        settings.s2_config(), transport=httpx.ASGITransport(app=fake), rng=random.Random(1)
    ) as client:
        matches = [await client.search_match(r.title or "", "title,year") for r in refs]
        assert all(m is not None for m in matches)
        ids = [m["paperId"] for m in matches if m]
        assert len(set(ids)) == 54
        for ref, m in zip(refs, matches, strict=True):
            assert m is not None
            assert m["title"] == ref.title
            if ref.date:
                assert m["year"] == ref.date.year
        papers = await client.paper_batch(ids, ALL_PAPER_FIELDS)
        assert all(p is not None for p in papers)
        null_refs = 0
        for p in papers:
            assert p is not None
            assert p["authors"]
            assert p["s2FieldsOfStudy"]
            assert p["citationStyles"]["bibtex"]
            refs_of = [i async for i in client.references(p["paperId"], "title,year")]
            cites_of = [i async for i in client.citations(p["paperId"], "title,year")]
            assert refs_of
            assert cites_of
            assert len(refs_of) == p["referenceCount"]
            assert len(cites_of) == p["citationCount"]
            null_refs += sum(1 for i in refs_of if i["citedPaper"]["paperId"] is None)
            assert all(c["citingPaper"]["year"] >= p["year"] for c in cites_of)
        assert null_refs > 0
        authors = {a["authorId"] for p in papers if p for a in p["authors"]}
        got = await client.author_batch(sorted(authors), "name,hIndex,affiliations")
        assert all(a is not None for a in got)
        orgs = {org for a in got if a for org in a["affiliations"]}
        assert "AI at Meta" in orgs  # the page's submitting organisation
    assert client.stats.requests_sent == len(fake.requests)
    assert all(r.status == 200 or r.path.endswith("/match") for r in fake.requests)


# --------------------------------------------------------------------------
# Corpus builders
# --------------------------------------------------------------------------
def test_titles_corpus_is_deterministic_and_labelled(titles_corpus: FakeCorpus) -> None:
    again = corpus_from_titles(parse_daily_page_file(SAMPLE_PAGE), seed=11)
    assert again.to_json() == titles_corpus.to_json()
    other = corpus_from_titles(parse_daily_page_file(SAMPLE_PAGE), seed=12)
    assert other.to_json() != titles_corpus.to_json()
    assert "synthetic" in titles_corpus.label
    generated = [p for p in titles_corpus.papers.values() if p["title"].startswith("Synthetic")]
    assert len(generated) > 54
    assert all(p["corpusId"] >= 4_000_000_000 for p in titles_corpus.papers.values())
    # Citations point back in time: a paper cites only papers no newer than itself.
    for e in titles_corpus.edges:
        if e.cited:
            citing, cited = titles_corpus.papers[e.citing], titles_corpus.papers[e.cited]
            assert cited["year"] <= citing["year"]


def test_corpus_json_round_trip(tmp_path: Path, titles_corpus: FakeCorpus) -> None:
    path = tmp_path / "corpus.json"
    titles_corpus.save(path)
    loaded = FakeCorpus.load(path)
    assert loaded.to_json() == titles_corpus.to_json()
    pid = with_refs(titles_corpus)
    assert loaded.resolve(f"CorpusId:{titles_corpus.papers[pid]['corpusId']}") == pid


def test_corpus_from_s2_datasets_rows(tmp_path: Path) -> None:
    sha = "a" * 40
    papers = [
        {
            "corpusid": 1,
            "externalids": {"ArXiv": "2401.00001", "DOI": None, "CorpusId": "1"},
            "url": f"https://www.semanticscholar.org/paper/{sha}",
            "title": "Synthetic datasets paper one",
            "authors": [{"authorId": "7", "name": "Synthetic Author Seven"}],
            "year": 2024,
            "citationcount": 1,
            "referencecount": 1,
            "influentialcitationcount": 0,
            "isopenaccess": True,
            "s2fieldsofstudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
            "publicationdate": "2024-01-02",
        },
        {"corpusid": 2, "title": "Synthetic datasets paper two", "year": 2020, "authors": []},
    ]
    citations = [
        {
            "citingcorpusid": 1,
            "citedcorpusid": 2,
            "isinfluential": True,
            "contexts": ["c"],
            "intents": [["methodology"], ["background", "methodology"]],
        },
        {"citingcorpusid": 1, "citedcorpusid": None, "isinfluential": False},
    ]
    authors = [{"authorid": "7", "name": "Synthetic Author Seven", "hindex": 3, "papercount": 1}]
    abstracts = [{"corpusid": 2, "abstract": "Synthetic abstract two."}]
    c = corpus_from_datasets(papers, citations, authors, abstracts)
    assert c.resolve("ARXIV:2401.00001") == sha
    assert c.resolve("CorpusId:1") == sha
    two = c.resolve("CorpusId:2")
    assert two is not None
    assert c.papers[two]["abstract"] == "Synthetic abstract two."
    (e1, e2) = c.references_of[sha]
    assert (e1.cited, e1.is_influential, e1.intents) == (two, True, ["methodology", "background"])
    assert e2.cited is None
    assert c.authors["7"]["hIndex"] == 3
    # The same rows as JSON-lines files (one gzipped) in a directory.
    d = tmp_path / "snapshot"
    d.mkdir()
    (d / "papers.jsonl").write_text("\n".join(json.dumps(p) for p in papers))
    with gzip.open(d / "citations.jsonl.gz", "wt") as fh:
        fh.write("\n".join(json.dumps(x) for x in citations))
    (d / "authors.jsonl").write_text("\n".join(json.dumps(a) for a in authors))
    from_dir = corpus_from_datasets_dir(d)
    assert from_dir.synthetic
    assert len(from_dir.papers) == 2
    assert len(from_dir.edges) == 2


async def test_serves_a_citekb_synth_corpus(
    tmp_path: Path, spec: dict[str, Any], defs: dict[str, Any]
) -> None:
    corpus = corpus_from_synth(tmp_path / "synth", SynthConfig(papers=300, seed=4))
    assert corpus.synthetic
    records = [
        json.loads(line) for line in (tmp_path / "synth" / "papers.jsonl").read_text().splitlines()
    ]
    citations = [
        json.loads(line)
        for line in (tmp_path / "synth" / "citations.jsonl").read_text().splitlines()
    ]
    assert len(corpus.papers) == len(records) == 300
    busiest = max(records, key=lambda r: r["citationcount"])
    citing_rows = [c for c in citations if c["citedcorpusid"] == busiest["corpusid"]]
    fake = FakeS2(corpus, replay_recorded=False)
    settings = Settings(
        citekb_cache_dir=tmp_path / "cache", s2_base_url="http://fake" + BASE_PATH, s2_rate_limit=0
    )
    async with S2Client(settings.s2_config(), transport=httpx.ASGITransport(app=fake)) as client:
        (paper,) = await client.paper_batch([f"CorpusId:{busiest['corpusid']}"], ALL_PAPER_FIELDS)
        cites = [c async for c in client.citations(busiest["paperId"], "corpusId", limit=50)]
    assert paper is not None
    assert paper["paperId"] == busiest["paperId"]  # the id the bulk loader uses too
    assert paper["title"] == busiest["title"]
    assert paper["citationCount"] == busiest["citationcount"] == len(citing_rows) == len(cites)
    assert {c["citingPaper"]["corpusId"] for c in cites} == {
        r["citingcorpusid"] for r in citing_rows
    }
    assert_valid(response_schema(spec, defs, "post", "/paper/batch"), [paper])


# --------------------------------------------------------------------------
# As a real server in a subprocess
# --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_server(tmp_path: Path, titles_corpus: FakeCorpus) -> Iterator[str]:
    """``python -m tests.fakes.fake_s2`` on a free port, one 429 queued for batches."""
    corpus_file = tmp_path / "corpus.json"
    titles_corpus.save(corpus_file)
    port = _free_port()
    faults = json.dumps([{"kind": 429, "times": 1, "path": "batch", "retry_after": 0}])
    command = [sys.executable, "-m", "tests.fakes.fake_s2", "--port", str(port)]
    command += ["--corpus", str(corpus_file), "--faults", faults]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/_fake/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "fake S2 did not start"
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_runs_as_a_server_in_a_subprocess(
    tmp_path: Path, titles_corpus: FakeCorpus, fake_server: str
) -> None:
    base = fake_server
    async with httpx.AsyncClient(base_url=base) as http:
        health = (await http.get("/_fake/health")).json()
        assert health == {"papers": len(titles_corpus.papers), "synthetic": True}
        settings = Settings(
            citekb_cache_dir=tmp_path / "cache",
            s2_base_url=base + BASE_PATH,
            s2_rate_limit=0,
            s2_backoff_base_s=0.01,
        )
        pid = with_refs(titles_corpus)
        async with S2Client(settings.s2_config()) as client:
            got = await client.paper_batch([pid, "CorpusId:1"], "title")
            refs = [i async for i in client.references(pid, "title")]
        assert got[0] is not None
        assert got[0]["title"] == titles_corpus.papers[pid]["title"]
        assert got[1] is None
        assert len(refs) == len(titles_corpus.references_of[pid])
        assert client.stats.retries == 1
        assert client.stats.retry_after_honoured == 1
        log = (await http.get("/_fake/requests")).json()
        assert [(r["path"], r["status"], r["fault"]) for r in log] == [
            ("/paper/batch", 429, "429"),
            ("/paper/batch", 200, None),
            (f"/paper/{pid}/references", 200, None),
        ]
