"""Suite-wide rules: integration tests are never skipped silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Nothing under tests/ reaches the internet: OpenAlex points at a closed
# loopback port and is off unless a test turns it on against the fake
# (tests/fakes/fake_openalex.py). citekb processes started by tests inherit
# this, so their S2-only exit codes stay what those tests assert.
os.environ["OPENALEX_BASE_URL"] = "http://127.0.0.1:9"
os.environ["OPENALEX_ENABLED"] = "false"

_skipped_integration: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "tests/integration/" in report.nodeid:
        _skipped_integration.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A skipped integration test would pass unseen; make the run fail instead.
    if _skipped_integration and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_integration:
        terminalreporter.write_line(
            f"FAIL: {len(_skipped_integration)} integration test(s) were skipped:", red=True
        )
        for nodeid in _skipped_integration:
            terminalreporter.write_line(f"  {nodeid}", red=True)
