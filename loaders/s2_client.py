"""Semantic Scholar Academic Graph API client: polite, fault-tolerant, cached.

One :class:`S2Client` owns one persistent ``httpx.AsyncClient``. Its transport
is injectable (tests pass ``httpx.ASGITransport(app=FakeS2(...))`` or an
``httpx.MockTransport``), and so are the sleep function, the clock and the
jitter source, so that backoff and rate limiting are tested without waiting.

Politeness and faults
    * A client-side rate limiter (minimum interval ``1 / s2_rate_limit``)
      shared by every task using the client; cache hits do not use it.
    * 429, 5xx, timeouts, transport errors and unparseable (e.g. truncated)
      JSON are retried with exponential backoff and jitter
      (``s2_backoff_base_s * 2**n``, capped at ``s2_backoff_max_s``). A
      ``Retry-After`` header is honoured up to ``s2_max_retry_after_s`` (the
      recorded real 429 carries none). A backoff also holds the shared limiter,
      so concurrent tasks back off together instead of hammering the server.
    * At most ``s2_max_retries`` retries per request and ``s2_retry_budget``
      retries per client; past either, :class:`S2Unavailable` /
      :class:`S2RetryBudgetExceeded` is raised. Every answer received before
      that is in the cache, so a rerun resumes where the load stopped.
    * 403 fails fast (:class:`S2AuthError`): the API key is wrong.
    * 400 saying the response would be too large splits a batch in halves (or
      halves a page size); any other 400 is :class:`S2BadRequest` with the
      server's message. Error bodies: 400/404 are ``{"error": ...}`` (S2
      itself), 403/429/5xx ``{"message": ...}`` (the AWS gateway in front).
    * The ``x-api-key`` header is never logged, and the client's repr does not
      show it.

Cache
    Every validated answer (200, and the definitive 404 / 400 answers) is kept
    on disk by :class:`loaders.s2_cache.S2Cache`, keyed by method + path +
    sorted query + canonical JSON body, so reruns replay, a crashed load
    resumes, and ``offline=True`` serves from the cache alone
    (:class:`S2OfflineMiss` on a miss, and entries of any age are replayed).
    Online, an entry older than its kind's maximum age (:class:`CacheAges`:
    not-found answers hours, reference/citation pages days, details weeks)
    counts as a miss and is fetched again. hishel was considered and not used:
    it keys POST bodies by raw bytes only, has no offline-only mode with a
    typed miss and no per-entry checksum; ``loaders/s2_cache.py`` explains the
    choice in full.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Self, TypedDict, Unpack
from urllib.parse import quote

import httpx

from loaders.config import S2Config
from loaders.s2_cache import (
    CacheAges,
    CachedAnswer,
    S2Cache,
    WallClock,
    answer_kind,
    cache_key,
)

log = logging.getLogger(__name__)

PAPER_BATCH_MAX: Final = 500
AUTHOR_BATCH_MAX: Final = 1000
PAGE_MAX: Final = 1000
# Edge attributes the graph needs on every reference/citation item.
# contextsWithIntent pairs each citing sentence with its intents (stored on
# CITES); contexts alone is kept for answers that lack it.
EDGE_FIELDS: Final = ("isInfluential", "intents", "contexts", "contextsWithIntent")

# S2 has no documented wording for "this answer would be too big"; match the
# phrasings seen for Lambda/API-gateway payload limits rather than one string.
_TOO_LARGE = re.compile(
    r"too\s+large|too\s+big|exceed\w*\s+(the\s+)?(max|limit|size)|maximum\s+(response\s+)?size|"
    r"payload\s+size|response\s+size",
    re.IGNORECASE,
)
_RETRYABLE_STATUS: Final = frozenset({429, 500, 502, 503, 504})
# Answers worth keeping: a success, or a definitive "no" that a rerun would
# get again (404 "not found", 400 "too large" / bad field).
_CACHEABLE_STATUS: Final = frozenset({200, 400, 404})

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
class SourceUnavailable(Exception):
    """A source kept failing past its retry limits (shared with the OpenAlex client).

    ``last_fault`` names the last failure (a status, a timeout) for the summary.
    """

    def __init__(self, message: str, *, last_fault: str | None = None) -> None:
        super().__init__(message)
        self.last_fault = last_fault


class S2Error(Exception):
    """Base of every error the S2 client raises."""


class S2AuthError(S2Error):
    """HTTP 401/403: the S2 API key is wrong (never retried)."""


class S2BadRequest(S2Error):
    """HTTP 400 (or another 4xx) with the server's message."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class S2ResponseTooLarge(S2BadRequest):
    """HTTP 400 saying the answer would be too large (batches split on it)."""


class S2NotFound(S2Error):
    """404 where the method has no 'not found' answer of its own (e.g. references)."""


class S2ProtocolError(S2Error):
    """Well-formed JSON of the wrong shape (e.g. a batch answer of the wrong length)."""


class S2OfflineMiss(S2Error):
    """Offline mode and the answer is not in the cache."""


class S2Unavailable(S2Error, SourceUnavailable):
    """S2 kept failing (429/5xx/timeouts) past the retry limits."""


class S2RetryBudgetExceeded(S2Unavailable):
    """The client's total retry budget is spent."""


class Retryable(Exception):
    """One attempt failed in a way worth retrying (shared with the OpenAlex client)."""

    def __init__(self, fault: str, retry_after: float | None = None) -> None:
        super().__init__(fault)
        self.fault = fault
        self.retry_after = retry_after


# --------------------------------------------------------------------------
# Statistics and rate limiting
# --------------------------------------------------------------------------
@dataclass
class S2Stats:
    """Counters for the load summary."""

    requests_sent: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    cache_stale: int = 0
    cache_writes: int = 0
    cache_corrupt: int = 0
    retries: int = 0
    retry_after_honoured: int = 0
    batch_splits: int = 0
    slept_s: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)

    def count_retry(self, delay_s: float) -> None:
        """One retry, after sleeping ``delay_s``."""
        self.retries += 1
        self.slept_s += delay_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_sent": self.requests_sent,
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "cache_stale": self.cache_stale,
            "cache_writes": self.cache_writes,
            "cache_corrupt": self.cache_corrupt,
            "retries": self.retries,
            "retry_after_honoured": self.retry_after_honoured,
            "batch_splits": self.batch_splits,
            "slept_s": round(self.slept_s, 3),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "faults": dict(sorted(self.faults.items())),
        }


class RateLimiter:
    """Minimum interval between request starts, shared by all tasks of a client.

    ``defer(seconds)`` pushes the next slot back (a backoff), so every task
    waits, not only the one that saw the 429.
    """

    def __init__(self, rate_per_s: float, *, clock: Clock, sleep: Sleep) -> None:
        self.interval = 1.0 / rate_per_s if rate_per_s > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = asyncio.Lock()
        self.waited_s = 0.0

    def defer(self, seconds: float) -> None:
        self._next = max(self._next, self._clock() + seconds)

    async def acquire(self) -> None:
        # Holding the lock while sleeping queues waiters in arrival order.
        async with self._lock:
            wait = self._next - self._clock()
            if wait > 0:
                self.waited_s += wait
                await self._sleep(wait)
            self._next = max(self._next, self._clock()) + self.interval


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_delay(
    retries: int,
    retry_after: float | None,
    *,
    base_s: float,
    max_s: float,
    max_retry_after_s: float,
    rng: random.Random,
    stats: S2Stats,
) -> float:
    """Seconds before retry ``retries + 1``: ``Retry-After`` (capped) when sent, else
    exponential with "equal jitter" (at least half the step ``base * 2**retries``,
    capped at ``max_s``, never above it).

    >>> stats = S2Stats()
    >>> backoff_delay(0, 90.0, base_s=1, max_s=60, max_retry_after_s=60.0,
    ...               rng=random.Random(0), stats=stats), stats.retry_after_honoured
    (60.0, 1)
    >>> 2.0 <= backoff_delay(2, None, base_s=1, max_s=60, max_retry_after_s=60,
    ...                      rng=random.Random(0), stats=stats) <= 4.0
    True
    """
    if retry_after is not None:
        stats.retry_after_honoured += 1
        return min(retry_after, max_retry_after_s)
    ceiling = min(max_s, base_s * (2.0**retries))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


async def send_counted(
    http: httpx.AsyncClient, request: httpx.Request, *, timeout_s: float, stats: S2Stats
) -> tuple[httpx.Response, bytes]:
    """Send one request and read its body; timeouts and transport errors are :class:`Retryable`.

    The outer timeout also bounds transports that ignore httpx's own timeouts
    (ASGITransport runs the app inline).
    """
    stats.requests_sent += 1
    try:
        async with asyncio.timeout(timeout_s):
            response = await http.send(request)
            payload = response.content
    except (TimeoutError, httpx.TimeoutException):
        raise Retryable("timeout") from None
    except httpx.TransportError as exc:
        raise Retryable(f"transport error {type(exc).__name__}") from None
    stats.statuses[response.status_code] += 1
    return response, payload


def _error_message(body: Any) -> str:
    """The message of an S2 error body: ``{"error"}`` from S2, ``{"message"}`` from the gateway."""
    if isinstance(body, str):
        text = body
        try:
            body = json.loads(text)
        except ValueError:
            return text[:200]
    if isinstance(body, dict):
        msg = body.get("error") or body.get("message")
        if msg:
            return str(msg)
    return json.dumps(body)[:200]


def _fields_param(fields: Sequence[str] | str) -> str:
    if isinstance(fields, str):
        return fields
    return ",".join(dict.fromkeys(fields))


# --------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------
class Paging(TypedDict, total=False):
    """How a reference or citation list is paged: ``limit`` items per request (at most
    :data:`PAGE_MAX`, the default) and ``max_items`` in all (``None``: every item)."""

    limit: int
    max_items: int | None


class HttpSession:
    """A client over one persistent httpx client (``_http``), closed on leaving ``async with``,
    with one rate limiter and one retry budget.

    Shared by the S2 and OpenAlex clients: one connection pool per load, and
    one way of spending a retry (:meth:`_schedule_retry`).
    """

    _http: httpx.AsyncClient
    _limiter: RateLimiter
    _retries_left: int
    stats: S2Stats

    def _backoff(self, retries: int, retry_after: float | None) -> float:
        raise NotImplementedError

    def _schedule_retry(self, retries: int, fault: Retryable, what: str, max_retries: int) -> int:
        """Spend one retry: back off (``Retry-After`` honoured), count it, log it, defer the
        next request; returns the retries made so far for ``what`` (the request)."""
        delay = self._backoff(retries, fault.retry_after)
        retries += 1
        self._retries_left -= 1
        self.stats.count_retry(delay)
        logging.getLogger(type(self).__module__).warning(
            "%s: %s; retry %d/%d in %.1f s", what, fault.fault, retries, max_retries, delay
        )
        self._limiter.defer(delay)
        return retries

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()


class S2Client(HttpSession):
    """Async client of the S2 Graph API; see the module docstring for behaviour."""

    def __init__(
        self,
        config: S2Config,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        offline: bool | None = None,
        use_cache: bool = True,
        cache_namespace: str | None = None,
        cache_ages: CacheAges | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        now: WallClock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._base_url = config.base_url.rstrip("/")
        self._timeout_s = config.timeout_s
        self._max_retries = config.max_retries
        self._retry_budget_total = config.retry_budget
        self._retries_left = config.retry_budget
        self._max_retry_after_s = config.max_retry_after_s
        self._backoff_base_s = config.backoff_base_s
        self._backoff_max_s = config.backoff_max_s
        self.offline = config.offline if offline is None else offline
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock: Clock = clock or time.monotonic
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._limiter = RateLimiter(config.rate_limit, clock=self._clock, sleep=self._sleep)
        # The namespace keeps answers from different servers (the real API, a
        # fake) apart in one cache directory; tests may pin it.
        self._namespace = cache_namespace or config.cache_namespace or self._base_url
        caching = (use_cache or self.offline) and config.cache_dir is not None
        self.cache = S2Cache(config.cache_dir, now=now) if caching and config.cache_dir else None
        # Offline replays whatever the cache holds, however old; online, an
        # explicit ``cache_ages`` (a refresh) overrides the configured ages.
        self.cache_ages: CacheAges | None = (
            None if self.offline else (cache_ages if cache_ages is not None else config.cache_ages)
        )
        self.stats = S2Stats()
        self.has_api_key = config.api_key is not None
        headers = {"user-agent": "citekb/0.1 (citation-graph loader)"}
        if config.api_key is not None:
            headers["x-api-key"] = config.api_key
        self._http = httpx.AsyncClient(
            base_url=self._base_url + "/",
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(self._timeout_s),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return (
            f"S2Client(base_url={self._base_url!r}, api_key={'set' if self.has_api_key else None},"
            f" rate={1 / self._limiter.interval if self._limiter.interval else 'unlimited'}/s,"
            f" offline={self.offline})"
        )

    @property
    def retries_left(self) -> int:
        return self._retries_left

    # -- public API ---------------------------------------------------------
    async def paper_batch(
        self, ids: Sequence[str], fields: Sequence[str] | str, *, batch_size: int = PAPER_BATCH_MAX
    ) -> list[dict[str, Any] | None]:
        """``POST /paper/batch``: one answer per id, in order; None where S2 has no such paper."""
        return await self._batch("paper/batch", ids, fields, min(batch_size, PAPER_BATCH_MAX))

    async def author_batch(
        self, ids: Sequence[str], fields: Sequence[str] | str, *, batch_size: int = AUTHOR_BATCH_MAX
    ) -> list[dict[str, Any] | None]:
        """``POST /author/batch``: one answer per id, in order; None where unknown."""
        return await self._batch("author/batch", ids, fields, min(batch_size, AUTHOR_BATCH_MAX))

    async def paper(self, paper_id: str, fields: Sequence[str] | str) -> dict[str, Any] | None:
        """``GET /paper/{id}``; None on 404."""
        status, body = await self._call(
            "GET", f"paper/{self._quote_id(paper_id)}", {"fields": _fields_param(fields)}
        )
        if status == 404:
            return None
        if not isinstance(body, dict):
            raise S2ProtocolError(f"paper {paper_id}: expected an object")
        return body

    async def search_match(self, title: str, fields: Sequence[str] | str) -> dict[str, Any] | None:
        """``GET /paper/search/match``: the single best title match, or None (404)."""
        status, body = await self._call(
            "GET", "paper/search/match", {"query": title, "fields": _fields_param(fields)}
        )
        if status == 404:
            return None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise S2ProtocolError("search/match: expected {'data': [...]}")
        if not data:
            return None
        first = data[0]
        if not isinstance(first, dict):
            raise S2ProtocolError("search/match: expected an object in data")
        return first

    def references(
        self, paper_id: str, fields: Sequence[str] | str, **paging: Unpack[Paging]
    ) -> AsyncIterator[dict[str, Any]]:
        """Items ``{citedPaper, isInfluential, intents, contexts, ...}``, paged via offset/next."""
        return self._pages(paper_id, "references", fields, **paging)

    def citations(
        self, paper_id: str, fields: Sequence[str] | str, **paging: Unpack[Paging]
    ) -> AsyncIterator[dict[str, Any]]:
        """Items ``{citingPaper, isInfluential, intents, contexts, ...}``, paged via offset/next."""
        return self._pages(paper_id, "citations", fields, **paging)

    # -- batches and pages --------------------------------------------------
    async def _batch(
        self, path: str, ids: Sequence[str], fields: Sequence[str] | str, size: int
    ) -> list[dict[str, Any] | None]:
        fields_s = _fields_param(fields)
        out: list[dict[str, Any] | None] = []
        for start in range(0, len(ids), size):
            out.extend(await self._batch_chunk(path, list(ids[start : start + size]), fields_s))
        return out

    async def _batch_chunk(
        self, path: str, ids: list[str], fields: str
    ) -> list[dict[str, Any] | None]:
        if not ids:
            return []
        try:
            _, body = await self._call("POST", path, {"fields": fields}, {"ids": ids})
        except S2ResponseTooLarge:
            if len(ids) == 1:
                raise
            self.stats.batch_splits += 1
            half = len(ids) // 2
            log.info("S2 %s: answer too large for %d ids, splitting in halves", path, len(ids))
            first = await self._batch_chunk(path, ids[:half], fields)
            return first + await self._batch_chunk(path, ids[half:], fields)
        if not isinstance(body, list) or len(body) != len(ids):
            raise S2ProtocolError(
                f"{path}: expected a list of {len(ids)} answers, got "
                f"{len(body) if isinstance(body, list) else type(body).__name__}"
            )
        return [item if isinstance(item, dict) else None for item in body]

    async def _pages(
        self,
        paper_id: str,
        kind: str,
        fields: Sequence[str] | str,
        *,
        limit: int = PAGE_MAX,
        max_items: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        wanted = [f for f in _fields_param(fields).split(",") if f]
        fields_s = ",".join(dict.fromkeys([*EDGE_FIELDS, *wanted]))
        limit = max(1, min(limit, PAGE_MAX))
        offset = 0
        seen = 0
        path = f"paper/{self._quote_id(paper_id)}/{kind}"
        while max_items is None or seen < max_items:
            page = limit if max_items is None else min(limit, max_items - seen)
            params: dict[str, str | int] = {"fields": fields_s, "offset": offset, "limit": page}
            try:
                status, body = await self._call("GET", path, params)
            except S2ResponseTooLarge:
                if page <= 1:
                    raise
                limit = max(1, page // 2)
                self.stats.batch_splits += 1
                continue
            if status == 404:
                raise S2NotFound(f"{kind} of {paper_id}: {_error_message(body)}")
            if not isinstance(body, dict):
                raise S2ProtocolError(f"{kind} of {paper_id}: expected an object")
            data = body.get("data") or []
            for item in data:
                if max_items is not None and seen >= max_items:
                    return
                seen += 1
                yield item
            nxt = body.get("next")
            if nxt is None or not data:
                return
            offset = int(nxt)

    # -- one request, with cache, limiter and retries ------------------------
    @staticmethod
    def _quote_id(paper_id: str) -> str:
        # Bare DOIs and URL: ids carry '/' and ':' which S2 takes literally.
        return quote(paper_id, safe="/:")

    async def _call(
        self,
        method: str,
        path: str,
        params: dict[str, str | int],
        body: Any = None,
    ) -> tuple[int, Any]:
        """Return (status, parsed JSON) for 200 and 404; raise for the rest.

        A 400 raises :class:`S2ResponseTooLarge` when the server says the answer
        would be too large, else :class:`S2BadRequest`; both are cached too,
        so an offline replay takes the same path.
        """
        key = cache_key(method, path, params, body, namespace=self._namespace)
        if self.cache is not None:
            corrupt_before = self.cache.corrupt_entries
            stale_before = self.cache.stale_entries
            hit = self.cache.get(key, ages=self.cache_ages)
            self.stats.cache_corrupt += self.cache.corrupt_entries - corrupt_before
            self.stats.cache_stale += self.cache.stale_entries - stale_before
            if hit is not None:
                self.stats.cache_hits += 1
                return self._answer(hit.status, json.loads(hit.payload))
            self.stats.cache_misses += 1
        if self.offline:
            raise S2OfflineMiss(f"offline and not cached: {method} /{path} {params}")
        answer, parsed = await self._fetch_with_retries(method, path, params, body)
        if self.cache is not None and answer.status in _CACHEABLE_STATUS:
            self.cache.put(
                key,
                method=method,
                url=f"/{path}?" + "&".join(f"{k}={v}" for k, v in params.items()),
                body=body,
                status=answer.status,
                payload=answer.payload,
                kind=answer_kind(path, answer.status, parsed),
            )
            self.stats.cache_writes += 1
        return self._answer(answer.status, parsed)

    @staticmethod
    def _answer(status: int, parsed: Any) -> tuple[int, Any]:
        if status == 400:
            message = _error_message(parsed)
            if _TOO_LARGE.search(message):
                raise S2ResponseTooLarge(message)
            raise S2BadRequest(message)
        return status, parsed

    async def _fetch_with_retries(
        self, method: str, path: str, params: dict[str, str | int], body: Any
    ) -> tuple[CachedAnswer, Any]:
        retries = 0
        while True:
            try:
                return await self._attempt(method, path, params, body)
            except Retryable as fault:
                self.stats.faults[fault.fault] += 1
                if retries >= self._max_retries:
                    raise S2Unavailable(
                        f"S2 still failing after {retries} retries of {method} /{path}"
                        f" (last: {fault.fault}); answers so far are cached, a rerun resumes",
                        last_fault=fault.fault,
                    ) from None
                if self._retries_left <= 0:
                    raise S2RetryBudgetExceeded(
                        f"S2 retry budget of {self._retry_budget_total} spent"
                        f" (last: {fault.fault} on {method} /{path});"
                        f" {self.stats.cache_writes} answers cached, a rerun resumes",
                        last_fault=fault.fault,
                    ) from None
                retries = self._schedule_retry(
                    retries, fault, f"S2 {method} /{path}", self._max_retries
                )

    def _backoff(self, retries: int, retry_after: float | None) -> float:
        return backoff_delay(
            retries,
            retry_after,
            base_s=self._backoff_base_s,
            max_s=self._backoff_max_s,
            max_retry_after_s=self._max_retry_after_s,
            rng=self._rng,
            stats=self.stats,
        )

    async def _attempt(
        self, method: str, path: str, params: dict[str, str | int], body: Any
    ) -> tuple[CachedAnswer, Any]:
        await self._limiter.acquire()
        request = self._http.build_request(
            method, path, params=params, json=body if body is not None else None
        )
        started = time.perf_counter()
        response, payload_bytes = await send_counted(
            self._http, request, timeout_s=self._timeout_s, stats=self.stats
        )
        status = response.status_code
        log.debug(
            "S2 %s /%s -> %d (%.0f ms)",
            method,
            path,
            status,
            1000 * (time.perf_counter() - started),
        )
        payload = payload_bytes.decode("utf-8", errors="replace")
        if status in (401, 403):
            raise S2AuthError(
                f"the S2 API key is wrong (HTTP {status}: {_error_message(payload)});"
                " check S2_API_KEY"
            )
        if status in _RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise Retryable(f"HTTP {status}", retry_after)
        if status not in _CACHEABLE_STATUS:
            raise S2BadRequest(
                f"S2 answered HTTP {status}: {_error_message(payload)}", status=status
            )
        try:
            parsed = json.loads(payload)
        except ValueError:
            # A body cut short (proxy, dropped connection) is a transient fault.
            raise Retryable("invalid JSON") from None
        return CachedAnswer(status=status, payload=payload), parsed
