"""Follow the language the beneficiary writes in, unless they chose one — and only on clear evidence.

"ok", "PDF", a reference, a name or one Arabizi word say nothing about which language a person
reads (:mod:`bot.understanding.language`), so an Arabic conversation stays Arabic through them.
The conversation changes language on an explicit choice (a command, the language button: that
locks it) or on a message that clearly is the other language; the very first message may set it
on weaker evidence ("hello"), since there is nothing yet to keep. A form's answer (a name, a
city, a choice) is a value, not a choice of language: there only a clear sentence switches.
"""

from __future__ import annotations

from bot.context import TurnContext

#: field types whose answer is written in whatever script the value has
_FREE_TEXT = frozenset({"description", "text"})


class LanguageStage:
    """Follow the language the beneficiary writes in, unless they chose one explicitly."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is not None or ctx.state.lang_locked:
            return False
        found = ctx.understanding.language
        if found.lang is None or found.lang == ctx.state.lang:
            return False
        flow = ctx.state.flow
        u = ctx.understanding
        if flow and not _free_text_answer(ctx, flow) and not (
            found.clear and (found.lang == "en" or u.words >= 4 or u.question)
        ):
            return False  # a name or a city in the other script is a value, not a change of language
        first = not ctx.state.greeted and not flow
        if found.clear or first:
            ctx.state.lang = found.lang
        return False


def _free_text_answer(ctx: TurnContext, flow: dict[str, object]) -> bool:
    if flow.get("stage") != "field":
        return True  # summary, declaration, consent: a sentence may well be a language
    definition = ctx.pack.flows.get(str(flow.get("flow")))
    fdef = definition.field(str(flow.get("field"))) if definition is not None else None
    return fdef is None or fdef.type in _FREE_TEXT
