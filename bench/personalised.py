"""Personalised PageRank through the API: by topic (stored) and by seed set (computed).

``python -m bench.personalised [--papers N] [--requests R] [--store DIR] [--importer]``:

1. Loads the synthetic corpus through the bulk path (or the offline importer)
   into a throwaway Neo4j (or the one kept in ``--store``, reused when it holds
   the corpus already) and
   runs ``compute_and_store`` (PageRank, communities, and the per-topic
   personalised rankings it now stores), timing the topic rankings.
2. Starts the API in process (its real lifespan: the projection and the
   sparse matrix are read in the background; the bench waits for them), with
   the response cache and the analytics result cache **off**, so every request
   really runs, and times ``influentialPapers(topic:, personalized: true)``
   over the largest topics and ``influentialPapers(seeds:, personalized:
   true)`` with 20 random papers per request (a new seed set every time).
3. Baseline in the same run: the path the API took before, networkx's
   personalised PageRank on the same projection (``topic_influence`` then
   ``personalized_pagerank``), for a few of the same topics and seed sets.

Targets (issue 11): by topic p50 <= 20 ms, by a seed set of <= 20 papers
<= 300 ms, at 100k papers. Figures are wall clock on the shared machine; the
load average is recorded at start and end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench import results
from bench.corpus import ensure_corpus
from bench.ingest import importer_load
from bench.server import bench_neo4j, connected_driver
from graph_api.analytics import influential_papers, pagerank, personalized_pagerank, topic_papers
from graph_api.service.app import create_app
from graph_api.store import graph_store
from graph_api.store.analytics_store import compute_and_store
from graph_api.store.projection import load_projection
from loaders.bulk_load import load_datasets_dir
from loaders.graph_writer import graph_counts

TOPIC_Q = (
    "query($t: String!) { influentialPapers(topic: $t, personalized: true, first: 10) "
    "{ paperId score } }"
)
SEEDS_Q = (
    "query($s: [ID!]) { influentialPapers(seeds: $s, personalized: true, first: 10) "
    "{ paperId score } }"
)


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(samples),
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
    }


async def _api_timings(
    settings: Any, topics: list[str], seed_sets: list[list[str]]
) -> dict[str, Any]:
    quiet = settings.model_copy(
        update={"api_response_cache_bytes": 0, "api_analytics_cache_entries": 0}
    )
    assert quiet.neo4j_uri is not None
    app = create_app(quiet, lambda s: graph_store.async_driver_for(s, s.neo4j_uri))
    async with app.router.lifespan_context(app):
        warm_started = time.perf_counter()
        await app.state.analytics.warmed()
        warm_s = time.perf_counter() - warm_started
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def timed(query: str, variables: dict[str, Any]) -> float:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}
                )
                took = time.perf_counter() - started
                body = response.json()
                assert not body.get("errors"), body
                assert body["data"]["influentialPapers"], body
                return took

            await timed(TOPIC_Q, {"t": topics[0]})  # first request: connections opened
            by_topic = [await timed(TOPIC_Q, {"t": t}) for t in topics]
            by_seeds = [await timed(SEEDS_Q, {"s": s}) for s in seed_sets]
    return {"warmupS": round(warm_s, 1), "byTopic": _ms(by_topic), "bySeeds": _ms(by_seeds)}


def _baseline(proj: Any, topics: list[str], seed_sets: list[list[str]]) -> dict[str, Any]:
    """The former path: networkx PageRank personalised per request, on the same projection."""
    G = proj.graph
    by_topic = []
    for topic in topics:
        started = time.perf_counter()
        seeds = topic_papers(G, topic)
        scores = pagerank(G, personalization=dict.fromkeys(seeds, 1.0))
        influential_papers(G, scores, k=10)
        by_topic.append(time.perf_counter() - started)
    by_seeds = []
    for seeds in seed_sets:
        started = time.perf_counter()
        personalized_pagerank(G, seeds, k=10)
        by_seeds.append(time.perf_counter() - started)
    return {"byTopic": _ms(by_topic), "bySeeds": _ms(by_seeds)}


def _importer_summary(run: dict[str, Any]) -> dict[str, Any]:
    return {k: run.get(k) for k in ("exitCode", "wallS", "phases", "counts")}


def render(payload: dict[str, Any]) -> list[str]:
    api, base = payload["api"], payload["baseline"]
    topic_ratio = base["byTopic"]["p50"] / max(api["byTopic"]["p50"], 0.1)
    seed_ratio = base["bySeeds"]["p50"] / max(api["bySeeds"]["p50"], 0.1)
    t_ok = "met" if api["byTopic"]["p50"] <= 20 else "MISSED"
    s_ok = "met" if api["bySeeds"]["p50"] <= 300 else "MISSED"
    return [
        f"Command: `{payload['command']}`; machine: {payload['machine']}; load average at "
        f"start {payload['loadAverageAtStart']}, at end {payload['loadAverageAtEnd']}.",
        "",
        f"Corpus: {payload['corpus']}; written: {payload.get('load')}. "
        f"`compute_and_store` ranked {payload['topics']['ranked']} "
        f"topics (20+ papers) in {payload['topics']['seconds']} s of its "
        f"{payload['topics']['totalS']} s. API warm-up (projection + sparse matrix, background): "
        f"{api['warmupS']} s.",
        "",
        "| request (API in process, response and analytics caches off) | n | p50 ms | p95 ms "
        "| max ms | networkx baseline p50 ms (same run) | ratio | target |",
        "|---|---|---|---|---|---|---|---|",
        f"| `influentialPapers(topic:, personalized: true)` (stored) | {api['byTopic']['n']} | "
        f"{api['byTopic']['p50']} | {api['byTopic']['p95']} | {api['byTopic']['max']} | "
        f"{base['byTopic']['p50']} (n={base['byTopic']['n']}) | {topic_ratio:.0f}x | "
        f"p50 <= 20 ms: {t_ok} |",
        f"| `influentialPapers(seeds: 20 papers, personalized: true)` (sparse, computed) | "
        f"{api['bySeeds']['n']} | {api['bySeeds']['p50']} | {api['bySeeds']['p95']} | "
        f"{api['bySeeds']['max']} | {base['bySeeds']['p50']} (n={base['bySeeds']['n']}) | "
        f"{seed_ratio:.0f}x | <= 300 ms: {s_ok} |",
    ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--baseline-requests", type=int, default=3)
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="keep the local Neo4j's home here and reuse its graph next time",
    )
    parser.add_argument(
        "--importer",
        action="store_true",
        help="write the corpus with `citekb load DIR --importer` (faster at 100k)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    payload = results.new_payload("personalised", loadAverageAtStart=results.load_average())
    corpus = ensure_corpus(args.papers, args.seed)
    payload["corpus"] = corpus.describe()
    with bench_neo4j(store=args.store) as neo, connected_driver(neo) as driver:
        db = neo.settings.neo4j_database
        held = graph_counts(driver, database=db)["papers"]
        if held >= corpus.papers:
            payload["load"] = {"reused": str(args.store), "papers": held}
        elif args.importer:
            payload["load"] = {"importer": _importer_summary(importer_load(driver, neo, corpus))}
        else:
            started = time.perf_counter()
            load_datasets_dir(driver, corpus.path, db)
            payload["load"] = {"writerS": round(time.perf_counter() - started, 1)}
        print("load:", payload["load"], flush=True)
        run = compute_and_store(driver, db)
        payload["topics"] = {
            "ranked": run.topics_ranked,
            "seconds": round(run.topic_rank_s, 1),
            "totalS": round(run.total_s, 1),
        }
        print("analytics:", payload["topics"], flush=True)
        proj = load_projection(driver, db)
        rng = random.Random(args.seed)
        largest = sorted(proj.topics.by_member, key=lambda t: -len(proj.topics.by_member[t]))
        topics = [largest[i % min(len(largest), 20)] for i in range(args.requests)]
        papers = sorted(proj.graph.nodes)
        seed_sets = [rng.sample(papers, 20) for _ in range(args.requests)]
        payload["api"] = asyncio.run(_api_timings(neo.settings, topics, seed_sets))
        print("api:", payload["api"], flush=True)
        n = args.baseline_requests
        payload["baseline"] = _baseline(proj, topics[:n], seed_sets[:n])
        print("baseline:", payload["baseline"], flush=True)
    payload["loadAverageAtEnd"] = results.load_average()
    results.write_json("personalised", corpus.papers, payload)
    results.update_section(
        "personalised",
        corpus.papers,
        f"Personalised PageRank, {corpus.papers:,} papers",
        render(payload),
    )
    return payload


if __name__ == "__main__":
    main()
