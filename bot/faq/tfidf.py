"""A small sparse TF-IDF with cosine scoring, numpy only.

scikit-learn would do the same in 40 MB of dependencies and a slow import; the FAQ index
needs only: word-bounded character n-grams (or words), sublinear tf, smooth idf, L2 norms
and an inverted index so one question is scored against 10,000 phrasings in well under a
millisecond (one ``bincount`` over the postings of the question's n-grams). Counting is done
once per distinct word (phrasings repeat words), and pooled per-topic documents are summed
from the phrasings' counts instead of being analysed again, to keep index builds short.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = ["Counts", "Tfidf", "char_grams", "count_char_grams", "word_grams"]

NMIN, NMAX = 2, 4


def _word_char_grams(word: str) -> list[str]:
    padded = f" {word} "
    size = len(padded)
    return [padded[i : i + n] for n in range(NMIN, NMAX + 1) if size >= n for i in range(size - n + 1)]


def char_grams(text: str) -> list[str]:
    """Character 2–4-grams inside space-padded words (sklearn's ``char_wb``)."""
    out: list[str] = []
    for word in text.split():
        out.extend(_word_char_grams(word))
    return out


def word_grams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


class Counts:
    """Sparse (document, gram) → tf triples with their vocabulary."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, tfs: np.ndarray, vocab: dict[str, int], n_docs: int):
        self.rows, self.cols, self.tfs, self.vocab, self.n_docs = rows, cols, tfs, vocab, n_docs

    def pooled(self, group: np.ndarray, n_groups: int, extra: Sequence[tuple[int, str]] = ()) -> Counts:
        """Counts of documents summed per group (plus extra texts added to given groups)."""
        vocab = dict(self.vocab)
        rows, cols, tfs = [group[self.rows]], [self.cols], [self.tfs]
        for g, text in extra:
            for gram, tf in Counter(char_grams(text)).items():
                rows.append(np.array([g]))
                cols.append(np.array([vocab.setdefault(gram, len(vocab))]))
                tfs.append(np.array([float(tf)]))
        r, c, t = np.concatenate(rows), np.concatenate(cols), np.concatenate(tfs)
        key = r.astype(np.int64) * (len(vocab) + 1) + c
        uniq, inv = np.unique(key, return_inverse=True)
        summed = np.bincount(inv, weights=t)
        width = len(vocab) + 1
        rows_out = (uniq // width).astype(np.int32)
        return Counts(rows_out, (uniq % width).astype(np.int32), summed, vocab, n_groups)


def count_char_grams(docs: Sequence[str]) -> Counts:
    """Char n-gram counts of ``docs``, each distinct word analysed once."""
    vocab: dict[str, int] = {}
    word_ids: dict[str, np.ndarray] = {}
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    for d, text in enumerate(docs):
        parts = []
        for w in text.split():
            ids = word_ids.get(w)
            if ids is None:
                ids = np.fromiter((vocab.setdefault(g, len(vocab)) for g in _word_char_grams(w)), dtype=np.int32)
                word_ids[w] = ids
            parts.append(ids)
        if not parts:
            continue
        u, c = np.unique(np.concatenate(parts), return_counts=True)
        rows.append(np.full(len(u), d, dtype=np.int32))
        cols.append(u)
        tfs.append(c.astype(np.float64))
    if not rows:
        return Counts(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), vocab, len(docs))
    return Counts(np.concatenate(rows), np.concatenate(cols), np.concatenate(tfs), vocab, len(docs))


def _count_any(docs: Sequence[str], analyzer: Callable[[str], Iterable[str]]) -> Counts:
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    tfs: list[float] = []
    for d, text in enumerate(docs):
        for gram, tf in Counter(analyzer(text)).items():
            rows.append(d)
            cols.append(vocab.setdefault(gram, len(vocab)))
            tfs.append(tf)
    return Counts(np.asarray(rows, np.int32), np.asarray(cols, np.int32), np.asarray(tfs, np.float64), vocab, len(docs))


class Tfidf:
    """TF-IDF vectors of a fixed set of documents, queried by cosine similarity."""

    def __init__(self, docs: Sequence[str] | Counts, analyzer: Callable[[str], Iterable[str]] = char_grams) -> None:
        self.analyzer = analyzer
        if isinstance(docs, Counts):
            counts = docs
        elif analyzer is char_grams:
            counts = count_char_grams(docs)
        else:
            counts = _count_any(docs, analyzer)
        self.counts = counts
        self.vocab = counts.vocab
        self.n_docs = counts.n_docs
        row, col = counts.rows, counts.cols
        n_vocab = len(self.vocab)
        tf_arr = 1.0 + np.log(counts.tfs)
        df = np.bincount(col, minlength=n_vocab).astype(np.float64)
        self.idf = np.log((1.0 + self.n_docs) / (1.0 + df)) + 1.0
        self.idf_unknown = math.log(1.0 + self.n_docs) + 1.0
        w = tf_arr * self.idf[col] if len(col) else tf_arr
        norms = np.sqrt(np.bincount(row, weights=w * w, minlength=self.n_docs))
        norms[norms == 0] = 1.0
        w = w / norms[row]
        order = np.argsort(col, kind="stable")
        self._rows = row[order]
        self._vals = w[order].astype(np.float32)
        self._ptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(np.bincount(col, minlength=n_vocab), out=self._ptr[1:])

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Known gram ids of ``text`` and their weights in its unit-length vector."""
        counts = Counter(self.analyzer(text))
        norm2 = 0.0
        known: list[tuple[int, float]] = []
        for gram, tf in counts.items():
            gid = self.vocab.get(gram)
            weight = (1.0 + math.log(tf)) * (self.idf[gid] if gid is not None else self.idf_unknown)
            norm2 += weight * weight
            if gid is not None:
                known.append((gid, weight))
        gids = np.fromiter((g for g, _ in known), dtype=np.int64, count=len(known))
        qw = np.fromiter((w for _, w in known), dtype=np.float64, count=len(known))
        return gids, (qw / math.sqrt(norm2) if norm2 else qw)

    def scores(self, text: str) -> np.ndarray:
        """Cosine of ``text`` with every document (zeros when nothing is shared)."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        gids, qw = self._query(text)
        if not len(gids):
            return out
        starts = self._ptr[gids]
        lens = self._ptr[gids + 1] - starts
        total = int(lens.sum())
        if total == 0:
            return out
        # positions of every posting of every known gram, gathered in one step
        offsets = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
        return np.bincount(
            self._rows[offsets], weights=self._vals[offsets] * np.repeat(qw, lens), minlength=self.n_docs
        )
