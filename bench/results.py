"""Where benchmark figures go: raw JSON in ``bench/results/``, a section in BENCHMARKS.md.

Each benchmark run owns one section of ``bench/BENCHMARKS.md``, delimited by
``<!-- bench:<name>:p<papers> -->`` markers, and rewrites only that section,
so the small ``make bench`` run and the full 100k run sit side by side and
the hand-written analysis around them is kept. Every section starts with the
command, the machine (cores, memory, load), the Neo4j heap and page cache and
the date, as read at the time of the run.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
BENCHMARKS_MD = BENCH_DIR / "BENCHMARKS.md"


def _meminfo() -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            name, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                out[name] = int(parts[0]) * 1024
    except OSError:
        pass
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=BENCH_DIR.parent, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    """What the figures were measured on, read now."""
    mem = _meminfo()
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memTotalBytes": mem.get("MemTotal"),
        "memAvailableBytes": mem.get("MemAvailable"),
        "loadAverage": load_average(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "treeDirty": bool(status) if status is not None else None,
    }


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def command_line() -> str:
    module = sys.argv[0]
    if module.endswith(".py"):
        module = "bench." + Path(module).stem
    return shlex.join(["python", "-m", module, *sys.argv[1:]])


def new_payload(benchmark: str, **extra: Any) -> dict[str, Any]:
    """The record every benchmark opens with (what ran, when, on what), then ``extra``."""
    return {
        "benchmark": benchmark,
        "command": command_line(),
        "date": now_iso(),
        "machine": machine(),
        **extra,
    }


def gib(n: int | None) -> str:
    return "?" if n is None else f"{n / 2**30:.1f} GiB"


def mib(n: int | None) -> str:
    return "?" if n is None else f"{n / 2**20:,.0f} MiB"


def write_json(name: str, papers: int, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-p{papers}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_json(name: str, papers: int) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{name}-p{papers}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def header_lines(payload: dict[str, Any]) -> list[str]:
    """The command / machine / Neo4j / date lines every section opens with."""
    m = payload["machine"]
    neo = payload.get("neo4j") or {}
    end_load = payload.get("loadAverageAtEnd")
    lines = [
        f"- command: `{payload['command']}`",
        f"- date: {payload['date']} (commit {m.get('commit')}"
        f"{', uncommitted changes in tracked files' if m.get('treeDirty') else ''})",
        f"- machine: {m['cores']} cores ({m['cpu']}), {gib(m['memTotalBytes'])} memory"
        f" ({gib(m['memAvailableBytes'])} available at start), Python {m['python']}",
        f"- load average (1/5/15 min) at start: {' / '.join(map(str, m['loadAverage']))}"
        + (f"; at end: {' / '.join(map(str, end_load))}" if end_load else "")
        + " (the 2 cores are shared with other engineers' work)",
        f"- Neo4j {neo.get('version', '?')} ({neo.get('how', '?')}): heap {neo.get('heap') or '?'},"
        f" page cache {neo.get('pagecache') or '?'}",
    ]
    if "corpus" in payload:
        c = payload["corpus"]
        lines.append(
            f"- corpus: `citekb synth --papers {c['papers']} --seed {c['seed']}` (synthetic):"
            f" {c['papers']:,} papers, {c['citations']:,} citations, {c['authors']:,} authors"
        )
    return lines


def update_section(name: str, papers: int, title: str, body: list[str]) -> Path:
    """Replace (or append) this benchmark's section for this size in BENCHMARKS.md."""
    start = f"<!-- bench:{name}:p{papers} start -->"
    end = f"<!-- bench:{name}:p{papers} end -->"
    block = "\n".join([start, f"### {title}", "", *body, end])
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        anchor = f"<!-- bench:{name.partition('-')[0]}:sections -->"
        if anchor in text:
            text = text.replace(anchor, anchor + "\n\n" + block, 1)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    return BENCHMARKS_MD


def table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out
