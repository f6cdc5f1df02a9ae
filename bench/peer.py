"""The peer of ``bench.api``: the Neo4j GraphQL Library over the same Neo4j and graph.

``bench/peer/`` holds a tiny Node program (``server.mjs``): ``@neo4j/graphql``
7 with Apollo Server 4, type definitions mirroring citekb's model
(``typeDefs.graphql``: Paper, Author, ``CITES`` with ``isInfluential`` /
``intents``, ``AUTHORED`` with ``position``), versions pinned by
``package-lock.json``. :func:`ensure_installed` runs ``npm ci`` there (npm
registry only) when ``node_modules`` does not match the lock.

:func:`compare` runs the same logical queries against both APIs (each query a
pair of documents: ``bench/graphql/<name>.graphql`` for citekb and
``bench/graphql/peer/<name>.graphql`` for the peer, each with the fragments it
spreads from its folder's ``fragments.graphql``: ``bench/documents.py``), with wrk at concurrency
1 and 16, the servers alternating run by run (A B, then B A, ...) so that the
shared machine's load falls on both alike; each figure is the median of the
rounds. citekb runs with its response cache off (the targets' condition) and,
when citekb has one, on as well: one ``citekb serve`` process per setting.
Before timing, one answer per sampled paper is fetched from every server and
compared on what both must agree on (counts and sizes), so the two sides are
known to read the same data.

Decisions:
- Ordering: citekb sorts references / citations / papers by citation count
  with a paperId tie-break; the peer's ``sort`` has no tie-break beyond the
  field, so pages may differ among papers with equal counts. The comparison
  checks totals and page sizes, not ids.
- The peer's documents address a paper by ``paperId`` (``papers(where:
  {paperId: {eq: $id}})``): it has no "any id form" lookup; citekb's
  documents pass the same S2-style id.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import profiles, results
from bench.documents import GRAPHQL_DIR, PEER_GRAPHQL_DIR, document
from bench.server import BenchNeo4j, process_cpu_seconds, stop_process

PEER_DIR = results.BENCH_DIR / "peer"
_INSTALLED_MARK = "node_modules/.citekb-lock-sha256"


@dataclass(frozen=True)
class Compared:
    """One logical query: citekb's document, the peer's, their variables."""

    label: str
    document: str  # the same file name under bench/graphql/ and bench/graphql/peer/
    variables: dict[str, Any]  # fixed values; "id" is filled from each sampled paper
    # What both answers must agree on, from each side's JSON "data".
    citekb_check: Callable[[dict[str, Any]], Any]
    peer_check: Callable[[dict[str, Any]], Any]


def _one(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    return items[0] if items else None


def _conn_check(conn: dict[str, Any] | None, nested: str | None = None) -> Any:
    if conn is None:
        return None
    edges = conn.get("edges") or []
    out: list[Any] = [conn.get("totalCount"), len(edges)]
    if nested is not None:
        out.append(sum(len(_nested(e["node"], nested)) for e in edges))
    return out


def _nested(node: dict[str, Any], name: str) -> list[Any]:
    value = node.get(name)
    if isinstance(value, dict):  # the peer's connection form
        return list(value.get("edges") or [])
    return list(value or [])


def _lookup_citekb(d: dict[str, Any]) -> Any:
    p = d.get("paper")
    return p and [p["paperId"], p["title"], p["year"], p["citationCount"], p["venueName"]]


def _lookup_peer(d: dict[str, Any]) -> Any:
    p = _one(d.get("papers") or [])
    return p and [p["paperId"], p["title"], p["year"], p["citationCount"], p["venue"]]


def _refs_citekb(d: dict[str, Any]) -> Any:
    p = d.get("paper")
    return p and _conn_check(p["references"], "authors")


def _refs_peer(d: dict[str, Any]) -> Any:
    p = _one(d.get("papers") or [])
    return p and _conn_check(p["referencesConnection"], "authorsConnection")


def _cits_citekb(d: dict[str, Any]) -> Any:
    p = d.get("paper")
    return p and _conn_check(p["citations"])


def _cits_peer(d: dict[str, Any]) -> Any:
    p = _one(d.get("papers") or [])
    return p and _conn_check(p["citationsConnection"])


def _top_citekb(d: dict[str, Any]) -> Any:
    c = d["papers"]
    return [c["totalCount"], [n["citationCount"] for n in c["nodes"]]]


def _top_peer(d: dict[str, Any]) -> Any:
    c = d["papersConnection"]
    return [c["totalCount"], [e["node"]["citationCount"] for e in c["edges"]]]


# The issue's table, in its order.
COMPARED: tuple[Compared, ...] = (
    Compared("paper by id", "lookup", {}, _lookup_citekb, _lookup_peer),
    Compared(
        "paper + first 20 references (isInfluential, intents) + their first 5 authors",
        "references_authors",
        {"first": 20},
        _refs_citekb,
        _refs_peer,
    ),
    Compared("a paper's first 10 citations", "citations", {"first": 10}, _cits_citekb, _cits_peer),
    Compared(
        "top 20 papers by citation count + totalCount",
        "top_cited",
        {"first": 20},
        _top_citekb,
        _top_peer,
    ),
)


# --- installing and starting the peer ----------------------------------------------
def _lock_digest() -> str:
    return hashlib.sha256((PEER_DIR / "package-lock.json").read_bytes()).hexdigest()


def ensure_installed() -> dict[str, Any]:
    """``npm ci`` in bench/peer unless node_modules already matches package-lock.json."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise SystemExit("the peer needs Node.js 18+ and npm on PATH (Debian: nodejs, npm)")
    mark = PEER_DIR / _INSTALLED_MARK
    digest = _lock_digest()
    took = None
    if not mark.exists() or mark.read_text(encoding="utf-8").strip() != digest:
        started = time.perf_counter()
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEER_DIR, check=True
        )
        mark.write_text(digest + "\n", encoding="utf-8")
        took = round(time.perf_counter() - started, 1)
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    return {
        "node": version.stdout.strip(),
        "packages": _installed_versions(),
        "npmCiS": took,
    }


def _installed_versions() -> dict[str, str]:
    lock = json.loads((PEER_DIR / "package-lock.json").read_text(encoding="utf-8"))
    wanted = ("@neo4j/graphql", "@apollo/server", "graphql", "neo4j-driver")
    packages = lock.get("packages", {})
    return {n: packages.get(f"node_modules/{n}", {}).get("version", "?") for n in wanted}


@contextmanager
def serve_peer(neo: BenchNeo4j, port: int, log: Path) -> Iterator[int]:
    """``node bench/peer/server.mjs`` on ``port``; yields its pid once it answers."""
    env = dict(os.environ)
    env.update(
        NEO4J_URI=neo.uri,
        NEO4J_USER=neo.settings.neo4j_user,
        NEO4J_PASSWORD=neo.settings.neo4j_password.get_secret_value(),
        NEO4J_DATABASE=neo.settings.neo4j_database,
        PEER_PORT=str(port),
        NODE_ENV="production",
    )
    node = shutil.which("node") or "node"
    with log.open("wb") as out:
        # Its own session, as citekb's server (bench.api.serve): not one CPU share with wrk.
        proc = subprocess.Popen(
            [node, "server.mjs"],
            env=env,
            cwd=PEER_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # Generous: Node's start took over 120 s at load average ~200 here.
            deadline = time.monotonic() + 600
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the peer exited: {log.read_text()[-2000:]}")
                try:
                    r = httpx.post(
                        f"http://127.0.0.1:{port}/graphql",
                        json={"query": "{ __typename }"},
                        timeout=2,
                    )
                    if r.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the peer did not answer in 600 s")
                time.sleep(0.5)
            yield proc.pid
        finally:
            stop_process(proc)


# --- the comparison ---------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One server under test."""

    name: str  # "citekb", "citekb (cache on)", "peer"
    port: int
    pid: int
    peer: bool


def bodies(q: Compared, peer: bool, paper_ids: Sequence[str]) -> list[str]:
    doc = document(q.document, PEER_GRAPHQL_DIR if peer else GRAPHQL_DIR)
    takes_id = "$id" in doc
    out = []
    for pid in paper_ids if takes_id else paper_ids[:1]:
        variables = {**q.variables, **({"id": pid} if takes_id else {})}
        out.append(json.dumps({"query": doc, "variables": variables}, separators=(",", ":")))
    return out


def _post(port: int, body: str) -> dict[str, Any]:
    r = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        content=body,
        headers={"content-type": "application/json"},
        timeout=120,
    )
    data: dict[str, Any] = r.json()
    if r.status_code != 200 or data.get("errors"):
        raise RuntimeError(f"{r.status_code} {json.dumps(data.get('errors'))[:500]}")
    return data["data"]  # type: ignore[no-any-return]


def agreement(q: Compared, targets: Sequence[Target], paper_ids: Sequence[str]) -> dict[str, Any]:
    """Fetch each sampled answer from every server; count those where all sides agree."""
    per_target = {
        t.name: [
            (q.peer_check if t.peer else q.citekb_check)(_post(t.port, b))
            for b in bodies(q, t.peer, paper_ids)
        ]
        for t in targets
    }
    answers = list(per_target.values())
    n = min(len(a) for a in answers)
    agree = sum(1 for i in range(n) if all(a[i] == answers[0][i] for a in answers))
    first_difference = next(
        ({k: v[i] for k, v in per_target.items()} for i in range(n)
         if any(a[i] != answers[0][i] for a in answers)),
        None,
    )  # fmt: skip
    return {"compared": n, "agree": agree, "firstDifference": first_difference}


def compare(
    targets: Sequence[Target],
    paper_ids: Sequence[str],
    tmp: Path,
    *,
    concurrency: Sequence[int],
    duration: float,
    rounds: int,
    wrk: Callable[..., dict[str, Any]],
    neo4j_pid: int | None,
) -> dict[str, Any]:
    """Every query of :data:`COMPARED` on every target, alternating, ``rounds`` times."""
    out: dict[str, Any] = {}
    for q in COMPARED:
        files = {}
        for t in targets:
            path = tmp / f"peer-{q.document}-{'peer' if t.peer else 'citekb'}.jsonl"
            path.write_text("\n".join(bodies(q, t.peer, paper_ids)) + "\n", encoding="utf-8")
            files[t.name] = path
        entry: dict[str, Any] = {
            "document": q.document,
            "agreement": agreement(q, targets, paper_ids[:10]),
            "runs": {},
        }
        for c in concurrency:
            per: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
            for r in range(rounds):
                order = list(targets) if r % 2 == 0 else list(reversed(targets))
                for t in order:
                    # Where citekb's time goes at the busiest setting (first round).
                    spy = None
                    raw = tmp / f"spy-{q.document}.raw"
                    if t.name == "citekb" and c == max(concurrency) and r == 0:
                        spy = profiles.start(t.pid, duration, raw)
                    cpu0 = (tree_cpu_seconds(t.pid), process_cpu_seconds(neo4j_pid))
                    run = wrk(t.port, files[t.name], c, duration)
                    cpu1 = (tree_cpu_seconds(t.pid), process_cpu_seconds(neo4j_pid))
                    if spy is not None:
                        spy.wait(timeout=120)
                        entry["profile"] = profiles.summarise(raw, duration)
                    run.pop("raw", None)
                    run["cpuSeconds"] = {
                        who: None if a is None or b is None else round(b - a, 1)
                        for who, a, b in zip(("server", "neo4j"), cpu0, cpu1, strict=True)
                    }
                    run["loadAverage"] = results.load_average()
                    per[t.name].append(run)
            entry["runs"][str(c)] = {name: summarise(runs) for name, runs in per.items()}
            figures = {
                n: (s["p50Ms"], s["p99Ms"], s["rps"], s["errors"])
                for n, s in entry["runs"][str(c)].items()
            }
            print(q.document, c, figures, flush=True)
        out[q.label] = entry
    return out


def listening_pid(port: int) -> int | None:
    """The process listening on a local TCP port (our Neo4j when it came from NEO4J_URI)."""
    try:
        done = subprocess.run(
            ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    found = re.search(r"pid=(\d+)", done.stdout)
    return int(found.group(1)) if found else None


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds of a process and its descendants (uvicorn's workers are children)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        own = process_cpu_seconds(current)
        if own is None and current == pid:
            return None
        total += own or 0.0
        todo += children.get(current, [])
    return total


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the rounds (errors summed), with every round kept."""

    def med(key: str) -> float:
        return round(float(statistics.median(r[key] for r in runs)), 2)

    return {
        "p50Ms": med("p50Ms"),
        "p95Ms": med("p95Ms"),
        "p99Ms": med("p99Ms"),
        "rps": med("rps"),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "rounds": runs,
    }


# --- report ------------------------------------------------------------------------
def is_variant(name: str) -> bool:
    """A citekb target run only to compare settings (another worker count, a setting off)."""
    return name.startswith("citekb (") and name != "citekb (cache on)"


def _ratio(a: float, b: float) -> str:
    return "-" if not b else f"{a / b:.2f}x"


def render(
    peer: dict[str, Any], installed: dict[str, Any], citekb_names: Sequence[str]
) -> list[str]:
    """The peer table: citekb against the peer, per query and concurrency, with verdicts.

    Verdicts at concurrency 16: throughput >= the peer's and p99 <= the peer's
    with the response cache off; >= 3x the peer's throughput with it on.
    """
    pk = installed["packages"]
    lines = [
        f"The peer: `@neo4j/graphql` {pk.get('@neo4j/graphql')} on Apollo Server"
        f" {pk.get('@apollo/server')} (graphql-js {pk.get('graphql')}, neo4j-driver"
        f" {pk.get('neo4j-driver')}, Node {installed['node']}), `bench/peer/`, over the same"
        " Neo4j and graph. Each figure is the median of the alternating rounds; latency in ms;"
        " ratio = citekb / peer (req/s: higher is better for citekb; p99: lower is).",
        "",
    ]
    headers = ["query", "conc.", "server", "p50", "p99", "req/s", "errors", "req/s ratio",
               "p99 ratio", "verdict"]  # fmt: skip
    rows = []
    verdicts: list[tuple[str, bool]] = []
    loads: list[float] = []
    for label, entry in peer.items():
        first_row = True
        for c, by in entry["runs"].items():
            base = by["peer"]
            for name in [*citekb_names, "peer"]:
                s = by.get(name)
                if s is None:
                    continue
                verdict = ""
                if name != "peer" and c == "16":
                    if not s["requests"] or not base["requests"]:
                        ok = False
                        verdict = "MISSED (no request completed)"
                    elif base["requests"] < int(c) * len(base["rounds"]) and not is_variant(name):
                        # The peer finished fewer requests than it had in flight:
                        # its percentiles cover only the fast survivors.
                        ok = s["rps"] >= base["rps"] and s["errors"] == 0
                        verdict = (
                            f"{'met' if ok else 'MISSED'} (req/s >=; the peer finished only"
                            f" {base['requests']} requests, so its p99 is not comparable)"
                        )
                    elif is_variant(name):
                        verdict = "(settings comparison)"
                    elif "cache on" in name:
                        ok = s["rps"] >= 3 * base["rps"] and s["errors"] == 0
                        verdict = f"{'met' if ok else 'MISSED'} (>= 3x req/s)"
                    else:
                        ok = (s["rps"] >= base["rps"] and s["p99Ms"] <= base["p99Ms"]
                              and s["errors"] == 0)  # fmt: skip
                        verdict = f"{'met' if ok else 'MISSED'} (req/s >=, p99 <=)"
                    if not is_variant(name):
                        verdicts.append((f"{label}, {name}", ok))
                loads.extend(r["loadAverage"][0] for r in s["rounds"])
                rows.append(
                    [
                        label if first_row else "",
                        c,
                        name,
                        s["p50Ms"],
                        s["p99Ms"],
                        s["rps"],
                        s["errors"],
                        "" if name == "peer" else _ratio(s["rps"], base["rps"]),
                        "" if name == "peer" else _ratio(s["p99Ms"], base["p99Ms"]),
                        f"**{verdict}**" if verdict else "",
                    ]
                )
                first_row = False
    lines += results.table(headers, rows)
    lines.append("")
    for label, entry in peer.items():
        a = entry["agreement"]
        note = "" if a["agree"] == a["compared"] else f"; first difference: {a['firstDifference']}"
        lines.append(
            f"- {label} (`{entry['document']}`): answers agree on {a['agree']} of"
            f" {a['compared']} sampled papers (totals and page sizes{note})"
        )
    for entry in peer.values():
        if entry.get("profile"):
            lines += profiles.render(entry["profile"], f"citekb during `{entry['document']}`, c=16")
    if loads:
        lines.append(
            f"- 1-minute load average after each run: {min(loads):g} to {max(loads):g}"
            f" (median {statistics.median(loads):g}) on 2 cores shared with other work"
        )
    met = sum(ok for _, ok in verdicts)
    lines.append(f"- verdicts at concurrency 16: {met} of {len(verdicts)} met")
    return lines


def response_cache_envs(settings: Any) -> dict[str, dict[str, str]] | None:
    """How to start ``citekb serve`` with its response cache off and on, if it has one.

    The cache is whichever setting's name says ``response_cache`` (the
    settings module is the one place that knows its environment variable):
    a boolean is switched false/true; a size is 0 for off and its default
    (or 64 MiB when the default is 0) for on. None when citekb has none.
    """
    fields = type(settings).model_fields
    name = next((n for n in fields if "response_cache" in n), None)
    if name is None:
        return None
    var = name.upper()
    default = getattr(settings, name)
    if isinstance(default, bool):
        return {"off": {var: "false"}, "on": {var: "true"}}
    if isinstance(default, int):
        return {"off": {var: "0"}, "on": {var: str(default or 64 * 2**20)}}
    return None
