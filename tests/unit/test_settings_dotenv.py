"""Settings read `.env` in the working directory, as docker compose does; the environment wins."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from graph_api.settings import Settings
from loaders.config import HTTP_POLICY, OpenAlexConfig, S2Config


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


@pytest.mark.parametrize("prefix", ["S2", "OPENALEX"])
def test_each_clients_pacing_and_retries_come_from_its_own_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prefix: str
) -> None:
    """Every HTTP_POLICY field of a client config is read from `<PREFIX>_<FIELD>`, and only
    that client's config changes; unset, each takes its config's own default."""
    monkeypatch.chdir(tmp_path)
    defaults = Settings()
    values = {"max_retries": 9, "retry_budget": 77, "backoff_max_s": 2.5, "timeout_s": 4.0}
    for name, value in values.items():
        monkeypatch.setenv(f"{prefix}_{name.upper()}", str(value))
    changed, other = (
        (Settings().s2_config(), defaults.openalex_config())
        if prefix == "S2"
        else (Settings().openalex_config(), defaults.s2_config())
    )
    for name, value in values.items():
        assert getattr(changed, name) == value
    unchanged = Settings().openalex_config() if prefix == "S2" else Settings().s2_config()
    assert unchanged == other
    assert (S2Config().max_retries, OpenAlexConfig().max_retries) == (
        defaults.s2_config().max_retries,
        defaults.openalex_config().max_retries,
    )
    assert set(HTTP_POLICY) <= {f.name for f in fields(S2Config)} & {
        f.name for f in fields(OpenAlexConfig)
    }
