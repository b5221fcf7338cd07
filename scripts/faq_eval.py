#!/usr/bin/env python3
"""Evaluate ``bot.faq.decide`` over a FAQ question set (JSON Lines) — figures only.

    .venv/bin/python scripts/faq_eval.py [DATA.jsonl] [--strict] [--failures]

DATA defaults to tests/eval/faq_eval.jsonl (fields org, q, accept, markers[, min_groups],
topic, register, scope). It also reads /work/shared/eval/faq_dev.jsonl-style files, which have
no topic/register/scope (those figures are then left out). A question passes as the official
scorer (shared/eval/faq_score.py) rules it: its kind is accepted and, for an answer, enough
marker groups appear in the answer text. Never tune thresholds on these files; calibration
is ``python -m tools.calibrate_faq``. Exit 0 unless --strict and answered accuracy < 0.95 or
out-of-scope refusal recall < 0.95.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.faq.decide import decide_traced  # noqa: E402
from bot.faq.org import get_index  # noqa: E402
from bot.packs import load_all  # noqa: E402

DIAC = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ANSWERED = ("answer", "flow")
REFUSED = ("fallback", "handoff", "menu")


def scorer_norm(s: str) -> str:
    """The official scorer's normalisation, copied so markers are checked the same way."""
    s = DIAC.sub("", s or "").lower()
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ؤ", "و"), ("ئ", "ي")):
        s = s.replace(a, b)
    return s


def passes(item: dict, kind: str, text: str) -> bool:
    ok = kind in item["accept"]
    if ok and kind == "answer" and item.get("markers"):
        t = scorer_norm(text)
        groups = [any(scorer_norm(m) in t for m in g) for g in item["markers"]]
        ok = sum(groups) >= item.get("min_groups", len(groups))
    return ok


class Tally:
    def __init__(self) -> None:
        self.n = self.passed = 0
        self.ins = self.top1 = self.top3 = self.answered_in = 0
        self.answered = self.answered_right = 0
        self.oos = self.oos_refused = self.refused = self.refused_ok = 0

    def add(self, item: dict, d, m, ok: bool, orgf) -> None:  # type: ignore[no-untyped-def]
        self.n += 1
        self.passed += ok
        gold = item.get("topic")
        scope = item.get("scope", "oos" if item["accept"] == list(REFUSED) else "in")
        in_topic = scope == "in" and gold in orgf.topics
        topic_answer = d.kind in ANSWERED or (d.kind == "handoff" and d.topic_id in orgf.topics)
        if d.topic_id in orgf.topics and topic_answer:
            self.answered += 1
            self.answered_right += d.topic_id == gold
        if in_topic:
            self.ins += 1
            self.answered_in += topic_answer and d.topic_id in orgf.topics
            ranked = list(m.topics) if m else ([d.topic_id] if d.topic_id else [])
            self.top1 += ranked[:1] == [gold]
            self.top3 += gold in ranked[:3]
        if d.kind in REFUSED and not (d.kind == "handoff" and d.topic_id in orgf.topics):
            self.refused += 1
            self.refused_ok += any(k in item["accept"] for k in ("fallback", "menu")) or scope != "in"
        if scope.startswith("oos"):
            self.oos += 1
            self.oos_refused += d.kind in REFUSED

    def row(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{a / b:6.1%}" if b else "     –"

        return (f"n={self.n:<4} pass {pct(self.passed, self.n)}  top1 {pct(self.top1, self.ins)}  "
                f"top3 {pct(self.top3, self.ins)}  ans.acc {pct(self.answered_right, self.answered)} "
                f"({self.answered:>3})  coverage {pct(self.answered_in, self.ins)}  "
                f"OOS refusal R {pct(self.oos_refused, self.oos)} P {pct(self.refused_ok, self.refused)}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("data", nargs="?", default=str(ROOT / "tests/eval/faq_eval.jsonl"))
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--failures", action="store_true", help="print every question that does not pass")
    args = ap.parse_args(argv)
    items = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line.strip()]
    packs = load_all()
    total = Tally()
    by: dict[str, dict[str, Tally]] = {"register": defaultdict(Tally), "org": defaultdict(Tally),
                                       "scope": defaultdict(Tally)}  # fmt: skip
    for it in items:
        orgf = get_index(packs[it["org"]])
        d, m = decide_traced(orgf, it["q"])
        ok = passes(it, d.kind, d.text)
        for t in (total, by["register"][it.get("register", "-")], by["org"][it["org"]],
                  by["scope"][it.get("scope", "-")]):  # fmt: skip
            t.add(it, d, m, ok, orgf)
        if args.failures and not ok:
            print(f"FAIL {it['org']:<10} {it.get('register', '-'):<8} {it.get('topic')!s:<22} "
                  f"{it['q'][:60]!r} -> {d.kind} {d.topic_id} {d.score}")  # fmt: skip
    print(f"{Path(args.data).name}: {len(items)} questions")
    print(f"  {'ALL':<12} {total.row()}")
    for dim, tallies in by.items():
        print(f"by {dim}:")
        for key in sorted(tallies):
            print(f"  {key:<12} {tallies[key].row()}")
    has_topics = any("topic" in it for it in items)
    acc = total.answered_right / max(1, total.answered) if has_topics else float("nan")
    rec = total.oos_refused / max(1, total.oos) if total.oos else 1.0
    print(f"answered accuracy {acc:.3f}, out-of-scope refusal recall {rec:.3f}, "
          f"scorer pass rate {total.passed / max(1, total.n):.3f}")  # fmt: skip
    if args.strict and (acc < 0.95 or rec < 0.95):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
