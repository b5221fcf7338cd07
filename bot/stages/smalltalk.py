"""Small talk answered in kind: a greeting returned, thanks acknowledged, a goodbye wished well.

Emoji alone or "؟؟؟" get one consistent, courteous answer with the menu (never "not understood"
and never, by themselves, an offer of an officer): the person has not said anything we missed.
An empty or blank message (a slip of the send button) is answered too: the welcome if it is the
first, otherwise a short prompt to write what they need.
"""

from __future__ import annotations

import unicodedata

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import greet, main_menu, salam_prefix
from bot.types import Text


def is_empty(ctx: TurnContext) -> bool:
    """Nothing was sent: no words (empty, or only spaces and invisible marks such as the
    right-to-left mark phones add), no button, no attachment."""
    msg = ctx.message
    blank = all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in msg.text)
    return msg.button_value is None and not msg.attachments and blank


class SmallTalkStage:
    async def __call__(self, ctx: TurnContext) -> bool:
        if is_empty(ctx):  # a first one gets the welcome, a later one a short prompt (not the whole menu)
            greet(ctx) if not ctx.state.greeted else ctx.say(Text(t("empty.prompt", ctx.lang), kind="menu"))
            return True
        kind = ctx.understanding.smalltalk
        if ctx.message.button_value is not None or kind is None:
            return False
        ctx.state.misses = 0
        if kind == "greeting":
            if not ctx.state.greeted:
                greet(ctx)
            else:
                ctx.say(main_menu(ctx, salam_prefix(ctx) + t("menu", ctx.lang)))
            return True
        ctx.state.greeted = True
        if kind == "thanks":
            ctx.say(Text(salam_prefix(ctx) + t("smalltalk.thanks", ctx.lang), kind="info"))
        elif kind == "goodbye":
            ctx.say(Text(t("smalltalk.goodbye", ctx.lang), kind="info"))
        else:
            ctx.say(main_menu(ctx, t("smalltalk.other", ctx.lang)))
        return True
