"""The classifier's second opinion (bot/faq/classifier.py): trained on each association's own
phrasings, it answers a question the matcher alone would only suggest or refuse when both put
the same topic first, and never changes anything when they disagree."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from bot.faq.classifier import TopicClassifier
from bot.faq.decide import decide
from bot.faq.org import get_index
from bot.packs import LoadedPack, load_all

#: the module, not the function ``bot.faq.decide`` that the package exports under the same name
decide_module = importlib.import_module("bot.faq.decide")

#: questions from the tuning sets (tests/eval/faq_eval.jsonl) that the matcher alone refuses or
#: only suggests, although the topic it ranks first is the right one
SECONDED = [
    ("ratel", "طلبي مين يبت فيه عندكم؟", "reviewing_committee"),
    ("taheel", "الموظفين عندكم يعطون المراجع وقته؟", "reception"),
    ("taheel", "what is the purpose of this policy?", "policy_purpose"),
    ("ratel", "لماذا أعدت الجمعية هذه السياسة؟", "policy_purpose"),
]


@pytest.fixture(scope="module")
def packs() -> dict[str, LoadedPack]:
    return load_all()


@pytest.mark.parametrize(("slug", "question", "topic"), SECONDED)
def test_agreement_answers_what_the_matcher_alone_would_not(packs: dict[str, LoadedPack], slug: str, question: str, topic: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    d = decide(question, packs[slug])
    assert (d.kind, d.topic_id) == ("answer", topic)
    monkeypatch.setattr(decide_module, "SECOND_P", 2.0)  # the classifier's opinion never counts
    alone = decide(question, packs[slug])
    assert alone.kind in ("suggest", "fallback"), "the matcher alone answers it: not an example of agreement"


@pytest.mark.parametrize(("slug", "question"), [
    ("amass", "كيف أتقدم لطلب علاج بالخارج على نفقة الدولة؟"),  # a government programme, asked like a request
    ("ilm-alhajj", "هل يجوز الحج عن الميت قبل أن أحج عن نفسي؟"),  # a ruling, not the association's service
    ("rida", "وش أفضل مطعم مندي في الرياض؟"),
    # the classifier seconds a form's topic here: agreement never starts a form
    ("taheel", "how do I apply for a job at Aramco?"),
    ("rida", "how do I apply for a visit visa for my mother?"),
    ("taheel", "write an essay about climate change"),
])
def test_outside_questions_stay_refused(packs: dict[str, LoadedPack], slug: str, question: str) -> None:
    d = decide(question, packs[slug])
    assert d.kind == "fallback", (d.kind, d.topic_id)


def test_it_knows_its_own_phrasings(packs: dict[str, LoadedPack]) -> None:
    index = get_index(packs["amass"]).index
    inside = [(i, text) for i, (doc, text) in enumerate(zip(index.docs, index.norm, strict=True)) if not doc.oos]
    right = sum(index.topic_ids[index.classifier.best(index.char, [text])[0]] == index.docs[i].topic
                for i, text in inside)
    assert right / len(inside) >= 0.95


def test_training_is_deterministic(packs: dict[str, LoadedPack]) -> None:
    """A stored index and a rebuilt one must answer alike: the same phrasings, the same weights."""
    index = get_index(packs["ratel"]).index
    again = TopicClassifier.fit(index.char, index.norm, index._doc_topic, index._oos_mask)
    for name, array in index.classifier.arrays().items():
        assert np.array_equal(array, again.arrays()[name]), name


def test_parts_that_do_not_fit_are_refused(packs: dict[str, LoadedPack]) -> None:
    index = get_index(packs["ratel"]).index
    c = index.classifier
    n_grams, n_topics = len(index.char.vocab), len(index.topic_ids)
    TopicClassifier.restore(n_grams, n_topics, **c.arrays())  # fits
    bad = [
        {**c.arrays(), "weights": c.weights[:-1]},
        {**c.arrays(), "bias": c.bias[:-1]},
        {**c.arrays(), "topics": c.topics + n_topics},
        {**c.arrays(), "weights": c.weights.astype(np.float64)},
        {**c.arrays(), "weights": np.where(c.weights == c.weights.max(), np.nan, c.weights).astype(np.float32)},
    ]
    for parts in bad:
        with pytest.raises(ValueError):
            TopicClassifier.restore(n_grams, n_topics, **parts)


def test_the_same_phrasings_are_trained_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every runtime loads the packs again (new objects, so new indexes); training is what costs
    seconds, and the same phrasings give the same weights, so it is done once."""
    from bot.faq import classifier as classifier_module
    from bot.faq.org import build_org

    fits: list[int] = []
    real = TopicClassifier.fit.__func__  # type: ignore[attr-defined]

    def counting(cls, *args):  # type: ignore[no-untyped-def]
        fits.append(1)
        return real(cls, *args)

    monkeypatch.setattr(TopicClassifier, "fit", classmethod(counting))
    monkeypatch.setattr(classifier_module, "_TRAINED", type(classifier_module._TRAINED)())
    first = build_org(load_all()["taheel"])
    again = build_org(load_all()["taheel"])
    assert len(fits) == 1 and again.index.classifier is first.index.classifier
    pack = load_all()["taheel"]
    topics = list(pack.faq.topics)
    topics[0] = topics[0].model_copy(update={"questions": [*topics[0].questions, "سؤال جديد أضافه مشرف الجمعية"]})
    assert build_org(pack, topics=topics).index.classifier is not first.index.classifier
    assert len(fits) == 2, "new phrasings train a new classifier"
