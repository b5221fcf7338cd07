"""Phrasings borrowed from the other shipped associations (bot/faq/phrasebook.py): what is
borrowed, that it is matched but kept out of a topic's pooled text, and that it answers."""

from __future__ import annotations

import numpy as np
import pytest

from bot.faq.bodies import own_names
from bot.faq.decide import decide_with
from bot.faq.index import Doc, FaqIndex
from bot.faq.index_store import IndexStore, index_key
from bot.faq.normalize import normalize
from bot.faq.org import _inputs, build_org
from bot.faq.phrasebook import borrowed_docs
from bot.packs import load_all


@pytest.fixture(scope="module")
def packs():
    return load_all()


def test_borrowed_are_the_others_phrasings_of_its_own_topics_once_and_never_naming_their_source(packs):
    rida = packs["rida"]
    own = [Doc(t.id, q) for t in rida.faq.topics for q in t.questions]
    ids = {t.id for t in rida.faq.topics}
    borrowed = borrowed_docs("rida", ids, own)
    assert len(borrowed) > 1000  # the other four packs' distinct phrasings for the shared topics
    assert all(d.borrowed and not d.oos and d.topic in ids for d in borrowed)
    keys = [(d.topic, normalize(d.text)) for d in borrowed]
    assert len(set(keys)) == len(keys)
    assert not set(keys) & {(d.topic, normalize(d.text)) for d in own}
    others = {slug: p for slug, p in packs.items() if slug != "rida"}
    # each was written for another association, and does not name the one it was written for
    # ("امس" is Amass's name, and also "yesterday" in another association's phrasing)
    sources: dict[tuple[str, str], list[set[str]]] = {}
    for p in others.values():
        names = set(own_names([], [p.pack.short_name.ar, p.pack.short_name.en]).distinctive)
        for t in p.faq.topics:
            for q in t.questions:
                sources.setdefault((t.id, q), []).append(names)
    assert all(any(not names & set(normalize(d.text).split()) for names in sources[(d.topic, d.text)])
               for d in borrowed)  # fmt: skip
    amass_names = own_names([], ["جمعية أمس", "Amass Association"]).distinctive
    assert not [
        d
        for d in borrowed_docs("rida", ids, own)
        if d.topic == "about" and amass_names & set(normalize(d.text).split())
    ]
    # only the association's own topics: Rida-only topics are borrowed by nobody
    assert not [d for d in borrowed_docs("amass", {t.id for t in packs["amass"].faq.topics}, [])
                if d.topic in {"general_assembly", "members"}]  # fmt: skip


def test_a_borrowed_phrasing_is_matched_but_not_pooled_into_its_topic():
    docs = [Doc("fees", "كم الرسوم"), Doc("fees", "zzqx فلوس كثير", borrowed=True), Doc("hours", "متى الدوام")]
    index = FaqIndex(docs)
    fees = index.topic_ids.index("fees")
    borrowed_row = next(i for i, d in enumerate(index.docs) if d.borrowed)
    assert index.doc_channels(["zzqx"])["char"][borrowed_row] > 0.5  # matched one by one …
    assert index.topic_level(["zzqx"])["tchar"][fees] == 0.0  # … yet absent from the pooled text
    assert index.topic_level(["الرسوم"])["tchar"][fees] > 0.0


def test_borrowing_answers_a_question_worded_as_another_association_asks_it(packs):
    question = "عندي شكوه على الموظفه اللي استقبلتني وين اقدمها"  # dev5, asked of Rida
    assert decide_with(build_org(packs["rida"], borrow=False), question).kind == "fallback"
    d = decide_with(build_org(packs["rida"]), question)
    assert (d.kind, d.topic_id) == ("answer", "satisfaction_rating")


def test_the_borrowed_mark_survives_the_store_and_names_the_index(packs, tmp_path):
    pack = packs["taheel"]
    docs, texts, pooled = _inputs(pack, list(pack.faq.topics), None)
    alone, _, _ = _inputs(pack, list(pack.faq.topics), None, borrow=False)
    assert index_key(docs, texts, pooled, "token_sort_ratio") != index_key(alone, texts, pooled, "token_sort_ratio")
    unmarked = [Doc(d.topic, d.text, d.oos) for d in docs]
    assert index_key(docs, texts, pooled, "token_sort_ratio") != index_key(unmarked, texts, pooled, "token_sort_ratio")
    org = build_org(pack)
    store = IndexStore(tmp_path)
    store.save("k", org.index, org.foreign_programmes)
    loaded = store.load("k", org.index.weights)
    assert loaded is not None
    assert [d.borrowed for d in loaded[0].docs] == [d.borrowed for d in org.index.docs]
    assert any(d.borrowed for d in loaded[0].docs)
    assert np.array_equal(loaded[0].tchar.idf, org.index.tchar.idf)
