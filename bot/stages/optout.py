"""STOP / إيقاف opts out of notifications, START / اشتراك opts back in — on every channel.

Why a pre-stage: the keyword must win over whatever the conversation is doing (a form, a
hand-off), exactly as carriers treat STOP. Only a whole message that is one of the keywords
counts, so "إلغاء" alone still cancels a form and "ما معنى الاشتراك؟" is still a question.

What opting out means: no notifications or broadcasts (outbox rows marked
``"notification": true``); answers to the person's own messages still go out. The stage
records the choice in the conversation state (committed with the turn); the push adapters
then copy it onto ``channel_identities.opted_out_at`` with a history row, because the identity
row of a first-time sender exists only after that commit. Nothing here imports a provider SDK.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.context import TurnContext
from bot.i18n import t
from bot.types import Text

Subscription = Literal["out", "in"]

_DIACRITICS = re.compile("[\u064b-\u0652\u0640]")  # harakat and tatweel
_PUNCT = re.compile(r"[\s.!؟?،,:;\"'()\[\]-]+")

OPT_OUT_WORDS = frozenset({
    "stop", "stopall", "stop all", "unsubscribe", "optout", "opt out", "opt-out",
    "ايقاف", "الغاء الاشتراك", "الغاء اشتراك", "ايقاف الرسائل", "ايقاف الاشتراك",
})
OPT_IN_WORDS = frozenset({"start", "unstop", "subscribe", "اشتراك", "اشترك", "تفعيل الاشتراك"})

_ALEFS = str.maketrans("أإآٱ", "اااا")


def normalise(text: str) -> str:
    text = _DIACRITICS.sub("", text.casefold())
    text = text.translate(_ALEFS)
    return _PUNCT.sub(" ", text).strip()


def keyword(text: str) -> Subscription | None:
    """``"out"`` for an opt-out keyword, ``"in"`` for an opt-in keyword, else None."""
    if not text or len(text) > 40:
        return None
    word = normalise(text)
    if word in OPT_OUT_WORDS:
        return "out"
    if word in OPT_IN_WORDS:
        return "in"
    return None


def is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


#: the opt-out word that, typed in the middle of a form off SMS, means "stop this form"
_STOP_THE_FORM = frozenset({"stop"})


def stops_the_form(ctx: TurnContext) -> bool:
    """"stop" typed while a form is being filled, on a channel where STOP is not the carrier's
    opt-out (every one but SMS): the person wants the form to stop, not the notifications. It was
    answered with an English opt-out notice in an Arabic conversation, and the form carried on. On
    SMS the word keeps its carrier meaning everywhere."""
    return (ctx.message.key.channel != "sms" and bool(ctx.state.flow)
            and normalise(ctx.message.text or "") in _STOP_THE_FORM)


class OptOutStage:
    """Answer the keyword and note the choice in the conversation state."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is not None:
            return False
        choice = keyword(ctx.message.text)
        if choice is None or stops_the_form(ctx):  # the form's own cancel takes it (bot.flows.runner)
            return False
        lang = "ar" if is_arabic(ctx.message.text) else ("en" if not ctx.state.lang_locked else ctx.lang)
        ctx.state.extra["subscription"] = {
            "status": choice, "at": ctx.now.isoformat(), "channel": ctx.message.key.channel,
        }
        ctx.say(Text(t(f"optout.{choice}", lang), kind="info"))
        ctx.events.append({"type": "opt_out" if choice == "out" else "opt_in"})
        return True
