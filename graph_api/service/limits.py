"""Query limits that are checked before any resolver runs.

strawberry's validation rules bound depth, aliases and tokens. This module adds
the one they cannot see, because it depends on arguments and variables: the
**row budget**. Every field with a ``first`` argument (or analytics' ``k``)
asks for up to ``first`` rows for each of its parents, so the rows a query
may touch are estimated by multiplying ``first`` (or its default) down the
selection tree and summing over fields. A ``first`` above ``API_MAX_PAGE_SIZE`` or below 0,
or an estimate above ``API_MAX_ROWS``, ends the request with a clear error
before execution starts, i.e. before anything reaches Neo4j.

>>> from graphql import build_schema, parse
>>> s = build_schema('''
...   type Q { items(first: Int = 5): [Item] }
...   type Item { name: String, children(first: Int = 2): [Item] }
...   schema { query: Q }''')
>>> estimate_rows(s, parse("{ items(first: 10) { children { name } } }"), None, {}, 100)
30
>>> estimate_rows(s, parse("{ items(first: 1000) { name } }"), None, {}, 100)
Traceback (most recent call last):
...
graph_api.service.errors.LimitExceeded: `first` on `items` must be between 0 and 100 (got 1000)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
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

from graph_api.service.errors import LimitExceeded
from graph_api.settings import Settings

_Composite = GraphQLObjectType | GraphQLInterfaceType


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


def estimate_rows(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    max_page_size: int,
) -> int:
    """Upper bound of rows the operation asks for; raises on an out-of-range ``first``."""
    op = _operation(document, operation_name)
    if op is None:
        return 0  # graphql-core reports the missing/ambiguous operation itself
    root = _root(schema, op)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    coerced = get_variable_values(schema, op.variable_definitions or (), dict(variables or {}))
    if isinstance(coerced, list):
        return 0  # graphql-core reports bad variables itself, before any resolver
    values: dict[str, Any] = dict(coerced.coerced)

    def first_of(node: FieldNode, parent: _Composite) -> int | None:
        field_def = parent.fields.get(node.name.value)
        if field_def is None:
            return None
        name = "first" if "first" in field_def.args else "k" if "k" in field_def.args else None
        if name is None:
            return None
        arg_def = field_def.args[name]
        given = next((a for a in node.arguments or () if a.name.value == name), None)
        value: Any = _default_of(arg_def)
        if given is not None:
            value = value_from_ast(given.value, arg_def.type, values)
        if value is None or value is Undefined:
            return None
        if name == "k":
            # Analytics' `k` (similar papers, paths, seed-set works) multiplies the rows
            # below it like `first`; its bounds (1..50) are the resolver's to report.
            in_range = isinstance(value, int) and 0 <= value <= max_page_size
            return value if in_range else None
        if not isinstance(value, int) or value < 0 or value > max_page_size:
            raise LimitExceeded(
                f"`first` on `{node.name.value}` must be between 0 and {max_page_size} "
                f"(got {value})"
            )
        return value

    def walk(
        selection_set: SelectionSetNode, parent: _Composite, mult: int, seen: frozenset[str]
    ) -> int:
        rows = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                field_def = parent.fields.get(sel.name.value)
                if field_def is None:
                    continue  # __typename, introspection
                first = first_of(sel, parent)
                child_mult = mult
                if first is not None:
                    rows += mult * first
                    child_mult = mult * first
                named = get_named_type(field_def.type)
                if sel.selection_set and isinstance(named, _Composite):
                    rows += walk(sel.selection_set, named, child_mult, seen)
            elif isinstance(sel, InlineFragmentNode):
                target = parent
                if sel.type_condition is not None:
                    cond = schema.get_type(sel.type_condition.name.value)
                    target = cond if isinstance(cond, _Composite) else parent
                rows += walk(sel.selection_set, target, mult, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue
                cond = schema.get_type(fragment.type_condition.name.value)
                target = cond if isinstance(cond, _Composite) else parent
                rows += walk(fragment.selection_set, target, mult, seen | {name})
        return rows

    return walk(op.selection_set, root, 1, frozenset())


class RowBudget(SchemaExtension):
    """Rejects, before execution, a query whose page sizes exceed the limits."""

    def __init__(self, settings: Settings) -> None:
        self.max_page_size = settings.api_max_page_size
        self.max_rows = settings.api_max_rows

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and not ctx.result:
            try:
                rows = estimate_rows(
                    ctx.schema._schema,
                    ctx.graphql_document,
                    ctx.operation_name,
                    ctx.variables,
                    self.max_page_size,
                )
                if rows > self.max_rows:
                    raise LimitExceeded(
                        f"this query may return up to {rows} rows (the product of its `first` "
                        f"arguments down each path, summed); the limit is {self.max_rows}: "
                        "ask for smaller pages or fewer nested lists"
                    )
            except LimitExceeded as exc:
                ctx.result = ExecutionResult(
                    data=None, errors=[GraphQLError(exc.message, original_error=exc)]
                )
        yield
