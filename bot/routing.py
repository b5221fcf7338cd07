"""The routing chain: human-held → flow → commands → FAQ → fallback.

Each stage either handles the turn (returns True) or passes it on. Pre-stages that only adjust
the turn (language, numbered replies) always pass it on. The order is the contract: a
conversation held by an officer never reaches the FAQ, a form in progress sees the beneficiary's
input before any command except the universal ones (cancel, human, language).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import decisions, faq
from bot.context import TurnContext
from bot.engine import Stage
from bot.i18n import t
from bot.types import Button, Choices, Text

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
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
    return _WS.sub(" ", text.translate(_DIGITS)).strip().strip(".!؟?،,").lower()


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
    if ctx.services is not None and hasattr(ctx.services, "queue_position"):
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


#: language detection is a pure function of the text, and texts repeat a lot
_detect_language = functools.lru_cache(maxsize=20_000)(faq.detect_language)


class LanguageStage:
    """Follow the language the beneficiary writes in, unless they chose one explicitly."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is None and not ctx.state.lang_locked:
            detected = _detect_language(ctx.message.text)
            if detected:
                ctx.state.lang = detected
        return False


class NumberedChoiceStage:
    """A bare "2" picks the second button of the last menu, on channels that show numbers."""

    async def __call__(self, ctx: TurnContext) -> bool:
        pending = ctx.state.pending_choice
        if ctx.message.button_value is None and pending and not ctx.state.flow:
            raw = simple(ctx.message.text)
            values = pending.get("values", [])
            if raw.isdigit() and 1 <= int(raw) <= len(values):
                ctx.message = dataclasses.replace(ctx.message, button_value=values[int(raw) - 1])
        ctx.state.pending_choice = None
        return False


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


class CommandStage:
    """Menu, cancel, language and the buttons the engine itself puts on screen."""

    async def __call__(self, ctx: TurnContext) -> bool:
        value = ctx.message.button_value
        word = simple(ctx.input)
        if (value is not None and value.startswith("lang:")) or word in LANG_WORDS:
            lang = value.split(":", 1)[1] if value and value.startswith("lang:") else LANG_WORDS[word]
            ctx.state.lang = "en" if lang == "en" else "ar"
            ctx.state.lang_locked = True
            ctx.say(Text(t("lang.switched", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if value == "menu" or word in MENU_WORDS:
            greet(ctx) if not ctx.state.greeted else ctx.say(main_menu(ctx))
            return True
        if word in CANCEL_WORDS:
            ctx.say(Text(t("nothing_to_cancel", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if value in {"handoff", "handoff:yes"}:
            start_handoff(ctx, "requested")
            return True
        if value == "handoff:no":
            ctx.state.misses = 0
            ctx.say(Text(t("handoff.declined", ctx.lang), kind="menu"), main_menu(ctx))
            return True
        if value == "faq":
            ctx.say(Text(t("faq.prompt", ctx.lang), kind="menu"))
            return True
        if value == "members":
            services = ctx.pack.pack.member_services
            ctx.say(Choices(t("menu.member_services", ctx.lang),
                            tuple(Button(s.title.get(ctx.lang), f"member:{s.id}") for s in services), kind="menu"))
            return True
        if value and value.startswith("member:"):
            for s in ctx.pack.pack.member_services:
                if s.id == value.split(":", 1)[1]:
                    ctx.say(Text(s.body.get(ctx.lang), kind="answer"))
                    return True
        if value and value.startswith("faq:"):
            topic_id = value.split(":", 1)[1]
            for topic in ctx.pack.faq.topics:
                if topic.id == topic_id:
                    ctx.state.misses = 0
                    if topic.action and topic.action.startswith("flow:"):
                        ctx.message = dataclasses.replace(ctx.message, button_value=topic.action)
                        return False
                    ctx.say(Text(topic.answer.get(ctx.lang), kind="answer"))
                    return True
        return False


class FaqStage:
    """Answer from the association's policy, or say honestly that an officer will."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is not None and ctx.message.button_value.startswith("flow:"):
            return False
        decision = decisions.decide(ctx.message.text, ctx.pack, ctx.lang)
        ctx.decision = decision
        if decision.kind == "menu":
            greet(ctx) if not ctx.state.greeted else ctx.say(main_menu(ctx, decision.text or None))
            return True
        if decision.kind == "answer":
            ctx.state.misses = 0
            ctx.state.greeted = True
            ctx.say(Text(decision.text, kind="answer"))
            return True
        if decision.kind == "suggest":
            ctx.state.greeted = True
            buttons = tuple(Button(label, f"faq:{tid}") for tid, label in decision.suggestions)
            ctx.say(Choices(decision.text, buttons, kind="suggest"))
            return True
        if decision.kind == "handoff":
            if decision.text:
                ctx.say(Text(decision.text, kind="answer"))
            start_handoff(ctx, decision.topic_id or "requested")
            return True
        if decision.kind == "flow" and decision.flow_id:
            ctx.message = dataclasses.replace(ctx.message, button_value=f"flow:{decision.flow_id}")
            return False
        return False


class FlowStartStage:
    """Start a flow named by a button or by the FAQ; the flows module runs it."""

    async def __call__(self, ctx: TurnContext) -> bool:
        value = ctx.message.button_value
        if not value or not value.startswith("flow:"):
            return False
        from bot.flowstage import start_flow

        return await start_flow(ctx, value.split(":", 1)[1])


class FallbackStage:
    """Not understood: greet a newcomer, otherwise say so; the second miss offers an officer."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if not ctx.state.greeted:
            greet(ctx)
            return True
        ctx.state.misses += 1
        if ctx.state.misses >= 2:
            ctx.state.misses = 0
            offer_handoff(ctx)
        else:
            menu = main_menu(ctx, t("fallback", ctx.lang))
            ctx.say(dataclasses.replace(menu, kind="fallback"))
        return True


def default_stages() -> list[Stage]:
    from bot.flowstage import FlowStage
    from bot.optout import OptOutStage  # STOP/START win over everything, on every channel
    from bot.survey import SurveyStage  # a pending satisfaction rating; reopens a closed conversation

    return [
        OptOutStage(), LanguageStage(), NumberedChoiceStage(), SurveyStage(), HumanHeldStage(), FlowStage(),
        CommandStage(),
        FaqStage(), FlowStartStage(), FallbackStage(),
    ]


def remember_choices(ctx: TurnContext) -> None:
    """Keep the last menu's values so a bare number can pick from it next turn."""
    for reply in reversed(ctx.replies):
        if isinstance(reply, Choices) and reply.buttons:
            ctx.state.pending_choice = {"values": [b.value for b in reply.buttons]}
            return
