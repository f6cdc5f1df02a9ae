"""OpenAlex: the client against the fake ``/works``, and the row builders on documented shapes."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import httpx
import pytest

from loaders.openalex_client import (
    DOI_FILTER_MAX,
    WORK_SELECT,
    OpenAlexClient,
    OpenAlexConfig,
    OpenAlexOfflineMiss,
    OpenAlexUnavailable,
)
from loaders.openalex_rows import LoadedPaper, names_agree, rows_from_openalex_works
from tests.fakes.fake_openalex import FakeOpenAlex, recorded_works, synthetic_works

DOCS_DOI = "10.7717/peerj.4375"
SECRET = "oa-secret-key-123"


class Clock:
    """A clock that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def synthetic_papers(n: int) -> list[dict[str, object]]:
    return [
        {
            "paperId": f"p{i:04d}",
            "externalIds": {"DOI": f"10.48550/arXiv.2599.{i:05d}"},
            "title": f"Synthetic paper {i}",
            "year": 2025,
            "authors": [
                {"authorId": f"a{i}-{k}", "name": f"Synthetic Person {i}-{k}"} for k in range(3)
            ],
        }
        for i in range(n)
    ]


def make_client(
    fake: FakeOpenAlex, tmp_path: Path, clock: Clock | None = None, **config: object
) -> OpenAlexClient:
    clock = clock or Clock()
    cfg = OpenAlexConfig(
        base_url="http://openalex.test",
        api_key=SECRET,
        mailto="team@example.org",
        rate_limit=0,
        cache_dir=tmp_path / "cache",
        **config,  # type: ignore[arg-type]
    )
    return OpenAlexClient(
        cfg,
        transport=httpx.ASGITransport(app=fake),
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(1),
    )


async def test_works_come_in_or_filter_batches_of_at_most_100_with_select(tmp_path: Path) -> None:
    papers = synthetic_papers(250)
    fake = FakeOpenAlex(synthetic_works(papers))
    dois = [str(p["externalIds"]["DOI"]) for p in papers]  # type: ignore[index]
    async with make_client(fake, tmp_path) as client:
        found = await client.works_by_doi([*dois, "10.9999/unknown"])
    assert len(found) == 250
    assert set(found) == {d.lower() for d in dois}
    assert len(fake.requests) == 3
    for request in fake.requests:
        values = request.params["filter"].removeprefix("doi:").split("|")
        assert len(values) <= DOI_FILTER_MAX
        assert request.params["select"] == ",".join(WORK_SELECT)
        assert request.api_key_sent
        assert request.params["mailto"] == "team@example.org"
    # select= is honoured: only the fields the row builders read come back.
    assert set(next(iter(found.values()))) == set(WORK_SELECT)


async def test_the_key_reaches_openalex_but_no_cache_file_log_or_repr(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeOpenAlex(recorded_works())
    fake.inject("429", times=1)
    caplog.set_level(logging.DEBUG)
    async with make_client(fake, tmp_path) as client:
        assert DOCS_DOI in await client.works_by_doi([DOCS_DOI])
        assert SECRET not in repr(client)
    assert fake.requests[-1].api_key_sent
    stored = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert stored and SECRET not in stored and "team@example.org" not in stored
    assert SECRET not in caplog.text


@pytest.mark.parametrize("fault", ["429", "403", "500", "503", "truncate"])
async def test_faults_are_retried_with_backoff(tmp_path: Path, fault: str) -> None:
    fake = FakeOpenAlex(recorded_works())
    fake.inject(fault, times=3)
    clock = Clock()
    async with make_client(fake, tmp_path, clock) as client:
        assert DOCS_DOI in await client.works_by_doi([DOCS_DOI])
        assert client.stats.retries == 3
    assert len(fake.requests) == 4
    # Exponential with equal jitter: each wait in [base*2^n / 2, base*2^n].
    waits = [w for w in clock.slept if w > 0]
    assert len(waits) == 3
    for n, wait in enumerate(waits):
        assert 2.0**n / 2 <= wait <= 2.0**n


async def test_retry_after_is_honoured_up_to_its_cap(tmp_path: Path) -> None:
    fake = FakeOpenAlex(recorded_works())
    fake.inject("429", times=1, retry_after="7")
    fake.inject("429", times=1, retry_after="3600")
    clock = Clock()
    async with make_client(fake, tmp_path, clock, max_retry_after_s=20.0) as client:
        await client.works_by_doi([DOCS_DOI])
        assert client.stats.retry_after_honoured == 2
    assert [w for w in clock.slept if w > 0] == [7.0, 20.0]


async def test_a_429_storm_past_the_budget_is_unavailable_and_bounded(tmp_path: Path) -> None:
    fake = FakeOpenAlex(recorded_works())
    fake.down = True
    clock = Clock()
    async with make_client(fake, tmp_path, clock, max_retries=3, retry_budget=5) as client:
        with pytest.raises(OpenAlexUnavailable):
            await client.works_by_doi([DOCS_DOI])
        with pytest.raises(OpenAlexUnavailable, match="budget"):
            await client.works_by_doi(["10.1/other"])
    # 4 tries of the first request, then the budget (5 retries) ends the second.
    assert len(fake.requests) == 4 + 3
    assert sum(clock.slept) < 5 * 30.0


async def test_offline_replays_the_cache_without_a_request(tmp_path: Path) -> None:
    fake = FakeOpenAlex(recorded_works())
    async with make_client(fake, tmp_path) as client:
        online = await client.works_by_doi([DOCS_DOI])
    sent = len(fake.requests)
    async with make_client(fake, tmp_path, offline=True) as client:
        assert await client.works_by_doi([DOCS_DOI]) == online
        with pytest.raises(OpenAlexOfflineMiss):
            await client.works_by_doi(["10.1/not-cached"])
    assert len(fake.requests) == sent


async def test_the_fake_refuses_what_openalex_refuses(tmp_path: Path) -> None:
    fake = FakeOpenAlex(recorded_works())
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(transport=transport, base_url="http://oa") as http:
        too_many = "|".join(f"10.1/{i}" for i in range(101))
        assert (await http.get("/works", params={"filter": f"doi:{too_many}"})).status_code == 400
        bad = await http.get("/works", params={"filter": f"doi:{DOCS_DOI}", "select": "nope"})
        assert bad.status_code == 400 and "message" in bad.json()


# --- rows ----------------------------------------------------------------------
def docs_paper(authors: tuple[tuple[str, str | None], ...] | None) -> LoadedPaper:
    return LoadedPaper("s2-peerj", DOCS_DOI, 2018, authors, ("open access",))


def test_docs_example_gives_ror_orgs_lineage_affiliations_and_orcids() -> None:
    works = {DOCS_DOI: recorded_works()[0]}
    s2_authors = (("s2-a", "H. Piwowar"), ("s2-b", "Jason Priem"), ("s2-c", "Juan P. Alperin"))
    out = rows_from_openalex_works([docs_paper(s2_authors)], works)
    rows = out.rows
    orgs = {o["key"]: o for o in rows.orgs}
    assert set(orgs) == {"ror:02nr0ka47", "ror:0213rcc28", "openalex:I4210090411"}
    ours = orgs["ror:02nr0ka47"]
    assert (ours["name"], ours["country"], ours["type"]) == ("OurResearch", "US", "nonprofit")
    # Two spellings of one institution are one Org, with both spellings kept.
    assert "Impactstory, Sanford, NC, USA" in ours["aliases"]
    assert "OurResearch, Vancouver, BC, Canada" in ours["aliases"]
    # The lab has no ROR id; its lineage parent has one in the same answer.
    assert rows.org_parents == [
        {
            "orgKey": "openalex:I4210090411",
            "parentKey": "ror:0213rcc28",
            "parentOpenalexId": "I18014758",
        }
    ]
    assert {(a["authorId"], a["orgKey"], a["paperId"], a["year"]) for a in rows.affiliations} == {
        ("s2-a", "ror:02nr0ka47", "s2-peerj", 2018),
        ("s2-b", "ror:02nr0ka47", "s2-peerj", 2018),
        ("s2-c", "ror:0213rcc28", "s2-peerj", 2018),
        ("s2-c", "openalex:I4210090411", "s2-peerj", 2018),
    }
    ids = {a["authorId"]: (a["openalexId"], a["orcid"]) for a in rows.authors}
    assert ids["s2-b"] == ("A5001298513", "0000-0001-6187-6610")
    assert ids["s2-c"] == ("A5085171399", "0000-0002-9344-7439")
    assert out.authors_matched == 3 and out.disagreements == []
    # Topic hierarchy: topic > subfield > field > domain.
    tree = {(t["key"], t["parentKey"]) for t in rows.topic_tree}
    assert (
        "scientometrics and bibliometrics research",
        "statistics probability and uncertainty",
    ) in tree
    assert ("decision sciences", "social sciences") in tree
    assert all(t["key"] != t["parentKey"] for t in rows.topic_tree)
    assert {t["source"] for t in rows.topics} == {"openalex"}


def test_a_disagreeing_author_is_reported_and_kept_apart() -> None:
    works = {DOCS_DOI: recorded_works()[0]}
    s2_authors = (("s2-a", "Heather Piwowar"), ("s2-b", "Somebody Else"), ("s2-c", "J. P. Alperin"))
    out = rows_from_openalex_works([docs_paper(s2_authors)], works)
    assert out.authors_matched == 2 and out.authors_apart == 1
    assert len(out.disagreements) == 1 and "Somebody Else" in out.disagreements[0]
    apart = [a for a in out.rows.authors if a["authorId"].startswith("openalex:")]
    assert apart == [
        {
            "authorId": "openalex:A5001298513",
            "name": "Jason Priem",
            "openalexId": "A5001298513",
            "orcid": "0000-0001-6187-6610",
        }
    ]
    assert not any(
        a.get("openalexId") == "A5001298513" for a in out.rows.authors if a["authorId"] == "s2-b"
    )


def test_a_paper_without_a_known_author_list_gets_topics_only() -> None:
    out = rows_from_openalex_works([docs_paper(None)], {DOCS_DOI: recorded_works()[0]})
    assert out.rows.topics and not out.rows.affiliations and not out.rows.authors


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Jared Kaplan", "J. Kaplan", True),
        ("José Hernández-Orallo", "Jose Hernandez Orallo", True),
        ("Tom Brown", "Tim Brown", False),
        ("Tom Brown", "Tom Browne", False),
        ("Kaplan", "Jared Kaplan", True),
    ],
)
def test_names_agree(a: str, b: str, same: bool) -> None:
    assert names_agree(a, b) is same


def test_synthetic_works_are_deterministic_and_labelled() -> None:
    papers = synthetic_papers(30)
    first, again = synthetic_works(papers, seed=3), synthetic_works(papers, seed=3)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    names = {i["display_name"] for w in first for a in w["authorships"] for i in a["institutions"]}
    assert names and all(n.startswith("Synthetic") for n in names)
