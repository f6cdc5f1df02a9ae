"""What a client may see of a failure, and what only the server log sees.

A :class:`PublicError` carries a message written for the client (a bad id, a
page too large, a query that ran out of time). Every other exception -- a
driver message, a Cypher error, a bug -- reaches the client only as
"internal error" with the request id, and the server logs the full error
under that same id, so a user's report can be matched to the log line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from neo4j.exceptions import ClientError, DriverError, Neo4jError, ServiceUnavailable
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import GlobalIDValueError

log = logging.getLogger("citekb.api")


class PublicError(Exception):
    """An error whose message is safe and useful to show to the client."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # Machine-readable details beside `code` (e.g. a cost and its budget).
        self.extensions: dict[str, Any] = {}


class BadUserInput(PublicError):
    """An argument the API cannot use (bad id, cursor, filter value)."""

    code = "BAD_USER_INPUT"


class LimitExceeded(PublicError):
    """The query asks for more than the API serves in one request."""

    code = "LIMIT_EXCEEDED"


class QueryTimeout(PublicError):
    """The database cancelled the read at the transaction timeout."""

    code = "TIMEOUT"


class DatabaseUnavailable(PublicError):
    """Neo4j did not answer."""

    code = "SERVICE_UNAVAILABLE"


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, ClientError | Neo4jError):
        code = exc.code or ""
        return "TransactionTimedOut" in code or "Transaction.Terminated" in code
    return False


def public_form(exc: BaseException | None) -> PublicError | None:
    """The client-facing error for ``exc``, or ``None`` when it must be masked."""
    if isinstance(exc, PublicError):
        return exc
    if isinstance(exc, GlobalIDValueError):
        return BadUserInput(f"invalid global id: {exc}")
    if exc is not None and _is_timeout(exc):
        return QueryTimeout("the query took longer than the server's time limit; ask for less")
    if isinstance(exc, ServiceUnavailable):
        return DatabaseUnavailable("the graph database is not answering; try again shortly")
    return None


def request_id_of(context: Any) -> str | None:
    return getattr(context, "request_id", None)


class PublicErrors(SchemaExtension):
    """Rewrite every error of a result into its client-facing form.

    Parse and validation errors (no ``original_error``) and :class:`PublicError`
    keep their message and gain ``extensions.code``; anything else becomes
    ``INTERNAL_SERVER_ERROR`` with the request id and nothing of the original.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not result or not errors:
            return
        request_id = request_id_of(self.execution_context.context)
        result.errors = [rewrite(error, request_id) for error in errors]


def rewrite(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """``error`` as a client may read it (see :class:`PublicErrors`)."""
    original = error.original_error
    public = public_form(original)
    extensions: dict[str, Any] = {"requestId": request_id} if request_id else {}
    if public is not None:
        message = public.message
        extensions.update(public.extensions)
        extensions["code"] = public.code
    elif original is None:
        message = error.message
        extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
    else:
        message = "internal error" + (f" (request id {request_id})" if request_id else "")
        extensions["code"] = "INTERNAL_SERVER_ERROR"
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def unmasked(errors: list[GraphQLError], context: Any) -> list[GraphQLError]:
    """``errors`` with every one that missed :class:`PublicErrors` rewritten too.

    An exception raised while an extension validates a document leaves
    strawberry's operation before ``PublicErrors`` sees the result; the
    schema's ``execute`` passes its errors through here, so they are masked
    and coded like every other.
    """
    request_id = request_id_of(context)
    return [e if "code" in (e.extensions or {}) else rewrite(e, request_id) for e in errors]


def log_errors(errors: list[GraphQLError], context: Any) -> None:
    """Server-side record of every error, with the request id the client sees."""
    request_id = request_id_of(context) or "-"
    for error in errors:
        original = error.original_error
        if public_form(original) is not None or original is None:
            log.info("request %s: %s", request_id, error.message)
        elif isinstance(original, DriverError | Neo4jError):
            log.error("request %s: database error at %s", request_id, error.path, exc_info=original)
        else:
            log.error("request %s: error at %s", request_id, error.path, exc_info=original)
