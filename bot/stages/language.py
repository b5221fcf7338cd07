"""Follow the language the beneficiary writes in, unless they chose one — and only on clear evidence.

"ok", "PDF", a reference, a name or one Arabizi word say nothing about which language a person
reads (:mod:`bot.understanding.language`), so an Arabic conversation stays Arabic through them.
The conversation changes language on an explicit choice (a command, the language button: that
locks it) or on a message that clearly is the other language; the very first message may set it
on weaker evidence ("hello"), since there is nothing yet to keep.
"""

from __future__ import annotations

from bot.context import TurnContext


class LanguageStage:
    """Follow the language the beneficiary writes in, unless they chose one explicitly."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is not None or ctx.state.lang_locked:
            return False
        found = ctx.understanding.language
        if found.lang is None or found.lang == ctx.state.lang:
            return False
        first = not ctx.state.greeted and not ctx.state.flow
        if found.clear or first:
            ctx.state.lang = found.lang
        return False
