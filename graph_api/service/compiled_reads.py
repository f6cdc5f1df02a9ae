"""Compiled reads: plain data documents answered without graphql-core's per-field execution.

Most requests the API serves are plain reads of stored data -- a paper by
id, a page of its references or citations with their authors, the most
cited papers -- and for them graphql-core's executor, strawberry's object
types and one resolver call per field were most of a request's CPU (py-spy
at 100k papers, concurrency 16: see bench/BENCHMARKS.md). For such a
document this module compiles the operation **once** (per document text and
operation name) into a small tree of response keys and, per request:

1. coerces the variables and measures the operation exactly as admission
   does (the cost and every limit, :func:`graph_api.service.admission.
   refuse`), before anything runs;
2. runs the statement the resolvers would run for the same arguments --
   ``read/api/paper_with_edges`` with the look-ahead's plan
   (:mod:`graph_api.service.lookahead`), ``read/api/papers_by_id``, an
   index-backed ``papers`` order and its count -- each in one auto-commit
   round trip, the records taken as decoded (:meth:`GraphReader.maps`);
3. shapes the rows straight into the response dict, in the document's
   field order, with the values serialised as the schema's scalars would.

Which documents: queries whose root fields are ``paper(id:)`` (a Semantic
Scholar id or a paper's global id) and unfiltered ``papers(orderBy:)``
with an index-backed order, selecting Paper's stored fields, its
``authors``, and on the root paper ``references`` / ``citations`` pages
(edges with ``isInfluential``, ``intents``, ``contexts``, ``cursor``; nodes
with their stored fields and authors), ``totalCount`` and ``pageInfo``,
through fragments and aliases; and the analytics root fields ``lineage``,
``similarPapers``, ``citationPath`` and ``influentialPapers`` (stored
PageRank) with their own fields and the stored fields of the papers they
name: the analytics function runs as the resolver runs it (the same pool,
deadline and reuse key: :meth:`_Run.compute`), the papers come from one
record of ``read/api/papers_list_by_id``, and the answer is shaped from plain values
(:func:`_shape`). Anything else -- other analytics fields, coverage,
personalised rankings, a directive, an interface fragment, introspection, another id form, a value
out of bounds, a cursor that does not decode, the same field asked with
different arguments -- is not compiled, or falls back at run time, to the
normal strawberry execution, which also gives every error its usual form.
Only documents already parsed and validated (in the app's
:class:`~graph_api.service.admission.DocumentCache`) are compiled, so the
first request of a document always takes the normal path.

Decisions:

* The statements are the hand-written ones the resolvers run (the house
  rule keeps Cypher in ``.cypher`` files; no Cypher is generated), so a
  compiled answer reads exactly the rows the normal one reads; the
  integration tests compare the two answers on many documents
  (``tests/integration/api/test_api_compiled_reads.py``), the normal
  execution being the reference implementation.
* Errors are never produced here but one: any doubt is a fallback (a request
  that falls back after a statement ran pays that statement twice; only
  values the normal path would refuse, or a database error, do that). The
  exception is an analytics computation past its deadline: falling back
  would make the client wait out a second deadline, so ``TIMEOUT`` is
  answered here in the normal path's form (a test compares the two). A
  request that would wait for the projection (still being read) falls back
  before anything is computed and waits there.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.relay import GlobalID

from graph_api.analytics import check_depth, check_k, citation_paths, similar_papers
from graph_api.service import analytics_api
from graph_api.service.admission import measure_operation, refuse
from graph_api.service.analytics_runtime import AnalyticsRuntime
from graph_api.service.connections import DEFAULT_AUTHORS, DEFAULT_PAGE_SIZE, checked_first
from graph_api.service.cursors import Keyset, decode_keyset, keyset_cursor
from graph_api.service.errors import PublicError, QueryTimeout
from graph_api.service.inputs import PaperOrder, descending
from graph_api.service.lookahead import EdgePage, PaperPlan
from graph_api.service.paper_ids import InvalidPaperId, parse_paper_id
from graph_api.service.queries import INDEXED_ORDERS
from graph_api.service.types import MOST_CITED, parse_date, parse_datetime
from graph_api.settings import Settings
from graph_api.store.analytics_store import StoredAnalytics
from graph_api.store.graph_reader import GraphReader
from graph_api.store.projection import Projection
from loaders.rows import topic_key

Row = Mapping[str, Any]
INT32 = 2**31

log = logging.getLogger("citekb.api")


class Unsupported(Exception):
    """Not compiled: the normal execution answers."""


# --- scalars as the schema serialises them ---------------------------------------


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if value is None:
        return None
    number = int(value)
    if not -INT32 <= number < INT32:
        raise Unsupported  # GraphQL's Int is 32-bit: the normal path reports it
    return number


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise Unsupported
    return number


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _global_id(type_name: str, key: str) -> Callable[[Row], str]:
    def make(props: Row) -> str:
        return str(GlobalID(type_name, str(props[key])))

    return make


def _prop(name: str, convert: Callable[[Any], Any]) -> Callable[[Row], Any]:
    def get(props: Row) -> Any:
        return convert(props.get(name))

    return get


def _flag(name: str) -> Callable[[Row], bool]:
    def get(props: Row) -> bool:
        return bool(props.get(name) or False)

    return get


# GraphQL field -> its value from the stored properties, as Paper.from_props and
# strawberry's scalars give it (a unit test compares the two on many property maps).
PAPER_FIELDS: dict[str, Callable[[Row], Any]] = {
    "id": _global_id("Paper", "paperId"),
    "paperId": lambda p: str(p["paperId"]),
    "title": _prop("title", _str),
    "abstract": _prop("abstract", _str),
    "year": _prop("year", _int),
    "publicationDate": _prop("publicationDate", lambda v: _iso(parse_date(v))),
    "venueName": _prop("venue", _str),
    "corpusId": _prop("corpusId", _int),
    "arxivId": _prop("arxivId", _str),
    "doi": _prop("doi", _str),
    "citationCount": _prop("citationCount", _int),
    "referenceCount": _prop("referenceCount", _int),
    "influentialCitationCount": _prop("influentialCitationCount", _int),
    "tldr": _prop("tldr", _str),
    "url": _prop("url", _str),
    "openAccessPdf": _prop("openAccessPdf", _str),
    "isSeed": _flag("isSeed"),
    "hfUpvotes": _prop("hfUpvotes", _int),
    "synthetic": _flag("synthetic"),
    "enrichedAt": _prop("enrichedAt", lambda v: _iso(parse_datetime(v))),
    "pagerank": _prop("pagerank", _float),
    "pagerankRank": _prop("pagerankRank", _int),
    "pagerankPercentile": _prop("pagerankPercentile", _float),
}

AUTHOR_FIELDS: dict[str, Callable[[Row], Any]] = {
    "id": _global_id("Author", "authorId"),
    "authorId": lambda a: str(a["authorId"]),
    "name": _prop("name", _str),
    "hIndex": _prop("hIndex", _int),
    "citationCount": _prop("citationCount", _int),
    "paperCount": _prop("paperCount", _int),
    "orcid": _prop("orcid", _str),
    "openalexId": _prop("openalexId", _str),
}

# What each type may select here (beyond the scalars above); "root" papers
# (``paper(id:)``) may have pages of references / citations, others not.
CONNECTION_FIELDS = frozenset({"edges", "nodes", "pageInfo", "totalCount"})
EDGE_FIELDS = frozenset({"cursor", "node", "isInfluential", "intents", "contexts"})
PAGE_INFO_FIELDS = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})
CONTEXT_FIELDS = frozenset({"text", "intents"})


# --- the compiled tree --------------------------------------------------------------


@dataclass(frozen=True)
class Sel:
    """One response key: the field, its nodes (merged), its compiled children."""

    key: str
    name: str
    node: FieldNode
    definition: GraphQLField | None  # None for __typename
    type_name: str  # the named type of the field (of its parent for __typename)
    children: tuple[Sel, ...] = ()
    # under()'s answers: the tree never changes, each request asks the same paths.
    _paths: dict[tuple[str, ...], list[Sel]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def args(self, variables: VariableValues) -> dict[str, Any]:
        assert self.definition is not None
        return get_argument_values(self.definition, self.node, variables)

    def under(self, *path: str) -> list[Sel]:
        """The selections reached by following field names (through every alias)."""
        found = self._paths.get(path)
        if found is None:
            found = [self]
            for name in path:
                found = [c for s in found for c in s.children if c.name == name]
            self._paths[path] = found
        return found


class _Compiler:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def collect(
        self, sets: list[SelectionSetNode], type_name: str, seen: frozenset[str] = frozenset()
    ) -> OrderedDict[str, list[FieldNode]]:
        """graphql-core's field collection: response keys in first-seen order, merged."""
        out: OrderedDict[str, list[FieldNode]] = OrderedDict()
        for selection_set in sets:
            for sel in selection_set.selections:
                if sel.directives:
                    raise Unsupported
                if isinstance(sel, FieldNode):
                    key = sel.alias.value if sel.alias else sel.name.value
                    out.setdefault(key, []).append(sel)
                    continue
                if isinstance(sel, InlineFragmentNode):
                    condition = sel.type_condition
                    inner = sel.selection_set
                elif isinstance(sel, FragmentSpreadNode):
                    name = sel.name.value
                    fragment = self.fragments.get(name)
                    if fragment is None or name in seen or fragment.directives:
                        raise Unsupported
                    condition = fragment.type_condition
                    inner = fragment.selection_set
                    seen = seen | {name}
                else:  # pragma: no cover (no other selection kinds)
                    raise Unsupported
                if condition is not None and condition.name.value != type_name:
                    raise Unsupported  # interfaces, other types: the executor decides
                for key, nodes in self.collect([inner], type_name, seen).items():
                    out.setdefault(key, []).extend(nodes)
        return out

    def selections(
        self, sets: list[SelectionSetNode], parent: GraphQLObjectType, allowed: Callable[[str], str]
    ) -> tuple[Sel, ...]:
        """The compiled children of ``parent``; ``allowed(name)`` says what a field may hold."""
        out = []
        for key, nodes in self.collect(sets, parent.name).items():
            name = nodes[0].name.value
            if name == "__typename":
                out.append(Sel(key, name, nodes[0], None, parent.name))
                continue
            if name.startswith("__"):
                raise Unsupported
            definition = parent.fields.get(name)
            if definition is None:
                raise Unsupported
            if any(n.arguments != nodes[0].arguments for n in nodes[1:]):
                raise Unsupported  # validation allows equal values written differently
            named = get_named_type(definition.type)
            kind = allowed(name)
            children: tuple[Sel, ...] = ()
            if isinstance(named, GraphQLObjectType):
                child_sets = [n.selection_set for n in nodes if n.selection_set]
                children = self.selections(child_sets, named, RULES[kind])
            out.append(Sel(key, name, nodes[0], definition, named.name, children))
        return tuple(out)


def _only(
    fields: frozenset[str] | Mapping[str, Any], kinds: Mapping[str, str]
) -> Callable[[str], str]:
    def allowed(name: str) -> str:
        if name in kinds:
            return kinds[name]
        if name in fields:
            return "scalar"
        raise Unsupported

    return allowed


# Each kind of object: the fields it may select here, and the kind of each object field.
RULES: dict[str, Callable[[str], str]] = {
    "scalar": _only(frozenset(), {}),
    "root_paper": _only(
        PAPER_FIELDS,
        {"authors": "author", "references": "edge_page", "citations": "edge_page"},
    ),
    "paper": _only(PAPER_FIELDS, {"authors": "author"}),
    "leaf_paper": _only(PAPER_FIELDS, {}),
    "author": _only(AUTHOR_FIELDS, {}),
    "edge_page": _only(
        CONNECTION_FIELDS, {"edges": "citation_edge", "nodes": "paper", "pageInfo": "page_info"}
    ),
    "citation_edge": _only(EDGE_FIELDS, {"node": "paper", "contexts": "context"}),
    "paper_page": _only(
        CONNECTION_FIELDS, {"edges": "paper_edge", "nodes": "leaf_paper", "pageInfo": "page_info"}
    ),
    "paper_edge": _only(frozenset({"cursor"}), {"node": "leaf_paper"}),
    "context": _only(CONTEXT_FIELDS, {}),
    "page_info": _only(PAGE_INFO_FIELDS, {}),
    # Analytics root fields: the analytics function's answer, and the papers it names
    # (their stored fields) from one statement.
    "lineage": _only(
        frozenset({"rootId", "direction", "depth", "truncated"}),
        {
            "nodes": "lineage_node",
            "edges": "link",
            "droppedCycleEdges": "link",
            "mainPath": "main_path",
        },
    ),
    "lineage_node": _only(frozenset({"paperId", "depth", "relation"}), {"paper": "leaf_paper"}),
    "link": _only(frozenset({"citing", "cited"}), {}),
    "main_path": _only(frozenset({"paperIds", "spc"}), {"papers": "leaf_paper"}),
    "scored_paper": _only(frozenset({"paperId", "score", "shared"}), {"paper": "leaf_paper"}),
    "citation_paths": _only(
        frozenset({"sourceId", "targetId", "directed", "found", "message"}),
        {"paths": "citation_path", "source": "leaf_paper", "target": "leaf_paper"},
    ),
    "citation_path": _only(frozenset({"length", "paperIds", "steps"}), {"papers": "leaf_paper"}),
}
ROOT_KINDS = {
    "paper": "root_paper",
    "papers": "paper_page",
    "lineage": "lineage",
    "similarPapers": "scored_paper",
    "influentialPapers": "scored_paper",
    "citationPath": "citation_paths",
}
# Root fields answered by an analytics computation (a TIMEOUT is answered here, not
# by falling back: the normal path would wait out a second deadline).
ANALYTICS_ROOTS = frozenset({"lineage", "similarPapers", "citationPath"})


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return ops[0] if len(ops) == 1 else None
    return next((o for o in ops if o.name is not None and o.name.value == name), None)


@dataclass(frozen=True)
class CompiledRead:
    """A plain-data query operation, compiled once; :meth:`answer` runs it per request."""

    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    roots: tuple[Sel, ...]

    async def answer(
        self,
        reader: GraphReader,
        settings: Settings,
        inputs: Mapping[str, Any] | None,
        runtime: AnalyticsRuntime | None = None,
        *,
        request_id: str = "-",
        graph_version: int | None = None,
    ) -> dict[str, Any]:
        """The response (``data``, ``extensions.cost``, and ``errors`` when an analytics
        computation ran out of time); :class:`Unsupported` to fall back."""
        variables = get_variable_values(
            self.schema, self.operation.variable_definitions or (), dict(inputs or {})
        )
        if isinstance(variables, list):
            raise Unsupported  # the normal path reports the variables' errors
        name = None if self.operation.name is None else self.operation.name.value
        try:
            measure = measure_operation(
                self.schema, self.document, name, variables.coerced, settings.api_max_page_size
            )
        except PublicError as exc:
            raise Unsupported from exc
        if refuse(settings, measure) is not None:
            raise Unsupported  # refused: the normal path says why, running nothing
        try:
            run = _Run(reader, settings, variables, runtime, graph_version)
            values = await asyncio.gather(*(run.timed(sel) for sel in self.roots))
        except (GraphQLError, PublicError) as exc:
            raise Unsupported from exc
        data: dict[str, Any] | None = {}
        errors = []
        for sel, value in zip(self.roots, values, strict=True):
            if not isinstance(value, QueryTimeout):
                assert data is not None
                data[sel.key] = value
                continue
            # What the normal path answers: the field's error, null in its place
            # (the whole data for a non-null field).
            log.info("request %s: %s", request_id, value.message)
            extensions = {"requestId": request_id, "code": value.code}
            error = GraphQLError(value.message, sel.node, path=[sel.key], extensions=extensions)
            errors.append(error.formatted)
            assert sel.definition is not None
            if isinstance(sel.definition.type, GraphQLNonNull):
                data = None
            elif data is not None:
                data[sel.key] = None
        cost = {"estimated": measure.cost, "budget": settings.api_max_cost}
        out: dict[str, Any] = {"data": data}
        if errors:
            out["errors"] = errors
        out["extensions"] = {"cost": cost}
        return out


def compile_read(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> CompiledRead | None:
    """The operation compiled, or None when the normal execution must answer it."""
    op = _operation(document, operation_name)
    if op is None or op.operation != OperationType.QUERY or op.directives:
        return None
    query = schema.query_type
    assert query is not None
    compiler = _Compiler(schema, document)

    def root_kind(name: str) -> str:
        if name not in ROOT_KINDS:
            raise Unsupported
        return ROOT_KINDS[name]

    try:
        roots = compiler.selections([op.selection_set], query, root_kind)
    except Unsupported:
        return None
    if any(sel.definition is None for sel in roots):
        return None  # Query.__typename: rare, left to the executor
    return CompiledRead(schema, document, op, roots)


# --- one request --------------------------------------------------------------------


def _first(args: Mapping[str, Any], default: int, cap: int) -> int:
    value = args.get("first")
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= cap:
        raise Unsupported
    return value


def _one_value(values: list[Any]) -> Any:
    """The one value every occurrence agrees on (GraphQL merges by response key only)."""
    if any(v != values[0] for v in values[1:]):
        raise Unsupported
    return values[0]


def _keyset(after: Any, order: str) -> Keyset | None:
    if after is None:
        return None
    return decode_keyset(str(after), order)


class _Run:
    def __init__(
        self,
        reader: GraphReader,
        settings: Settings,
        variables: VariableValues,
        runtime: AnalyticsRuntime | None = None,
        graph_version: int | None = None,
    ) -> None:
        self.reader = reader
        self.settings = settings
        self.variables = variables
        self.cap = settings.api_max_page_size
        self.runtime = runtime
        self.known_version = graph_version
        self._version: asyncio.Future[int | None] | None = None

    async def timed(self, sel: Sel) -> Any:
        """The root's value, or the :class:`QueryTimeout` its computation ran into."""
        try:
            return await self.root(sel)
        except QueryTimeout as exc:
            if sel.name not in ANALYTICS_ROOTS:
                raise
            return exc

    async def root(self, sel: Sel) -> Any:
        if sel.name == "paper":
            return await self.paper(sel)
        if sel.name == "papers":
            return await self.papers(sel)
        if sel.name == "influentialPapers":
            return await self.influential(sel, sel.args(self.variables))
        return await self.analytics(sel)

    # paper(id:) ------------------------------------------------------------------
    def _authors_limit(self, papers: list[Sel]) -> int | None:
        found = [a for p in papers for a in p.under("authors")]
        if not found:
            return None
        limits = [_first(a.args(self.variables), DEFAULT_AUTHORS, self.cap) for a in found]
        return int(_one_value(limits))

    def _edge_page(self, pages: list[Sel]) -> tuple[EdgePage, int, Any] | None:
        if not pages:
            return None
        args = _one_value([p.args(self.variables) for p in pages])
        if args.get("intent") is not None:
            raise Unsupported  # the one statement does not filter by intent
        first = _first(args, DEFAULT_PAGE_SIZE, self.cap)
        influential = args.get("influentialOnly", False)
        if not isinstance(influential, bool):
            raise Unsupported
        keyset = _keyset(args.get("after"), MOST_CITED)
        nodes = [n for p in pages for n in (*p.under("edges", "node"), *p.under("nodes"))]
        page = EdgePage(
            influential,
            None if keyset is None else keyset.key,
            None if keyset is None else keyset.id,
            first + 1,
            self._authors_limit(nodes),
        )
        return page, first, args.get("after")

    async def paper(self, sel: Sel) -> Any:
        try:
            key = parse_paper_id(str(sel.args(self.variables)["id"]))
        except InvalidPaperId as exc:
            raise Unsupported from exc
        if key.kind != "paper":
            raise Unsupported  # arXiv, DOI and corpus ids: the loaders' statements
        paper_id = str(key.value)
        refs = self._edge_page(sel.under("references"))
        cits = self._edge_page(sel.under("citations"))
        plan = PaperPlan(
            self._authors_limit([sel]),
            None if refs is None else refs[0],
            None if cits is None else cits[0],
        )
        if plan.worth_it:
            rows = await self.reader.maps("read/api/paper_with_edges", plan.params(paper_id))
        else:
            rows = await self.reader.maps("read/api/papers_by_id", {"ids": [paper_id]})
        if not rows:
            return None
        row = rows[0]
        pages = {
            "references": None if refs is None else (row["references"], *refs[1:]),
            "citations": None if cits is None else (row["citations"], *cits[1:]),
        }
        return _paper(sel.children, row["paper"], row.get("authors"), pages)

    # papers(orderBy:) --------------------------------------------------------------
    async def papers(self, sel: Sel) -> Any:
        args = sel.args(self.variables)
        if args.get("where") is not None:
            raise Unsupported
        order_by = args.get("orderBy") or {}
        order = _order_name(order_by.get("field"), order_by.get("direction"))
        indexed = INDEXED_ORDERS.get(order)
        if indexed is None:
            raise Unsupported
        first = _first(args, DEFAULT_PAGE_SIZE, self.cap)
        after = args.get("after")
        keyset = _keyset(after, order)
        wants_total = any(c.name == "totalCount" for c in sel.children)
        rows_call = indexed.page(self.reader, keyset, first + 1, maps=True)
        if wants_total:
            rows, count = await asyncio.gather(
                rows_call, self.reader.maps("read/api/papers_count_all", {})
            )
            total: int | None = int(count[0]["total"])
        else:
            rows, total = await rows_call, None
        items = [
            {"paper": r["paper"], "cursor": keyset_cursor(order, r["key"], r["paper"]["paperId"])}
            for r in rows
        ]
        return _page(sel.children, total, items, first, after)

    # analytics root fields ----------------------------------------------------------
    async def graph_version(self) -> int | None:
        """The graph version the request's analytics run at: the one the app's poller
        read last (``GraphStateWatch``, the response cache's too: an answer may lag a
        load by one poll interval), else ``read/analytics_status`` once per request,
        as :class:`RequestAnalytics` reads it."""
        if self.known_version is not None:
            return self.known_version
        if self._version is None:

            async def read() -> int | None:
                rows = await self.reader.maps("read/analytics_status")
                return StoredAnalytics.of(rows[0]).graph_version

            self._version = asyncio.ensure_future(read())
        return await self._version

    async def projection(self) -> tuple[int | None, Projection]:
        """The projection kept at this request's version; a request that would wait for
        it (still being read) falls back, and waits there under the deadline."""
        if self.runtime is None:
            raise Unsupported
        version = await self.graph_version()
        projection = self.runtime.kept(version)
        if projection is None:
            raise Unsupported
        return version, projection

    async def compute(
        self, version: int | None, fn: Callable[..., Any], *args: Any, **kw: Any
    ) -> Any:
        """What ``RequestAnalytics.compute`` runs: the same pool, deadline and reuse (the
        same key, so a result either path computed serves both)."""
        assert self.runtime is not None
        return await self.runtime.pool.run(version, fn, args, kw)

    def _paper_id(self, given: Any) -> str:
        try:
            key = parse_paper_id(str(given))
        except InvalidPaperId as exc:
            raise Unsupported from exc
        if key.kind != "paper":
            raise Unsupported  # arXiv, DOI and corpus ids: looked up by the normal path
        return str(key.value)

    async def analytics(self, sel: Sel) -> Any:
        args = sel.args(self.variables)
        if sel.name == "lineage":
            return await self.lineage(sel, args)
        if sel.name == "similarPapers":
            return await self.similar(sel, args)
        return await self.citation_path(sel, args)

    async def lineage(self, sel: Sel, args: dict[str, Any]) -> Any:
        depth, first = args["depth"], args["first"]
        try:
            check_depth(depth)
            checked_first(first, self.settings, "lineage")
        except (ValueError, PublicError) as exc:
            raise Unsupported from exc
        if first < 1:
            raise Unsupported
        paper_id = self._paper_id(args["id"])
        version, projection = await self.projection()
        if paper_id not in projection.graph:
            return None
        direction, edges = args["direction"], args["edges"]
        view = await self.compute(
            version,
            analytics_api.lineage_view,
            projection.graph,
            paper_id,
            direction,
            depth,
            first,
            edges=edges,
        )
        main = view.main_path
        answer = {
            "rootId": paper_id,
            "direction": direction.name,
            "depth": depth,
            "truncated": bool(view.truncated),
            "nodes": [
                {"paperId": p, "depth": d, "relation": view.relation[p].name, "paper": p}
                for p, d in view.depth.items()
            ],
            "edges": _link_values(view.edges),
            "mainPath": {
                "paperIds": list(main.papers),
                "spc": list(main.spc),
                "papers": main.papers,
            },
            "droppedCycleEdges": _link_values(main.broken_edges),
        }
        return await self.shaped(sel.children, answer)

    async def similar(self, sel: Sel, args: dict[str, Any]) -> Any:
        k = args["k"]
        try:
            check_k(k)
        except ValueError as exc:
            raise Unsupported from exc
        paper_id = self._paper_id(args["id"])
        version, projection = await self.projection()
        if paper_id not in projection.graph:
            return None
        method = analytics_api.SIMILARITY[args["method"]]
        found = await self.compute(
            version, similar_papers, projection.graph, paper_id, method=method, k=k
        )
        answer = [
            {
                "paperId": s.paper_id,
                "score": _float(s.score),
                "shared": s.shared,
                "paper": s.paper_id,
            }
            for s in found
        ]
        return await self.shaped(sel.children, answer)

    async def citation_path(self, sel: Sel, args: dict[str, Any]) -> Any:
        k, directed = args["k"], args["directed"]
        try:
            check_k(k)
        except ValueError as exc:
            raise Unsupported from exc
        given = (args["from"], args["to"])
        source, target = (self._paper_id(g) for g in given)
        version, projection = await self.projection()
        found_ids = (source, target)
        unknown = [
            str(g) for g, p in zip(given, found_ids, strict=True) if p not in projection.graph
        ]
        answer: dict[str, Any] = {
            "sourceId": source,
            "targetId": target,
            "directed": directed,
            "source": source,
            "target": target,
        }
        if unknown:
            message = "no paper " + " or ".join(repr(u) for u in unknown) + " in the graph"
            answer.update(found=False, message=message, paths=[])
            return await self.shaped(sel.children, answer)
        result = await self.compute(
            version,
            citation_paths,
            projection.graph,
            source,
            target,
            k=k,
            directed=directed,
        )
        found = bool(result.found)
        answer.update(
            found=found,
            message=None if found else analytics_api.no_path_message(source, target, directed),
            paths=[
                {
                    "length": p.length,
                    "paperIds": list(p.papers),
                    "steps": [analytics_api.CitationStep(s).name for s in p.steps],
                    "papers": p.papers,
                }
                for p in result.paths
            ],
        )
        return await self.shaped(sel.children, answer)

    async def influential(self, sel: Sel, args: dict[str, Any]) -> Any:
        """``influentialPapers`` by stored PageRank (personalised: the normal path)."""
        first, topic = args["first"], args.get("topic")
        year_from, year_to = args.get("yearFrom"), args.get("yearTo")
        if args.get("personalized") or args.get("seeds") is not None:
            raise Unsupported
        try:
            check_k(first, name="first")
        except ValueError as exc:
            raise Unsupported from exc
        if year_from is not None and year_to is not None and year_from > year_to:
            raise Unsupported
        rows = await self.reader.maps(
            "read/api/influential_papers",
            {
                "topicKey": None if topic is None else topic_key(topic),
                "yearFrom": year_from,
                "yearTo": year_to,
                "limit": first,
            },
        )
        papers = {str(p["paperId"]): p for p in rows[0]["papers"]}
        answer = [
            {"paperId": p, "score": _float(props["pagerank"]), "paper": p}
            for p, props in papers.items()
        ]
        return _shape(sel.children, answer, papers)

    async def shaped(self, sels: tuple[Sel, ...], answer: Any) -> Any:
        """``answer`` shaped by ``sels``, the papers it names read in one statement."""
        wanted: set[str] = set()
        _paper_refs(sels, answer, wanted)
        papers: dict[str, Row] = {}
        if wanted:
            rows = await self.reader.maps("read/api/papers_list_by_id", {"ids": sorted(wanted)})
            papers = {str(r["id"]): r["paper"] for r in rows[0]["papers"]}
        return _shape(sels, answer, papers)


def _order_name(field: Any, direction: Any) -> str:
    """The order key ``queries.papers`` computes from ``orderBy`` (coerced: a dict)."""
    field = PaperOrder().field if field is None else field
    return f"{field.name}_{'DESC' if descending(field, direction) else 'ASC'}"


def _link_values(edges: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"citing": str(u), "cited": str(v)} for u, v in edges]


def _paper_refs(sels: tuple[Sel, ...], value: Any, out: set[str]) -> None:
    """The paper ids ``value`` names under selected ``Paper`` fields."""
    if isinstance(value, list):
        for item in value:
            _paper_refs(sels, item, out)
        return
    if value is None:
        return
    for sel in sels:
        if not sel.children:
            continue
        inner = value[sel.name]
        if sel.type_name == "Paper":
            out.update([inner] if isinstance(inner, str) else inner)
        else:
            _paper_refs(sel.children, inner, out)


def _shape(sels: tuple[Sel, ...], value: Any, papers: Mapping[str, Row]) -> Any:
    """An analytics answer (plain values by field name; papers by id) as the response."""
    if isinstance(value, list):
        return [_shape(sels, item, papers) for item in value]
    if value is None:
        return None
    out: dict[str, Any] = {}
    for sel in sels:
        if sel.name == "__typename":
            out[sel.key] = sel.type_name
            continue
        inner = value[sel.name]
        if not sel.children:
            out[sel.key] = inner
        elif sel.type_name != "Paper":
            out[sel.key] = _shape(sel.children, inner, papers)
        elif isinstance(inner, str):  # one paper: null once deleted
            found = papers.get(inner)
            out[sel.key] = None if found is None else _paper(sel.children, found, None, None)
        else:  # papers along a chain: one deleted meanwhile is left out (load_papers)
            found_papers = [papers[p] for p in inner if p in papers]
            out[sel.key] = [_paper(sel.children, props, None, None) for props in found_papers]
    return out


# --- shaping rows into the response -----------------------------------------------------

Pages = Mapping[str, tuple[Row, int, Any] | None]


def _paper(sels: tuple[Sel, ...], props: Row, authors: Any, pages: Pages | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for sel in sels:
        name = sel.name
        if name == "__typename":
            out[sel.key] = sel.type_name
        elif name == "authors":
            out[sel.key] = [_author(sel.children, a) for a in authors]
        elif name in ("references", "citations"):
            assert pages is not None
            part = pages[name]
            assert part is not None
            found, first, after = part
            items = [
                {**item, "cursor": keyset_cursor(MOST_CITED, item["key"], item["paper"]["paperId"])}
                for item in found["items"]
            ]
            out[sel.key] = _page(sel.children, int(found["total"]), items, first, after)
        else:
            out[sel.key] = PAPER_FIELDS[name](props)
    return out


def _author(sels: tuple[Sel, ...], props: Row) -> dict[str, Any]:
    return {
        sel.key: sel.type_name if sel.name == "__typename" else AUTHOR_FIELDS[sel.name](props)
        for sel in sels
    }


def _page(
    sels: tuple[Sel, ...], total: int | None, items: list[dict[str, Any]], first: int, after: Any
) -> dict[str, Any]:
    shown = items[:first]
    out: dict[str, Any] = {}
    for sel in sels:
        name = sel.name
        if name == "__typename":
            out[sel.key] = sel.type_name
        elif name == "totalCount":
            assert total is not None
            out[sel.key] = total
        elif name == "edges":
            out[sel.key] = [_edge(sel.children, item) for item in shown]
        elif name == "nodes":
            out[sel.key] = [_paper(sel.children, i["paper"], i.get("authors"), None) for i in shown]
        else:  # pageInfo
            cursors = [i["cursor"] for i in shown]
            out[sel.key] = _page_info(sel.children, cursors, len(items) > first, after)
    return out


def _edge(sels: tuple[Sel, ...], item: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for sel in sels:
        name = sel.name
        if name == "cursor":
            out[sel.key] = item["cursor"]
        elif name == "node":
            out[sel.key] = _paper(sel.children, item["paper"], item.get("authors"), None)
        elif name == "isInfluential":
            value = item.get("isInfluential")
            out[sel.key] = None if value is None else bool(value)
        elif name == "intents":
            out[sel.key] = [str(i) for i in item.get("intents") or []]
        elif name == "contexts":
            out[sel.key] = _contexts(sel.children, item.get("contexts"), item.get("contextIntents"))
        else:
            out[sel.key] = sel.type_name
    return out


def _contexts(sels: tuple[Sel, ...], texts: Any, intents: Any) -> list[dict[str, Any]]:
    joined = list(intents or [])
    out = []
    for n, text in enumerate(texts or []):
        raw = joined[n] if n < len(joined) else ""
        entry: dict[str, Any] = {}
        for sel in sels:
            if sel.name == "text":
                entry[sel.key] = str(text)
            elif sel.name == "intents":
                entry[sel.key] = [i for i in str(raw).split(",") if i]
            else:
                entry[sel.key] = sel.type_name
        out.append(entry)
    return out


def _page_info(
    sels: tuple[Sel, ...], cursors: list[str], has_next: bool, after: Any
) -> dict[str, Any]:
    values = {
        "hasNextPage": has_next,
        "hasPreviousPage": after is not None,
        "startCursor": cursors[0] if cursors else None,
        "endCursor": cursors[-1] if cursors else None,
    }
    return {
        sel.key: sel.type_name if sel.name == "__typename" else values[sel.name] for sel in sels
    }


# --- the app's compiled operations ----------------------------------------------------


class CompiledReads:
    """Compiled operations by (document hash, operation name), bounded (LRU); None remembered
    for documents that are not plain reads, so each document is looked at once."""

    def __init__(self, schema: GraphQLSchema, max_entries: int) -> None:
        self.schema = schema
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str | None], CompiledRead | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: str, document: DocumentNode, operation_name: str | None
    ) -> CompiledRead | None:
        entry_key = (key, operation_name)
        with self._lock:
            if entry_key in self._entries:
                self._entries.move_to_end(entry_key)
                return self._entries[entry_key]
        compiled = compile_read(self.schema, document, operation_name)
        with self._lock:
            self._entries[entry_key] = compiled
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return compiled
