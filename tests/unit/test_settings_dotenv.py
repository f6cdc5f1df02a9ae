"""Settings read `.env` in the working directory, as docker compose does; the environment wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_api.settings import Settings


def test_the_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mp = monkeypatch
    (tmp_path / ".env").write_text("NEO4J_PASSWORD=from-file\nAPI_PORT=9100\n")
    mp.chdir(tmp_path)
    mp.delenv("NEO4J_PASSWORD", raising=False)
    mp.delenv("API_PORT", raising=False)
    assert Settings().neo4j_password.get_secret_value() == "from-file"
    assert Settings().api_port == 9100
    mp.setenv("NEO4J_PASSWORD", "from-env")
    assert Settings().neo4j_password.get_secret_value() == "from-env"
