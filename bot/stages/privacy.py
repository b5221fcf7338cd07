"""A person asks, in the chat, for their data to be deleted or for a copy of it.

"احذف بياناتي" / "delete my data" and "ابي نسخة من بياناتي" / "I want a copy of my data" used to
get the fallback. Acting on them at once would let anyone who reaches a conversation erase or
read someone's data, so the request is *recorded* (an audit row, ``privacy.request``) and handed
to an officer, who verifies the person's identity and then runs the export or erasure (console
*Data rights* page or ``sila privacy``). The person is told exactly that, in their language.

The phrases live in :data:`PHRASES`, matched on folded text (:func:`bot.flows.normalize.fold`),
and :func:`privacy_intent` is the one entry point, so a general understanding step can reuse it.
"""

from __future__ import annotations

import re

from bot.context import TurnContext
from bot.flows.normalize import fold
from bot.i18n import t
from bot.stages.common import officer, org_name, start_handoff
from bot.types import Text

#: what people write, by intent; folded when compared (alef forms, ta marbuta, digits, case)
PHRASES: dict[str, tuple[str, ...]] = {
    "erase": (
        "احذف بياناتي", "احذفوا بياناتي", "حذف بياناتي", "امسح بياناتي", "امسحوا بياناتي", "مسح بياناتي",
        "احذف معلوماتي", "حذف معلوماتي", "امسح معلوماتي", "الغاء بياناتي", "احذفو بياناتي",
        "delete my data", "erase my data", "remove my data", "delete my information", "delete my personal data",
        "erase my information",
    ),
    "export": (
        "نسخة من بياناتي", "نسخه من بياناتي", "نسخة من معلوماتي", "نسخة بياناتي", "ارسلوا لي بياناتي",
        "اطلع على بياناتي", "وش البيانات اللي عندكم عني",
        "copy of my data", "copy of my information", "copy of my personal data", "export my data",
        "send me my data", "what data do you have about me", "what data do you hold about me",
    ),
}
#: one compiled alternation per intent: this runs on every message, so no per-phrase regex work
_PATTERNS = {
    intent: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(p)) for p in phrases) + r")(?!\w)")
    for intent, phrases in PHRASES.items()
}


# A fixed list cannot hold every way of asking for erasure ("ابي تحذفون كل بياناتي عندكم",
# "امسحوا معلوماتي من عندكم", "please remove all my personal information"): a short message with a
# verb of deleting (any person: احذف/تحذفون/نحذف, امسح/تمسحون, delete/erase/remove/wipe) and one's
# own data (بياناتي/معلوماتي/ملفي, "my data/information/details") is one too. A verb of updating
# beside it ("احذف رقمي القديم وحدث بياناتي") keeps it the data-update form's.
_ERASE_VERB = re.compile(r"(?<!\w)(?:[اتنيو]?(?:حذف|مسح|شيل|ازيل|ازال)\w*|delete\w*|eras\w*|remov\w*|wipe\w*)(?!\w)")
_OWN_DATA = re.compile(
    r"(?<!\w)(?:(?:كل|جميع)?(?:بياناتي|معلوماتي|ملفي|بياناتنا|معلوماتنا)|"
    r"my (?:\w+ )?(?:data|information|info|details|records|file))(?!\w)")
_UPDATE_VERB = re.compile(
    r"(?<!\w)(?:[اتنيو]?(?:حدث|عدل|غير)\w*|تحديث|تعديل|updat\w*|chang\w*|correct\w*|edit\w*)(?!\w)")
#: longer than this a message is a story, not a request about one's data
_ERASE_MAX_WORDS = 14


def privacy_intent(text: str) -> str | None:
    """``"erase"``, ``"export"`` or None for a message (erasure wins if both are asked)."""
    folded = fold(text or "")
    for intent in ("erase", "export"):
        if _PATTERNS[intent].search(folded):
            return intent
    if (len(folded.split()) <= _ERASE_MAX_WORDS and _ERASE_VERB.search(folded) and _OWN_DATA.search(folded)
            and not _UPDATE_VERB.search(folded)):
        return "erase"
    return None


class PrivacyRequestStage:
    """Record a deletion or copy request for an officer and say what happens next."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is not None or not ctx.message.text:
            return False
        intent = privacy_intent(ctx.message.text)
        if intent is None:
            return False
        if ctx.services is not None and ctx.services.audit is not None:
            await ctx.services.audit.record(
                actor=f"beneficiary:{ctx.beneficiary_id}", action="privacy.request", org=ctx.pack.pack.slug,
                target=ctx.conversation_id, detail={"kind": intent, "channel": ctx.message.key.channel})
        ctx.state.flow = None  # a form in progress is not continued: its answers are part of the request
        ctx.say(Text(t(f"privacy.{intent}_recorded", ctx.lang, officer=officer(ctx), org=org_name(ctx)),
                     kind="handoff"))
        start_handoff(ctx, f"privacy_{intent}")
        return True
