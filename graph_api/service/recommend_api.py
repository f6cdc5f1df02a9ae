"""``recommend`` (what to read next, and why) and ``semanticNeighbours`` (nearest by embedding).

``recommend`` runs :mod:`graph_api.analytics.recommend` in three steps, each
bounded before it starts (at most 20 positive and 20 negative seeds, ``first``
1..50, a pool of :data:`~graph_api.analytics.recommend.POOL_SIZE` graph
candidates plus :data:`NEIGHBOURS` per positive seed from the vector index):

1. graph signals on the shared projection (worker thread);
2. the seeds' nearest papers by embedding through the vector index, then the
   cosine of every candidate with every seed (two statements, computed in
   Neo4j, so no vector leaves the database);
3. the combination (worker thread): scores whose parts are the signals.

Seed ids come in every form ``paper(id:)`` takes. A malformed id, or one that
names no paper of the graph, fails the request with ``BAD_USER_INPUT`` naming
every such id (a recommendation from half the seeds would be a different
answer). Unknown ids in ``exclude`` are ignored: there is nothing to leave out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import strawberry

from graph_api.analytics import (
    MAX_K,
    Recommendation,
    UnknownSeeds,
    candidate_pool,
    check_k,
    check_seed_lists,
    combine,
    graph_signals,
)
from graph_api.service.analytics_api import PaperById, resolve_keys
from graph_api.service.analytics_fields import checked
from graph_api.service.context import Info, resolver
from graph_api.service.errors import BadUserInput
from graph_api.service.paper_ids import InvalidPaperId, PaperKey, parse_paper_id
from graph_api.service.types import Paper

# Nearest papers by embedding added to the candidates per positive seed.
NEIGHBOURS = 50
DEFAULT_RECOMMENDATIONS = 20
DEFAULT_NEIGHBOURS = 10


@strawberry.type(
    description="The parts of a recommendation's score: each signal's share (they sum to "
    "`score`), what it lacked and which positive seeds it is tied to."
)
class RecommendSignals:
    pagerank: float = strawberry.field(
        description="Share from PageRank personalised on the positive seeds (citations and "
        "references both followed)"
    )
    co_citation: float = strawberry.field(
        description="Share from being cited together with the positive seeds"
    )
    coupling: float = strawberry.field(
        description="Share from sharing references with the positive seeds (Salton's cosine)"
    )
    embedding: float = strawberry.field(
        description="Share from embedding similarity to the positive seeds"
    )
    negative: float = strawberry.field(
        description="What resemblance to the negative seeds took off (0 or less)"
    )
    missing: list[str] = strawberry.field(
        description="Signals this paper could not have: 'embedding' when it, or every positive "
        "seed, has no embedding (its score then rests on the graph signals alone)"
    )
    seeds: list[strawberry.ID] = strawberry.field(
        description="Positive seeds it is tied to (cites, is cited by, is co-cited or coupled "
        "with, or is closest to by embedding), in the order given"
    )


@strawberry.type(description="A recommended paper, its score and the signals it is made of.")
class RecommendedPaper(PaperById):
    score: float = strawberry.field(
        description="pagerank + coCitation + coupling + embedding + negative (higher is better)"
    )
    signals: RecommendSignals = strawberry.field(description="The parts of the score")


@strawberry.type(description="Papers to read next for a set of positive (and negative) seeds.")
class Recommendations:
    papers: list[RecommendedPaper] = strawberry.field(description="Best first")
    positive: list[strawberry.ID] = strawberry.field(description="The positive seeds' paperIds")
    negative: list[strawberry.ID] = strawberry.field(description="The negative seeds' paperIds")
    truncated: bool = strawberry.field(
        description="True when a work bound cut a graph walk short (around very highly cited "
        "seeds); the answer is then from the part walked"
    )


@strawberry.type(description="A paper near another by embedding.")
class SemanticNeighbour(PaperById):
    similarity: float = strawberry.field(
        description="Cosine similarity of the two papers' embeddings, -1..1"
    )
    known: strawberry.Private[Paper | None] = None


def _keys(given: Sequence[str], role: str) -> list[PaperKey]:
    """Every id parsed; all malformed ones named in one error."""
    keys: list[PaperKey] = []
    bad: list[str] = []
    for g in given:
        try:
            keys.append(parse_paper_id(g))
        except InvalidPaperId:
            bad.append(g)
    if bad:
        raise BadUserInput(f"malformed {role} paper id(s): {', '.join(repr(b) for b in bad)}")
    return keys


def _view(rec: Recommendation) -> RecommendedPaper:
    s = rec.signals
    return RecommendedPaper(
        paper_id=strawberry.ID(rec.paper_id),
        score=rec.score,
        signals=RecommendSignals(
            pagerank=s.pagerank,
            co_citation=s.co_citation,
            coupling=s.coupling,
            embedding=s.embedding,
            negative=s.negative,
            missing=list(s.missing),
            seeds=[strawberry.ID(p) for p in s.seeds],
        ),
    )


@strawberry.type
class RecommendQuery:
    @resolver(
        description="Papers to read next given `positive` seed papers (1..20) and, optionally, "
        "`negative` ones (0..20) whose look-alikes are pushed down; at most `first` (1..50). "
        "Each score is the sum of its signals: PageRank personalised on the seeds, co-citation, "
        "bibliographic coupling and embedding similarity, minus resemblance to the negative "
        "seeds. Seeds and `exclude` are never recommended. Unknown or malformed seed ids are "
        "a BAD_USER_INPUT error naming them."
    )
    async def recommend(
        self,
        info: Info,
        positive: list[strawberry.ID],
        negative: list[strawberry.ID] | None = None,
        first: int = DEFAULT_RECOMMENDATIONS,
        exclude: list[strawberry.ID] | None = None,
    ) -> Recommendations:
        given_pos = [str(i) for i in positive]
        given_neg = [str(i) for i in negative or []]
        given_ex = [str(i) for i in exclude or []]
        checked(lambda: check_k(first, name="first"))
        checked(lambda: check_seed_lists(given_pos, given_neg))
        if len(given_ex) > MAX_K * 10:
            raise BadUserInput(f"at most {MAX_K * 10} ids in exclude, got {len(given_ex)}")
        keys = _keys(given_pos, "positive") + _keys(given_neg, "negative")
        ex_keys = _keys(given_ex, "excluded")
        resolved = await resolve_keys(info, keys + ex_keys)
        seed_ids, ex_ids = resolved[: len(keys)], resolved[len(keys) :]
        analytics = info.context.analytics
        projection = await analytics.projection()
        G = projection.graph
        unknown = [
            g
            for g, p in zip(given_pos + given_neg, seed_ids, strict=True)
            if p is None or p not in G
        ]
        if unknown:
            raise BadUserInput(
                "no paper "
                + ", ".join(repr(u) for u in unknown)
                + " in the citation graph (seed ids must name papers of this graph)"
            )
        pos = [p for p in seed_ids[: len(given_pos)] if p is not None]
        neg = [p for p in seed_ids[len(given_pos) :] if p is not None]
        try:
            # Two ids can name one paper (an arXiv id and its DOI): checked again.
            pos, neg = check_seed_lists(pos, neg)
            signals = await analytics.compute(graph_signals, G, pos, neg)
        except (ValueError, UnknownSeeds) as exc:
            raise BadUserInput(str(exc)) from exc
        left_out = {p for p in ex_ids if p is not None}
        pool = candidate_pool(signals, exclude=left_out)
        reader = info.context.reader
        near_rows = await reader.rows(
            "read/api/recommend_neighbours", {"ids": pos, "k": NEIGHBOURS + 1}
        )
        near = {p for row in near_rows for p in row["near"]}
        candidates = list(dict.fromkeys([*pool, *sorted(near - set(pool))]))
        sim_rows = await reader.rows(
            "read/api/recommend_similarity", {"candidates": candidates, "seeds": pos + neg}
        )
        similarity: dict[str, dict[str, float]] = defaultdict(dict)
        for row in sim_rows:
            similarity[str(row["candidate"])][str(row["seed"])] = float(row["similarity"])
        found = await analytics.compute(
            combine, signals, similarity, candidates=candidates, k=first, exclude=left_out
        )
        return Recommendations(
            papers=[_view(r) for r in found],
            positive=[strawberry.ID(p) for p in pos],
            negative=[strawberry.ID(p) for p in neg],
            truncated=signals.truncated,
        )

    @resolver(
        description="The `first` (1..50) papers nearest to a paper by embedding (SPECTER2, or "
        "synthetic vectors on synthetic corpora), through the vector index, nearest first. "
        "Null for an unknown paper; empty when it has no embedding."
    )
    async def semantic_neighbours(
        self, info: Info, id: strawberry.ID, first: int = DEFAULT_NEIGHBOURS
    ) -> list[SemanticNeighbour] | None:
        (key,) = _keys([str(id)], "the")
        checked(lambda: check_k(first, name="first"))
        (paper_id,) = await resolve_keys(info, [key])
        if paper_id is None:
            return None
        rows = await info.context.reader.rows(
            "read/api/semantic_neighbours", {"id": paper_id, "k": first}
        )
        if not rows and await info.context.loaders.paper_by_id.load(paper_id) is None:
            return None
        return [
            SemanticNeighbour(
                paper_id=strawberry.ID(str(r["paper"]["paperId"])),
                similarity=float(r["similarity"]),
                known=Paper.from_props(r["paper"]),
            )
            for r in rows
        ]
