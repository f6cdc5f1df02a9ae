"""What the loaders need to know about their surroundings, as plain frozen values.

Loaders never read the environment and never import ``graph_api``: the one
settings module (``graph_api/settings.py``) builds these objects and the CLI,
the API's jobs and the benches hand them in. That keeps ``loaders`` usable as a
library (a notebook can build an :class:`S2Config` by hand) and keeps the
import graph one-way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from loaders.s2_cache import CacheAges

# How a client paces and retries its requests (loaders/http_session.py reads
# them): the fields S2Config and OpenAlexConfig both have, each with its own
# defaults; the settings module fills them from ``S2_*`` and ``OPENALEX_*``.
HTTP_POLICY: tuple[str, ...] = (
    "rate_limit",
    "timeout_s",
    "max_retries",
    "retry_budget",
    "max_retry_after_s",
    "backoff_base_s",
    "backoff_max_s",
)


@dataclass(frozen=True, repr=False)
class S2Config:
    """How to reach and treat the Semantic Scholar Graph API.

    ``api_key`` is a plain string here; :meth:`__repr__` never shows it, so a
    config that ends up in a log line or a traceback does not leak the key.
    """

    base_url: str = "https://api.semanticscholar.org/graph/v1"
    api_key: str | None = None
    # Requests per second; S2 grants 1 req/s to a key, less without one.
    rate_limit: float = 1.0
    timeout_s: float = 30.0
    max_retries: int = 6
    retry_budget: int = 50
    max_retry_after_s: float = 60.0
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    offline: bool = False
    cache_dir: Path | None = None
    cache_namespace: str | None = None
    # How long each kind of cached answer is trusted (loaders/s2_cache.py).
    cache_ages: CacheAges = field(default_factory=CacheAges)

    def __repr__(self) -> str:
        return (
            f"S2Config(base_url={self.base_url!r}, api_key={'set' if self.api_key else None}, "
            f"rate_limit={self.rate_limit}, offline={self.offline})"
        )


@dataclass(frozen=True, repr=False)
class OpenAlexConfig:
    """How to reach and treat the OpenAlex API (built by ``graph_api/settings.py``).

    ``enabled`` False skips the OpenAlex phase of a load. ``repr`` shows
    neither the key nor the address.
    """

    base_url: str = "https://api.openalex.org"
    api_key: str | None = None
    mailto: str | None = None
    enabled: bool = True
    # DOIs per /works request (OpenAlex ORs at most 100 values in one filter).
    batch_size: int = 100
    # OpenAlex allows 100 requests/s; a loader has no reason to go near it.
    rate_limit: float = 5.0
    timeout_s: float = 30.0
    max_retries: int = 5
    retry_budget: int = 30
    max_retry_after_s: float = 60.0
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    offline: bool = False
    cache_dir: Path | None = None
    cache_namespace: str | None = None

    def __repr__(self) -> str:
        return (
            f"OpenAlexConfig(base_url={self.base_url!r}, api_key={'set' if self.api_key else None},"
            f" mailto={'set' if self.mailto else None}, enabled={self.enabled},"
            f" offline={self.offline})"
        )
