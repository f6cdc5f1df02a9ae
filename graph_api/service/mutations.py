"""The GraphQL mutations and ``job(id)``: the API's only way to write.

``loadPapers(ids, titles, depth)`` and ``recomputeAnalytics`` check the
caller's key and rate (:mod:`graph_api.service.mutation_auth`), validate every
argument before anything starts, and return a :class:`Job` at once; the work
runs in the background (:mod:`graph_api.service.jobs`) and ``job(id)`` reports its
status, counts and errors. Entries are parsed by the same normaliser as
``citekb load``'s id lists (:mod:`loaders.id_lists`): ``ids`` must each be a
paper id in one of its forms, ``titles`` are taken as titles whatever they
look like.

Mutations are only accepted over POST (strawberry refuses them over GET, so
a link or an image tag cannot start a load).
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Annotated, Any

import strawberry
from starlette.requests import Request

from graph_api.service.changes_api import Collection, collection_of, seed_ids
from graph_api.service.context import Info, resolver
from graph_api.service.errors import BadUserInput, LimitExceeded, PublicError
from graph_api.service.jobs import JobKind, JobRecord, JobRunner, JobStatus
from graph_api.service.mutation_auth import MutationGate
from graph_api.service.types import Measure, measures, parse_datetime
from graph_api.store.collections import CollectionError, check_name, check_seed_count
from graph_api.store.collections import save as save_collection
from loaders.id_lists import MAX_TITLE, IdError, normalise_id
from loaders.rows import PaperRef

MAX_DEPTH = 2
# How many bad entries one error message lists (the rest are counted).
SHOWN_PROBLEMS = 10


@strawberry.type(description="The arguments a job was started with.")
class JobParams:
    entries: int | None = strawberry.field(description="Loads: how many ids and titles")
    depth: int | None = strawberry.field(description="Loads: the enrichment depth (0, 1 or 2)")


@strawberry.type(description="A background job started by a mutation; poll it with job(id).")
class Job:
    id: strawberry.ID = strawberry.field(description="The job's id (give it to `job(id)`)")
    kind: JobKind = strawberry.field(description="What the job does")
    status: JobStatus = strawberry.field(description="Where the job is")
    created_at: datetime.datetime = strawberry.field(description="When it was accepted (UTC)")
    started_at: datetime.datetime | None = strawberry.field(description="When it began writing")
    finished_at: datetime.datetime | None = strawberry.field(description="When it ended")
    params: JobParams = strawberry.field(description="The job's arguments")
    counts: list[Measure] = strawberry.field(
        description="What it did: a load's summary numbers (resolved, papersWritten, "
        "citesWritten, nodesCreated, s2Requests, retries ...), or analytics' papers, "
        "cites, communities, graphVersion, tookS"
    )
    errors: list[str] = strawberry.field(
        description="Why it failed, and entries it could not resolve (with the reason)"
    )
    messages: list[str] = strawberry.field(description="What to do next (e.g. how to resume)")

    @classmethod
    def of(cls, job: JobRecord) -> Job:
        created = parse_datetime(job.created_at)
        assert created is not None  # the runner stamps every job when it accepts it
        return cls(
            id=strawberry.ID(job.id),
            kind=job.kind,
            status=job.status,
            created_at=created,
            started_at=parse_datetime(job.started_at),
            finished_at=parse_datetime(job.finished_at),
            params=JobParams(entries=job.params.get("entries"), depth=job.params.get("depth")),
            counts=measures(dict(job.counts)),
            errors=list(job.errors),
            messages=list(job.messages),
        )


def _request(info: Info) -> Request:
    request = info.context.request
    if request is None:  # pragma: no cover - every HTTP request has one
        raise PublicError("mutations are only served over HTTP")
    return request


def _runner(info: Info) -> JobRunner:
    runner: JobRunner = _request(info).app.state.jobs
    return runner


def _admit(info: Info) -> str:
    """The caller's key id, or the error that stops the mutation (key, rate)."""
    request = _request(info)
    gate: MutationGate = request.app.state.mutation_gate
    client = request.client.host if request.client is not None else "-"
    return gate.admit(request.headers.get("authorization"), client)


def _bad_text(text: str) -> str | None:
    """Why a text cannot be stored (control characters, lone surrogates), else None."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            return "contains an unpaired surrogate (not valid Unicode text)"
        if category == "Cc" and ch not in "\t\n\r":
            return "contains control characters"
    return None


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:80] + "...")


def parse_entries(ids: list[str], titles: list[str], max_entries: int) -> list[PaperRef]:
    """``ids`` and ``titles`` -> seed refs; every problem is reported in one error.

    >>> [r.arxiv_id or r.title for r in parse_entries(["arXiv:2512.17351v2"], ["1984"], 10)]
    ['2512.17351', '1984']
    >>> parse_entries(["Attention is all you need"], [], 10)
    Traceback (most recent call last):
    ...
    graph_api.service.errors.BadUserInput: 1 entry cannot be loaded: ids[0]: not a paper id (arXiv, DOI, CorpusId, S2 id or their URLs; titles go in `titles`): 'Attention is all you need'
    """  # noqa: E501
    total = len(ids) + len(titles)
    if total == 0:
        raise BadUserInput("give at least one paper in `ids` or `titles`")
    if total > max_entries:
        raise LimitExceeded(
            f"{total} entries in one loadPapers call; the limit is {max_entries}"
            " (split the list, or use `citekb load` for large lists)"
        )
    refs: list[PaperRef] = []
    problems: list[str] = []
    for i, text in enumerate(ids):
        where = f"ids[{i}]"
        bad = _bad_text(text)
        if bad is not None:
            problems.append(f"{where}: {bad}")
            continue
        ref = normalise_id(text, source=f"api:{where}", line=i)
        if isinstance(ref, IdError):
            problems.append(f"{where}: {ref}")
        elif ref.title is not None:
            problems.append(
                f"{where}: not a paper id (arXiv, DOI, CorpusId, S2 id or their URLs;"
                f" titles go in `titles`): {_shown(text)}"
            )
        else:
            refs.append(ref)
    for i, text in enumerate(titles):
        where = f"titles[{i}]"
        title = " ".join(text.split())
        bad = _bad_text(title)
        if not title:
            problems.append(f"{where}: empty title")
        elif bad is not None:
            problems.append(f"{where}: {bad}")
        elif len(title) > MAX_TITLE:
            problems.append(f"{where}: a title longer than {MAX_TITLE} characters")
        else:
            refs.append(PaperRef(title=title, source=f"api:{where}", line=i))
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        listed = "; ".join(problems[:SHOWN_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
        noun = "entry" if len(problems) == 1 else "entries"
        raise BadUserInput(f"{len(problems)} {noun} cannot be loaded: {listed}")
    return refs


@strawberry.type
class Mutation:
    @resolver(
        description="Start loading papers (resolve in Semantic Scholar, enrich to `depth`, "
        "write to the graph) as a background job. Needs `Authorization: Bearer <API key>`."
    )
    async def load_papers(
        self,
        info: Info,
        ids: list[str] | None = None,
        titles: list[str] | None = None,
        depth: int = 1,
    ) -> Job:
        owner = _admit(info)
        if not 0 <= depth <= MAX_DEPTH:
            raise BadUserInput(f"`depth` must be 0, 1 or 2 (got {depth})")
        refs = parse_entries(ids or [], titles or [], info.context.settings.api_max_load_entries)
        return Job.of(_runner(info).submit_load(refs, depth=depth, owner=owner))

    @resolver(
        description="Start recomputing PageRank and communities (as `citekb analytics`) as a "
        "background job. Needs `Authorization: Bearer <API key>`."
    )
    async def recompute_analytics(self, info: Info) -> Job:
        owner = _admit(info)
        return Job.of(_runner(info).submit_analytics(owner=owner))

    @resolver(
        description="Save (or replace) a named seed set for the change feed "
        "(`changes(collection:)`, `Collection.newCitations`): papers of the graph, in any id "
        "form. Needs `Authorization: Bearer <API key>`."
    )
    async def save_collection(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The collection's name")],
        seeds: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="Its papers (at most 100), each in the graph"),
        ],
    ) -> Collection:
        _admit(info)
        try:
            check_name(name)
            check_seed_count([str(s) for s in seeds])
        except CollectionError as exc:
            raise BadUserInput(str(exc)) from exc
        paper_ids = await seed_ids(info, seeds)
        saved = await save_collection(
            info.context.driver, info.context.settings.neo4j_database, name, paper_ids
        )
        return collection_of(saved)


@strawberry.type
class JobQuery:
    @resolver(description="A job started by a mutation (ids are unguessable); null if unknown.")
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        job_id = str(id)
        if not job_id.isalnum() or len(job_id) > 64:
            raise BadUserInput(f"not a job id: {_shown(job_id)}")
        request = info.context.request
        runner: JobRunner | None = None if request is None else request.app.state.jobs
        found = None if runner is None else runner.get(job_id)
        if found is None:
            rows: list[dict[str, Any]] = await info.context.reader.rows(
                "read/api/job_by_id", {"id": job_id}
            )
            if not rows:
                return None
            found = JobRecord.from_node(rows[0]["job"])
        return Job.of(found)
