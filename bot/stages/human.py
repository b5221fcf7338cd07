"""While an officer holds (or is about to take) the conversation."""

from __future__ import annotations

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import main_menu, officer
from bot.types import Text


class HumanHeldStage:
    """While an officer holds the conversation the bot stays out of it; while the person waits
    for one, each message reaches the queue and gets a short acknowledgement that says how to
    return to the assistant ("القائمة" or "إلغاء" ends the wait), never silence."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.status not in {"waiting", "human"}:
            return False
        command = ctx.understanding.command if ctx.message.button_value is None else None
        if ctx.status == "waiting" and (command in {"cancel", "menu"} or ctx.message.button_value == "menu"):
            ctx.status = "bot"
            ctx.state.handoff = None
            ctx.say(Text(t("handoff.cancelled", ctx.lang), kind="info"))
            if command == "menu" or ctx.message.button_value == "menu":
                ctx.say(main_menu(ctx))
            ctx.events.append({"type": "handoff_cancelled"})
            return True
        ctx.events.append({"type": "beneficiary_message"})
        if ctx.status == "waiting":
            key = "media.waiting" if ctx.message.attachments and not ctx.message.text else "handoff.waiting"
            ctx.say(Text(t(key, ctx.lang, officer=officer(ctx)), kind="handoff"))
        return True

