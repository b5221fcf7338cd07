"""The per-association FAQ index: every phrasing of every topic, normalised once.

A question is scored against each phrasing through several channels, because each one fails
differently: character n-gram TF-IDF (robust to morphology and typos), the same over
consonant skeletons (Arabizi and letter swaps), word TF-IDF (word order-free overlap) and
rapidfuzz on a short list (close variants of a known phrasing). A topic's score is the best
weighted score of its phrasings. Out-of-scope examples (bot/faq/out_of_scope.yaml) sit in the
same index as pseudo-topics, so "حساب المواطن" competes with the association's own topics
instead of being answered by the nearest one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from bot.faq.arabizi import transliterate
from bot.faq.classifier import TopicClassifier, trained
from bot.faq.lang import is_arabizi
from bot.faq.normalize import normalize
from bot.faq.skeleton import skeleton, skeleton_text
from bot.faq.tfidf import Tfidf, word_grams

__all__ = ["CHANNELS", "DEFAULT_WEIGHTS", "TOPIC_CHANNELS", "Doc", "FaqIndex", "Match", "query_variants"]

#: per-phrasing channels (a topic takes its best phrasing) …
CHANNELS = ("char", "skel", "word", "fuzz")
#: … and per-topic channels (all phrasings, the answer and the clause as one document)
TOPIC_CHANNELS = ("tchar", "tskel")
DEFAULT_WEIGHTS: dict[str, float] = {"char": 0.2, "skel": 0.15, "word": 0.0, "fuzz": 0.05, "tchar": 0.35, "tskel": 0.25}
SHORTLIST = 24
MAX_QUERY_CHARS = 400  # a 4,096-character message is not a FAQ question; its start decides
_STOPWORDS = frozenset(
    normalize(
        """في من على عن الى إلى هل ما ماذا متى كيف كم اين لماذا هو هي انا انت نحن هم ان أن او أو
        و يا لو مع هذا هذه ذلك التي الذي عند عندي لي لكم لنا ممكن اريد ليس لا نعم
        the a an is are do does i you to of in on for and or my me can what how when where"""
    ).split()
)


@dataclass(frozen=True, slots=True)
class Doc:
    """One phrasing: ``oos`` marks out-of-scope examples (never answered); ``borrowed`` marks a
    phrasing of another association for the same topic (:mod:`bot.faq.phrasebook`), which is
    matched like the association's own but kept out of the topic's pooled text."""

    topic: str
    text: str
    oos: bool = False
    borrowed: bool = False

    def row(self) -> list[str | bool]:
        """As stored and sent to an index builder (JSON)."""
        return [self.topic, self.text, self.oos, self.borrowed]

    @classmethod
    def from_row(cls, row: Sequence[object]) -> Doc:
        topic, text, oos, *rest = row
        return cls(str(topic), str(text), bool(oos), bool(rest[0]) if rest else False)


@dataclass(frozen=True, slots=True)
class Match:
    """Ranked in-scope topics for one question, plus what the abstention needs."""

    topics: tuple[str, ...]
    scores: tuple[float, ...]
    oos_topic: str | None
    oos_score: float
    coverage: float
    n_tokens: int
    channels: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    #: the classifier's second opinion (:mod:`bot.faq.classifier`): its first in-scope topic and
    #: that topic's probability
    second_topic: str | None = None
    second_p: float = 0.0

    @property
    def top(self) -> float:
        return self.scores[0] if self.scores else 0.0

    @property
    def margin(self) -> float:
        if len(self.scores) < 2:
            return self.top
        return self.scores[0] - self.scores[1]


def _sizeof_strings(strings: Iterable[str], seen: set[int]) -> int:
    """Bytes of the strings not counted yet (``seen``: ids already counted)."""
    size = 0
    for x in strings:
        if id(x) not in seen:
            seen.add(id(x))
            size += sys.getsizeof(x)
    return size


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _deletions_index(words: Iterable[str]) -> dict[str, list[str]]:
    """Each word and each of its one-letter deletions → the words it comes from."""
    out: dict[str, list[str]] = {}
    for w in words:
        for key in (w, *_deletions(w)):
            out.setdefault(key, []).append(w)
    return out


def _within_one(word: str, index: Mapping[str, list[str]]) -> bool:
    """True when a word of ``index`` is at Levenshtein distance ≤ 1 from ``word`` (same result
    as scanning the whole vocabulary, from a few dictionary look-ups)."""
    for key in (word, *_deletions(word)):
        for cand in index.get(key, ()):
            if Levenshtein.distance(word, cand, score_cutoff=1) <= 1:
                return True
    return False


#: a question's skeleton is needed by two channels; questions repeat (menus, retries)
_skeleton_text = lru_cache(maxsize=8192)(skeleton_text)


def query_variants(text: str) -> list[str]:
    """Normalised forms to match: the text itself, plus its Arabic rendering if Arabizi."""
    return list(_query_variants(text[:MAX_QUERY_CHARS]))


@lru_cache(maxsize=4096)
def _query_variants(text: str) -> tuple[str, ...]:
    base = normalize(text)
    out = [base] if base else []
    if any("a" <= ch <= "z" for ch in base) and is_arabizi(text):
        ar = normalize(transliterate(text))
        if ar and ar not in out:
            out.append(ar)
    return tuple(out)


class FaqIndex:
    """Built once per association from its topics' phrasings; read-only afterwards."""

    def __init__(
        self,
        docs: Sequence[Doc],
        *,
        vocabulary_texts: Sequence[str] = (),
        topic_texts: Mapping[str, str] | None = None,
        weights: Mapping[str, float] | None = None,
        fuzz_scorer: str = "token_sort_ratio",
    ) -> None:
        # keep topics in first-seen order for stable ties, but docs contiguous per topic
        first: dict[tuple[bool, str], int] = {}
        for i, d in enumerate(docs):
            first.setdefault((d.oos, d.topic), i)
        ordered = sorted(range(len(docs)), key=lambda i: (docs[i].oos, first[(docs[i].oos, docs[i].topic)], i))
        self.docs = [docs[i] for i in ordered]
        self.norm = [normalize(d.text) for d in self.docs]
        self.skel = [skeleton_text(t) for t in self.norm]
        self.char = Tfidf(self.norm)
        self.skel_index = Tfidf(self.skel)
        self._topics(weights, fuzz_scorer)
        self.classifier = trained(self.char, self.norm, self._doc_topic, self._oos_mask)
        extra = topic_texts or {}
        pooled = [
            (t, normalize(extra[tid])) for t, tid in enumerate(self.topic_ids) if not self.topic_oos[t] and tid in extra
        ]
        n_topics = len(self.topic_ids)
        assert self.char.counts is not None and self.skel_index.counts is not None
        # a topic's pooled text is its own phrasings, answer and clause: borrowed phrasings are
        # matched one by one, but pooled they would outweigh the association's own words
        own = np.fromiter((not d.borrowed for d in self.docs), dtype=bool, count=len(self.docs))
        self.tchar = Tfidf(self.char.counts.pooled(self._doc_topic, n_topics, pooled, kept=own))
        skel_extra = [(t, skeleton_text(text)) for t, text in pooled]
        self.tskel = Tfidf(self.skel_index.counts.pooled(self._doc_topic, n_topics, skel_extra, kept=own))
        # built: the raw counts are not needed to answer, and an association holds four of them
        for tfidf in (self.char, self.skel_index, self.tchar, self.tskel):
            tfidf.counts = None
        words: set[str] = set()
        for n, d in zip(self.norm, self.docs, strict=True):
            if not d.oos:
                words.update(n.split())
        for t in vocabulary_texts:
            words.update(normalize(t).split())
        self._vocabulary(words)

    @classmethod
    def restore(
        cls,
        docs: Sequence[Doc],
        norm: list[str],
        skel: list[str],
        tfidfs: Mapping[str, Tfidf],
        classifier: TopicClassifier,
        *,
        vocabulary: Iterable[str],
        weights: Mapping[str, float] | None,
        fuzz_scorer: str,
    ) -> FaqIndex:
        """An index from its stored parts (``bot.faq.index_store``), without building anything;
        ValueError when the parts do not fit together."""
        self = cls.__new__(cls)
        self.docs, self.norm, self.skel = list(docs), norm, skel
        if fuzz_scorer not in {"token_sort_ratio", "ratio", "token_set_ratio", "partial_ratio", "WRatio", "QRatio"}:
            raise ValueError(f"unknown fuzz scorer {fuzz_scorer!r}")
        self._topics(weights, fuzz_scorer)
        self.char, self.skel_index = tfidfs["char"], tfidfs["skel_index"]
        self.tchar, self.tskel = tfidfs["tchar"], tfidfs["tskel"]
        n, n_topics = len(self.docs), len(self.topic_ids)
        sizes = (self.char.n_docs, self.skel_index.n_docs, self.tchar.n_docs, self.tskel.n_docs)
        if sizes != (n, n, n_topics, n_topics):
            raise ValueError("n-gram tables are for other phrasings")
        if classifier.weights.shape[0] != len(self.char.vocab) or not np.array_equal(
            classifier.topics, np.flatnonzero(~self._oos_mask)
        ):
            raise ValueError("the topic classifier is for another index")
        self.classifier = classifier
        self._vocabulary(set(vocabulary))
        return self

    def _topics(self, weights: Mapping[str, float] | None, fuzz_scorer: str) -> None:
        """Topic order and boundaries over ``self.docs`` (contiguous per topic)."""
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.fuzz_scorer = getattr(fuzz, fuzz_scorer)
        self._word: Tfidf | None = None
        self.topic_ids: list[str] = []
        self.topic_oos: list[bool] = []
        seen: set[tuple[str, bool]] = set()
        starts: list[int] = []
        doc_topic: list[int] = []
        for i, d in enumerate(self.docs):
            if not self.topic_ids or (d.topic, d.oos) != (self.topic_ids[-1], self.topic_oos[-1]):
                if (d.topic, d.oos) in seen:  # only a stored index can be out of order
                    raise ValueError("phrasings are not grouped by topic")
                seen.add((d.topic, d.oos))
                self.topic_ids.append(d.topic)
                self.topic_oos.append(d.oos)
                starts.append(i)
            doc_topic.append(len(self.topic_ids) - 1)
        self._starts = np.asarray(starts, dtype=np.int64)
        self._doc_topic = np.asarray(doc_topic, dtype=np.int64)
        self._oos_mask = np.asarray(self.topic_oos, dtype=bool)

    def _vocabulary(self, words: set[str]) -> None:
        """The words coverage checks questions against, with their skeletons and typo neighbourhoods."""
        self.vocabulary = frozenset(words)
        self._vocab_skel = frozenset(skeleton(w) for w in words if len(w) >= 3)
        # one-deletion neighbourhoods: candidates within Levenshtein distance 1 in O(len(word))
        self._vocab_del = _deletions_index(w for w in words if len(w) >= 3)
        self._skel_del = _deletions_index(s for s in self._vocab_skel if len(s) >= 3)

    def footprint(self) -> int:
        """Estimated bytes this index holds (its arrays, strings and tables), for the memory bound:
        ``sys.getsizeof`` of what it owns, each string once; tracemalloc sees about the same
        growth when one is built (tests/test_faq_memory.py)."""
        seen: set[int] = set()
        size = sum(t.footprint(seen) for t in (self.char, self.skel_index, self.tchar, self.tskel))
        size += self.classifier.footprint()
        size += _sizeof_strings(self.norm, seen) + _sizeof_strings(self.skel, seen)
        size += sys.getsizeof(self.docs) + (len(self.docs) * sys.getsizeof(self.docs[0]) if self.docs else 0)
        for words in (self.vocabulary, self._vocab_skel):
            size += sys.getsizeof(words) + _sizeof_strings(words, seen)
        for table in (self._vocab_del, self._skel_del):
            size += sys.getsizeof(table) + _sizeof_strings(table, seen)
            size += sum(sys.getsizeof(v) for v in table.values())
        return size

    @property
    def word(self) -> Tfidf:
        """Word uni+bigram TF-IDF; built on first use (calibration compares it, weight 0 by default)."""
        if self._word is None:
            self._word = Tfidf(self.norm, word_grams)
        return self._word

    # -- channels -------------------------------------------------------------------------
    def doc_channels(
        self,
        variants: Sequence[str],
        *,
        full_fuzz: bool = False,
        all_channels: bool = False,
    ) -> dict[str, np.ndarray]:
        """Per-phrasing score of each channel (max over the question's variants); channels with
        weight 0 are skipped unless ``all_channels`` (calibration compares them all)."""
        n = len(self.docs)
        out = {c: np.zeros(n) for c in CHANNELS}
        for v in variants:
            np.maximum(out["char"], self.char.scores(v), out=out["char"])
            np.maximum(out["skel"], self.skel_index.scores(_skeleton_text(v)), out=out["skel"])
            if all_channels or self.weights.get("word", 0.0):
                np.maximum(out["word"], self.word.scores(v), out=out["word"])
        if not variants:
            return out
        if full_fuzz:
            cand = np.arange(n)
        else:
            pre = out["char"] + out["skel"]
            k = min(SHORTLIST, n)
            cand = np.argpartition(-pre, k - 1)[:k] if n > k else np.arange(n)
        for v in variants:
            for i in cand:
                s = self.fuzz_scorer(v, self.norm[i], processor=None) / 100.0
                if s > out["fuzz"][i]:
                    out["fuzz"][i] = s
        return out

    def topic_level(self, variants: Sequence[str]) -> dict[str, np.ndarray]:
        """Per-topic channels: the question against each topic's pooled text."""
        out = {c: np.zeros(len(self.topic_ids)) for c in TOPIC_CHANNELS}
        for v in variants:
            np.maximum(out["tchar"], self.tchar.scores(v), out=out["tchar"])
            np.maximum(out["tskel"], self.tskel.scores(_skeleton_text(v)), out=out["tskel"])
        return out

    def topic_channels(self, doc_scores: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {c: np.maximum.reduceat(v, self._starts) for c, v in doc_scores.items()}

    def combine(
        self,
        doc_scores: Mapping[str, np.ndarray],
        topic_scores: Mapping[str, np.ndarray],
        weights: Mapping[str, float] | None = None,
    ) -> np.ndarray:
        """Per-topic score: best weighted phrasing score plus the weighted pooled-topic score."""
        w = weights or self.weights
        total = np.zeros(len(self.docs))
        for c in CHANNELS:
            if w.get(c, 0.0):
                total += w[c] * doc_scores[c]
        best = np.maximum.reduceat(total, self._starts)
        for c in TOPIC_CHANNELS:
            if w.get(c, 0.0):
                best += w[c] * topic_scores[c]
        return best

    # -- vocabulary coverage ----------------------------------------------------------------
    def coverage(self, variant: str) -> tuple[float, int]:
        """Share of the question's content words this association's texts know (typos allowed)."""
        toks = variant.split()
        content = [t for t in toks if t not in _STOPWORDS and not t.isdigit()] or toks
        if not content:
            return 0.0, 0
        known = 0
        for t in content:
            if t in self.vocabulary or t in _STOPWORDS:
                known += 1
            elif len(t) >= 3 and skeleton(t) in self._vocab_skel:
                known += 1
            elif len(t) >= 4 and (
                _within_one(t, self._vocab_del) or (len(skeleton(t)) >= 4 and _within_one(skeleton(t), self._skel_del))
            ):
                known += 1
        return known / len(content), len(content)

    # -- the public call ---------------------------------------------------------------------
    def match(self, text: str, *, variants: Sequence[str] | None = None) -> Match:
        variants = list(variants) if variants is not None else query_variants(text)
        if not variants:
            return Match((), (), None, 0.0, 0.0, 0)
        topic = self.topic_level(variants)
        docs = self.doc_channels(variants)
        scores = self.combine(docs, topic)
        inside = np.flatnonzero(~self._oos_mask)
        order = inside[np.argsort(-scores[inside], kind="stable")]
        oos_idx = np.flatnonzero(self._oos_mask)
        oos_topic, oos_score = None, 0.0
        if len(oos_idx):
            j = oos_idx[int(np.argmax(scores[oos_idx]))]
            oos_topic, oos_score = self.topic_ids[j], float(scores[j])
        cov, n_tok = max(self.coverage(v) for v in variants)
        top = order[:5]
        chans = {**self.topic_channels(docs), **topic}
        second, second_p = self.classifier.best(self.char, variants)
        return Match(
            topics=tuple(self.topic_ids[i] for i in top),
            scores=tuple(float(scores[i]) for i in top),
            oos_topic=oos_topic,
            oos_score=oos_score,
            coverage=cov,
            n_tokens=n_tok,
            channels={c: tuple(float(v[i]) for i in top) for c, v in chans.items()},
            second_topic=self.topic_ids[second] if second >= 0 else None,
            second_p=second_p,
        )
