"""Property tests: a title's Unicode spelling never splits one paper into two.

A title may arrive in any normalisation form (a page in NFC, a pasted list in
NFD, full-width or mathematical letters from a PDF) and with stray spaces.
Whatever the spelling, an id list entry parses without an exception, and all
spellings that are read as titles share one dedupe identity, one
``titleKey`` and one placeholder id.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.id_lists import IdError, parse_id_lines, parse_paper_id
from loaders.pipeline import ref_identity
from loaders.rows import normalise_title, placeholder_paper_id, title_key
from loaders.source_files import SourceError

# Letters, marks, numbers, punctuation, symbols and spaces from every plane,
# but no control characters or lone surrogates (not text a file can hold).
TITLE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=80
)
FORMS: tuple[Literal["NFC", "NFD", "NFKC", "NFKD"], ...] = ("NFC", "NFD", "NFKC", "NFKD")


@settings(max_examples=400, deadline=None)
@given(TITLE_TEXT, st.sampled_from(["", " ", "  ", "\t", "\u00a0"]))
def test_every_spelling_of_a_title_is_one_paper(title: str, pad: str) -> None:
    spellings = [unicodedata.normalize(form, title) for form in FORMS]
    spellings.append(pad + title + pad)
    keys = {normalise_title(s) for s in spellings}
    assert len(keys) == 1
    assert {placeholder_paper_id(s) for s in spellings} == {placeholder_paper_id(title)}
    assert len({title_key(s) for s in spellings}) == 1

    identities = set()
    for spelling in spellings:
        parsed = parse_paper_id(spelling)
        assert isinstance(parsed, IdError) or parsed.value
        try:
            refs = parse_id_lines([spelling], "seeds.txt")
        except SourceError as exc:
            assert str(exc).startswith("seeds.txt:1: ")
            continue
        for ref in refs:
            if ref.title is not None:
                identities.add(ref_identity(ref))
    assert len(identities) <= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(TITLE_TEXT, min_size=1, max_size=10))
def test_normalised_titles_are_stable_and_printable(titles: list[str]) -> None:
    for title in titles:
        key = normalise_title(title)
        assert normalise_title(key) == key
        assert key == key.strip() and "  " not in key
        assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in key)
