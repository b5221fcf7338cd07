"""A second opinion on a question's topic: a softmax classifier trained on the association's phrasings.

Why: the matcher scores a question by its *similarity* to phrasings and to each topic's pooled
text, so a question worded in everyday words that no phrasing shares stays far from every topic
and is refused, even when its few telling n-grams belong to one topic only. A classifier learns
which n-grams *tell topics apart* (a weight per n-gram and topic), which is a different kind of
evidence. Used as the matcher's second opinion (:func:`bot.faq.decide.classify`): when the
matcher would suggest or refuse but the classifier independently ranks the same topic first,
the two agreeing is taken as enough to answer in words (never to start a form or call an officer).
Chosen on the development sets with the packs as they were when each arrived (dev4: 270 → 273
of 322 in scope, dev5: 263 → 270 of 312, no more wrong answers, no out-of-scope question
answered; figures in :data:`bot.faq.decide.SECOND_P`); alone, its ranking is no better than the
matcher's, so it never overrides it.

It reads the index's own character n-gram TF-IDF vectors (no second vocabulary), has one class
per in-scope topic plus one for all out-of-scope examples, and is trained by full-batch Adam
with L2 and class balancing for a fixed number of steps from zeros, so the same phrasings give
the same weights (a stored index and a rebuilt one answer alike). Training takes 1–3 s per
association of the shipped packs' size on one core (a whole index build 2–4 s, against a few
hundred milliseconds without it), once per process for the same phrasings (:func:`trained`) and
once per release for a stored index; a question costs 0.1–0.2 ms (one gather of a few dozen rows).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from bot.faq.tfidf import Tfidf

__all__ = ["TopicClassifier", "trained"]

EPOCHS = 30
LEARNING_RATE = 0.1
L2 = 1e-4
#: classifiers of the last few distinct sets of phrasings trained in this process (about 1 MB each)
KEEP = 8
_TRAINED: OrderedDict[str, TopicClassifier] = OrderedDict()
_LOCK = threading.Lock()


def trained(tfidf: Tfidf, texts: Sequence[str], doc_topic: np.ndarray, oos_topic: np.ndarray) -> TopicClassifier:
    """:meth:`TopicClassifier.fit`, or the classifier already trained in this process on the same
    phrasings. Why: an association's pack is loaded again by every runtime opened in one process
    (tests, the CLI, a reload that changed another association), and each load builds its index
    anew; the n-gram tables take a few hundred milliseconds, training takes seconds, and the same
    phrasings always give the same weights (the tables are derived from the phrasings alone; the
    key also holds the table's size, so another table of the same texts is not mistaken for it).
    Shared classifiers are read-only (their arrays refuse writes)."""
    h = hashlib.sha256(f"{EPOCHS} {LEARNING_RATE} {L2} {len(tfidf.vocab)} {tfidf.n_docs}".encode())
    for text in texts:
        h.update(text.encode())
        h.update(b"\0")
    h.update(np.asarray(doc_topic, dtype=np.int64).tobytes())
    h.update(np.asarray(oos_topic, dtype=bool).tobytes())
    key = h.hexdigest()
    with _LOCK:
        hit = _TRAINED.get(key)
        if hit is not None:
            _TRAINED.move_to_end(key)
            return hit
    made = TopicClassifier.fit(tfidf, texts, doc_topic, oos_topic)
    with _LOCK:
        _TRAINED[key] = made
        while len(_TRAINED) > KEEP:
            _TRAINED.popitem(last=False)
    return made


class TopicClassifier:
    """Weights (n-gram × class) and biases; class ``k`` < K-1 is index topic ``topics[k]``, the
    last class is "out of scope"."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, topics: np.ndarray) -> None:
        for array in (weights, bias, topics):
            array.flags.writeable = False  # shared by every index of the same phrasings
        self.weights, self.bias, self.topics = weights, bias, topics

    # -- training ---------------------------------------------------------------------------
    @classmethod
    def fit(cls, tfidf: Tfidf, texts: Sequence[str], doc_topic: np.ndarray, oos_topic: np.ndarray) -> TopicClassifier:
        """Train on ``texts`` (the index's normalised phrasings, in its document order):
        ``doc_topic`` is each phrasing's topic position, ``oos_topic`` marks out-of-scope topics."""
        inside = np.flatnonzero(~oos_topic)
        n_classes = len(inside) + 1
        to_class = np.full(len(oos_topic), n_classes - 1, dtype=np.int64)
        to_class[inside] = np.arange(len(inside))
        n_grams = len(tfidf.vocab)
        weights = np.zeros((n_grams, n_classes), np.float32)
        bias = np.zeros(n_classes, np.float32)
        n_docs = len(texts)
        if n_docs == 0 or not len(inside):
            return cls(weights, bias, inside.astype(np.int64))
        y = to_class[np.asarray(doc_topic, dtype=np.int64)]
        vectors = [tfidf.query_vector(t) for t in texts]
        cols = np.concatenate([g for g, _ in vectors]).astype(np.int64)
        vals = np.concatenate([w for _, w in vectors]).astype(np.float32)
        lengths = np.fromiter((len(g) for g, _ in vectors), dtype=np.int64, count=n_docs)
        rows = np.repeat(np.arange(n_docs), lengths)
        has = lengths > 0  # reduceat needs non-empty segments: an empty phrasing has no vector
        starts = (np.cumsum(lengths) - lengths)[has]
        by_col = np.argsort(cols, kind="stable")
        c_rows, c_vals = rows[by_col], vals[by_col]
        grams, c_starts = np.unique(cols[by_col], return_index=True)
        counts = np.bincount(y, minlength=n_classes).astype(np.float32)
        balance = (n_docs / (n_classes * np.maximum(counts, 1.0)))[y].astype(np.float32)
        target = np.zeros((n_docs, n_classes), np.float32)
        target[np.arange(n_docs), y] = 1.0
        state = [np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias), np.zeros_like(bias)]
        b1, b2, eps = 0.9, 0.999, 1e-8
        logits = np.zeros((n_docs, n_classes), np.float32)
        for step in range(1, EPOCHS + 1):
            logits[:] = bias
            if len(cols):
                logits[has] += np.add.reduceat(vals[:, None] * weights[cols], starts)
            logits -= logits.max(axis=1, keepdims=True)
            prob = np.exp(logits)
            prob /= prob.sum(axis=1, keepdims=True)
            grad_out = (prob - target) * (balance[:, None] / n_docs)
            grad_w = L2 * weights
            if len(cols):
                grad_w[grams] += np.add.reduceat(c_vals[:, None] * grad_out[c_rows], c_starts)
            grad_b = grad_out.sum(axis=0)
            for param, grad, m, v in ((weights, grad_w, state[0], state[1]), (bias, grad_b, state[2], state[3])):
                m *= b1
                m += (1 - b1) * grad
                v *= b2
                v += (1 - b2) * grad * grad
                param -= LEARNING_RATE * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + eps)
        return cls(weights, bias, inside.astype(np.int64))

    # -- answering --------------------------------------------------------------------------
    def best(self, tfidf: Tfidf, variants: Sequence[str]) -> tuple[int, float]:
        """The in-scope topic position it ranks first for the question, and its probability
        (the best over the question's variants); (-1, 0.0) when it has no topics."""
        if not len(self.topics):
            return -1, 0.0
        best_p = None
        for v in variants:
            gids, w = tfidf.query_vector(v)
            z = self.bias.astype(np.float64)
            if len(gids):
                z = z + (w[:, None] * self.weights[gids]).sum(axis=0)
            z = np.exp(z - z.max())
            p = z / z.sum()
            best_p = p if best_p is None else np.maximum(best_p, p)
        if best_p is None:
            return -1, 0.0
        k = int(np.argmax(best_p[:-1]))
        return int(self.topics[k]), float(best_p[k])

    # -- storing ----------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights, "bias": self.bias, "topics": self.topics}

    @classmethod
    def restore(cls, n_grams: int, n_topics: int, *, weights: np.ndarray, bias: np.ndarray,
                topics: np.ndarray) -> TopicClassifier:
        """From stored parts, checked against the index they belong to (ValueError if they do not fit)."""
        n_classes = len(topics) + 1
        if (
            weights.dtype != np.float32 or bias.dtype != np.float32 or topics.dtype != np.int64
            or weights.shape != (n_grams, n_classes) or bias.shape != (n_classes,) or topics.ndim != 1
            or bool(((topics < 0) | (topics >= n_topics)).any()) or len(set(topics.tolist())) != len(topics)
            or not np.isfinite(weights).all() or not np.isfinite(bias).all()
        ):  # fmt: skip
            raise ValueError("stored topic classifier does not fit its index")
        return cls(weights, bias, topics)

    def footprint(self) -> int:
        return sum(a.nbytes for a in self.arrays().values())
