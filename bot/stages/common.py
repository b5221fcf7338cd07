"""What the stages of the routing chain share: command words, the main menu, greeting, hand-off."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import TurnContext
from bot.digits import to_western
from bot.i18n import t
from bot.types import Button, Choices, Text

_WS = re.compile(r"\s+")

MENU_WORDS = {"menu", "/menu", "/start", "start over", "main menu", "القائمه", "القائمة", "قائمه", "قائمة",
              "القائمة الرئيسية", "القائمه الرئيسيه", "ابدا", "ابدأ", "0"}
CANCEL_WORDS = {"cancel", "/cancel", "الغاء", "إلغاء", "الغ", "الغي", "إلغ"}
LANG_WORDS = {
    "english": "en", "/en": "en", "en": "en", "انجليزي": "en", "إنجليزي": "en", "الانجليزية": "en",
    "الإنجليزية": "en", "عربي": "ar", "/ar": "ar", "arabic": "ar", "العربية": "ar", "العربيه": "ar",
}


def simple(text: str) -> str:
    """Lower-case, Western digits, single spaces, trailing punctuation dropped: for command words."""
    return _WS.sub(" ", to_western(text)).strip().strip(".!؟?،,").lower()


def org_name(ctx: TurnContext) -> str:
    return ctx.pack.pack.short_name.get(ctx.lang)


def officer(ctx: TurnContext) -> str:
    return ctx.pack.pack.referral_officer.get(ctx.lang)


def main_menu(ctx: TurnContext, lead: str | None = None) -> Choices:
    flows = ctx.pack.flows
    buttons: list[Button] = []
    for flow_id in ("support_request", "status_inquiry", "data_update", "volunteer"):
        if flow_id in flows or flow_id == "status_inquiry":
            buttons.append(Button(t(f"menu.{flow_id}", ctx.lang), f"flow:{flow_id}"))
    if ctx.pack.pack.member_services:
        buttons.append(Button(t("menu.member_services", ctx.lang), "members"))
    buttons.append(Button(t("menu.faq", ctx.lang), "faq"))
    buttons.append(Button(t("menu.human", ctx.lang), "handoff"))
    buttons.append(Button(t("menu.lang", ctx.lang), "lang:ar" if ctx.lang == "en" else "lang:en"))
    return Choices(lead or t("menu", ctx.lang), tuple(buttons), kind="menu")


def greet(ctx: TurnContext) -> None:
    ctx.state.greeted = True
    ctx.say(Text(t("greeting", ctx.lang, org=org_name(ctx)), kind="menu"), main_menu(ctx))


def working_hours_note(ctx: TurnContext) -> str | None:
    """Off-hours wording from the association's working hours (a pack setting)."""
    wh = ctx.pack.pack.contact.working_hours
    local = ctx.now.astimezone(ZoneInfo(wh.timezone))
    start = datetime.strptime(wh.start, "%H:%M").time()
    end = datetime.strptime(wh.end, "%H:%M").time()
    if local.weekday() in wh.days and start <= local.time() < end:
        return None
    return t("handoff.off_hours", ctx.lang, hours=f"{wh.start}–{wh.end}")


def start_handoff(ctx: TurnContext, reason: str) -> None:
    """Refer the conversation to the association's named officer; the bot goes quiet."""
    ctx.status = "waiting"
    ctx.state.handoff = {"reason": reason, "requested_at": ctx.now.isoformat()}
    ctx.state.misses = 0
    ctx.state.pending_choice = None
    ctx.say(Text(t("handoff.ack", ctx.lang, officer=officer(ctx)), kind="handoff"))
    position = None
    if ctx.services is not None and ctx.services.queue_position is not None:
        position = ctx.services.queue_position(ctx.pack.pack.slug)
    if position:
        ctx.say(Text(t("handoff.queue", ctx.lang, position=position), kind="handoff"))
    note = working_hours_note(ctx)
    if note:
        ctx.say(Text(note, kind="handoff"))
    ctx.events.append({"type": "handoff", "reason": reason})


def offer_handoff(ctx: TurnContext) -> None:
    ctx.say(Choices(
        t("fallback.offer_handoff", ctx.lang, officer=officer(ctx)),
        (Button(t("handoff.yes", ctx.lang), "handoff:yes"), Button(t("handoff.no", ctx.lang), "handoff:no")),
        kind="handoff",
    ))


def remember_choices(ctx: TurnContext) -> None:
    """Keep the last menu's values so a bare number can pick from it next turn."""
    for reply in reversed(ctx.replies):
        if isinstance(reply, Choices) and reply.buttons:
            ctx.state.pending_choice = {"values": [b.value for b in reply.buttons]}
            return
