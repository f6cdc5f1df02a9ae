"""Suite-wide rules: integration tests are never skipped silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.file_order import longest_first

REPO = Path(__file__).resolve().parent.parent

# Nothing under tests/ reaches the internet: OpenAlex points at a closed
# loopback port and is off unless a test turns it on against the fake
# (tests/fakes/fake_openalex.py). citekb processes started by tests inherit
# this, so their S2-only exit codes stay what those tests assert.
os.environ["OPENALEX_BASE_URL"] = "http://127.0.0.1:9"
os.environ["OPENALEX_ENABLED"] = "false"
# The suite's Neo4j servers compile with C1 only. They live minutes; with
# the JVM's default tiered compiler, C2 compiling the code Cypher generates
# took 197 of the ~380 CPU-seconds the servers used in tests/integration/api
# (2 cores, 28 Nov 2026), the wall time 263 s; with this flag 27 CPU-s and 160 s.
# Set before any Settings() is built, and inherited by the citekb commands
# tests start (`citekb db up` in test_make_run). A user's servers keep the defaults.
os.environ.setdefault("NEO4J_JVM_OPTIONS", "-XX:TieredStopAtLevel=1")

_skipped_integration: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)
    # In an xdist worker (make test), the longest files first: tests/file_order.py.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items[:] = longest_first(items)


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
