"""One association's FAQ, ready to decide: its index, topics, labels and refusals.

Built once per pack (``get_index`` caches by slug and rebuilds when the pack object changes)
because building normalises every phrasing; deciding then only scores one question.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Any

import yaml

from bot.faq.index import Doc, FaqIndex
from bot.faq.lang import detect_language
from bot.faq.normalize import normalize
from bot.faq.requests import RequestIntents, build_requests
from bot.faq.thresholds import Thresholds, load_thresholds
from bot.packs import FaqTopic, LoadedPack

__all__ = ["OrgFaq", "build_org", "get_index", "install", "is_built", "oos_data", "set_index_limit", "warm_set"]

_CACHE: OrderedDict[str, tuple[object, OrgFaq]] = OrderedDict()
_LOCK = Lock()
#: most indexes kept built at once; 0 keeps every association's (``set_index_limit``)
_LIMIT = 0


@cache
def oos_data() -> dict[str, Any]:
    """bot/faq/out_of_scope.yaml, parsed once."""
    path = Path(__file__).with_name("out_of_scope.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def oos_docs() -> list[Doc]:
    data = oos_data()
    docs = [Doc(f"oos:{k}", q, oos=True) for k, v in data["programmes"].items() for q in v["phrases"]]
    docs += [Doc(f"oos:{k}", q, oos=True) for k, v in data["chitchat"].items() for q in v]
    return docs


@dataclass(frozen=True)
class OrgFaq:
    slug: str
    short_name: dict[str, str]
    topics: dict[str, FaqTopic]
    index: FaqIndex
    labels: dict[tuple[str, str], str]
    #: " name " (normalised, space-padded) of outside programmes this association never mentions
    foreign_programmes: tuple[str, ...]
    thresholds: Thresholds
    #: wishes for the association's services (its flows), which start the form directly
    requests: RequestIntents = field(default_factory=lambda: RequestIntents({}))


def _label(topic: FaqTopic, lang: str) -> str:
    for q in topic.questions:
        if detect_language(q) == lang and (lang == "en" or any("\u0600" <= c <= "\u06ff" for c in q)):
            return q
    return topic.clause.get(lang)


def build_org(
    pack: LoadedPack,
    *,
    thresholds: Thresholds | None = None,
    topics: list[FaqTopic] | None = None,
    extra_docs: list[Doc] | None = None,
) -> OrgFaq:
    """The association's index; ``topics``/``extra_docs`` let calibration hold phrasings out."""
    th = thresholds or load_thresholds()
    topic_list = topics if topics is not None else list(pack.faq.topics)
    docs = [Doc(t.id, q) for t in topic_list for q in t.questions]
    docs += oos_docs() if extra_docs is None else extra_docs
    p = pack.pack
    texts = [p.name.ar, p.name.en, p.short_name.ar, p.short_name.en]
    for t in pack.faq.topics:
        texts += [t.answer.ar, t.answer.en, t.clause.ar, t.clause.en]
    pooled = {t.id: " ".join([t.answer.ar, t.answer.en, t.clause.ar, t.clause.en]) for t in pack.faq.topics}
    index = FaqIndex(docs, vocabulary_texts=texts, topic_texts=pooled, weights=th.weights)
    own = " " + " ".join(normalize(t) for t in [*texts, *(q for t in topic_list for q in t.questions)]) + " "
    foreign: list[str] = []
    for prog in oos_data()["programmes"].values():
        for name in prog.get("names", []):
            padded = f" {normalize(str(name))} "
            if padded.strip() and padded not in own:
                foreign.append(padded)
    labels = {(t.id, lang): _label(t, lang) for t in pack.faq.topics for lang in ("ar", "en")}
    return OrgFaq(
        slug=p.slug,
        short_name={"ar": p.short_name.ar, "en": p.short_name.en},
        topics={t.id: t for t in pack.faq.topics},
        index=index,
        labels=labels,
        foreign_programmes=tuple(foreign),
        thresholds=th,
        requests=build_requests(pack.flows),
    )


def set_index_limit(limit: int) -> None:
    """Keep at most ``limit`` associations' indexes (0: every one), least recently used out first.

    Why: a worker serving many associations pays ~10 MB per built index; most of them may be
    idle at any moment. An evicted index is rebuilt on its association's next question, which
    then waits for the build (a few hundred milliseconds), so the limit is for deployments
    with more associations than memory, not a default.
    """
    global _LIMIT
    _LIMIT = max(0, limit)
    with _LOCK:
        _evict()


def warm_set(packs: Mapping[str, LoadedPack]) -> list[LoadedPack]:
    """The packs whose indexes are built before traffic (all of them, or the first ``limit``)."""
    loaded = list(packs.values())
    return loaded[:_LIMIT] if _LIMIT else loaded


def is_built(pack: LoadedPack) -> bool:
    """Whether the association's index is built (``/readyz``), without building it."""
    hit = _CACHE.get(pack.pack.slug)
    return hit is not None and hit[0] is pack.faq


def _evict() -> None:
    while _LIMIT and len(_CACHE) > _LIMIT:
        _CACHE.popitem(last=False)


def get_index(pack: LoadedPack) -> OrgFaq:
    """The association's FAQ index, built on first use and kept per slug (see ``set_index_limit``)."""
    slug = pack.pack.slug
    key = pack.faq  # held, not only compared by id, so a new pack can never look cached
    hit = _CACHE.get(slug)
    if hit and hit[0] is key:
        if _LIMIT:
            with contextlib.suppress(KeyError):  # evicted meanwhile by another thread: still ours to use
                _CACHE.move_to_end(slug)
        return hit[1]
    with _LOCK:
        hit = _CACHE.get(slug)
        if hit and hit[0] is key:
            return hit[1]
        org = build_org(pack)
        _CACHE[slug] = (key, org)
        _CACHE.move_to_end(slug)
        _evict()
        return org


def install(pack: LoadedPack) -> OrgFaq:
    """Build the index of an edited pack and make it the one ``get_index`` returns for it.

    Called before the pack is swapped in, so the first question after an edit finds the index
    ready instead of building it inside a beneficiary's turn.
    """
    org = build_org(pack)
    with _LOCK:
        _CACHE[pack.pack.slug] = (pack.faq, org)
        _CACHE.move_to_end(pack.pack.slug)
        _evict()
    return org
