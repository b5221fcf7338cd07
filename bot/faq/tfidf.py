"""A small sparse TF-IDF with cosine scoring, numpy only.

scikit-learn would do the same in 40 MB of dependencies and a slow import; the FAQ index
needs only: word-bounded character n-grams (or words), sublinear tf, smooth idf, L2 norms
and an inverted index so one question is scored against 10,000 phrasings in well under a
millisecond (one ``bincount`` over the postings of the question's n-grams).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = ["Tfidf", "char_grams", "word_grams"]


def char_grams(text: str, nmin: int = 2, nmax: int = 4) -> list[str]:
    """Character n-grams inside space-padded words (sklearn's ``char_wb``)."""
    out: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(nmin, nmax + 1):
            if size < n:
                break
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out


def word_grams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class Tfidf:
    """TF-IDF vectors of a fixed set of documents, queried by cosine similarity."""

    def __init__(self, docs: Sequence[str], analyzer: Callable[[str], Iterable[str]]) -> None:
        self.analyzer = analyzer
        self.n_docs = len(docs)
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        for d, text in enumerate(docs):
            for gram, tf in Counter(analyzer(text)).items():
                gid = vocab.setdefault(gram, len(vocab))
                rows.append(d)
                cols.append(gid)
                tfs.append(tf)
        self.vocab = vocab
        row = np.asarray(rows, dtype=np.int32)
        col = np.asarray(cols, dtype=np.int32)
        tf_arr = 1.0 + np.log(np.asarray(tfs, dtype=np.float64))
        df = np.bincount(col, minlength=len(vocab)).astype(np.float64)
        self.idf = np.log((1.0 + self.n_docs) / (1.0 + df)) + 1.0
        self.idf_unknown = math.log(1.0 + self.n_docs) + 1.0
        w = tf_arr * self.idf[col] if len(col) else tf_arr
        norms = np.sqrt(np.bincount(row, weights=w * w, minlength=self.n_docs))
        norms[norms == 0] = 1.0
        w = w / norms[row]
        order = np.argsort(col, kind="stable")
        self._rows = row[order]
        self._vals = w[order].astype(np.float32)
        self._ptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(col, minlength=len(vocab)), out=self._ptr[1:])

    def scores(self, text: str) -> np.ndarray:
        """Cosine of ``text`` with every document (zeros when nothing is shared)."""
        counts = Counter(self.analyzer(text))
        out = np.zeros(self.n_docs, dtype=np.float64)
        if not counts:
            return out
        norm2 = 0.0
        known: list[tuple[int, float]] = []
        for gram, tf in counts.items():
            gid = self.vocab.get(gram)
            weight = (1.0 + math.log(tf)) * (self.idf[gid] if gid is not None else self.idf_unknown)
            norm2 += weight * weight
            if gid is not None:
                known.append((gid, weight))
        if not known:
            return out
        inv = 1.0 / math.sqrt(norm2)
        ptr = self._ptr
        idx = np.concatenate([self._rows[ptr[g] : ptr[g + 1]] for g, _ in known])
        val = np.concatenate([self._vals[ptr[g] : ptr[g + 1]] * (w * inv) for g, w in known])
        return np.bincount(idx, weights=val, minlength=self.n_docs)
