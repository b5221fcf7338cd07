"""Not understood: greet a newcomer, otherwise say so; the second miss offers an officer."""

from __future__ import annotations

import dataclasses

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import greet, main_menu, offer_handoff


class FallbackStage:
    """Not understood: greet a newcomer, otherwise say so; the second miss offers an officer."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if not ctx.state.greeted:
            greet(ctx)
            return True
        ctx.state.misses += 1
        if ctx.state.misses >= 2:
            ctx.state.misses = 0
            offer_handoff(ctx)
        else:
            menu = main_menu(ctx, t("fallback", ctx.lang))
            ctx.say(dataclasses.replace(menu, kind="fallback"))
        return True
