"""What comes before any routing: a person in crisis, a medical question, a complaint, an insult.

Runs in every state — first message, mid-form, in a survey or status inquiry, while waiting
for an officer — because a person who writes "ما ابي اعيش" must never get a menu or "please
type your name". What each gets:

* crisis: an empathetic reply in their language naming the crisis lines of the deployment
  (``SILA_CRISIS_LINES``) — with the domestic-violence line first when the danger is violence at
  home (``SILA_CRISIS_VIOLENCE_LINES``, 1919) — and an immediate hand-off marked urgent (heads the
  console queue), out of hours too; a form in progress is kept, not lost.
* medical advice asked: the association gives none; ask the treating doctor; what it does offer.
* a complaint about how they were treated: an apology, and a hand-off recorded as a complaint.
* an insult: a calm, courteous line, no lecture.
* distress without danger: a word of sympathy before the answer, or with the support request
  offered when there is nothing else to answer (:func:`distress_offer`, used by the FAQ stage).

Medical, complaint and insult are left to the officer while one holds or is awaited.
"""

from __future__ import annotations

import dataclasses

from bot.context import TurnContext
from bot.i18n import t
from bot.settings import DEFAULT_CRISIS_LINES, DEFAULT_VIOLENCE_LINES, parse_crisis_lines
from bot.stages.common import officer, salam_prefix, start_handoff
from bot.stages.forms import current_question
from bot.stages.survey import record_complaint
from bot.types import Button, Choices, ReplyKind, Text

#: free-text fields where sad or angry words may simply be the answer (a request's description)
_FREE_TEXT = frozenset({"description", "text"})


def crisis_text(ctx: TurnContext) -> str:
    """The crisis reply with the lines to call: the association's or the deployment's, and first,
    when the message is about violence at home, the domestic-violence line (1919 by default)."""
    contact, settings = ctx.pack.pack.contact, ctx.services.settings if ctx.services is not None else None
    raw = contact.crisis_lines or (settings.crisis_lines if settings is not None else DEFAULT_CRISIS_LINES)
    found = list(parse_crisis_lines(raw))
    if "violence" in ctx.understanding.flags:
        violence = contact.crisis_violence_lines or (
            settings.crisis_violence_lines if settings is not None else DEFAULT_VIOLENCE_LINES)
        if violence.strip():
            extra = [v for v in parse_crisis_lines(violence) if v.number not in {x.number for x in found}]
            found = extra + found
    lines = "\n".join(f"• {line.number}: {line.label(ctx.lang)}" for line in found)
    # a body in danger now (pain, bleeding, an overdose): the ambulance first, not "you are not alone"
    key = "crisis.emergency" if "emergency" in ctx.understanding.flags else "crisis.reply"
    return t(key, ctx.lang, lines=lines, officer=officer(ctx))


def distress_offer(ctx: TurnContext) -> Choices:
    return _offer(ctx, "distress.reply")


def plea_offer(ctx: TurnContext) -> Choices:
    """For a long account of someone's situation that asks nothing the policy answers: not "I did
    not understand", but the two things such a message is usually for (a request, a person)."""
    return _offer(ctx, "plea.reply", "fallback")


def _offer(ctx: TurnContext, key: str, kind: ReplyKind = "answer") -> Choices:
    buttons = []
    if "support_request" in ctx.pack.flows:
        buttons.append(Button(t("menu.support_request", ctx.lang), "flow:support_request"))
    buttons.append(Button(t("menu.human", ctx.lang), "handoff"))
    return Choices(t(key, ctx.lang, officer=officer(ctx)), tuple(buttons), kind=kind)


def _in_free_text(ctx: TurnContext) -> bool:
    flow = ctx.state.flow or {}
    if flow.get("stage") != "field" or not flow.get("field"):
        return False
    definition = ctx.pack.flows.get(str(flow.get("flow")))
    fdef = definition.field(str(flow["field"])) if definition is not None else None
    return fdef is not None and fdef.type in _FREE_TEXT


class SafetyStage:
    async def __call__(self, ctx: TurnContext) -> bool:
        u = ctx.understanding
        if ctx.message.button_value is not None or not u.flags:
            return False
        held = ctx.status in {"waiting", "human"}
        busy = bool(ctx.state.flow or ctx.state.extra.get("status_inquiry"))
        if u.crisis:
            ctx.state.greeted = True
            ctx.state.extra.pop("survey", None)
            ctx.state.extra.pop("status_inquiry", None)
            if ctx.status == "human":  # an officer is already there: tell them, and the person
                ctx.say(Text(crisis_text(ctx), kind="handoff"))
                if isinstance(ctx.state.handoff, dict):
                    ctx.state.handoff = {**ctx.state.handoff, "urgent": True}
                ctx.events.append({"type": "handoff", "reason": "crisis", "urgent": True})
            else:
                start_handoff(ctx, "crisis", urgent=True, ack=crisis_text(ctx))
            return True
        if held or (busy and _in_free_text(ctx)):
            return False
        if "complaint" in u.flags and not u.question:
            ctx.state.greeted = True
            record_complaint(ctx)  # written as the survey's answer: it is one too
            ack = salam_prefix(ctx) + t("complaint.reply", ctx.lang, officer=officer(ctx))
            start_handoff(ctx, "complaint", ack=ack)
            return True
        if "medical" in u.flags:
            ctx.state.greeted = True
            # kind "fallback": outside what the association answers (as `sila ask` reports it)
            if busy:
                ctx.say(Text(t("medical.reply", ctx.lang, officer=officer(ctx)), kind="fallback"),
                        *current_question(ctx))
            else:
                offer = _offer(ctx, "medical.reply", "fallback")
                ctx.say(dataclasses.replace(offer, text=salam_prefix(ctx) + offer.text))
            return True
        if "abuse" in u.flags:
            ctx.state.greeted = True
            # the second insult says the assistant is not helping: an officer is offered, as a button
            insults = int(ctx.state.extra.get("insults", 0)) + 1
            ctx.state.extra["insults"] = insults
            if insults >= 2:
                offer = Choices(salam_prefix(ctx) + t("abuse.again", ctx.lang, officer=officer(ctx)),
                                (Button(t("handoff.yes", ctx.lang), "handoff:yes"),
                                 Button(t("handoff.no", ctx.lang), "handoff:no")), kind="handoff")
                ctx.say(offer, *current_question(ctx))
                return True
            ctx.say(Text(salam_prefix(ctx) + t("abuse.reply", ctx.lang), kind="info"), *current_question(ctx))
            return True
        return False
