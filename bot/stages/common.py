"""What the stages of the routing chain share: the main menu, greeting, hand-off.

Command words, digits and references are not here: :mod:`bot.understanding` reads them once
per message and every stage uses ``ctx.understanding``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import TurnContext
from bot.i18n import t
from bot.types import Button, Choices, Text
from bot.understanding.smalltalk import time_greeting


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


def salam_prefix(ctx: TurnContext) -> str:
    """ "وعليكم السلام" and a line break when the message opened with "السلام عليكم", else ""."""
    if ctx.understanding.salam:
        return t("salam.return", ctx.lang) + "\n"
    time_of_day = time_greeting(ctx.understanding.key)  # "مساء الخير" is returned too: "مساء النور"
    return t(f"greeting.{time_of_day}_return", ctx.lang) + "\n" if time_of_day else ""


def greet(ctx: TurnContext) -> None:
    ctx.state.greeted = True
    ctx.say(Text(salam_prefix(ctx) + t("greeting", ctx.lang, org=org_name(ctx)), kind="menu"), main_menu(ctx))


def welcome_prefix(ctx: TurnContext) -> str:
    """For a first message with content: a one-line welcome (and the salam returned) to put before
    the answer, in the same reply (one message on SMS, not two); later, only the salam."""
    if ctx.state.greeted:
        return salam_prefix(ctx)
    ctx.state.greeted = True
    return salam_prefix(ctx) + t("greeting", ctx.lang, org=org_name(ctx)).split("\n")[0] + "\n"


def working_hours_note(ctx: TurnContext) -> str | None:
    """Off-hours wording from the association's working hours (a pack setting); an association
    that has not set its hours gets no wording at all rather than invented ones."""
    wh = ctx.pack.pack.contact.working_hours
    if not wh.start or not wh.end:
        return None
    local = ctx.now.astimezone(ZoneInfo(wh.timezone))
    start = datetime.strptime(wh.start, "%H:%M").time()
    end = datetime.strptime(wh.end, "%H:%M").time()
    if local.weekday() in wh.days and start <= local.time() < end:
        return None
    return t("handoff.off_hours", ctx.lang, hours=f"{wh.start}–{wh.end}")


def working_hours_line(ctx: TurnContext) -> str | None:
    """The association's working days and hours (a pack setting), or None when it has not set them:
    hours are never invented."""
    wh = ctx.pack.pack.contact.working_hours
    if not wh.start or not wh.end:
        return None
    week = sorted(wh.days, key=lambda d: (d + 1) % 7)  # from Sunday, as the Saudi week is read
    days = (", " if ctx.lang == "en" else "، ").join(t(f"day.{d}", ctx.lang) for d in week)
    return t("handoff.hours", ctx.lang, days=days, start=wh.start, end=wh.end)


def start_handoff(ctx: TurnContext, reason: str, *, urgent: bool = False, ack: str | None = None) -> None:
    """Refer the conversation to the association's named officer; the bot steps back.

    ``urgent`` (a person in crisis) is kept in the hand-off state and the console event so the
    queue puts it first; an urgent request also upgrades one already waiting. ``ack`` replaces the
    usual acknowledgement (the crisis reply says it itself). A form in progress is left as it is.
    """
    ctx.status = "waiting"
    ctx.state.greeted = True
    previous = ctx.state.handoff or {}
    ctx.state.handoff = {"reason": reason, "requested_at": previous.get("requested_at") or ctx.now.isoformat()}
    if urgent:
        ctx.state.handoff["urgent"] = True
    ctx.state.misses = 0
    ctx.state.pending_choice = None
    ctx.say(Text(ack if ack is not None else t("handoff.ack", ctx.lang, officer=officer(ctx)), kind="handoff"))
    position = None
    if ctx.services is not None and ctx.services.queue_position is not None:
        position = ctx.services.queue_position(ctx.pack.pack.slug)
    if position:
        ctx.say(Text(t("handoff.queue", ctx.lang, position=position), kind="handoff"))
    note = working_hours_note(ctx)
    if note:
        ctx.say(Text(note, kind="handoff"))
    ctx.events.append({"type": "handoff", "reason": reason, "urgent": urgent})


def offer_handoff(ctx: TurnContext, key: str = "fallback.offer_handoff") -> None:
    """The hand-off as a button: the person decides (nothing is referred by itself)."""
    ctx.say(Choices(
        t(key, ctx.lang, officer=officer(ctx)),
        (Button(t("handoff.yes", ctx.lang), "handoff:yes"), Button(t("handoff.no", ctx.lang), "handoff:no")),
        kind="handoff",
    ))


def remember_choices(ctx: TurnContext) -> None:
    """Keep the last menu's values so a bare number can pick from it next turn."""
    for reply in reversed(ctx.replies):
        if isinstance(reply, Choices) and reply.buttons:
            ctx.state.pending_choice = {"values": [b.value for b in reply.buttons]}
            return
