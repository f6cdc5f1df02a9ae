"""Abusive GraphQL: a read that really runs into the transaction timeout, injection
attempts in ``search``, invalid global ids, and a flood against a real server
process during which ``/healthz`` keeps answering.

The graph is the SYNTHETIC API graph (``api_graph.py``) plus 60,000 SYNTHETIC
papers made server-side (``cypher/reliability/slow_graph_papers``), so that a
filter without an index (``title: {contains:}``) scans for tens of
milliseconds: far beyond a 10 ms transaction timeout, far within the
default 10 s.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

import cypher
from graph_api.server import neo4j_server
from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import graph_counts, write_rows
from tests.abusive_documents import doubling_document, nested_document
from tests.conftest import REPO
from tests.integration.api.api_graph import PAPERS, graph_rows
from tests.integration.api.api_support import running_api
from tests.integration.conftest import Neo4jHandle
from tests.integration.process_support import stop, wait_for

SLOW_PAPERS = 60_000
SCAN = '{ papers(where: {title: {contains: "words in no title"}}) { totalCount } }'
TIMEOUT_MESSAGE = "the query took longer than the server's time limit; ask for less"
KEY = "flood-test-key-5d1c0b7e"


@pytest.fixture(scope="module")
def abuse_graph(session_driver: Driver, neo4j: Neo4jHandle) -> Iterator[Settings]:
    db = neo4j.settings.neo4j_database
    graph_store.clear_data(session_driver, db)
    write_rows(session_driver, graph_rows(), database=db, source="synthetic:api-tests")
    with session_driver.session(database=db) as session:
        # CALL ... IN TRANSACTIONS needs an auto-commit transaction.
        session.run(
            cypher.statement("reliability/slow_graph_papers"), {"count": SLOW_PAPERS}
        ).consume()
    yield neo4j.settings
    graph_store.clear_data(session_driver, db)


def papers_in(session_driver: Driver, settings: Settings) -> int:
    return graph_counts(session_driver, database=settings.neo4j_database)["papers"]


# --------------------------------------------------------------------------
async def test_a_heavy_read_runs_into_the_transaction_timeout_and_says_so(
    abuse_graph: Settings,
) -> None:
    tight = abuse_graph.model_copy(update={"neo4j_tx_timeout_s": 0.01})
    async with running_api(tight) as api:
        started = time.monotonic()
        body = await api.post(SCAN)
        took = time.monotonic() - started
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "TIMEOUT", body
    assert error["message"] == TIMEOUT_MESSAGE
    assert error["extensions"]["requestId"]
    assert body["data"] in (None, {"papers": None})
    assert "MATCH" not in json.dumps(body) and "Neo." not in json.dumps(body)
    assert took < 5.0  # cancelled by the server, not left to run

    # The same read within the default limit: the data, not the query, was the problem.
    async with running_api(abuse_graph) as api:
        assert await api.data(SCAN) == {"papers": {"totalCount": 0}}


INJECTIONS = [
    '") RETURN p //',
    "' OR 1=1 --",
    '"}) MATCH (n) DETACH DELETE n //',
    "$query",
    "{query}",
    "title:* OR abstract:*",
    "*:*",
    "/.*/",
    "attention~0.1",
    "attention^1000",
    '"attention mechanisms"~100',
    "CALL db.index.fulltext.drop('paper_text')",
    "\\u0000 attention \\",
    "attention \u0000 \u202e\u200b mechanisms",
    "a" * 70 + " attention",
    "AND OR NOT TO",
    "<script>alert(1)</script> attention",
]


@pytest.mark.parametrize("text", INJECTIONS)
async def test_search_treats_injection_attempts_as_words(
    abuse_graph: Settings, session_driver: Driver, text: str
) -> None:
    before = papers_in(session_driver, abuse_graph)
    query = "query($q: String!) { search(query: $q, first: 5) { totalCount nodes { paperId } } }"
    async with running_api(abuse_graph) as api:
        body = await api.post(query, {"q": text})
        codes = [e["extensions"]["code"] for e in body.get("errors") or []]
        if codes:
            # Only "no word at all" may be refused, and clearly.
            assert codes == ["BAD_USER_INPUT"], body
            assert "at least one word" in body["errors"][0]["message"]
        else:
            # The words alone give the same answer: the syntax changed nothing.
            words = " ".join("".join(c if c.isalnum() else " " for c in text).split())
            plain = await api.post(query, {"q": words})
            assert body["data"] == plain["data"], (body, plain)
    assert papers_in(session_driver, abuse_graph) == before
    # The full-text index is still there and still answers.
    async with running_api(abuse_graph) as api:
        found = await api.data('{ search(query: "scaling law", first: 1) { totalCount } }')
        assert found["search"]["totalCount"] > 0


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


INVALID_IDS = [
    "%%%",
    "",
    " ",
    "====",
    b64("Paper:"),
    b64("Nope:123"),
    b64("Paper"),
    b64("Author:\u0000"),
    b64("\ud7ff\u00e9:x"),
    "\u00e9\u4e2d\U0001f600",
    "x" * 20_000,
]


@pytest.mark.parametrize("given", INVALID_IDS, ids=lambda s: repr(s[:20]))
async def test_invalid_global_ids_are_clear_errors(abuse_graph: Settings, given: str) -> None:
    async with running_api(abuse_graph) as api:
        body = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": given})
        paper = await api.post("query($id: ID!) { paper(id: $id) { paperId } }", {"id": given})
    for answer in (body, paper):
        errors = answer.get("errors") or []
        if not errors:
            # A well-formed id of a kind that exists but has no such node.
            assert answer["data"] in ({"node": None}, {"paper": None}), answer
            continue
        codes = {e["extensions"]["code"] for e in errors}
        assert codes <= {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}, answer
        # Messages may quote the id (graphql-core does, whole) but add little to it.
        assert all(len(e["message"]) < len(given) + 300 for e in errors)
    assert (body.get("errors") or paper.get("errors")) or given.strip() == ""


# --- the flood, against a real server process -----------------------------------
# (label, JSON body or raw bytes to send instead, what must come back:
# "error" a clear GraphQL error, "data" an answer, "either" one of the two).
FLOOD: list[tuple[str, dict[str, Any] | bytes, str]] = [
    ("depth", {"query": nested_document(PAPERS[30].paper_id, 12)}, "error"),
    (
        "aliases",
        {"query": "{ " + " ".join(f"a{i}: __typename" for i in range(400)) + " }"},
        "error",
    ),
    ("tokens", {"query": "{ stats { " + " ".join(["papers"] * 3000) + " } }"}, "error"),
    ("first 100000", {"query": "{ papers(first: 100000) { nodes { title } } }"}, "error"),
    (
        "row budget",
        {"query": "{ papers(first: 100) { nodes { references(first: 100) { nodes { id } } } } }"},
        "error",
    ),
    # The scan may or may not beat the served 0.25 s timeout; under the flood it
    # usually does not (and other reads then time out too: a clear TIMEOUT each).
    ("slow scan", {"query": SCAN}, "either"),
    (
        "search syntax",
        {"query": '{ search(query: "*:* OR ~ /.*/ \\\\") { totalCount } }'},
        "either",
    ),
    ("search without words", {"query": '{ search(query: "*:* ~ /.*/") { totalCount } }'}, "error"),
    (
        "lineage depth 50",
        {"query": f'{{ lineage(id: "{PAPERS[20].paper_id}", depth: 50) {{ truncated }} }}'},
        "error",
    ),
    # A slow paper has no citations: no path (found: false), or a clear TIMEOUT
    # while the served API reads the 60k-paper projection under the flood.
    (
        "path between unconnected papers",
        {
            "query": f'{{ citationPath(from: "{PAPERS[2].paper_id}", to: "synthetic-slow-7",'
            " directed: false) { found message } }"
        },
        "either",
    ),
    ("bad global id", {"query": '{ node(id: "%%%") { id } }'}, "error"),
    ("bad paper id", {"query": '{ paper(id: "arXiv:12.34") { title } }'}, "error"),
    ("syntax error", {"query": "{ papers(first: ) "}, "error"),
    ("mutation, wrong key", {"query": "mutation { recomputeAnalytics { id } }"}, "error"),
    (
        "oversized body",
        b'{"query": "{ stats { papers } }", "pad": "' + b"x" * 150_000 + b'"}',
        "error",
    ),
    ("not json", b"\xff\xfe{{{ not json", "error"),
    # Legitimate reads share the saturated database: an answer or a clear TIMEOUT.
    ("legit", {"query": "{ stats { papers cites } }"}, "either"),
]
ALLOWED_CODES = {
    "GRAPHQL_VALIDATION_FAILED",
    "LIMIT_EXCEEDED",
    "COST_LIMIT_EXCEEDED",
    "BAD_USER_INPUT",
    "TIMEOUT",
    "UNAUTHENTICATED",
    "RATE_LIMITED",
    "PAYLOAD_TOO_LARGE",
}


async def _chunked(data: bytes) -> Any:
    # No Content-Length: the body limit must hold for a streamed upload too.
    for start in range(0, len(data), 16_384):
        yield data[start : start + 16_384]


@contextmanager
def api_process(settings: Settings, folder: Path) -> Iterator[tuple[str, Path]]:
    """The app under uvicorn (the factory `citekb serve` runs) on a free loopback port."""
    assert settings.neo4j_uri is not None
    port = neo4j_server.free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(Path.home()),
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
        # Long enough for a health check on a busy machine, short for a 60k-paper scan.
        "NEO4J_TX_TIMEOUT_S": "0.25",
        "CITEKB_API_KEY": KEY,
        "CITEKB_CACHE_DIR": str(folder / "cache"),
    }
    log = folder / "api.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *(
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "graph_api.service.app:app_from_env",
                    "--factory",
                ),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "info"),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            # A session of its own, as a served process has in production (its
            # own terminal or service) and as bench.api starts servers: with the
            # kernel's autogroup scheduling (on here) a session shares the cores
            # fairly with the others, and in pytest's session the server would
            # share one share with the test's flooding clients and Neo4j.
            start_new_session=True,
        )
    root = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert server.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            return httpx.get(f"{root}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(healthy, "the API to start", 60)
        yield root, log
    finally:
        stop(server)


@pytest.mark.timeout(240)
@pytest.mark.serial
async def test_healthz_keeps_answering_during_a_flood_of_abusive_queries(
    abuse_graph: Settings, tmp_path: Path
) -> None:
    with api_process(abuse_graph, tmp_path) as (root, log):
        outcome = await _flood(root, requests=420, clients=8, within_s=60.0)

    text = log.read_text(errors="replace")
    # Health: every probe answered, in time, with "ok".
    probes = outcome["probes"]
    assert len(probes) >= 10, probes
    assert all(status == 200 for status, _ in probes), probes
    assert max(seconds for _, seconds in probes) < 3.0, probes
    # Every abusive request got a clear answer; nothing was an internal error.
    assert outcome["sent"] == 420
    assert not outcome["unexpected"], outcome["unexpected"][:5]
    codes: Counter[str] = outcome["codes"]
    assert "INTERNAL_SERVER_ERROR" not in codes
    for expected in ("GRAPHQL_VALIDATION_FAILED", "LIMIT_EXCEEDED", "BAD_USER_INPUT"):
        assert codes[expected] > 0, codes
    assert codes["PAYLOAD_TOO_LARGE"] > 0 and codes["UNAUTHENTICATED"] + codes["RATE_LIMITED"] > 0
    slowest = max(seconds for _, seconds in probes)
    print(f"flood: {dict(codes)}; {len(probes)} health probes, slowest {slowest:.3f} s")
    assert "Traceback" not in text
    assert KEY not in text


async def _flood(root: str, *, requests: int, clients: int, within_s: float) -> dict[str, Any]:
    """``requests`` abusive requests from ``clients`` workers, with /healthz probed meanwhile."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(requests):
        queue.put_nowait(n)
    codes: Counter[str] = Counter()
    unexpected: list[str] = []
    probes: list[tuple[int, float]] = []
    sent = 0
    deadline = time.monotonic() + within_s
    limits = httpx.Limits(max_connections=clients + 2)

    async with httpx.AsyncClient(base_url=root, timeout=30.0, limits=limits) as http:

        async def worker() -> None:
            nonlocal sent
            while time.monotonic() < deadline:
                try:
                    n = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                label, payload, expect = FLOOD[n % len(FLOOD)]
                headers = {"content-type": "application/json"}
                if label.startswith("mutation"):
                    headers["authorization"] = f"Bearer not-{KEY}"
                if label == "oversized body":
                    assert isinstance(payload, bytes)
                    response = await http.post(
                        "/graphql", content=_chunked(payload), headers=headers
                    )
                elif isinstance(payload, bytes):
                    response = await http.post("/graphql", content=payload, headers=headers)
                else:
                    response = await http.post("/graphql", json=payload, headers=headers)
                sent += 1
                if label == "not json":
                    # strawberry answers 400 before GraphQL; no JSON errors list.
                    if response.status_code != 400:
                        unexpected.append(f"{label}: {response.status_code}")
                    continue
                try:
                    body = response.json()
                except ValueError:
                    unexpected.append(f"{label}: not JSON: {response.status_code}")
                    continue
                errors = body.get("errors") if isinstance(body, dict) else None
                if (
                    label.startswith("path")
                    and not errors
                    and body["data"]["citationPath"]["found"]
                ):
                    unexpected.append(f"{label}: a path was found: {response.text[:200]}")
                if not errors:
                    if expect == "error" or response.status_code != 200:
                        unexpected.append(f"{label}: {response.status_code} {response.text[:200]}")
                    continue
                if expect == "data":
                    unexpected.append(f"{label}: {response.text[:300]}")
                for error in errors:
                    code = (error.get("extensions") or {}).get("code", "?")
                    codes[code] += 1
                    if code not in ALLOWED_CODES:
                        unexpected.append(f"{label}: {code}: {error.get('message', '')[:200]}")

        async def prober() -> None:
            while not done.is_set():
                began = time.monotonic()
                try:
                    r = await http.get("/healthz", timeout=10.0)
                    probes.append((r.status_code, time.monotonic() - began))
                except httpx.TransportError as exc:
                    probes.append((-1, time.monotonic() - began))
                    unexpected.append(f"healthz: {type(exc).__name__}")
                # Every 20 ms: the 420 requests, refused faster since session 4,
                # took about a second, and probes every 100 ms fell to 9.
                await asyncio.sleep(0.02)

        done = asyncio.Event()
        probe_task = asyncio.create_task(prober())
        await asyncio.gather(*(worker() for _ in range(clients)))
        done.set()
        await probe_task
    return {"codes": codes, "unexpected": unexpected, "probes": probes, "sent": sent}


# --- admission by cost under a flood: the event loop stays free ------------------
PERSONALISED = 'influentialPapers(topic: "computer science", personalized: true) { score }'
COSTLY = [
    doubling_document(10),
    doubling_document(20),
    doubling_document(40),
    "{ " + " ".join(f"a{i}: {PERSONALISED}" for i in range(30)) + " }",
]


# Says "ready", then probes /healthz every 50 ms for argv[2] seconds and prints, per
# probe, [status, seconds, the prober's own runqueue wait in ms during it].
# A process of its own: in the test's process the flood's client work (8 clients
# in an event loop, the GIL) would delay and inflate the probes it measures.
# http.client on one kept-alive connection, not httpx: the probe's time is the
# server's answer plus the prober's own CPU around it (about 1 ms of Python in
# httpx, during which a busy machine can preempt the prober). The runqueue wait
# (the kernel's schedstat of this thread) says how much of a slow probe was the
# prober itself waiting for a core; it is reported, never subtracted.
PROBER = """
import http.client, json, sys, time
from urllib.parse import urlsplit
root, seconds = urlsplit(sys.argv[1]), float(sys.argv[2])

def waited_ns():
    with open("/proc/thread-self/schedstat") as f:
        return int(f.read().split()[1])

probes = []
connection = http.client.HTTPConnection(root.hostname, root.port, timeout=10.0)
connection.request("GET", "/healthz")  # the connection, opened before timing
connection.getresponse().read()
print("ready", flush=True)
end = time.monotonic() + seconds
while time.monotonic() < end:
    waited = waited_ns()
    began = time.perf_counter()
    try:
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        status = answer.status
    except (OSError, http.client.HTTPException) as exc:
        status = type(exc).__name__
        connection.close()
    took = time.perf_counter() - began
    probes.append([status, took, (waited_ns() - waited) / 1e6])
    time.sleep(0.05)
print(json.dumps(probes))
"""


# The 8 flooding clients: argv[3] is the JSON list of documents. Says "ready" once
# imported, floods from the "go" line on for argv[2] seconds, then prints the
# error codes counted (an answer without errors counts as "ANSWERED").
# A process of its own at nice 10: in production the clients are on other
# machines, here they share the 2 cores with the server, which keeps the
# default priority of every process.
FLOODER = """
import asyncio, collections, json, os, sys, time
import httpx
root, seconds, documents = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
os.nice(10)
codes = collections.Counter()

async def main():
    limits = httpx.Limits(max_connections=10)
    async with httpx.AsyncClient(base_url=root, timeout=30.0, limits=limits) as http:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        deadline = time.monotonic() + seconds

        async def client(n):
            i = n
            while time.monotonic() < deadline:
                answer = await http.post("/graphql", json={"query": documents[i % len(documents)]})
                errors = answer.json().get("errors") or []
                codes.update(e["extensions"]["code"] for e in errors)
                if not errors:
                    codes["ANSWERED"] += 1
                i += 1

        await asyncio.gather(*(client(n) for n in range(8)))

asyncio.run(main())
print(json.dumps(codes))
"""


def _ready(root: str) -> bool:
    return httpx.get(f"{root}/readyz", timeout=2).status_code == 200


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@pytest.mark.timeout(240)
@pytest.mark.serial
async def test_healthz_answers_within_100_ms_while_8_clients_send_costly_documents(
    abuse_graph: Settings, tmp_path: Path
) -> None:
    """Issue 11: every /healthz probe within 100 ms while 8 clients send documents
    that admission refuses (COST_LIMIT_EXCEEDED) for 10 s at a real uvicorn process.

    The flood starts once ``/readyz`` says 200, as a load balancer's traffic
    would: a worker still reading its startup projection is not sent traffic.
    Flooded during that read (3-5 s at 60k papers alone, 5-8 s under the
    flood), the worker's loop lagged 20-90 ms at a time (the read's turns, its
    build thread holding the GIL, the records freed on the loop) and probes
    took up to 495 ms (bench/BENCHMARKS.md). /healthz, the liveness probe, is
    timed here under the traffic a ready worker gets.

    In production the clients and the prober are on other machines; here they
    share the 2 cores with the server, so each is placed where it takes the
    least from what is measured: the 8 clients in a process of their own at
    nice 10 (FLOODER), the server (``api_process``) and the prober each in a
    session of their own. With the kernel's autogroup scheduling a session
    shares the cores fairly with the others, and a prober in pytest's session
    shared one share with the server it probes: in session 5 a 146.9 ms probe
    was 145.8 ms of the prober waiting for a core (perf sched) while the
    server answered refusals every millisecond. What is left in the probe's
    time is the server's answer; the prober's own runqueue wait is printed
    with any slow probe, never subtracted.
    """
    with api_process(abuse_graph, tmp_path) as (root, _log):
        wait_for(lambda: _ready(root), "the API's projection (/readyz)", 120)
        flooder = await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", FLOODER, root, "10", json.dumps(COSTLY)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        prober = await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", PROBER, root, "10"),
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        for helper in (flooder, prober):
            assert helper.stdout is not None
            assert await asyncio.wait_for(helper.stdout.readline(), 60) == b"ready\n"
        flooded, _ = await asyncio.wait_for(flooder.communicate(b"go\n"), 60)
        output, _ = await asyncio.wait_for(prober.communicate(), 60)
    codes: Counter[str] = Counter(json.loads(flooded))
    answers = json.loads(output)
    failures = [status for status, _, _ in answers if status != 200]
    probes = sorted(seconds for _, seconds, _ in answers)
    # The slowest probes with the prober's own runqueue wait during each (ms).
    slowest = sorted(answers, key=lambda answer: -answer[1])[:5]
    print(
        f"{sum(codes.values())} costly documents: {dict(codes)}; {len(probes)} probes: "
        + ", ".join(
            f"{name} {_percentile(probes, q) * 1000:.1f} ms"
            for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
        )
        + "; slowest (ms, prober's runqueue wait ms): "
        + ", ".join(f"{seconds * 1000:.1f} ({waited:.1f})" for _, seconds, waited in slowest)
    )
    assert set(codes) == {"COST_LIMIT_EXCEEDED"} and sum(codes.values()) >= 40, codes
    assert not failures, failures
    assert len(probes) >= 50, probes
    # Issue 11's must-show, literally: every probe within 100 ms.
    assert probes[-1] < 0.1, slowest
