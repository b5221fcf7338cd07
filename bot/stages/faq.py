"""Answer from the association's policy, or say honestly that an officer will.

A first message with content is answered on its content after a one-line welcome (not only
with the greeting menu); a long message (a plea of many lines) is also tried on its last
sentences, where the question usually is. An answer never hands the conversation over by itself:
a topic that calls for an officer is answered and the officer offered as a button.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bot import decisions
from bot.context import TurnContext
from bot.i18n import t
from bot.stages.common import (
    greet,
    main_menu,
    offer_handoff,
    officer,
    org_name,
    salam_prefix,
    start_handoff,
    welcome_prefix,
    working_hours_line,
)
from bot.stages.safety import distress_offer, plea_offer
from bot.types import Button, Choices, Text
from bot.understanding.core import understand
from bot.understanding.hours import asks_working_hours
from bot.understanding.services import asks_services


class FaqStage:
    """Answer from the association's policy, or say honestly that an officer will."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.message.button_value is not None and ctx.message.button_value.startswith("flow:"):
            return False
        decision = decisions.decide(ctx.message.text, ctx.pack, ctx.lang)
        said: list[str] = []

        def lead() -> str:
            """The welcome (and the returned salam) once per turn, before whatever comes first."""
            if said:
                return ""
            said.append(welcome_prefix(ctx))
            return said[0]

        if decision.kind in {"fallback", "suggest"} and len(ctx.message.text) > LONG:
            decision = _from_the_end(ctx, decision)
        distress = "distress" in ctx.understanding.flags and not ctx.state.flow
        if distress and decision.kind in {"fallback", "suggest"}:
            decision = _past_the_distress(ctx, decision)
        ctx.decision = decision
        if decision.kind in {"answer", "suggest", "fallback"} and asks_working_hours(ctx.understanding.key):
            _working_hours_reply(ctx, lead())
            return True
        if (decision.kind in {"suggest", "fallback"} or decision.topic_id in _GENERAL_TOPICS) \
                and decision.kind != "flow" and asks_services(ctx.understanding.key):
            _services_reply(ctx, lead())
            return True
        if "complaint_question" in ctx.understanding.flags and decision.kind in {"fallback", "suggest"} \
                and not ctx.state.flow:  # not answered from the policy: still a complaint, recorded
            ctx.state.greeted = True
            ack = salam_prefix(ctx) + t("complaint.reply", ctx.lang, officer=officer(ctx))
            start_handoff(ctx, "complaint", ack=ack)
            return True
        if distress and decision.kind in {"answer", "flow", "handoff"}:
            # the salam is returned first, before the sympathy and the answer
            ctx.say(Text(lead() + t("distress.short", ctx.lang), kind="info"))
        elif distress:
            offer = distress_offer(ctx)
            ctx.say(dataclasses.replace(offer, text=lead() + offer.text))
            return True
        elif decision.kind == "fallback" and not ctx.state.flow and len(ctx.message.text) > PLEA:
            prefix = lead()
            offer = plea_offer(ctx)
            ctx.say(dataclasses.replace(offer, text=prefix + offer.text))
            return True
        if decision.kind == "fallback" and getattr(decision, "outside", None) and decision.text:
            # outside the association (a government programme, the weather): said so, with what we offer;
            # not a miss of ours, so no "I didn't understand" and no officer for it
            ctx.state.misses = 0
            menu = main_menu(ctx, welcome_prefix(ctx) + decision.text)
            ctx.say(dataclasses.replace(menu, kind="fallback"))
            return True
        if decision.kind == "menu":
            greet(ctx) if not ctx.state.greeted else ctx.say(main_menu(ctx, decision.text or None))
            return True
        if decision.kind == "answer":
            ctx.state.misses = 0
            text = lead() + decision.text
            name = officer(ctx)
            if name and name in decision.text:  # the answer points to an officer: offer one, as a button
                ctx.say(Choices(text, (Button(t("menu.human", ctx.lang), "handoff"),), kind="answer"))
            else:
                ctx.say(Text(text, kind="answer"))
            return True
        if decision.kind == "suggest":
            buttons = tuple(Button(label, f"faq:{tid}") for tid, label in decision.suggestions)
            ctx.say(Choices(lead() + decision.text, buttons, kind="suggest"))
            return True
        if decision.kind == "handoff":
            if decision.topic_id is None:  # the person asked for one, in so many words
                start_handoff(ctx, "requested")
                return True
            ctx.state.misses = 0
            prefix = lead()
            if decision.text:
                ctx.say(Text(prefix + decision.text, kind="answer"))
            elif prefix:
                ctx.say(Text(prefix.strip(), kind="info"))
            offer_handoff(ctx, "handoff.offer")
            return True
        if decision.kind == "flow" and decision.flow_id:
            if ctx.understanding.salam and not said:  # the form's own intro welcomes; the salam is still returned
                ctx.say(Text(t("salam.return", ctx.lang), kind="info"))
            ctx.state.greeted = True
            ctx.message = dataclasses.replace(ctx.message, button_value=f"flow:{decision.flow_id}")
            return False
        return False


def _working_hours_reply(ctx: TurnContext, prefix: str) -> None:
    """The association's working days and hours when it has set them (a pack setting); otherwise
    that they are not published, never a time of our own, with an officer a tap away."""
    ctx.state.misses = 0
    line = working_hours_line(ctx)
    if line:
        ctx.say(Text(prefix + line, kind="answer"))
        return
    text = t("hours.unpublished", ctx.lang, org=org_name(ctx), officer=officer(ctx))
    ctx.say(Choices(prefix + text, (Button(t("menu.human", ctx.lang), "handoff"),), kind="answer"))


#: topics about the association in general: a question about its services is better answered by
#: what can be requested here than by these (its goals, its policy's purpose)
_GENERAL_TOPICS = frozenset({"about", "general_goal", "detailed_goals", "policy_purpose", "quality_culture",
                             "projects_products"})


def _services_reply(ctx: TurnContext, prefix: str) -> None:
    """What the person can ask for in this chat: the association's own request forms by their
    titles, a request's status, member services where there are some; the menu to pick one."""
    items = [ctx.pack.flows[f].title.get(ctx.lang) for f in ("support_request", "data_update", "volunteer")
             if f in ctx.pack.flows]
    items.insert(1 if items else 0, t("menu.status_inquiry", ctx.lang))
    if ctx.pack.pack.member_services:
        items.append(t("menu.member_services", ctx.lang))
    text = t("services.list", ctx.lang, org=org_name(ctx), items="\n".join(f"• {i}" for i in items))
    ctx.state.misses = 0
    ctx.say(dataclasses.replace(main_menu(ctx, prefix + text), kind="answer"))


#: a message longer than this (several sentences) is also read from its end
LONG = 100
#: a message longer than this that the policy does not answer is someone's account of their
#: situation: it is offered a request and a person, not "I did not understand"
PLEA = 300
_SENTENCE = re.compile(r"(?<=[.!?؟\n،,])\s*")


def _past_the_distress(ctx: TurnContext, first: Any) -> Any:
    """A question after a word of hardship ("امي تعبانه وما تقدر تطلع، تقدرون تخدمونها…؟") is still
    a question: the decision on the sentences without the hardship, when that one answers; the
    empathetic opener is kept by the caller. Crisis is never here (the safety stage took it)."""
    parts = [p.strip() for p in _SENTENCE.split(ctx.message.text[-1200:]) if len(p.strip()) > 3]
    rest = [p for p in parts if "distress" not in understand(p).flags]
    if not rest or len(rest) == len(parts):
        return first
    decision = decisions.decide(" ".join(rest), ctx.pack, ctx.lang)
    return decision if decision.kind in {"answer", "flow", "handoff"} else first


def _from_the_end(ctx: TurnContext, first: Any) -> Any:
    """The decision on the last sentences of a long message, when that one is better."""
    parts = [p.strip() for p in _SENTENCE.split(ctx.message.text[-1200:]) if len(p.strip()) > 3]
    for tail in (parts[-1:], parts[-2:]):
        if not tail:
            continue
        decision = decisions.decide(" ".join(tail), ctx.pack, ctx.lang)
        if decision.kind in {"answer", "flow", "handoff"}:
            return decision
    return first
