"""OpenAlex ``/works`` client: batched DOI look-ups, polite, fault-tolerant, cached.

OpenAlex is citekb's second source: S2 rarely knows where an author worked
when they wrote a paper (its ``affiliations`` are per person and nearly always
empty), while every OpenAlex work lists ``authorships[].institutions[]`` with
ROR ids, country, type and lineage, plus a topic hierarchy. This client only
does what the loader needs: fetch the works of many DOIs at once.

Requests
    ``GET /works?filter=doi:<a>|<b>|...&select=<fields>&per_page=100&page=n``:
    one OR filter of at most :data:`DOI_FILTER_MAX` DOIs (OpenAlex's
    documented maximum of values OR-ed in one filter, which is also the
    maximum ``per_page``), ``select=`` only the root fields the row builders
    read (:data:`WORK_SELECT`). A page that reports more results than it holds
    (two works sharing a DOI) is followed by the next ``page``. arXiv papers
    are found under their DataCite DOI ``10.48550/arXiv.<id>``.

Politeness and faults (built like :mod:`loaders.s2_client`, sharing its
rate limiter and statistics)
    * A client-side rate limiter shared by every task of the client.
    * 429, 403 (OpenAlex documents it as "rate limit exceeded; slow down"),
      5xx, timeouts, transport errors and unparseable (truncated) JSON are
      retried with exponential backoff and equal jitter, honouring
      ``Retry-After`` up to ``max_retry_after_s``; at most ``max_retries``
      per request and ``retry_budget`` per client, then
      :class:`OpenAlexUnavailable`. Answers received before that are cached.
    * 400 is :class:`OpenAlexBadRequest` with OpenAlex's message.
    * ``mailto`` and ``api_key`` travel as query parameters (OpenAlex's
      documented way) but are left out of cache keys, the stored URL and
      ``repr``, and a filter on httpx's logger (which logs every request URL
      at INFO) redacts them, so neither a cache entry nor a log leaks the key.

Cache
    Every validated answer is kept by :class:`loaders.s2_cache.S2Cache` (the
    same checksummed, atomic one-file-per-answer cache as S2's, under its own
    namespace), so a killed load resumes and ``offline=True`` replays from
    the cache alone (:class:`OpenAlexOfflineMiss` on a miss).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Sequence
from typing import Any, Final

import httpx

from loaders.config import OpenAlexConfig
from loaders.rows import bare_doi
from loaders.s2_cache import CachedAnswer, S2Cache, cache_key
from loaders.s2_client import (
    Clock,
    HttpSession,
    RateLimiter,
    Retryable,
    S2Stats,
    Sleep,
    SourceUnavailable,
    backoff_delay,
    parse_retry_after,
    send_counted,
)

__all__ = [
    "DOI_FILTER_MAX",
    "WORK_SELECT",
    "OpenAlexBadRequest",
    "OpenAlexClient",
    "OpenAlexConfig",
    "OpenAlexError",
    "OpenAlexOfflineMiss",
    "OpenAlexUnavailable",
]

log = logging.getLogger(__name__)

# OpenAlex's documented limits: up to 100 values OR-ed in one filter, and
# per_page at most 100, so one request answers one full batch.
DOI_FILTER_MAX: Final = 100
PER_PAGE_MAX: Final = 100
# Root fields the row builders read (loaders/openalex_rows.py).
WORK_SELECT: Final = ("id", "doi", "publication_year", "authorships", "primary_topic", "topics")
# Characters that are syntax inside an OpenAlex filter value.
_FILTER_SYNTAX: Final = frozenset("|,")
_RETRYABLE_STATUS: Final = frozenset({403, 429, 500, 502, 503, 504})


_SECRET_PARAM = re.compile(r"((?:api_key|mailto)=)[^&\s\"']*")


class _RedactQueryCredentials(logging.Filter):
    """httpx logs every request URL at INFO; the key travels in the query, so cut it there."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message or "mailto=" in message:
            record.msg = _SECRET_PARAM.sub(r"\1[redacted]", message)
            record.args = ()
        return True


def _redact_httpx_logs() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactQueryCredentials) for f in httpx_log.filters):
        httpx_log.addFilter(_RedactQueryCredentials())


class OpenAlexError(Exception):
    """Base of every error the OpenAlex client raises."""


class OpenAlexBadRequest(OpenAlexError):
    """HTTP 400 (or another unexpected 4xx) with OpenAlex's message."""


class OpenAlexProtocolError(OpenAlexError):
    """Well-formed JSON of the wrong shape."""


class OpenAlexOfflineMiss(OpenAlexError):
    """Offline mode and the answer is not in the cache."""


class OpenAlexUnavailable(OpenAlexError, SourceUnavailable):
    """OpenAlex kept failing past the retry limits (or the client's budget)."""


def _message(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        return text[:200]
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message") if body.get(k)]
        if parts:
            return ": ".join(parts)
    return text[:200]


def filterable_doi(doi: str | None) -> str | None:
    """The bare DOI if it can stand inside an OR filter, else ``None``.

    >>> filterable_doi("https://doi.org/10.48550/arXiv.2001.08361")
    '10.48550/arxiv.2001.08361'
    >>> filterable_doi("10.1000/a,b") is None
    True
    """
    bare = bare_doi(doi)
    if bare is None or any(ch in _FILTER_SYNTAX for ch in bare):
        return None
    return bare


class OpenAlexClient(HttpSession):
    """Async client of OpenAlex ``/works``; see the module docstring."""

    def __init__(
        self,
        config: OpenAlexConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        offline: bool | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._config = config
        self._base_url = config.base_url.rstrip("/")
        self.offline = config.offline if offline is None else offline
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock: Clock = clock or time.monotonic
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._limiter = RateLimiter(config.rate_limit, clock=self._clock, sleep=self._sleep)
        self._retries_left = config.retry_budget
        self._namespace = "openalex:" + (config.cache_namespace or self._base_url)
        self.cache = S2Cache(config.cache_dir) if config.cache_dir is not None else None
        self.stats = S2Stats()
        self._private = {
            k: v for k, v in (("api_key", config.api_key), ("mailto", config.mailto)) if v
        }
        if self._private:
            _redact_httpx_logs()
        self._http = httpx.AsyncClient(
            base_url=self._base_url + "/",
            transport=transport,
            headers={"user-agent": "citekb/0.1 (citation-graph loader)"},
            timeout=httpx.Timeout(config.timeout_s),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"OpenAlexClient({self._config!r})"

    @property
    def batch_size(self) -> int:
        """DOIs per request: the configured size, at most :data:`DOI_FILTER_MAX`."""
        return max(1, min(self._config.batch_size, DOI_FILTER_MAX))

    @property
    def retries_left(self) -> int:
        return self._retries_left

    # -- public API ---------------------------------------------------------
    async def works_by_doi(
        self, dois: Sequence[str], *, batch_size: int | None = None
    ) -> dict[str, dict[str, Any]]:
        """The works OpenAlex has for ``dois``, keyed by bare lower-case DOI.

        DOIs OpenAlex does not know are simply absent. Batches go out in the
        order given, so a rerun asks exactly the same questions (and hits the
        cache for every one a killed run already had answered).
        """
        wanted = list(dict.fromkeys(d for d in (filterable_doi(x) for x in dois) if d))
        size = max(1, min(batch_size or self.batch_size, DOI_FILTER_MAX))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            for work in await self._works_filter("doi:" + "|".join(chunk)):
                doi = bare_doi(work.get("doi") if isinstance(work.get("doi"), str) else None)
                if doi is not None and doi in chunk:
                    found.setdefault(doi, work)
        return found

    async def _works_filter(self, filter_value: str) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, str | int] = {
                "filter": filter_value,
                "select": ",".join(WORK_SELECT),
                "per_page": PER_PAGE_MAX,
                "page": page,
            }
            body = await self._call("works", params)
            items = body.get("results")
            meta = body.get("meta")
            if not isinstance(items, list) or not isinstance(meta, dict):
                raise OpenAlexProtocolError("/works: expected {'meta': {...}, 'results': [...]}")
            results.extend(item for item in items if isinstance(item, dict))
            count = meta.get("count")
            if not items or not isinstance(count, int) or page * PER_PAGE_MAX >= count:
                return results
            page += 1

    # -- one request, with cache, limiter and retries ------------------------
    async def _call(self, path: str, params: dict[str, str | int]) -> dict[str, Any]:
        key = cache_key("GET", path, params, None, namespace=self._namespace)
        if self.cache is not None:
            corrupt_before = self.cache.corrupt_entries
            hit = self.cache.get(key)
            self.stats.cache_corrupt += self.cache.corrupt_entries - corrupt_before
            if hit is not None:
                self.stats.cache_hits += 1
                return self._answer(hit)
            self.stats.cache_misses += 1
        if self.offline:
            raise OpenAlexOfflineMiss(f"offline and not cached: GET /{path} {params}")
        answer = await self._fetch_with_retries(path, params)
        if self.cache is not None:
            self.cache.put(
                key,
                method="GET",
                url=f"/{path}?" + "&".join(f"{k}={v}" for k, v in params.items()),
                body=None,
                status=answer.status,
                payload=answer.payload,
            )
            self.stats.cache_writes += 1
        return self._answer(answer)

    @staticmethod
    def _answer(answer: CachedAnswer) -> dict[str, Any]:
        if answer.status != 200:
            message = _message(answer.payload)
            raise OpenAlexBadRequest(f"OpenAlex answered HTTP {answer.status}: {message}")
        body = json.loads(answer.payload)
        if not isinstance(body, dict):
            raise OpenAlexProtocolError("/works: expected a JSON object")
        return body

    async def _fetch_with_retries(self, path: str, params: dict[str, str | int]) -> CachedAnswer:
        retries = 0
        while True:
            try:
                return await self._attempt(path, params)
            except Retryable as fault:
                self.stats.faults[fault.fault] += 1
                if retries >= self._config.max_retries or self._retries_left <= 0:
                    why = (
                        f"after {retries} retries"
                        if retries >= self._config.max_retries
                        else f"retry budget of {self._config.retry_budget} spent"
                    )
                    raise OpenAlexUnavailable(
                        f"OpenAlex still failing {why} (last: {fault.fault});"
                        f" {self.stats.cache_writes} answers cached, a rerun resumes",
                        last_fault=fault.fault,
                    ) from None
                retries = self._schedule_retry(
                    retries, fault, f"OpenAlex GET /{path}", self._config.max_retries
                )

    def _backoff(self, retries: int, retry_after: float | None) -> float:
        return backoff_delay(
            retries,
            retry_after,
            base_s=self._config.backoff_base_s,
            max_s=self._config.backoff_max_s,
            max_retry_after_s=self._config.max_retry_after_s,
            rng=self._rng,
            stats=self.stats,
        )

    async def _attempt(self, path: str, params: dict[str, str | int]) -> CachedAnswer:
        await self._limiter.acquire()
        request = self._http.build_request("GET", path, params={**params, **self._private})
        response, payload_bytes = await send_counted(
            self._http, request, timeout_s=self._config.timeout_s, stats=self.stats
        )
        status = response.status_code
        log.debug("OpenAlex GET /%s -> %d", path, status)
        payload = payload_bytes.decode("utf-8", errors="replace")
        if status in _RETRYABLE_STATUS:
            raise Retryable(
                f"HTTP {status}", parse_retry_after(response.headers.get("retry-after"))
            )
        if status != 200:
            # A 400 is definitive (a bad filter); it is not cached, so a fixed
            # client asks again.
            raise OpenAlexBadRequest(f"OpenAlex answered HTTP {status}: {_message(payload)}")
        try:
            json.loads(payload)
        except ValueError:
            raise Retryable("invalid JSON") from None
        return CachedAnswer(status=status, payload=payload)
