"""API benchmark: a fixed GraphQL query mix against ``citekb serve``, driven by wrk.

``python -m bench.api [--papers N] [--duration S]``:

1. Loads the synthetic corpus through the bulk path into a throwaway Neo4j and
   runs ``citekb analytics`` (so PageRank is stored, as in production).
2. Starts ``citekb serve`` (its production settings: uvicorn, the settings'
   worker count, limits on) on a free port against that server.
3. Picks the query variables from the graph (``cypher/bench/api_sample_papers``):
   papers that cite and are cited, a topic of each, a depth-3 ancestor.
4. For each query of the mix alone, then for the mix (round-robin over all
   of them), runs ``wrk`` with ``bench/wrk/graphql.lua`` at concurrency 1 and
   16: p50/p95/p99, requests/s, errors (non-200, GraphQL ``errors``, socket).
5. Counts database round trips per query in-process: the same requests go
   through the app (Starlette's TestClient, the same ``create_app``) with the
   neo4j driver's debug log on, and every Bolt ``RUN`` it sends is one
   statement sent to the server. Two page sizes show whether round trips grow
   with the page.

Each query is a file in ``bench/graphql/``. A query that needs a field the
schema does not have (yet) falls back to the next candidate in
:data:`QUERIES` (e.g. lineage as nested ``references``), or is reported as
missing; the report says which document was used.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver

import cypher
from bench import peer, profiles, results
from bench.analytics import child_env, run_cli_analytics
from bench.corpus import Corpus, citekb_command, ensure_corpus
from bench.documents import GRAPHQL_DIR, document
from bench.server import (
    BenchNeo4j,
    bench_neo4j,
    connected_driver,
    process_cpu_seconds,
    process_memory,
    stop_process,
)
from graph_api.server.neo4j_server import free_port
from loaders.bulk_load import load_datasets_dir

DEFAULT_PAPERS = 5000
WRK_SCRIPT = results.BENCH_DIR / "wrk" / "graphql.lua"
CONCURRENCY = (1, 16)
SAMPLE = 50
TARGET_LOOKUP_P50_MS = 15.0
TARGET_MIX_P99_MS = 150.0

# name -> candidate documents (first that the running schema accepts wins),
# and which variables each needs.
QUERIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lookup by id": (("lookup",), ("id",)),
    "search": (("search",), ("query",)),
    "paper + references + their authors": (("references_authors",), ("id", "first")),
    "lineage depth 3": (("lineage", "lineage.nested"), ("id",)),
    "influential papers in a topic": (("influential", "influential.papers"), ("topic",)),
    "similar papers": (("similar",), ("id",)),
    "citation path": (("citation_path",), ("id", "to")),
}


@dataclass(frozen=True)
class Sample:
    paper_id: str
    title: str
    topic: str | None
    ancestor: str | None

    def variables(self, names: Sequence[str], *, first: int = 20) -> dict[str, Any] | None:
        words = [w for w in self.title.replace("[synthetic]", "").split() if w.isalpha()]
        values: dict[str, Any] = {
            "id": self.paper_id,
            "query": " ".join(words[1:3]) or self.title,
            "first": first,
            "topic": self.topic,
            "to": self.ancestor,
        }
        chosen = {n: values[n] for n in names}
        return None if any(v is None for v in chosen.values()) else chosen


def samples(driver: Driver, db: str, n: int) -> list[Sample]:
    records, _, _ = driver.execute_query(
        cypher.statement("bench/api_sample_papers"), {"limit": n}, database_=db
    )
    return [Sample(r["paperId"], r["title"], r["topic"], r["ancestor"]) for r in records]


def bodies_for(doc: str, names: Sequence[str], picked: list[Sample], first: int = 20) -> list[str]:
    out = []
    for s in picked:
        variables = s.variables(names, first=first)
        if variables is not None:
            out.append(json.dumps({"query": doc, "variables": variables}, separators=(",", ":")))
    return out


# --- the server ----------------------------------------------------------------------
@contextmanager
def serve(
    neo: BenchNeo4j, port: int, log: Path, extra_env: dict[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """``citekb serve`` on ``port``, waited for on /healthz and every worker's /readyz;
    stopped afterwards."""
    env = child_env(neo.uri)
    env["API_PORT"] = str(port)
    env.update(extra_env or {})
    probe = subprocess.run(
        [*citekb_command(), "serve", "--help"], env=env, capture_output=True, text=True, check=False
    )
    if probe.returncode == 0:
        cmd = [*citekb_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        how = "citekb serve"
    else:  # before `citekb serve` existed: the same app factory under uvicorn
        cmd = [
            sys.executable, "-m", "uvicorn", "graph_api.service.app:app_from_env", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        how = "uvicorn graph_api.service.app:app_from_env (no `citekb serve` at this commit)"
    with log.open("wb") as out:
        # Its own session: with the kernel's autogroup scheduling (on here) each session
        # shares the CPU fairly with the others, so the server does not share one
        # share with wrk, the load it is measured under; the peer is started alike.
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=results.BENCH_DIR.parent,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"the API exited: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            else:
                raise RuntimeError("the API did not become healthy in 600 s")
            workers = int(env.get("API_WORKERS") or neo.settings.api_workers)
            ready = wait_ready(port, workers, proc, deadline)
            yield {"command": " ".join(cmd[-6:]) if how != "citekb serve" else "citekb serve",
                   "how": how, "pid": proc.pid, "ready": ready}  # fmt: skip
        finally:
            stop_process(proc)


def wait_ready(
    port: int, workers: int, proc: subprocess.Popen[bytes], deadline: float
) -> dict[str, Any]:
    """Wait until every worker's ``/readyz`` said 200: its projection is loaded, so no
    timed request waits on (or shares the CPU with) the startup read.

    Each answer names its worker (``pid``); a worker stays ready once it is (until
    the graph changes, which it does not during a run). Probes go in parallel on
    fresh connections, so the kernel hands them to different workers. A build
    without ``/readyz`` (404) is not waited for.
    """
    started = time.monotonic()
    seen: set[int] = set()
    url = f"http://127.0.0.1:{port}/readyz"

    def probe(_: int) -> httpx.Response:
        return httpx.get(url, timeout=5)

    with ThreadPoolExecutor(max_workers=2 * workers) as pool:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("the API exited while loading its projection")
            try:
                answers = list(pool.map(probe, range(2 * workers)))
            except httpx.HTTPError:
                answers = []
            if any(a.status_code == 404 for a in answers):
                return {"readyz": False, "waitedS": round(time.monotonic() - started, 1)}
            seen |= {int(a.json()["pid"]) for a in answers if a.status_code == 200}
            if len(seen) >= workers:
                return {"readyz": True, "waitedS": round(time.monotonic() - started, 1)}
            time.sleep(0.5)
    raise RuntimeError(f"the API's workers were not all ready in time ({len(seen)} of {workers})")


def accepted(port: int, body: str) -> tuple[bool, str]:
    """Whether the running schema answers this body without errors."""
    r = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        content=body,
        headers={"content-type": "application/json"},
        timeout=600,  # the first analytics query loads the projection
    )
    data = r.json()
    if r.status_code == 200 and not data.get("errors"):
        return True, ""
    return False, json.dumps(data.get("errors"))[:300]


def wrk(port: int, bodies: Path, connections: int, duration: float) -> dict[str, Any]:
    threads = 1 if connections < 8 else 2
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s",
        "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}", "--", str(bodies),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    raw: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["durationUs"] / 1e6
    errors = (
        raw["graphqlErrors"] + raw["badStatus"] + raw["connectErrors"] + raw["readErrors"]
        + raw["writeErrors"] + raw["timeouts"]
    )  # fmt: skip
    return {
        "connections": connections,
        "threads": threads,
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1),
        "p50Ms": round(raw["p50Us"] / 1000, 2),
        "p95Ms": round(raw["p95Us"] / 1000, 2),
        "p99Ms": round(raw["p99Us"] / 1000, 2),
        "maxMs": round(raw["maxUs"] / 1000, 2),
        "errors": errors,
        "raw": raw,
    }


# --- round trips, in-process -----------------------------------------------------------
class BoltRunCounter(logging.Handler):
    """Counts the Bolt RUN messages the neo4j driver sends (its debug log, ``C: RUN``)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.runs = 0

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.msg if isinstance(record.msg, str) else ""
        if "C: RUN" in msg:
            self.runs += 1


def profile_statements(
    driver: Driver, db: str, calls: list[tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """PROFILE each statement a GraphQL query ran, with the parameters it ran with."""
    out = []
    for name, params in calls:
        with driver.session(database=db, default_access_mode="READ") as session:
            result = session.run("PROFILE " + cypher.statement(name), params)
            for _ in result:  # the profile exists once every row is pulled
                pass
            summary = result.consume()
        ops: list[tuple[int, str, str]] = []
        hits = profiles.plan_operators(summary.profile or {}, ops)
        ops.sort(reverse=True)
        out.append(
            {
                "statement": name,
                "dbHits": hits,
                "serverMs": (summary.result_available_after or 0)
                + (summary.result_consumed_after or 0),
                "topOperators": [f"{op} {h:,} ({d})" for h, op, d in ops[:3] if h],
            }
        )
    return out


def round_trips(
    neo: BenchNeo4j, driver: Driver, plan: dict[str, Any], picked: list[Sample]
) -> dict[str, Any]:
    from starlette.testclient import TestClient

    from graph_api.service.app import create_app
    from graph_api.store import graph_reader

    # Which statements each query runs, with their parameters: recorded at
    # the API's one door to Neo4j (GraphReader.rows), then PROFILEd below.
    # (rows: resolvers; maps: compiled reads, graph_api/service/compiled_reads.py).
    reader_calls: list[tuple[str, dict[str, Any]]] = []
    original_rows = graph_reader.GraphReader.rows
    original_maps = graph_reader.GraphReader.maps

    async def recording_rows(
        self: graph_reader.GraphReader, name: str, params: Any = None
    ) -> list[dict[str, Any]]:
        reader_calls.append((name, dict(params or {})))
        return await original_rows(self, name, params)

    async def recording_maps(
        self: graph_reader.GraphReader, name: str, params: Any = None
    ) -> list[dict[str, Any]]:
        reader_calls.append((name, dict(params or {})))
        return await original_maps(self, name, params)

    graph_reader.GraphReader.rows = recording_rows  # type: ignore[method-assign]
    graph_reader.GraphReader.maps = recording_maps  # type: ignore[method-assign]
    profiled: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    counter = BoltRunCounter()
    neo_log = logging.getLogger("neo4j")
    old_level = neo_log.level
    neo_log.addHandler(counter)
    neo_log.setLevel(logging.DEBUG)
    out: dict[str, Any] = {}
    try:
        # The response cache off: a repeated body would cost no statement at all.
        uncached = neo.settings.model_copy(update={"api_response_cache_bytes": 0})
        with TestClient(create_app(uncached)) as client:
            for name, q in plan.items():
                if q.get("document") is None:
                    continue
                per_size: dict[str, list[int]] = {}
                # Not counted: the first analytics request of a process also
                # reads the projection (then cached per graph version).
                warm = bodies_for(document(q["document"]), q["variables"], picked[:1])
                client.post("/graphql", content=warm[0],
                            headers={"content-type": "application/json"})  # fmt: skip
                for first in (5, 50):
                    bodies = bodies_for(document(q["document"]), q["variables"], picked[:5], first)
                    for i, body in enumerate(bodies):
                        before = counter.runs
                        reader_calls.clear()
                        r = client.post("/graphql", content=body,
                                        headers={"content-type": "application/json"})  # fmt: skip
                        r.raise_for_status()
                        per_size.setdefault(str(first), []).append(counter.runs - before)
                        if i == 0 and first == 5:
                            profiled[name] = list(reader_calls)
                out[name] = {
                    "runsPerRequest": sorted({n for v in per_size.values() for n in v}),
                    "bySize": {k: max(v) for k, v in per_size.items()},
                    "pageSized": "first" in q["variables"],
                }
    finally:
        neo_log.removeHandler(counter)
        neo_log.setLevel(old_level)
        graph_reader.GraphReader.rows = original_rows  # type: ignore[method-assign]
        graph_reader.GraphReader.maps = original_maps  # type: ignore[method-assign]
    db = neo.settings.neo4j_database
    for name, calls in profiled.items():
        out[name]["profile"] = profile_statements(driver, db, calls)
    return out


# --- report ------------------------------------------------------------------------
def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _ready_note(ready: dict[str, Any] | None) -> str:
    if not ready:
        return ""
    if not ready.get("readyz"):
        return " Timed from /healthz (this build has no /readyz)."
    return (
        " Timed once every worker's `/readyz` said its projection was loaded"
        f" ({ready['waitedS']:g} s after /healthz)."
    )


def render(payload: dict[str, Any]) -> list[str]:
    lines = results.header_lines(payload)
    srv = payload["server"]
    lines += [
        "",
        f"Server: `{srv['how']}` on 127.0.0.1, its production settings (workers"
        f" {payload['apiWorkers']}, limits on), against the graph above after `citekb analytics`;"
        f" load tool `wrk` ({payload['wrkVersion']}) with `bench/wrk/graphql.lua`, each run"
        f" {payload['duration']:g} s, variables rotated over {payload['sampleSize']} sampled"
        " papers. Latency in ms." + _ready_note(srv.get("ready")),
        "",
    ]
    rows = []
    for name, q in payload["queries"].items():
        if q.get("document") is None:
            rows.append([name, "not measured (below)", *["-"] * 9])
            continue
        rt = payload["roundTrips"].get(name, {})
        trips = "/".join(str(n) for n in rt.get("runsPerRequest", [])) or "?"
        if rt.get("pageSized"):
            trips += f" (first 5: {rt['bySize'].get('5')}, first 50: {rt['bySize'].get('50')})"
        for run in q["runs"]:
            rows.append(
                [
                    name if run["connections"] == 1 else "",
                    f"`{q['document']}`" if run["connections"] == 1 else "",
                    run["connections"],
                    run["p50Ms"],
                    run["p95Ms"],
                    run["p99Ms"],
                    run["rps"],
                    run["requests"],
                    run["errors"],
                    trips if run["connections"] == 1 else "",
                    "",
                ]
            )
    for run in payload["mix"]["runs"]:
        rows.append(
            [
                "**mix**" if run["connections"] == 1 else "",
                f"{len(payload['mix']['queries'])} queries round-robin"
                if run["connections"] == 1
                else "",
                run["connections"],
                f"**{run['p50Ms']}**",
                f"**{run['p95Ms']}**",
                f"**{run['p99Ms']}**",
                f"**{run['rps']}**",
                run["requests"],
                f"**{run['errors']}**",
                "",
                "",
            ]
        )
    lines += results.table(
        ["query", "document", "conc.", "p50", "p95", "p99", "req/s", "requests", "errors",
         "DB round trips / request", ""],
        rows,
    )  # fmt: skip
    lookup = payload["queries"].get("lookup by id", {})
    l1 = next((r for r in lookup.get("runs", []) if r["connections"] == 1), None)
    m16 = next((r for r in payload["mix"]["runs"] if r["connections"] == 16), None)
    lines.append("")
    if l1:
        lines.append(
            f"- lookup p50 at concurrency 1: **{l1['p50Ms']} ms** (target <= "
            f"{TARGET_LOOKUP_P50_MS:g} ms: {_verdict(l1['p50Ms'] <= TARGET_LOOKUP_P50_MS)})"
        )
    if m16:
        ok = m16["p99Ms"] <= TARGET_MIX_P99_MS and m16["errors"] == 0
        lines.append(
            f"- mix p99 at concurrency 16: **{m16['p99Ms']} ms** with {m16['errors']} errors"
            f" (target <= {TARGET_MIX_P99_MS:g} ms, 0 errors: {_verdict(ok)})"
        )
    for name, q in payload["queries"].items():
        if q.get("document") is None:
            # Why each candidate document was refused: not in the schema, or an error.
            why = "; ".join(f"`{d}`: {r}" for d, r in q.get("rejected", {}).items())
            lines.append(f"- not measured: {name} (the first request was refused: {why})")
    lines.append(
        "- round trips: Bolt RUN messages per request, counted in-process (the neo4j driver's"
        " debug log) over 5 sampled papers at page sizes 5 and 50"
    )
    prof_rows = [
        [name if i == 0 else "", f"`{p['statement']}`", f"{p['dbHits']:,}", p["serverMs"],
         "; ".join(p["topOperators"])]
        for name, rt in payload["roundTrips"].items()
        for i, p in enumerate(rt.get("profile", []))
    ]  # fmt: skip
    if prof_rows:
        lines += [
            "- the Cypher each query ran (first sampled paper, page size 5), PROFILEd with its"
            " parameters on the same graph after the load runs (server ms = available + consumed):",
            "",
            *results.table(
                ["query", "statement", "db hits", "server ms", "top operators by db hits"],
                prof_rows,
            ),
            "",
        ]
    for run in payload["mix"]["runs"]:
        cpu = run.get("cpuSeconds") or {}
        if cpu.get("api") is not None:
            lines.append(
                f"- CPU during the mix at concurrency {run['connections']} ({run['seconds']:g} s"
                f" wall, {2 * run['seconds']:g} core-seconds on 2 cores): API process"
                f" {cpu['api']} s, Neo4j {cpu['neo4j']} s (wrk and other work take the rest)"
            )
    for c in CONCURRENCY:
        if f"apiProfileC{c}" in payload:
            lines += profiles.render(payload[f"apiProfileC{c}"], f"the API during the mix, c={c}")
    mem = payload.get("apiMemory") or {}
    lines.append(f"- API process peak memory: {results.mib(mem.get('peak'))}")
    lines += ["", f"Raw figures: `bench/results/api-p{payload['corpus']['papers']}.json`."]
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n")[0])
    p.add_argument("--papers", type=int, default=DEFAULT_PAPERS, help="corpus size (synthetic)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    p.add_argument("--heap", default=None, help="Neo4j heap (default: settings, 1g)")
    p.add_argument("--pagecache", default=None, help="Neo4j page cache (default: settings)")
    p.add_argument(
        "--keep-graph",
        action="store_true",
        help="with NEO4J_URI: reuse its graph when it already holds this corpus (counts match)"
        " instead of replacing it; analytics are rerun only when stale",
    )
    p.add_argument(
        "--workers", type=int, default=None, help="citekb serve's API_WORKERS (default: settings)"
    )
    p.add_argument("--no-peer", dest="peer", action="store_false",
                   help="skip the comparison with @neo4j/graphql (bench/peer)")  # fmt: skip
    p.add_argument("--peer-only", action="store_true",
                   help="only the comparison with the peer (no mix, no round trips)")  # fmt: skip
    p.add_argument(
        "--rounds", type=int, default=3, help="peer comparison: alternating rounds per figure"
    )
    p.add_argument(
        "--also-workers",
        type=int,
        default=None,
        help="peer comparison: also run citekb with this API_WORKERS, alternating",
    )
    p.add_argument(
        "--also-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="peer comparison: also run citekb with these settings changed (comma-separated),"
        " alternating (e.g. API_COMPILED_READS=false: the same build without compiled"
        " reads); repeatable",
    )
    return p.parse_args(argv)


def graph_holds(driver: Driver, db: str, corpus: Corpus) -> bool:
    """Whether the graph already is this corpus (same paper and CITES counts)."""
    records, _, _ = driver.execute_query(cypher.statement("read/graph_counts"), database_=db)
    row = records[0]
    return bool(row["papers"] == corpus.papers and row["cites"] == corpus.citations)


def analytics_fresh(driver: Driver, db: str) -> bool:
    records, _, _ = driver.execute_query(cypher.statement("read/analytics_status"), database_=db)
    row = records[0]
    return row["analyticsVersion"] is not None and row["analyticsVersion"] == row["graphVersion"]


def citekb_only(
    port: int,
    *,
    server: dict[str, Any], neo: BenchNeo4j, picked: list[Sample], tmp: Path,
    args: argparse.Namespace, payload: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """Each query of the mix alone, then the mix, at every concurrency (citekb only)."""
    plan: dict[str, Any] = {}
    for name, (candidates, names) in QUERIES.items():
        plan[name] = {"variables": list(names), "document": None, "rejected": {}}
        for cand in candidates:
            path = GRAPHQL_DIR / f"{cand}.graphql"
            if not path.exists():
                plan[name]["rejected"][cand] = "no document yet"
                continue
            bodies = bodies_for(document(cand), names, picked)
            ok, why = accepted(port, bodies[0]) if bodies else (False, "no variables")
            if ok:
                plan[name]["document"] = cand
                break
            plan[name]["rejected"][cand] = why
    mix: list[str] = []
    for name, q in plan.items():
        if q["document"] is None:
            q["runs"] = []
            continue
        bodies = bodies_for(document(q["document"]), q["variables"], picked)
        path = tmp / f"{q['document']}.jsonl"
        path.write_text("\n".join(bodies) + "\n", encoding="utf-8")
        mix.append(name)
        q["runs"] = [wrk(port, path, c, args.duration) for c in CONCURRENCY]
        print(name, [(r["connections"], r["p50Ms"], r["p99Ms"], r["rps"], r["errors"])
                     for r in q["runs"]], flush=True)  # fmt: skip
    # The mix: one body of each query in turn, over every sampled paper.
    per_query = [
        bodies_for(document(plan[n]["document"]), plan[n]["variables"], picked) for n in mix
    ]
    interleaved = [b[i] for i in range(SAMPLE) for b in per_query if i < len(b)]
    mix_path = tmp / "mix.jsonl"
    mix_path.write_text("\n".join(interleaved) + "\n", encoding="utf-8")
    mix_runs = []
    for c in CONCURRENCY:
        # The busiest run is sampled with py-spy (when installed): where
        # the API process spends its CPU under load.
        spy = profiles.start(int(server["pid"]), args.duration * 2, tmp / "mix.raw")
        # The API's workers are children of uvicorn's process; Neo4j from NEO4J_URI
        # is found by its port.
        neo_pid = neo.pid or peer.listening_pid(int(neo.uri.rsplit(":", 1)[1]))
        cpu0 = (process_cpu_seconds(neo_pid), peer.tree_cpu_seconds(int(server["pid"])))
        run = wrk(port, mix_path, c, args.duration * 2)
        cpu1 = (process_cpu_seconds(neo_pid), peer.tree_cpu_seconds(int(server["pid"])))
        run["cpuSeconds"] = {
            who: None if a is None or b is None else round(b - a, 1)
            for who, a, b in zip(("neo4j", "api"), cpu0, cpu1, strict=True)
        }
        run["loadAverage"] = results.load_average()
        mix_runs.append(run)
        if spy is not None:
            spy.wait(timeout=120)
            payload[f"apiProfileC{c}"] = profiles.summarise(tmp / "mix.raw", args.duration * 2)
    payload["mix"] = {"queries": mix, "runs": mix_runs}
    print("mix", [(r["connections"], r["p50Ms"], r["p99Ms"], r["rps"], r["errors"])
                  for r in payload["mix"]["runs"]], flush=True)  # fmt: skip
    return plan


def against_peer(
    neo: BenchNeo4j,
    *,
    citekb: dict[str, int], picked: list[Sample], tmp: Path,
    args: argparse.Namespace, cache_envs: dict[str, dict[str, str]] | None,
    base_env: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    """The issue's table against @neo4j/graphql: citekb (cache off, and on if it has one)."""
    with ExitStack() as stack:
        targets = [peer.Target("citekb", citekb["port"], citekb["pid"], peer=False)]
        if cache_envs is not None:
            port_on = free_port()
            on = stack.enter_context(
                serve(neo, port_on, tmp / "api-cache-on.log", {**base_env, **cache_envs["on"]})
            )
            targets.append(peer.Target("citekb (cache on)", port_on, int(on["pid"]), peer=False))
        if args.also_workers is not None:
            # The same settings with another worker count, in the same rounds:
            # what the default API_WORKERS buys on this machine.
            port_w = free_port()
            env_w = {**base_env, "API_WORKERS": str(args.also_workers)}
            w = stack.enter_context(serve(neo, port_w, tmp / "api-workers.log", env_w))
            name = f"citekb ({args.also_workers} worker{'s' if args.also_workers > 1 else ''})"
            targets.append(peer.Target(name, port_w, int(w["pid"]), peer=False))
        for i, setting in enumerate(args.also_env):
            # Other settings in the same rounds: what they buy, against the same peer.
            pairs = [item.partition("=") for item in setting.split(",")]
            port_e = free_port()
            env_e = {**base_env, **{var: value for var, _, value in pairs}}
            e = stack.enter_context(serve(neo, port_e, tmp / f"api-env-{i}.log", env_e))
            targets.append(peer.Target(f"citekb ({setting})", port_e, int(e["pid"]), peer=False))
        peer_port = free_port()
        peer_pid = stack.enter_context(peer.serve_peer(neo, peer_port, tmp / "peer.log"))
        targets.append(peer.Target("peer", peer_port, peer_pid, peer=True))
        return peer.compare(
            targets,
            [s.paper_id for s in picked],
            tmp,
            concurrency=CONCURRENCY,
            duration=args.duration,
            rounds=args.rounds,
            wrk=wrk,
            neo4j_pid=neo.pid or peer.listening_pid(int(neo.uri.rsplit(":", 1)[1])),
        )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    payload = results.new_payload(
        "api",
        duration=args.duration,
        sampleSize=SAMPLE,
        rounds=args.rounds,
    )
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    payload["wrkVersion"] = (wrk_v.stdout + wrk_v.stderr).split("[")[0].strip()
    corpus = ensure_corpus(args.papers, args.seed)
    payload["corpus"] = corpus.describe()
    if args.peer:
        payload["peerInstalled"] = peer.ensure_installed()
    with (
        bench_neo4j(args.heap, args.pagecache) as neo,
        connected_driver(neo) as driver,
        tempfile.TemporaryDirectory(prefix="citekb-bench-api-") as tmp_name,
    ):
        tmp = Path(tmp_name)
        payload["neo4j"] = neo.describe()
        db = neo.settings.neo4j_database
        if args.keep_graph and neo.how == "NEO4J_URI" and graph_holds(driver, db, corpus):
            payload["graphReused"] = True
            fresh = analytics_fresh(driver, db)
            payload["analytics"] = {"reused": True} if fresh else run_cli_analytics(neo.uri)
        else:
            load_datasets_dir(driver, corpus.path, db)
            payload["analytics"] = run_cli_analytics(neo.uri)
        picked = samples(driver, db, SAMPLE)
        base_env: dict[str, str] = {}
        if args.workers is not None:
            base_env["API_WORKERS"] = str(args.workers)
        cache_envs = peer.response_cache_envs(neo.settings)
        payload["responseCache"] = cache_envs
        if cache_envs is not None:
            base_env.update(cache_envs["off"])
        payload["apiWorkers"] = args.workers or neo.settings.api_workers
        port = free_port()
        with serve(neo, port, tmp / "api.log", base_env) as server:
            payload["server"] = {k: v for k, v in server.items() if k != "pid"}
            plan: dict[str, Any] = {}
            if not args.peer_only:
                plan = citekb_only(
                    port, server=server, neo=neo, picked=picked, tmp=tmp, args=args,
                    payload=payload,
                )  # fmt: skip
            if not args.peer_only:
                # Kept even if the comparison below fails (a busy machine can
                # stop a server from starting): the mix figures are not lost.
                results.write_json("api", corpus.papers, {**payload, "queries": plan})
            if args.peer:
                payload["peer"] = against_peer(
                    neo, citekb={"port": port, "pid": int(server["pid"])}, picked=picked,
                    tmp=tmp, args=args, cache_envs=cache_envs, base_env=base_env,
                )  # fmt: skip
            payload["apiMemory"] = process_memory(int(server["pid"]))
        payload["queries"] = plan
        if not args.peer_only:
            payload["roundTrips"] = round_trips(neo, driver, plan, picked)
            print("round trips:", payload["roundTrips"], flush=True)
        payload["neo4jMemory"] = neo.rss_bytes()
    payload["loadAverageAtEnd"] = results.load_average()
    papers = corpus.papers
    if args.peer_only:
        results.write_json("api-peer", papers, payload)
    else:
        results.write_json("api", papers, payload)
        results.update_section("api", papers, f"API, {papers:,} papers", render(payload))
    if args.peer:
        results.update_section(
            "api-peer", papers, f"API against @neo4j/graphql, {papers:,} papers",
            render_peer(payload),
        )  # fmt: skip
    return payload


def render_peer(payload: dict[str, Any]) -> list[str]:
    cache = payload.get("responseCache")
    names = ["citekb"] + (["citekb (cache on)"] if cache else [])
    names += sorted({n for e in payload["peer"].values() for by in e["runs"].values() for n in by
                     if peer.is_variant(n)})  # fmt: skip
    lines = results.header_lines(payload)
    lines += [
        "",
        f"Servers: `citekb serve` (workers {payload['apiWorkers']}"
        + (
            f"; response cache off: `{cache['off']}`, on: `{cache['on']}`"
            if cache
            else "; no response cache at this commit"
        )
        + f") and the peer, both on 127.0.0.1; wrk ({payload['wrkVersion']}), each run"
        f" {payload['duration']:g} s, {payload.get('rounds', '?')} rounds alternating,"
        f" variables rotated over {payload['sampleSize']} sampled papers."
        + _ready_note((payload.get("server") or {}).get("ready")),
        "",
    ]
    lines += peer.render(payload["peer"], payload["peerInstalled"], names)
    lines += ["", f"Raw figures: `bench/results/api*-p{payload['corpus']['papers']}.json`."]
    return lines


if __name__ == "__main__":
    main()
