"""``citekb export``: the citation graph, or a lineage, community, similarity graph or
collection of it, as files for Gephi and Cytoscape or for a reference manager.

Graph formats, all readable by Gephi and Cytoscape (and networkx):

* ``graphml`` and ``gexf``: one file, papers as nodes, CITES as directed edges;
* ``csv``: ``--out`` is a directory receiving ``nodes.csv`` (``Id``, ``Label``,
  attributes) and ``edges.csv`` (``Source``, ``Target``, ``Type``), the
  column names Gephi's spreadsheet import recognises, and ``Weight``.

Reference-manager formats: ``bibtex`` and ``ris`` write the selected papers
(title, authors, year, venue, DOI, arXiv eprint, URL, abstract read by
``read/export_references``) with :mod:`loaders.bib_files` / :mod:`loaders.ris_files`;
what they write parses back with ``citekb load``.

A similarity graph (``--similar``) is undirected: its edges are similarity
links with a ``weight`` (0..1), its papers carry ``isOrigin`` and ``similarity``.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import networkx as nx
from neo4j import Driver
from rich.console import Console

import cypher
from graph_api.analytics import check_depth, lineage
from graph_api.analytics.similarity_graph import similarity_graph
from graph_api.store.graph_reader import GraphReader
from graph_api.store.projection import load_projection
from loaders.bib_files import bibtex_text
from loaders.id_lists import IdError, parse_paper_id
from loaders.reference_entries import ReferenceRecord
from loaders.ris_files import ris_text

Format = Literal["graphml", "gexf", "csv", "bibtex", "ris"]
Side = Literal["ancestors", "descendants", "both"]
FORMATS: tuple[Format, ...] = ("graphml", "gexf", "csv", "bibtex", "ris")
SCALARS = (
    "year", "citationCount", "pagerank", "community", "lineageSide", "lineageDepth",
    "isOrigin", "similarity",
)  # fmt: skip
LISTS = ("topics", "authors", "orgs")
NODE_COLUMNS = ("Id", "Label", *SCALARS, *LISTS)


class ExportError(ValueError):
    """The export cannot be made as asked (unknown format, paper, community...)."""


# --- papers as a reference manager reads them (BibTeX, RIS) ---------------------


def reference_record(row: dict[str, Any]) -> ReferenceRecord:
    """One ``read/export_references`` row as the BibTeX/RIS writers take it."""

    def text(key: str) -> str | None:
        value = row.get(key)
        return value if isinstance(value, str) and value.strip() else None

    year = row.get("year")
    return ReferenceRecord(
        paper_id=str(row["paperId"]),
        title=text("title"),
        year=int(year) if isinstance(year, int) else None,
        authors=tuple(a for a in row.get("authors") or () if isinstance(a, str) and a),
        venue=text("venue"),
        doi=text("doi"),
        arxiv_id=text("arxivId"),
        url=text("url"),
        abstract=text("abstract"),
    )


def read_reference_records(
    driver: Driver, database: str, paper_ids: list[str]
) -> list[ReferenceRecord]:
    """The papers (in the order given) with what a BibTeX/RIS entry needs."""
    records, _, _ = driver.execute_query(
        cypher.statement("read/export_references"),
        {"ids": paper_ids},
        database_=database,
        routing_="r",
    )
    return [reference_record(r.data()) for r in records]


async def reference_records_async(
    reader: GraphReader, paper_ids: list[str]
) -> list[ReferenceRecord]:
    """:func:`read_reference_records` for the API (its reader and timeout)."""
    rows = await reader.rows("read/export_references", {"ids": paper_ids})
    return [reference_record(r) for r in rows]


_LOOKUP = {
    "arxiv": "read/api/papers_by_arxiv_id",
    "doi": "read/api/papers_by_doi",
    "corpus": "read/api/papers_by_corpus_id",
}


def resolve_paper_id(driver: Driver, database: str, given: str) -> str:
    """The paperId that ``given`` names in any id form a user has (S2 id, ``arXiv:``,
    ``DOI:``, ``CorpusId:``, an arxiv.org / doi.org / semanticscholar.org URL)."""
    parsed = parse_paper_id(given)
    if isinstance(parsed, IdError):
        raise ExportError(f"{given!r} is not a paper id: {parsed.reason}")
    if parsed.kind == "title":
        raise ExportError(
            f"{given!r} is not a paper id (an S2 id, arXiv:..., DOI:..., CorpusId:... or a URL)"
        )
    if parsed.kind == "s2":
        return parsed.value
    value: str | int = int(parsed.value) if parsed.kind == "corpus" else parsed.value
    records, _, _ = driver.execute_query(
        cypher.statement(_LOOKUP[parsed.kind]), {"ids": [value]}, database_=database, routing_="r"
    )
    if not records:
        raise ExportError(f"no paper {given!r} in the graph")
    return str(records[0]["paper"]["paperId"])


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


def similarity_subgraph(G: nx.DiGraph, seeds: list[str], *, first: int) -> nx.Graph:
    """The similarity graph of ``seeds`` (:func:`similarity_graph`) as an undirected graph:
    papers marked ``isOrigin`` with their ``similarity`` score, edges with their ``weight``."""
    try:
        found = similarity_graph(G, seeds, first=first)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    if found.missing:
        raise ExportError(f"not in the citation graph: {', '.join(found.missing)}")
    H = nx.Graph()
    for node in found.nodes:
        H.add_node(node.paper_id, **G.nodes[node.paper_id])
        H.nodes[node.paper_id].update(isOrigin=node.is_seed, similarity=node.score)
    for edge in found.edges:
        H.add_edge(edge.source, edge.target, weight=edge.weight)
    return H


def flat_graph(G: nx.Graph) -> nx.Graph:
    """A copy with scalar node attributes only (see the module notes), nodes and edges sorted;
    directed stays directed, and an edge ``weight`` is kept."""
    H = nx.DiGraph() if G.is_directed() else nx.Graph()
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
    for u, v, weight in sorted((str(u), str(v), w) for u, v, w in G.edges(data="weight")):
        H.add_edge(u, v, **({} if weight is None else {"weight": weight}))
    return H


RecordReader = Callable[[list[str]], list[ReferenceRecord]]


def write_graph(
    G: nx.Graph, fmt: Format, out: Path, records: RecordReader | None = None
) -> list[Path]:
    """Write ``G`` (flattened) as ``fmt``; returns the files written. BibTeX and RIS
    write the papers (``records`` reads what their entries need), in id order."""
    if fmt in ("bibtex", "ris"):
        if records is None:
            raise ExportError(f"{fmt} needs the papers' details from the database")
        entries = records(sorted(str(p) for p in G.nodes))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(bibtex_text(entries) if fmt == "bibtex" else ris_text(entries), "utf-8")
        return [out]
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
            kind = "Directed" if H.is_directed() else "Undirected"
            writer.writerow(("Source", "Target", "Type", "Weight"))
            writer.writerows(
                (u, v, kind, 1 if w is None else w) for u, v, w in H.edges(data="weight")
            )
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
    similar_to: Sequence[str] = (),
    first: int = 40,
    papers: Sequence[str] = (),
    records: RecordReader | None = None,
) -> ExportSummary:
    """Export the whole graph, or one of: a lineage (``lineage_of``), a stored community,
    the similarity graph of ``similar_to`` (``first`` papers), a collection (``papers``)."""
    if fmt not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    chosen = [
        name
        for name, given in (
            ("--lineage", lineage_of is not None),
            ("--community", community is not None),
            ("--similar", bool(similar_to)),
            ("--paper", bool(papers)),
        )
        if given
    ]
    if len(chosen) > 1:
        raise ExportError(f"choose one of {', '.join(chosen)}, not several")
    sub: nx.Graph
    if lineage_of is not None:
        try:
            sub = lineage_subgraph(G, lineage_of, depth=depth, side=side)
        except ValueError as exc:
            raise ExportError(str(exc)) from exc
    elif community is not None:
        sub = community_subgraph(G, community)
    elif similar_to:
        sub = similarity_subgraph(G, list(similar_to), first=first)
    elif papers:
        absent = [p for p in papers if p not in G]
        if absent:
            raise ExportError(f"not in the citation graph: {', '.join(absent)}")
        sub = G.subgraph(papers).copy()
    else:
        sub = G
    files = write_graph(sub, fmt, out, records)
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
    similar_to: Sequence[str] = (),
    first: int = 40,
    papers: Sequence[str] = (),
) -> ExportSummary:
    """What ``citekb export`` does and prints; raises :class:`ExportError` on bad requests.

    Papers may be named in any id form (:func:`resolve_paper_id`)."""
    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if side not in ("ancestors", "descendants", "both"):
        raise ExportError(f"--direction must be ancestors, descendants or both, got {side!r}")

    def resolve(given: str) -> str:
        return resolve_paper_id(driver, database, given)

    projection = load_projection(driver, database)
    summary = export_graph(
        projection.graph,
        fmt,
        out,
        lineage_of=resolve(lineage_of) if lineage_of is not None else None,
        depth=depth,
        side=cast(Side, side),
        community=community,
        similar_to=[resolve(p) for p in similar_to],
        first=first,
        papers=[resolve(p) for p in papers],
        records=lambda ids: read_reference_records(driver, database, ids),
    )
    written = ", ".join(str(f) for f in summary.files)
    links = "citations" if fmt in ("bibtex", "ris") or not similar_to else "similarity links"
    console.print(
        f"exported {summary.papers} papers and {summary.cites} {links} to {written}",
        markup=False,
        highlight=False,
    )
    return summary
