"""Loose ends of issue 11: forwarded addresses and cross-origin reads (errors raised while
validating are a unit test over a stub driver: tests/unit/test_api_refusals.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from graph_api.server import playground
from graph_api.settings import Settings
from tests.integration.api.api_support import Api
from tests.integration.process_support import citekb_serve

KEY = "loose-ends-key-8f2a61c3"
MUTATION = "mutation { recomputeAnalytics { id } }"


@contextmanager
def serving(settings: Settings, folder: Path, **env: str) -> Iterator[str]:
    """`citekb serve` with a key and a small failure bucket."""
    playground.install_assets(settings)  # no-op when the cache has them
    limits = {"CITEKB_API_KEY": KEY, "API_MUTATION_BURST": "3", "API_MUTATIONS_PER_MINUTE": "0.1"}
    with citekb_serve(settings, folder / "serve.log", **limits, **env) as base:
        yield base


def _guess_codes(base: str, addresses: list[str]) -> list[str]:
    codes = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for address in addresses:
            response = client.post(
                "/graphql",
                json={"query": MUTATION},
                headers={"authorization": "Bearer wrong", "x-forwarded-for": address},
            )
            codes.append(response.json()["errors"][0]["extensions"]["code"])
    return codes


def test_forwarded_addresses_are_trusted_only_when_the_settings_say_so(
    synth_graph: Settings, tmp_path: Path
) -> None:
    rotating = [f"203.0.113.{i}" for i in range(5)]
    # Default: X-Forwarded-For is ignored, so rotating it gives no fresh bucket.
    with serving(synth_graph, tmp_path) as base:
        assert _guess_codes(base, rotating) == ["UNAUTHENTICATED"] * 3 + ["RATE_LIMITED"] * 2
    # Behind a proxy the operator declares, each forwarded address has its own bucket.
    with serving(synth_graph, tmp_path, API_TRUST_FORWARDED_FOR="true") as base:
        assert _guess_codes(base, rotating) == ["UNAUTHENTICATED"] * 5


async def test_no_cross_origin_access_by_default(api: Api) -> None:
    response = await api.client.get(
        "/graphql",
        params={"query": "{ stats { papers } }"},
        headers={"origin": "https://evil.example", "accept": "application/json"},
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = await api.client.options(
        "/graphql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
