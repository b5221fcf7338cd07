"""`sila ask`: one stateless answer decision, exactly as the engine would answer it.

Each question runs through the real routing chain against a fresh in-memory conversation
that has already been greeted, so what it prints is what a beneficiary in the middle of a
conversation would get, without touching the database.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bot.settings import Settings
from bot.types import ConversationKey, InboundMessage
from wiring.runtime import open_runtime

GREETED = {"greeted": True}


def outcome_json(outcome: Any) -> dict[str, Any]:
    decision = outcome.decision
    replies = outcome.replies
    kind = decision.kind if decision is not None else (replies[0].kind if replies else "fallback")
    if kind not in {"answer", "suggest", "handoff", "flow", "menu", "fallback"}:
        kind = "fallback" if kind in {"error", "info"} else "menu"
    text = "\n".join(getattr(r, "text", "") for r in replies).strip()
    suggestions = [label for _tid, label in decision.suggestions] if decision is not None else []
    return {
        "kind": kind,
        "text": text,
        "faq_id": decision.topic_id if decision is not None else None,
        "score": round(decision.score, 4) if decision is not None and decision.score is not None else None,
        "suggestions": suggestions,
    }


async def run_ask(settings: Settings, org: str, questions: list[str] | None, *, as_json: bool) -> int:
    async with open_runtime(settings, memory=True) as runtime:
        lines = questions if questions is not None else (line.rstrip("\n") for line in sys.stdin)
        for n, question in enumerate(lines):
            key = ConversationKey(org, "ask", f"q{n}")
            outcome = await runtime.engine.handle(InboundMessage(key=key, text=question), new_state=GREETED)
            result = outcome_json(outcome)
            if as_json:
                print(json.dumps(result, ensure_ascii=False), flush=True)
            else:
                print(f"[{result['kind']}] {result['text']}")
                for s in result["suggestions"]:
                    print(f"  - {s}")
    return 0
