"""Understanding benchmark: what ``understand()`` adds to every turn, beside the FAQ decision's own
time on the same questions in the same run. Figures only; it never asserts.

Each question is timed uncached (the memo of short messages is cleared before every call), so the
figure is the cost of a message never seen before — the budget of issue 13 is ≤ 0.3 ms p99.

    .venv/bin/python bench/understanding_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.faq.decide import decide_with  # noqa: E402
from bot.faq.org import build_org  # noqa: E402
from bot.packs import load_all  # noqa: E402
from bot.understanding import core  # noqa: E402

SETS = ["tests/eval/heldout.jsonl", "tests/eval/faq_eval.jsonl"]


def questions() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rel in SETS:
        path = ROOT / rel
        if path.exists():
            out += [(d["org"], d["q"]) for d in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if d]
    out += [("amass", q) for q in ("ما ابي اعيش خلاص", "AMS-26-00002", "ok", "طلباتي", "👍", "؟؟؟",
                                    "والله تعبت 😭 ابوي عنده سرطان وما عندي فلوس " * 30 + "كيف اقدم طلب دعم")]
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    packs = load_all()
    orgs = {slug: build_org(p) for slug, p in packs.items()}
    qs = questions()
    for org, q in qs[:50]:  # warm word lists, caches of the normaliser, the indexes
        core.understand(q)
        decide_with(orgs[org], q)
    und: list[list[float]] = [[] for _ in qs]
    faq: list[list[float]] = [[] for _ in qs]
    for _ in range(args.repeat):
        for i, (org, q) in enumerate(qs):
            core._understand_short.cache_clear()
            t0 = time.perf_counter()
            core.understand(q)
            und[i].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            decide_with(orgs[org], q)
            faq[i].append((time.perf_counter() - t0) * 1000)
    print(f"{len(qs)} messages × {args.repeat}: understand() uncached vs the FAQ decision (same run, ms)")
    print("  every call (includes the scheduler's pauses on a shared machine):")
    for name, per in (("understand()", und), ("FAQ decide()", faq)):
        values = [v for vs in per for v in vs]
        print(f"    {name:<14} median {statistics.median(values):.4f}  p95 {pct(values, 95):.4f}  "
              f"p99 {pct(values, 99):.4f}  max {max(values):.4f}")
    print("  best of the repeats per message (the message's own cost):")
    for name, per in (("understand()", und), ("FAQ decide()", faq)):
        values = [min(vs) for vs in per]
        print(f"    {name:<14} median {statistics.median(values):.4f}  p95 {pct(values, 95):.4f}  "
              f"p99 {pct(values, 99):.4f}  max {max(values):.4f}")
    u99, f99 = pct([min(v) for v in und], 99), pct([min(v) for v in faq], 99)
    print(f"  understand() p99 {u99:.3f} ms = {u99 / f99:.1%} of the FAQ decision's p99 {f99:.3f} ms "
          f"(budget: ≤ 0.3 ms p99 added per turn)")


if __name__ == "__main__":
    main()
