"""A fake Semantic Scholar Graph API for tests and benchmarks (an ASGI app).

S2 cannot be reached from the CI machines, so the S2 client, the loaders and
the benchmarks talk to this instead. It speaks S2's real shapes (those of the
recorded bodies in ``tests/fakes/s2_recorded/``, see the README there) under
``/graph/v1``:

=========================================  ======================================
``POST /paper/batch``                      list in request order, ``null`` = unknown
``GET  /paper/{id}``                       404 ``{"error": "Paper with id X not found"}``
``GET  /paper/{id}/references|citations``  ``{"offset", "next"?, "data"}``, <= 1000/page
``GET  /paper/{id}/authors``               same paging
``GET  /paper/search/match``               ``{"data": [one]}`` / 404 "Title match not found"
``GET  /paper/search``                     ``{"total", "offset", "next"?, "data"?}``
``GET  /paper/search/bulk``                ``{"total", "token", "data"}``
``POST /author/batch``, ``GET /author/{id}``, ``GET /author/search``
=========================================  ======================================

``fields`` (with ``authors.x`` / ``citations.x`` / ``references.x`` subfields),
``offset`` and ``limit`` are honoured, and every documented id form resolves
(``<sha>``, ``CorpusId:``/``CorpusID:``, ``DOI:``/bare DOI, ``ARXIV:``,
``MAG:``, ``ACL:``, ``PMID:``, ``PMCID:``, ``URL:``). Answers come from a
:class:`~tests.fakes.fake_s2_corpus.FakeCorpus`; the exact recorded requests are
answered with their recorded bodies, verbatim.

Test hooks: every request is logged in :attr:`FakeS2.requests`; faults are
queued with :meth:`FakeS2.inject` (429 with or without ``Retry-After``, 500 and
504 with the recorded bodies, 403, timeouts, truncated bodies, "too large"
400s); :attr:`FakeS2.null_ids` makes papers unknown (``null`` in batches, a
``null`` ``paperId`` in reference lists); :attr:`FakeS2.latency_s` adds a delay
to every call; :attr:`FakeS2.too_large_over` answers batches of more ids with
a "too large" 400. As a server: ``python -m tests.fakes.fake_s2 --port P
--corpus recorded|FILE.json|titles:SOURCE|datasets:DIR|synth:N``; it then also offers
``GET /_fake/requests``, ``POST /_fake/faults`` and ``POST /_fake/reset``.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
from neo4j import Driver
from rapidfuzz import fuzz
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from graph_api.settings import Settings
from loaders.pipeline import LoadSummary, run_load
from loaders.rows import PaperRef, normalise_title
from loaders.s2_client import S2Client, S2Stats
from loaders.synth import SynthConfig
from tests.fakes.fake_s2_corpus import (
    Edge,
    FakeCorpus,
    Paper,
    corpus_from_datasets_dir,
    corpus_from_synth,
    corpus_from_titles,
    recorded_body,
    recorded_text,
)

log = logging.getLogger(__name__)

BASE_PATH = "/graph/v1"

# Key order of S2's answers, as in the recorded bodies.
PAPER_FIELDS = (
    "paperId",
    "externalIds",
    "corpusId",
    "publicationVenue",
    "url",
    "title",
    "abstract",
    "venue",
    "year",
    "referenceCount",
    "citationCount",
    "influentialCitationCount",
    "isOpenAccess",
    "openAccessPdf",
    "fieldsOfStudy",
    "s2FieldsOfStudy",
    "tldr",
    "publicationTypes",
    "publicationDate",
    "journal",
    "citationStyles",
    "embedding",
    "textAvailability",
    "authors",
    "citations",
    "references",
)
BASE_PAPER_FIELDS = tuple(
    f for f in PAPER_FIELDS if f not in ("tldr", "embedding", "textAvailability")
)
AUTHOR_FIELDS = (
    "authorId",
    "externalIds",
    "url",
    "name",
    "affiliations",
    "homepage",
    "paperCount",
    "citationCount",
    "hIndex",
    "papers",
)
EDGE_FIELDS = ("contexts", "intents", "contextsWithIntent", "isInfluential")
MAX_BATCH_PAPERS = 500
MAX_BATCH_AUTHORS = 1000
MAX_PAGE = 1000
MAX_SEARCH_PAGE = 100
TOO_LARGE_MESSAGE = (
    "Response would exceed maximum size. Please reduce the number of ids or fields requested."
)
FAULT_KINDS = ("429", "500", "502", "503", "504", "403", "timeout", "truncate", "too_large")


class FakeError(Exception):
    """An S2 error answer: status + body (``{"error": ...}`` for 400/404)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": message}


# --------------------------------------------------------------------------
# fields=...
# --------------------------------------------------------------------------
@dataclass
class FieldSpec:
    top: list[str]
    sub: dict[str, list[str]]

    def has(self, name: str) -> bool:
        return name in self.top


def parse_fields(raw: str | None, allowed: Sequence[str], default: Sequence[str]) -> FieldSpec:
    """``"title,authors.url,citations.year"`` -> top-level names + subfields per parent."""
    if raw is None or raw.strip() == "":
        return FieldSpec(list(default), {})
    top: list[str] = []
    sub: dict[str, list[str]] = {}
    unknown: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        head, _, rest = part.partition(".")
        if head not in allowed:
            unknown.append(part)
            continue
        if head not in top:
            top.append(head)
        if rest:
            sub.setdefault(head, [])
            if rest not in sub[head]:
                sub[head].append(rest)
    if unknown:
        raise FakeError(400, f"Unrecognized or unsupported fields: [{', '.join(unknown)}]")
    return FieldSpec(top, sub)


# --------------------------------------------------------------------------
# Faults and the request log
# --------------------------------------------------------------------------
@dataclass
class Fault:
    """One queued fault; ``path`` is a regex searched in the path below ``/graph/v1``."""

    kind: str
    times: int = 1
    path: str | None = None
    method: str | None = None
    retry_after: str | None = None
    delay_s: float = 30.0

    def __post_init__(self) -> None:
        self.kind = str(self.kind)
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {FAULT_KINDS}")
        if self.retry_after is not None:
            self.retry_after = str(self.retry_after)  # JSON may give a number

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    api_key_sent: bool
    status: int | None = None
    fault: str | None = None
    replayed: str | None = None


@dataclass
class _Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def _gateway_headers(kind: str) -> dict[str, str]:
    return {
        "429": {"x-amzn-ErrorType": "TooManyRequestsException"},
        "403": {"x-amzn-ErrorType": "ForbiddenException"},
        "500": {"X-Cache": "Error from cloudfront"},
        "504": {
            "X-Cache": "Error from cloudfront",
            "x-amzn-ErrorType": "InternalServerErrorException",
        },
    }.get(kind, {})


def _fault_answer(fault: Fault) -> _Answer:
    recorded = {
        "429": "error_429__GET_paper_search.json",
        "403": "error_403__POST_paper_batch_invalid_api_key.json",
        "500": "error_500__POST_paper_batch.json",
        "504": "error_504__GET_paper_id_citations_timeout.json",
    }
    headers = _gateway_headers(fault.kind)
    if fault.kind in recorded:
        body = recorded_body(recorded[fault.kind])
    elif fault.kind == "502":
        body = {"message": "Bad Gateway"}
    elif fault.kind == "503":
        body = {"message": "Service Unavailable"}
    else:
        return _Answer(400, {"error": TOO_LARGE_MESSAGE})
    if fault.retry_after is not None:
        headers["Retry-After"] = fault.retry_after
    return _Answer(int(fault.kind), body, headers)


_Handler = Callable[[Request, str, Mapping[str, str], Any], _Answer]


# --------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------
class FakeS2:
    """The fake S2 API: an ASGI callable (``httpx.ASGITransport(app=fake)``)."""

    def __init__(
        self,
        corpus: FakeCorpus | None = None,
        *,
        replay_recorded: bool = True,
        latency_s: float = 0.0,
        expected_api_key: str | None = None,
        too_large_over: int | None = None,
        admin: bool = False,
    ) -> None:
        self.corpus = corpus if corpus is not None else FakeCorpus.recorded()
        self.latency_s = latency_s
        self.expected_api_key = expected_api_key
        self.too_large_over = too_large_over
        self.null_ids: set[str] = set()
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.replays = _load_replays() if replay_recorded else []
        routes = [
            Route(BASE_PATH + "/paper/batch", self._paper_batch, methods=["POST"]),
            Route(BASE_PATH + "/paper/search/match", self._search_match, methods=["GET"]),
            Route(BASE_PATH + "/paper/search/bulk", self._search_bulk, methods=["GET"]),
            Route(BASE_PATH + "/paper/search", self._search, methods=["GET"]),
            Route(BASE_PATH + "/paper/{rest:path}", self._paper_path, methods=["GET"]),
            Route(BASE_PATH + "/author/batch", self._author_batch, methods=["POST"]),
            Route(BASE_PATH + "/author/search", self._author_search, methods=["GET"]),
            Route(BASE_PATH + "/author/{author_id}", self._author, methods=["GET"]),
        ]
        if admin:
            routes += [
                Route("/_fake/requests", self._admin_requests, methods=["GET"]),
                Route("/_fake/faults", self._admin_faults, methods=["POST"]),
                Route("/_fake/reset", self._admin_reset, methods=["POST"]),
                Route("/_fake/health", self._admin_health, methods=["GET"]),
            ]
        self.app = Starlette(routes=routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    # -- test hooks ------------------------------------------------------------
    def inject(
        self,
        kind: str,
        *,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
        retry_after: str | float | None = None,
        delay_s: float = 30.0,
    ) -> Fault:
        """Queue a fault for the next ``times`` matching requests."""
        fault = Fault(
            kind,
            times=times,
            path=path,
            method=method,
            retry_after=None if retry_after is None else str(retry_after),
            delay_s=delay_s,
        )
        self.faults.append(fault)
        return fault

    def calls(self, path_regex: str = "", method: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if re.search(path_regex, r.path) and (method is None or r.method == method)
        ]

    def reset(self) -> None:
        self.faults.clear()
        self.requests.clear()
        self.null_ids.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    # -- plumbing --------------------------------------------------------------
    async def _handle(self, request: Request, handler: _Handler) -> Response:
        path = str(request.scope["path"]).removeprefix(BASE_PATH)
        params = dict(request.query_params)
        body: Any = None
        raw_body = await request.body()
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = raw_body.decode("utf-8", errors="replace")
        record = RecordedRequest(
            method=request.method,
            path=path,
            params=params,
            body=body,
            api_key_sent="x-api-key" in request.headers,
        )
        self.requests.append(record)
        if self.latency_s > 0:
            await anyio.sleep(self.latency_s)
        fault = self._take_fault(request.method, path)
        truncate = False
        answer: _Answer | None = None
        if fault is not None:
            record.fault = fault.kind
            if fault.kind == "timeout":
                # Longer than the client waits; the client gives up first.
                await anyio.sleep(fault.delay_s)
            elif fault.kind == "truncate":
                truncate = True
            else:
                answer = _fault_answer(fault)
        if (
            answer is None
            and self.expected_api_key is not None
            and request.headers.get("x-api-key") != self.expected_api_key
        ):
            answer = _fault_answer(Fault("403"))
        if answer is None:
            replay = self._replay(request.method, path, params, body)
            if replay is not None:
                record.replayed = replay
                answer = _Answer(200, None)
                text = recorded_text(replay)
                record.status = 200
                return self._response(answer, text, truncate)
        if answer is None:
            try:
                answer = handler(request, path, params, body)
            except FakeError as err:
                answer = _Answer(err.status, err.body)
        record.status = answer.status
        return self._response(answer, json.dumps(answer.body, ensure_ascii=False), truncate)

    def _response(self, answer: _Answer, text: str, truncate: bool) -> Response:
        data = text.encode("utf-8")
        if truncate:
            data = data[: max(1, len(data) // 2)]
        headers = dict(answer.headers)
        if self.corpus.synthetic:
            headers["x-fake-s2-synthetic"] = "true"
        return Response(
            data, status_code=answer.status, headers=headers, media_type="application/json"
        )

    def _replay(self, method: str, path: str, params: Mapping[str, str], body: Any) -> str | None:
        for r in self.replays:
            if r["method"] != method or r["path"] != path or r.get("body") != body:
                continue
            rp: dict[str, Any] = r["params"]
            if sorted(set(params.get("fields", "").split(","))) != sorted(set(rp["fields"])):
                continue
            if all(
                params.get(k, "0" if k == "offset" else None) == v
                for k, v in rp.items()
                if k != "fields"
            ):
                return str(r["file"])
        return None

    # -- projections -------------------------------------------------------------
    def _author_short(self, a: Mapping[str, Any], subs: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"authorId": a.get("authorId"), "name": a.get("name")}
        if subs and a.get("authorId"):
            rec = self.corpus.author_record(str(a["authorId"]))
            wanted = set(subs) | {"authorId", "name"}
            out = {
                f: rec.get(f, out.get(f)) for f in AUTHOR_FIELDS if f in wanted and f != "papers"
            }
        return out

    def project_paper(
        self,
        p: Paper,
        spec: FieldSpec,
        *,
        nested: bool = False,
        order: Sequence[str] = PAPER_FIELDS,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"paperId": p["paperId"]}
        for f in order:
            if f == "paperId" or not spec.has(f):
                continue
            if f == "authors":
                subs = spec.sub.get("authors", [])
                out[f] = [self._author_short(a, subs) for a in p.get("authors") or []]
            elif f in ("citations", "references") and not nested:
                sub = _nested_spec(spec.sub.get(f))
                edges = (
                    self.corpus.citations_of.get(p["paperId"], [])
                    if f == "citations"
                    else self.corpus.references_of.get(p["paperId"], [])
                )
                out[f] = [
                    self._edge_paper(e, f == "citations", sub, nested=True)
                    for e in edges[:MAX_PAGE]
                ]
            elif f in ("citations", "references"):
                continue
            else:
                out[f] = p.get(f)
        return out

    def _edge_paper(
        self, e: Edge, citing_side: bool, spec: FieldSpec, *, nested: bool = False
    ) -> dict[str, Any]:
        pid = e.citing if citing_side else e.cited
        if pid is not None and pid not in self.null_ids:
            return self.project_paper(
                self.corpus.papers[pid], spec, nested=nested, order=BASE_PAPER_FIELDS
            )
        title = e.cited_title
        if pid is not None:
            title = self.corpus.papers[pid].get("title")
        out: dict[str, Any] = {"paperId": None}
        for f in BASE_PAPER_FIELDS:
            if f != "paperId" and spec.has(f):
                out[f] = title if f == "title" else ([] if f == "authors" else None)
        return out

    def project_author(self, a: Mapping[str, Any], spec: FieldSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"authorId": a["authorId"]}
        for f in AUTHOR_FIELDS:
            if f == "authorId" or not spec.has(f):
                continue
            if f == "papers":
                sub = _nested_spec(spec.sub.get("papers"))
                out[f] = [
                    self.project_paper(
                        self.corpus.papers[pid], sub, nested=True, order=BASE_PAPER_FIELDS
                    )
                    for pid in self.corpus.papers_of_author.get(a["authorId"], [])
                    if pid not in self.null_ids
                ]
            else:
                out[f] = a.get(f)
        return out

    def _paper_spec(self, params: Mapping[str, str]) -> FieldSpec:
        return parse_fields(params.get("fields"), PAPER_FIELDS, ("title",))

    def _lookup(self, raw: str) -> Paper | None:
        pid = self.corpus.resolve(raw)
        if pid is None or pid in self.null_ids:
            return None
        return self.corpus.papers[pid]

    # -- endpoints ---------------------------------------------------------------
    async def _paper_batch(self, request: Request) -> Response:
        return await self._handle(request, self._do_paper_batch)

    def _do_paper_batch(
        self, _r: Request, _p: str, params: Mapping[str, str], body: Any
    ) -> _Answer:
        ids = _batch_ids(body, MAX_BATCH_PAPERS)
        spec = self._paper_spec(params)
        if self.too_large_over is not None and len(ids) > self.too_large_over:
            return _Answer(400, {"error": TOO_LARGE_MESSAGE})
        out: list[dict[str, Any] | None] = []
        for raw in ids:
            p = self._lookup(raw)
            out.append(None if p is None else self.project_paper(p, spec))
        return _Answer(200, out)

    async def _paper_path(self, request: Request) -> Response:
        return await self._handle(request, self._do_paper_path)

    def _do_paper_path(
        self, request: Request, _p: str, params: Mapping[str, str], _b: Any
    ) -> _Answer:
        rest: str = request.path_params["rest"]
        for kind in ("references", "citations", "authors"):
            if rest.endswith("/" + kind):
                return self._paper_list(rest[: -len(kind) - 1], kind, params)
        p = self._lookup(rest)
        if p is None:
            raise FakeError(404, f"Paper with id {rest} not found")
        return _Answer(200, self.project_paper(p, self._paper_spec(params)))

    def _paper_list(self, raw_id: str, kind: str, params: Mapping[str, str]) -> _Answer:
        p = self._lookup(raw_id)
        if p is None:
            raise FakeError(404, f"Paper with id {raw_id} not found")
        offset, limit = _paging(params, default_limit=100, max_limit=MAX_PAGE)
        if kind == "authors":
            spec = parse_fields(params.get("fields"), AUTHOR_FIELDS, ("name",))
            rows = [
                self.project_author(self.corpus.author_record(str(a["authorId"])), spec)
                for a in p.get("authors") or []
                if a.get("authorId")
            ]
            return _Answer(200, _page(rows, offset, limit))
        spec = parse_fields(params.get("fields"), (*EDGE_FIELDS, *BASE_PAPER_FIELDS), ("title",))
        paper_spec = FieldSpec(
            [f for f in spec.top if f not in EDGE_FIELDS] or ["title"],
            {k: v for k, v in spec.sub.items()},
        )
        citing_side = kind == "citations"
        edges = (
            self.corpus.citations_of.get(p["paperId"], [])
            if citing_side
            else self.corpus.references_of.get(p["paperId"], [])
        )
        if citing_side:
            edges = [e for e in edges if e.citing not in self.null_ids]
        items: list[dict[str, Any]] = []
        for e in edges[offset : offset + limit]:
            item: dict[str, Any] = {}
            if spec.has("contexts"):
                item["contexts"] = list(e.contexts)
            if spec.has("intents"):
                item["intents"] = list(e.intents)
            if spec.has("contextsWithIntent"):
                item["contextsWithIntent"] = [
                    {"context": c, "intents": [e.intents[i % len(e.intents)]] if e.intents else []}
                    for i, c in enumerate(e.contexts)
                ]
            if spec.has("isInfluential"):
                item["isInfluential"] = e.is_influential
            key = "citingPaper" if citing_side else "citedPaper"
            item[key] = self._edge_paper(e, citing_side, paper_spec)
            items.append(item)
        return _Answer(200, _paged_body(items, offset, len(edges)))

    async def _search_match(self, request: Request) -> Response:
        return await self._handle(request, self._do_search_match)

    def _do_search_match(self, _r: Request, _p: str, params: Mapping[str, str], _b: Any) -> _Answer:
        query = params.get("query")
        if not query:
            raise FakeError(400, "Missing required parameter: 'query'")
        spec = self._paper_spec(params)
        best = self._best_title_match(query)
        if best is None:
            raise FakeError(404, "Title match not found")
        pid, score = best
        out = self.project_paper(self.corpus.papers[pid], spec)
        out["matchScore"] = score
        return _Answer(200, {"data": [out]})

    def _best_title_match(self, query: str) -> tuple[str, float] | None:
        q = normalise_title(query)
        if not q:
            return None
        exact = [p for p in self.corpus.by_title.get(q, []) if p not in self.null_ids]
        words = len(q.split())
        if exact:
            return exact[0], round(100.0 + words * 1.37 + 0.0123, 5)
        best: tuple[float, str] | None = None
        for key, pids in self.corpus.by_title.items():
            live = [p for p in pids if p not in self.null_ids]
            if not live:
                continue
            # S2 matches a title's leading words too ("mining association rules between").
            ratio = 95.0 if words >= 3 and key.startswith(q) else fuzz.ratio(q, key)
            if ratio >= 85.0 and (best is None or ratio > best[0]):
                best = (ratio, live[0])
        if best is None:
            return None
        return best[1], round(best[0] + words * 1.37 + 0.0123, 5)

    def _search_hits(self, query: str) -> list[str]:
        terms = set(normalise_title(query).split())
        if not terms:
            return []
        scored: list[tuple[float, int, str]] = []
        for pid, p in self.corpus.papers.items():
            if pid in self.null_ids:
                continue
            title_words = set(normalise_title(p.get("title") or "").split())
            abstract_words = set(normalise_title(p.get("abstract") or "").split())
            score = 2.0 * len(terms & title_words) + len(terms & abstract_words)
            if score > 0:
                scored.append((-score, -(p.get("citationCount") or 0), pid))
        return [pid for *_, pid in sorted(scored)]

    async def _search(self, request: Request) -> Response:
        return await self._handle(request, self._do_search)

    def _do_search(self, _r: Request, _p: str, params: Mapping[str, str], _b: Any) -> _Answer:
        query = params.get("query")
        if query is None:
            raise FakeError(400, "Missing required parameter: 'query'")
        spec = self._paper_spec(params)
        offset, limit = _paging(params, default_limit=100, max_limit=MAX_SEARCH_PAGE)
        hits = self._search_hits(query)
        # Relevance search lists the abstract last (as the recorded body does).
        order = [f for f in PAPER_FIELDS if f != "abstract"] + ["abstract"]
        data = [
            self.project_paper(self.corpus.papers[pid], spec, order=order)
            for pid in hits[offset : offset + limit]
        ]
        body: dict[str, Any] = {"total": len(hits), "offset": offset}
        if offset + limit < len(hits):
            body["next"] = offset + limit
        if hits:
            body["data"] = data
        return _Answer(200, body)

    async def _search_bulk(self, request: Request) -> Response:
        return await self._handle(request, self._do_search_bulk)

    def _do_search_bulk(self, _r: Request, _p: str, params: Mapping[str, str], _b: Any) -> _Answer:
        query = params.get("query")
        if query is None:
            raise FakeError(400, "Missing required parameter: 'query'")
        spec = self._paper_spec(params)
        start = 0
        if params.get("token"):
            try:
                start = int(base64.b32decode(params["token"]).decode())
            except ValueError as exc:
                raise FakeError(400, "Invalid token") from exc
        hits = sorted(self._search_hits(query))
        page = hits[start : start + MAX_PAGE]
        nxt = start + MAX_PAGE
        token = base64.b32encode(str(nxt).encode()).decode() if nxt < len(hits) else None
        data = [
            self.project_paper(self.corpus.papers[pid], spec, order=BASE_PAPER_FIELDS)
            for pid in page
        ]
        return _Answer(200, {"total": len(hits), "token": token, "data": data})

    async def _author_batch(self, request: Request) -> Response:
        return await self._handle(request, self._do_author_batch)

    def _do_author_batch(
        self, _r: Request, _p: str, params: Mapping[str, str], body: Any
    ) -> _Answer:
        ids = _batch_ids(body, MAX_BATCH_AUTHORS)
        spec = parse_fields(params.get("fields"), AUTHOR_FIELDS, ("name",))
        if self.too_large_over is not None and len(ids) > self.too_large_over:
            return _Answer(400, {"error": TOO_LARGE_MESSAGE})
        out: list[dict[str, Any] | None] = []
        for raw in ids:
            aid = self.corpus.resolve_author(raw)
            out.append(None if aid is None else self.project_author(self.corpus.authors[aid], spec))
        return _Answer(200, out)

    async def _author(self, request: Request) -> Response:
        return await self._handle(request, self._do_author)

    def _do_author(self, request: Request, _p: str, params: Mapping[str, str], _b: Any) -> _Answer:
        raw = request.path_params["author_id"]
        aid = self.corpus.resolve_author(raw)
        if aid is None:
            raise FakeError(404, f"Author with id {raw} not found")
        spec = parse_fields(params.get("fields"), AUTHOR_FIELDS, ("name",))
        return _Answer(200, self.project_author(self.corpus.authors[aid], spec))

    async def _author_search(self, request: Request) -> Response:
        return await self._handle(request, self._do_author_search)

    def _do_author_search(
        self, _r: Request, _p: str, params: Mapping[str, str], _b: Any
    ) -> _Answer:
        query = params.get("query")
        if query is None:
            raise FakeError(400, "Missing required parameter: 'query'")
        spec = parse_fields(params.get("fields"), AUTHOR_FIELDS, ("name",))
        offset, limit = _paging(params, default_limit=100, max_limit=MAX_PAGE)
        terms = set(normalise_title(query).split())
        hits = [
            a
            for a in self.corpus.authors.values()
            if terms & set(normalise_title(str(a.get("name") or "")).split())
        ]
        body: dict[str, Any] = {"total": len(hits), "offset": offset}
        if offset + limit < len(hits):
            body["next"] = offset + limit
        if hits:
            body["data"] = [self.project_author(a, spec) for a in hits[offset : offset + limit]]
        return _Answer(200, body)

    # -- admin (server mode) -------------------------------------------------------
    async def _admin_requests(self, _request: Request) -> Response:
        return Response(
            json.dumps([asdict(r) for r in self.requests]), media_type="application/json"
        )

    async def _admin_faults(self, request: Request) -> Response:
        for f in _faults_from_json(await request.body()):
            self.faults.append(f)
        return Response(json.dumps({"queued": len(self.faults)}), media_type="application/json")

    async def _admin_reset(self, _request: Request) -> Response:
        self.reset()
        return Response("{}", media_type="application/json")

    async def _admin_health(self, _request: Request) -> Response:
        body = {"papers": len(self.corpus.papers), "synthetic": self.corpus.synthetic}
        return Response(json.dumps(body), media_type="application/json")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _nested_spec(subs: Sequence[str] | None) -> FieldSpec:
    top: list[str] = []
    sub: dict[str, list[str]] = {}
    for s in subs or ["title"]:
        head, _, rest = s.partition(".")
        if head not in BASE_PAPER_FIELDS:
            raise FakeError(400, f"Unrecognized or unsupported fields: [{s}]")
        if head not in top:
            top.append(head)
        if rest:
            sub.setdefault(head, []).append(rest)
    return FieldSpec(top, sub)


def _batch_ids(body: Any, maximum: int) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
        raise FakeError(400, "Request body must be a JSON object with an 'ids' list")
    ids = body["ids"]
    if not all(isinstance(i, str) for i in ids):
        raise FakeError(400, "Every id must be a string")
    if len(ids) > maximum:
        raise FakeError(400, f"Cannot process more than {maximum} ids in one request")
    return list(ids)


def _paging(params: Mapping[str, str], *, default_limit: int, max_limit: int) -> tuple[int, int]:
    try:
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", default_limit))
    except ValueError as exc:
        raise FakeError(400, "offset and limit must be integers") from exc
    if offset < 0 or limit < 1:
        raise FakeError(400, "offset must be >= 0 and limit >= 1")
    if limit > max_limit:
        raise FakeError(400, f"The limit parameter must be <= {max_limit}")
    return offset, limit


def _paged_body(items: list[dict[str, Any]], offset: int, total: int) -> dict[str, Any]:
    body: dict[str, Any] = {"offset": offset}
    if offset + len(items) < total:
        body["next"] = offset + len(items)
    body["data"] = items
    return body


def _page(rows: list[dict[str, Any]], offset: int, limit: int) -> dict[str, Any]:
    return _paged_body(rows[offset : offset + limit], offset, len(rows))


def _load_replays() -> list[dict[str, Any]]:
    data = recorded_body("replays.json")
    assert isinstance(data, list)
    return data


def _faults_from_json(raw: bytes | str) -> list[Fault]:
    data = json.loads(raw)
    items = data if isinstance(data, list) else [data]
    return [Fault(**item) for item in items]


def load_corpus(spec: str, *, seed: int = 0) -> FakeCorpus:
    """``recorded`` | ``FILE.json`` (FakeCorpus JSON) | ``titles:SOURCE`` (a page, HF JSON
    or id list, parsed by :mod:`loaders.sources`) | ``datasets:DIR`` (S2 Datasets files)
    | ``synth:N`` (``citekb synth``'s generator, N papers, ``--seed``)."""
    if spec == "recorded":
        return FakeCorpus.recorded()
    if spec.startswith("titles:"):
        from loaders.sources import parse_source

        return corpus_from_titles(parse_source(spec.removeprefix("titles:")), seed=seed)
    if spec.startswith("datasets:"):
        return corpus_from_datasets_dir(spec.removeprefix("datasets:"))
    if spec.startswith("synth:"):
        papers = int(spec.removeprefix("synth:"))
        out = Path(tempfile.mkdtemp(prefix="fake-s2-synth-"))
        return corpus_from_synth(out, SynthConfig(papers=papers, seed=seed))
    return FakeCorpus.load(spec)


async def load_through(
    app: ASGIApp, refs: list[PaperRef], settings: Settings, driver: Driver, **options: Any
) -> tuple[LoadSummary, S2Stats]:
    """``run_load`` of ``refs`` with S2 answered in process by ``app`` (a :class:`FakeS2`
    or a wrapper of one): ``settings``' S2 config and database, ``options`` for the
    rest of ``run_load``. Returns the summary and the S2 client's counts."""
    async with S2Client(settings.s2_config(), transport=httpx.ASGITransport(app=app)) as client:
        summary = await run_load(
            refs, driver=driver, database=settings.neo4j_database, client=client, **options
        )
    return summary, client.stats


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.fake_s2", description="Serve a fake Semantic Scholar Graph API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--corpus", default="recorded", help=load_corpus.__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--api-key", default=None, help="answer 403 unless x-api-key equals this")
    parser.add_argument("--too-large-over", type=int, default=None)
    parser.add_argument(
        "--faults", default=None, help='JSON list of faults, e.g. [{"kind": "429", "times": 3}]'
    )
    parser.add_argument("--no-replay", action="store_true", help="do not replay recorded bodies")
    args = parser.parse_args(list(argv) if argv is not None else None)

    import uvicorn

    fake = FakeS2(
        load_corpus(args.corpus, seed=args.seed),
        replay_recorded=not args.no_replay,
        latency_s=args.latency_ms / 1000.0,
        expected_api_key=args.api_key,
        too_large_over=args.too_large_over,
        admin=True,
    )
    if args.faults:
        fake.faults.extend(_faults_from_json(args.faults))
    sys.stdout.write(
        f"fake-s2: {len(fake.corpus.papers)} papers ({fake.corpus.label}) on "
        f"http://{args.host}:{args.port}{BASE_PATH}\n"
    )
    sys.stdout.flush()
    uvicorn.run(fake, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()


__all__ = [
    "BASE_PATH",
    "FakeCorpus",
    "FakeS2",
    "Fault",
    "RecordedRequest",
    "load_corpus",
    "parse_fields",
]
