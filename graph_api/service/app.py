"""The ASGI app: ``/graphql`` (GraphiQL on GET, queries on POST), ``/healthz``, ``/readyz``.

:func:`create_app` builds a Starlette app whose lifespan owns the one
``AsyncDriver`` of the process (tests may hand in their own). Around the
GraphQL view sit, outermost first: a request id (taken from a well-formed
``X-Request-Id`` or made up, echoed in the response and in every error), a
request body limit (413 before anything is parsed), and CORS.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import uvicorn
from neo4j import AsyncDriver, Driver
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph_api.server import explorer, neo4j_server, playground
from graph_api.service.analytics_runtime import AnalyticsRuntime
from graph_api.service.context import Context, build_context
from graph_api.service.graph_http import GraphQLAnswers
from graph_api.service.jobs import JobRunner
from graph_api.service.mutation_auth import MutationGate
from graph_api.service.schema import CitekbSchema, build_schema
from graph_api.settings import Settings, get_settings
from graph_api.store import graph_store
from graph_api.store.graph_reader import GraphReader
from graph_api.store.graph_state import GraphState, GraphStateWatch

log = logging.getLogger("citekb.api")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEALTH_TIMEOUT_S = 3.0
# The most a shutdown step may take (the jobs' own graces are longer: service/jobs.py).
SHUTDOWN_STEP_S = 5.0
JOBS_SHUTDOWN_S = 20.0


async def _bounded(what: str, step: Awaitable[None], seconds: float | None = None) -> None:
    """Await one shutdown step for at most ``seconds`` (default :data:`SHUTDOWN_STEP_S`),
    then go on (it is cancelled)."""
    seconds = SHUTDOWN_STEP_S if seconds is None else seconds
    task = asyncio.ensure_future(step)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        task.cancel()
        log.warning("shutdown: %s did not end within %.1f s; going on", what, seconds)
    elif not task.cancelled() and task.exception() is not None:
        log.warning("shutdown: %s failed", what, exc_info=task.exception())


def request_id_of(scope: Scope) -> str:
    state = scope.get("state") or {}
    return str(state.get("request_id") or "-")


class RequestIdMiddleware:
    """Gives every HTTP request an id: ``scope['state']['request_id']`` and ``X-Request-Id``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)


ProbeAnswer = Callable[[Starlette], Awaitable[Response]]


class HealthFirst:
    """Answers ``GET /healthz`` and ``GET /readyz`` before every other layer (request
    ids, the body limit, CORS, routing, GraphQL): a probe's own turn on the event
    loop costs tens of microseconds. What it may wait for is the turns of requests
    already there; admission keeps those short (a refusal is a millisecond or two)
    and analytics run in the pool's threads, off the loop."""

    def __init__(self, app: ASGIApp, answers: Mapping[str, ProbeAnswer]) -> None:
        self.app = app
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            answer = self.answers.get(scope["path"])
            if answer is not None:
                response = await answer(scope["app"])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"request body is larger than {limit} bytes",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        },
        status_code=413,
    )


class BodyLimitMiddleware:
    """Answers 413 to a body above ``limit`` bytes, declared or streamed, before parsing it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        # Read the body here (at most `limit` bytes are ever held) and replay it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(self.limit)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class GraphQLView(GraphQL[Context, None]):
    """strawberry's ASGI view with citekb's context and playground page."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(),
        )
        self.settings = settings
        schema = self.schema
        assert isinstance(schema, CitekbSchema)
        self.answers = GraphQLAnswers(settings, schema, schema.documents)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        driver: AsyncDriver = request.app.state.driver
        http = request if isinstance(request, Request) else None
        analytics: AnalyticsRuntime = request.app.state.analytics
        return build_context(
            self.settings, driver, request_id_of(request.scope), http, analytics=analytics
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Operations go to :class:`GraphQLAnswers`; the playground page stays strawberry's."""
        if scope["type"] == "http":
            request = Request(scope, receive)
            is_page = (
                request.method == "GET"
                and "query" not in request.query_params
                and "extensions" not in request.query_params
            )
            if request.method in ("GET", "POST") and not is_page:
                response = await self.answers.answer(request, self._context_for)
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _context_for(self, request: Request) -> Context:
        return await self.get_context(request, Response())

    async def render_graphql_ide(self, request: Request) -> Response:
        ready = bool(request.app.state.playground_ready)
        return HTMLResponse(playground.page(self.settings, ready=ready))


DriverFactory = Callable[[Settings], AsyncDriver]


def default_driver(settings: Settings) -> AsyncDriver:
    return graph_store.async_driver_for(settings, neo4j_server.endpoint(settings).uri)


def create_app(
    settings: Settings,
    driver_factory: DriverFactory | None = None,
    *,
    s2_transport: httpx.AsyncBaseTransport | None = None,
    jobs_driver_factory: Callable[[Settings], Driver] | None = None,
) -> Starlette:
    """The citekb API. ``driver_factory`` (tests) replaces the driver built from settings;
    ``s2_transport`` (tests) is the transport of the S2 client that mutation jobs use;
    ``jobs_driver_factory`` (tests) replaces the jobs' sync write driver (a unit test
    without a database gives one that answers the start-up check for stopped jobs)."""
    make_driver = driver_factory or default_driver
    view = GraphQLView(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.driver = make_driver(settings)
        # The projection analytics resolvers share, per app (service/analytics_runtime.py).
        app.state.analytics = AnalyticsRuntime(app.state.driver, settings)
        # Mutations: the key check and rate limiter, and the background jobs (service/jobs.py).
        app.state.mutation_gate = MutationGate(settings)
        app.state.jobs = JobRunner(
            settings, s2_transport=s2_transport, driver_factory=jobs_driver_factory
        )
        # The graph state answers are cached under, read in the background
        # (store/graph_state.py); a change drops the cached answers.
        analytics: AnalyticsRuntime = app.state.analytics

        def graph_changed(previous: GraphState, current: GraphState) -> None:
            view.answers.graph_changed(previous, current)
            # The new projection, read in the background: after a load, and at
            # startup unless API_PROJECTION_AT_STARTUP is off (then the first
            # request that needs it starts the same background read).
            first = previous.version is None
            if not current.dirty and (settings.api_projection_at_startup or not first):
                analytics.warm(current.version)

        app.state.graph_state = GraphStateWatch(
            app.state.driver,
            settings.neo4j_database,
            settings.api_graph_poll_s,
            graph_changed,
            timeout_s=HEALTH_TIMEOUT_S,
        )
        await app.state.graph_state.refresh()  # health, cache token and projection warm-up
        app.state.graph_state.start()
        # Jobs a killed or crashed process left RUNNING/QUEUED are marked FAILED.
        # With Neo4j down that check would wait out the write driver's retries
        # (30 s) before serving even /healthz; the next start with Neo4j up does it.
        if app.state.graph_state.answered_within(HEALTH_TIMEOUT_S):
            await app.state.jobs.recover()
        else:
            log.warning("Neo4j is not answering: jobs of stopped processes are checked next start")
        app.state.playground_ready = playground.assets_ready(settings)
        if not app.state.playground_ready:
            log.warning("GraphiQL files missing: run `citekb playground install`")
        app.state.explorer_ready = playground.assets_ready(settings, explorer.EXPLORER)
        if not app.state.explorer_ready:
            log.warning("Cytoscape.js missing (/explore): run `citekb playground install`")
        try:
            yield
        finally:
            # Every step is bounded: a shutdown never waits on a read cancelled
            # inside the driver, a worker thread still computing, or a stuck close.
            await _bounded("graph-state poller", app.state.graph_state.close())
            await _bounded("analytics", analytics.aclose(SHUTDOWN_STEP_S), 2 * SHUTDOWN_STEP_S)
            await _bounded("jobs", app.state.jobs.close(), JOBS_SHUTDOWN_S)
            await _bounded("driver", app.state.driver.close())

    async def health(app: Starlette) -> Response:
        # Neo4j's health is the background graph-state read (every API_GRAPH_POLL_S,
        # its own 3 s budget): a probe answers from it at once, so it measures
        # the API's own responsiveness and never queues behind a busy database.
        # Without the poller, the probe reads Neo4j itself.
        watch: GraphStateWatch = app.state.graph_state
        if watch.polling:
            up = watch.answered_within(HEALTH_TIMEOUT_S + 2 * settings.api_graph_poll_s)
        else:
            up = await _read_health(app.state.driver)
        body = {"status": "ok" if up else "unavailable", "neo4j": "up" if up else "down"}
        return JSONResponse(body, status_code=200 if up else 503)

    async def healthz(request: Request) -> Response:
        # GET is answered by HealthFirst before any other layer; this route
        # remains for the 405 to other methods.
        return await health(request.app)

    async def readiness(app: Starlette) -> Response:
        # Ready: Neo4j answers and no request of this worker would wait on a
        # background read -- the projection (and its rank matrix) at the current
        # graph version is loaded. Each worker answers for itself (`pid`), so a
        # client that must wait for every worker (bench.api) asks until each
        # has said so. Not waited for: a graph being loaded (dirty: read once
        # the load is recorded), a graph without a version, and
        # API_PROJECTION_AT_STARTUP=false (read on first use).
        watch: GraphStateWatch = app.state.graph_state
        runtime: AnalyticsRuntime = app.state.analytics
        up = (await health(app)).status_code == 200
        state = watch.current
        if not settings.api_projection_at_startup:
            projection = "on first use"
        elif state.version is None or state.dirty:
            projection = "not kept"
        else:
            projection = "loaded" if runtime.ready(state.version) else "loading"
        ready = up and projection != "loading"
        body = {
            "status": "ready" if ready else "unavailable" if not up else "loading",
            "neo4j": "up" if up else "down",
            "projection": projection,
            "graphVersion": state.version,
            "pid": os.getpid(),
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    async def readyz(request: Request) -> Response:
        return await readiness(request.app)

    async def _read_health(driver: AsyncDriver) -> bool:
        # The health read has its own budget: the user-query timeout may be set
        # short to protect Neo4j, and a busy server must not read as "down".
        reader = GraphReader(driver, settings, timeout_s=HEALTH_TIMEOUT_S)
        try:
            row = await asyncio.wait_for(reader.one("read/api/health"), HEALTH_TIMEOUT_S)
            return bool(row.get("ok") == 1)
        except Exception:  # any failure means "not healthy"; the reason goes to the log
            log.warning("health check failed", exc_info=True)
            return False

    def asset_response(path: Path | None, name: str) -> Response:
        if path is None or not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(
            path,
            media_type="text/css" if name.endswith(".css") else "text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def asset(request: Request) -> Response:
        item = playground.BY_NAME.get(request.path_params["name"])
        folder = playground.assets_dir(settings)
        return asset_response(folder / item.name if item else None, item.name if item else "")

    async def explore(request: Request) -> HTMLResponse:
        ready = bool(request.app.state.explorer_ready)
        return HTMLResponse(explorer.page(settings, ready=ready))

    async def explorer_asset(request: Request) -> Response:
        name = request.path_params["name"]
        own = explorer.own_file(name) if name in explorer.OWN_FILES else None
        if own is not None:
            # Our own files change with the code: revalidate rather than cache for a day.
            media = "text/css" if name.endswith(".css") else "text/javascript"
            return Response(own, media_type=media, headers={"Cache-Control": "no-cache"})
        item = explorer.EXPLORER.by_name.get(name)
        folder = playground.assets_dir(settings, explorer.EXPLORER)
        return asset_response(folder / item.name if item else None, name)

    return Starlette(
        routes=[
            # The view is an ASGI app: it answers GET (playground, or a query
            # in the URL) and POST itself, and 405 to anything else.
            Route("/graphql", view, methods=["GET", "POST"]),
            Route(f"{playground.ASSET_ROUTE}/{{name}}", asset, methods=["GET"]),
            Route(explorer.PAGE_ROUTE, explore, methods=["GET"]),
            Route(f"{explorer.ASSET_ROUTE}/{{name}}", explorer_asset, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        middleware=[
            Middleware(HealthFirst, answers={"/healthz": health, "/readyz": readiness}),
            Middleware(RequestIdMiddleware),
            Middleware(BodyLimitMiddleware, limit=settings.api_max_body_bytes),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.api_cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["content-type", "authorization", "x-request-id"],
                expose_headers=["x-request-id"],
            ),
        ],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """The app with settings from the environment (uvicorn's factory for `citekb serve`)."""
    app = create_app(get_settings())
    # What is built so far (modules, the schema) lives as long as the process:
    # frozen, the cyclic collector's full passes (on the event loop) skip it.
    # Served processes only: in a test process a freeze would also keep whatever
    # cyclic garbage other tests left. AnalyticsRuntime freezes each projection
    # in a process that did this.
    gc.freeze()
    return app


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Run the API under uvicorn; the playground and explorer files are fetched first if missing."""
    for bundle in (playground.GRAPHIQL, explorer.EXPLORER):
        if not playground.assets_ready(settings, bundle):
            try:
                playground.install_assets(settings, bundle=bundle)
            except playground.AssetsUnavailable as exc:
                log.warning("%s unavailable: %s", bundle.purpose, exc)
    uvicorn.run(
        "graph_api.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        loop=settings.api_loop,
        http=settings.api_http,
        # Request bodies are bounded by BodyLimitMiddleware; headers by uvicorn.
        timeout_keep_alive=5,
        # With several workers uvicorn pings each one and restarts those that do
        # not answer within this time; its 5 s default killed workers that were
        # still importing on a busy 2-core machine (load ~35), in a loop.
        timeout_worker_healthcheck=60,
        # uvicorn trusts X-Forwarded-For from loopback unless told otherwise.
        proxy_headers=settings.api_trust_forwarded_for,
        forwarded_allow_ips=settings.api_forwarded_allow_ips,
    )
