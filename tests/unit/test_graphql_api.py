"""The GraphQL API without services: schema drift, ids, cursors, search text, limits, cookbook."""

from __future__ import annotations

import re

import pytest
from graphql import parse, validate

import cypher
from graph_api.server import playground
from graph_api.service.admission import measure_operation
from graph_api.service.connections import DEFAULT_AUTHORS
from graph_api.service.cursors import decode_keyset, decode_offset, keyset_cursor, offset_cursor
from graph_api.service.errors import BadUserInput, LimitExceeded
from graph_api.service.inputs import IntFilter, NameFilter, PaperWhere, paper_filter_params
from graph_api.service.paper_ids import InvalidPaperId, PaperKey, global_id, parse_paper_id
from graph_api.service.schema import SDL_PATH, build_schema, sdl
from graph_api.service.search_query import lucene_query, search_words, variants
from graph_api.settings import Settings
from tests.cookbook import cookbook_examples

SCHEMA = build_schema(Settings())
S2_ID = "649def34f8be52c8b66281af98ae884c09aef38b"


def test_schema_graphql_matches_the_code() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == sdl(), (
        "schema.graphql drifted from the code: run `citekb schema export`"
    )


def test_schema_has_the_relay_and_root_surface() -> None:
    # Read the signatures from the schema itself: the SDL spreads described
    # arguments over several lines.
    schema = build_schema(Settings())._schema
    assert "Node" in schema.type_map
    assert {i.name for i in schema.type_map["Paper"].interfaces} == {"Node"}  # type: ignore[union-attr]
    assert {i.name for i in schema.type_map["Author"].interfaces} == {"Node"}  # type: ignore[union-attr]
    root = schema.query_type
    assert root is not None

    def signature(field: str) -> tuple[str, dict[str, str]]:
        f = root.fields[field]
        return str(f.type), {name: str(arg.type) for name, arg in f.args.items()}

    assert signature("node") == ("Node", {"id": "ID!"})
    assert signature("paper") == ("Paper", {"id": "ID!"})
    assert signature("papers") == (
        "PaperConnection!",
        {"where": "PaperWhere", "orderBy": "PaperOrder", "first": "Int!", "after": "String"},
    )
    assert signature("search")[1]["query"] == "String!"
    assert str(root.fields["stats"].type) == "Stats!"
    text = sdl()
    for piece in ("totalCount: Int!", "pageInfo: PageInfo!"):
        assert piece in text, piece


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("649DEF34F8BE52C8B66281AF98AE884C09AEF38B", PaperKey("paper", S2_ID)),
        ("arXiv:2512.17351", PaperKey("arxiv", "2512.17351")),
        (" ARXIV:2512.17351v12 ", PaperKey("arxiv", "2512.17351")),
        ("2512.17351v2", PaperKey("arxiv", "2512.17351")),
        ("DOI:10.1093/MIND/LIX.236.433", PaperKey("doi", "10.1093/mind/lix.236.433")),
        ("https://doi.org/10.1093/mind/lix.236.433", PaperKey("doi", "10.1093/mind/lix.236.433")),
        ("CorpusId:215416146", PaperKey("corpus", 215416146)),
        ("title:0123456789abcdef01234567", PaperKey("paper", "title:0123456789abcdef01234567")),
        (global_id("Paper", "abc"), PaperKey("paper", "abc")),
    ],
)  # fmt: skip
def test_paper_id_forms(text: str, key: PaperKey) -> None:
    assert parse_paper_id(text) == key


@pytest.mark.parametrize(
    "text", ["", "   ", "Attention is all you need", "arXiv:1", "CorpusId:x", "PMID:1", "x" * 5000]
)
def test_invalid_paper_ids(text: str) -> None:
    with pytest.raises(InvalidPaperId):
        parse_paper_id(text)


def test_a_global_id_of_another_type_is_not_a_paper_id() -> None:
    with pytest.raises(InvalidPaperId, match="global id of a Author"):
        parse_paper_id(global_id("Author", "1"))


def test_cursors_round_trip_and_reject_tampering() -> None:
    for key in (0, -1, 12.5, "a title", 10**15):
        assert decode_keyset(keyset_cursor("X", key, "id1"), "X").key == key
    assert decode_offset(offset_cursor("R", 40), "R") == 40
    for bad in ("", "%%%", "e30=", offset_cursor("X", 3), "a" * 5000):
        with pytest.raises(BadUserInput):
            decode_keyset(bad, "X")
    with pytest.raises(BadUserInput):
        decode_offset(keyset_cursor("R", 1, "i"), "R")


@pytest.mark.parametrize(
    "text",
    [
        "title:(x) OR *",
        '"unbalanced',
        "\\",
        "a && b || !c",
        "field:value~2^10 [a TO b] {c TO d} /regex/ ? *",
        "NOT AND OR",
    ],
)
def test_search_text_never_becomes_lucene_syntax(text: str) -> None:
    words = search_words(text)
    assert all(w.isalnum() and w == w.lower() for w in words)
    if not words:
        with pytest.raises(BadUserInput):
            lucene_query(text)
        return
    query = lucene_query(text)
    # Only the fixed structure adds syntax: strip it and only the words remain.
    skeleton = set(re.sub(r'title:|"|\^\d|\(|\)|\+', " ", query).split())
    assert skeleton == {v for w in words for v in variants(w)}


def test_search_text_is_bounded() -> None:
    assert len(search_words(" ".join(f"w{i}" for i in range(200)))) == 32
    with pytest.raises(BadUserInput):
        search_words("x" * 5000)


def test_filters_normalise_names_and_merge_bounds() -> None:
    params = paper_filter_params(
        PaperWhere(
            year=IntFilter(gt=2019, lt=2024, gte=2018),
            venue=NameFilter(eq="NeurIPS", in_=["arXiv.org"]),
        )
    )
    assert (params["yearGte"], params["yearLte"]) == (2020, 2023)
    assert params["venues"] == ["neurips", "arxiv org"]
    assert params["venueNames"] == ["neurips", "arxiv.org"]
    assert params["topics"] is None and params["isSeed"] is None


def _filter_block(name: str) -> str:
    text = cypher.statement(name)
    return text[text.index("// filter:begin") : text.index("// filter:end")]


def test_paper_filter_block_is_identical_in_its_three_statements() -> None:
    blocks = {
        _filter_block(f"read/api/{n}")
        for n in ("papers_page_desc", "papers_page_asc", "papers_count")
    }
    assert len(blocks) == 1


def test_paper_filter_params_are_exactly_the_statements_params() -> None:
    declared = set(cypher.header("read/api/papers_count").params)
    assert set(paper_filter_params(None)) == declared


def _rows(query: str, variables: dict[str, object] | None = None) -> int:
    return measure_operation(SCHEMA._schema, parse(query), None, variables or {}, 100).rows


def test_row_estimate_multiplies_down_paths_and_sums() -> None:
    query = """{ papers(first: 20) { nodes { references(first: 10) {
        nodes { authors { name } } } } } }"""
    assert _rows(query) == 20 + 20 * 10 + 20 * 10 * DEFAULT_AUTHORS
    assert _rows("query($n: Int!) { papers(first: $n) { nodes { title } } }", {"n": 7}) == 7
    assert _rows("query($n: Int = 9) { papers(first: $n) { nodes { title } } }") == 9
    fragment = (
        "{ ...F } fragment F on Query "
        '{ a: papers(first: 3) { totalCount } b: search(query: "x") { totalCount } }'
    )
    assert _rows(fragment) == 3 + 20


def test_row_estimate_refuses_out_of_range_first() -> None:
    with pytest.raises(LimitExceeded):
        _rows("{ papers(first: 100000) { totalCount } }")
    with pytest.raises(LimitExceeded):
        _rows(
            "query($n: Int!) { papers { nodes { references(first: $n) { totalCount } } } }",
            {"n": -5},
        )


@pytest.mark.parametrize(("name", "query"), cookbook_examples())
def test_cookbook_examples_are_valid_against_the_schema(name: str, query: str) -> None:
    errors = validate(SCHEMA._schema, parse(query))
    assert not errors, (name, errors)


def test_playground_page_uses_only_local_assets(tmp_path: object) -> None:
    settings = Settings()
    page = playground.page(settings, ready=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls and all(u.startswith(playground.ASSET_ROUTE + "/") for u in urls)
    assert {u.rsplit("/", 1)[1] for u in urls} == set(playground.BY_NAME)
    assert all(a.integrity.startswith("sha384-") for a in playground.ASSETS)
    missing = playground.page(settings, ready=False)
    assert "citekb playground install" in missing and "<script" not in missing
