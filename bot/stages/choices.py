"""A bare number picks from the last menu, on channels that show menus as numbered lists; a typed
yes or no answers the last offer of an officer ("هل تود أن أحيلك…؟" → "نعم"), as its buttons would."""

from __future__ import annotations

import dataclasses

from bot.context import TurnContext
from bot.understanding.answers import yes_or_no

#: the buttons of an offer of an officer (:func:`bot.stages.common.offer_handoff`)
_OFFER = ("handoff:yes", "handoff:no")


class NumberedChoiceStage:
    """A bare "2" picks the second button of the last menu, on channels that show numbers; "ايه"
    or "لا شكراً" after an offer of an officer presses its yes or no."""

    async def __call__(self, ctx: TurnContext) -> bool:
        pending = ctx.state.pending_choice
        if ctx.message.button_value is None and pending and not ctx.state.flow:
            raw = ctx.understanding.key
            values = pending.get("values", [])
            if raw.isdigit() and 1 <= int(raw) <= len(values):
                ctx.message = dataclasses.replace(ctx.message, button_value=values[int(raw) - 1])
            elif tuple(values) == _OFFER and (answer := yes_or_no(raw)) is not None:
                ctx.message = dataclasses.replace(ctx.message, button_value=_OFFER[0] if answer else _OFFER[1])
        ctx.state.pending_choice = None
        return False
