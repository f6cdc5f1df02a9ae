"""``make scale-check``: PageRank and communities by Apache Spark, checked against igraph.

``python -m bench.spark_check [--papers 20000] [--seed 7]``:

1. a synthetic corpus (``citekb synth``, cached) is loaded through the bulk
   path into a throwaway Neo4j (or ``NEO4J_URI``, whose data is replaced);
2. the projection's citation arrays are read by the one loader
   (:func:`graph_api.store.projection.load_arrays`) and written as projection
   files: ``papers.tsv`` (paper number, paperId) and ``cites.tsv`` (citing and
   cited paper numbers, one citation a line);
3. igraph computes the scores ``citekb analytics`` stores (same arrays);
4. Spark, in local mode, reads ``cites.tsv`` and runs GraphX's PageRank and
   label propagation (the algorithms GraphFrames' ``pageRank`` and
   ``labelPropagation`` call), and the scores go back to Neo4j through the
   same writer as ``citekb analytics`` (:func:`store_scores`);
5. it prints the overlap of the stored top-20 PageRank with igraph's (read
   back from Neo4j) and exits 1 below 18 of 20.

Why GraphX through py4j and not graphframes-py: graphframes-py is only the
Python half; its JVM jar (``io.graphframes:graphframes-spark3_2.12`` and
siblings) is not on the Maven Central this machine reaches (404 for every
version from 0.10.0 to 0.12.3, and the metadata), the spark-packages
repository is not reachable, and the one PyPI package bundling a jar
(graphframes-jars 0.5.0.0) carries graphframes 0.8.1 for Spark 2.4 / Scala
2.11. GraphX ships inside the pyspark wheel (``spark-graphx_2.12``), so the
same distributed algorithms run with nothing beyond PyPI.

Why label propagation for communities: of what GraphFrames offers, connected
components puts almost every paper of a citation graph into one component
(it answers "is it linked", not "which field"); label propagation is the one
community detection among them. It is coarser than Louvain and not
deterministic across engines, so the check reports its modularity beside
Louvain's rather than asserting equality; PageRank is what must agree.

GraphX's PageRank leaves dangling mass out and does not normalise; igraph
spreads it uniformly. Both solve x = alpha P^T x + c 1 for a constant c, so
the vectors are proportional and the rankings identical at convergence: the
Spark scores are normalised to sum to 1 over every paper (papers without a
citation either way, absent from GraphX's edge list, get the teleport-only
value, read off an uncited paper GraphX has) before they are stored.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import results
from bench.corpus import ensure_corpus
from bench.server import bench_neo4j, connected_driver
from graph_api.analytics.citation_arrays import CitationArrays, GlobalScores, igraph_scores
from graph_api.analytics.influence import ALPHA
from graph_api.store.analytics_store import store_scores, top_stored_pagerank
from graph_api.store.projection import ProjectionArrays, load_arrays
from loaders.bulk_load import load_datasets_dir

DEFAULT_PAPERS = 20_000
TOP = 20
REQUIRED_OVERLAP = 18
PAGERANK_ITERATIONS = 50  # 0.85^50 ~ 3e-4: the top of the ranking has settled
LPA_STEPS = 5


def write_projection_files(arrays: CitationArrays, out: Path) -> tuple[Path, Path]:
    """``papers.tsv`` (number, paperId) and ``cites.tsv`` (citing, cited numbers).

    Tab-separated, a ``#`` header line: Spark's CSV reader takes them with
    ``sep='\\t', comment='#'`` and GraphX's edge-list loader skips ``#`` lines.
    """
    out.mkdir(parents=True, exist_ok=True)
    papers, cites = out / "papers.tsv", out / "cites.tsv"
    with papers.open("w", encoding="utf-8") as f:
        f.write("# number\tpaperId\n")
        f.writelines(f"{i}\t{p}\n" for i, p in enumerate(arrays.paper_ids))
    pairs = np.column_stack([arrays.citing, arrays.cited])
    np.savetxt(cites, pairs, fmt="%d", delimiter="\t", header="citing\tcited", comments="# ")
    return papers, cites


def _read_pairs(directory: Path) -> dict[int, float]:
    """GraphX's ``saveAsTextFile`` output: lines ``(vertexId,value)``."""
    values: dict[int, float] = {}
    for part in sorted(directory.glob("part-*")):
        for line in part.read_text(encoding="utf-8").splitlines():
            vertex, value = ast.literal_eval(line)
            values[int(vertex)] = float(value)
    return values


def spark_scores(
    cites: Path, papers: int, work: Path
) -> tuple[dict[int, float], dict[int, int], dict[str, Any]]:
    """GraphX PageRank and label propagation on ``cites.tsv`` in local mode."""
    from pyspark import __version__ as spark_version
    from pyspark.sql import SparkSession

    timings: dict[str, Any] = {"sparkVersion": spark_version}
    started = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("citekb-scale-check")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.local.dir", str(work / "spark-local"))
        .getOrCreate()
    )
    try:
        sc = spark.sparkContext
        sc.setLogLevel("ERROR")
        sc.setCheckpointDir(str(work / "checkpoints"))
        timings["startS"] = round(time.perf_counter() - started, 1)
        jvm = sc._jvm
        assert jvm is not None
        graphx = jvm.org.apache.spark.graphx
        level = jvm.org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK()
        started = time.perf_counter()
        graph = graphx.GraphLoader.edgeListFile(sc._jsc.sc(), str(cites), False, 2, level, level)
        timings["edges"] = int(graph.ops().numEdges())
        timings["loadS"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        # resetProb = 1 - alpha; the same damping as igraph's.
        ranked = graph.ops().staticPageRank(PAGERANK_ITERATIONS, 1.0 - ALPHA)
        ranked.vertices().saveAsTextFile(str(work / "pagerank"))
        timings["pagerankS"] = round(time.perf_counter() - started, 1)
        timings["pagerankIterations"] = PAGERANK_ITERATIONS

        started = time.perf_counter()
        # LabelPropagation.run[VD, ED: ClassTag](graph, maxSteps): the ClassTag is
        # the implicit Scala passes; the edge attribute of edgeListFile is Int.
        class_tag = getattr(getattr(jvm.scala.reflect, "ClassTag$"), "MODULE$").Int()
        labelled = graphx.lib.LabelPropagation.run(graph, LPA_STEPS, class_tag)
        labelled.vertices().saveAsTextFile(str(work / "labels"))
        timings["labelPropagationS"] = round(time.perf_counter() - started, 1)
        timings["labelPropagationSteps"] = LPA_STEPS
    finally:
        spark.stop()
    pagerank = _read_pairs(work / "pagerank")
    labels = {v: int(c) for v, c in _read_pairs(work / "labels").items()}
    if any(not 0 <= v < papers for v in pagerank):
        raise ValueError("GraphX returned a vertex that is not a paper number")
    return pagerank, labels, timings


def spark_global_scores(
    arrays: CitationArrays, pagerank: dict[int, float], labels: dict[int, int]
) -> GlobalScores:
    """Spark's results as :class:`GlobalScores` over every paper (see the module docstring)."""
    n = arrays.papers
    # GraphX rescales its ranks (to sum to its own vertex count), so the rank a
    # paper without citations gets is read off one that GraphX has: an uncited
    # paper that cites (its rank is the teleport share alone, like theirs).
    cited = np.bincount(arrays.cited, minlength=n) > 0
    uncited = [v for v in pagerank if not cited[v]]
    base = pagerank[uncited[0]] if uncited else min(pagerank.values(), default=1.0)
    scores = np.full(n, base, dtype=np.float64)
    for v, s in pagerank.items():
        scores[v] = s
    scores /= scores.sum()
    # Papers outside every citation are their own community (labels are vertex ids).
    community = np.arange(n, dtype=np.int64)
    for v, c in labels.items():
        community[v] = c
    return GlobalScores.of(arrays, scores, community, "spark-graphx")


def modularity(arrays: CitationArrays, membership: np.ndarray) -> float:
    import igraph  # type: ignore[import-untyped]

    g = igraph.Graph(
        n=arrays.papers,
        edges=list(zip(arrays.citing.tolist(), arrays.cited.tolist(), strict=True)),
    )
    g.simplify()
    return float(g.modularity(membership.tolist()))


def run(papers: int, seed: int) -> dict[str, Any]:
    payload = results.new_payload("scale-check")
    corpus = ensure_corpus(papers, seed)
    payload["corpus"] = corpus.describe()
    work = Path(tempfile.mkdtemp(prefix="citekb-scale-check-"))
    try:
        with bench_neo4j() as neo, connected_driver(neo) as driver:
            database = neo.settings.neo4j_database
            started = time.perf_counter()
            load_datasets_dir(driver, corpus.path, database)
            payload["loadS"] = round(time.perf_counter() - started, 1)
            print(f"loaded {corpus.papers:,} synthetic papers in {payload['loadS']} s", flush=True)
            snapshot: ProjectionArrays = load_arrays(driver, database)
            arrays = snapshot.arrays
            _, cites = write_projection_files(arrays, work / "projection")
            print(
                f"projection files: {arrays.papers:,} papers, {arrays.cites:,} citations "
                f"in {work / 'projection'}",
                flush=True,
            )
            reference, took = igraph_scores(arrays)
            payload["igraphS"] = {k: round(v, 2) for k, v in took.items()}
            pagerank, labels, timings = spark_scores(cites, arrays.papers, work)
            payload["spark"] = timings
            spark = spark_global_scores(arrays, pagerank, labels)
            store_scores(driver, database, snapshot, spark, {"alpha": ALPHA})
            stored = [r["paperId"] for r in top_stored_pagerank(driver, database, TOP)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    expected = [arrays.paper_ids[i] for i in np.argsort(-reference.pagerank, kind="stable")[:TOP]]
    overlap = len(set(stored) & set(expected))
    payload["overlap"] = overlap
    payload["sameOrder"] = stored == expected
    payload["maxRelativeDifference"] = float(
        np.max(np.abs(spark.pagerank - reference.pagerank) / reference.pagerank)
    )
    payload["communities"] = {
        "louvain": len(reference.communities),
        "louvainModularity": round(modularity(arrays, reference.community), 4),
        "labelPropagation": len(spark.communities),
        "labelPropagationModularity": round(modularity(arrays, spark.community), 4),
    }
    payload["loadAverageAtEnd"] = results.load_average()
    return payload


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.spark_check", description=__doc__)
    p.add_argument("--papers", type=int, default=DEFAULT_PAPERS)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"load average at start: {results.load_average()}", flush=True)
    payload = run(args.papers, args.seed)
    results.write_json("scale-check", args.papers, payload)
    spark, comm = payload["spark"], payload["communities"]
    print(
        f"Spark {spark['sparkVersion']} local[2] (GraphX): start {spark['startS']} s, "
        f"edge list {spark['loadS']} s, PageRank ({spark['pagerankIterations']} iterations) "
        f"{spark['pagerankS']} s, label propagation ({spark['labelPropagationSteps']} steps) "
        f"{spark['labelPropagationS']} s; igraph: {payload['igraphS']}"
    )
    print(
        f"communities: Louvain (igraph) {comm['louvain']}, modularity "
        f"{comm['louvainModularity']}; label propagation (Spark) {comm['labelPropagation']}, "
        f"modularity {comm['labelPropagationModularity']}"
    )
    print(
        f"PageRank max relative difference Spark vs igraph: {payload['maxRelativeDifference']:.2e}"
    )
    print(
        f"top-{TOP} PageRank overlap, Spark (stored by the writer, read back) vs igraph: "
        f"{payload['overlap']}/{TOP} (same order: {payload['sameOrder']}; "
        f"required >= {REQUIRED_OVERLAP})"
    )
    print(f"load average at end: {payload['loadAverageAtEnd']}")
    return 0 if payload["overlap"] >= REQUIRED_OVERLAP else 1


if __name__ == "__main__":
    sys.exit(main())
