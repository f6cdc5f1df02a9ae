"""``citekb export``: the citation graph, or a lineage or community of it, as files.

Formats, all readable by Gephi and Cytoscape (and networkx):

* ``graphml`` and ``gexf``: one file, papers as nodes, CITES as directed edges;
* ``csv``: ``--out`` is a directory receiving ``nodes.csv`` (``Id``, ``Label``,
  attributes) and ``edges.csv`` (``Source``, ``Target``, ``Type``), the
  column names Gephi's spreadsheet import recognises.

Node attributes are scalars (formats take no lists): ``label`` (title, else
the id), ``year``, ``citationCount``, ``pagerank``, ``community`` when
stored, and ``topics``/``authors``/``orgs`` joined with ``"; "``. A lineage
export adds ``lineageSide`` (root, ancestor, descendant) and
``lineageDepth``.

>>> import networkx as nx
>>> G = nx.DiGraph([("b", "a")])
>>> G.nodes["a"].update(title="A", topics=("x", "y"), year=2020)
>>> flat_graph(G).nodes["a"]
{'label': 'A', 'year': 2020, 'topics': 'x; y'}
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import networkx as nx
from neo4j import Driver
from rich.console import Console

from graph_api.analytics import check_depth, lineage
from graph_api.store.projection import load_projection

Format = Literal["graphml", "gexf", "csv"]
Side = Literal["ancestors", "descendants", "both"]
FORMATS: tuple[Format, ...] = ("graphml", "gexf", "csv")
SCALARS = ("year", "citationCount", "pagerank", "community", "lineageSide", "lineageDepth")
LISTS = ("topics", "authors", "orgs")
NODE_COLUMNS = ("Id", "Label", *SCALARS, *LISTS)


class ExportError(ValueError):
    """The export cannot be made as asked (unknown format, paper, community...)."""


@dataclass(frozen=True)
class ExportSummary:
    papers: int
    cites: int
    files: list[Path]


def lineage_subgraph(G: nx.DiGraph, paper: str, *, depth: int, side: Side = "both") -> nx.DiGraph:
    """Ancestors and/or descendants of ``paper`` within ``depth``, marked by side and depth.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("c", "b"), ("b", "a"), ("x", "y")])
    >>> H = lineage_subgraph(G, "b", depth=1)
    >>> sorted(H.nodes(data="lineageSide"))
    [('a', 'ancestor'), ('b', 'root'), ('c', 'descendant')]
    """
    check_depth(depth)
    if paper not in G:
        raise ExportError(f"no paper {paper!r} in the graph")
    marks: dict[str, tuple[str, int]] = {paper: ("root", 0)}
    directions: list[tuple[Literal["ancestors", "descendants"], str]] = []
    if side in ("ancestors", "both"):
        directions.append(("ancestors", "ancestor"))
    if side in ("descendants", "both"):
        directions.append(("descendants", "descendant"))
    if not directions:
        raise ExportError(f"side must be ancestors, descendants or both, got {side!r}")
    for direction, label in directions:
        found = lineage(G, paper, direction=direction, depth=depth, max_papers=None)
        for node, hops in found.depth.items():
            marks.setdefault(node, (label, hops))
    H: nx.DiGraph = G.subgraph(marks).copy()
    for node, (label, hops) in marks.items():
        H.nodes[node]["lineageSide"] = label
        H.nodes[node]["lineageDepth"] = hops
    return H


def community_subgraph(G: nx.DiGraph, community: int) -> nx.DiGraph:
    """Papers whose stored ``community`` is ``community``, and the citations among them."""
    stored = [(str(p), c) for p, c in G.nodes(data="community") if c is not None]
    if not stored:
        raise ExportError("no communities are stored; run `citekb analytics` first")
    members = [p for p, c in stored if int(c) == community]
    if not members:
        raise ExportError(
            f"no community {community} (stored ids are 0..{max(c for _, c in stored)})"
        )
    return G.subgraph(members).copy()


def flat_graph(G: nx.DiGraph) -> nx.DiGraph:
    """A copy with scalar node attributes only (see the module notes), nodes and edges sorted."""
    H = nx.DiGraph()
    for paper in sorted(G.nodes):
        attrs = G.nodes[paper]
        flat: dict[str, Any] = {"label": str(attrs.get("title") or paper)}
        for key in SCALARS:
            if attrs.get(key) is not None:
                flat[key] = attrs[key]
        for key in LISTS:
            if attrs.get(key):
                flat[key] = "; ".join(str(v) for v in attrs[key])
        H.add_node(str(paper), **flat)
    H.add_edges_from(sorted((str(u), str(v)) for u, v in G.edges))
    return H


def write_graph(G: nx.DiGraph, fmt: Format, out: Path) -> list[Path]:
    """Write ``G`` (flattened) as ``fmt``; returns the files written."""
    H = flat_graph(G)
    if fmt == "graphml":
        out.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(H, out)
        return [out]
    if fmt == "gexf":
        out.parent.mkdir(parents=True, exist_ok=True)
        nx.write_gexf(H, out)
        return [out]
    if fmt == "csv":
        if out.exists() and not out.is_dir():
            raise ExportError(f"--out for csv is a directory; {out} is a file")
        out.mkdir(parents=True, exist_ok=True)
        nodes, edges = out / "nodes.csv", out / "edges.csv"
        with nodes.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(NODE_COLUMNS)
            for paper, attrs in H.nodes(data=True):
                writer.writerow(
                    [paper, attrs["label"], *(attrs.get(k, "") for k in (*SCALARS, *LISTS))]
                )
        with edges.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(("Source", "Target", "Type"))
            writer.writerows((u, v, "Directed") for u, v in H.edges)
        return [nodes, edges]
    raise ExportError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def export_graph(
    G: nx.DiGraph,
    fmt: Format,
    out: Path,
    *,
    lineage_of: str | None = None,
    depth: int = 2,
    side: Side = "both",
    community: int | None = None,
) -> ExportSummary:
    """Export the whole graph, a lineage (``lineage_of``) or a stored community."""
    if fmt not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if lineage_of is not None and community is not None:
        raise ExportError("choose --lineage or --community, not both")
    if lineage_of is not None:
        try:
            sub = lineage_subgraph(G, lineage_of, depth=depth, side=side)
        except ValueError as exc:
            raise ExportError(str(exc)) from exc
    elif community is not None:
        sub = community_subgraph(G, community)
    else:
        sub = G
    files = write_graph(sub, fmt, out)
    return ExportSummary(
        papers=int(sub.number_of_nodes()), cites=int(sub.number_of_edges()), files=files
    )


def run_export_command(
    driver: Driver,
    database: str,
    console: Console,
    *,
    fmt: str,
    out: Path,
    lineage_of: str | None = None,
    depth: int = 2,
    side: str = "both",
    community: int | None = None,
) -> ExportSummary:
    """What ``citekb export`` does and prints; raises :class:`ExportError` on bad requests."""
    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if side not in ("ancestors", "descendants", "both"):
        raise ExportError(f"--direction must be ancestors, descendants or both, got {side!r}")
    projection = load_projection(driver, database)
    summary = export_graph(
        projection.graph,
        fmt,
        out,
        lineage_of=lineage_of,
        depth=depth,
        side=cast(Side, side),
        community=community,
    )
    written = ", ".join(str(f) for f in summary.files)
    console.print(
        f"exported {summary.papers} papers and {summary.cites} citations to {written}",
        markup=False,
        highlight=False,
    )
    return summary
