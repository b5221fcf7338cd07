"""A bare number picks from the last menu, on channels that show menus as numbered lists."""

from __future__ import annotations

import dataclasses

from bot.context import TurnContext


class NumberedChoiceStage:
    """A bare "2" picks the second button of the last menu, on channels that show numbers."""

    async def __call__(self, ctx: TurnContext) -> bool:
        pending = ctx.state.pending_choice
        if ctx.message.button_value is None and pending and not ctx.state.flow:
            raw = ctx.understanding.key
            values = pending.get("values", [])
            if raw.isdigit() and 1 <= int(raw) <= len(values):
                ctx.message = dataclasses.replace(ctx.message, button_value=values[int(raw) - 1])
        ctx.state.pending_choice = None
        return False
