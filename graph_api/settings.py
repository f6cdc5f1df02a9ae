"""The one place citekb reads its environment.

Every other module takes a :class:`Settings` (or calls :func:`get_settings`);
nothing else touches ``os.environ``. Secrets are ``SecretStr`` so that they
never show up in a repr, a log line or a traceback.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from loaders.config import HTTP_POLICY, OpenAlexConfig, S2Config
from loaders.s2_cache import DAY_S, HOUR_S, CacheAges


def _default_cache_dir() -> Path:
    # Kept outside the repository so that a clean clone never carries jars,
    # databases or S2 responses, and a second clone reuses the same cache.
    return Path.home() / ".cache" / "citekb"


def default_api_workers(cores: int | None) -> int:
    """One uvicorn worker per core, at least 1, at most 4.

    Neo4j runs on the same machine and needs CPU too. Before compiled reads
    (graph_api/service/compiled_reads.py) each request cost milliseconds of
    Python and a second worker did not pay on the 2-core bench machine (one
    run: 12.0 req/s with two workers against 20.1 with one, lookups at 16
    clients; another about the same). With compiled reads a request costs
    well under a millisecond of the API's CPU and the API no longer saturates
    while Neo4j waits: in the same alternating rounds at 100k papers, two
    workers gave 1,601 req/s against one worker's 1,195 (a paper's first 10
    citations, 16 clients) with p99 104 ms against 253, and more requests and
    a shorter tail on every query of the peer table (bench/BENCHMARKS.md,
    "Issue 11 targets"). Above 4, workers on one machine mostly add copies of
    the analytics projection (about 0.7 GiB each at 100k papers).

    >>> default_api_workers(2), default_api_workers(4), default_api_workers(16)
    (2, 4, 4)
    >>> default_api_workers(None)
    1
    """
    return max(1, min(4, cores or 1))


class Settings(BaseSettings):
    """citekb configuration; each field maps to the upper-case env variable.

    A ``.env`` file in the working directory is read too, as ``docker compose``
    reads the one beside ``docker-compose.yml``: ``NEO4J_PASSWORD=...`` there
    reaches both the compose Neo4j and citekb's driver. Variables set in the
    environment win over the file, as they do for compose.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    # --- Neo4j -----------------------------------------------------------
    # Unset means "citekb manages the server": docker compose if an engine
    # answers, else the local server fetched from Maven Central.
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("citekb-local-password")
    neo4j_database: str = "neo4j"
    neo4j_version: str = "5.26.30"
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    # Extra JVM flags (space-separated) for the Neo4j servers citekb starts
    # itself. The test suite sets -XX:TieredStopAtLevel=1 (tests/conftest.py):
    # its servers live minutes, and C2's compiles of Cypher's generated code
    # were half their CPU. A long-lived server keeps the JVM's defaults.
    neo4j_jvm_options: str = ""
    neo4j_start_timeout_s: float = 120.0
    # A read that runs longer than this is cancelled by the server.
    neo4j_tx_timeout_s: float = 10.0
    citekb_cache_dir: Path = Field(default_factory=_default_cache_dir)
    # "auto" picks docker when an engine answers, else local; tests and CI
    # may force one.
    citekb_neo4j_mode: str = "auto"

    # --- Semantic Scholar ------------------------------------------------
    s2_api_key: SecretStr | None = None
    s2_base_url: str = "https://api.semanticscholar.org/graph/v1"
    # Requests per second; S2 grants 1 req/s to a key, less without one.
    s2_rate_limit: float = S2Config.rate_limit
    s2_timeout_s: float = S2Config.timeout_s
    s2_max_retries: int = S2Config.max_retries
    s2_retry_budget: int = S2Config.retry_budget
    s2_max_retry_after_s: float = S2Config.max_retry_after_s
    # Exponential backoff (with jitter) between retries of 429/5xx/timeouts
    # when the server sends no Retry-After: base * 2**retry, capped.
    s2_backoff_base_s: float = S2Config.backoff_base_s
    s2_backoff_max_s: float = S2Config.backoff_max_s
    # Serve S2 answers from the on-disk cache only; a miss is an error.
    s2_offline: bool = False
    # How long a cached S2 answer is trusted before it is asked again
    # (loaders/s2_cache.py, docs/operations.md "Freshness"): "not found"
    # answers in hours (a paper too new for S2 today is there tomorrow),
    # reference/citation pages in days (new citations), details in days
    # (weeks by default). `citekb load --refresh` ignores them all once.
    s2_max_age_not_found_h: float = 6.0
    s2_max_age_lists_d: float = 7.0
    s2_max_age_details_d: float = 28.0
    # Cache entries are keyed by server; unset means s2_base_url. Pin it when
    # the same server moves (a fake S2 restarted on another port) to keep hits.
    s2_cache_namespace: str | None = None
    # --- OpenAlex (organisations, ORCIDs, topic hierarchy; loaders/openalex_client.py) --
    # False skips the OpenAlex phase of `citekb load` (the summary says so).
    openalex_enabled: bool = True
    openalex_base_url: str = "https://api.openalex.org"
    # Sent as the documented query parameters; never cached, logged or shown.
    openalex_api_key: SecretStr | None = None
    openalex_mailto: SecretStr | None = None
    # DOIs per /works request; 100 is OpenAlex's maximum (more is clamped).
    openalex_batch_size: int = 100
    openalex_rate_limit: float = OpenAlexConfig.rate_limit
    openalex_timeout_s: float = OpenAlexConfig.timeout_s
    openalex_max_retries: int = OpenAlexConfig.max_retries
    openalex_retry_budget: int = OpenAlexConfig.retry_budget
    openalex_max_retry_after_s: float = OpenAlexConfig.max_retry_after_s
    openalex_backoff_base_s: float = OpenAlexConfig.backoff_base_s
    openalex_backoff_max_s: float = OpenAlexConfig.backoff_max_s
    openalex_cache_namespace: str | None = None
    # `citekb load` writes what it has read every this many rows or seconds,
    # whichever comes first: a crash loses at most that much (the S2 answers
    # themselves are cached and replayed by the rerun).
    load_flush_rows: int = 2000
    load_flush_interval_s: float = 5.0

    # Per-paper analytics say how much of a paper's neighbourhood the graph
    # holds against S2's counts (graph_api/analytics/coverage.py); below this
    # share the disruption index is null, with the reason.
    analytics_min_coverage: float = Field(default=0.8, ge=0.0, le=1.0)

    # --- API -------------------------------------------------------------
    citekb_api_key: SecretStr | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # uvicorn worker processes of `citekb serve` (default: one per core, at
    # most 4; see default_api_workers). Loads and analytics keep one writer at a
    # time across them through a lease in Neo4j (graph_api/store/writer_lease.py).
    api_workers: int = Field(default_factory=lambda: default_api_workers(os.cpu_count()))
    # Origins whose pages may call the API from a browser; none by default (the
    # playground is served by the API itself, same origin, and needs none).
    api_cors_origins: list[str] = Field(default_factory=list)
    api_introspection: bool = True
    api_max_depth: int = 10
    api_max_aliases: int = 30
    api_max_tokens: int = 2000
    api_max_page_size: int = 100
    api_max_rows: int = 5000
    api_max_body_bytes: int = 100_000
    # Estimated cost one request may have (graph_api/service/admission.py; each
    # field's cost is in docs/graphql.md). Above it: COST_LIMIT_EXCEEDED, nothing runs.
    api_max_cost: int = 5000
    # Parsed and validated documents kept per process (by the hash of their text).
    api_document_cache_entries: int = 1000
    # Plain data queries (paper, papers, references, citations, authors) of a
    # validated document answered by a compiled plan instead of graphql-core's
    # per-field execution (graph_api/service/compiled_reads.py); false: always
    # the normal execution.
    api_compiled_reads: bool = True
    # uvicorn's event loop and HTTP parser: "auto" takes uvloop and httptools
    # (dependencies) when importable; "asyncio" / "h11" force the pure-Python
    # ones (the bench compares them).
    api_loop: Literal["auto", "asyncio", "uvloop"] = "auto"
    api_http: Literal["auto", "h11", "httptools"] = "auto"
    # Answers kept per process between two graph versions (bytes of response
    # bodies; 0 turns the response cache off), automatic persisted queries
    # remembered, and how often the graph version is read (seconds): an answer
    # may lag a load's first write by that long (graph_api/service/graph_http.py).
    api_response_cache_bytes: int = 64_000_000
    api_persisted_queries: int = 1000
    api_graph_poll_s: float = 1.0
    # How long an API read retries a transient Neo4j failure (refused
    # connection, restart) before the client gets SERVICE_UNAVAILABLE. Loads
    # keep the driver's own 30 s: they ride out a restart; a GraphQL client
    # and the process's startup must not wait that long for a dead database.
    api_neo4j_retry_s: float = 2.0
    # Per-request analytics (graph_api/service/analytics_pool.py): worker threads,
    # the deadline after which the client gets TIMEOUT and the work is told to
    # stop, and results kept per graph version.
    api_analytics_concurrency: int = 2
    api_analytics_timeout_s: float = 20.0
    api_analytics_cache_entries: int = 1000
    # Read the projection in the background as soon as the API starts (else on
    # the first request that needs it); after a load it is always re-read.
    api_projection_at_startup: bool = True
    # `citekb analytics` stores PageRank personalised on every topic with at
    # least this many papers (its best `analytics_topic_top` papers), so
    # influentialPapers(topic:, personalized: true) is an index read.
    analytics_topic_min_papers: int = 20
    analytics_topic_top: int = 200
    # Mutations (loadPapers, recomputeAnalytics; graph_api/service/mutation_auth.py,
    # graph_api/service/jobs.py): a token bucket per API key (and per client address
    # for failed attempts) of this many requests, refilled at this rate.
    api_mutation_burst: int = 5
    api_mutations_per_minute: float = 10.0
    # Failed mutation attempts (wrong or missing key) from all clients together.
    api_auth_failures_burst: int = 50
    api_auth_failures_per_minute: float = 30.0
    # X-Forwarded-For names the client only behind a proxy that sets it:
    # `citekb serve` hands these to uvicorn's proxy-header handling (off by
    # default, so a client cannot choose its own address).
    api_trust_forwarded_for: bool = False
    api_forwarded_allow_ips: str = "127.0.0.1"
    api_max_load_entries: int = 500
    # Jobs waiting for the one writer beside the running one; more is refused.
    api_max_queued_jobs: int = 4
    # Finished jobs kept in memory (and as Meta:Job nodes in Neo4j).
    api_job_history: int = 100
    # The writer lease (graph_api/store/writer_lease.py): a writer that stops
    # renewing it (a killed process) frees the graph after this long.
    writer_lease_ttl_s: float = 30.0

    @property
    def neo4j_home(self) -> Path:
        return self.citekb_cache_dir / "neo4j" / self.neo4j_version

    @property
    def neo4j_jvm_flags(self) -> tuple[str, ...]:
        """``NEO4J_JVM_OPTIONS`` as the separate flags a command line takes."""
        return tuple(self.neo4j_jvm_options.split())

    @property
    def s2_cache_dir(self) -> Path:
        return self.citekb_cache_dir / "s2-http"

    def _http_policy(self, prefix: Literal["s2", "openalex"]) -> dict[str, Any]:
        """A client config's pacing and retry fields (``HTTP_POLICY``), from the settings
        named ``<prefix>_<field>``: one mapping for both clients."""
        return {name: getattr(self, f"{prefix}_{name}") for name in HTTP_POLICY}

    def s2_config(self) -> S2Config:
        """What the S2 client needs; loaders take this, never :class:`Settings`."""
        key = self.s2_api_key
        return S2Config(
            base_url=self.s2_base_url,
            api_key=key.get_secret_value() if key is not None else None,
            **self._http_policy("s2"),
            offline=self.s2_offline,
            cache_dir=self.s2_cache_dir,
            cache_namespace=self.s2_cache_namespace,
            cache_ages=CacheAges(
                not_found_s=self.s2_max_age_not_found_h * HOUR_S,
                lists_s=self.s2_max_age_lists_d * DAY_S,
                details_s=self.s2_max_age_details_d * DAY_S,
            ),
        )

    def openalex_config(self, *, offline: bool | None = None) -> OpenAlexConfig:
        """What the OpenAlex client needs; offline follows S2's unless given."""
        key, mailto = self.openalex_api_key, self.openalex_mailto
        return OpenAlexConfig(
            base_url=self.openalex_base_url,
            api_key=key.get_secret_value() if key is not None else None,
            mailto=mailto.get_secret_value() if mailto is not None else None,
            enabled=self.openalex_enabled,
            batch_size=self.openalex_batch_size,
            **self._http_policy("openalex"),
            offline=self.s2_offline if offline is None else offline,
            cache_dir=self.citekb_cache_dir / "openalex-http",
            cache_namespace=self.openalex_cache_namespace,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process from the environment."""
    return Settings()
