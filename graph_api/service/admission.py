"""Admission: what a request may cost, decided before anything runs.

One walk over the operation measures four things at once:

* **cost**, an upper-bound estimate of the work (:data:`WEIGHTS` and below);
* **rows**, the product of ``first`` (or ``k``) down each path, summed;
* **depth**, fields with a selection along the deepest path (introspection not counted);
* **aliases**, aliased fields, counted once per fragment spread.

Each named fragment is measured **once** per type it is spread into and the
measure is reused at every further spread (memoised), so the walk is linear
in the size of the document whatever its shape: a document whose fragments
each spread the previous one twice is measured in microseconds per level,
though its expansion doubles per level (and its cost says so). A fragment
that spreads itself (a cycle, which validation refuses) counts as nothing.

The walk runs **before validation** (:class:`Admission`'s ``on_validate``),
so a refused document is neither validated nor executed: nothing reaches
Neo4j and the refusal takes as long as the walk. It tolerates what
validation would refuse (unknown fields, wrong argument types, cycles): it
measures what it can and leaves the rest to validation.

Cost of a field, for one parent object::

    cost(field) = base(field) + multiplicity(field) * cost(its selections)

``base`` is 1 for a field returning objects (a lookup), 0 for a scalar, plus
the field's own weight from :data:`WEIGHTS` (analytics and full-text search,
whose work does not show in their page size). ``multiplicity`` is the field's
``first`` (or analytics' ``k``; their default when not given), else 1. The
same multiplication gives the row budget. Both are upper bounds: fields that
GraphQL merges (the same response key twice) are counted each time.

>>> from graphql import build_schema, parse
>>> s = build_schema('''
...   type Q { items(first: Int = 5): [Item], x: Int }
...   type Item { name: String, children(first: Int = 2): [Item] }
...   schema { query: Q }''')
>>> measure_operation(s, parse("{ items(first: 10) { children { name } } }"), None, {}, 100)
Measure(cost=11, rows=30, depth=2, aliases=0)
>>> doubling = "query { ...F3 } fragment F0 on Q { items { children { name } } } " + " ".join(
...     f"fragment F{i} on Q {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 4))
>>> measure_operation(s, parse(doubling), None, {}, 100).cost  # 2**3 spreads of cost 6
48
>>> measure_operation(s, parse("{ items(first: 1000) { name } }"), None, {}, 100)
Traceback (most recent call last):
...
graph_api.service.errors.LimitExceeded: `first` on `items` must be between 0 and 100 (got 1000)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)
from graphql.execution.values import get_variable_values
from graphql.pyutils import Undefined
from strawberry.extensions import SchemaExtension

from graph_api.service.errors import LimitExceeded, PublicError
from graph_api.settings import Settings

Args = Mapping[str, Any]
Weight = Callable[[Args], int]


class CostLimitExceeded(PublicError):
    """The estimated cost of a request is above ``API_MAX_COST``."""

    code = "COST_LIMIT_EXCEEDED"

    def __init__(self, cost: int, budget: int) -> None:
        super().__init__(
            f"this query's estimated cost is {cost}, above the budget of {budget} per request "
            "(`first` and `k` multiply the cost of what they select; analytics fields have "
            "their own weights, see docs/graphql.md): ask for smaller pages, fewer aliases or "
            "fewer analytics fields"
        )
        self.cost = cost
        self.budget = budget
        self.extensions = {"cost": cost, "budget": budget}


def _int(args: Args, name: str, default: int = 0) -> int:
    value = args.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _within(args: Args, name: str, default: int, bound: int) -> int:
    """An argument clamped to 1..``bound``: a value out of range is the resolver's to
    refuse (with its own message), not a reason to estimate a huge cost."""
    return min(max(_int(args, name, default), 1), bound)


def _count(args: Args, name: str) -> int:
    value = args.get(name)
    return len(value) if isinstance(value, list) else 0


# Work a field does beyond its page of rows, per call (added to its base cost).
# Keys are "Type.field" of the schema (a unit test checks each exists). The
# figures are relative: a stored-score index read is 1-2, a projection walk
# tens, personalised PageRank hundreds. docs/graphql.md lists them.
WEIGHTS: dict[str, Weight] = {
    # Stored PageRank is an index read; personalised PageRank a power iteration
    # over the whole projection (or the stored per-topic scores).
    "Query.influentialPapers": lambda a: 200 if a.get("personalized") else 2,
    # A breadth-first walk per hop (both ways for BOTH), then the main path.
    "Query.lineage": lambda a: (
        (40 if a.get("direction") == "both" else 20) * _within(a, "depth", 2, 5)
    ),
    # Yen's k shortest paths: one shortest-path search per path.
    "Query.citationPath": lambda a: 20 * _within(a, "k", 5, 50),
    # Neighbours of neighbours of one paper.
    "Query.similarPapers": lambda a: 50,
    # One adjacency read per seed.
    "Query.priorWorks": lambda a: 2 * _count(a, "ids"),
    "Query.derivativeWorks": lambda a: 2 * _count(a, "ids"),
    # Whole-projection passes (PageRank is memoised per graph version).
    "Query.orgRanking": lambda a: 20,
    "Query.topicRanking": lambda a: 20,
    "Query.topicTrends": lambda a: 50,
    # A full-text index query.
    "Query.search": lambda a: 5,
    # Per paper: its citers' references (the CD index).
    "Paper.disruption": lambda a: 10,
    # Per author: the author's papers' citers.
    "Author.graphHIndex": lambda a: 5,
    "Author.coAuthors": lambda a: 10,
}


@dataclass(frozen=True, slots=True)
class Measure:
    """What an operation (or one selection, for one parent object) asks for."""

    cost: int
    rows: int
    depth: int
    aliases: int


ZERO = Measure(0, 0, 0, 0)

_Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return ops[0] if len(ops) == 1 else None
    return next((op for op in ops if op.name and op.name.value == name), None)


def _root(schema: GraphQLSchema, op: OperationDefinitionNode) -> GraphQLObjectType | None:
    if op.operation == OperationType.QUERY:
        return schema.query_type
    if op.operation == OperationType.MUTATION:
        return schema.mutation_type
    return schema.subscription_type


def _default_of(arg: GraphQLArgument) -> Any:
    """An argument's default, however graphql-core holds it (coerced value or literal)."""
    if arg.default_value is not Undefined:
        return arg.default_value
    default = arg.default
    if default is None:
        return None
    if default.value is not Undefined:
        return default.value
    return value_from_ast(default.literal, arg.type)


class _Walk:
    """One measuring pass; fragments are measured once per (fragment, type)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any],
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.max_page_size = max_page_size
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, str], Measure] = {}
        self.active: set[str] = set()

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> Measure:
        cost = rows = depth = aliases = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                m = self.field(sel, parent)
            elif isinstance(sel, InlineFragmentNode):
                m = self.selections(sel.selection_set, self.target(sel.type_condition, parent))
            elif isinstance(sel, FragmentSpreadNode):
                m = self.fragment(sel.name.value, parent)
            else:  # pragma: no cover (graphql-core has no other selection)
                continue
            cost += m.cost
            rows += m.rows
            depth = max(depth, m.depth)
            aliases += m.aliases
        return Measure(cost, rows, depth, aliases)

    def target(self, condition: Any, parent: GraphQLNamedType) -> GraphQLNamedType:
        if condition is None:
            return parent
        found = self.schema.get_type(condition.name.value)
        return found if isinstance(found, _Composite) else parent

    def fragment(self, name: str, parent: GraphQLNamedType) -> Measure:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:
            return ZERO  # unknown or cyclic: validation refuses the document
        target = self.target(fragment.type_condition, parent)
        key = (name, target.name)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        self.active.add(name)
        try:
            measured = self.selections(fragment.selection_set, target)
        finally:
            self.active.discard(name)
        self.memo[key] = measured
        return measured

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> Measure:
        aliases = 1 if node.alias is not None else 0
        name = node.name.value
        fields = getattr(parent, "fields", None)
        field_def: GraphQLField | None = None if fields is None else fields.get(name)
        if name.startswith("__") or field_def is None:
            # Introspection (not counted, as the depth limit always did) or a
            # field validation will refuse.
            return Measure(0, 0, 0, aliases)
        args = self.arguments(node, field_def)
        named = get_named_type(field_def.type)
        composite = isinstance(named, _Composite)
        page = self.page_size(node, field_def, args)
        weight = WEIGHTS.get(f"{parent.name}.{name}")
        base = (1 if composite else 0) + (weight(args) if weight is not None else 0)
        child = ZERO
        if node.selection_set is not None and composite:
            child = self.selections(node.selection_set, named)
        mult = 1 if page is None else page
        rows = child.rows if page is None else page + page * child.rows
        depth = 0 if node.selection_set is None else 1 + child.depth
        return Measure(base + mult * child.cost, rows, depth, aliases + child.aliases)

    def arguments(self, node: FieldNode, field_def: GraphQLField) -> dict[str, Any]:
        """Every argument's value: as given (variables substituted), else its default."""
        given = {a.name.value: a for a in node.arguments or ()}
        values: dict[str, Any] = {}
        for arg_name, arg_def in field_def.args.items():
            value: Any = Undefined
            if arg_name in given:
                value = value_from_ast(given[arg_name].value, arg_def.type, self.variables)
            if value is Undefined:
                value = _default_of(arg_def)
            # Enum values arrive as their Python values; the weights read names.
            values[arg_name] = getattr(value, "value", value)
        return values

    def page_size(self, node: FieldNode, field_def: GraphQLField, args: Args) -> int | None:
        """``first`` (checked against the page size) or analytics' ``k``; None without one."""
        if "first" in field_def.args:
            first = args.get("first")
            if first is None:
                return None
            if not isinstance(first, int) or not 0 <= first <= self.max_page_size:
                raise LimitExceeded(
                    f"`first` on `{node.name.value}` must be between 0 and "
                    f"{self.max_page_size} (got {first})"
                )
            return first
        if "k" in field_def.args:
            # Analytics' `k` multiplies like `first`; its bounds (1..50) are the
            # resolver's to report.
            k = args.get("k")
            return k if isinstance(k, int) and 0 <= k <= self.max_page_size else None
        return None


def measure_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    max_page_size: int,
) -> Measure:
    """Cost, rows, depth and aliases of the operation that would run; raises on a bad ``first``.

    A document whose operation cannot be picked, or whose variables do not
    coerce, measures zero: graphql-core refuses to run it anyway.
    """
    op = _operation(document, operation_name)
    root = None if op is None else _root(schema, op)
    if op is None or root is None:
        return ZERO
    coerced = get_variable_values(schema, op.variable_definitions or (), dict(variables or {}))
    values: dict[str, Any] = {} if isinstance(coerced, list) else dict(coerced.coerced)
    walk = _Walk(schema, document, values, max_page_size)
    return walk.selections(op.selection_set, root)


# --- parsed and validated documents --------------------------------------------


def document_key(query: str) -> str:
    """The hash a document is cached (and persisted) under: sha256 of its text, hex.

    >>> document_key("{ stats { papers } }")[:12]
    '4293c55b6dc5'
    """
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class DocumentCache:
    """Parsed documents that passed validation, by the hash of their text (LRU, bounded).

    Only valid documents are kept, so a client sending new garbage on every
    request cannot push them out faster than it could send valid ones; the
    bound is in entries (a document is at most ``API_MAX_TOKENS`` tokens).

    >>> from graphql import parse
    >>> cache = DocumentCache(max_entries=1)
    >>> cache.put("{ a }", parse("{ a }")); cache.put("{ b }", parse("{ b }"))
    >>> cache.get("{ a }") is None, cache.get("{ b }") is not None
    (True, True)
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, DocumentNode] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, query: str) -> DocumentNode | None:
        key = document_key(query)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def put(self, query: str, document: DocumentNode) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[document_key(query)] = document
            self._entries.move_to_end(document_key(query))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def refuse(s: Settings, m: Measure) -> PublicError | None:
    """Why a measured operation is refused (budget, depth, aliases, rows), or None."""
    if m.cost > s.api_max_cost:
        return CostLimitExceeded(m.cost, s.api_max_cost)
    if m.depth > s.api_max_depth:
        return LimitExceeded(
            f"this query exceeds maximum operation depth of {s.api_max_depth} "
            f"(it is {m.depth} levels deep)"
        )
    if m.aliases > s.api_max_aliases:
        return LimitExceeded(
            f"{m.aliases} aliases found (fragments counted at every spread); "
            f"the limit is {s.api_max_aliases}"
        )
    if m.rows > s.api_max_rows:
        return LimitExceeded(
            f"this query may return up to {m.rows} rows (the product of its `first` "
            f"arguments down each path, summed); the limit is {s.api_max_rows}: "
            "ask for smaller pages or fewer nested lists"
        )
    return None


class Admission(SchemaExtension):
    """Measures the operation before validation and refuses it when over a limit.

    Limits, in the order checked: ``first`` within the page size, the cost
    budget (``API_MAX_COST``: ``COST_LIMIT_EXCEEDED`` with the cost and the
    budget), depth (``API_MAX_DEPTH``), aliases (``API_MAX_ALIASES``) and rows
    (``API_MAX_ROWS``), each ``LIMIT_EXCEEDED`` otherwise. A refused document
    is not validated and nothing runs. A document validated before (same
    text) is taken from the app's :class:`DocumentCache`: neither parsed nor
    validated again, but measured again (its variables may differ). A document
    refused here is kept parsed in a second cache (``refused``, bounded apart
    so refused documents never push out valid ones): sent again, it is
    measured and refused without parsing, which was most of a refusal's
    time (a flood of the same costly document costs the event loop half as
    much); with variables that admit it, it is validated as usual.
    ``extensions.cost`` of every response says what the request was estimated
    to cost and the budget.
    """

    def __init__(
        self, settings: Settings, documents: DocumentCache, refused: DocumentCache | None = None
    ) -> None:
        self.settings = settings
        self.documents = documents
        self.refused = refused
        self.measure: Measure | None = None
        self.cached = False

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query and ctx.graphql_document is None:
            found = self.documents.get(ctx.query)
            if found is not None:
                ctx.graphql_document = found
                self.cached = True
            elif self.refused is not None:
                # Parsed before and refused: measured again below, validated if admitted.
                ctx.graphql_document = self.refused.get(ctx.query)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        refusal: PublicError | None = None
        if ctx.graphql_document is not None:
            try:
                self.measure = measure_operation(
                    ctx.schema._schema,
                    ctx.graphql_document,
                    ctx.operation_name,
                    ctx.variables,
                    self.settings.api_max_page_size,
                )
                refusal = refuse(self.settings, self.measure)
            except LimitExceeded as exc:
                refusal = exc
        if refusal is not None:
            # Set before validation runs, which strawberry then skips.
            ctx.pre_execution_errors = [GraphQLError(refusal.message, original_error=refusal)]
            if self.refused is not None and ctx.query and ctx.graphql_document is not None:
                self.refused.put(ctx.query, ctx.graphql_document)
        elif self.cached:
            ctx.pre_execution_errors = []  # validated when it was cached
        yield
        if (
            refusal is None
            and not self.cached
            and ctx.query
            and ctx.graphql_document is not None
            and ctx.pre_execution_errors == []
        ):
            self.documents.put(ctx.query, ctx.graphql_document)

    def get_results(self) -> dict[str, Any]:
        cost = 0 if self.measure is None else self.measure.cost
        return {"cost": {"estimated": cost, "budget": self.settings.api_max_cost}}
