"""A reply to "we need more information" reaches the officer, attached to the case.

When an officer marks a case "needs information", the notice tells the person to reply here
(console/cases.py leaves :data:`NEEDS_INFO_KEY` in the conversation). What they write next is
that information: it is stored as a note on the case (national IDs masked, :mod:`bot.redact`), the console is told
(event ``case_note``) and the person is thanked — never "لم أفهم". A question the policy answers
outright is still answered; commands, small talk and forms are handled by the stages before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import decisions
from bot.context import TurnContext
from bot.i18n import t
from bot.redact import mask_national_ids
from bot.stages.common import officer
from bot.types import Text

NEEDS_INFO_KEY = "needs_info"
#: after this long a message is a new conversation, not the answer the officer asked for
KEEP_FOR = timedelta(days=14)
MAX_NOTE = 2000


class NeedsInfoStage:
    async def __call__(self, ctx: TurnContext) -> bool:
        pending = ctx.state.extra.get(NEEDS_INFO_KEY)
        if not isinstance(pending, dict) or ctx.message.button_value is not None or ctx.state.flow:
            return False
        u = ctx.understanding
        if ctx.services is None or ctx.services.cases is None or u.command is not None or u.smalltalk is not None:
            return False
        try:
            since = datetime.fromisoformat(str(pending.get("at")))
        except ValueError:
            since = None
        if since is None or ctx.now - since > KEEP_FOR:
            ctx.state.extra.pop(NEEDS_INFO_KEY, None)
            return False
        if u.question and decisions.decide(ctx.message.text, ctx.pack, ctx.lang).kind == "answer":
            return False
        parts = [mask_national_ids(ctx.message.text.strip())] if ctx.message.text.strip() else []
        parts += [f"[{a.content_type or 'file'}] {a.filename or a.url}" for a in ctx.message.attachments]
        if not parts:
            return False
        reference = await ctx.services.cases.add_note(org=ctx.pack.pack.slug, case_id=str(pending.get("case_id")),
                                                      text="\n".join(parts)[:MAX_NOTE])
        if reference is None:
            ctx.state.extra.pop(NEEDS_INFO_KEY, None)
            return False
        ctx.state.greeted = True
        ctx.say(Text(t("case.info_received", ctx.lang, reference=reference, officer=officer(ctx)), kind="info"))
        ctx.events.append({"type": "case_note", "reference": reference})
        return True
