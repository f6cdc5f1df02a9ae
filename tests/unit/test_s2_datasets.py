"""The S2 Datasets reader: file discovery, checks with file:line errors, conversion, chunks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from loaders import s2_datasets
from loaders.s2_datasets import DatasetError, find_files, iter_chunks, validate
from loaders.synth import SynthConfig, generate

SHA_A = "a" * 40
SHA_B = "b" * 40


def write_jsonl(path: Path, records: list[Any], *, gz: bool = False) -> Path:
    text = "".join(
        (r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records
    )  # raw strings let a test plant a malformed line
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def paper(corpus_id: int, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "corpusid": corpus_id,
        "externalids": {
            "ArXiv": None,
            "DOI": "10.1/X" + str(corpus_id),
            "CorpusId": str(corpus_id),
        },
        "url": None,
        "title": f"Paper {corpus_id}",
        "authors": [{"authorId": "7", "name": "Ann Author"}, {"authorId": None, "name": "Anon"}],
        "venue": "Some Venue",
        "publicationvenueid": None,
        "year": 2020,
        "referencecount": 1,
        "citationcount": 2,
        "influentialcitationcount": 0,
        "isopenaccess": False,
        "s2fieldsofstudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
        "publicationtypes": None,
        "publicationdate": "2020-05-01",
        "journal": {"name": "Some Venue"},
    }
    record.update(extra)
    return record


@pytest.fixture
def datasets_dir(tmp_path: Path) -> Path:
    write_jsonl(
        tmp_path / "papers-0.jsonl",
        [
            paper(1, url=f"https://www.semanticscholar.org/paper/{SHA_A}"),
            paper(2, paperId=SHA_B),
            paper(3),
        ],
    )
    write_jsonl(tmp_path / "abstracts.jsonl", [{"corpusid": 3, "abstract": "About three."}])
    write_jsonl(
        tmp_path / "authors.jsonl.gz",
        [{"authorid": 7, "name": "Ann Author", "hindex": 3, "affiliations": ["Oxford"]}],
        gz=True,
    )
    write_jsonl(
        tmp_path / "citations.jsonl",
        [
            {"citingcorpusid": 2, "citedcorpusid": 1, "isinfluential": True,
             "intents": [["methodology"], ["background", "methodology"]]},
            {"citingcorpusid": 3, "citedcorpusid": 2, "isinfluential": False, "intents": []},
            {"citingcorpusid": 3, "citedcorpusid": 999, "isinfluential": False},
            {"citingcorpusid": 3, "citedcorpusid": None},
            {"citingcorpusid": 3, "citedcorpusid": 3},
            "",
        ],
    )  # fmt: skip
    (tmp_path / "README.txt").write_text("not a dataset file")
    return tmp_path


def test_find_files_by_dataset_and_subdirectory(datasets_dir: Path) -> None:
    sub = datasets_dir / "citations"
    sub.mkdir()
    write_jsonl(sub / "part-1.jsonl", [])
    files = find_files(datasets_dir)
    assert [p.name for p in files.papers] == ["papers-0.jsonl"]
    assert [p.name for p in files.authors] == ["authors.jsonl.gz"]
    assert sorted(p.name for p in files.citations) == ["citations.jsonl", "part-1.jsonl"]
    assert [k for k, _ in files.by_kind()] == [
        "papers", "abstracts", "authors", "citations", "citations"
    ]  # fmt: skip


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no papers"):
        find_files(tmp_path)
    with pytest.raises(DatasetError, match="not a directory"):
        find_files(tmp_path / "missing")


def test_paper_ids_sha_when_known_else_corpus_id(datasets_dir: Path) -> None:
    validation = validate(find_files(datasets_dir))
    assert validation.paper_ids == {1: SHA_A, 2: SHA_B, 3: "CorpusId:3"}
    assert validation.records == {
        "papers": 3,
        "abstracts": 1,
        "embeddings": 0,
        "authors": 1,
        "citations": 5,
        "openalex_works": 0,
    }
    assert validation.paper_id(999) == "CorpusId:999"


def test_chunks_convert_through_the_row_builders(datasets_dir: Path) -> None:
    validation = validate(find_files(datasets_dir))
    chunks = list(iter_chunks(validation, paper_chunk=2, citation_chunk=10))
    assert [(c.kind, c.records) for c in chunks] == [
        ("papers", 2), ("papers", 1), ("abstracts", 1), ("authors", 1), ("citations", 5)
    ]  # fmt: skip
    papers = [r for c in chunks[:2] for r in c.rows.papers]
    assert [p["paperId"] for p in papers] == [SHA_A, SHA_B, "CorpusId:3"]
    assert papers[0]["doi"] == "10.1/x1" and papers[0]["corpusId"] == 1
    assert papers[0]["venue"] == "Some Venue"
    authored = chunks[0].rows.authored
    assert [(a["authorId"], a["position"]) for a in authored] == [("7", 0), ("7", 0)]
    assert chunks[0].rows.topics[0]["name"] == "Computer Science"
    (abstract,) = chunks[2].rows.papers
    assert abstract["paperId"] == "CorpusId:3" and abstract["abstract"] == "About three."
    assert abstract["title"] is None  # a patch: the writer's coalesce keeps the title
    authors = chunks[3].rows
    assert authors.authors[0]["authorId"] == "7" and authors.authors[0]["hIndex"] == 3
    assert authors.affiliated == [{"authorId": "7", "orgKey": "oxford"}]
    cites = chunks[4].rows.cites
    assert [(c["citing"], c["cited"]) for c in cites] == [
        (SHA_B, SHA_A), ("CorpusId:3", SHA_B), ("CorpusId:3", "CorpusId:999")
    ]  # fmt: skip
    assert cites[0]["intents"] == ["methodology", "background"]
    assert cites[0]["isInfluential"] is True and cites[0]["source"] == "s2-datasets"
    assert chunks[4].skipped == 2  # null cited, self-citation
    # The unknown corpus id becomes a stub that knows its corpus id.
    assert {"paperId": "CorpusId:999", "corpusId": 999}.items() <= chunks[4].rows.papers[0].items()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"title": "no id"}', "missing 'corpusid'"),
        ('{"corpusid": "abc"}', "'corpusid' must be an integer"),
        ('{"corpusid": 5, "authors": "Ann"}', "'authors' must be a list"),
        ('{"corpusid": 5, "year": "soon"}', "'year' must be an integer"),
        ('{"corpusid": 5, "externalids": []}', "'externalids' must be dict"),
    ],
)
def test_malformed_paper_line_names_file_and_line(tmp_path: Path, line: str, reason: str) -> None:
    path = write_jsonl(tmp_path / "papers.jsonl", [paper(1), "", line, paper(2)])
    with pytest.raises(DatasetError) as info:
        validate(find_files(tmp_path))
    assert str(info.value).startswith(f"{path}:3: ")
    assert reason in str(info.value)
    assert info.value.line == 3


def test_malformed_citation_and_author_lines(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "papers.jsonl", [paper(1)])
    write_jsonl(tmp_path / "authors.jsonl", [{"name": "nobody"}])
    with pytest.raises(DatasetError, match=r"authors\.jsonl:1: missing 'authorid'"):
        validate(find_files(tmp_path))
    (tmp_path / "authors.jsonl").unlink()
    write_jsonl(
        tmp_path / "citations.jsonl",
        [{"citingcorpusid": 1, "citedcorpusid": 2}, {"citedcorpusid": 2}],
    )
    with pytest.raises(DatasetError, match=r"citations\.jsonl:2: missing 'citingcorpusid'"):
        validate(find_files(tmp_path))


def test_corrupt_gzip_is_reported(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "x.gz", [paper(i) for i in range(200)], gz=True).read_bytes()
    (tmp_path / "x.gz").unlink()
    (tmp_path / "papers.jsonl.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(DatasetError, match=r"papers\.jsonl\.gz:\d+: corrupt gzip"):
        validate(find_files(tmp_path))


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    (tmp_path / "papers.jsonl").write_bytes(b'{"corpusid": 1}\n{"corpusid": 2, "title": "\xff"}\n')
    with pytest.raises(DatasetError, match=r"papers\.jsonl:\d+: not UTF-8"):
        validate(find_files(tmp_path))


def test_synthetic_corpus_round_trips_through_the_reader(tmp_path: Path) -> None:
    result = generate(SynthConfig(papers=300, seed=2), tmp_path)
    validation = validate(find_files(tmp_path))
    assert validation.records["papers"] == 300
    assert validation.records["citations"] == result.citations
    assert validation.records["authors"] == result.authors
    cites = [c for chunk in iter_chunks(validation) for c in chunk.rows.cites]
    assert len(cites) == result.citations
    assert {c["source"] for c in cites} == {"synthetic"}
    known = set(validation.paper_ids.values())
    assert all(c["citing"] in known and c["cited"] in known for c in cites)
    papers = [p for chunk in iter_chunks(validation) for p in chunk.rows.papers]
    assert all(p["synthetic"] is True for p in papers)


def test_paper_to_api_drops_null_external_ids() -> None:
    api = s2_datasets.paper_to_api(paper(4), "CorpusId:4")
    assert api["externalIds"] == {"DOI": "10.1/X4", "CorpusId": 4}
    assert api["authors"][1] == {"authorId": None, "name": "Anon"}
