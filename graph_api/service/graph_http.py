"""The GraphQL-over-HTTP exchange: persisted queries, answers cached per graph version,
ETags, and the ``application/graphql-response+json`` media type.

:class:`GraphQLAnswers` answers every ``/graphql`` request that carries an
operation (the view hands it everything but the playground page):

* **Request.** ``GET`` with ``query``, ``variables``, ``operationName`` and
  ``extensions`` in the URL (JSON-encoded where they are objects), or ``POST``
  with a JSON object. A body that is not JSON, a batch (a JSON list) or
  fields of the wrong type are ``400``. Only queries run over ``GET``.
* **Automatic persisted queries**, in Apollo's protocol: ``extensions.
  persistedQuery = {version: 1, sha256Hash}``. With the hash alone, a known
  document runs; an unknown hash answers the error ``PersistedQueryNotFound``
  (code ``PERSISTED_QUERY_NOT_FOUND``), and the client sends hash and document
  together, which are checked to match (``400`` otherwise) and remembered once
  the document validates. At most ``API_PERSISTED_QUERIES`` documents are
  kept (least recently used dropped).
* **The response cache.** Between two graph versions an answer is a function
  of (document, operation name, variables, graph version)
  (:mod:`graph_api.store.graph_state`), so a query's answer without errors
  is kept under the hash of those, up to ``API_RESPONSE_CACHE_BYTES`` of
  response bodies (least recently used dropped; ``0`` turns the cache off),
  and the whole cache is dropped when the graph state changes. The next
  identical request is answered from it without parsing, validating or
  touching Neo4j. Not cached: mutations, documents asking for ``job``
  (job state changes without a new graph version), and anything while the
  graph state is unknown or a load is writing.
* **ETag.** A ``GET`` answer carries ``ETag`` (a hash of the body) and
  ``Cache-Control: no-cache`` (keep it, but ask again each time); a request
  whose ``If-None-Match`` names the current ETag gets ``304`` and no body.
* **Media type.** A request that accepts ``application/graphql-response+json``
  gets it back, and a request error -- parse, validation, variable coercion,
  admission (cost, limits), an unknown persisted query -- is ``400`` with
  ``errors`` and no ``data`` entry. Otherwise answers are ``application/json``
  with ``200``, as before the spec's watershed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, FieldNode, OperationDefinitionNode, OperationType
from graphql.language import Visitor, visit
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperation

from graph_api.service.admission import DocumentCache, document_key
from graph_api.service.compiled_reads import CompiledReads, Unsupported
from graph_api.service.schema import CitekbSchema
from graph_api.settings import Settings
from graph_api.store.graph_reader import GraphReader
from graph_api.store.graph_state import GraphState

log = logging.getLogger("citekb.api")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# Fields whose answers change without a new graph version.
VOLATILE_FIELDS = frozenset({"job"})
# Bookkeeping per cached answer beside its body (key, headers, dict slot).
ENTRY_OVERHEAD = 256


class BadRequest(Exception):
    """A request that is not a GraphQL request at all (400, before anything runs)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Operation:
    """What a request asks to run."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def _json_param(request: Request, name: str) -> Any:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"`{name}` in the URL must be JSON") from exc


async def read_operation(request: Request) -> Operation:
    """The operation of a GET (URL parameters) or POST (JSON object) request."""
    if request.method == "GET":
        data: Any = {
            "query": request.query_params.get("query"),
            "variables": _json_param(request, "variables"),
            "operationName": request.query_params.get("operationName"),
            "extensions": _json_param(request, "extensions"),
        }
    else:
        content_type = request.headers.get("content-type", "")
        if "json" not in content_type:
            raise BadRequest("send the request as `content-type: application/json`")
        try:
            data = json.loads(await request.body())
        except ValueError as exc:
            raise BadRequest("Unable to parse request body as JSON") from exc
    if isinstance(data, list):
        raise BadRequest("batched requests are not supported: send one operation per request")
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    for name, kind in (("query", str), ("operationName", str), ("variables", dict)):
        if data.get(name) is not None and not isinstance(data[name], kind):
            raise BadRequest(f"`{name}` must be a {'string' if kind is str else 'JSON object'}")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise BadRequest("`extensions` must be a JSON object")
    return Operation(
        data.get("query"), data.get("variables"), data.get("operationName"), extensions
    )


def persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """The ``sha256Hash`` of Apollo's ``persistedQuery`` extension, if the request has one.

    >>> persisted_hash({"persistedQuery": {"version": 1, "sha256Hash": "AB" * 32}}) == "ab" * 32
    True
    >>> persisted_hash(None) is None
    True
    """
    found = (extensions or {}).get("persistedQuery")
    if found is None:
        return None
    if not isinstance(found, dict) or found.get("version") != 1:
        raise BadRequest("Unsupported persisted query version: send `version: 1`")
    digest = found.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise BadRequest("`persistedQuery.sha256Hash` must be a SHA-256 hex digest")
    return digest.lower()


class _LRU:
    """A thread-safe LRU bounded by a size function (entries or bytes)."""

    def __init__(self, limit: int, size: Callable[[str, Any], int]) -> None:
        self.limit = limit
        self._size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.used = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: str, value: Any) -> None:
        size = self._size(key, value)
        if size > self.limit:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= self._size(key, old)
            self._items[key] = value
            self.used += size
            while self.used > self.limit:
                dropped_key, dropped = self._items.popitem(last=False)
                self.used -= self._size(dropped_key, dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0

    def __len__(self) -> int:
        return len(self._items)


def _body_size(key: str, body: bytes) -> int:
    return len(body) + len(key) + ENTRY_OVERHEAD


class ResponseCache(_LRU):
    """Response bodies by request key, bounded in bytes (``API_RESPONSE_CACHE_BYTES``)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, _body_size)


def response_key(token: str, op: Operation) -> str:
    """The cache key of an operation's answer at a graph state ``token``.

    Variables are canonical JSON, so their key order does not matter.

    >>> a = response_key("3@-", Operation("{ a }", {"x": 1, "y": 2}, None, None))
    >>> a == response_key("3@-", Operation("{ a }", {"y": 2, "x": 1}, None, None))
    True
    >>> a == response_key("4@-", Operation("{ a }", {"x": 1, "y": 2}, None, None))
    False
    """
    variables = json.dumps(op.variables or {}, sort_keys=True, separators=(",", ":"))
    material = "\n".join((token, document_key(op.query or ""), op.operation_name or "", variables))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _selected(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return ops[0] if len(ops) == 1 else None
    return next((o for o in ops if o.name is not None and o.name.value == name), None)


class _FieldNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.names.add(node.name.value)


def cacheable(document: DocumentNode, operation_name: str | None) -> bool:
    """A query that reads nothing volatile (its answer depends only on the graph state).

    >>> from graphql import parse
    >>> cacheable(parse("{ stats { papers } }"), None)
    True
    >>> cacheable(parse("{ job(id: 1) { id } }"), None)
    False
    >>> cacheable(parse("mutation { recomputeAnalytics { id } }"), None)
    False
    """
    op = _selected(document, operation_name)
    if op is None or op.operation != OperationType.QUERY:
        return False
    names = _FieldNames()
    visit(document, names)
    return not (names.names & VOLATILE_FIELDS)


def wants_graphql_response(request: Request) -> bool:
    """The client accepts the GraphQL-over-HTTP media type (and so its status codes)."""
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: parse, validation, variable or admission errors (no path)."""
    errors = result.errors or []
    return bool(errors) and result.data is None and all(e.path is None for e in errors)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    given = [t.strip() for t in if_none_match.split(",")]
    return "*" in given or etag in given or f"W/{etag}" in given


ContextFactory = Callable[[Request], Awaitable[Any]]


class GraphQLAnswers:
    """Answers operations for one app: its persisted queries and response cache."""

    def __init__(self, settings: Settings, schema: CitekbSchema, documents: DocumentCache) -> None:
        self.settings = settings
        self.schema = schema
        self.documents = documents
        self.persisted = _LRU(max(settings.api_persisted_queries, 0), lambda _k, _v: 1)
        self.responses = ResponseCache(max(settings.api_response_cache_bytes, 0))
        self.state_token: str | None = None
        self.compiled = CompiledReads(schema._schema, max(settings.api_document_cache_entries, 0))
        self._readers: dict[int, GraphReader] = {}

    def graph_changed(self, previous: GraphState, current: GraphState) -> None:
        """The graph state changed (a load, a dirty flag, new analytics): drop every answer."""
        self.state_token = current.token
        dropped = len(self.responses)
        self.responses.clear()
        log.info(
            "graph state %s -> %s: %d cached answers dropped",
            previous.token,
            current.token,
            dropped,
        )

    async def answer(self, request: Request, make_context: ContextFactory) -> Response:
        graphql_response = wants_graphql_response(request)
        media = GRAPHQL_RESPONSE if graphql_response else JSON
        try:
            op = await read_operation(request)
            op = self._with_persisted(op)
        except BadRequest as exc:
            return self._errors(exc.message, "BAD_REQUEST", 400, media)
        except _NotPersisted:
            status = 400 if graphql_response else 200
            return self._errors(
                "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", status, media
            )
        if not op.query:
            return self._errors("No GraphQL query found in the request", "BAD_REQUEST", 400, media)

        token = self.state_token
        key = None
        if token is not None and self.responses.limit > 0:
            key = response_key(token, op)
            hit = self.responses.get(key)
            if hit is not None:
                return self._respond(request, hit, 200, media, cache="hit")

        document = self.documents.get(op.query)
        if document is not None and self.settings.api_compiled_reads:
            compiled = self.compiled.get(document_key(op.query), document, op.operation_name)
            if compiled is not None:
                body = await self._compiled(request, compiled, op)
                if body is not None:
                    if key is not None and token == self.state_token:
                        self.responses.put(key, body)
                    return self._respond(
                        request, body, 200, media, cache="miss" if key else "off", path="compiled"
                    )

        allowed = {StrawberryOperation.QUERY}
        if request.method == "POST":
            allowed.add(StrawberryOperation.MUTATION)
        context = await make_context(request)
        try:
            result = await self.schema.execute(
                op.query,
                op.variables,
                context,
                None,
                op.operation_name,
                allowed,
                op.extensions,
            )
        except InvalidOperationTypeError as exc:
            return self._errors(exc.as_http_error_reason(request.method), "BAD_REQUEST", 400, media)
        except CannotGetOperationTypeError as exc:
            return self._errors(exc.as_http_error_reason(), "BAD_REQUEST", 400, media)

        payload: dict[str, Any] = dict(process_result(result))
        status = 200
        if is_request_error(result) and graphql_response:
            status = 400
            payload.pop("data", None)
        body = _encode(payload)
        document = self.documents.get(op.query)
        digest = persisted_hash(op.extensions)
        if digest is not None and document is not None:
            self.persisted.put(digest, op.query)  # remembered once it validated
        if (
            key is not None
            and not result.errors
            and document is not None
            and token == self.state_token  # the graph did not change meanwhile
            and cacheable(document, op.operation_name)
        ):
            self.responses.put(key, body)
        return self._respond(request, body, status, media, cache="miss" if key else "off")

    async def _compiled(self, request: Request, compiled: Any, op: Operation) -> bytes | None:
        """The compiled answer's body, or None when the normal execution must answer."""
        driver = request.app.state.driver
        reader = self._readers.get(id(driver))
        if reader is None:
            reader = self._readers[id(driver)] = GraphReader(driver, self.settings)
        state = request.scope.get("state") or {}
        request_id = str(state.get("request_id") or "-")
        runtime = request.app.state.analytics
        # The version the poller read last, unless a load is writing (then the
        # analytics read it themselves).
        watched = request.app.state.graph_state.current
        version = None if watched.dirty else watched.version
        try:
            payload = await compiled.answer(
                reader,
                self.settings,
                op.variables,
                runtime,
                request_id=request_id,
                graph_version=version,
            )
        except Unsupported:
            return None
        except Exception:  # a database error: the normal path reports it in its own form
            log.info("compiled read failed; answering the normal way", exc_info=True)
            return None
        digest = persisted_hash(op.extensions)
        if digest is not None:
            self.persisted.put(digest, op.query)
        return _encode(payload)

    def _with_persisted(self, op: Operation) -> Operation:
        digest = persisted_hash(op.extensions)
        if digest is None:
            return op
        if op.query is None:
            known = self.persisted.get(digest)
            if known is None:
                raise _NotPersisted
            return Operation(known, op.variables, op.operation_name, op.extensions)
        if document_key(op.query) != digest:
            raise BadRequest("provided sha does not match query")
        return op

    def _respond(
        self,
        request: Request,
        body: bytes,
        status: int,
        media: str,
        *,
        cache: str,
        path: str = "graphql",
    ) -> Response:
        headers = {"x-citekb-cache": cache, "x-citekb-path": path, "vary": "accept"}
        if request.method == "GET" and status == 200:
            etag = etag_of(body)
            headers["etag"] = etag
            headers["cache-control"] = "no-cache"
            if _matches(request.headers.get("if-none-match"), etag):
                return Response(status_code=304, headers=headers)
        return Response(body, status_code=status, media_type=media, headers=headers)

    @staticmethod
    def _errors(message: str, code: str, status: int, media: str) -> Response:
        body = _encode({"errors": [{"message": message, "extensions": {"code": code}}]})
        return Response(body, status_code=status, media_type=media)


class _NotPersisted(Exception):
    """A hash-only request for a document this process has not seen."""


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
