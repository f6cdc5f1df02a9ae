"""Who may run a mutation, and how often: the API key check and the rate limiter.

Mutations (``loadPapers``, ``recomputeAnalytics``) write to the graph and call
Semantic Scholar, so they sit behind ``CITEKB_API_KEY``:

* **No key configured** (the default): every mutation is refused with
  ``MUTATIONS_DISABLED``. Nothing can write through the API until an
  operator sets a key.
* **The key** travels as ``Authorization: Bearer <key>`` (a header, never a
  GraphQL argument, so it is not part of a query document that might be
  logged). It is compared with :func:`hmac.compare_digest` on the UTF-8
  bytes, which takes the same time wherever the first difference is.
  A missing or wrong key is ``UNAUTHENTICATED``.
* **Rate limits** are token buckets kept in process memory: one per key
  (identified by a hash of it, the key itself is never stored as a dict key
  or logged), and for *failed* attempts one per client address plus one for
  all clients together, so guessing from many addresses is throttled too.
  A bucket holds ``API_MUTATION_BURST`` tokens and refills at
  ``API_MUTATIONS_PER_MINUTE`` (the all-clients bucket:
  ``API_AUTH_FAILURES_BURST`` and ``API_AUTH_FAILURES_PER_MINUTE``); an empty
  bucket answers ``RATE_LIMITED`` with the seconds to wait. With several API
  workers each process has its own buckets (the documented limit is per
  process).
* **The key is compared before any failure bucket is looked at.** The right
  key is never refused because someone else (or a typo from the same
  address) used up a failure bucket: failure buckets only decide whether a
  *wrong* key is answered ``UNAUTHENTICATED`` or ``RATE_LIMITED``. Guessing
  stays hopeless because the key is long and random; the buckets bound the
  attempts logged and answered in detail.
* **The client address** is the connection's peer. ``X-Forwarded-For`` is
  honoured only when ``API_TRUST_FORWARDED_FOR`` says a proxy in front sets
  it (``citekb serve`` passes it to uvicorn's proxy-header handling, off by
  default), so a client cannot pick a fresh failure bucket per request.

>>> gate = MutationGate(Settings(citekb_api_key="s3cret", api_mutation_burst=1))
>>> gate.admit("Bearer s3cret", "10.0.0.1")[:4]
'key:'
>>> try:
...     gate.admit("Bearer s3cret", "10.0.0.1")
... except RateLimited as exc:
...     print(exc.code)
RATE_LIMITED
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from graph_api.service.errors import PublicError
from graph_api.settings import Settings

log = logging.getLogger("citekb.api.mutations")

# Failed-attempt buckets are kept for at most this many client addresses
# (least recently used dropped first), so a flood of spoofed-looking
# addresses cannot grow memory without bound.
MAX_CLIENT_BUCKETS = 4096

Clock = Callable[[], float]


class MutationsDisabled(PublicError):
    code = "MUTATIONS_DISABLED"


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"


class RateLimited(PublicError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class TokenBucket:
    """``capacity`` tokens, refilled continuously at ``rate_per_s``.

    >>> now = [0.0]
    >>> b = TokenBucket(capacity=2, rate_per_s=0.5, clock=lambda: now[0])
    >>> b.take(), b.take(), b.take()
    (0.0, 0.0, 2.0)
    >>> now[0] = 2.0
    >>> b.take()
    0.0
    """

    capacity: float
    rate_per_s: float
    clock: Clock
    tokens: float = -1.0
    updated: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity
            self.updated = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate_per_s)
        self.updated = now

    def take(self) -> float:
        """0.0 when a token was taken, else the seconds until one is available."""
        self._refill()
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        if self.rate_per_s <= 0:
            return float("inf")
        return (1.0 - self.tokens) / self.rate_per_s

    def empty(self) -> bool:
        self._refill()
        return self.tokens < 1.0


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an ``Authorization: Bearer <token>`` header, else ``None``.

    >>> bearer_token("Bearer abc"), bearer_token("bearer  abc "), bearer_token("Basic abc")
    ('abc', 'abc', None)
    >>> bearer_token(None), bearer_token("Bearer")
    (None, None)
    """
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def key_matches(given: str, configured: str) -> bool:
    """Constant-time comparison of two keys (as UTF-8 bytes, so any text is accepted).

    >>> key_matches("abc", "abc"), key_matches("abd", "abc"), key_matches("", "abc")
    (True, False, False)
    """
    return hmac.compare_digest(given.encode("utf-8"), configured.encode("utf-8"))


def key_id(key: str) -> str:
    """A stable, non-reversible name for a key (bucket and job owner); never the key."""
    return "key:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class MutationGate:
    """The key check and rate limiter one app instance applies to every mutation."""

    def __init__(self, settings: Settings, *, clock: Clock = time.monotonic) -> None:
        self._key = settings.citekb_api_key
        self._capacity = float(max(settings.api_mutation_burst, 1))
        self._rate = max(settings.api_mutations_per_minute, 0.0) / 60.0
        self._clock = clock
        self._key_buckets: dict[str, TokenBucket] = {}
        self._client_buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._all_failures = TokenBucket(
            capacity=float(max(settings.api_auth_failures_burst, 1)),
            rate_per_s=max(settings.api_auth_failures_per_minute, 0.0) / 60.0,
            clock=clock,
        )
        # Failed attempts seen, in total and per client address (bounded like
        # the buckets), for the log and for operators.
        self.failures_total = 0
        self.failures_by_client: OrderedDict[str, int] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self._key is not None and bool(self._key.get_secret_value())

    def _bucket(self) -> TokenBucket:
        return TokenBucket(capacity=self._capacity, rate_per_s=self._rate, clock=self._clock)

    def _client_bucket(self, client: str) -> TokenBucket:
        bucket = self._client_buckets.get(client)
        if bucket is None:
            bucket = self._client_buckets[client] = self._bucket()
            while len(self._client_buckets) > MAX_CLIENT_BUCKETS:
                self._client_buckets.popitem(last=False)
        else:
            self._client_buckets.move_to_end(client)
        return bucket

    def _limited(self, wait: float, what: str) -> RateLimited:
        seconds = max(1, round(wait + 0.5)) if wait != float("inf") else 3600
        return RateLimited(f"too many {what}; retry in {seconds} s", float(seconds))

    def admit(self, authorization: str | None, client: str) -> str:
        """The caller's key id when the mutation may run; else a :class:`PublicError`."""
        if not self.enabled:
            raise MutationsDisabled(
                "mutations are disabled on this server: it has no CITEKB_API_KEY configured"
            )
        assert self._key is not None
        given = bearer_token(authorization)
        if given is not None and key_matches(given, self._key.get_secret_value()):
            return self._admit_key(given)
        self._count_failure(client)
        failures = self._client_bucket(client)
        for bucket, what in (
            (failures, "failed mutation attempts from this client"),
            (self._all_failures, "failed mutation attempts on this server"),
        ):
            if bucket.empty():
                log.warning("mutation refused: %s (%s)", what, client)
                raise self._limited(bucket.take(), what)
        failures.take()
        self._all_failures.take()
        log.warning(
            "mutation refused: %s API key from %s (%d failures from it, %d in total)",
            "missing" if given is None else "invalid",
            client,
            self.failures_by_client[client],
            self.failures_total,
        )
        if given is None:
            raise Unauthenticated(
                "mutations need the API key: send the header `Authorization: Bearer <key>`"
            )
        raise Unauthenticated("the API key sent in `Authorization: Bearer` is not valid")

    def _admit_key(self, key: str) -> str:
        owner = key_id(key)
        bucket = self._key_buckets.get(owner)
        if bucket is None:
            bucket = self._key_buckets[owner] = self._bucket()
        wait = bucket.take()
        if wait > 0:
            log.warning("mutation refused: rate limit of %s", owner)
            raise self._limited(wait, "mutations with this API key")
        return owner

    def _count_failure(self, client: str) -> None:
        self.failures_total += 1
        self.failures_by_client[client] = self.failures_by_client.get(client, 0) + 1
        self.failures_by_client.move_to_end(client)
        while len(self.failures_by_client) > MAX_CLIENT_BUCKETS:
            self.failures_by_client.popitem(last=False)
