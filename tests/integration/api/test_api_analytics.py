"""Analytics through the GraphQL API, against the pure functions on the same graph.

The graph is the SYNTHETIC one of api_graph.py (written once for this module)
plus one isolated synthetic paper, so that two papers with no citation path at
all exist; `citekb analytics`' compute-and-store has run on it. Every
expectation is computed in the test from a projection read from Neo4j with the
pure functions of graph_api.analytics, never hard-coded.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from typing import Any

import httpx
import networkx as nx
import pytest
from neo4j import Driver

from graph_api.analytics import (
    DEFAULT_MIN_COVERAGE,
    Membership,
    author_metrics,
    citation_paths,
    citing_coverage,
    coauthors,
    communities,
    coverage,
    derivative_works,
    disruption,
    influence,
    influential_papers,
    lineage,
    main_path,
    pagerank,
    prior_works,
    rank_members,
    reference_citations_coverage,
    rising_topics,
    similar_papers,
    topic_papers,
    withheld_reason,
)
from graph_api.service import analytics_api
from graph_api.service.analytics_runtime import AnalyticsRuntime
from graph_api.service.app import create_app
from graph_api.settings import Settings
from graph_api.store import graph_store
from graph_api.store.analytics_store import analytics_status, compute_and_store, top_stored_pagerank
from graph_api.store.projection import Projection, load_projection
from loaders.graph_writer import write_rows
from loaders.rows import GraphRows, title_key
from tests.integration.api.api_graph import PAPERS, author_id, graph_rows, hex_id
from tests.integration.api.api_support import Api, running_api

ISOLATED = hex_id("paper", 900)  # cites nothing, cited by nothing
NEWCOMER = hex_id("paper", 901)  # written by the cache-invalidation test


def paper_row(paper_id: str, title: str, corpus_id: int) -> dict[str, Any]:
    """A synthetic paper row like api_graph's, without external ids."""
    return graph_rows().papers[1] | {
        "paperId": paper_id,
        "title": title,
        "titleKey": title_key(title),
        "corpusId": corpus_id,
        "arxivId": None,
        "doi": None,
    }


@pytest.fixture(scope="module")
def synth_graph(synth_graph: Settings, session_driver: Driver) -> Settings:
    """api_graph's graph plus one isolated paper (this module only)."""
    rows = GraphRows()
    rows.papers.append(paper_row(ISOLATED, "Synthetic Isolated Paper", 990000))
    write_rows(session_driver, rows, database=synth_graph.neo4j_database, source="synthetic")
    return synth_graph


@pytest.fixture
def G(analysed_graph: Settings, session_driver: Driver) -> nx.DiGraph:
    """The citation graph as it is now (read fresh, so test order never matters)."""
    return load_projection(session_driver, analysed_graph.neo4j_database).graph


def pid(i: int) -> str:
    return PAPERS[i].paper_id


async def codes(api: Api, query: str) -> list[str]:
    body = await api.post(query)
    assert body.get("errors"), body
    return [e["extensions"]["code"] for e in body["errors"]]


# --- lineage -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "depth", "first"),
    [("ANCESTORS", 2, 100), ("DESCENDANTS", 3, 12), ("ANCESTORS", 5, 7)],
)
async def test_lineage_in_one_direction_is_the_pure_lineage(
    analysed_api: Api, G: nx.DiGraph, direction: str, depth: int, first: int
) -> None:
    root = pid(20)
    data = await analysed_api.data(
        f"""{{ lineage(id: "{root}", direction: {direction}, depth: {depth}, first: {first}) {{
            root {{ paperId }} truncated
            nodes {{ paperId depth relation paper {{ paperId }} }}
            edges {{ citing cited }}
            mainPath {{ paperIds spc papers {{ paperId }} }}
            droppedCycleEdges {{ citing cited }}
        }} }}"""
    )
    got = data["lineage"]
    want = lineage(G, root, direction=direction.lower(), depth=depth, max_papers=first)  # type: ignore[arg-type]
    assert got["root"]["paperId"] == root
    assert [(n["paperId"], n["depth"]) for n in got["nodes"]] == list(want.depth.items())
    assert all(n["paper"]["paperId"] == n["paperId"] for n in got["nodes"])
    assert got["nodes"][0]["relation"] == "ROOT"
    assert {n["relation"] for n in got["nodes"][1:]} == {direction[:-1]}
    assert [(e["citing"], e["cited"]) for e in got["edges"]] == want.edges
    assert got["mainPath"]["paperIds"] == want.main_path.papers
    assert [p["paperId"] for p in got["mainPath"]["papers"]] == want.main_path.papers
    assert got["mainPath"]["spc"] == want.main_path.spc
    assert [(e["citing"], e["cited"]) for e in got["droppedCycleEdges"]] == (
        want.main_path.broken_edges
    )
    assert got["truncated"] == want.truncated
    assert len(want.main_path.papers) > 1


async def test_lineage_both_ways_merges_the_nearest_papers(
    analysed_api: Api, G: nx.DiGraph
) -> None:
    root, first = pid(20), 15
    data = await analysed_api.data(
        f"""{{ lineage(id: "{root}", direction: BOTH, depth: 2, first: {first}) {{
            truncated nodes {{ paperId depth relation }} edges {{ citing cited }}
            mainPath {{ paperIds spc }}
        }} }}"""
    )
    got = data["lineage"]
    up = lineage(G, root, direction="ancestors", depth=2, max_papers=None)
    down = lineage(G, root, direction="descendants", depth=2, max_papers=None)
    hops = down.depth | up.depth  # the synthetic graph has no cycles: no paper is both
    kept = sorted(hops, key=lambda p: (hops[p], p))[:first]
    assert [(n["paperId"], n["depth"]) for n in got["nodes"]] == [(p, hops[p]) for p in kept]
    relations = {n["paperId"]: n["relation"] for n in got["nodes"]}
    assert relations[root] == "ROOT"
    assert {relations[p] for p in kept if p in up.depth and p != root} == {"ANCESTOR"}
    assert {relations[p] for p in kept if p in down.depth and p != root} == {"DESCENDANT"}
    sub = G.subgraph(kept)
    assert [(e["citing"], e["cited"]) for e in got["edges"]] == sorted(sub.edges)
    want_path = main_path(sub)
    assert (got["mainPath"]["paperIds"], got["mainPath"]["spc"]) == (
        want_path.papers,
        want_path.spc,
    )
    assert got["truncated"] is True  # 24 ancestors + 8 descendants within two hops


async def test_lineage_accepts_any_id_form_and_is_null_for_an_unknown_paper(
    analysed_api: Api,
) -> None:
    data = await analysed_api.data(
        f"""{{
          byArxiv: lineage(id: "arXiv:{PAPERS[20].arxiv_id}", depth: 1) {{ nodes {{ paperId }} }}
          unknown: lineage(id: "{"0" * 40}") {{ nodes {{ paperId }} }}
        }}"""
    )
    assert data["byArxiv"]["nodes"][0]["paperId"] == pid(20)
    assert data["unknown"] is None


# --- citation paths ------------------------------------------------------------


@pytest.mark.parametrize(
    "case", [(30, 2, 4, True), (2, 4, 6, False)], ids=["directed", "undirected"]
)
async def test_citation_paths_are_the_pure_k_shortest_paths(
    analysed_api: Api, G: nx.DiGraph, case: tuple[int, int, int, bool]
) -> None:
    source, target, k, directed = case
    data = await analysed_api.data(
        f"""{{ citationPath(from: "{pid(source)}", to: "{pid(target)}", k: {k},
                            directed: {str(directed).lower()}) {{
            found message source {{ paperId }} target {{ paperId }}
            paths {{ length paperIds steps papers {{ paperId }} }}
        }} }}"""
    )
    got = data["citationPath"]
    want = citation_paths(G, pid(source), pid(target), k=k, directed=directed)
    assert got["found"] is True and got["message"] is None
    assert (got["source"]["paperId"], got["target"]["paperId"]) == (pid(source), pid(target))
    assert [p["paperIds"] for p in got["paths"]] == [p.papers for p in want.paths]
    assert [p["steps"] for p in got["paths"]] == [[s.upper() for s in p.steps] for p in want.paths]
    assert [p["length"] for p in got["paths"]] == [p.length for p in want.paths]
    assert all([x["paperId"] for x in p["papers"]] == p["paperIds"] for p in got["paths"])
    assert len(got["paths"]) == k


async def test_no_path_is_a_clear_empty_result(analysed_api: Api, G: nx.DiGraph) -> None:
    data = await analysed_api.data(
        f"""{{
          backwards: citationPath(from: "{pid(2)}", to: "{pid(30)}") {{
            found message paths {{ length }} }}
          unconnected: citationPath(from: "{pid(2)}", to: "{ISOLATED}", directed: false) {{
            found message paths {{ length }} target {{ title }} }}
          unknown: citationPath(from: "{pid(2)}", to: "{"0" * 40}") {{
            found message paths {{ length }} }}
        }}"""
    )
    assert not citation_paths(G, pid(2), ISOLATED, directed=False).found
    backwards, unconnected, unknown = data["backwards"], data["unconnected"], data["unknown"]
    assert backwards["found"] is False and backwards["paths"] == []
    assert "no citation path" in backwards["message"] and "directed: false" in backwards["message"]
    assert unconnected["found"] is False and unconnected["paths"] == []
    assert "not connected" in unconnected["message"]
    assert unconnected["target"]["title"] == "Synthetic Isolated Paper"
    assert unknown["found"] is False and unknown["paths"] == []
    assert "no paper" in unknown["message"] and "0" * 40 in unknown["message"]


# --- influence -----------------------------------------------------------------


async def test_influential_papers_follow_the_stored_pagerank(
    analysed_api: Api, analysed_graph: Settings, session_driver: Driver, G: nx.DiGraph
) -> None:
    db = analysed_graph.neo4j_database
    data = await analysed_api.data(
        """{
          top: influentialPapers(first: 10) { score paper { paperId pagerankRank } }
          gnn: influentialPapers(topic: "Graph  Neural Networks", yearFrom: 2016, yearTo: 2022,
                                 first: 5) { score paper { paperId } }
          personalised: influentialPapers(topic: "scaling laws", yearFrom: 2016,
                                          personalized: true, first: 8) { score paper { paperId } }
        }"""
    )
    stored = top_stored_pagerank(session_driver, db, 10)
    assert [r["paper"]["paperId"] for r in data["top"]] == [s["paperId"] for s in stored]
    assert [r["score"] for r in data["top"]] == [s["pagerank"] for s in stored]
    assert [r["paper"]["pagerankRank"] for r in data["top"]] == [s["pagerankRank"] for s in stored]

    scores = {str(p): float(s) for p, s in G.nodes(data="pagerank") if s is not None}
    want = influential_papers(G, scores, topic="graph neural networks", years=(2016, 2022), k=5)
    assert [r["paper"]["paperId"] for r in data["gnn"]] == [w.paper_id for w in want]
    assert len(want) == 5

    topical = pagerank(G, personalization=dict.fromkeys(topic_papers(G, "scaling laws"), 1.0))
    want = influential_papers(G, topical, years=(2016, 10**6), k=8)
    got = data["personalised"]
    assert [r["paper"]["paperId"] for r in got] == [w.paper_id for w in want]
    assert all(math.isclose(r["score"], w.score) for r, w in zip(got, want, strict=True))


async def test_paper_influence_community_and_disruption(analysed_api: Api, G: nx.DiGraph) -> None:
    ids = [pid(i) for i in (3, 12, 25, 39)]
    aliases = " ".join(
        f"""p{i}: paper(id: "{p}") {{
              influence {{ pagerank rank percentile }} community {{ id label size }}
              disruption {{ index nI nJ nK }} later: disruption(window: 1) {{ index nI nJ nK }}
            }}"""
        for i, p in enumerate(ids)
    )
    data = await analysed_api.data(f"{{ {aliases} }}")
    ranked = influence(G)
    found = communities(G, scores={p: r.score for p, r in ranked.items()})
    for i, p in enumerate(ids):
        got = data[f"p{i}"]
        assert math.isclose(got["influence"]["pagerank"], ranked[p].score)
        assert got["influence"]["rank"] == ranked[p].rank
        assert got["influence"]["percentile"] == ranked[p].percentile
        community = found.communities[found.membership[p]]
        assert got["community"] == {
            "id": community.id,
            "label": community.label,
            "size": community.size,
        }
        # The index is withheld when the graph holds too little of what it reads
        # (this graph's citationCounts are made up, so most papers are below 0.8).
        reason = withheld_reason(
            coverage(G, p),
            citing_coverage(G, p),
            reference_citations_coverage(G, p),
            DEFAULT_MIN_COVERAGE,
        )
        for key, window in (("disruption", None), ("later", 1)):
            cd = disruption(G, p, window=window)
            index = cd.index if reason is None else None
            assert got[key] == {"index": index, "nI": cd.n_i, "nJ": cd.n_j, "nK": cd.n_k}
    assert any(data[f"p{i}"]["disruption"]["index"] is None for i in range(len(ids)))


# --- similarity and seed sets --------------------------------------------------


@pytest.mark.parametrize("method", ["CO_CITATION", "COUPLING", "ADAMIC_ADAR"])
async def test_similar_papers_are_the_pure_top_k(
    analysed_api: Api, G: nx.DiGraph, method: str
) -> None:
    data = await analysed_api.data(
        f"""{{ similarPapers(id: "{pid(12)}", method: {method}, k: 7) {{
            paperId score shared paper {{ paperId }} }} }}"""
    )
    got = data["similarPapers"]
    want = similar_papers(G, pid(12), method=method.lower(), k=7)  # type: ignore[arg-type]
    assert [(s["paperId"], s["shared"]) for s in got] == [(w.paper_id, w.shared) for w in want]
    assert all(math.isclose(s["score"], w.score) for s, w in zip(got, want, strict=True))
    assert [s["paper"]["paperId"] for s in got] == [w.paper_id for w in want]
    assert len(want) == 7


async def test_prior_and_derivative_works_of_a_seed_set(analysed_api: Api, G: nx.DiGraph) -> None:
    seeds = [pid(20), pid(22), pid(21)]
    given = [pid(20), f"arXiv:{PAPERS[22].arxiv_id}", "CorpusId:900021", "arXiv:2401.19999"]
    quoted = ", ".join(f'"{g}"' for g in given)
    data = await analysed_api.data(
        f"""{{
          prior: priorWorks(ids: [{quoted}], k: 6) {{
            seeds missing works {{ paperId count score paper {{ paperId }} }} }}
          derivative: derivativeWorks(ids: [{quoted}], k: 6, minCount: 2) {{
            seeds missing works {{ paperId count score }} }}
        }}"""
    )
    for key, fn, min_count in (("prior", prior_works, 1), ("derivative", derivative_works, 2)):
        got = data[key]
        want = fn(G, seeds, k=6, min_count=min_count)
        assert got["seeds"] == want.seeds == seeds
        assert got["missing"] == ["arXiv:2401.19999"]
        assert [(w["paperId"], w["count"], w["score"]) for w in got["works"]] == [
            (w.paper_id, w.count, w.score) for w in want.works
        ]
        assert want.works
    assert [w["paper"]["paperId"] for w in data["prior"]["works"]] == [
        w["paperId"] for w in data["prior"]["works"]
    ]


# --- communities, authors, rankings, trends ------------------------------------


async def test_communities_are_the_stored_louvain_result(analysed_api: Api, G: nx.DiGraph) -> None:
    data = await analysed_api.data(
        "{ communities(first: 50) { id label size topPapers(first: 3) { paperId } } }"
    )
    want = communities(G, scores=pagerank(G))
    assert [(c["id"], c["label"], c["size"]) for c in data["communities"]] == [
        (c.id, c.label, c.size) for c in want.communities
    ]
    assert [[p["paperId"] for p in c["topPapers"]] for c in data["communities"]] == [
        [s.paper_id for s in c.top_papers[:3]] for c in want.communities
    ]
    assert len(want.communities) > 1


async def test_author_h_indexes_and_coauthors(analysed_api: Api, G: nx.DiGraph) -> None:
    authors = Membership.of(G, "authors")
    data = await analysed_api.data(
        " ".join(
            f"""a{a}: author(id: "{author_id(a)}") {{
                  hIndex graphHIndex coAuthors(first: 4) {{ weight author {{ authorId }} }} }}"""
            for a in (0, 4, 11)
        ).join("{}")
    )
    for a in (0, 4, 11):
        got = data[f"a{a}"]
        assert got["hIndex"] == a  # Semantic Scholar's, as loaded
        assert got["graphHIndex"] == author_metrics(G, authors, author_id(a)).h_index
        assert [(c["author"]["authorId"], c["weight"]) for c in got["coAuthors"]] == [
            (c.author_id, c.papers) for c in coauthors(G, authors, author_id(a), k=4)
        ]
    assert any(got["graphHIndex"] > 0 for got in data.values())


async def test_org_and_topic_rankings(analysed_api: Api, G: nx.DiGraph) -> None:
    data = await analysed_api.data(
        """{
          orgsByInfluence: orgRanking(first: 5) { key papers influence org { key } }
          orgsByPapers: orgRanking(orderBy: {field: PAPERS}, first: 5) {
            key papers influence org { key } }
          topicsByInfluence: topicRanking(first: 5) { name papers influence topic { name } }
          topicsByPapers: topicRanking(orderBy: {field: PAPERS}, first: 5) {
            name papers influence topic { name } }
        }"""
    )
    scores = pagerank(G)
    for kind, attribute, member_key in (("orgs", "orgs", "key"), ("topics", "topics", "name")):
        members = Membership.of(G, attribute)
        for by in ("influence", "papers"):
            got = data[f"{kind}By{by.capitalize()}"]
            want = rank_members(members, scores, by=by, k=5)
            assert [(r[member_key], r["papers"]) for r in got] == [
                (w.member, w.papers) for w in want
            ]
            assert all(
                math.isclose(r["influence"], w.influence) for r, w in zip(got, want, strict=True)
            )
            node = "org" if kind == "orgs" else "topic"
            assert all(r[node] is not None for r in got)


async def test_topic_trends_are_the_rising_topics(analysed_api: Api, G: nx.DiGraph) -> None:
    data = await analysed_api.data(
        """{ topicTrends(first: 5, window: 2, minRecent: 1) {
              name recent earlier growth slope perYear { year count } topic { name } } }"""
    )
    want = rising_topics(G, Membership.of(G, "topics"), window=2, min_recent=1, k=5)
    got = data["topicTrends"]
    assert [(t["name"], t["recent"], t["earlier"]) for t in got] == [
        (w.topic, w.recent, w.earlier) for w in want
    ]
    assert [{y["year"]: y["count"] for y in t["perYear"]} for t in got] == [
        w.per_year for w in want
    ]
    assert all(math.isclose(t["growth"], w.growth) for t, w in zip(got, want, strict=True))
    assert all(t["topic"]["name"] == t["name"] for t in got)
    assert len(want) > 1


async def test_analytics_status_reports_the_stored_run(
    analysed_api: Api, analysed_graph: Settings, session_driver: Driver
) -> None:
    data = await analysed_api.data(
        "{ analyticsStatus { fresh computed graphVersion analyticsVersion papers message } }"
    )
    status = analytics_status(session_driver, analysed_graph.neo4j_database)
    got = data["analyticsStatus"]
    assert got["fresh"] is (not status.stale) is True
    assert got["computed"] is True
    assert (got["graphVersion"], got["analyticsVersion"], got["papers"]) == (
        status.graph_version,
        status.analytics_version,
        status.papers,
    )
    assert got["message"].startswith("fresh")


# --- bounds (those refused before any statement: tests/unit/test_api_refusals.py) ----


async def test_bounds_on_nested_analytics_fields(analysed_api: Api) -> None:
    query = f"""{{ paper(id: "{pid(3)}") {{ disruption(window: -1) {{ index }} }}
                  author(id: "{author_id(1)}") {{ coAuthors(first: 51) {{ weight }} }} }}"""
    assert sorted(await codes(analysed_api, query)) == ["BAD_USER_INPUT", "BAD_USER_INPUT"]


# --- the shared projection -----------------------------------------------------

QUERY = '{ lineage(id: "%s", depth: 1) { nodes { paperId } } }'


def projection_reads(api: Api) -> int:
    # Every projection read is the runtime's (AnalyticsRuntime.loads counts them);
    # the one at startup is not a request's.
    return int(api.app.state.analytics.loads) - 1


async def test_one_projection_shared_by_concurrent_requests_until_the_graph_changes(
    analysed_graph: Settings, session_driver: Driver
) -> None:
    db = analysed_graph.neo4j_database
    async with running_api(analysed_graph, warm=True) as api:
        # Read in the background at startup (running_api waits for it): no request reads it.
        assert api.app.state.analytics.loads == 1
        answers = await asyncio.gather(*(api.data(QUERY % pid(i)) for i in range(10, 16)))
        assert [len(a["lineage"]["nodes"]) for a in answers] == [11, 12, 13, 13, 13, 13]
        assert projection_reads(api) == 0
        await api.data(QUERY % pid(20))
        await api.data(f'{{ paper(id: "{pid(5)}") {{ disruption {{ index }} }} }}')
        assert projection_reads(api) == 0
        assert (await api.data(QUERY % NEWCOMER))["lineage"] is None

        # A recorded load bumps the graph version: the next request reads the graph again.
        rows = GraphRows()
        rows.papers.append(paper_row(NEWCOMER, "Synthetic Newcomer Paper", 990001))
        rows.cites.append(
            {"citing": NEWCOMER, "cited": pid(0), "isInfluential": False, "intents": [],
             "source": "synthetic"}
        )  # fmt: skip
        before = api.app.state.graph_state.current.version
        write_rows(session_driver, rows, database=db, source="synthetic")
        # The app reads the graph version every API_GRAPH_POLL_S: until then its cached
        # answers (the null lineage above) stand, by design. Wait for the new version.
        deadline = time.monotonic() + 30
        while api.app.state.graph_state.current.version == before:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        try:
            stale = await api.data("{ analyticsStatus { fresh } }")
            assert stale["analyticsStatus"]["fresh"] is False
            got = await api.data(QUERY % NEWCOMER)
            assert [n["paperId"] for n in got["lineage"]["nodes"]] == [NEWCOMER, pid(0)]
            # One read of the new version, shared by the background warm-up and the request.
            assert projection_reads(api) == 1 and api.app.state.analytics.loads == 2
        finally:
            compute_and_store(session_driver, db)  # fresh again for the other tests


async def test_readyz_says_when_the_projection_is_loaded(
    analysed_graph: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/readyz: 503 while this worker's startup read of the projection is under way
    (/healthz is 200 meanwhile), 200 once the projection and its rank matrix are kept."""
    gate = asyncio.Event()
    real_load = AnalyticsRuntime._load

    async def held(self: AnalyticsRuntime) -> Projection:
        await gate.wait()
        return await real_load(self)

    monkeypatch.setattr(AnalyticsRuntime, "_load", held)
    settings = analysed_graph.model_copy(update={"api_projection_at_startup": True})
    assert settings.neo4j_uri is not None
    app = create_app(settings, lambda s: graph_store.async_driver_for(s, str(s.neo4j_uri)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://citekb.test") as client:
            loading = await client.get("/readyz")
            assert loading.status_code == 503
            version = app.state.graph_state.current.version
            assert loading.json() == {
                "status": "loading", "neo4j": "up", "projection": "loading",
                "graphVersion": version, "pid": os.getpid(),
            }  # fmt: skip
            assert (await client.get("/healthz")).status_code == 200
            gate.set()
            await app.state.analytics.warmed()
            ready = await client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "ready" and ready.json()["projection"] == "loaded"
            assert (await client.post("/readyz")).status_code == 405
            assert app.state.analytics.loads == 1


async def test_readyz_without_a_startup_read_is_ready_at_once(analysed_graph: Settings) -> None:
    async with running_api(analysed_graph) as api:  # API_PROJECTION_AT_STARTUP off
        answer = await api.client.get("/readyz")
        assert answer.status_code == 200
        assert answer.json()["projection"] == "on first use"
        assert api.app.state.analytics.loads == 0


@pytest.mark.serial
async def test_heavy_work_runs_off_the_event_loop(
    analysed_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a slow analytic computes, /healthz still answers at once."""
    real = analytics_api.lineage_view

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.5)  # a stand-in for a heavy networkx computation (CPU time)
        return real(*args, **kwargs)

    monkeypatch.setattr(analytics_api, "lineage_view", slow)
    await analysed_api.data(QUERY % pid(1))  # the projection is loaded beforehand
    slow_request = asyncio.create_task(analysed_api.data(QUERY % pid(2)))
    await asyncio.sleep(0.3)
    started = time.perf_counter()
    health = await analysed_api.client.get("/healthz")
    took = time.perf_counter() - started
    assert health.status_code == 200
    assert not slow_request.done() and took < 1.0
    assert (await slow_request)["lineage"]["nodes"][0]["paperId"] == pid(2)
