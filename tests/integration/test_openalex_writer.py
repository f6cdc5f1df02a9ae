"""OpenAlex rows through the writer into a real Neo4j: orgs, lineage, per-paper affiliations."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph_api.settings import Settings
from loaders.bulk_load import load_datasets_dir
from loaders.graph_writer import graph_dump, write_rows
from loaders.openalex_rows import LoadedPaper, rows_from_openalex_works
from loaders.rows import GraphRows
from loaders.synth import SynthConfig, generate
from tests.fakes.fake_openalex import recorded_works

DOI = "10.7717/peerj.4375"
AUTHORS = (("s2-a", "Heather Piwowar"), ("s2-b", "Jason Priem"), ("s2-c", "Juan Pablo Alperin"))


def s2_rows(paper_id: str = "s2-peerj", doi: str = DOI) -> GraphRows:
    rows = GraphRows()
    rows.papers.append({"paperId": paper_id, "doi": doi, "title": "The state of OA", "year": 2018})
    for position, (author_id, name) in enumerate(AUTHORS):
        rows.authors.append({"authorId": author_id, "name": name})
        rows.authored.append({"authorId": author_id, "paperId": paper_id, "position": position})
    return rows


def query(driver: Driver, db: str, text: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(text, params, database_=db)
    return [r.data() for r in records]


def test_docs_example_written_twice_is_one_graph(driver: Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.neo4j_database
    write_rows(driver, s2_rows(), database=db)
    out = rows_from_openalex_works(
        [LoadedPaper("s2-peerj", DOI, 2018, AUTHORS)], {DOI: recorded_works()[0]}
    )
    write_rows(driver, out.rows, database=db)
    first = graph_dump(driver, database=db)
    write_rows(driver, out.rows, database=db)
    assert graph_dump(driver, database=db) == first

    orgs = query(
        driver,
        db,
        "MATCH (o:Org) RETURN o.key AS key, o.ror AS ror, o.country AS country, o.type AS type,"
        " o.aliases AS aliases ORDER BY key",
    )
    assert [o["key"] for o in orgs] == ["openalex:I4210090411", "ror:0213rcc28", "ror:02nr0ka47"]
    ours = orgs[2]
    assert ours["ror"] == "https://ror.org/02nr0ka47" and ours["country"] == "US"
    assert len(ours["aliases"]) == 3  # display name + two raw spellings, one Org
    part_of = query(
        driver, db, "MATCH (c:Org)-[:PART_OF]->(p:Org) RETURN c.key AS child, p.key AS parent"
    )
    assert part_of == [{"child": "openalex:I4210090411", "parent": "ror:0213rcc28"}]
    aff = query(
        driver,
        db,
        "MATCH (a:Author)-[r:AFFILIATED_WITH]->(o:Org) RETURN a.authorId AS a, o.key AS o,"
        " r.paperId AS paperId, r.year AS year ORDER BY a, o",
    )
    assert {(r["a"], r["paperId"], r["year"]) for r in aff} == {
        ("s2-a", "s2-peerj", 2018),
        ("s2-b", "s2-peerj", 2018),
        ("s2-c", "s2-peerj", 2018),
    }
    assert len(aff) == 4
    orcid = query(driver, db, "MATCH (a:Author {authorId: 's2-c'}) RETURN a.orcid AS o")
    assert orcid == [{"o": "0000-0002-9344-7439"}]
    chain = query(
        driver,
        db,
        "MATCH path = (t:Topic {key: 'scientometrics and bibliometrics research'})"
        "-[:SUBTOPIC_OF*]->(d:Topic) WHERE NOT (d)-[:SUBTOPIC_OF]->()"
        " RETURN [n IN nodes(path) | n.level] AS levels",
    )
    assert chain == [{"levels": ["topic", "subfield", "field", "domain"]}]


def test_a_lineage_stub_is_absorbed_when_its_ror_record_arrives(
    driver: Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.neo4j_database
    work = recorded_works()[0]
    # Paper 1 knows the lab only: its parent (SFU) is a stub keyed by OpenAlex id.
    lab_only = copy.deepcopy(work)
    alperin = lab_only["authorships"][2]
    alperin["institutions"] = alperin["institutions"][1:]
    lab_only["authorships"] = [alperin]
    write_rows(driver, s2_rows("s2-one", "10.1/one"), database=db)
    one = rows_from_openalex_works(
        [LoadedPaper("s2-one", "10.1/one", 2018, (AUTHORS[2],))], {"10.1/one": lab_only}
    )
    write_rows(driver, one.rows, database=db)
    stub = query(driver, db, "MATCH (o:Org {key: 'openalex:I18014758'}) RETURN o.name AS name")
    assert stub == [{"name": None}]
    # Paper 2 names SFU with its ROR id: the stub is absorbed, the lineage kept.
    write_rows(driver, s2_rows(), database=db)
    two = rows_from_openalex_works([LoadedPaper("s2-peerj", DOI, 2018, AUTHORS)], {DOI: work})
    write_rows(driver, two.rows, database=db)
    sfu = query(
        driver,
        db,
        "MATCH (o:Org {openalexId: 'I18014758'}) RETURN o.key AS key, o.name AS name,"
        " COUNT { (:Org)-[:PART_OF]->(o) } AS children",
    )
    assert sfu == [{"key": "ror:0213rcc28", "name": "Simon Fraser University", "children": 1}]


def test_bulk_path_reads_an_openalex_works_slice_from_synth(
    driver: Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.neo4j_database
    generate(SynthConfig(papers=300, seed=2, openalex=True), tmp_path / "corpus")
    summary = load_datasets_dir(driver, tmp_path / "corpus", db)
    assert summary.records["openalex_works"] == 300
    first = graph_dump(driver, database=db)
    counts = query(
        driver,
        db,
        "MATCH (:Author)-[r:AFFILIATED_WITH]->(o:Org)"
        " RETURN count(r) AS all, count(r.paperId) AS perPaper, count(r.year) AS withYear,"
        " count(DISTINCT o) AS orgs,"
        " count(DISTINCT CASE WHEN o.ror IS NOT NULL THEN o END) AS rors",
    )[0]
    assert counts["all"] == counts["perPaper"] == counts["withYear"] > 300
    assert counts["rors"] > 0 and counts["orgs"] > counts["rors"]
    part_of = query(driver, db, "MATCH (:Org)-[r:PART_OF]->(:Org) RETURN count(r) AS n")[0]["n"]
    assert part_of > 0
    # An author's affiliation differs between papers: it belongs to the paper.
    moved = query(
        driver,
        db,
        "MATCH (a:Author)-[:AFFILIATED_WITH]->(o:Org) WITH a, count(DISTINCT o) AS n"
        " WHERE n > 1 RETURN count(a) AS n",
    )[0]["n"]
    assert moved > 0
    # Loading the directory again changes nothing.
    load_datasets_dir(driver, tmp_path / "corpus", db)
    assert graph_dump(driver, database=db) == first
