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
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = ["Counts", "Tfidf", "char_grams", "count_char_grams", "word_grams"]

NMIN, NMAX = 2, 4
#: floats kept as dense rows per index (frequent grams), and the share of documents that makes
#: a gram frequent (one in DENSE_MIN_SHARE)
DENSE_BUDGET = 4_000_000
DENSE_MIN_SHARE = 64
#: and at least this many documents: below it a dense row is mostly zeros in small indexes
#: (the per-topic ones have a few dozen documents, where one in 64 is any gram at all)
DENSE_MIN_DF = 4
WORD_CACHE = 50_000


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

    def pooled(
        self, group: np.ndarray, n_groups: int, extra: Sequence[tuple[int, str]] = (), *, kept: np.ndarray | None = None
    ) -> Counts:
        """Counts of documents summed per group (plus extra texts added to given groups);
        ``kept``, a mask over documents, leaves the others out of every group."""
        vocab = dict(self.vocab)
        sel = kept[self.rows] if kept is not None else np.ones(len(self.rows), dtype=bool)
        rows, cols = [group[self.rows[sel]].astype(np.int64)], [self.cols[sel].astype(np.int64)]
        extra_rows: list[int] = []
        extra_cols: list[int] = []
        word_ids: dict[str, list[int]] = {}  # answers repeat their words: each analysed once
        for g, text in extra:
            for w in text.split():
                ids = word_ids.get(w)
                if ids is None:
                    ids = word_ids[w] = [vocab.setdefault(gram, len(vocab)) for gram in _word_char_grams(w)]
                extra_rows.extend(itertools.repeat(g, len(ids)))
                extra_cols.extend(ids)
        rows.append(np.asarray(extra_rows, np.int64))
        cols.append(np.asarray(extra_cols, np.int64))
        tfs = np.concatenate([self.tfs[sel], np.ones(len(extra_rows))])
        return _triples(np.concatenate(rows), np.concatenate(cols), tfs, vocab, n_groups)


def count_char_grams(docs: Sequence[str]) -> Counts:
    """Char n-gram counts of ``docs``, each distinct word analysed once, counted in one pass."""
    vocab: dict[str, int] = {}
    word_ids: dict[str, list[int]] = {}
    row_ids: list[int] = []
    gram_ids: list[int] = []
    for d, text in enumerate(docs):
        before = len(gram_ids)
        for w in text.split():
            ids = word_ids.get(w)
            if ids is None:
                ids = [vocab.setdefault(g, len(vocab)) for g in _word_char_grams(w)]
                word_ids[w] = ids
            gram_ids.extend(ids)
        row_ids.extend(itertools.repeat(d, len(gram_ids) - before))
    return _triples(np.asarray(row_ids, np.int64), np.asarray(gram_ids, np.int64), None, vocab, len(docs))


def _triples(rows: np.ndarray, cols: np.ndarray, tfs: np.ndarray | None, vocab: dict[str, int], n_docs: int) -> Counts:
    """(document, gram) occurrences (with optional weights) summed into sparse triples."""
    if not len(rows):
        return Counts(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), vocab, n_docs)
    width = len(vocab) + 1
    uniq, inv = np.unique(rows * width + cols, return_inverse=True)
    summed = np.bincount(inv.ravel(), weights=tfs).astype(np.float64)
    return Counts((uniq // width).astype(np.int32), (uniq % width).astype(np.int32), summed, vocab, n_docs)


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
        #: the raw counts, for pooling per topic (``Counts.pooled``); the index drops them after
        self.counts: Counts | None = counts
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
        rows_sorted, vals_sorted = row[order], w[order].astype(np.float32)
        df_int = np.bincount(col, minlength=n_vocab)
        ptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df_int, out=ptr[1:])
        # The most frequent grams (postings over a large share of the documents) are kept as
        # dense rows: one small float32 matrix product replaces gathering long postings, which
        # dominated the cost of a question. The rest stay as postings.
        # Only grams that are frequent *and* within the budget: a rare gram kept dense is a row
        # of zeros as long as the index (the skeleton index of one association was 13 MB of
        # them, half of its whole FAQ); as postings it costs its few entries and is gathered
        # just as fast. Both forms hold the same float32 values.
        budget = DENSE_BUDGET // max(1, self.n_docs)
        cand = np.argsort(-df_int, kind="stable")[:budget]
        frequent = (df_int[cand] * DENSE_MIN_SHARE >= self.n_docs) & (df_int[cand] >= DENSE_MIN_DF)
        dense_ids = np.sort(cand[frequent])
        self._slot = np.full(n_vocab + 1, -1, dtype=np.int64)  # last entry: unknown gram
        self._slot[dense_ids] = np.arange(len(dense_ids))
        self._dense = np.zeros((len(dense_ids), self.n_docs), dtype=np.float32)
        if len(dense_ids):
            lens = df_int[dense_ids]
            pos = np.repeat(ptr[dense_ids] - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))
            self._dense[np.repeat(np.arange(len(dense_ids)), lens), rows_sorted[pos]] = vals_sorted[pos]
        keep = np.ones(n_vocab, dtype=bool)
        keep[dense_ids] = False
        sparse_mask = np.repeat(keep, df_int)
        self._rows = rows_sorted[sparse_mask]
        self._vals = vals_sorted[sparse_mask]
        self._ptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(np.where(keep, df_int, 0), out=self._ptr[1:])
        #: word → (known gram ids, unknown grams) for the char analyzer; bounded
        self._word_cache: dict[str, tuple[list[int], list[str]]] = {}

    def arrays(self) -> dict[str, np.ndarray]:
        """What answering needs besides the vocabulary (``restore`` takes them back)."""
        return {"idf": self.idf, "slot": self._slot, "dense": self._dense, "rows": self._rows,
                "vals": self._vals, "ptr": self._ptr}  # fmt: skip

    @classmethod
    def restore(
        cls, vocab: list[str], n_docs: int, *, idf: np.ndarray, slot: np.ndarray, dense: np.ndarray,
        rows: np.ndarray, vals: np.ndarray, ptr: np.ndarray,
    ) -> Tfidf:  # fmt: skip
        """A char n-gram Tfidf from stored parts, each checked against the others, since they
        come from a file (ValueError on any inconsistency: an index that would score wrongly
        or index out of bounds is never used)."""
        n_vocab = len(vocab)
        n_dense = int((slot >= 0).sum()) if slot.ndim == 1 else -1
        if (
            n_docs < 0 or len(set(vocab)) != n_vocab or idf.shape != (n_vocab,) or slot.shape != (n_vocab + 1,)
            or ptr.shape != (n_vocab + 1,) or dense.shape != (n_dense, n_docs) or rows.shape != vals.shape
            or rows.ndim != 1 or slot[-1] != -1 or bool((slot < -1).any())
            or (n_dense and not np.array_equal(np.sort(slot[slot >= 0]), np.arange(n_dense)))
            or ptr[0] != 0 or ptr[-1] != len(rows) or bool((np.diff(ptr) < 0).any())
            or bool(((rows < 0) | (rows >= n_docs)).any()) or not np.isfinite(idf).all()
            or not np.isfinite(dense).all() or not np.isfinite(vals).all()
        ):  # fmt: skip
            raise ValueError("stored n-gram tables are inconsistent")
        self = cls.__new__(cls)
        self.analyzer = char_grams
        self.counts = None
        self.vocab = {g: i for i, g in enumerate(vocab)}
        self.n_docs = n_docs
        self.idf = idf
        self.idf_unknown = math.log(1.0 + n_docs) + 1.0
        self._slot, self._dense, self._rows, self._vals, self._ptr = slot, dense, rows, vals, ptr
        self._word_cache = {}
        return self

    def footprint(self, seen: set[int]) -> int:
        """Estimated bytes of the vocabulary and arrays (``seen``: ids of strings already counted)."""
        size = sum(a.nbytes for a in self.arrays().values())
        # the dict, its int values (those above 256 are objects of their own) and its gram strings
        size += sys.getsizeof(self.vocab) + 32 * len(self.vocab)
        for g in self.vocab:
            if id(g) not in seen:
                seen.add(id(g))
                size += sys.getsizeof(g)
        return size

    def _word(self, word: str) -> tuple[list[int], list[str]]:
        hit = self._word_cache.get(word)
        if hit is None:
            known: list[int] = []
            unknown: list[str] = []
            for g in _word_char_grams(word):
                gid = self.vocab.get(g)
                if gid is None:
                    unknown.append(g)
                else:
                    known.append(gid)
            hit = (known, unknown)
            if len(self._word_cache) < WORD_CACHE:
                self._word_cache[word] = hit
        return hit

    def query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Known gram ids of ``text`` and their weights in its unit-length vector (also the
        features of :class:`bot.faq.classifier.TopicClassifier`)."""
        known: list[int] = []
        unknown: list[str] = []
        if self.analyzer is char_grams:
            for word in text.split():
                k, u = self._word(word)
                known.extend(k)
                unknown.extend(u)
        else:
            for g in self.analyzer(text):
                gid = self.vocab.get(g)
                if gid is None:
                    unknown.append(g)
                else:
                    known.append(gid)
        gids, tf = np.unique(np.asarray(known, dtype=np.int64), return_counts=True)
        w = self.idf[gids] * (1.0 + np.log(tf))
        norm2 = float(w @ w) if len(w) else 0.0
        if unknown:
            u_tf = np.fromiter(Counter(unknown).values(), dtype=np.float64)
            norm2 += float((((1.0 + np.log(u_tf)) * self.idf_unknown) ** 2).sum())
        return gids, (w / math.sqrt(norm2) if norm2 else w)

    def scores(self, text: str) -> np.ndarray:
        """Cosine of ``text`` with every document (zeros when nothing is shared)."""
        gids, qw = self.query_vector(text)
        if not len(gids):
            return np.zeros(self.n_docs, dtype=np.float64)
        slots = self._slot[gids]
        dense = slots >= 0
        if dense.any():
            # einsum, not ``@``: BLAS would spread this small product over threads (latency spikes)
            out = np.einsum("i,ij->j", qw[dense].astype(np.float32), self._dense[slots[dense]]).astype(np.float64)
            gids, qw = gids[~dense], qw[~dense]
        else:
            out = np.zeros(self.n_docs, dtype=np.float64)
        if not len(gids):
            return out
        starts = self._ptr[gids]
        lens = self._ptr[gids + 1] - starts
        total = int(lens.sum())
        if total == 0:
            return out
        # positions of every posting of every known gram, gathered in one step
        offsets = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
        out += np.bincount(
            self._rows[offsets], weights=self._vals[offsets] * np.repeat(qw, lens), minlength=self.n_docs
        )
        return out
