"""The held-out FAQ set through the real engine, in process, scored as ``shared/eval/faq_score.py``.

Why in process: the same decision ``sila ask --json -`` prints (a fresh, already greeted
conversation per question, ``app.ask.outcome_json``), without a subprocess per association;
the figures match the shared scorer's on the same file.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from eval_format import norm

from app.ask import outcome_json
from bot.settings import load_settings
from bot.types import ConversationKey, InboundMessage
from wiring.runtime import open_runtime

__all__ = ["passes", "run_heldout"]

OOS = ["fallback", "handoff", "menu"]


def passes(item: dict[str, Any], kind: str, text: str) -> bool:
    """Exactly the shared scorer's rule (faq_score.py)."""
    ok = kind in item["accept"]
    if ok and kind == "answer" and item.get("markers"):
        t = norm(text)
        groups = [any(norm(m) in t for m in g) for g in item["markers"]]
        ok = sum(groups) >= item.get("min_groups", len(groups))
    return ok


def run_heldout(path: Path, tmp: Path, *, failures: bool = False,
                orgs_dir: Path | None = None) -> tuple[float, float]:
    """Score ``path``; ``orgs_dir`` answers from other packs than orgs/ (e.g. freshly imported ones)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = load_settings(env={}, data_dir=str(tmp), orgs_dir=str(orgs_dir or ""))

    async def answer_all() -> list[dict[str, Any]]:
        async with open_runtime(settings, memory=True) as rt:
            out = []
            for n, it in enumerate(items):
                key = ConversationKey(it["org"], "ask", f"q{n}")
                outcome = await rt.engine.handle(InboundMessage(key=key, text=it["q"]), new_state={"greeted": True})
                out.append(outcome_json(outcome))
            return out

    answers = asyncio.run(answer_all())
    tallies: dict[str, dict[str, list[int]]] = {"org": defaultdict(lambda: [0, 0]),
                                                 "register": defaultdict(lambda: [0, 0])}
    passed = oos = oos_ok = ins = ins_ok = topic_n = topic_ok = 0
    for it, ans in zip(items, answers, strict=True):
        ok = passes(it, ans["kind"], ans["text"])
        passed += ok
        for dim in tallies:
            t = tallies[dim][str(it.get(dim, "-"))]
            t[0] += ok
            t[1] += 1
        if it["accept"] == OOS:
            oos += 1
            oos_ok += ok
        else:
            ins += 1
            ins_ok += ok
        if it.get("topic") and ans["kind"] in ("answer", "flow"):
            topic_n += 1
            topic_ok += ans.get("faq_id") == it["topic"]
        if failures and not ok:
            print(f"FAIL {it['org']:<10} {it.get('register', '-'):<8} {it.get('topic') or it['accept']!s:<22} "
                  f"{it['q'][:60]!r} -> {ans['kind']} {ans.get('faq_id')}: {ans['text'][:80]!r}")
    print(f"held-out FAQ ({path.name}), scored as shared/eval/faq_score.py:")
    for dim, rows in tallies.items():
        print("  by " + dim + ": " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in sorted(rows.items())))
    print(f"  topic right when answered: {topic_ok}/{topic_n}")
    print(f"{path.name}: {passed}/{len(items)} passed ({passed / max(1, len(items)):.0%}), in scope answered "
          f"correctly {ins_ok}/{ins} ({ins_ok / max(1, ins):.1%}), out-of-scope refused {oos_ok}/{oos} "
          f"({oos_ok / max(1, oos):.1%})")
    return ins_ok / max(1, ins), oos_ok / max(1, oos)
