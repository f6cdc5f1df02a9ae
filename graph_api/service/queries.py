"""Root query fields: lookups, filtered and ordered lists, search, stats."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, TypeVar

import strawberry
from strawberry import relay

from graph_api.service.connections import (
    DEFAULT_PAGE_SIZE,
    Connection,
    Edge,
    TotalCount,
    checked_first,
)
from graph_api.service.context import Info, resolver
from graph_api.service.cursors import (
    Keyset,
    decode_keyset,
    decode_offset,
    decode_pair,
    keyset_cursor,
    offset_cursor,
    pair_cursor,
)
from graph_api.service.dataloaders import Row
from graph_api.service.errors import BadUserInput, LimitExceeded
from graph_api.service.inputs import (
    AuthorOrder,
    AuthorWhere,
    CountOrNameOrder,
    OrgWhere,
    PaperOrder,
    PaperWhere,
    TopicWhere,
    author_id_value,
    descending,
    paper_filter_is_empty,
    paper_filter_params,
    text_contains,
)
from graph_api.service.lookahead import paper_plan
from graph_api.service.paper_ids import InvalidPaperId, decode_global_id, parse_paper_id
from graph_api.service.search_query import lucene_query
from graph_api.service.types import (
    Author,
    AuthorConnection,
    LoadRecord,
    NamedNode,
    Org,
    OrgConnection,
    Paper,
    PaperConnection,
    PaperEdge,
    SearchConnection,
    SearchEdge,
    Stats,
    Topic,
    TopicConnection,
    Venue,
)
from graph_api.store.graph_reader import GraphReader
from loaders.rows import org_key, topic_key, venue_key

SEARCH_ORDER = "RELEVANCE"
# Like most search APIs, pages reach the first hits only; a query is refined instead.
MAX_SEARCH_OFFSET = 1000
# search_page reads this many times the hits a page needs in its one bounded pass.
SEARCH_WINDOW = 3


async def search_page(
    reader: GraphReader, lucene: str, skip: int, limit: int, *, window: int | None = None
) -> list[Row]:
    """Hits ``skip`` .. ``skip + limit`` in ``read/api/search_papers``'s order (score desc,
    then paperId), mostly from one bounded pass over the index.

    The page holds only hits scoring at least the ``skip + limit``-th best score (the
    cut). The index's best ``window`` hits hold all of those unless the window's last
    hit still scores at the cut (ties run past it); then, and only then, the exact
    statement runs (a test compares every page with a sort of every hit). The
    unbounded second pass of that statement scored and sorted every hit of a common
    word: most of a search's time in Neo4j at 100k papers.
    """
    needed = skip + limit
    window = max(SEARCH_WINDOW * needed, needed + 20) if window is None else window
    if needed < 1 or window < needed:
        raise ValueError("the window must hold the page")
    found = await reader.one("read/api/search_window", {"query": lucene, "window": window})
    rows: list[Row] = list(found["hits"])
    if len(rows) >= needed:
        cut = sorted((float(r["score"]) for r in rows), reverse=True)[needed - 1]
        if len(rows) == window and min(float(r["score"]) for r in rows) >= cut:
            return await reader.rows(
                "read/api/search_papers", {"query": lucene, "skip": skip, "limit": limit}
            )
        rows = [r for r in rows if float(r["score"]) >= cut]
    rows.sort(key=lambda r: (-float(r["score"]), str(r["paper"]["paperId"])))
    return rows[skip:needed]


def _key_of(type_name: str, id_: str | None, name: str | None, normalise: Any) -> str:
    """The node key from either a global id / raw key (``id``) or a display name."""
    if (id_ is None) == (name is None):
        raise BadUserInput(f"give exactly one of `id` or `name` for a {type_name}")
    if name is not None:
        return str(normalise(name))
    assert id_ is not None
    decoded = decode_global_id(id_)
    if decoded is not None:
        if decoded[0] != type_name:
            raise BadUserInput(f"{id_!r} is the global id of a {decoded[0]}, not a {type_name}")
        return decoded[1]
    return id_


N = TypeVar("N", bound=NamedNode)
L = TypeVar("L", Author, Org, Topic)


async def _ordered_list(
    info: Info,
    node_type: type[L],
    *,
    kind: str,
    id_column: str,
    filters: dict[str, Any],
    order: AuthorOrder | CountOrNameOrder,
    first: int,
    after: str | None,
) -> Connection[L, Edge[L]]:
    """A page of ``authors``/``orgs``/``topics``, ordered by a count or a name.

    ``kind`` names the statements (``read/api/<kind>_page``, ``<kind>_count``) and the
    row column (``kind`` without its plural s).
    """
    checked_first(first, info.context.settings, kind)
    desc = descending(order.field, order.direction)
    order_key = f"{order.field.name}_{'DESC' if desc else 'ASC'}"
    keyset = decode_pair(after, order_key) if after else None
    rows = await info.context.reader.rows(
        f"read/api/{kind}_page",
        {
            **filters,
            "orderBy": order.field.name,
            "descending": desc,
            "afterNum": None if keyset is None else keyset.num,
            "afterName": None if keyset is None else keyset.name,
            "afterId": None if keyset is None else keyset.id,
            "limit": first + 1,
        },
    )
    column = kind.removesuffix("s")
    edges = [
        Edge(
            cursor=pair_cursor(order_key, int(r["num"]), str(r["name"]), str(r[column][id_column])),
            node=node_type.from_props(r[column]),
        )
        for r in rows[:first]
    ]
    return Connection.page(
        edges,
        has_next=len(rows) > first,
        after=after,
        total=TotalCount(statement=f"read/api/{kind}_count", params=filters),
    )


async def _named(
    info: Info, node: type[N], id_: strawberry.ID | None, name: str | None, normalise: Any
) -> N | None:
    """An Org/Topic/Venue by global id, raw key or any spelling of its name."""
    key = _key_of(node.__name__, None if id_ is None else str(id_), name, normalise)
    row = await getattr(info.context.loaders, node.by_key).load(key)
    return None if row is None else node.from_props(row)


@dataclass(frozen=True)
class IndexedOrder:
    """An order read from its key's range index, with the tail of papers missing the key."""

    ranked: str  # the papers with the key, in index order from the cursor
    missing: str  # the papers without it, by paperId
    sentinel: float  # their key in papers_page_desc/asc (so cursors agree with it)

    async def page(
        self, reader: GraphReader, keyset: Keyset | None, limit: int, *, maps: bool = False
    ) -> list[Row]:
        """The rows papers_page_desc/asc would give for this order and no filter
        (``maps``: read through :meth:`GraphReader.maps`, as compiled reads do)."""
        read = reader.maps if maps else reader.rows
        in_tail = keyset is not None and keyset.key == self.sentinel
        rows: list[Row] = []
        if not in_tail:
            rows = await read(
                self.ranked,
                {
                    "afterKey": None if keyset is None else keyset.key,
                    "afterId": None if keyset is None else keyset.id,
                    "limit": limit,
                },
            )
        if len(rows) < limit:
            # A range index holds no missing values: only the last pages read these.
            tail = await read(
                self.missing,
                {"afterId": keyset.id if in_tail and keyset else None, "limit": limit - len(rows)},
            )
            rows += [{"paper": r["paper"], "key": self.sentinel} for r in tail]
        return rows


# Orders with a range index on their key (cypher/schema/schema.cypher); TITLE
# sorts case-insensitively, which no index holds, so it takes the general
# statement, as does any order under a filter. Sentinels as in
# papers_page_desc / papers_page_asc.
INDEXED_ORDERS = {
    "CITATION_COUNT_DESC": IndexedOrder(
        "read/api/papers_by_citation_count_desc", "read/api/papers_without_citation_count", -1
    ),
    "CITATION_COUNT_ASC": IndexedOrder(
        "read/api/papers_by_citation_count_asc",
        "read/api/papers_without_citation_count",
        9223372036854775807,
    ),
    "YEAR_DESC": IndexedOrder("read/api/papers_by_year_desc", "read/api/papers_without_year", -1),
    "YEAR_ASC": IndexedOrder(
        "read/api/papers_by_year_asc", "read/api/papers_without_year", 1000000000
    ),
    "PAGERANK_DESC": IndexedOrder(
        "read/api/papers_by_pagerank_desc", "read/api/papers_without_pagerank", -1.0
    ),
    "PAGERANK_ASC": IndexedOrder(
        "read/api/papers_by_pagerank_asc", "read/api/papers_without_pagerank", 1.0e300
    ),
}


@strawberry.type
class CoreQuery:
    @resolver(description="Any object by its global id (Relay): Paper, Author, Org, Topic, Venue.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        # Written out rather than strawberry's relay.node(): that field object
        # can be built into one schema only, and the app builds one per settings.
        try:
            node_type = id.resolve_type(info)
        except Exception as exc:  # an unknown type name in a well-formed id
            raise BadUserInput(f"{id.type_name!r} is not a type with global ids") from exc
        node = node_type.resolve_node(id.node_id, info=info, required=False)
        if inspect.isawaitable(node):
            node = await node
        return node

    @resolver(
        description="A paper by any id: Semantic Scholar id, `arXiv:2512.17351` (version "
        "optional), `DOI:10.…`, `CorpusId:123`, or its global id. Unknown ids give null."
    )
    async def paper(self, info: Info, id: strawberry.ID) -> Paper | None:
        try:
            key = parse_paper_id(str(id))
        except InvalidPaperId as exc:
            raise BadUserInput(str(exc)) from exc
        loaders = info.context.loaders
        # strawberry's Info keeps graphql-core's (field nodes, fragments) as
        # _raw_info; its public selected_fields would expand every fragment.
        plan = paper_plan(info._raw_info, info.context.settings.api_max_page_size)
        if plan is not None and key.kind == "paper":
            paper_id = str(key.value)
            # One statement for the paper and the nested parts the plan covers;
            # the nested resolvers then find them in the loaders (lookahead.py).
            rows = await info.context.reader.rows(
                "read/api/paper_with_edges", plan.params(paper_id)
            )
            if not rows:
                return None
            plan.prime(loaders, paper_id, rows[0])
            return Paper.from_props(rows[0]["paper"])
        loader = {
            "paper": loaders.paper_by_id,
            "arxiv": loaders.paper_by_arxiv,
            "doi": loaders.paper_by_doi,
            "corpus": loaders.paper_by_corpus,
        }[key.kind]
        row = await loader.load(key.value)
        return None if row is None else Paper.from_props(row)

    @resolver(
        description="Papers matching `where`, sorted by `orderBy` (default: most cited first)."
    )
    async def papers(
        self,
        info: Info,
        where: PaperWhere | None = None,
        order_by: PaperOrder | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> PaperConnection:
        checked_first(first, info.context.settings, "papers")
        order_by = order_by or PaperOrder()
        desc = descending(order_by.field, order_by.direction)
        order = f"{order_by.field.name}_{'DESC' if desc else 'ASC'}"
        filters = paper_filter_params(where)
        keyset = decode_keyset(after, order) if after else None
        indexed = INDEXED_ORDERS.get(order) if paper_filter_is_empty(filters) else None
        if indexed is not None:
            # No filter: read the sort key's range index in order (a page costs
            # about `first` index entries, not a sort of every paper).
            rows = await indexed.page(info.context.reader, keyset, first + 1)
        else:
            statement = "read/api/papers_page_desc" if desc else "read/api/papers_page_asc"
            rows = await info.context.reader.rows(
                statement,
                {
                    **filters,
                    "orderBy": order_by.field.name,
                    "afterKey": None if keyset is None else keyset.key,
                    "afterId": None if keyset is None else keyset.id,
                    "limit": first + 1,
                },
            )
        edges = [
            PaperEdge(
                cursor=keyset_cursor(order, r["key"], r["paper"]["paperId"]),
                node=Paper.from_props(r["paper"]),
            )
            for r in rows[:first]
        ]
        counter = (
            TotalCount(statement="read/api/papers_count_all", params={})
            if paper_filter_is_empty(filters)
            else TotalCount(statement="read/api/papers_count", params=filters)
        )
        return PaperConnection.page(edges, has_next=len(rows) > first, after=after, total=counter)

    @resolver(
        description="Full-text search over titles and abstracts, best match first. The text "
        "is taken as plain words (no query syntax): an exact phrase in the title ranks "
        "highest, then the phrase anywhere, then all words, then any word."
    )
    async def search(
        self,
        info: Info,
        query: str,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> SearchConnection:
        checked_first(first, info.context.settings, "search")
        lucene = lucene_query(query)
        offset = decode_offset(after, SEARCH_ORDER) if after else 0
        if offset >= MAX_SEARCH_OFFSET:
            raise LimitExceeded(
                f"search pages reach the first {MAX_SEARCH_OFFSET} hits; refine the query"
            )
        rows = await search_page(info.context.reader, lucene, offset, first + 1)
        edges = [
            SearchEdge(
                cursor=offset_cursor(SEARCH_ORDER, offset + i + 1),
                node=Paper.from_props(r["paper"]),
                score=float(r["score"]),
            )
            for i, r in enumerate(rows[:first])
        ]
        return SearchConnection.page(
            edges,
            has_next=len(rows) > first,
            after=after,
            total=TotalCount(statement="read/api/search_papers_count", params={"query": lucene}),
        )

    @resolver(description="An author by Semantic Scholar author id or global id.")
    async def author(self, info: Info, id: strawberry.ID) -> Author | None:
        row = await info.context.loaders.author_by_id.load(author_id_value(str(id)))
        return None if row is None else Author.from_props(row)

    @resolver(description="Authors, sorted by `orderBy` (default: most cited first).")
    async def authors(
        self,
        info: Info,
        where: AuthorWhere | None = None,
        order_by: AuthorOrder | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> AuthorConnection:
        filters = {"nameContains": text_contains(where.name if where else None, "name")}
        return await _ordered_list(
            info,
            Author,
            kind="authors",
            id_column="authorId",
            filters=filters,
            order=order_by or AuthorOrder(),
            first=first,
            after=after,
        )

    @resolver(description="An organisation by its name (any spelling) or id.")
    async def org(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Org | None:
        return await _named(info, Org, id, name, org_key)

    @resolver(description="Organisations, sorted by `orderBy` (default: most papers first).")
    async def orgs(
        self,
        info: Info,
        where: OrgWhere | None = None,
        order_by: CountOrNameOrder | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> OrgConnection:
        filters = {"nameContains": text_contains(where.name if where else None, "name")}
        return await _ordered_list(
            info,
            Org,
            kind="orgs",
            id_column="key",
            filters=filters,
            order=order_by or CountOrNameOrder(),
            first=first,
            after=after,
        )

    @resolver(description="A topic by its name (any spelling) or id.")
    async def topic(
        self, info: Info, name: str | None = None, id: strawberry.ID | None = None
    ) -> Topic | None:
        return await _named(info, Topic, id, name, topic_key)

    @resolver(description="Topics, sorted by `orderBy` (default: most papers first).")
    async def topics(
        self,
        info: Info,
        where: TopicWhere | None = None,
        order_by: CountOrNameOrder | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> TopicConnection:
        filters = {
            "nameContains": text_contains(where.name if where else None, "name"),
            "source": where.source if where else None,
        }
        return await _ordered_list(
            info,
            Topic,
            kind="topics",
            id_column="key",
            filters=filters,
            order=order_by or CountOrNameOrder(),
            first=first,
            after=after,
        )

    @resolver(description="A venue by its name (any spelling) or id.")
    async def venue(
        self, info: Info, name: str | None = None, id: strawberry.ID | None = None
    ) -> Venue | None:
        return await _named(info, Venue, id, name, venue_key)

    @resolver(description="Node and relationship counts, and the last load.")
    async def stats(self, info: Info) -> Stats:
        row = await info.context.reader.one("read/api/stats")
        return Stats(
            papers=row["papers"],
            authors=row["authors"],
            orgs=row["orgs"],
            topics=row["topics"],
            venues=row["venues"],
            cites=row["cites"],
            authored=row["authored"],
            affiliated_with=row["affiliatedWith"],
            submitted=row["submitted"],
            has_topic=row["hasTopic"],
            published_in=row["publishedIn"],
            last_load=LoadRecord.from_props(row["lastLoad"]),
        )
