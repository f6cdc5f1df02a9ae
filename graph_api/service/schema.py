"""The citekb GraphQL schema: root types, limits, error policy, SDL export.

The root ``Query`` merges the parts listed in :data:`QUERY_PARTS`; a feature
that adds root fields (analytics) adds its part there. ``python -m
graph_api.service.schema`` (or ``citekb schema export``) writes the SDL to
``schema.graphql`` at the repository root; a unit test fails when the file
and the code disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from graph_api.service.admission import Admission, DocumentCache
from graph_api.service.analytics_api import AnalyticsQuery
from graph_api.service.changes_api import ChangesQuery
from graph_api.service.connections import ConnectionNames
from graph_api.service.descriptions import describe
from graph_api.service.errors import PublicErrors, log_errors, unmasked
from graph_api.service.graph_views import GraphViewQuery
from graph_api.service.mutations import JobQuery, Mutation
from graph_api.service.queries import CoreQuery
from graph_api.service.recommend_api import RecommendQuery
from graph_api.settings import Settings

SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"

QUERY_PARTS: tuple[type, ...] = (
    CoreQuery,
    AnalyticsQuery,
    RecommendQuery,
    GraphViewQuery,
    JobQuery,
    ChangesQuery,
)

Query = merge_types("Query", QUERY_PARTS)


class CitekbSchema(strawberry.Schema):
    """A strawberry schema whose error log carries the request id, and whose every error
    leaves coded and masked (:func:`graph_api.service.errors.unmasked`)."""

    # The parsed and validated documents of this schema, and the parsed ones
    # admission refused (set by build_schema).
    documents: DocumentCache
    refused_documents: DocumentCache

    async def execute(  # noqa: PLR0917 (strawberry's signature)
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        if result.errors:
            result.errors = unmasked(list(result.errors), context_value)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, None if execution_context is None else execution_context.context)


def build_schema(settings: Settings) -> CitekbSchema:
    """The schema with every limit from ``settings``.

    Extensions are given as factories, so each request gets its own instances.
    ``PublicErrors`` comes first: it sees the result last and rewrites every
    error into what a client may read. ``Admission`` measures cost, rows,
    depth and aliases in one memoised walk before validation and keeps the
    schema's parsed and validated documents.
    """
    documents = DocumentCache(settings.api_document_cache_entries)
    refused = DocumentCache(settings.api_document_cache_entries)
    extensions: list[Any] = [
        PublicErrors,
        partial(MaxTokensLimiter, max_token_count=settings.api_max_tokens),
        partial(Admission, settings, documents, refused),
    ]
    if not settings.api_introspection:
        extensions.append(DisableIntrospection)
    assert all(callable(e) for e in extensions)
    schema = CitekbSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(name_converter=ConnectionNames()),
    )
    describe(schema._schema, settings.api_max_page_size)
    schema.documents = documents
    schema.refused_documents = refused
    return schema


def sdl() -> str:
    """The schema's SDL as exported to ``schema.graphql``: with the default settings,
    whatever the environment says (the page cap shows in `first`'s descriptions)."""
    return build_schema(Settings.model_construct()).as_str() + "\n"


def export(path: Path = SDL_PATH) -> Path:
    path.write_text(sdl(), encoding="utf-8")
    return path


__all__ = ["SDL_PATH", "CitekbSchema", "Query", "SchemaExtension", "build_schema", "export", "sdl"]

if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(f"wrote {export()}\n")
