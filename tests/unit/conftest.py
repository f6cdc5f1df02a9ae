"""Unit tests need no service: point every setting that reaches one at nowhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_api.settings import get_settings


@pytest.fixture(autouse=True)
def _no_services(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # Port 9 (discard) on loopback is closed here: a unit test that tries to
    # reach Neo4j or S2 fails fast instead of touching a developer's server.
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("S2_BASE_URL", "http://127.0.0.1:9/graph/v1")
    monkeypatch.setenv("CITEKB_CACHE_DIR", str(tmp_path / "citekb-cache"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
