"""The Spark check's plumbing without Spark: projection files, and GraphX's output
turned into the scores citekb stores (synthetic graphs).

GraphX leaves dangling mass out and rescales its ranks to sum to the number of
vertices it saw; papers without any citation are not in its edge list at all.
Simulated here from the networkx reference, :func:`spark_global_scores` must
give back the reference PageRank for every paper.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graph_api import analytics as ga
from graph_api.analytics.citation_arrays import CitationArrays

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.spark_check import spark_global_scores, write_projection_files  # noqa: E402

ALPHA = 0.85


def graphx_like(G: nx.DiGraph, arrays: CitationArrays) -> dict[int, float]:
    """What GraphX's PageRank converges to: x = (1 - a) + a * sum(x_u / out_u), no dangling
    redistribution, rescaled to sum to its vertex count; only papers in some citation."""
    number = {p: i for i, p in enumerate(arrays.paper_ids)}
    present = [p for p in G if G.degree(p) > 0]
    x = dict.fromkeys(present, 1.0)
    for _ in range(300):
        x = {
            v: (1 - ALPHA) + ALPHA * sum(x[u] / G.out_degree(u) for u in G.predecessors(v))
            for v in present
        }
    scale = len(present) / sum(x.values())
    return {number[p]: s * scale for p, s in x.items()}


@pytest.fixture
def graph() -> nx.DiGraph:
    G = nx.gnp_random_graph(60, 0.06, seed=4, directed=True)
    G = nx.DiGraph((f"p{u:02d}", f"p{v:02d}") for u, v in G.edges if u > v)
    G.add_nodes_from(["p98", "p99"])  # no citation either way: absent from GraphX's input
    return G


def test_graphx_scores_become_the_reference_pagerank(graph: nx.DiGraph) -> None:
    arrays = CitationArrays.from_networkx(graph)
    labels = {v: v % 3 for v in graphx_like(graph, arrays)}
    scores = spark_global_scores(arrays, graphx_like(graph, arrays), labels)
    reference = ga.pagerank(graph)
    expected = np.array([reference[p] for p in arrays.paper_ids])
    assert np.abs(scores.pagerank - expected).max() < 1e-9
    assert scores.engine == "spark-graphx"
    # the two absent papers are communities of their own; the rest keep GraphX's labels
    sizes = sorted(c.size for c in scores.communities)
    assert sizes[:2] == [1, 1] and sum(sizes) == arrays.papers


def test_projection_files_read_back(graph: nx.DiGraph, tmp_path: Path) -> None:
    arrays = CitationArrays.from_networkx(graph)
    papers, cites = write_projection_files(arrays, tmp_path)
    with papers.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if not r[0].startswith("#")]
    assert [r[1] for r in rows] == arrays.paper_ids
    assert [int(r[0]) for r in rows] == list(range(arrays.papers))
    pairs = np.loadtxt(cites, dtype=np.int64, delimiter="\t", comments="#", ndmin=2)
    assert pairs[:, 0].tolist() == arrays.citing.tolist()
    assert pairs[:, 1].tolist() == arrays.cited.tolist()
