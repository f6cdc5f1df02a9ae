"""Keyphrase topics of a paper, from its title and abstract (YAKE).

:func:`keyphrase_topics` runs YAKE (an unsupervised, statistics-only keyword
extractor: no model, no network) over ``title. abstract`` and returns the
``k`` best phrases as ``(name, score)``. Names are normalised so that papers
on the same subject share a topic node (:func:`normalise_phrase`):

* Unicode NFKC, lower case, whitespace collapsed;
* a hyphen after a bound prefix is dropped (``pre-training`` ->
  ``pretraining``, ``multi-modal`` -> ``multimodal``, ``co-training`` ->
  ``cotraining``); every other hyphen, slash or underscore becomes a space
  (``large-scale`` -> ``large scale``, ``fine-tuning`` -> ``fine tuning``), and
  the closed spellings ``finetuning``/``finetuned``/``finetune`` are opened the
  same way;
* the last word (the head noun) is singularised by simple suffix rules
  (``language models`` -> ``language model``, ``scaling laws`` -> ``scaling
  law``, ``strategies`` -> ``strategy``, ``LLMs`` -> ``llm``), except words
  that only look plural (:data:`NOT_PLURAL`: ``analysis``, ``physics``...);
* common acronyms are spelled out (:data:`ACRONYMS`: ``llm`` -> ``large
  language model``, ``nlp``, ``vit``, ``rl``...), so both spellings are one
  topic across the graph;
* leading filler words are removed: adjectives such as ``novel``,
  ``proposed``, ``existing`` and the title verbs ``rethinking``,
  ``revisiting``, ``advancing``... (``Advancing Math Reasoning`` -> ``math
  reasoning``).

Phrases that are not topics are dropped (the documented stoplists are the
module constants):

* every word generic (:data:`GENERIC_WORDS`: ``paper``, ``approach``,
  ``result``, ``method``, ``model``, ``large``, ``propose``...), or a phrase in
  :data:`STOP_PHRASES` (``state of the art``, ``we propose``...);
* a single word that is too broad alone in ML papers (:data:`BROAD_WORDS`:
  ``language``, ``learning``, ``training``, ``scaling``...), that reads as an
  adjective (``-ive``, ``-ous``, ``-able``, ``-ful``, ``-ical``...), or that
  only ever appears as the modifier of a longer candidate (``canon`` next to
  ``canon layer``); a single word that heads a longer candidate is kept
  (``pretraining`` next to ``continual pretraining``);
* fragments: a phrase ending in a word that needs a head noun
  (:data:`DANGLING_LAST`: ``efficient continual``, ``multiple downstream``;
  ``fine tuning large language``), or a word-for-word prefix of a candidate
  that adds one of :data:`HEAD_NOUNS` (``natural language`` when ``natural
  language processing`` is a candidate);
* near-copies on one paper (:func:`collapse_near_copies`): of ``scaling
  law`` and ``scaling law principle`` / ``original scaling law`` (a phrase
  plus only generic words, :data:`NEAR_COPY_WORDS`) one topic stays; trailing
  fillers (:data:`TRAILING_FILLERS`: ``paper``, ``formula``, ``approach``...)
  are cut from phrases of three or more words and leading fillers
  (``original``, ``standard``...) from every phrase, so the same subject is
  one topic across the graph; a head noun alone (:data:`GENERIC_HEADS`:
  ``law``, ``hypothesis``, ``paradigm``...) is no topic;
* phrases across a clause boundary, which YAKE sometimes proposes: with a
  stopword as a whole word (``act by watching``; hyphenated compounds such
  as ``in-context`` or ``chain-of-thought`` are one word, and a few common
  open phrases are allowed, :data:`KEEP_PHRASES`), with an ``-ly`` adverb, or
  with a plural before the last word (``language models improve``);
* a bare number, a single word shorter than three letters, and URLs (cut
  from the text first; they stay in the stored abstract).

Scores are in ``(0, 1]``, higher is more relevant: YAKE's score ``s`` (lower
is better, unbounded) becomes ``1 / (1 + s / S)`` with ``S =``
:data:`YAKE_SCALE`, a fixed constant, so scores compare across papers.
Everything is deterministic: same input, same output, ties broken by name.
Topic keys are :func:`loaders.rows.topic_key` of the name (re-exported).

>>> topics = keyphrase_topics(
...     "Scaling Laws for Neural Language Models",
...     "We study empirical scaling laws for language model performance on the "
...     "cross-entropy loss. Larger language models are more sample-efficient.",
...     k=3,
... )
>>> [name for name, _ in topics]
['neural language model', 'scaling law', 'language model']
>>> all(0 < score <= 1 for _, score in topics)
True
>>> normalise_phrase("Pre-trained Language Models")
'pretrained language model'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import yake

from loaders.rows import topic_key

__all__ = [
    "GENERIC_WORDS",
    "STOP_PHRASES",
    "YAKE_SCALE",
    "keyphrase_topics",
    "normalise_phrase",
    "topic_key",
]

# A typical good phrase has a YAKE score around 0.05; it then scores 0.5.
YAKE_SCALE = 0.05
MAX_NGRAM = 3

BOUND_PREFIXES = (
    "pre",
    "post",
    "co",
    "multi",
    "non",
    "semi",
    "sub",
    "re",
    "un",
    "anti",
    "inter",
    "intra",
    "mid",
)
_BOUND_HYPHEN = re.compile(
    r"\b(" + "|".join(BOUND_PREFIXES) + r")[-\u2010\u2011](?=[^\W\d_])", re.IGNORECASE
)
_CLOSED_FINE = re.compile(r"\bfine(tun)", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|org|io|ai|net)/\S*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-\u2010-\u2015_/]+")
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w+#]+$")
_INNER_PUNCT = re.compile(r"[\"'`()\[\]{},;:!?\u2018\u2019\u201c\u201d]")
_ACRONYM_PLURAL = re.compile(r"^[A-Z][A-Z0-9]+s$")
_NUMBERISH = re.compile(r"^[\d.,%x+\-]+[a-z]?$")

# Words that end in "s" but are not plurals (or whose plural is the same).
NOT_PLURAL = frozenset(
    {
        "analysis",
        "basis",
        "bias",
        "corpus",
        "consensus",
        "data",
        "dynamics",
        "economics",
        "ethics",
        "genomics",
        "graphics",
        "linguistics",
        "lens",
        "mathematics",
        "news",
        "physics",
        "robotics",
        "semantics",
        "series",
        "species",
        "statistics",
        "status",
        "syntax",
        "thesis",
        "hypothesis",
        "synthesis",
        "diagnosis",
        "mechanics",
        "kinetics",
        "optics",
    }
)

GENERIC_WORDS = frozenset(
    {
        "approach",
        "art",
        "result",
        "method",
        "methodology",
        "model",
        "large",
        "small",
        "paper",
        "work",
        "study",
        "task",
        "performance",
        "framework",
        "problem",
        "experiment",
        "experimental",
        "propose",
        "proposed",
        "present",
        "introduce",
        "show",
        "demonstrate",
        "novel",
        "new",
        "recent",
        "existing",
        "significant",
        "significantly",
        "improvement",
        "improve",
        "analysis",
        "technique",
        "state",
        "way",
        "use",
        "using",
        "based",
        "finding",
        "effect",
        "impact",
        "number",
        "set",
        "various",
        "different",
        "key",
        "main",
        "challenge",
        "issue",
        "question",
        "aim",
        "goal",
        "system",
        "process",
        "data",
        "datum",
        "time",
        "step",
        "stage",
        "term",
        "order",
        "case",
        "range",
        "level",
        "type",
        "form",
        "part",
        "high",
        "low",
        "good",
        "better",
        "best",
        "strong",
        "simple",
        "general",
        "specific",
        "current",
        "previous",
        "prior",
        "overall",
        "extensive",
        "comprehensive",
        "achieve",
        "achieves",
        "achieving",
        "outperform",
        "outperforms",
        "also",
        "however",
        "moreover",
        "furthermore",
        "addition",
        "example",
        "end",
        "first",
        "second",
        "third",
        "two",
        "three",
        "one",
    }
)
STOP_PHRASES = frozenset(
    {
        "state of the art",
        "sota",
        "we propose",
        "this paper",
        "this work",
        "our method",
        "our approach",
        "experimental result",
        "extensive experiment",
        "large margin",
        "wide range",
        "large scale",
        "open source",
    }
)
FILLER_MODIFIERS = frozenset(
    {
        "novel",
        "new",
        "proposed",
        "existing",
        "recent",
        "various",
        "different",
        "several",
        "significant",
        "current",
        "previous",
        "prior",
        "overall",
        "extensive",
        "key",
        "main",
        "original",
        "standard",
        "typical",
        "conventional",
        "traditional",
    }
)
# Trailing words that add nothing to a phrase of two or more other words
# ("scaling law paper", "scaling law formula", "low rank approach"): cut, so
# that every paper's spelling lands on one topic across the graph.
TRAILING_FILLERS = frozenset(
    {
        "paper",
        "formula",
        "principle",
        "approach",
        "method",
        "methodology",
        "framework",
        "technique",
        "task",
        "performance",
        "research",
        "study",
        "problem",
        "formulation",
    }
)
# Words that make a phrase a near-copy of another on the same paper when they
# are all it adds ("scaling law" + "original"): GENERIC_WORDS, the fillers
# above, and these. The longer phrase is dropped, except when it only adds
# TERM_MODIFIERS: "large language model" is the term, "language model" the
# fragment.
NEAR_COPY_WORDS = frozenset(
    {
        "principle",
        "formula",
        "hypothesis",
        "posit",
        "research",
        "multiple",
        "controlled",
        "effective",
        "efficient",
        "empirical",
        "estimation",
        "pipeline",
        "prior",
        "average",
        "tiny",
        "huge",
        "precise",
        "formulation",
    }
)
TERM_MODIFIERS = frozenset({"large", "small", "tiny", "huge", "natural"})
# Acronyms spelled out, so "LLMs" and "large language models" are one topic
# across the graph.
ACRONYMS = {
    "llm": "large language model",
    "lm": "language model",
    "nlp": "natural language processing",
    "vit": "vision transformer",
    "rl": "reinforcement learning",
    "rlhf": "reinforcement learning from human feedback",
    "ssl": "self supervised learning",
    "ptm": "pretrained model",
}
# Head nouns that are no topic alone ("law" of "scaling law").
GENERIC_HEADS = frozenset(
    {
        "law",
        "hypothesis",
        "paradigm",
        "principle",
        "formula",
        "rule",
        "property",
        "mechanism",
        "phenomenon",
        "behavior",
        "behaviour",
        "pattern",
        "component",
        "module",
        "factor",
        "trend",
        "regime",
        "practice",
        "perspective",
        "aspect",
        "concept",
        "idea",
        "guide",
        "mystery",
        "journey",
        "matter",
        "magic",
        "count",
        "coverage",
        "past",
        "month",
        "learn",
        "selection",
        "stack",
        "document",
        "sequence",
        "closer",
        "observe",
        "age",
        "cost",
        "family",
        "estimation",
        "thought",
        "guidance",
        "bottleneck",
        "reinforcement",
    }
)


# Title verbs that open a phrase without being part of the subject.
LEADING_VERBS = frozenset(
    {
        "rethinking",
        "revisiting",
        "navigating",
        "predicting",
        "measuring",
        "unifying",
        "advancing",
        "balancing",
        "cultivating",
        "optimizing",
        "overcoming",
        "testing",
        "inferring",
        "enhancing",
        "enhance",
        "improving",
        "towards",
        "toward",
        "understanding",
        "exploring",
        "investigating",
        "leveraging",
        "mitigating",
        "boosting",
        "bridging",
        "unveiling",
        "unraveling",
        "unlocking",
        "accelerating",
        "democratizing",
    }
)
# Single words too broad to be a topic on their own in ML papers.
BROAD_WORDS = frozenset(
    {
        "language",
        "learning",
        "training",
        "scaling",
        "compute",
        "computation",
        "parameter",
        "memory",
        "text",
        "size",
        "design",
        "limit",
        "answer",
        "downstream",
        "upstream",
        "deep",
        "neural",
        "network",
        "token",
        "layer",
        "student",
        "teacher",
        "growth",
        "quality",
        "quantity",
        "efficiency",
        "capability",
        "ability",
        "accuracy",
        "loss",
        "dataset",
        "benchmark",
        "evaluation",
        "inference",
        "architecture",
        "algorithm",
        "application",
        "domain",
        "feature",
        "representation",
        "objective",
        "strategy",
        "setting",
        "scale",
        "evidence",
        "insight",
        "advance",
        "recipe",
        "baseline",
        "report",
        "recognition",
        "reasoning",
        "knowledge",
        "information",
        "instruction",
    }
)
# Open phrases whose inner stopword belongs to the term.
KEEP_PHRASES = frozenset(
    {
        "chain of thought",
        "mixture of expert",
        "theory of mind",
        "bag of word",
        "out of distribution",
        "internet of thing",
        "state space model",
    }
)
_ADJECTIVE_SUFFIXES = ("ive", "ous", "able", "ible", "ful", "less", "ical", "ual", "ric", "onal")
_ADVERB_SUFFIXES = ("ally", "ently", "antly", "ously", "ively", "edly")
# Words that cannot end a topic: a phrase ending in one lost its head noun
# ("efficient continual", "multiple downstream", "large language").
DANGLING_LAST = frozenset(
    {
        "downstream",
        "upstream",
        "deep",
        "neural",
        "multiple",
        "efficient",
        "effective",
        "continual",
        "continuous",
        "scalable",
        "based",
        "enhanced",
        "supervised",
        "pretrained",
        "remained",
        "strong",
        "diverse",
        "unified",
        "large",
        "small",
        "huge",
        "tiny",
    }
)
# Articles and conjunctions inside a hyphenated token mean the hyphen was a
# dash ("a Language Model-the 1.5-Pints"), not a compound.
_DASHED_WORDS = frozenset({"the", "a", "an", "and", "or", "but", "which", "that", "is", "are"})
# Head nouns whose absence marks a fragment ("large language" + "model").
HEAD_NOUNS = ("model", "modeling", "processing", "understanding", "generation")


def _singular(word: str, original: str) -> str:
    """Simple head-noun singular; ``original`` keeps the case (for ``LLMs``)."""
    if _ACRONYM_PLURAL.match(original):
        return word[:-1]
    if len(word) <= 3 or word in NOT_PLURAL or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    return word[:-1]


def _prepare_text(text: str) -> str:
    """Text as YAKE should see it: URLs cut, bound-prefix hyphens joined."""
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" ", text)
    text = _BOUND_HYPHEN.sub(r"\1", text)
    return _CLOSED_FINE.sub(r"fine-\1", text)


def normalise_phrase(phrase: str) -> str:
    """The canonical topic name of a phrase (see the module docstring).

    >>> normalise_phrase("Fine-Tuning  LLMs")
    'fine tuning large language model'
    >>> normalise_phrase("multi-modal pre-training strategies")
    'multimodal pretraining strategy'
    >>> normalise_phrase("novel scaling laws")
    'scaling law'
    """
    text = _prepare_text(phrase)
    text = _INNER_PUNCT.sub(" ", text)
    originals = [_EDGE_PUNCT.sub("", w) for w in _SEPARATORS.sub(" ", text).split()]
    originals = [w for w in originals if w]
    while originals and (
        originals[0].casefold() in FILLER_MODIFIERS or originals[0].casefold() in LEADING_VERBS
    ):
        originals = originals[1:]
    if not originals:
        return ""
    words = [w.casefold() for w in originals]
    words[-1] = _singular(words[-1], originals[-1])
    while len(words) > 2 and words[-1] in TRAILING_FILLERS:
        words = words[:-1]
    words = [w for word in words for w in ACRONYMS.get(word, word).split()]
    return " ".join(words)


def _is_generic(name: str) -> bool:
    words = name.split()
    if not words or name in STOP_PHRASES:
        return True
    if any(_NUMBERISH.match(w) for w in words):
        return True
    if len(words) == 1 and (
        len(words[0]) < 3
        or words[0] in BROAD_WORDS
        or words[0] in GENERIC_HEADS
        or words[0].endswith(_ADJECTIVE_SUFFIXES)
    ):
        return True
    if words[-1] in DANGLING_LAST:
        return True
    if (
        words[-1] == "language"
        and len(words) > 1
        and (words[-2] in DANGLING_LAST or words[-2] in GENERIC_WORDS)
    ):
        return True
    return all(w in GENERIC_WORDS for w in words)


def _crosses_clause(phrase: str, stopwords: frozenset[str]) -> bool:
    """Whether a raw YAKE phrase spans a clause boundary rather than naming a thing."""
    tokens = phrase.split()
    lowered = [t.casefold() for t in tokens]
    if any(t.endswith(_ADVERB_SUFFIXES) for t in lowered):
        return True
    if any(t in stopwords for t in lowered):
        return normalise_phrase(phrase) not in KEEP_PHRASES
    if any(part in _DASHED_WORDS for t in lowered for part in _SEPARATORS.split(t)):
        return True
    for token, low in zip(tokens[:-1], lowered[:-1], strict=True):
        bare = _EDGE_PUNCT.sub("", low)
        if (
            len(bare) > 3
            and bare.endswith("s")
            and _singular(bare, _EDGE_PUNCT.sub("", token)) != bare
        ):
            return True
    return False


@lru_cache(maxsize=8)
def _extractor(top: int) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan="en", n=MAX_NGRAM, dedup_lim=0.9, top=top)


def _stopwords() -> frozenset[str]:
    return frozenset(str(w) for w in _extractor(20).stopword_set)


def keyphrase_topics(title: str, abstract: str | None, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` best keyphrase topics of a paper as ``(name, score)``, best first."""
    if k <= 0:
        return []
    parts = [p.strip() for p in (title, abstract or "") if p and p.strip()]
    if not parts:
        return []
    text = _prepare_text(". ".join(parts))
    stopwords = _stopwords()
    # Over-fetch: generic phrases and spelling variants are removed afterwards.
    best: dict[str, float] = {}
    for phrase, raw_score in _extractor(max(6 * k, 30)).extract_keywords(text):
        if _crosses_clause(str(phrase), stopwords):
            continue
        name = normalise_phrase(str(phrase))
        if not name or _is_generic(name) or not topic_key(name):
            continue
        score = float(raw_score)
        if name not in best or score < best[name]:
            best[name] = score
    longer = [name.split() for name in best if " " in name]
    modifiers = {w for words in longer for w in words[:-1]}
    heads = {words[-1] for words in longer}
    kept = {
        name: score
        for name, score in best.items()
        if not (" " not in name and name in modifiers and name not in heads)
        and not any(f"{name} {head}" in best for head in HEAD_NOUNS)
    }
    ranked = sorted(collapse_near_copies(kept).items(), key=lambda item: (item[1], item[0]))[:k]
    return [(name, round(1.0 / (1.0 + s / YAKE_SCALE), 6)) for name, s in ranked]


def near_copy_extra(a: str, b: str) -> frozenset[str] | None:
    """The words ``b`` adds to ``a`` when ``b`` is ``a`` plus only generic words, else None.

    >>> sorted(near_copy_extra("scaling law", "original scaling law"))
    ['original']
    >>> near_copy_extra("scaling law", "scaling law estimation")
    frozenset({'estimation'})
    >>> near_copy_extra("language model", "neural language model") is None
    True
    """
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wa < wb:
        return None
    extra = frozenset(wb - wa)
    generic = GENERIC_WORDS | FILLER_MODIFIERS | NEAR_COPY_WORDS | TRAILING_FILLERS
    return extra if extra <= generic else None


def collapse_near_copies(scores: dict[str, float]) -> dict[str, float]:
    """One topic per group of near-copies on a paper (lower score is better, as YAKE's).

    Of ``a`` and ``b`` = ``a`` plus generic words (:func:`near_copy_extra`),
    ``a`` stays, unless ``b`` only adds :data:`TERM_MODIFIERS`; the survivor
    keeps the better score of the two.

    >>> sorted(collapse_near_copies({"scaling law": .2, "scaling law formula": .1,
    ...                              "original scaling law": .3}).items())
    [('scaling law', 0.1)]
    >>> sorted(collapse_near_copies({"language model": .1, "large language model": .2}))
    ['large language model']
    """
    out = dict(scores)
    names = sorted(scores, key=lambda n: (len(n.split()), n))
    for a in names:
        for b in names:
            if a not in out or b not in out:
                continue
            extra = near_copy_extra(a, b)
            if extra is None:
                continue
            keep, drop = (b, a) if extra <= TERM_MODIFIERS else (a, b)
            out[keep] = min(out[keep], out.pop(drop))
    return out


def near_copy_pairs(names: list[str]) -> list[tuple[str, str]]:
    """Pairs ``(a, b)`` in one paper's topics where ``b`` is ``a`` plus generic words.

    >>> near_copy_pairs(["scaling law", "scaling law paper", "canon layer"])
    [('scaling law', 'scaling law paper')]
    """
    return [(a, b) for a in names for b in names if near_copy_extra(a, b) is not None]
