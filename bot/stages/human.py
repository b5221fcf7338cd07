"""While an officer holds (or is about to take) the conversation."""

from __future__ import annotations

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import main_menu, officer, working_hours_line, working_hours_note
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
            ctx.say(Text(_waiting_reply(ctx), kind="handoff"))
        return True


def _waiting_reply(ctx: TurnContext) -> str:
    """The acknowledgement for the n-th message while the person waits: the first says it arrived;
    later ones apologise for the wait and say their messages are with the officer, with the
    association's working hours when it has set them (never invented), alternating so that the
    same words do not come back every time ("وينكم؟", "ابي موظف الحين", "صار لي ساعة")."""
    handoff = ctx.state.handoff if ctx.state.handoff is not None else {}
    seen = int(handoff.get("waiting_messages", 0)) + 1
    if ctx.state.handoff is not None:
        ctx.state.handoff = {**handoff, "waiting_messages": seen}
    name = officer(ctx)
    if ctx.message.attachments and not ctx.message.text:
        return t("media.waiting", ctx.lang, officer=name)
    if ctx.understanding.smalltalk == "thanks":  # thanked while waiting: welcomed, not apologised to
        return t("handoff.waiting_thanks", ctx.lang, officer=name)
    if seen == 1:
        return t("handoff.waiting", ctx.lang, officer=name)
    if seen % 2 == 1:
        return t("handoff.waiting_long", ctx.lang, officer=name)
    lines = [t("handoff.waiting_again", ctx.lang, officer=name)]
    hours = working_hours_note(ctx) or working_hours_line(ctx)
    if hours:
        lines.append(hours)
    return "\n".join(lines)
