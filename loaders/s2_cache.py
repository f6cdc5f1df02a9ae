"""On-disk cache of Semantic Scholar answers, keyed by request content.

Why not hishel (1.4, installed)? Its ``AsyncCacheProxy`` can be told to cache
POST (``CacheOptions(supported_methods=[..., "POST"])``) and to key a request
by its body (``FilterPolicy`` + ``use_body_key``), but that key is the sha256
of the raw body bytes alone, and the loader needs more than hishel offers:

* an **offline** mode that answers from the cache only and raises a typed
  miss, without ever building a request to send;
* a **checksum per entry**, so a file damaged by a crash or a full disk is
  detected, dropped and fetched again instead of being replayed as garbage;
* keys that ignore the ``x-api-key`` header and the order of query
  parameters, and that are computed from the canonical JSON body (sorted keys,
  no whitespace), so the same batch always hits whatever client built it;
* entries a person can read (one JSON file per answer) and that survive a
  ``SIGKILL`` mid-write (temporary file + ``os.replace``, the atomic rename);
* storing only answers the S2 client has *already validated* (parsed JSON of
  the expected kind), which is a decision made after the HTTP layer.

So this is a small cache of its own (about a hundred lines). The HTTP
semantics hishel implements (freshness, revalidation) do not apply: S2
answers carry no useful caching headers.

Freshness is ours instead (:class:`CacheAges`): every entry records the
*kind* of answer it holds, and each kind has a maximum age after which a
lookup treats the entry as absent, so the client fetches it again and the
knowledge base picks up what S2 learnt since:

* ``not_found`` (hours): a 404, a ``null`` in a batch answer, an empty title
  match. A paper too new for S2 today is usually there tomorrow.
* ``lists`` (days): a page of a paper's references or citations. New
  citations arrive continuously; references almost never change.
* ``details`` (weeks): everything else (paper and author records).

Within those ages a rerun replays exactly what the first run saw, which is
what makes a killed load resume into the same graph. A stale entry is not
deleted: offline mode (``ages=None``) still replays it, and the fresh answer
simply replaces it. Entries written before kinds existed are classified from
their stored URL, status and payload.

Layout: ``<dir>/<key[:2]>/<key>.json``, each file
``{"format", "key", "method", "url", "body", "status", "kind", "stored_at", "sha256", "payload"}``
where ``payload`` is the response text and ``sha256`` its checksum.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

AnswerKind = Literal["not_found", "lists", "details"]
WallClock = Callable[[], datetime.datetime]

log = logging.getLogger(__name__)

CACHE_FORMAT = 1


def canonical_body(body: Any) -> str | None:
    """The JSON text a body is keyed by: sorted keys, no whitespace; lists keep their order."""
    if body is None:
        return None
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cache_key(
    method: str,
    path: str,
    params: Mapping[str, str | int],
    body: Any,
    *,
    namespace: str,
) -> str:
    """sha256 over namespace + method + path + sorted query + canonical body."""
    query = "&".join(f"{k}={params[k]}" for k in sorted(params))
    text = "\n".join([namespace, method.upper(), path, query, canonical_body(body) or ""])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


HOUR_S = 3600.0
DAY_S = 24 * HOUR_S


@dataclass(frozen=True)
class CacheAges:
    """The maximum age, in seconds, of each kind of cached answer (``None``: no limit).

    Built by the settings module from ``S2_MAX_AGE_*``; the defaults are the
    documented freshness rules (docs/operations.md).

    >>> CacheAges().max_age("not_found") / HOUR_S, CacheAges().max_age("lists") / DAY_S
    (6.0, 7.0)
    >>> CacheAges.refresh_all().max_age("details")
    0.0
    """

    not_found_s: float | None = 6 * HOUR_S
    lists_s: float | None = 7 * DAY_S
    details_s: float | None = 28 * DAY_S

    def max_age(self, kind: AnswerKind) -> float | None:
        if kind == "not_found":
            return self.not_found_s
        if kind == "lists":
            return self.lists_s
        return self.details_s

    @classmethod
    def forever(cls) -> CacheAges:
        """Replay every entry, however old (offline mode, pinned test replays)."""
        return cls(not_found_s=None, lists_s=None, details_s=None)

    @classmethod
    def refresh_all(cls) -> CacheAges:
        """Every entry is stale: ``citekb load --refresh`` asks S2 again for everything."""
        return cls(not_found_s=0.0, lists_s=0.0, details_s=0.0)


def answer_kind(path: str, status: int, parsed: Any) -> AnswerKind:
    """Which freshness rule an answer falls under (see the module docstring).

    ``path`` is the request path (a leading ``/`` and a query string are
    ignored); ``parsed`` the answer's JSON.

    >>> answer_kind("paper/batch", 200, [{"paperId": "a"}, None])
    'not_found'
    >>> answer_kind("/paper/abc/citations?offset=0", 200, {"data": []})
    'lists'
    >>> answer_kind("paper/search/match", 404, {"error": "Title match not found"})
    'not_found'
    >>> answer_kind("author/batch", 200, [{"authorId": "1"}])
    'details'
    """
    path = path.split("?", 1)[0].strip("/")
    if status == 404:
        return "not_found"
    if path.endswith("/references") or path.endswith("/citations"):
        return "lists"
    if path.endswith("/batch") and isinstance(parsed, list) and any(x is None for x in parsed):
        # One unknown id makes the whole batch answer worth asking again soon.
        return "not_found"
    if path.endswith("search/match") and isinstance(parsed, dict) and not parsed.get("data"):
        return "not_found"
    return "details"


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class CachedAnswer:
    status: int
    payload: str


class S2Cache:
    """One JSON file per answer under ``directory``; see the module docstring."""

    def __init__(self, directory: Path, *, now: WallClock | None = None) -> None:
        self.directory = Path(directory)
        self.corrupt_entries = 0
        self.stale_entries = 0
        # Injectable so tests can step past a maximum age without waiting.
        self._now: WallClock = now or _utcnow

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str, *, ages: CacheAges | None = None) -> CachedAnswer | None:
        """The stored answer, or None when absent, damaged or older than ``ages`` allows.

        A damaged file is removed; a stale one is kept (counted in
        :attr:`stale_entries`) until the fresh answer replaces it.
        """
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            entry = json.loads(raw)
            payload = entry["payload"]
            status = int(entry["status"])
            ok = (
                entry.get("format") == CACHE_FORMAT
                and entry.get("key") == key
                and isinstance(payload, str)
                and hashlib.sha256(payload.encode("utf-8")).hexdigest() == entry.get("sha256")
            )
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            # A torn or tampered entry must never be replayed: drop it so the
            # caller fetches the answer again and rewrites it.
            self.corrupt_entries += 1
            log.warning("S2 cache entry %s is damaged; it will be fetched again", path.name)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return None
        if ages is not None and self._is_stale(entry, ages):
            self.stale_entries += 1
            return None
        return CachedAnswer(status=status, payload=payload)

    def _is_stale(self, entry: Mapping[str, Any], ages: CacheAges) -> bool:
        kind = entry.get("kind")
        if kind not in ("not_found", "lists", "details"):
            try:
                parsed = json.loads(entry["payload"])
            except ValueError:
                parsed = None
            kind = answer_kind(str(entry.get("url") or ""), int(entry["status"]), parsed)
        max_age = ages.max_age(kind)
        if max_age is None:
            return False
        try:
            stored = datetime.datetime.fromisoformat(str(entry.get("stored_at")))
        except ValueError:
            return True  # an entry that cannot say when it was stored is not trusted as fresh
        if stored.tzinfo is None:
            stored = stored.replace(tzinfo=datetime.UTC)
        return (self._now() - stored).total_seconds() >= max_age

    def put(
        self,
        key: str,
        *,
        method: str,
        url: str,
        body: Any,
        status: int,
        payload: str,
        kind: AnswerKind = "details",
    ) -> None:
        """Store an answer atomically (temporary file in the same directory, then rename)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {
            "format": CACHE_FORMAT,
            "key": key,
            "method": method.upper(),
            "url": url,
            "body": canonical_body(body),
            "status": status,
            "kind": kind,
            "stored_at": self._now().isoformat(timespec="seconds"),
            "sha256": hashlib.sha256(payload.encode("utf-8")).hexdigest(),
            "payload": payload,
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def __len__(self) -> int:
        if not self.directory.exists():
            return 0
        return sum(1 for _ in self.directory.glob("??/*.json"))
