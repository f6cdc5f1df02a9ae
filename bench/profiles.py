"""Python profiles for the benchmarks: py-spy on a running process, summarised.

``py-spy`` (PyPI) samples a live process without touching its code; a
benchmark that misses a target records one while it runs and keeps a short
summary: which packages the process spent its active samples in (inclusive)
and the hottest leaf frames. py-spy is optional: without it the summary says so.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

# Package shares are attributed to the innermost frame whose file matches.
PACKAGES = (
    ("neo4j driver", "neo4j/"),
    ("strawberry", "strawberry/"),
    ("graphql-core", "graphql/"),
    ("uvicorn / starlette / h11", ("uvicorn/", "starlette/", "h11/", "httptools/")),
    ("asyncio", "asyncio/"),
    ("citekb graph_api", "graph_api/"),
    ("citekb loaders", "loaders/"),
    ("networkx", "networkx/"),
    ("json", "json/"),
)


def py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def start(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    """Start sampling ``pid`` for ``seconds`` into a raw (collapsed) file; None without py-spy."""
    exe = py_spy()
    if exe is None:
        return None
    return subprocess.Popen(
        [exe, "record", "-p", str(pid), "-d", str(max(1, round(seconds))), "-r", "100",
         "-f", "raw", "-o", str(out), "--nonblocking", "--subprocesses"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    """End a recording early (py-spy writes its file on SIGINT)."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _package(frame: str) -> str | None:
    for name, marks in PACKAGES:
        for mark in (marks,) if isinstance(marks, str) else marks:
            if mark in frame:
                return name
    return None


def summarise(raw: Path, seconds: float, top: int = 12) -> dict[str, Any]:
    """Active samples, share per package (innermost known frame) and hottest leaves."""
    if not raw.exists():
        return {"available": False}
    packages: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        leaves[frames[-1][:140]] += n
        owner = next((p for p in map(_package, reversed(frames)) if p), "other")
        packages[owner] += n
    if total == 0:
        return {"available": True, "activeSamples": 0}
    return {
        "available": True,
        "activeSamples": total,
        "activeShareOfOneCore": round(total / (seconds * 100), 2),
        "packages": {k: round(100 * v / total, 1) for k, v in packages.most_common()},
        "leaves": [[round(100 * v / total, 1), k] for k, v in leaves.most_common(top)],
    }


def render(summary: dict[str, Any], what: str) -> list[str]:
    if not summary.get("available"):
        return [f"- py-spy profile of {what}: not taken (py-spy not installed)"]
    if not summary.get("activeSamples"):
        return [f"- py-spy profile of {what}: no active samples"]
    pk = ", ".join(f"{k} {v}%" for k, v in summary["packages"].items())
    lines = [
        f"- py-spy profile of {what}: busy {summary['activeShareOfOneCore']:.0%} of one core;"
        f" by package (innermost frame): {pk}",
        "- hottest frames: "
        + "; ".join(f"{pct}% `{frame}`" for pct, frame in summary["leaves"][:6]),
    ]
    return lines


def plan_operators(plan: Any, out: list[tuple[int, str, str]]) -> int:
    """Sum the db hits of a PROFILE tree; collect (hits, operator, details) per node."""
    hits = int(plan.get("dbHits") or 0)
    details = str((plan.get("args") or {}).get("Details", ""))[:90]
    out.append((hits, str(plan.get("operatorType", "?")).split("@")[0], details))
    return hits + sum(plan_operators(c, out) for c in plan.get("children", []))
