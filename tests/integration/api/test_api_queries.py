"""The GraphQL API against a real Neo4j holding the synthetic graph of api_graph.py."""

from __future__ import annotations

import pytest

from graph_api.service.paper_ids import global_id
from graph_api.service.queries import search_page
from graph_api.service.search_query import lucene_query
from graph_api.store.graph_reader import GraphReader
from tests.integration.api.api_graph import (
    LAB,
    META,
    N_AUTHORS,
    N_PAPERS,
    PAPERS,
    SCALING_TITLES,
    affiliation,
    author_id,
    author_name,
    citing_papers,
    influential,
    intents,
    most_cited_order,
    submitted_by,
    topics_of,
)
from tests.integration.api.api_support import Api

P7 = PAPERS[7]
P12 = PAPERS[12]


# --- paper(id:) in every form ---------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        PAPERS[12].paper_id,
        PAPERS[12].paper_id.upper(),
        f"arXiv:{PAPERS[12].arxiv_id}",
        f"ARXIV:{PAPERS[12].arxiv_id}v3",
        f"{PAPERS[12].arxiv_id}v1",
        f"DOI:{PAPERS[12].doi}",
        f"doi:{(PAPERS[12].doi or '').upper()}",
        f"https://doi.org/{PAPERS[12].doi}",
        f"CorpusId:{PAPERS[12].corpus_id}",
        global_id("Paper", PAPERS[12].paper_id),
    ],
)
async def test_paper_by_every_id_form(api: Api, given: str) -> None:
    data = await api.data("query($id: ID!) { paper(id: $id) { paperId title } }", {"id": given})
    assert data["paper"] == {"paperId": P12.paper_id, "title": P12.title}


@pytest.mark.parametrize(
    "given",
    ["0" * 40, "arXiv:2401.99999", "DOI:10.5555/nowhere", "CorpusId:1", global_id("Paper", "x")],
)
async def test_unknown_paper_id_is_null(api: Api, given: str) -> None:
    data = await api.data("query($id: ID!) { paper(id: $id) { paperId } }", {"id": given})
    assert data["paper"] is None


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("not an id at all", "is not a paper id"),
        ("arXiv:12.34", "not an arXiv id"),
        ("CorpusId:abc", "not a CorpusId"),
        (global_id("Author", "1000"), "global id of a Author"),
        ("PMID:12345", "not supported"),
    ],
)
async def test_invalid_paper_id_is_a_clear_error(api: Api, given: str, says: str) -> None:
    body = await api.post("query($id: ID!) { paper(id: $id) { paperId } }", {"id": given})
    assert body["data"] == {"paper": None}
    (error,) = body["errors"]
    assert says in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["requestId"]


async def test_node_by_global_id_for_every_type(api: Api) -> None:
    paper = await api.data(f'{{ paper(id: "{P7.paper_id}") {{ id }} }}')
    gid = paper["paper"]["id"]
    assert gid == global_id("Paper", P7.paper_id)
    data = await api.data(
        """query($p: ID!, $a: ID!, $o: ID!, $t: ID!, $v: ID!) {
          p: node(id: $p) { __typename ... on Paper { title } }
          a: node(id: $a) { __typename ... on Author { name } }
          o: node(id: $o) { __typename ... on Org { name } }
          t: node(id: $t) { __typename ... on Topic { name } }
          v: node(id: $v) { __typename ... on Venue { name } }
        }""",
        {
            "p": gid,
            "a": global_id("Author", author_id(3)),
            "o": global_id("Org", "ai at meta"),
            "t": global_id("Topic", "computer science"),
            "v": global_id("Venue", "neurips"),
        },
    )
    assert data["p"] == {"__typename": "Paper", "title": P7.title}
    assert data["a"] == {"__typename": "Author", "name": author_name(3)}
    assert data["o"] == {"__typename": "Org", "name": META}
    assert data["t"] == {"__typename": "Topic", "name": "Computer Science"}
    assert data["v"] == {"__typename": "Venue", "name": "NeurIPS"}


async def test_node_with_a_malformed_global_id_is_an_error(api: Api) -> None:
    messages = await api.errors('{ node(id: "%%%") { id } }')
    assert messages


# --- paper fields --------------------------------------------------------------


async def test_paper_fields_authors_topics_orgs_venue(api: Api) -> None:
    p = PAPERS[8]  # a seed submitted by AI at Meta, cites 8 papers
    data = await api.data(
        f"""{{ paper(id: "{p.paper_id}") {{
            title year isSeed synthetic arxivId doi corpusId citationCount venueName
            authors {{ authorId name }}
            topics {{ name source }}
            orgs {{ name }}
            venue {{ name }}
            pagerank pagerankRank pagerankPercentile
        }} }}"""
    )
    got = data["paper"]
    assert got["title"] == p.title and got["year"] == p.year
    assert got["isSeed"] is True and got["synthetic"] is True
    assert got["arxivId"] == p.arxiv_id and got["doi"] == p.doi and got["corpusId"] == p.corpus_id
    assert [a["authorId"] for a in got["authors"]] == [author_id(a) for a in p.authors]
    assert {t["name"] for t in got["topics"]} == set(topics_of(p))
    assert got["topics"][0]["name"] == "Computer Science"  # highest score first
    expected_orgs = {affiliation(a) for a in p.authors} | {submitted_by(p)} - {None}
    assert {o["name"] for o in got["orgs"]} == expected_orgs
    assert got["venue"] == {"name": p.venue}
    assert got["pagerank"] is None  # analytics has not run on this graph


async def test_references_and_citations_with_edge_properties(api: Api) -> None:
    data = await api.data(
        f"""{{ paper(id: "{P12.paper_id}") {{
            references(first: 100) {{
              totalCount edges {{ isInfluential intents node {{ paperId }} }} }}
            citations(first: 100) {{ totalCount nodes {{ paperId }} }}
            influential: references(first: 100, influentialOnly: true) {{
              totalCount nodes {{ paperId }} }}
        }} }}"""
    )
    refs = data["paper"]["references"]
    expected = most_cited_order(list(P12.references))
    assert refs["totalCount"] == len(P12.references)
    assert [e["node"]["paperId"] for e in refs["edges"]] == [PAPERS[j].paper_id for j in expected]
    for edge, j in zip(refs["edges"], expected, strict=True):
        assert edge["isInfluential"] is influential(12, j)
        assert edge["intents"] == intents(12, j)
    cits = data["paper"]["citations"]
    assert cits["totalCount"] == len(citing_papers(12))
    assert [n["paperId"] for n in cits["nodes"]] == [
        PAPERS[j].paper_id for j in most_cited_order(citing_papers(12))
    ]
    infl = [j for j in P12.references if influential(12, j)]
    assert data["paper"]["influential"]["totalCount"] == len(infl)
    assert [n["paperId"] for n in data["paper"]["influential"]["nodes"]] == [
        PAPERS[j].paper_id for j in most_cited_order(infl)
    ]


async def test_citation_counts_by_year(api: Api) -> None:
    data = await api.data(
        f'{{ paper(id: "{P7.paper_id}") {{ citationCountsByYear {{ year count }} }} }}'
    )
    expected: dict[int, int] = {}
    for j in citing_papers(7):
        expected[PAPERS[j].year] = expected.get(PAPERS[j].year, 0) + 1
    assert data["paper"]["citationCountsByYear"] == [
        {"year": y, "count": n} for y, n in sorted(expected.items())
    ]


# --- connections, cursors, totalCount -------------------------------------------


async def test_papers_walks_every_page_with_keyset_cursors(api: Api) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await api.data(
            """query($after: String) { papers(first: 7, after: $after) {
                 totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
                 edges { cursor node { paperId citationCount } } } }""",
            {"after": after},
        )
        conn = data["papers"]
        assert conn["totalCount"] == N_PAPERS
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        if conn["edges"]:
            assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
            assert conn["pageInfo"]["startCursor"] == conn["edges"][0]["cursor"]
        seen.extend(e["node"]["paperId"] for e in conn["edges"])
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == -(-N_PAPERS // 7)
    assert seen == [PAPERS[j].paper_id for j in most_cited_order(list(range(N_PAPERS)))]


async def test_nested_connection_pages_with_cursor(api: Api) -> None:
    query = """query($id: ID!, $after: String) { paper(id: $id) {
        references(first: 5, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } nodes { paperId } } } }"""
    first = (await api.data(query, {"id": P12.paper_id}))["paper"]["references"]
    second = (await api.data(query, {"id": P12.paper_id, "after": first["pageInfo"]["endCursor"]}))[
        "paper"
    ]["references"]
    both = [n["paperId"] for n in first["nodes"] + second["nodes"]]
    expected = [PAPERS[j].paper_id for j in most_cited_order(list(P12.references))]
    assert both == expected[:10]
    assert first["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == second["totalCount"] == 12


async def test_bad_or_foreign_cursor_is_a_clear_error(api: Api) -> None:
    messages = await api.errors('{ papers(first: 2, after: "garbage!") { totalCount } }')
    assert any("invalid cursor" in m for m in messages)
    year_cursor = (
        await api.data("{ papers(first: 1, orderBy: {field: YEAR}) { pageInfo { endCursor } } }")
    )["papers"]["pageInfo"]["endCursor"]
    messages = await api.errors(
        "query($c: String) { papers(first: 1, after: $c) { nodes { title } } }", {"c": year_cursor}
    )
    assert any("another ordering" in m for m in messages)


async def test_total_count_is_not_computed_when_not_asked(api: Api) -> None:
    api.driver.reset()
    await api.data("{ papers(first: 3) { nodes { title } } }")
    assert api.driver.calls == 1
    api.driver.reset()
    await api.data("{ papers(first: 3) { totalCount nodes { title } } }")
    assert api.driver.calls == 2
    assert any("count(p)" in q for q in api.driver.queries)


# --- where + orderBy --------------------------------------------------------------


def _expected(pred: object, key: object, reverse: bool) -> list[str]:
    chosen = [p for p in PAPERS if pred(p)]  # type: ignore[operator]
    chosen.sort(key=lambda p: p.paper_id)
    chosen.sort(key=key, reverse=reverse)  # type: ignore[arg-type]
    return [p.paper_id for p in chosen]


@pytest.mark.parametrize(
    ("where", "order", "pred", "key", "reverse"),
    [
        (
            "{year: {gte: 2017, lte: 2019}}",
            "{field: YEAR, direction: ASC}",
            lambda p: 2017 <= p.year <= 2019,
            lambda p: p.year,
            False,
        ),
        (
            '{venue: {eq: "neurips"}, isSeed: true}',
            "{field: TITLE, direction: ASC}",
            lambda p: p.venue == "NeurIPS" and p.is_seed,
            lambda p: p.title.lower(),
            False,
        ),
        (
            '{topic: {in: ["Scaling  Laws"]}}',
            "{field: CITATION_COUNT, direction: DESC}",
            lambda p: p.index in SCALING_TITLES,
            lambda p: p.citation_count if p.citation_count is not None else -1,
            True,
        ),
        (
            f'{{author: {{eq: "{author_id(2)}"}}, year: {{gt: 2015}}}}',
            "{field: YEAR, direction: DESC}",
            lambda p: 2 in p.authors and p.year > 2015,
            lambda p: p.year,
            True,
        ),
        (
            f'{{org: {{eq: "{LAB}"}}, title: {{contains: "GRAPH"}}}}',
            "{field: CITATION_COUNT, direction: ASC}",
            lambda p: "graph" in p.title.lower() and any(affiliation(a) == LAB for a in p.authors),
            lambda p: p.citation_count if p.citation_count is not None else 10**18,
            False,
        ),
        (
            "{isSeed: false, citationCount: {lte: 50}}",
            "{field: PAGERANK, direction: DESC}",
            lambda p: not p.is_seed and p.citation_count is not None and p.citation_count <= 50,
            lambda p: 0,
            False,
        ),
    ],
)
async def test_where_and_order_by_combined(  # noqa: PLR0917
    api: Api, where: str, order: str, pred: object, key: object, reverse: bool
) -> None:
    data = await api.data(
        f"{{ papers(first: 100, where: {where}, orderBy: {order}) "
        "{ totalCount nodes { paperId } } }"
    )
    expected = _expected(pred, key, reverse)
    assert expected, "the case must select something"
    assert data["papers"]["totalCount"] == len(expected)
    assert [n["paperId"] for n in data["papers"]["nodes"]] == expected


async def test_paging_a_filtered_ascending_order(api: Api) -> None:
    query = """query($after: String) { papers(first: 4, after: $after,
        where: {venue: {eq: "arXiv.org"}}, orderBy: {field: TITLE, direction: ASC}) {
        pageInfo { hasNextPage endCursor } nodes { paperId } } }"""
    seen: list[str] = []
    after = None
    while True:
        conn = (await api.data(query, {"after": after}))["papers"]
        seen.extend(n["paperId"] for n in conn["nodes"])
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == _expected(lambda p: p.venue == "arXiv.org", lambda p: p.title.lower(), False)


# --- search --------------------------------------------------------------------------


async def test_search_ranks_phrase_matches_first(api: Api) -> None:
    data = await api.data(
        '{ search(query: "scaling law", first: 10) { totalCount edges { score node { title } } } }'
    )
    edges = data["search"]["edges"]
    top = [e["node"]["title"] for e in edges[: len(SCALING_TITLES)]]
    assert set(top) == set(SCALING_TITLES.values())
    scores = [e["score"] for e in edges]
    assert scores == sorted(scores, reverse=True)
    assert data["search"]["totalCount"] >= len(SCALING_TITLES)


async def test_search_pages_with_offset_cursors(api: Api) -> None:
    query = """query($after: String) { search(query: "synthetic", first: 15, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { paperId } } }"""
    first = (await api.data(query))["search"]
    second = (await api.data(query, {"after": first["pageInfo"]["endCursor"]}))["search"]
    ids = [n["paperId"] for n in first["nodes"] + second["nodes"]]
    assert len(ids) == len(set(ids)) == 30
    assert first["totalCount"] == N_PAPERS  # every abstract says "synthetic"


@pytest.mark.parametrize(
    "text", ["scaling law", "synthetic", "attention mechanisms", "neural graph"]
)
async def test_search_pages_equal_a_sort_of_every_hit(api: Api, text: str) -> None:
    """read/api/search_papers sorts only hits at or above the page's cut score: every page
    must equal the reference, all hits sorted by (score desc, paperId) and cut in Python."""
    lucene = lucene_query(text)
    async with api.driver.inner.session(database=api.settings.neo4j_database) as session:
        result = await session.run(
            "CALL db.index.fulltext.queryNodes('paper_text', $q) YIELD node, score"
            " RETURN node.paperId AS id, score",
            q=lucene,
        )
        every = sorted([(r["id"], r["score"]) async for r in result], key=lambda h: (-h[1], h[0]))
    assert len(every) >= 3
    reader = GraphReader(api.driver, api.settings)
    for skip, limit in ((0, 1), (0, 3), (2, 5), (0, 100), (len(every) - 1, 4), (len(every), 2)):
        rows = await reader.rows(
            "read/api/search_papers", {"query": lucene, "skip": skip, "limit": limit}
        )
        assert [(r["paper"]["paperId"], r["score"]) for r in rows] == every[skip : skip + limit]
        # The resolver's bounded pass: its default window, the narrowest (ties at the
        # cut fill it: the exact statement answers) and one past every hit.
        for window in (None, skip + limit, len(every) + skip + limit):
            rows = await search_page(reader, lucene, skip, limit, window=window)
            got = [(r["paper"]["paperId"], r["score"]) for r in rows]
            assert got == every[skip : skip + limit], (skip, limit, window)


@pytest.mark.parametrize(
    "text",
    [
        "title:(x) OR *",
        '"unbalanced quote',
        "law \\",
        "scaling AND NOT law",
        "a:b~2 [x TO y] {z} ^3 && || ! ?*",
        "law)",
    ],
)
async def test_search_treats_lucene_syntax_as_plain_words(api: Api, text: str) -> None:
    body = await api.post(
        "query($q: String!) { search(query: $q, first: 5) { totalCount nodes { title } } }",
        {"q": text},
    )
    assert not body.get("errors"), body
    # The words alone, as a plain query, give the same answer: the syntax changed nothing.
    words = " ".join("".join(c if c.isalnum() else " " for c in text).split())
    plain = await api.data(
        "query($q: String!) { search(query: $q, first: 5) { totalCount nodes { title } } }",
        {"q": words},
    )
    assert body["data"] == plain


async def test_search_without_words_is_a_clear_error(api: Api) -> None:
    messages = await api.errors('{ search(query: "*:* ()") { totalCount } }')
    assert any("at least one word" in m for m in messages)


# --- authors, orgs, topics, venues, stats ------------------------------------------


async def test_author_lookup_and_papers(api: Api) -> None:
    data = await api.data(
        f"""{{ author(id: "{author_id(4)}") {{
              name hIndex orgs {{ name }}
              papers(first: 100) {{ totalCount nodes {{ paperId }} }} }} }}"""
    )
    mine = [p.index for p in PAPERS if 4 in p.authors]
    got = data["author"]
    assert got["name"] == author_name(4) and got["hIndex"] == 4
    assert got["orgs"] == [{"name": affiliation(4)}]
    assert got["papers"]["totalCount"] == len(mine)
    assert [n["paperId"] for n in got["papers"]["nodes"]] == [
        PAPERS[j].paper_id for j in most_cited_order(mine)
    ]


async def test_authors_ordered_and_paged(api: Api) -> None:
    data = await api.data(
        "{ a: authors(first: 5) { totalCount nodes { authorId } pageInfo { endCursor } }"
        "  b: authors(first: 100, orderBy: {field: NAME}) { nodes { name } }"
        '  c: authors(where: {name: {contains: "author 1"}}) { totalCount } }'
    )
    assert data["a"]["totalCount"] == N_AUTHORS
    assert [n["authorId"] for n in data["a"]["nodes"]] == [
        author_id(a) for a in range(N_AUTHORS - 1, N_AUTHORS - 6, -1)
    ]
    names = [n["name"] for n in data["b"]["nodes"]]
    assert names == sorted(author_name(a) for a in range(N_AUTHORS))
    assert data["c"]["totalCount"] == 2  # "Synthetic Author 10" and "... 11"
    rest = await api.data(
        "query($c: String) { authors(first: 100, after: $c) { nodes { authorId } } }",
        {"c": data["a"]["pageInfo"]["endCursor"]},
    )
    assert len(rest["authors"]["nodes"]) == N_AUTHORS - 5


async def test_every_list_takes_field_and_direction(api: Api) -> None:
    # One ordering input everywhere: `{field, direction}`, direction optional.
    data = await api.data(
        "{ za: authors(first: 100, orderBy: {field: NAME, direction: DESC}) { nodes { name } }"
        "  few: authors(first: 100, orderBy: {field: H_INDEX, direction: ASC}) {"
        "    nodes { hIndex authorId } }"
        "  orgsUp: orgs(orderBy: {field: PAPER_COUNT, direction: ASC}) { nodes { paperCount } }"
        "  topicsZa: topics(first: 100, orderBy: {field: NAME, direction: DESC}) {"
        "    nodes { name } } }"
    )
    names = [n["name"] for n in data["za"]["nodes"]]
    assert names == sorted((author_name(a) for a in range(N_AUTHORS)), reverse=True)
    h = [(n["hIndex"], n["authorId"]) for n in data["few"]["nodes"]]
    assert [x for x, _ in h] == sorted(x for x, _ in h)
    counts = [n["paperCount"] for n in data["orgsUp"]["nodes"]]
    assert counts == sorted(counts)
    topics = [n["name"].lower() for n in data["topicsZa"]["nodes"]]
    assert topics == sorted(topics, reverse=True) and len(topics) > 1
    # A descending-name cursor resumes in the same order, and refuses another order.
    first = await api.data(
        "{ authors(first: 3, orderBy: {field: NAME, direction: DESC}) {"
        "  nodes { name } pageInfo { endCursor } } }"
    )
    rest = await api.data(
        "query($c: String) { authors(first: 100, after: $c,"
        " orderBy: {field: NAME, direction: DESC}) { nodes { name } } }",
        {"c": first["authors"]["pageInfo"]["endCursor"]},
    )
    paged = [n["name"] for n in first["authors"]["nodes"]] + [
        n["name"] for n in rest["authors"]["nodes"]
    ]
    assert paged == names
    wrong = await api.errors(
        "query($c: String) { authors(after: $c, orderBy: {field: NAME}) { totalCount } }",
        {"c": first["authors"]["pageInfo"]["endCursor"]},
    )
    assert "another ordering" in wrong[0]


async def test_org_and_orgs(api: Api) -> None:
    data = await api.data(
        """{ org(name: "ai  AT meta") { key name handle paperCount
               papers(first: 100) { totalCount }
               authors(first: 100) { totalCount nodes { authorId } } }
             orgs { totalCount nodes { name paperCount } }
             byName: orgs(orderBy: {field: NAME}) { nodes { name } } }"""
    )
    meta_authors = [a for a in range(N_AUTHORS) if affiliation(a) == META]
    meta_papers = [
        p.index for p in PAPERS if submitted_by(p) or any(a in meta_authors for a in p.authors)
    ]
    org = data["org"]
    assert (org["key"], org["name"], org["handle"]) == ("ai at meta", META, "facebook")
    assert org["paperCount"] == org["papers"]["totalCount"] == len(meta_papers)
    assert org["authors"]["totalCount"] == len(meta_authors)
    assert data["orgs"]["totalCount"] == 2
    counts = [n["paperCount"] for n in data["orgs"]["nodes"]]
    assert counts == sorted(counts, reverse=True)
    assert [n["name"] for n in data["byName"]["nodes"]] == [META, LAB]


async def test_topic_and_topics_and_venue(api: Api) -> None:
    data = await api.data(
        """{ topic(name: "Scaling Laws") { name source paperCount papers { nodes { title } } }
             topics(first: 2) { totalCount nodes { name paperCount } }
             fos: topics(where: {source: "s2-fos"}) { totalCount }
             venue(name: "NeurIPS") { name paperCount papers(first: 1) { totalCount } } }"""
    )
    assert data["topic"]["paperCount"] == len(SCALING_TITLES)
    assert {n["title"] for n in data["topic"]["papers"]["nodes"]} == set(SCALING_TITLES.values())
    assert data["topics"]["totalCount"] == 3
    assert data["topics"]["nodes"][0] == {"name": "Computer Science", "paperCount": N_PAPERS}
    assert data["fos"]["totalCount"] == 1
    neurips = sum(1 for p in PAPERS if p.venue == "NeurIPS")
    assert data["venue"]["paperCount"] == data["venue"]["papers"]["totalCount"] == neurips


async def test_topic_needs_exactly_one_of_name_or_id(api: Api) -> None:
    messages = await api.errors("{ topic { name } }")
    assert any("exactly one of" in m for m in messages)


async def test_stats_counts_and_last_load(api: Api) -> None:
    data = await api.data(
        "{ stats { papers authors orgs topics venues cites authored affiliatedWith submitted "
        "hasTopic publishedIn lastLoad { at source status counts { name value } } } }"
    )
    s = data["stats"]
    assert s["papers"] == N_PAPERS and s["authors"] == N_AUTHORS and s["orgs"] == 2
    assert s["topics"] == 3 and s["venues"] == 2
    assert s["cites"] == sum(len(p.references) for p in PAPERS)
    assert s["authored"] == 3 * N_PAPERS
    assert s["affiliatedWith"] == N_AUTHORS
    assert s["submitted"] == sum(1 for p in PAPERS if submitted_by(p))
    assert s["hasTopic"] == sum(len(topics_of(p)) for p in PAPERS)
    assert s["publishedIn"] == N_PAPERS
    assert s["lastLoad"]["source"] == "synthetic:api-tests"
    assert s["lastLoad"]["at"].endswith("+00:00")  # a DateTime, in UTC
    counts = {m["name"]: m["value"] for m in s["lastLoad"]["counts"]}
    assert counts["papersRows"] == N_PAPERS
