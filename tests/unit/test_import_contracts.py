"""The rooms' one-way imports (docs/design.md), enforced by import-linter.

The contracts live in pyproject.toml (``[tool.importlinter]``); this test runs
them so that a wrong-way import fails ``make test``, not a later review.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = 4


def test_every_import_contract_is_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"Contracts: {CONTRACTS} kept, 0 broken." in done.stdout


def test_a_wrong_way_import_is_caught(tmp_path: Path) -> None:
    # The same checker over a copy of the contract and a tiny tree that breaks it:
    # proves the contract is live, not vacuously kept.
    pkg = tmp_path / "loaders"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text("import graph_api.settings\n")
    api = tmp_path / "graph_api"
    api.mkdir()
    (api / "__init__.py").write_text("")
    (api / "settings.py").write_text("")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_packages =\n    loaders\n    graph_api\n\n"
        "[importlinter:contract:one-way]\nname = loaders never import graph_api\n"
        "type = forbidden\nsource_modules =\n    loaders\nforbidden_modules =\n    graph_api\n"
    )
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode != 0
    assert "BROKEN" in done.stdout
    assert "loaders.bad -> graph_api.settings" in done.stdout
