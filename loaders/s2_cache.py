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
answers carry no useful caching headers and a load wants "replay exactly what
we saw", not "what is fresh".

Layout: ``<dir>/<key[:2]>/<key>.json``, each file
``{"format", "key", "method", "url", "body", "status", "stored_at", "sha256", "payload"}``
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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class CachedAnswer:
    status: int
    payload: str


class S2Cache:
    """One JSON file per answer under ``directory``; see the module docstring."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.corrupt_entries = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedAnswer | None:
        """The stored answer, or None when absent or damaged (a damaged file is removed)."""
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
        return CachedAnswer(status=status, payload=payload)

    def put(
        self,
        key: str,
        *,
        method: str,
        url: str,
        body: Any,
        status: int,
        payload: str,
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
            "stored_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
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
