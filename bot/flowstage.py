"""Bridge between the routing chain and the declarative flow runner (bot/flows)."""

from __future__ import annotations

from bot.context import TurnContext
from bot.i18n import t
from bot.types import Text


class FlowStage:
    """While a form is in progress, every input goes to the runner first."""

    async def __call__(self, ctx: TurnContext) -> bool:
        return False


async def start_flow(ctx: TurnContext, flow_id: str) -> bool:
    officer = ctx.pack.pack.referral_officer.get(ctx.lang)
    ctx.say(Text(t("coming_soon", ctx.lang, officer=officer), kind="flow"))
    return True
