"""How long an admin's edit takes to reach the assistant, per association (issue 17: < 1 s).

For each association: an FAQ answer edit merged and validated with the pack models
(``bot.pack_edit.apply``), then its FAQ index rebuilt (``bot.faq.org.install``: what the worker
that took the edit does before swapping the pack in), and the whole console action end to end on
a temporary SQLite database (``PackRegistry.edit``: validate, store the version with its diff and
audit row, rebuild, swap, announce). Baseline measured in the same run: loading the pack from
disk (what every start does per association). Medians of 5; reports, never asserts.

    .venv/bin/python bench/reindex_bench.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import pack_edit  # noqa: E402
from bot.faq.org import install  # noqa: E402
from bot.packs import load_all, load_pack  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.db import migrate  # noqa: E402
from wiring.runtime import open_runtime  # noqa: E402

RUNS = 5


def median(fn: Any) -> float:
    runs = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def edit_of(loaded: Any, n: int) -> dict[str, Any]:
    topic = loaded.faq.topics[0]
    return {"topics": {topic.id: {"answer": {"ar": topic.answer.ar + f" ({n})", "en": topic.answer.en + f" ({n})"}}}}


async def end_to_end(tmp: str) -> dict[str, float]:
    settings = load_settings(env={}, data_dir=tmp, sqlite_synchronous="NORMAL")
    await migrate(settings)
    out: dict[str, float] = {}
    async with open_runtime(settings) as runtime:
        registry = runtime.knowledge
        assert registry is not None
        for slug in runtime.packs:
            runs = []
            for n in range(RUNS):
                doc = edit_of(registry.defaults[slug], n)
                t = time.perf_counter()
                await registry.edit(slug, author="bench", action="answer", expected=n, change=lambda _d, d=doc: d)
                runs.append(time.perf_counter() - t)
            out[slug] = statistics.median(runs)
    return out


def main() -> int:
    packs = load_all()
    with tempfile.TemporaryDirectory() as tmp:
        whole = asyncio.run(end_to_end(tmp))
    print(f"{'association':12} {'load from disk':>15} {'merge+validate':>15} {'re-index':>10} {'console edit':>13}")
    for slug, loaded in packs.items():
        disk = median(lambda loaded=loaded: load_pack(loaded.directory))
        validate = median(lambda loaded=loaded: pack_edit.apply(loaded, edit_of(loaded, 1)))
        edited = pack_edit.apply(loaded, edit_of(loaded, 1))
        index = median(lambda edited=edited: install(edited))
        print(f"{slug:12} {disk * 1000:13.1f}ms {validate * 1000:13.1f}ms {index * 1000:8.1f}ms "
              f"{whole[slug] * 1000:11.1f}ms  (re-index = {index / disk:.1f}x loading from disk)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
