"""The graph writer against a real Neo4j: idempotence, placeholders, null safety, meta."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph_api.settings import Settings
from loaders import graph_writer
from loaders.graph_writer import graph_counts, graph_dump, write_rows
from loaders.rows import (
    GraphRows,
    PaperRef,
    cites_rows,
    placeholder_paper_id,
    rows_from_ref,
    rows_from_s2_authors,
    rows_from_s2_edge,
    rows_from_s2_paper,
)

SAMPLES = Path(__file__).resolve().parents[1] / "fakes" / "s2_recorded"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def real_rows(enriched_at: str) -> GraphRows:
    """A small real graph: three seeds, their authors, two reference pages' worth of edges."""
    rows = GraphRows()
    for paper in sample("paper_batch__POST_paper_batch_with_null.json"):
        if paper:
            rows.extend(
                rows_from_s2_paper(
                    paper, is_seed=True, enriched_at=enriched_at, keyphrases=[("placebo laws", 0.7)]
                )
            )
    seed = rows.papers[0]["paperId"]
    for item in sample("paper_references__GET_paper_id_references_rich_fields.json")["data"]:
        rows.extend(rows_from_s2_edge(item, paper_id=seed, direction="references"))
    rows.extend(
        rows_from_s2_edge(
            sample("paper_citations__data_item_fixture.json"), paper_id=seed, direction="citations"
        )
    )
    rows.extend(rows_from_s2_authors(sample("paper_authors__GET_paper_id_authors.json")["data"]))
    rows.extend(
        rows_from_ref(
            PaperRef(
                title="A seed S2 never heard of",
                upvotes=3,
                organization="AI at Meta",
                organization_handle="facebook",
            )
        )
    )
    return rows


def meta(driver: Driver, db: str, key: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query(
        "MATCH (m:Meta {key: $key}) RETURN properties(m) AS p", key=key, database_=db
    )
    return dict(records[0]["p"]) if records else {}


def paper(driver: Driver, db: str, paper_id: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query(
        "MATCH (p:Paper {paperId: $id}) RETURN properties(p) AS p", id=paper_id, database_=db
    )
    assert len(records) == 1, paper_id
    return dict(records[0]["p"])


def test_writing_twice_changes_nothing(driver: Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.neo4j_database
    first = write_rows(
        driver, real_rows("2026-01-01T00:00:00+00:00"), database=db, batch_size=3, source="t"
    )
    assert first.nodes_created > 0 and first.relationships_created > 0
    assert first.transactions > 9  # batch_size=3 really batches
    dump, counts = graph_dump(driver, database=db), graph_counts(driver, database=db)
    assert counts["papers"] >= 9 and counts["cites"] == 5 and counts["submitted"] == 1
    version = meta(driver, db, "graph")["version"]

    second = write_rows(driver, real_rows("2026-02-02T00:00:00+00:00"), database=db, source="t")
    assert second.nodes_created == 0
    assert second.relationships_created == 0
    assert second.nodes_deleted == 0 and second.relationships_deleted == 0
    assert graph_counts(driver, database=db) == counts
    # Only enrichedAt/loadedAt differ, and graph_dump leaves them out.
    assert graph_dump(driver, database=db) == dump
    seed = real_rows("x").papers[0]["paperId"]
    assert paper(driver, db, seed)["enrichedAt"] == "2026-02-02T00:00:00+00:00"
    # Every write bumps the graph version and records the load.
    assert meta(driver, db, "graph")["version"] == version + 1
    load = meta(driver, db, "load")
    assert load["source"] == "t" and load["status"] == "ok"
    assert load["papersRows"] == second.by_kind["papers"].rows
    node_rows = sum(second.by_kind[k].rows for k in ("papers", "authors", "orgs"))
    assert second.nodes_matched == node_rows


def test_placeholder_merges_into_the_resolved_paper(
    driver: Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.neo4j_database
    s2 = sample("paper_batch__POST_paper_batch_with_null.json")[1]
    ref = PaperRef(
        title="How much should we trust differences-in-differences estimates",  # no "?"
        abstract="The page's abstract.",
        upvotes=12,
        organization="NBER",
        date=datetime.date(2001, 10, 1),
    )
    placeholder = placeholder_paper_id(ref.title or "")
    rows = rows_from_ref(ref, keyphrases=[("serial correlation", 0.9)])
    # Someone cites the unresolved seed, and it cites someone: both edges must move.
    rows.cites.append(cites_rows("citer", placeholder, is_influential=True, intents=[], source="x"))
    rows.cites.append(
        cites_rows(placeholder, "older", is_influential=False, intents=[], source="x")
    )
    write_rows(driver, rows, database=db)
    assert paper(driver, db, placeholder)["isSeed"] is True

    counts = write_rows(driver, rows_from_s2_paper(s2, is_seed=False), database=db)
    assert counts.placeholders_merged == 1
    records, _, _ = driver.execute_query(
        "MATCH (p:Paper) WHERE p.titleKey = $k RETURN p.paperId AS id",
        k="how much should we trust differences in differences estimates",
        database_=db,
    )
    assert [r["id"] for r in records] == [s2["paperId"]]  # no duplicate left
    merged = paper(driver, db, s2["paperId"])
    assert merged["isSeed"] is True  # the placeholder was a seed
    assert merged["hfUpvotes"] == 12
    assert merged["abstract"] == s2["abstract"]  # S2's own value wins
    assert merged["title"] == s2["title"]
    rels, _, _ = driver.execute_query(
        """MATCH (p:Paper {paperId: $id})
           CALL (p) { MATCH (p)-[r]-() RETURN collect(type(r)) AS types }
           RETURN types""",
        id=s2["paperId"],
        database_=db,
    )
    types = sorted(rels[0]["types"])
    assert types.count("CITES") == 2
    assert "SUBMITTED" in types and "HAS_TOPIC" in types and "AUTHORED" in types
    dump = graph_dump(driver, database=db)
    assert not [n for n in dump["nodes"] if str(n["key"]).startswith("title:")]
    cites = {
        (r["start"], r["end"]): r["props"] for r in dump["relationships"] if r["type"] == "CITES"
    }
    assert cites[("Paper/citer", f"Paper/{s2['paperId']}")]["isInfluential"] is True
    assert (f"Paper/{s2['paperId']}", "Paper/older") in cites


def test_placeholder_written_after_its_paper_is_absorbed(
    driver: Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.neo4j_database
    s2 = sample("paper_search_match__GET_paper_search_match_all_fields.json")["data"][0]
    write_rows(driver, rows_from_s2_paper(s2, is_seed=False), database=db)
    ref = PaperRef(title=s2["title"].upper(), upvotes=4, organization="SIGMOD fans")
    counts = write_rows(driver, rows_from_ref(ref), database=db)
    assert counts.placeholders_merged == 1
    assert graph_counts(driver, database=db)["papers"] == 1
    merged = paper(driver, db, s2["paperId"])
    assert merged["isSeed"] is True and merged["hfUpvotes"] == 4


def test_placeholder_with_a_conflicting_arxiv_id_stays(
    driver: Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.neo4j_database
    ref = PaperRef(title="Attention Is All You Need", arxiv_id="1706.03762")
    write_rows(driver, rows_from_ref(ref), database=db)
    other = {
        "paperId": "c" * 40,
        "title": "Attention is all you need",
        "externalIds": {"ArXiv": "2501.00001"},
    }
    counts = write_rows(driver, rows_from_s2_paper(other, is_seed=False), database=db)
    assert counts.placeholders_merged == 0
    assert graph_counts(driver, database=db)["papers"] == 2
    # The same arXiv id (and a different title) is the same paper.
    same = {"paperId": "d" * 40, "title": "Transformers", "externalIds": {"ArXiv": "1706.03762"}}
    counts = write_rows(driver, rows_from_s2_paper(same, is_seed=False), database=db)
    assert counts.placeholders_merged == 1
    assert paper(driver, db, "d" * 40)["isSeed"] is True


def test_null_never_overwrites_and_is_seed_never_goes_back(
    driver: Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.neo4j_database
    full = sample("paper_detail__GET_paper_id_all_fields.json")
    write_rows(driver, rows_from_s2_paper(full, is_seed=True), database=db)
    before = paper(driver, db, full["paperId"])
    # The same paper seen later as a depth-1 neighbour: basic metadata only.
    basic = {"paperId": full["paperId"], "title": full["title"], "abstract": None, "tldr": None}
    write_rows(driver, rows_from_s2_paper(basic, is_seed=False), database=db)
    after = paper(driver, db, full["paperId"])
    for key in ("abstract", "tldr", "doi", "year", "venue", "citationCount", "corpusId"):
        assert after[key] == before[key] is not None, key
    assert after["isSeed"] is True
    # Author stats from /author/batch survive a later paper row naming the author only.
    authors = [{"authorId": "2262347", "name": "A. Turing", "hIndex": None}]
    write_rows(driver, rows_from_s2_authors(authors), database=db)
    records, _, _ = driver.execute_query(
        "MATCH (a:Author {authorId: '2262347'}) RETURN a.hIndex AS h", database_=db
    )
    assert records[0]["h"] == 22
    # An edge seen again without intents keeps the intents it had.
    a, b = full["paperId"], "e" * 40
    write_rows(
        driver,
        GraphRows(cites=[cites_rows(a, b, is_influential=True, intents=["result"], source="s")]),
        database=db,
    )
    write_rows(
        driver,
        GraphRows(cites=[cites_rows(a, b, is_influential=None, intents=[], source="s")]),
        database=db,
    )
    records, _, _ = driver.execute_query(
        "MATCH (:Paper {paperId: $a})-[r:CITES]->(b:Paper {paperId: $b}) RETURN r, b",
        a=a,
        b=b,
        database_=db,
    )
    assert records[0]["r"]["intents"] == ["result"]
    assert records[0]["r"]["isInfluential"] is True
    assert records[0]["b"]["isSeed"] is False  # the stub endpoint


def test_duplicate_rows_in_one_call_fold_into_one(driver: Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.neo4j_database
    pid = "f" * 40
    rows = GraphRows()
    rows.extend(rows_from_s2_paper({"paperId": pid, "title": "T", "abstract": "A"}, is_seed=True))
    rows.extend(rows_from_s2_paper({"paperId": pid, "title": "T", "year": 2020}, is_seed=False))
    counts = write_rows(driver, rows, database=db, record_load=False)
    assert counts.by_kind["papers"].rows == 1 and counts.nodes_created == 1
    got = paper(driver, db, pid)
    assert (got["abstract"], got["year"], got["isSeed"]) == ("A", 2020, True)
    # record_load=False records no load and bumps no version; it marks the rows unrecorded.
    assert meta(driver, db, "load") == {}
    assert set(meta(driver, db, "graph")) == {"key", "dirty", "dirtySince"}


def test_a_load_dying_part_way_leaves_the_graph_marked_dirty(
    driver: Driver, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = neo4j_settings.neo4j_database
    write_rows(driver, real_rows("2026-01-01T00:00:00+00:00"), database=db, source="t")
    before = meta(driver, db, "graph")
    assert before["dirty"] is False

    real_batch = graph_writer._write_batch

    def dies_at_cites(tx: Any, stmt: Any, batch: Any, *rest: Any) -> Any:
        if "CITES" in str(stmt):
            raise RuntimeError("the machine died here")
        return real_batch(tx, stmt, batch, *rest)

    monkeypatch.setattr(graph_writer, "_write_batch", dies_at_cites)
    with pytest.raises(RuntimeError):
        write_rows(driver, real_rows("2026-03-03T00:00:00+00:00"), database=db, source="t")
    # Papers of the dead load are committed, the version is the old one, and
    # the graph says rows of an unrecorded load are in it.
    seed = real_rows("x").papers[0]["paperId"]
    assert paper(driver, db, seed)["enrichedAt"] == "2026-03-03T00:00:00+00:00"
    after = meta(driver, db, "graph")
    assert after["version"] == before["version"]
    assert after["dirty"] is True and isinstance(after["dirtySince"], str)

    monkeypatch.undo()
    write_rows(driver, real_rows("2026-04-04T00:00:00+00:00"), database=db, source="t")
    done = meta(driver, db, "graph")
    assert done["dirty"] is False and done["version"] == before["version"] + 1
