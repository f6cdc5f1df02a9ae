"""A fake OpenAlex API (``GET /works``) for tests, as an ASGI app or a server process.

OpenAlex cannot be reached from the CI machines. This fake speaks the shapes
of OpenAlex's documented ``/works`` list answers (``{"meta": {...},
"results": [...]}``; work objects with ``authorships[].author``,
``author_position``, ``institutions[]`` with ``id``, ``ror``,
``display_name``, ``country_code``, ``type``, ``lineage``,
``raw_affiliation_strings``, ``affiliations[]``; ``primary_topic`` and
``topics[]`` with ``subfield``/``field``/``domain``), and the documented rules
the client relies on:

* ``filter=doi:a|b|c`` (OR of at most 100 values; more is a 400), DOIs bare
  or as ``https://doi.org/`` URLs, case-insensitive; any other filter is a 400;
* ``select=`` root fields only (an unknown one is a 400), ``per_page`` 1..100
  (default 25), ``page`` from 1;
* errors as ``{"error": ..., "message": ...}``.

The shapes come from the documentation's examples (the fixture in
``openalex_recorded/`` is written after them and says so); nothing here was
captured from the live API. :func:`synthetic_works` builds works for the papers
of a fake S2 corpus: every institution, ROR id and OpenAlex id in them is
synthetic and named so (``Synthetic ...``, ROR ids ``0synth…``, OpenAlex ids
from ``I99…``/``A99…``).

Test hooks: :attr:`FakeOpenAlex.requests` logs every request (the api key is
recorded as sent or not, never its value); :meth:`FakeOpenAlex.inject` queues
faults (``429`` with or without ``Retry-After``, ``403``, ``500``, ``503``,
``truncate``); :attr:`FakeOpenAlex.down` answers 503 to everything.

As a server (``python -m tests.fakes.fake_openalex --port P --corpus
titles:SOURCE``) it also serves the fake S2 for the same corpus under
``/graph/v1``, with the seeds given synthetic arXiv ids (real S2 knows the
arXiv ids of Daily Papers entries), plus ``/_fake/requests``,
``/_fake/reset``, ``/_fake/faults`` and ``/_fake/health``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from loaders.rows import bare_doi, normalise_title

if TYPE_CHECKING:
    from tests.fakes.fake_s2_corpus import FakeCorpus

RECORDED = Path(__file__).resolve().parent / "openalex_recorded"
OR_MAX = 100
PER_PAGE_MAX = 100
WORK_FIELDS = (
    "id",
    "doi",
    "title",
    "display_name",
    "publication_year",
    "publication_date",
    "ids",
    "type",
    "authorships",
    "primary_topic",
    "topics",
    "cited_by_count",
)
FAULT_KINDS = ("429", "403", "500", "503", "truncate")


@dataclass
class OpenAlexRequest:
    path: str
    params: dict[str, str]
    api_key_sent: bool
    status: int | None = None
    fault: str | None = None


@dataclass
class OpenAlexFault:
    kind: str
    times: int = 1
    retry_after: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {FAULT_KINDS}")


def recorded_works() -> list[dict[str, Any]]:
    """The works of the documentation-shaped fixture (not a captured response)."""
    body = json.loads((RECORDED / "works_filter_doi__docs_example.json").read_text("utf-8"))
    return list(body["results"])


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


class FakeOpenAlex:
    """The fake ``/works`` endpoint; an ASGI callable (``httpx.ASGITransport(app=fake)``)."""

    def __init__(self, works: Iterable[Mapping[str, Any]] = (), *, synthetic: bool = True) -> None:
        self.works: dict[str, dict[str, Any]] = {}
        for work in works:
            doi = bare_doi(work.get("doi") if isinstance(work.get("doi"), str) else None)
            if doi:
                self.works[doi] = dict(work)
        self.synthetic = synthetic
        self.requests: list[OpenAlexRequest] = []
        self.faults: list[OpenAlexFault] = []
        self.down = False
        # Seconds each /works answer takes (so a test can kill a load mid-phase).
        self.latency_s = 0.0
        self.app = Starlette(routes=self.routes())

    def routes(self) -> list[Route]:
        return [Route("/works", self._works, methods=["GET"])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def inject(self, kind: str, *, times: int = 1, retry_after: str | None = None) -> None:
        self.faults.append(OpenAlexFault(kind, times, retry_after))

    def reset(self) -> None:
        self.requests.clear()
        self.faults.clear()
        self.down = False

    def _take_fault(self) -> OpenAlexFault | None:
        if not self.faults:
            return None
        fault = self.faults[0]
        fault.times -= 1
        if fault.times <= 0:
            self.faults.pop(0)
        return fault

    async def _works(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k != "api_key"}
        record = OpenAlexRequest("/works", params, api_key_sent="api_key" in request.query_params)
        self.requests.append(record)
        if self.latency_s > 0:
            await asyncio.sleep(self.latency_s)
        response = self._answer(params, record)
        record.status = response.status_code
        return response

    def _answer(self, params: Mapping[str, str], record: OpenAlexRequest) -> Response:
        if self.down:
            record.fault = "down"
            return _error(503, "Service Unavailable", "the fake OpenAlex is down")
        fault = self._take_fault()
        truncate = False
        if fault is not None:
            record.fault = fault.kind
            if fault.kind == "truncate":
                truncate = True
            else:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                messages = {
                    "429": ("Too Many Requests", "Rate limit exceeded"),
                    "403": ("Forbidden", "Rate limit exceeded; slow down"),
                    "500": ("Internal Server Error", "Temporary issue; retry with backoff"),
                    "503": ("Service Unavailable", "Temporary issue; retry with backoff"),
                }
                error, message = messages[fault.kind]
                return JSONResponse(
                    {"error": error, "message": message},
                    status_code=int(fault.kind),
                    headers=headers,
                )
        try:
            body = self._list(params)
        except ValueError as exc:
            return _error(400, "Invalid query parameters error.", str(exc))
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if truncate:
            data = data[: max(1, len(data) // 2)]
        return Response(data, media_type="application/json")

    def _list(self, params: Mapping[str, str]) -> dict[str, Any]:
        raw_filter = params.get("filter", "")
        if not raw_filter.startswith("doi:") or "," in raw_filter:
            raise ValueError(f"the fake knows only one filter, doi:a|b|c; got {raw_filter!r}")
        values = raw_filter.removeprefix("doi:").split("|")
        if len(values) > OR_MAX:
            raise ValueError(f"Maximum number of values exceeded for doi. Max is {OR_MAX}.")
        select = [s for s in params.get("select", "").split(",") if s]
        unknown = [s for s in select if s not in WORK_FIELDS]
        if unknown:
            raise ValueError(f"{unknown[0]} is not a valid select field.")
        per_page = int(params.get("per_page", params.get("per-page", "25")))
        page = int(params.get("page", "1"))
        if not 1 <= per_page <= PER_PAGE_MAX or page < 1:
            raise ValueError(f"per_page must be 1..{PER_PAGE_MAX} and page at least 1")
        hits = [
            self.works[d]
            for d in dict.fromkeys(bare_doi(v) or "" for v in values)
            if d in self.works
        ]
        chunk = hits[(page - 1) * per_page : page * per_page]
        results = [{k: w.get(k) for k in select} if select else w for w in chunk]
        return {
            "meta": {
                "count": len(hits),
                "db_response_time_ms": 7,
                "page": page,
                "per_page": per_page,
                "groups_count": None,
            },
            "results": results,
            "group_by": [],
        }


# --------------------------------------------------------------------------
# Synthetic works for a fake S2 corpus
# --------------------------------------------------------------------------
# (name, other spelling in raw affiliation strings, country, type, parent index or None)
_INSTITUTIONS: Sequence[tuple[str, str, str, str, int | None]] = (
    (
        "Synthetic University of Testing",
        "Synth. Univ. of Testing, Dept. of CS",
        "US",
        "education",
        None,
    ),
    ("Synthetic Institute of Technology", "SIT, Cambridge", "US", "education", None),
    ("Synthetic AI Research Lab", "Synthetic AI Research (Paris)", "FR", "company", 3),
    ("Synthetic Holdings (United States)", "Synthetic Holdings Inc.", "US", "company", None),
    ("Synthetic Academy of Sciences", "Synthetic Acad. Sci.", "CN", "government", None),
    (
        "Synthetic Institute of Computing",
        "Inst. of Computing, Synthetic Acad. Sci.",
        "CN",
        "facility",
        4,
    ),
    ("Synthetic Polytechnic", "Synthetic Polytechnic School", "CH", "education", None),
    ("Synthetic Foundation for Open Models", "SFOM", "DE", "nonprofit", None),
)
# A real slice of OpenAlex's topic tree (names from its documented field and
# domain lists); the topic ids are made up for the fake.
_TOPICS: Sequence[tuple[str, str, str, str, str, str]] = (
    (
        "T99001",
        "Natural Language Processing Techniques",
        "1702",
        "Artificial Intelligence",
        "17",
        "Computer Science",
    ),
    ("T99002", "Topic Modeling", "1702", "Artificial Intelligence", "17", "Computer Science"),
    (
        "T99003",
        "Neural Networks and Applications",
        "1702",
        "Artificial Intelligence",
        "17",
        "Computer Science",
    ),
    (
        "T99004",
        "Machine Learning and Data Classification",
        "1702",
        "Artificial Intelligence",
        "17",
        "Computer Science",
    ),
    (
        "T99005",
        "Domain Adaptation and Few-Shot Learning",
        "1707",
        "Computer Vision and Pattern Recognition",
        "17",
        "Computer Science",
    ),
    (
        "T99006",
        "Speech Recognition and Synthesis",
        "1702",
        "Artificial Intelligence",
        "17",
        "Computer Science",
    ),
)
ROR_PREFIX = "https://ror.org/0synth"
OPENALEX = "https://openalex.org/"


def _institution(i: int) -> dict[str, Any]:
    name, _, country, kind, parent = _INSTITUTIONS[i]
    own = f"{OPENALEX}I99{i:04d}"
    lineage = [own] + ([f"{OPENALEX}I99{parent:04d}"] if parent is not None else [])
    return {
        "id": own,
        "display_name": name,
        # Institution 7 has no ROR id: keyed by its OpenAlex id.
        "ror": None if i == 7 else f"{ROR_PREFIX}{chr(ord('a') + i)}{i:02d}",
        "country_code": country,
        "type": kind,
        "lineage": lineage,
    }


def _topic(t: tuple[str, str, str, str, str, str], score: float) -> dict[str, Any]:
    tid, name, sub_id, sub, field_id, field_name = t
    return {
        "id": OPENALEX + tid,
        "display_name": name,
        "score": score,
        "subfield": {"id": f"{OPENALEX}subfields/{sub_id}", "display_name": sub},
        "field": {"id": f"{OPENALEX}fields/{field_id}", "display_name": field_name},
        "domain": {"id": f"{OPENALEX}domains/3", "display_name": "Physical Sciences"},
    }


def synthetic_works(
    papers: Iterable[Mapping[str, Any]], *, seed: int = 0, disagree_every: int = 17
) -> list[dict[str, Any]]:
    """One synthetic OpenAlex work per S2-shaped paper with a DOI.

    Authorships follow the S2 authors in order (same names, so matching by
    position works); every ``disagree_every``-th paper's last author is
    another person in OpenAlex, so disagreements are exercised. Institutions
    come from a small synthetic pool; the raw affiliation string alternates
    between two spellings; some authors have an ORCID. Deterministic.
    """
    works: list[dict[str, Any]] = []
    for n, paper in enumerate(sorted(papers, key=lambda p: str(p.get("paperId")))):
        doi = bare_doi((paper.get("externalIds") or {}).get("DOI"))
        if not doi:
            continue
        digest = hashlib.sha256(f"{seed}:{paper.get('paperId')}".encode()).hexdigest()
        rng = random.Random(int(digest[:12], 16))
        authors = [a for a in paper.get("authors") or [] if isinstance(a, Mapping)]
        authorships = []
        for position, author in enumerate(authors):
            name = str(author.get("name") or f"Synthetic Author {position}")
            if disagree_every and n % disagree_every == 0 and position == len(authors) - 1:
                name = "Synthetic Unrelated Person"
            key = normalise_title(name)
            aid = "A99" + str(int(hashlib.sha256(key.encode()).hexdigest()[:8], 16))
            insts = sorted(rng.sample(range(len(_INSTITUTIONS)), k=rng.choice([1, 1, 1, 2])))
            raw = [_INSTITUTIONS[i][rng.randint(0, 1)] for i in insts]
            orcid = None
            if int(hashlib.sha256(key.encode()).hexdigest()[8:10], 16) % 3 == 0:
                digits = f"{int(hashlib.sha256(key.encode()).hexdigest()[10:22], 16):016d}"[-15:]
                orcid = f"https://orcid.org/0000-{digits[0:4]}-{digits[4:8]}-{digits[8:12]}"
            authorships.append(
                {
                    "author_position": "first"
                    if position == 0
                    else ("last" if position == len(authors) - 1 else "middle"),
                    "author": {"id": OPENALEX + aid, "display_name": name, "orcid": orcid},
                    "institutions": [_institution(i) for i in insts],
                    "countries": sorted({_INSTITUTIONS[i][2] for i in insts}),
                    "is_corresponding": position == 0,
                    "raw_author_name": name,
                    "raw_affiliation_strings": raw,
                    "affiliations": [
                        {"raw_affiliation_string": r, "institution_ids": [f"{OPENALEX}I99{i:04d}"]}
                        for r, i in zip(raw, insts, strict=True)
                    ],
                }
            )
        picks = rng.sample(range(len(_TOPICS)), k=3)
        topics = [_topic(_TOPICS[i], round(0.99 - 0.1 * k, 4)) for k, i in enumerate(picks)]
        works.append(
            {
                "id": f"{OPENALEX}W99{int(digest[:9], 16)}",
                "doi": f"https://doi.org/{doi}",
                "title": paper.get("title"),
                "display_name": paper.get("title"),
                "publication_year": paper.get("year"),
                "publication_date": paper.get("publicationDate"),
                "ids": {
                    "openalex": f"{OPENALEX}W99{int(digest[:9], 16)}",
                    "doi": f"https://doi.org/{doi}",
                },
                "type": "preprint",
                "authorships": authorships,
                "primary_topic": topics[0],
                "topics": topics,
                "cited_by_count": paper.get("citationCount"),
            }
        )
    return works


def give_seeds_arxiv_ids(corpus: FakeCorpus, titles: Iterable[str]) -> int:
    """Give the corpus papers with these titles a synthetic arXiv id (and its DataCite DOI).

    The synthetic corpus around a page has no ids for its seeds; real S2
    knows the arXiv id of a Daily Papers entry, and OpenAlex finds it by
    ``10.48550/arXiv.<id>``. Ids are ``2599.<n>`` (no such month exists).
    """
    wanted = {normalise_title(t) for t in titles if t}
    given = 0
    for paper in sorted(corpus.papers.values(), key=lambda p: str(p["paperId"])):
        ext = paper.setdefault("externalIds", {})
        if ext.get("DOI") or normalise_title(str(paper.get("title") or "")) not in wanted:
            continue
        given += 1
        arxiv = f"2599.{given:05d}"
        ext["ArXiv"] = arxiv
        ext["DOI"] = f"10.48550/arXiv.{arxiv}"
    corpus._index()
    return given


def sample_fakes(spec: str, *, seed: int = 0) -> tuple[FakeCorpus, FakeOpenAlex]:
    """The fake S2 corpus for ``spec`` (seeds with arXiv ids) and a fake OpenAlex for it."""
    from tests.fakes.fake_s2 import load_corpus

    corpus = load_corpus(spec, seed=seed)
    if spec.startswith("titles:"):
        from loaders.sources import parse_source

        give_seeds_arxiv_ids(
            corpus, [r.title or "" for r in parse_source(spec.removeprefix("titles:"))]
        )
    return corpus, FakeOpenAlex(synthetic_works(corpus.papers.values(), seed=seed))


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.fake_openalex",
        description="Serve a fake OpenAlex (/works) and the fake S2 (/graph/v1) for one corpus.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--corpus", default="recorded")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="per fake S2 request")
    parser.add_argument("--openalex-latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--no-replay", action="store_true", help="accepted for fake_s2's CLI; never replays"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    import uvicorn

    from tests.fakes.fake_s2 import BASE_PATH, FakeS2

    corpus, openalex = sample_fakes(args.corpus, seed=args.seed)
    s2 = FakeS2(corpus, replay_recorded=False, latency_s=args.latency_ms / 1000.0)
    openalex.latency_s = args.openalex_latency_ms / 1000.0

    async def requests(_r: Request) -> Response:
        return JSONResponse(
            [{"path": r.path, "params": r.params, "fault": r.fault} for r in openalex.requests]
        )

    async def reset(_r: Request) -> Response:
        openalex.reset()
        s2.reset()
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> Response:
        for item in json.loads(await request.body() or b"[]"):
            if item.get("kind") == "down":
                openalex.down = True
            else:
                openalex.inject(
                    str(item["kind"]),
                    times=int(item.get("times", 1)),
                    retry_after=item.get("retry_after"),
                )
        return JSONResponse({"ok": True})

    async def health(_r: Request) -> Response:
        return JSONResponse({"ok": True})

    admin = Starlette(
        routes=[
            *openalex.routes(),
            Route("/_fake/requests", requests, methods=["GET"]),
            Route("/_fake/reset", reset, methods=["POST"]),
            Route("/_fake/faults", faults, methods=["POST"]),
            Route("/_fake/health", health, methods=["GET"]),
        ]
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # The fake S2 answers its own full paths (/graph/v1/...); the rest is ours.
        if scope["type"] == "http" and str(scope["path"]).startswith(BASE_PATH):
            await s2(scope, receive, send)
        else:
            await admin(scope, receive, send)

    sys.stdout.write(
        f"fake-openalex: {len(openalex.works)} works (synthetic) and fake S2 on"
        f" http://{args.host}:{args.port}\n"
    )
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
