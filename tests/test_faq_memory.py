"""Many associations per worker: compact FAQ indexes, a bound on how many are kept in memory,
and built indexes kept on disk (bot/faq/index_store.py) that answer exactly as a fresh build."""

from __future__ import annotations

import gc
import json
import subprocess
import threading
import tracemalloc
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot import engine as engine_module
from bot.faq import classifier as classifier_module
from bot.faq import org as org_module
from bot.faq import tfidf
from bot.faq.decide import decide_with
from bot.faq.index import FaqIndex
from bot.faq.index_store import IndexStore
from bot.faq.org import (
    build_here,
    build_org,
    builder_command,
    builder_line,
    get_index,
    is_built,
    is_stored,
    kept_bytes,
    set_index_limit,
    set_index_store,
    warm,
)
from bot.packs import LoadedPack, load_all

EVAL = Path(__file__).parent / "eval" / "faq_eval.jsonl"


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
def unbounded() -> Iterator[None]:
    """Each test starts with no index in memory; whatever it sets, the module goes back to no
    bound and no store."""
    org_module._CACHE.clear()
    try:
        yield
    finally:
        set_index_limit(0)
        set_index_store(None)
        org_module._CACHE.clear()


@pytest.fixture
def store(tmp_path: Path, unbounded: None) -> IndexStore:
    set_index_store(tmp_path / "faq-indexes")
    assert org_module._STORE is not None
    return org_module._STORE


def _questions(slug: str) -> list[str]:
    items = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [it["q"] for it in items if it["org"] == slug] + ["wain el far3", "كم مدة دراسة الطلب", "حساب المواطن"]


class _Builds:
    """Counts FaqIndex builds (a loaded index is not one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = FaqIndex.__init__

        def counting(index: FaqIndex, *args: object, **kwargs: object) -> None:
            self.count += 1
            real(index, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(FaqIndex, "__init__", counting)


def test_at_most_the_limit_stay_built_and_an_evicted_one_answers_the_same(unbounded: None) -> None:
    set_index_limit(2)
    packs = load_all()
    amass, rida, ratel = packs["amass"], packs["rida"], packs["ratel"]
    before = decide_with(get_index(amass), "كم مدة دراسة الطلب")
    get_index(rida)
    get_index(ratel)
    assert not is_built(amass) and is_built(rida) and is_built(ratel)
    assert decide_with(get_index(amass), "كم مدة دراسة الطلب") == before
    assert not is_built(rida), "the least recently used made room"


@pytest.mark.parametrize("slug", ["amass", "rida"])
def test_a_stored_index_decides_exactly_like_a_fresh_build(slug: str, store: IndexStore, monkeypatch) -> None:
    pack = load_all()[slug]
    set_index_store(None)
    fresh = build_org(pack)
    # trained again, not handed the memoised classifier: the stored weights must be a build's own
    monkeypatch.setattr(classifier_module, "_TRAINED", OrderedDict())
    set_index_store(store.directory)
    stored = build_org(pack)  # built and stored
    assert stored.index.classifier is not fresh.index.classifier
    builds = _Builds(monkeypatch)
    loaded = build_org(pack)
    assert builds.count == 0, "the second time it is loaded, not built"
    assert loaded.index is not fresh.index and loaded.foreign_programmes == fresh.foreign_programmes
    for name in ("char", "skel_index", "tchar", "tskel"):
        a, b = getattr(fresh.index, name), getattr(loaded.index, name)
        assert a.vocab == b.vocab
        for field, array in a.arrays().items():
            assert np.array_equal(array, b.arrays()[field]), f"{name}.{field}"
    for field, array in fresh.index.classifier.arrays().items():
        assert np.array_equal(array, loaded.index.classifier.arrays()[field]), f"classifier.{field}"
    for q in _questions(slug):
        assert decide_with(loaded, q) == decide_with(fresh, q), q
        assert loaded.index.match(q) == fresh.index.match(q), q


def _only_file(store: IndexStore) -> Path:
    files = list(store.directory.glob("*.npz"))
    assert len(files) == 1
    return files[0]


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-5000])


def _empty(path: Path) -> None:
    """Cut to nothing (a copy or a file system that lost the data but kept the name)."""
    path.write_bytes(b"")


def _meta_not_an_object(path: Path) -> None:
    """A whole zip of arrays whose JSON document is not the object a stored index has."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["meta"] = np.frombuffer(b"[1, 2]", dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _rows_out_of_range(path: Path) -> None:
    """A well-formed file whose postings point past the documents (would index out of bounds)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["char.rows"] = arrays["char.rows"] + 10**6
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _classifier_for_another_index(path: Path) -> None:
    """A well-formed file whose topic classifier has a row too few (another vocabulary's)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["classifier.weights"] = arrays["classifier.weights"][:-1]
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _classifier_topics_shuffled(path: Path) -> None:
    """A well-formed file whose classifier's classes name the topics in another order (its votes
    would go to the wrong topics)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["classifier.topics"] = np.roll(arrays["classifier.topics"], 1)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _wrong_key(path: Path) -> None:
    """A whole, valid file, but of another index (as a stale or misnamed file would be)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    meta["key"] = "0" * 40
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.mark.parametrize("damage", [_flip_byte, _truncate, _empty, _meta_not_an_object, _rows_out_of_range,
                                    _classifier_for_another_index, _classifier_topics_shuffled, _wrong_key])
def test_a_damaged_or_stale_stored_index_is_rebuilt_not_used(damage, store: IndexStore, monkeypatch) -> None:
    pack = load_all()["ratel"]
    expected = decide_with(build_org(pack), "كم مدة دراسة الطلب")
    path = _only_file(store)
    damage(path)
    builds = _Builds(monkeypatch)
    org = build_org(pack)
    assert builds.count == 1, "the damaged file was not trusted"
    assert decide_with(org, "كم مدة دراسة الطلب") == expected
    build_org(pack)
    assert builds.count == 1, "and the rebuilt index was stored again in its place"
    assert _only_file(store) == path


def test_a_stored_file_is_never_unpickled(store: IndexStore) -> None:
    """Object arrays (which need pickle) are refused by the reader, whatever they hold."""
    pack = load_all()["ratel"]
    build_org(pack)
    path = _only_file(store)
    with np.load(path, allow_pickle=False) as z:
        arrays: dict[str, np.ndarray] = {k: z[k] for k in z.files}
    arrays["char.idf"] = np.array([object()] * 3, dtype=object)
    with open(path, "wb") as fh:
        np.savez(fh, allow_pickle=True, **arrays)
    with zipfile.ZipFile(path) as zf:
        assert "char.idf.npy" in zf.namelist()
    assert store.load(path.stem, {}) is None


def test_an_edited_pack_has_an_index_of_its_own(store: IndexStore) -> None:
    pack = load_all()["ratel"]
    build_org(pack)
    topics = list(pack.faq.topics)
    edited_topic = topics[0].model_copy(update={"questions": [*topics[0].questions, "سؤال جديد عن الدوام"]})
    faq = pack.faq.model_copy(update={"topics": [edited_topic, *topics[1:]]})
    edited = LoadedPack.model_construct(**{**dict(pack), "faq": faq})
    org = build_org(edited)
    assert len(list(store.directory.glob("*.npz"))) == 2
    assert "سؤال جديد عن الدوام" in [d.text for d in org.index.docs]


def test_memory_bound_evicts_and_an_evicted_index_is_loaded_not_built(store: IndexStore, monkeypatch) -> None:
    packs = load_all()
    amass, rida = packs["amass"], packs["rida"]
    sizes = [build_org(p).index.footprint() for p in (amass, rida)]
    bound_mb = max(sizes) // 2**20 + 1
    assert sum(sizes) > bound_mb * 2**20, "one index fits in the bound, two do not"
    set_index_limit(0, memory_mb=bound_mb)
    before = decide_with(get_index(amass), "كم مدة دراسة الطلب")
    get_index(rida)
    assert not is_built(amass) and is_built(rida)
    assert kept_bytes() <= bound_mb * 2**20
    builds = _Builds(monkeypatch)
    assert decide_with(get_index(amass), "كم مدة دراسة الطلب") == before
    assert builds.count == 0 and is_built(amass) and not is_built(rida)


def test_warm_keeps_what_fits_and_lists_what_the_store_lacks(store: IndexStore, monkeypatch) -> None:
    packs = load_all()
    set_index_limit(2)
    missing = warm(packs)
    assert [slug for slug, p in packs.items() if is_built(p)] == list(packs)[:2]
    assert [p.pack.slug for _, p in missing] == list(packs)[2:]
    assert not any(is_stored(key) for key, _ in missing)
    build_here(missing)
    assert all(is_stored(key) for key, _ in missing)
    assert len(list(store.directory.glob("*.npz"))) == len(packs)
    org_module._CACHE.clear()
    builds = _Builds(monkeypatch)
    assert warm(packs) == [] and builds.count == 0, "restart: nothing to build"
    last = list(packs.values())[-1]
    assert not is_built(last)
    assert decide_with(get_index(last), "كم مدة دراسة الطلب").kind and builds.count == 0


def test_a_builder_process_stores_what_a_build_here_would(store: IndexStore) -> None:
    packs = load_all()
    set_index_limit(1)
    missing = warm(packs)
    assert len(missing) == len(packs) - 1
    lines = b"".join(builder_line(key, pack) for key, pack in missing)
    done = subprocess.run(builder_command(), input=lines, timeout=120, check=False)
    assert done.returncode == 0
    assert all(is_stored(key) for key, _ in missing)
    for slug in list(packs)[1:3]:
        set_index_store(None)
        fresh = build_org(packs[slug])
        set_index_store(store.directory)
        loaded = build_org(packs[slug])
        assert loaded.foreign_programmes == fresh.foreign_programmes
        for q in _questions(slug)[:40]:
            assert decide_with(loaded, q) == decide_with(fresh, q), q


def test_footprint_estimate_is_close_to_what_a_build_allocates() -> None:
    pack = load_all()["amass"]
    build_org(pack)  # caches of the normaliser warmed
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        org = build_org(pack)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0.85 < org.index.footprint() / grown < 1.15


async def test_an_evicted_index_is_loaded_off_the_event_loop(h, unbounded: None,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A question to an association whose index was evicted waits for it on a thread: the
    50-300 ms of loading or building hold up that conversation, not every other one on the loop."""
    packs = h.runtime.engine.packs
    set_index_limit(1)
    get_index(packs["rida"])
    assert not is_built(packs["amass"])
    threads: list[str] = []
    real = engine_module.get_index

    def recording(pack: LoadedPack) -> object:
        threads.append(threading.current_thread().name)
        return real(pack)

    monkeypatch.setattr(engine_module, "get_index", recording)
    out = await h.say("cold-visitor", "كم مدة دراسة الطلب؟")
    assert threads and threads[0] != threading.main_thread().name
    assert is_built(packs["amass"])
    assert any("أسبوع" in r.text or "week" in r.text for r in out.replies)
