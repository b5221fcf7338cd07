"""Built FAQ indexes kept on disk, so a restarted worker loads them instead of building them.

Building an association's index normalises and counts every phrasing and trains its topic
classifier (2–4 s each on one core, so a worker with fifty associations would spend minutes of
its start building); loading a stored one takes
a few milliseconds. A file is named by a key that covers everything the index is made of: the
phrasings, vocabulary and pooled texts, and the code that builds it (a hash of this package's
sources), so an edited pack or a new release never meets an old file. A file is trusted only
as data: NumPy arrays read with ``allow_pickle=False`` plus one JSON document of strings, its
zip members checked by CRC, its key compared and every array's shape, type and range checked
before use. A corrupt, foreign or stale file is reported as missing, and the caller rebuilds
and rewrites it. Files are written to a temporary name and renamed, so a reader sees a whole
file or none, even with several workers sharing the directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
import zipfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.faq.classifier import TopicClassifier
from bot.faq.index import Doc, FaqIndex
from bot.faq.tfidf import Tfidf

__all__ = ["IndexStore", "index_key"]

log = logging.getLogger("sila.faq")

#: bumped when the file layout changes (the source hash already covers the building code)
FORMAT = 3
#: a stored index no current association uses is deleted once it is this old
STALE_SECONDS = 7 * 24 * 3600
_TFIDFS = ("char", "skel_index", "tchar", "tskel")
_ARRAYS: dict[str, str] = {"idf": "float64", "slot": "int64", "dense": "float32", "rows": "int32",
                           "vals": "float32", "ptr": "int64"}  # fmt: skip


@cache
def code_version() -> str:
    """Hash of the FAQ package's sources and tables: a change to how indexes are built is a new key."""
    h = hashlib.sha256(f"{FORMAT} numpy {np.__version__.split('.')[0]}".encode())
    for path in sorted(Path(__file__).parent.iterdir()):
        if path.suffix in {".py", ".yaml", ".json"}:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def index_key(
    docs: Sequence[Doc], vocabulary_texts: Sequence[str], topic_texts: Mapping[str, str], fuzz_scorer: str
) -> str:
    """The name of the index these inputs build (the scoring weights are not part of it)."""
    payload = json.dumps(
        [code_version(), [d.row() for d in docs], list(vocabulary_texts),
         sorted(topic_texts.items()), fuzz_scorer],
        ensure_ascii=False,
    )  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()[:40]


class IndexStore:
    """One directory of stored indexes (``<key>.npz``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._warned = False  # an unwritable directory is said once, not once per association

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def writable(self) -> bool:
        """Whether indexes can be stored here (the directory is created if missing)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.directory, os.W_OK)

    def has(self, key: str) -> bool:
        """Whether a file for ``key`` exists (marked as in use); its content is checked on load."""
        try:
            os.utime(self.path(key))
        except OSError:
            return False
        return True

    def save(self, key: str, index: FaqIndex, foreign_programmes: Sequence[str]) -> None:
        """Write ``index`` (and the outside programmes its association never names, which are
        also derived from its phrasings) under ``key`` atomically; a failure is logged, never
        raised (the index in memory still answers, and the next start builds it again)."""
        meta: dict[str, Any] = {
            "format": FORMAT,
            "key": key,
            "foreign_programmes": list(foreign_programmes),
            "docs": [d.row() for d in index.docs],
            "norm": index.norm,
            "skel": index.skel,
            "fuzz_scorer": index.fuzz_scorer.__name__,
            "vocabulary": sorted(index.vocabulary),
        }
        arrays: dict[str, np.ndarray] = {}
        for name in _TFIDFS:
            tfidf: Tfidf = getattr(index, name)
            meta[name] = {"vocab": list(tfidf.vocab), "n_docs": tfidf.n_docs}
            for field, array in tfidf.arrays().items():
                arrays[f"{name}.{field}"] = array
        for field, array in index.classifier.arrays().items():
            arrays[f"classifier.{field}"] = array
        arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
        tmp = self.directory / f".{key}.{os.getpid()}.{time.monotonic_ns()}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                np.savez(fh, allow_pickle=False, **arrays)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path(key))
        except OSError as exc:
            if not self._warned:
                log.warning("could not store FAQ indexes in %s (%s): each start builds them again", self.directory, exc)
            self._warned = True
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def load(self, key: str, weights: Mapping[str, float]) -> tuple[FaqIndex, list[str]] | None:
        """The stored index for ``key`` and its foreign programmes, or None when there is none
        or it cannot be trusted."""
        path = self.path(key)
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {name: z[name] for name in z.files}
            meta = json.loads(bytes(arrays.pop("meta")).decode())
            return _restore(meta, arrays, key, weights)
        except FileNotFoundError:
            return None
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile,
                UnicodeDecodeError) as exc:  # EOFError: an empty file
            log.warning("stored FAQ index %s is unusable (%s); rebuilding it", path.name, exc)
            return None

    def prune(self, keep: set[str]) -> int:
        """Delete stored indexes not in ``keep`` and unused for ``STALE_SECONDS`` (and old
        temporary files); returns how many were deleted."""
        cutoff = time.time() - STALE_SECONDS
        deleted = 0
        try:
            entries = list(self.directory.iterdir())
        except OSError:
            return 0
        for path in entries:
            stem = path.name.split(".")[1] if path.name.startswith(".") else path.stem
            try:
                if stem not in keep and path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted += 1
            except OSError:
                continue
        return deleted


def _restore(
    meta: dict[str, Any], arrays: dict[str, np.ndarray], key: str, weights: Mapping[str, float]
) -> tuple[FaqIndex, list[str]]:
    """A FaqIndex from a file's content, after checking it describes one (ValueError if not)."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("key") != key:
        raise ValueError("written for another index or format")
    pool: dict[str, str] = {}  # one object per distinct string, as a build shares them

    def strings(values: list[Any]) -> list[str]:
        return [pool.setdefault(v, v) for v in map(str, values)]

    docs = [Doc.from_row(row) for row in meta["docs"]]
    norm, skel = strings(meta["norm"]), strings(meta["skel"])
    if not len(docs) == len(norm) == len(skel):
        raise ValueError("phrasing lists differ in length")
    tfidfs: dict[str, Tfidf] = {}
    for name in _TFIDFS:
        part = {field: arrays[f"{name}.{field}"] for field in _ARRAYS}
        for field, dtype in _ARRAYS.items():
            if part[field].dtype != np.dtype(dtype):
                raise ValueError(f"{name}.{field} is {part[field].dtype}, not {dtype}")
        tfidfs[name] = Tfidf.restore(strings(meta[name]["vocab"]), int(meta[name]["n_docs"]), **part)
    n_topics = len(dict.fromkeys((d.topic, d.oos) for d in docs))
    classifier = TopicClassifier.restore(
        len(tfidfs["char"].vocab), n_topics, weights=arrays["classifier.weights"], bias=arrays["classifier.bias"],
        topics=arrays["classifier.topics"],
    )  # fmt: skip
    index = FaqIndex.restore(
        docs, norm, skel, tfidfs, classifier, vocabulary=strings(meta["vocabulary"]), weights=weights,
        fuzz_scorer=str(meta["fuzz_scorer"]),
    )  # fmt: skip
    return index, [str(name) for name in meta["foreign_programmes"]]
