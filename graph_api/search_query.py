"""User text -> a Lucene query for the ``paper_text`` full-text index.

User input never reaches Lucene's parser as syntax: the text is cut into
words (Unicode letters and digits), and only those words are placed into a
query whose structure is fixed here. Operators, fields, wildcards, quotes,
backslashes and brackets in the input are therefore plain separators:
``title:(x) OR *`` searches for the words ``title``, ``x`` and ``or``. The
fixed structure ranks, best first: the exact phrase in the title, the phrase
anywhere, all words, then any word.

>>> lucene_query("scaling law")
'title:"scaling law"^4 "scaling law"^3 (+scaling +law)^2 scaling law'
>>> lucene_query('title:(x) OR * \\\\ "unbalanced').split('^2 ')[1]
'title x or unbalanced'
>>> lucene_query("BERT")
'title:bert^4 bert'
"""

from __future__ import annotations

import re

from graph_api.errors import BadUserInput

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


def lucene_query(text: str) -> str:
    """The Lucene query for ``text``; :class:`BadUserInput` when it has no word."""
    words = search_words(text)
    if not words:
        raise BadUserInput("search needs at least one word (letters or digits)")
    if len(words) == 1:
        (word,) = words
        return f"title:{word}^4 {word}"
    phrase = " ".join(words)
    required = " ".join(f"+{w}" for w in words)
    return f'title:"{phrase}"^4 "{phrase}"^3 ({required})^2 {phrase}'
