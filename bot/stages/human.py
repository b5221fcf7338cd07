"""While an officer holds (or is about to take) the conversation."""

from __future__ import annotations

from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import CANCEL_WORDS, simple
from bot.types import Text


class HumanHeldStage:
    """While an officer holds (or is about to take) the conversation, the bot stays silent."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.status not in {"waiting", "human"}:
            return False
        word = simple(ctx.input)
        if word in CANCEL_WORDS and ctx.status == "waiting":
            ctx.status = "bot"
            ctx.state.handoff = None
            ctx.say(Text(t("handoff.cancelled", ctx.lang), kind="info"))
            ctx.events.append({"type": "handoff_cancelled"})
            return True
        ctx.events.append({"type": "beneficiary_message"})
        return True
