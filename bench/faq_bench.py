"""FAQ matcher benchmark: one index of 10,000 phrasings, build time, decide latency, memory,
and rapidfuzz ``extractOne(WRatio)`` over the same phrasings as the baseline. Figures only.

    .venv/bin/python bench/faq_bench.py [--phrasings 10000] [--questions 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import psutil
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.faq.decide import decide_with
from bot.faq.index import Doc
from bot.faq.normalize import normalize
from bot.faq.org import build_org, oos_docs
from bot.packs import load_all
from tools.augment import to_arabizi, with_typos

FILLERS = ["لو سمحت", "الله يعافيك", "بسرعة", "please", "يا اخوان", "عندي سؤال", "ممكن", "ضروري", "اليوم"]


def synthetic(phrasings: list[tuple[str, str]], n: int, rng: random.Random) -> list[Doc]:
    """The packs' phrasings, then noisy variants of them (fillers, typos, Arabizi) up to ``n``."""
    docs = [Doc(t, q) for t, q in phrasings]
    while len(docs) < n:
        t, q = rng.choice(phrasings)
        r = rng.random()
        if r < 0.35:
            q = f"{rng.choice(FILLERS)} {q}"
        elif r < 0.7:
            q = with_typos(q, rng, edits=2)
        elif any("\u0600" <= c <= "\u06ff" for c in q):
            q = to_arabizi(q, rng)
        else:
            q = f"{q} {rng.choice(FILLERS)}"
        docs.append(Doc(t, q))
    return docs[:n]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phrasings", type=int, default=10_000)
    ap.add_argument("--questions", type=int, default=3_000)
    args = ap.parse_args()
    rng = random.Random(11)
    packs = load_all()
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    phrasings: list[tuple[str, str]] = []
    topics = []
    for slug, p in packs.items():
        for t in p.faq.topics:
            tid = f"{slug}_{t.id}"
            topics.append(t.model_copy(update={"id": tid}))
            phrasings += [(tid, q) for q in t.questions]
    docs = synthetic(phrasings, args.phrasings, rng)
    big = next(iter(packs.values()))
    big_faq = big.faq.model_copy(update={"topics": topics})
    big_pack = big.model_copy(update={"faq": big_faq})
    normalize("warm up")
    t0 = time.perf_counter()
    org = build_org(big_pack, topics=[], extra_docs=[*docs, *oos_docs()])
    build_s = time.perf_counter() - t0
    rss1 = proc.memory_info().rss
    qs = [with_typos(q, rng) if rng.random() < 0.5 else q for _, q in rng.choices(phrasings, k=args.questions)]
    qs += ["كيف اسجل في حساب المواطن", "وش رايك في مباراة الهلال", "", "😀", "ب" * 4096]
    lat: list[float] = []
    for q in qs:
        t1 = time.perf_counter()
        decide_with(org, q)
        lat.append((time.perf_counter() - t1) * 1000)
    choices = [org.index.norm[i] for i in range(len(org.index.docs))]
    base: list[float] = []
    for q in qs:
        t1 = time.perf_counter()
        process.extractOne(q, choices, scorer=fuzz.WRatio)
        base.append((time.perf_counter() - t1) * 1000)
    print(f"index: {len(org.index.docs)} phrasings ({len(docs)} synthetic from {len(phrasings)} pack phrasings "
          f"+ out-of-scope), {len(org.index.topic_ids)} topics")  # fmt: skip
    print(f"build: {build_s:.2f} s   RSS +{(rss1 - rss0) / 2**20:.0f} MiB (total {rss1 / 2**20:.0f} MiB)")
    print(f"decide over {len(qs)} questions: p50 {pct(lat, 0.5):.3f} ms  p99 {pct(lat, 0.99):.3f} ms  "
          f"max {max(lat):.2f} ms")  # fmt: skip
    print(f"baseline rapidfuzz extractOne(WRatio) over the same phrasings: p50 {pct(base, 0.5):.3f} ms  "
          f"p99 {pct(base, 0.99):.3f} ms")  # fmt: skip
    p50, p99 = pct(lat, 0.5) / pct(base, 0.5), pct(lat, 0.99) / pct(base, 0.99)
    print(f"ratio decide/baseline: p50 {p50:.2f}x  p99 {p99:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
