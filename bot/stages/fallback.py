"""Not understood: greet a newcomer, otherwise say so; the second miss offers an officer.

A newcomer whose first message said something (a question, a sentence) is not met with the
welcome menu alone, as if nothing had been written: the welcome says what became of it — a
question the policy does not answer, or a message not understood — with the officer named and the
menu below."""

from __future__ import annotations

import dataclasses

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import greet, main_menu, offer_handoff, officer, org_name, welcome_prefix

#: a first message of this many words or more, not understood, is acknowledged (not a stray word)
FIRST_WORDS = 3


class FallbackStage:
    """Not understood: greet a newcomer, otherwise say so; the second miss offers an officer."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if not ctx.state.greeted:
            u = ctx.understanding
            if ctx.message.button_value is None and (u.question or u.words >= FIRST_WORDS):
                key = "fallback.first_question" if u.question else "fallback.first_message"
                lead = welcome_prefix(ctx) + t(key, ctx.lang, org=org_name(ctx), officer=officer(ctx))
                ctx.state.misses += 1
                ctx.say(dataclasses.replace(main_menu(ctx, lead), kind="fallback"))
                return True
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
