"""OpenAlex works -> rows: organisations per authorship, author ids, topic hierarchy.

Pure functions (no I/O) from OpenAlex work objects (the shape of ``/works``
results and of the works snapshot's JSON lines) to :class:`GraphRows`:

* **Organisations.** Every ``authorships[].institutions[]`` becomes an
  ``Org`` keyed ``ror:<id>`` by its ROR id, else ``openalex:<I…>`` by its
  OpenAlex id (:func:`org_key_of`), with ``name`` (OpenAlex's canonical
  display name), ``country`` (ISO code), ``type``, ``ror``, ``openalexId``
  and ``aliases`` (the raw affiliation strings OpenAlex matched to it, so two
  spellings of one institution are visibly one ``Org``). An ``Org`` an S2
  affiliation string made (keyed by normalised name, no handle) whose key is
  the normalised form of one of those spellings is absorbed into it by the
  writer (``nameKeys``). ``lineage`` (the
  institution and its parents, by OpenAlex id) becomes ``PART_OF`` to each
  parent; a parent seen nowhere else is a stub ``Org`` keyed by its OpenAlex
  id (the writer absorbs the stub when the parent later arrives under its
  ROR id).
* **Affiliations belong to a paper.** Each authorship gives
  ``(Author)-[:AFFILIATED_WITH {paperId, year}]->(Org)`` per institution.
* **Authors.** The OpenAlex author is matched to the S2 author of the same
  paper by position and normalised name (:func:`names_agree`: equal
  normalised names, or equal surnames with compatible initials); when the
  S2 author at that position disagrees, a unique agreeing S2 author at
  another position is taken (lists are sometimes reordered). A match puts
  ``openalexId`` and ``orcid`` on the S2 author. No match is a
  *disagreement*: it is reported, and the OpenAlex author is kept apart as
  its own ``Author`` keyed ``openalex:<A…>``. Papers whose S2 author list
  the load does not know (neighbours seen only in reference lists) get no
  authorship rows: that would duplicate S2 authors a later load brings.
* **Topics.** ``topics[]`` (``primary_topic`` first) become ``HAS_TOPIC``
  with OpenAlex's score to ``Topic`` nodes (source ``openalex``, level
  ``topic``), and the hierarchy topic -> subfield -> field -> domain becomes
  ``SUBTOPIC_OF``. Topic keys are normalised names like every topic's, so
  OpenAlex's field "Computer Science" and S2's field of study of that name
  are one node.
* **Keyphrases under OpenAlex topics.** :func:`keyphrase_links` files a
  keyphrase topic under the OpenAlex topic of its papers that shares a
  content word with it (``language model`` under "Natural Language
  Processing Techniques"), the one chosen on most papers.

>>> org_key_of({"id": "https://openalex.org/I63966007", "ror": "https://ror.org/042nb2s44"})
'ror:042nb2s44'
>>> org_key_of({"id": "https://openalex.org/I4210090411", "ror": None})
'openalex:I4210090411'
>>> names_agree("Jared Kaplan", "J. Kaplan"), names_agree("Jared Kaplan", "Sam McCandlish")
(True, False)
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from loaders.rows import GraphRows, Row, org_key, topic_key

TOPIC_SOURCE_OPENALEX: Final = "openalex"
# topic -> subfield -> field -> domain, most specific first.
TOPIC_LEVELS: Final = ("topic", "subfield", "field", "domain")
_OPENALEX_URL = re.compile(r"^https?://openalex\.org/", re.IGNORECASE)
_ROR_URL = re.compile(r"^https?://ror\.org/", re.IGNORECASE)
_ORCID_URL = re.compile(r"^https?://orcid\.org/", re.IGNORECASE)
_NAME_PUNCT = re.compile(r"[^\w\s]+")
# Words too common to say a keyphrase falls under a topic.
_LINK_STOPWORDS: Final = frozenset(
    {
        "and",
        "for",
        "the",
        "with",
        "from",
        "into",
        "based",
        "learning",
        "model",
        "method",
        "system",
        "technique",
        "application",
        "analysis",
        "study",
        "approach",
    }
)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


def _short(value: Any, pattern: re.Pattern[str]) -> str | None:
    text = _text(value)
    return pattern.sub("", text) if text else None


def openalex_id(value: Any) -> str | None:
    """``https://openalex.org/I63966007`` -> ``I63966007``.

    >>> openalex_id("https://openalex.org/subfields/1702")
    'subfields/1702'
    """
    return _short(value, _OPENALEX_URL)


def orcid_id(value: Any) -> str | None:
    """``https://orcid.org/0000-0002-9344-7439`` -> ``0000-0002-9344-7439``."""
    return _short(value, _ORCID_URL)


def org_key_of(
    institution: Mapping[str, Any], ror_of: Mapping[str, str] | None = None
) -> str | None:
    """``ror:<id>`` when the institution (or ``ror_of`` for its OpenAlex id) has a ROR id."""
    oa = openalex_id(institution.get("id"))
    ror = _short(institution.get("ror"), _ROR_URL) or (ror_of or {}).get(oa or "")
    if ror:
        return f"ror:{ror.lower()}"
    return f"openalex:{oa}" if oa else None


def normalise_person(name: str) -> list[str]:
    """Name tokens: accents and punctuation dropped, case folded.

    >>> normalise_person("Étienne  D'Arcy-Smith")
    ['etienne', 'darcy', 'smith']
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("-", " ").replace("'", "").replace("\u2019", "")
    return _NAME_PUNCT.sub(" ", text).split()


def names_agree(a: str | None, b: str | None) -> bool:
    """Same person's name as two sources spell it: equal tokens, or same surname and initials.

    >>> names_agree("Tom B. Brown", "Tom Brown"), names_agree("T. Brown", "Tom Brown")
    (True, True)
    >>> names_agree("Tom Brown", "Tim Brown")
    False
    """
    if not a or not b:
        return False
    ta, tb = normalise_person(a), normalise_person(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    if ta[-1] != tb[-1]:
        return False
    # Given names: each pair agrees when equal, or when one is an initial of the other.
    ga, gb = ta[:-1], tb[:-1]
    if not ga or not gb:
        return True
    if ga[0][0] != gb[0][0]:
        return False
    first_a, first_b = ga[0], gb[0]
    return len(first_a) == 1 or len(first_b) == 1 or first_a == first_b


@dataclass(frozen=True)
class LoadedPaper:
    """What a load knows of one of its papers, to join an OpenAlex work to it.

    ``authors`` are the S2 authors ``(authorId, name)`` in order, ``None``
    when the load did not read the paper's author list.
    """

    paper_id: str
    doi: str
    year: int | None = None
    authors: tuple[tuple[str, str | None], ...] | None = None
    keyphrases: tuple[str, ...] = ()


@dataclass
class OpenAlexOutcome:
    """Rows from a set of works plus what the load summary reports about them."""

    rows: GraphRows = field(default_factory=GraphRows)
    works_used: int = 0
    authors_matched: int = 0
    authors_apart: int = 0
    disagreements: list[str] = field(default_factory=list)
    orgs: int = 0
    affiliations: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "worksUsed": self.works_used,
            "authorsMatched": self.authors_matched,
            "authorsKeptApart": self.authors_apart,
            "disagreements": list(self.disagreements),
            "orgs": self.orgs,
            "affiliations": self.affiliations,
        }


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _match_author(
    position: int,
    name: str | None,
    s2: Sequence[tuple[str, str | None]],
    taken: set[int],
) -> int | None:
    if position < len(s2) and position not in taken and names_agree(name, s2[position][1]):
        return position
    others = [
        i for i, (_, s2_name) in enumerate(s2) if i not in taken and names_agree(name, s2_name)
    ]
    return others[0] if len(others) == 1 else None


class _Builder:
    """Accumulates rows over many works so each Org/Topic is one row with merged aliases."""

    def __init__(self, works: Iterable[Mapping[str, Any]]) -> None:
        self.out = OpenAlexOutcome()
        self.orgs: dict[str, Row] = {}
        self.topics: dict[str, Row] = {}
        self.tree: dict[tuple[str, str], Row] = {}
        self.author_ids: dict[str, Row] = {}
        # OpenAlex id -> ROR, from every institution in the works at hand, so a
        # parent in a lineage gets its ROR key when it appears anywhere.
        self.ror_of: dict[str, str] = {}
        for work in works:
            for authorship in _list(work.get("authorships")):
                for inst in _list(_mapping(authorship).get("institutions")):
                    inst_map = _mapping(inst)
                    oa = openalex_id(inst_map.get("id"))
                    ror = _short(inst_map.get("ror"), _ROR_URL)
                    if oa and ror:
                        self.ror_of[oa] = ror.lower()

    def org(self, inst: Mapping[str, Any], aliases: Iterable[str]) -> str | None:
        key = org_key_of(inst, self.ror_of)
        if key is None:
            return None
        oa = openalex_id(inst.get("id"))
        row = self.orgs.setdefault(
            key,
            {
                "key": key,
                "name": None,
                "handle": None,
                "ror": None,
                "openalexId": None,
                "country": None,
                "type": None,
                "source": TOPIC_SOURCE_OPENALEX,
                "aliases": [],
                "nameKeys": [],
            },
        )
        ror = _short(inst.get("ror"), _ROR_URL) or self.ror_of.get(oa or "")
        row["name"] = row["name"] or _text(inst.get("display_name"))
        row["ror"] = row["ror"] or (f"https://ror.org/{ror.lower()}" if ror else None)
        row["openalexId"] = row["openalexId"] or oa
        row["country"] = row["country"] or _text(inst.get("country_code"))
        row["type"] = row["type"] or _text(inst.get("type"))
        for alias in (_text(inst.get("display_name")), *aliases):
            if alias and alias not in row["aliases"]:
                row["aliases"].append(alias)
                if org_key(alias) and org_key(alias) not in row["nameKeys"]:
                    row["nameKeys"].append(org_key(alias))
        for parent in _list(inst.get("lineage")):
            parent_oa = openalex_id(parent)
            if not parent_oa or parent_oa == oa:
                continue
            parent_key = org_key_of({"id": parent}, self.ror_of)
            if parent_key is None or parent_key == key:
                continue
            self.out.rows.org_parents.append(
                {"orgKey": key, "parentKey": parent_key, "parentOpenalexId": parent_oa}
            )
        return key

    def topic(self, paper_id: str, item: Mapping[str, Any]) -> None:
        chain: list[tuple[str, str, str | None]] = []  # (key, name, openalexId), topic first
        for level, node in zip(
            TOPIC_LEVELS,
            (
                item,
                _mapping(item.get("subfield")),
                _mapping(item.get("field")),
                _mapping(item.get("domain")),
            ),
            strict=True,
        ):
            name = _text(node.get("display_name"))
            if name is None or not topic_key(name):
                break
            chain.append((topic_key(name), name, openalex_id(node.get("id"))))
            self.topics.setdefault(
                topic_key(name),
                {
                    "key": topic_key(name),
                    "name": name,
                    "level": level,
                    "openalexId": openalex_id(node.get("id")),
                },
            )
        if not chain:
            return
        self.out.rows.topics.append(
            {
                "paperId": paper_id,
                "key": chain[0][0],
                "name": chain[0][1],
                "source": TOPIC_SOURCE_OPENALEX,
                "score": _score(item) if "score" in item else None,
                "level": TOPIC_LEVELS[0],
                "openalexId": chain[0][2],
            }
        )
        for (child, _, _), (parent, _, _) in itertools.pairwise(chain):
            if child == parent:  # field and domain "Social Sciences" share a name
                continue
            self.tree.setdefault((child, parent), self._tree_row(child, parent))

    def _tree_row(self, child: str, parent: str) -> Row:
        c, p = self.topics[child], self.topics[parent]
        return {
            "key": child,
            "name": c["name"],
            "level": c["level"],
            "openalexId": c["openalexId"],
            "source": TOPIC_SOURCE_OPENALEX,
            "parentKey": parent,
            "parentName": p["name"],
            "parentLevel": p["level"],
            "parentOpenalexId": p["openalexId"],
        }

    def author_ids_row(self, author_id: str, oa: str | None, orcid: str | None) -> None:
        have = self.author_ids.get(author_id)
        if have is None:
            self.author_ids[author_id] = {"authorId": author_id, "openalexId": oa, "orcid": orcid}
        elif oa and have["openalexId"] and have["openalexId"] != oa:
            self.out.disagreements.append(
                f"S2 author {author_id} matches OpenAlex {have['openalexId']} on one paper and"
                f" {oa} on another; the first is kept"
            )

    def work(self, work: Mapping[str, Any], paper: LoadedPaper) -> None:
        self.out.works_used += 1
        year = work.get("publication_year")
        year = year if isinstance(year, int) and not isinstance(year, bool) else paper.year
        topics = [_mapping(t) for t in _list(work.get("topics"))]
        primary = _mapping(work.get("primary_topic"))
        if primary and all(
            openalex_id(t.get("id")) != openalex_id(primary.get("id")) for t in topics
        ):
            topics.insert(0, primary)
        for item in topics:
            self.topic(paper.paper_id, item)
        if paper.authors is None:
            return
        taken: set[int] = set()
        for position, authorship in enumerate(_list(work.get("authorships"))):
            self.authorship(_mapping(authorship), position, paper, year, taken)

    def authorship(
        self,
        authorship: Mapping[str, Any],
        position: int,
        paper: LoadedPaper,
        year: int | None,
        taken: set[int],
    ) -> None:
        assert paper.authors is not None
        author = _mapping(authorship.get("author"))
        name = _text(author.get("display_name")) or _text(authorship.get("raw_author_name"))
        oa = openalex_id(author.get("id"))
        orcid = orcid_id(author.get("orcid"))
        index = _match_author(position, name, paper.authors, taken)
        if index is not None:
            taken.add(index)
            author_id = paper.authors[index][0]
            self.out.authors_matched += 1
            self.author_ids_row(author_id, oa, orcid)
        else:
            if oa is None:
                return
            s2_name = paper.authors[position][1] if position < len(paper.authors) else None
            self.out.disagreements.append(
                f"{paper.paper_id} author {position + 1}: S2 has {s2_name!r}, OpenAlex has"
                f" {name!r} ({oa}); kept apart"
            )
            self.out.authors_apart += 1
            author_id = f"openalex:{oa}"
            self.out.rows.authors.append(
                {"authorId": author_id, "name": name, "openalexId": oa, "orcid": orcid}
            )
            self.out.rows.authored.append(
                {"authorId": author_id, "paperId": paper.paper_id, "position": position}
            )
        raw_by_inst: dict[str, list[str]] = {}
        for aff in _list(authorship.get("affiliations")):
            raw = _text(_mapping(aff).get("raw_affiliation_string"))
            for inst_id in _list(_mapping(aff).get("institution_ids")):
                if raw and openalex_id(inst_id):
                    raw_by_inst.setdefault(str(openalex_id(inst_id)), []).append(raw)
        for inst in _list(authorship.get("institutions")):
            inst_map = _mapping(inst)
            key = self.org(inst_map, raw_by_inst.get(openalex_id(inst_map.get("id")) or "", []))
            if key is None:
                continue
            self.out.rows.affiliations.append(
                {"authorId": author_id, "orgKey": key, "paperId": paper.paper_id, "year": year}
            )

    def finish(self) -> OpenAlexOutcome:
        rows = self.out.rows
        rows.orgs.extend(self.orgs.values())
        rows.authors.extend(self.author_ids.values())
        rows.topic_tree.extend(self.tree.values())
        self.out.orgs = len(self.orgs)
        self.out.affiliations = len(rows.affiliations)
        return self.out


def rows_from_openalex_works(
    papers: Sequence[LoadedPaper], works: Mapping[str, Mapping[str, Any]]
) -> OpenAlexOutcome:
    """Rows for every loaded paper whose DOI has a work in ``works`` (keyed by bare DOI)."""
    joined = [(paper, works[paper.doi]) for paper in papers if paper.doi in works]
    builder = _Builder(work for _, work in joined)
    for paper, work in joined:
        builder.work(work, paper)
    outcome = builder.finish()
    outcome.rows.topic_tree.extend(keyphrase_links(joined))
    return outcome


def _score(item: Mapping[str, Any]) -> float:
    score = item.get("score")
    return float(score) if isinstance(score, (int, float)) else 0.0


def _content_words(name: str) -> set[str]:
    words = set()
    for word in normalise_person(name):
        stem = word[:-1] if len(word) > 4 and word.endswith("s") else word
        if len(stem) >= 4 and stem not in _LINK_STOPWORDS:
            words.add(stem)
    return words


def keyphrase_links(joined: Sequence[tuple[LoadedPaper, Mapping[str, Any]]]) -> list[Row]:
    """``SUBTOPIC_OF`` rows filing keyphrase topics under OpenAlex topics.

    On each paper, a keyphrase falls under the best-scored OpenAlex topic of
    that paper sharing a content word with it; over all papers the topic
    chosen most often wins (ties by name), so a keyphrase has one parent.

    >>> paper = LoadedPaper("p1", "10.1/x", keyphrases=("language model", "scaling law"))
    >>> nlp = {"display_name": "Natural Language Processing Techniques", "score": 0.8}
    >>> work = {"topics": [{"display_name": "Topic Modeling", "score": 0.9}, nlp]}
    >>> [(r["key"], r["parentKey"]) for r in keyphrase_links([(paper, work)])]
    [('language model', 'natural language processing techniques')]
    """
    votes: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    for paper, work in joined:
        topics = [_mapping(t) for t in _list(work.get("topics"))] or [
            _mapping(work.get("primary_topic"))
        ]
        ranked = sorted(
            (t for t in topics if _text(t.get("display_name"))),
            key=lambda t: -_score(t),
        )
        for phrase in paper.keyphrases:
            words = _content_words(phrase)
            for t in ranked:
                name = str(_text(t.get("display_name")))
                if words & _content_words(name):
                    names[topic_key(name)] = name
                    votes.setdefault(topic_key(phrase), Counter())[topic_key(name)] += 1
                    break
    rows: list[Row] = []
    for phrase_key in sorted(votes):
        parent = min(votes[phrase_key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if parent == phrase_key:
            continue
        rows.append(
            {
                "key": phrase_key,
                "name": phrase_key,
                "level": None,
                "openalexId": None,
                "source": None,
                "parentKey": parent,
                "parentName": names[parent],
                "parentLevel": TOPIC_LEVELS[0],
                "parentOpenalexId": None,
            }
        )
    return rows
