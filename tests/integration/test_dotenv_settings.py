"""A password set only in ``.env`` (as docker compose reads it) reaches citekb's driver.

``citekb db status`` runs in a folder whose ``.env`` holds ``NEO4J_PASSWORD``
and with no ``NEO4J_PASSWORD`` in its environment: the right password logs in
to the test Neo4j, a wrong one is refused by Neo4j itself (so the value came
from the file and went to the driver).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import Neo4jHandle

CITEKB = [sys.executable, "-m", "graph_api.cli.main"]


def status_with_dotenv(
    neo4j: Neo4jHandle, folder: Path, password: str
) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".env").write_text(f"# as docker compose reads it\nNEO4J_PASSWORD={password}\n")
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    assert neo4j.settings.neo4j_uri is not None
    env.update(
        NEO4J_URI=neo4j.settings.neo4j_uri, NEO4J_USER=neo4j.settings.neo4j_user, COLUMNS="200"
    )
    return subprocess.run(
        [*CITEKB, "db", "status"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dotenv_password_reaches_the_driver(neo4j: Neo4jHandle, tmp_path: Path) -> None:
    right = neo4j.settings.neo4j_password.get_secret_value()
    ok = status_with_dotenv(neo4j, tmp_path / "right", right)
    assert ok.returncode == 0, ok.stderr
    assert "server:" in ok.stdout

    wrong = status_with_dotenv(neo4j, tmp_path / "wrong", right + "-but-not-this")
    assert wrong.returncode == 1
    assert "rejected the configured NEO4J_USER/NEO4J_PASSWORD" in " ".join(wrong.stderr.split())
