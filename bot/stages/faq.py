"""Answer from the association's policy, or say honestly that an officer will."""

from __future__ import annotations

import dataclasses

from bot import decisions
from bot.context import TurnContext
from bot.stages.common import greet, main_menu, start_handoff
from bot.types import Button, Choices, Text


class FaqStage:
    """Answer from the association's policy, or say honestly that an officer will."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is not None and ctx.message.button_value.startswith("flow:"):
            return False
        decision = decisions.decide(ctx.message.text, ctx.pack, ctx.lang)
        ctx.decision = decision
        if decision.kind == "menu":
            greet(ctx) if not ctx.state.greeted else ctx.say(main_menu(ctx, decision.text or None))
            return True
        if decision.kind == "answer":
            ctx.state.misses = 0
            ctx.state.greeted = True
            ctx.say(Text(decision.text, kind="answer"))
            return True
        if decision.kind == "suggest":
            ctx.state.greeted = True
            buttons = tuple(Button(label, f"faq:{tid}") for tid, label in decision.suggestions)
            ctx.say(Choices(decision.text, buttons, kind="suggest"))
            return True
        if decision.kind == "handoff":
            if decision.text:
                ctx.say(Text(decision.text, kind="answer"))
            start_handoff(ctx, decision.topic_id or "requested")
            return True
        if decision.kind == "flow" and decision.flow_id:
            ctx.message = dataclasses.replace(ctx.message, button_value=f"flow:{decision.flow_id}")
            return False
        return False
