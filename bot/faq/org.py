"""One association's FAQ, ready to decide: its index, topics, labels and refusals.

Built once per pack (``get_index`` caches by slug and rebuilds when the pack object changes)
because building normalises every phrasing; deciding then only scores one question. A worker
with many associations keeps only the recently used indexes in memory, within a memory budget
(``set_index_limit``), and every built index on disk (``set_index_store``,
bot/faq/index_store.py): an idle association's next question loads its index in milliseconds
instead of building it, and a restarted worker loads instead of building.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Any

import yaml

from bot.faq.bodies import OwnNames, own_names
from bot.faq.index import Doc, FaqIndex
from bot.faq.index_store import IndexStore, index_key
from bot.faq.lang import detect_language
from bot.faq.normalize import normalize
from bot.faq.phrasebook import borrowed_docs
from bot.faq.requests import RequestIntents, build_requests
from bot.faq.thresholds import Thresholds, load_thresholds
from bot.packs import FaqTopic, LoadedPack

__all__ = [
    "OrgFaq", "build_here", "build_org", "builder_command", "builder_line", "foreign_programmes", "get_index",
    "install", "is_built", "is_stored", "kept_bytes", "oos_data", "set_index_limit", "set_index_store", "warm",
]  # fmt: skip

log = logging.getLogger("sila.faq")

#: slug → (the pack's FAQ object it was built from, the association's FAQ, its estimated bytes)
_CACHE: OrderedDict[str, tuple[object, OrgFaq, int]] = OrderedDict()
_LOCK = Lock()
#: most indexes kept in memory at once, and the most bytes they may take together; 0: no bound
_LIMIT = 0
_BUDGET = 0
#: where built indexes are kept on disk; None: nowhere (each is built in memory)
_STORE: IndexStore | None = None


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
    #: its names, which alone may follow "جمعية" in a question about it (bot/faq/bodies.py)
    names: OwnNames
    thresholds: Thresholds
    #: wishes for the association's services (its flows), which start the form directly
    requests: RequestIntents = field(default_factory=lambda: RequestIntents({}))


def _label(topic: FaqTopic, lang: str) -> str:
    for q in topic.questions:
        if detect_language(q) == lang and (lang == "en" or any("\u0600" <= c <= "\u06ff" for c in q)):
            return q
    return topic.clause.get(lang)


def _inputs(
    pack: LoadedPack, topic_list: list[FaqTopic], extra_docs: list[Doc] | None, *, borrow: bool = True
) -> tuple[list[Doc], list[str], dict[str, str]]:
    """What the association's index is built from: phrasings (its own, and with ``borrow`` the
    other shipped associations' for the same topics, :mod:`bot.faq.phrasebook`), vocabulary
    texts, pooled topic texts."""
    docs = [Doc(t.id, q) for t in topic_list for q in t.questions]
    if borrow:
        docs += borrowed_docs(pack.pack.slug, [t.id for t in topic_list], docs)
    docs += oos_docs() if extra_docs is None else extra_docs
    p = pack.pack
    texts = [p.name.ar, p.name.en, p.short_name.ar, p.short_name.en]
    for t in pack.faq.topics:
        texts += [t.answer.ar, t.answer.en, t.clause.ar, t.clause.en]
    pooled = {t.id: " ".join([t.answer.ar, t.answer.en, t.clause.ar, t.clause.en]) for t in pack.faq.topics}
    return docs, texts, pooled


def foreign_programmes(texts: list[str], questions: list[str]) -> tuple[str, ...]:
    """Outside programmes (" name ", normalised) none of the association's own texts mention."""
    own = " " + " ".join(normalize(t) for t in [*texts, *questions]) + " "
    foreign: list[str] = []
    for prog in oos_data()["programmes"].values():
        for name in prog.get("names", []):
            padded = f" {normalize(str(name))} "
            if padded.strip() and padded not in own:
                foreign.append(padded)
    return tuple(foreign)


def _index(
    docs: list[Doc], texts: list[str], pooled: dict[str, str], topic_list: list[FaqTopic], th: Thresholds
) -> tuple[FaqIndex, tuple[str, ...]]:
    """The index and foreign programmes: loaded from the store when it holds these inputs', else
    built (and stored)."""
    key = index_key(docs, texts, pooled, "token_sort_ratio") if _STORE is not None else ""
    if _STORE is not None and (stored := _STORE.load(key, th.weights)) is not None:
        return stored[0], tuple(stored[1])
    index = FaqIndex(docs, vocabulary_texts=texts, topic_texts=pooled, weights=th.weights)
    foreign = foreign_programmes(texts, [q for t in topic_list for q in t.questions])
    if _STORE is not None:
        _STORE.save(key, index, foreign)
    return index, foreign


def build_org(
    pack: LoadedPack,
    *,
    thresholds: Thresholds | None = None,
    topics: list[FaqTopic] | None = None,
    extra_docs: list[Doc] | None = None,
    borrow: bool = True,
) -> OrgFaq:
    """The association's index; ``topics``/``extra_docs`` let calibration hold phrasings out, and
    ``borrow=False`` leaves out the phrasings borrowed from other associations (calibration's
    folds: another association's copy of a held-out phrasing would give its answer away)."""
    th = thresholds or load_thresholds()
    topic_list = topics if topics is not None else list(pack.faq.topics)
    docs, texts, pooled = _inputs(pack, topic_list, extra_docs, borrow=borrow)
    index, foreign = _index(docs, texts, pooled, topic_list, th)
    p = pack.pack
    labels = {(t.id, lang): _label(t, lang) for t in pack.faq.topics for lang in ("ar", "en")}
    return OrgFaq(
        slug=p.slug,
        short_name={"ar": p.short_name.ar, "en": p.short_name.en},
        topics={t.id: t for t in pack.faq.topics},
        index=index,
        labels=labels,
        foreign_programmes=foreign,
        names=own_names([p.name.ar, p.name.en, *([p.tagline.ar, p.tagline.en] if p.tagline else [])],
                        [p.short_name.ar, p.short_name.en]),
        thresholds=th,
        requests=build_requests(pack.flows),
    )


def set_index_limit(limit: int, memory_mb: int = 0) -> None:
    """Keep at most ``limit`` associations' indexes in memory and at most ``memory_mb`` of them
    (0: no bound), least recently used out first.

    Why: a worker serving many associations pays 28–32 MB per index in memory, and most
    associations are idle at any moment. An evicted index is loaded from the store on its
    association's next question (tens of milliseconds), or rebuilt when there is no store
    (two to four seconds). The one index in use is always kept, whatever its size.
    """
    global _LIMIT, _BUDGET
    _LIMIT = max(0, limit)
    _BUDGET = max(0, memory_mb) * 1024 * 1024
    with _LOCK:
        _evict()


def set_index_store(directory: Path | None) -> None:
    """Keep built indexes in ``directory`` (None: keep none on disk)."""
    global _STORE
    _STORE = IndexStore(directory) if directory is not None else None


def kept_bytes() -> int:
    """Estimated bytes of the indexes now in memory (what the memory bound counts)."""
    return sum(size for _, _, size in list(_CACHE.values()))


def _room_for_another() -> bool:
    n = len(_CACHE)
    if _LIMIT and n >= _LIMIT:
        return False
    total = kept_bytes()
    return not _BUDGET or not n or total + total // n <= _BUDGET


def warm(packs: Mapping[str, LoadedPack]) -> list[tuple[str, LoadedPack]]:
    """Before traffic: load (or build and store) indexes in order while the memory bounds
    leave room, and list the other associations whose index the store lacks, with its key.

    The caller builds those (``build_here``, or a process of its own running
    ``builder_command`` fed ``builder_line`` per index), so that once they are stored no
    question builds an index. Without a store (or an unwritable one) there is nothing to list:
    indexes are built here while there is room, and the others on their first question.
    """
    if _STORE is None:
        for loaded in packs.values():
            if not _room_for_another():
                break
            get_index(loaded)
        return []
    store = _STORE
    keys: set[str] = set()
    missing: dict[str, LoadedPack] = {}
    room = True
    for loaded in packs.values():
        key = _key_of(loaded)
        keys.add(key)
        room = room and _room_for_another()
        if room:
            get_index(loaded)  # loaded, or built and stored
        elif key not in missing and not store.has(key):
            missing[key] = loaded
    store.prune(keys)
    if missing and not store.writable():  # nothing built now could be kept
        log.warning("FAQ index store %s is not writable: indexes are built on first use", store.directory)
        return []
    return list(missing.items())


def _key_of(pack: LoadedPack) -> str:
    docs, texts, pooled = _inputs(pack, list(pack.faq.topics), None)
    return index_key(docs, texts, pooled, "token_sort_ratio")


def is_stored(key: str) -> bool:
    """Whether the store holds the index of ``key`` now."""
    return _STORE is not None and _STORE.has(key)


def build_here(missing: list[tuple[str, LoadedPack]]) -> None:
    """Build and store, in this process, the indexes ``warm`` listed that are still missing."""
    if _STORE is None:
        return
    for key, pack in missing:
        if not _STORE.has(key):
            topic_list = list(pack.faq.topics)
            docs, texts, pooled = _inputs(pack, topic_list, None)
            index = FaqIndex(docs, vocabulary_texts=texts, topic_texts=pooled)
            _STORE.save(key, index, foreign_programmes(texts, [q for t in topic_list for q in t.questions]))


def builder_command() -> list[str]:
    """A process that builds indexes into the store, one JSON line each on its standard input
    (``builder_line``): bot/faq/index_builder.py."""
    directory = str(_STORE.directory) if _STORE is not None else ""
    return [sys.executable, "-m", "bot.faq.index_builder", directory]


def builder_line(key: str, pack: LoadedPack) -> bytes:
    """What ``builder_command`` needs to build one association's index: one JSON line, made
    when it is sent (a few hundred KB each: hundreds of them at once would be a worker's
    memory)."""
    topic_list = list(pack.faq.topics)
    docs, texts, pooled = _inputs(pack, topic_list, None)
    job = {
        "key": key, "docs": [d.row() for d in docs], "texts": texts, "pooled": pooled,
        "questions": [q for t in topic_list for q in t.questions],
    }  # fmt: skip
    return json.dumps(job, ensure_ascii=False).encode() + b"\n"


def is_built(pack: LoadedPack) -> bool:
    """Whether the association's index is in memory, without building or loading it."""
    hit = _CACHE.get(pack.pack.slug)
    return hit is not None and hit[0] is pack.faq


def _evict() -> None:
    while len(_CACHE) > 1 and ((_LIMIT and len(_CACHE) > _LIMIT) or (_BUDGET and kept_bytes() > _BUDGET)):
        _CACHE.popitem(last=False)


def _keep(pack: LoadedPack, org: OrgFaq) -> None:
    """Under ``_LOCK``: make ``org`` the association's index, most recently used."""
    _CACHE[pack.pack.slug] = (pack.faq, org, org.index.footprint())
    _CACHE.move_to_end(pack.pack.slug)
    _evict()


def get_index(pack: LoadedPack) -> OrgFaq:
    """The association's FAQ index, kept per slug: built or loaded on first use (see ``set_index_limit``)."""
    slug = pack.pack.slug
    key = pack.faq  # held, not only compared by id, so a new pack can never look cached
    hit = _CACHE.get(slug)
    if hit and hit[0] is key:
        if _LIMIT or _BUDGET:
            with contextlib.suppress(KeyError):  # evicted meanwhile by another thread: still ours to use
                _CACHE.move_to_end(slug)
        return hit[1]
    with _LOCK:
        hit = _CACHE.get(slug)
        if hit and hit[0] is key:
            return hit[1]
        org = build_org(pack)
        _keep(pack, org)
        return org


def install(pack: LoadedPack) -> OrgFaq:
    """Build the index of an edited pack and make it the one ``get_index`` returns for it.

    Called before the pack is swapped in, so the first question after an edit finds the index
    ready instead of building it inside a beneficiary's turn.
    """
    org = build_org(pack)
    with _LOCK:
        _keep(pack, org)
    return org
