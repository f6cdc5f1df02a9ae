"""User text -> a Lucene query for the ``paper_text`` full-text index.

User input never reaches Lucene's parser as syntax: the text is cut into
words (Unicode letters and digits), and only those words are placed into a
query whose structure is fixed here. Operators, fields, wildcards, quotes,
backslashes and brackets in the input are therefore plain separators:
``title:(x) OR *`` searches for the words ``title``, ``x`` and ``or``. The
fixed structure ranks, best first: the exact phrase in the title, the phrase
anywhere, all words, then any word; each word also matches its simple
plural or singular, because the index does not stem.

>>> lucene_query("scaling law")  # doctest: +NORMALIZE_WHITESPACE
'title:("scaling law" "scaling laws")^4 ("scaling law" "scaling laws")^3
 (+(scaling scalings) +(law laws))^2 scaling scalings law laws'
>>> lucene_query('title:(x) OR * \\\\ "unbalanced').split('^2 ')[1]
'title titles x or unbalanced unbalanceds'
>>> lucene_query("BERT")
'title:(bert berts)^4 bert berts'
"""

from __future__ import annotations

import re

from graph_api.service.errors import BadUserInput

# Letters and digits only: every Lucene metacharacter falls outside this.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS = 32
MAX_WORD_LEN = 64
MAX_QUERY_LEN = 1000


def search_words(text: str) -> list[str]:
    """The words of ``text``, lower-cased (so AND/OR/NOT are never operators).

    >>> search_words("Pre-training: GPT-4 AND (BERT)")
    ['pre', 'training', 'gpt', '4', 'and', 'bert']
    """
    if len(text) > MAX_QUERY_LEN:
        raise BadUserInput(f"search text is limited to {MAX_QUERY_LEN} characters")
    words = [w.lower()[:MAX_WORD_LEN] for w in _WORD.findall(text)]
    return words[:MAX_WORDS]


def variants(word: str) -> list[str]:
    """The word and its simple English plural/singular (the index does not stem).

    >>> variants("law"), variants("laws"), variants("gpt"), variants("4")
    (['law', 'laws'], ['laws', 'law'], ['gpt', 'gpts'], ['4'])
    """
    if not word.isalpha() or len(word) < 3:
        return [word]
    if word.endswith("s") and not word.endswith("ss"):
        return [word, word[:-1]]
    return [word, word + "s"]


def lucene_query(text: str) -> str:
    """The Lucene query for ``text``; :class:`BadUserInput` when it has no word."""
    words = search_words(text)
    if not words:
        raise BadUserInput("search needs at least one word (letters or digits)")
    if len(words) == 1:
        alternatives = " ".join(variants(words[0]))
        return f"title:({alternatives})^4 {alternatives}"
    # "scaling law" should also find "Scaling Laws": the last word varies in phrases.
    phrases = " ".join(f'"{" ".join([*words[:-1], last])}"' for last in variants(words[-1]))
    required = " ".join(f"+({' '.join(variants(w))})" for w in words)
    anyword = " ".join(v for w in words for v in variants(w))
    return f"title:({phrases})^4 ({phrases})^3 ({required})^2 {anyword}"
