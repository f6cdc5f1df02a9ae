"""Seed-set personalised PageRank at 100k SYNTHETIC papers, in process (no Neo4j, no HTTP).

``python -m bench.personalised_compute``: reads the cached ``citekb synth``
corpus of 100,000 papers (``bench.corpus.ensure_corpus``'s folder), builds the
sparse matrix the API keeps per projection, and times the computation of
``influentialPapers(seeds: 20 papers, personalized: true)`` over 30 random
seed sets, against networkx's ``personalized_pagerank`` (the former path) on
the same graph and seeds (3 of them), checking both give the same top 10.
Prints its figures; the load average is printed at start (run under
``uptime``) and end.
"""

import json
import os
import random
import statistics
import time

import networkx as nx
import numpy as np

from graph_api.analytics import personalized_pagerank
from graph_api.analytics.sparse_rank import RankMatrix, top_personalised
from graph_api.settings import Settings

CORPUS = "bench/synth-p100000-s0/citations.jsonl"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    path = Settings().citekb_cache_dir / CORPUS
    started = time.perf_counter()
    citing: list[int] = []
    cited: list[int] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            citing.append(row["citingcorpusid"])
            cited.append(row["citedcorpusid"])
    ids = sorted(set(citing) | set(cited))
    index = {c: i for i, c in enumerate(ids)}
    numbered = np.stack([[index[c] for c in citing], [index[c] for c in cited]], 1)
    pairs = np.unique(numbered, axis=0)
    papers = [str(c) for c in ids]
    took = time.perf_counter() - started
    print(f"read {len(papers)} papers, {len(pairs)} citations in {took:.1f} s", flush=True)
    started = time.perf_counter()
    matrix = RankMatrix.of_arrays(papers, pairs[:, 0], pairs[:, 1])
    print(f"RankMatrix.of_arrays: {time.perf_counter() - started:.2f} s", flush=True)
    rng = random.Random(7)
    seed_sets = [rng.sample(papers, 20) for _ in range(30)]
    sparse = []
    for seeds in seed_sets:
        started = time.perf_counter()
        top_personalised(matrix, seeds, k=10, include_seeds=False)
        sparse.append(time.perf_counter() - started)
    q = sorted(sparse)
    print(
        f"sparse seed-set PPR (20 seeds, k=10), n=30: p50 {_ms(statistics.median(q))}, "
        f"p95 {_ms(q[28])}, max {_ms(q[-1])}",
        flush=True,
    )
    G = nx.DiGraph()
    G.add_nodes_from(papers)
    G.add_edges_from((papers[a], papers[b]) for a, b in pairs)
    base = []
    for seeds in seed_sets[:3]:
        started = time.perf_counter()
        reference = personalized_pagerank(G, seeds, k=10)
        base.append(time.perf_counter() - started)
        mine = top_personalised(matrix, seeds, k=10, include_seeds=False)
        assert [p for p, _ in mine] == [r.paper_id for r in reference], (mine, reference)
    ratio = statistics.median(base) / statistics.median(sparse)
    print(
        f"networkx personalized_pagerank (same seeds), n=3: p50 {_ms(statistics.median(base))}; "
        f"same top 10: yes; ratio {ratio:.0f}x",
        flush=True,
    )
    print("load average at end", os.getloadavg(), flush=True)


if __name__ == "__main__":
    main()
