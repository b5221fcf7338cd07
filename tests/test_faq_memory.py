"""Many associations per worker: compact FAQ indexes, and a bound on how many are kept built."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from bot.faq import tfidf
from bot.faq.decide import decide_with
from bot.faq.org import build_org, get_index, is_built, set_index_limit, warm_set
from bot.packs import load_all


def test_rare_grams_are_postings_not_dense_rows_of_zeros() -> None:
    index = build_org(load_all()["amass"]).index
    for t in (index.char, index.skel_index, index.tchar, index.tskel):
        dense_rows = t._dense.shape[0]
        assert dense_rows < len(t.vocab) / 2, "most grams are rare: kept as postings"
        assert t.counts is None, "raw counts are dropped once the index is built"


def test_dense_and_postings_score_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [q for topic in load_all()["rida"].faq.topics for q in topic.questions]
    compact = tfidf.Tfidf(docs)
    monkeypatch.setattr(tfidf, "DENSE_MIN_DF", 1)
    monkeypatch.setattr(tfidf, "DENSE_BUDGET", 10**9)
    monkeypatch.setattr(tfidf, "DENSE_MIN_SHARE", 10**9)  # every gram a dense row
    dense = tfidf.Tfidf(docs)
    assert dense._dense.shape[0] == len(dense.vocab) > compact._dense.shape[0]
    for question in ("كم مدة دراسة الطلب", "how do I become a member", "الاسهم والارباح"):
        assert np.allclose(compact.scores(question), dense.scores(question), atol=1e-6)


@pytest.fixture
def limit_two() -> Iterator[None]:
    set_index_limit(2)
    try:
        yield
    finally:
        set_index_limit(0)


def test_at_most_the_limit_stay_built_and_an_evicted_one_answers_the_same(limit_two) -> None:
    packs = load_all()
    amass, rida, ratel = packs["amass"], packs["rida"], packs["ratel"]
    before = decide_with(get_index(amass), "كم مدة دراسة الطلب")
    get_index(rida)
    get_index(ratel)
    assert not is_built(amass) and is_built(rida) and is_built(ratel)
    assert decide_with(get_index(amass), "كم مدة دراسة الطلب") == before
    assert not is_built(rida), "the least recently used made room"
    assert [p.pack.slug for p in warm_set(packs)] == list(packs)[:2]
