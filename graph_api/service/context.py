"""What every resolver receives: the request's reader, loaders and settings.

A :class:`Context` is built per request by :func:`build_context` (the ASGI
view's ``get_context``); its loaders batch and cache for that request only.
Resolvers take ``info: Info`` so that ``info.context`` is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import strawberry
from neo4j import AsyncDriver
from starlette.requests import Request

from graph_api.service.analytics_runtime import AnalyticsRuntime, RequestAnalytics
from graph_api.service.dataloaders import Loaders
from graph_api.settings import Settings
from graph_api.store.graph_reader import GraphReader


@dataclass
class Context:
    settings: Settings
    driver: AsyncDriver
    reader: GraphReader
    loaders: Loaders
    request_id: str
    # Stored analytics and the projection the app shares (graph_api/service/analytics_runtime.py).
    analytics: RequestAnalytics
    # The HTTP request: mutations read its Authorization header and the app's
    # job runner (graph_api/service/mutations.py).
    request: Request | None = None


Info = strawberry.Info[Context, None]

F = TypeVar("F", bound=Callable[..., Any])


def resolver(description: str) -> Callable[[F], F]:
    """``@strawberry.field(description=...)`` typed for mypy (strawberry types it ``Any``)."""
    return cast(Callable[[F], F], strawberry.field(description=description))


def build_context(
    settings: Settings,
    driver: AsyncDriver,
    request_id: str,
    request: Request | None = None,
    analytics: AnalyticsRuntime | None = None,
) -> Context:
    """The request's context; ``analytics`` is the app's shared runtime (outside an app,
    e.g. in a script, the context gets a runtime of its own)."""
    reader = GraphReader(driver, settings)
    return Context(
        settings=settings,
        driver=driver,
        reader=reader,
        loaders=Loaders(reader),
        request_id=request_id,
        analytics=RequestAnalytics(analytics or AnalyticsRuntime(driver, settings), reader),
        request=request,
    )
