"""Bridge between the routing chain and the pure flow runner (``bot/flows``).

The runner decides what to ask and returns *effects*; this stage carries them out: a case with
a reference number (idempotent on the flow instance, so a double tap creates one case), a
profile update, a volunteer record, or a hand-off that keeps the form where it stood.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from bot import decisions
from bot.context import TurnContext
from bot.dates import format_date
from bot.faq.arabizi import transliterate
from bot.faq.outside import outside_text
from bot.flows import runner
from bot.flows.asides import asks_what_to_write, asks_why_needed, means_hold_on, means_later
from bot.flows.prompts import looks_like_question, success_text
from bot.flows.state import (
    Ended,
    FlowState,
    Handoff,
    StepContext,
    Submit,
    UpdateProfile,
    VolunteerSignup,
)
from bot.i18n import t
from bot.ports import CaseDesk
from bot.sealed import Cipher, seal, unseal
from bot.stages import form_switch
from bot.stages.common import main_menu, salam_prefix, start_handoff
from bot.stages.status import continue_inquiry, inquiry_prompt, list_mine, start_inquiry
from bot.types import Button, Choices, Reply, Text
from bot.understanding.core import understand

#: how long a form waits for its next answer when no settings are at hand (``sila ask``)
DEFAULT_EXPIRY_HOURS = 72


def step_context(ctx: TurnContext, offers: list[str] | None = None) -> StepContext:
    """The runner's view of this turn. ``offers`` collects the answers that come with the officer
    offered (:func:`with_officer_offer`): the stage puts the button on them."""

    def is_question(text: str) -> str | None:
        u = understand(text)
        officer = ctx.pack.pack.referral_officer.get(ctx.lang)
        if "medical" in u.flags:
            return t("medical.reply", ctx.lang, officer=officer)
        about = about_the_field(ctx, text)
        if about is not None:
            return about
        if u.smalltalk is not None or u.command is not None or u.words < 2:
            return None
        # "طيب وين مقركم" asks without a question mark or a question word first
        asked = u.question or looks_like_question(text, anywhere=_field_type(ctx) == "name")
        decision = decisions.decide(text, ctx.pack, ctx.lang)
        if decision.kind == "handoff" and asked:
            if not decision.text:
                return None
            # a topic an officer handles is answered here, when it was asked, and the officer really
            # offered (a button): "I'm passing your question to them now" would be a promise not kept
            answer = with_officer_offer(ctx, decision.text)
            if offers is not None:
                offers.append(answer)
            return answer
        if decision.kind == "answer":
            return decision.text or None
        if not asked or _field_type(ctx) in FREE_TEXT_ANSWERS:
            return None  # a description may well read like a question: it is the answer
        if decision.kind == "fallback" and getattr(decision, "outside", None):
            # the weather, a match, a government programme: said so courteously, no officer promised
            org = ctx.pack.pack.short_name.get(ctx.lang)
            lang: Literal["ar", "en"] = "en" if ctx.lang == "en" else "ar"
            return outside_text(decision.outside, org, lang, offer=False) + " " + t("flow.outside_continue", lang)
        if decision.kind == "suggest" and decision.topic_id is not None:
            topic = next((tp for tp in ctx.pack.faq.topics if tp.id == decision.topic_id), None)
            if topic is not None:
                return topic.answer.get(ctx.lang)
        return t("flow.question_later", ctx.lang, officer=officer)

    hours = ctx.services.settings.flow_expiry_hours if ctx.services is not None else DEFAULT_EXPIRY_HOURS
    return StepContext(
        lang=ctx.lang, now=ctx.now, supports_buttons=ctx.caps.buttons,
        supports_attachments=ctx.caps.attachments_in, is_question=is_question,
        expiry=timedelta(hours=hours), attachments=ctx.message.attachments, channel=ctx.message.key.channel,
        arabic_of=transliterate,
    )


#: the sentence of a policy answer that says the question is being passed on ("سأحوّل استفسارك إليه الآن")
_PASSING_ON = re.compile(r"سأحو[ّ]?ل|I'm passing|I am passing|I'll pass|I will pass", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def with_officer_offer(ctx: TurnContext, answer: str) -> str:
    """A policy answer that calls for an officer, given in the middle of a form: without its
    "I'm passing your question on now" (nothing is passed on unless the person wants it), and with
    the offer, which the stage makes a button."""
    kept = " ".join(part for part in _SENTENCE_END.split(answer.strip()) if not _PASSING_ON.search(part))
    offer = t("flow.officer_offer", ctx.lang, officer=ctx.pack.pack.referral_officer.get(ctx.lang))
    return f"{kept}\n{offer}" if kept else offer


def _offer_buttons(ctx: TurnContext, replies: list[Reply], offers: list[str]) -> list[Reply]:
    """The answers of :func:`with_officer_offer` as a choice with the hand-off button."""
    button = Button(t("handoff.yes", ctx.lang), "handoff:yes")
    return [Choices(r.text, (button,), kind="answer") if isinstance(r, Text) and r.text in offers else r
            for r in replies]


def about_the_field(ctx: TurnContext, text: str) -> str | None:
    """The answer to a question about the field being asked (:mod:`bot.flows.asides`): what the
    data is for and who sees it, or what to write (an optional field: that it can be skipped)."""
    fdef = _asked_field(ctx)
    if fdef is None:
        return None
    lang = ctx.lang
    if asks_why_needed(text):
        key = "flow.why_sensitive" if fdef.sensitive else "flow.why_needed"
        return t(key, lang, label=fdef.title(lang), org=ctx.pack.pack.short_name.get(lang))
    if asks_what_to_write(text):
        help_text = fdef.help.get(lang) if fdef.help else None
        if fdef.optional:
            note = t("flow.optional_what", lang, skip=t("flow.skip_button", lang))
            return f"{help_text}\n{note}" if help_text else note
        return help_text or t("flow.help_default", lang)
    return None


class FlowStage:
    """While a form (or a status inquiry) is in progress, every input goes to it first."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.state.extra.get("status_inquiry"):
            handled = await continue_inquiry(ctx)
            if handled and ctx.state.flow and not ctx.state.extra.get("status_inquiry") and ctx.status == "bot":
                ctx.say(*current_question(ctx))  # back to the form the inquiry interrupted
            if handled:
                return True
            # not a reference: the inquiry is left, and the message goes where it would have gone
        if not ctx.state.flow:
            return False
        state = load_flow_state(ctx)
        flow = ctx.pack.flows.get(state.flow)
        if flow is None:  # the pack dropped this flow since; don't strand the person
            ctx.state.flow = None
            return False
        if await _aside(ctx, flow, state):
            return True
        asked = _pending_field(flow, state)
        if asked is not None and asked.type == "national_id":
            masked = redact_digits(ctx.message.text or "")
            ctx.stored_text = masked if masked != ctx.message.text else None
        elif asked is not None and asked.sensitive and (ctx.message.text or ctx.message.button_value):
            # a diagnosis is health data: the transcript keeps that it was answered, not the answer
            # (the form seals it, the case keeps it sealed, the officer's case page opens it)
            ctx.stored_text = t("flow.protected_answer", ctx.lang)
        before = ctx.state.flow
        offers: list[str] = []
        result = runner.step(flow, state, ctx.input, step_context(ctx, offers))
        store_flow_state(ctx, flow, result.state)
        if any(isinstance(e, Ended) and e.outcome == "cancelled" for e in result.effects):
            remember_cancelled(ctx, before)
        ctx.say(*_offer_buttons(ctx, list(result.replies), offers))
        for effect in result.effects:
            await _carry_out(ctx, effect, flow, state)
        return True


#: fields whose answer is free prose: a question there may be the answer itself
FREE_TEXT_ANSWERS = frozenset({"description", "text"})


def _asked_field(ctx: TurnContext) -> Any:
    """The field the form is waiting for (None at the summary, declaration or consent)."""
    flow = ctx.state.flow or {}
    if flow.get("stage") != "field" or not flow.get("field"):
        return None
    definition = ctx.pack.flows.get(str(flow.get("flow")))
    return definition.field(str(flow.get("field"))) if definition is not None else None


def _field_type(ctx: TurnContext) -> str | None:
    fdef = _asked_field(ctx)
    return fdef.type if fdef is not None else None


async def _aside(ctx: TurnContext, flow: Any, state: FlowState) -> bool:
    """What a person says in the middle of a form that is not the field's value, answered
    without losing the form: "continue" (the question again), a wish to go on in the other language,
    a greeting or "menu" after a pause (continue or start again?), "my requests", thanks, a goodbye,
    emoji, a voice note or picture where text is expected, a wish to start another service instead
    (:mod:`bot.stages.form_switch`)."""
    u, value = ctx.understanding, ctx.message.button_value
    typed = form_switch.typed_reply(ctx)
    if typed == "resume":
        value = "flow:resume"
    elif typed is not None:
        value = form_switch.BUTTON + typed
    if value == "flow:resume" or (value is None and u.command == "continue"):  # "كملي": the question again
        ctx.say(*current_question(ctx))
        return True
    if value is not None and value.startswith(form_switch.BUTTON):  # yes: this request goes, the other starts
        ctx.state.flow = None
        ctx.say(Text(t("flow.switched", ctx.lang, title=flow.title.get(ctx.lang)), kind="info"))
        return await start_flow(ctx, value.removeprefix(form_switch.BUTTON))
    if value == "flow:restart":
        ctx.state.flow = None
        return await start_flow(ctx, state.flow)
    if value == "flow:leave":
        ctx.state.flow = None
        ctx.say(main_menu(ctx, t("cancelled", ctx.lang)))
        return True
    if value in {"handoff", "handoff:yes"}:  # the officer offered as a button (an answer, a voice note)
        start_handoff(ctx, "requested")  # the form is kept where it stood, for the officer to hand back
        return True
    if value == "handoff:no":
        ctx.say(*current_question(ctx))
        return True
    if value is not None:
        return False
    if u.command in {"lang_ar", "lang_en"}:  # "ممكن نكمل بالعربي؟": the language changes, the form stays
        ctx.state.lang = "en" if u.command == "lang_en" else "ar"
        ctx.state.lang_locked = True
        ctx.say(Text(t("flow.lang_continue", ctx.lang), kind="flow"), *current_question(ctx))
        return True
    if u.command == "restart":
        ctx.state.flow = None
        return await start_flow(ctx, state.flow)
    if u.reference and _field_type(ctx) not in FREE_TEXT_ANSWERS:  # "قبل لا اكمل، وش صار على …؟"
        await start_inquiry(ctx)
        if not ctx.state.extra.get("status_inquiry"):
            ctx.say(*current_question(ctx))
        return True
    if u.smalltalk == "greeting" or u.command == "menu":
        # after a pause, "welcome back"; asked for the menu, the form is kept and the menu one tap away
        offer = "flow.menu_offer" if u.command == "menu" else "flow.resume_offer"
        ctx.say(Choices(salam_prefix(ctx) + t(offer, ctx.lang, title=flow.title.get(ctx.lang)), (
            Button(t("flow.resume_button", ctx.lang), "flow:resume"),
            Button(t("flow.restart_button", ctx.lang), "flow:restart"),
            Button(t("flow.menu_button", ctx.lang), "flow:leave"),
        ), kind="flow"))
        return True
    if u.command == "my_requests" and ctx.services is not None and ctx.services.cases is not None:
        await list_mine(ctx)  # the requests already sent; the one being filled is not among them: say so
        ctx.say(Text(t("flow.unsent_note", ctx.lang, title=flow.title.get(ctx.lang)), kind="info"))
        ctx.say(*current_question(ctx))
        return True
    hours = ctx.services.settings.flow_expiry_hours if ctx.services is not None else DEFAULT_EXPIRY_HOURS
    if means_later(ctx.message.text or "") and (_field_type(ctx) not in FREE_TEXT_ANSWERS or u.words <= 4):
        # "خلاص بعدين اكمل، مشغول الحين": not a value; what they entered waits, and they hear how to go on
        ctx.say(Text(t("flow.saved_for_later", ctx.lang, title=flow.title.get(ctx.lang), hours=hours), kind="info"))
        return True
    if means_hold_on(ctx.message.text or "") and (_field_type(ctx) not in FREE_TEXT_ANSWERS or u.words <= 2):
        # "لحظة اجيب الهوية": they are fetching the answer; the question is just above, so only wait
        ctx.say(Text(t("flow.hold_on", ctx.lang), kind="info"))
        return True
    if u.smalltalk == "goodbye":  # leaving half-way: wish them well, and say the form waits for them
        ctx.say(Text(t("smalltalk.goodbye_form", ctx.lang, title=flow.title.get(ctx.lang), hours=hours), kind="info"))
        return True
    if (ctx.message.text or "").strip() and not (ctx.message.text or "").strip(" ?؟"):
        # a bare "?" asks what to do here: a short help line, and the question (its choices) again
        ctx.say(Text(_help_line(flow, state, ctx.lang), kind="flow"))
        ctx.say(*current_question(ctx))
        return True
    if u.smalltalk in {"thanks", "emoji", "punctuation"}:
        if u.smalltalk in {"emoji", "punctuation"}:
            ctx.say(Text(t("flow.not_a_value", ctx.lang, label=_label(flow, state, ctx.lang)), kind="flow"))
        else:  # mid-form, "anything else?" would be the wrong question: the form goes on
            ctx.say(Text(t("flow.thanks_in_form", ctx.lang), kind="info"))
        ctx.say(*current_question(ctx))
        return True
    if ctx.message.attachments and not u.text and not _expects_attachment(flow, state):
        media_reply(ctx)
        ctx.say(*current_question(ctx))
        return True
    other = form_switch.wanted_flow(ctx, flow, state)
    if other is not None:  # "خلني اغير، ابي اسجل متطوع بدال": offered, never done silently
        ctx.say(form_switch.offer(ctx, flow, other))
        return True
    return False


def media_reply(ctx: TurnContext) -> None:
    """A voice note, sticker or picture where words were expected: kindly say what we can do."""
    types = [a.content_type or "" for a in ctx.message.attachments]
    key = "media.voice" if any(ct.startswith(("audio/", "video/ogg")) for ct in types) else "media.other"
    officer = ctx.pack.pack.referral_officer.get(ctx.lang)
    ctx.say(Choices(t(key, ctx.lang, officer=officer), (Button(t("menu.human", ctx.lang), "handoff"),), kind="info"))


def _label(flow: Any, state: FlowState, lang: str) -> str:
    fdef = flow.field(state.field) if state.stage == "field" and state.field else None
    return fdef.label.get(lang) if fdef is not None else ""


def _help_line(flow: Any, state: FlowState, lang: str) -> str:
    """What to do at this step, in a line: how to pick at a choice, else the field's own help."""
    fdef = flow.field(state.field) if state.stage == "field" and state.field else None
    if fdef is None or fdef.type in ("choice", "multi_choice"):
        return t("flow.choice_help", lang)
    return fdef.help.get(lang) if fdef.help else t("flow.help_default", lang)


def _expects_attachment(flow: Any, state: FlowState) -> bool:
    fdef = flow.field(state.field) if state.stage == "field" and state.field else None
    return fdef is not None and fdef.type == "attachment"


def current_question(ctx: TurnContext) -> list[Reply]:
    """What the conversation was waiting for (a form's field, a status inquiry's reference), to be
    asked again after a reply to something else; [] when nothing is in progress."""
    if ctx.state.extra.get("status_inquiry"):
        return [inquiry_prompt(ctx)]
    if not ctx.state.flow:
        return []
    state = load_flow_state(ctx)
    flow = ctx.pack.flows.get(state.flow)
    if flow is None:
        return []
    return [runner.current_prompt(flow, state, ctx.lang, supports_buttons=ctx.caps.buttons)]


def load_flow_state(ctx: TurnContext) -> FlowState:
    """The form in progress, its sealed answers opened for the runner (:mod:`bot.sealed`)."""
    state = FlowState.from_json(ctx.state.flow or {})
    state.answers = unseal(state.answers, _cipher(ctx))
    return state


#: where a form cancelled a message ago waits to be brought back (:mod:`bot.stages.resume`)
CANCELLED = "cancelled_flow"


def remember_cancelled(ctx: TurnContext, flow_state: dict[str, Any] | None) -> None:
    """Keep the state of the form just cancelled, as stored (sensitive answers sealed), for
    :class:`bot.stages.resume.ResumeCancelledStage` to bring back or drop."""
    if flow_state:
        ctx.state.extra[CANCELLED] = {"state": flow_state, "flow": flow_state.get("flow"), "at": ctx.now.isoformat()}


def store_flow_state(ctx: TurnContext, flow: Any, state: FlowState | None) -> None:
    """Keep ``state`` in the conversation with its sensitive answers sealed (None: the form ended)."""
    if state is None:
        ctx.state.flow = None
        return
    data = state.to_json()
    data["answers"] = seal(data["answers"], [(f.id, f.type) for f in flow.fields if f.sensitive], _cipher(ctx))
    ctx.state.flow = data


def _cipher(ctx: TurnContext) -> Cipher | None:
    return ctx.services.cipher if ctx.services is not None else None


def _pending_field(flow: Any, state: FlowState) -> Any:
    """The field this message answers (asked, or re-asked from the summary), if any."""
    if state.stage != "field" or state.field is None:
        return None
    return next((f for f in flow.fields if f.id == state.field), None)


def redact_digits(text: str, keep: int = 4) -> str:
    """``text`` with every digit but the last ``keep`` replaced by ``*`` (Arabic-Indic ones too),
    so the transcript of a national-ID answer shows what it was without holding the number."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    hidden = set(positions[:-keep] if keep else positions)
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


async def start_flow(ctx: TurnContext, flow_id: str) -> bool:
    ctx.state.misses = 0
    ctx.state.greeted = True
    if flow_id == "status_inquiry":
        return await start_inquiry(ctx)
    flow = ctx.pack.flows.get(flow_id)
    if flow is None:
        officer = ctx.pack.pack.referral_officer.get(ctx.lang)
        ctx.say(Text(t("coming_soon", ctx.lang, officer=officer), kind="flow"))
        return True
    state, replies = runner.start(flow, ctx.lang, step_context(ctx))
    store_flow_state(ctx, flow, state)
    ctx.say(*replies)
    return True


def _cases(ctx: TurnContext) -> CaseDesk | None:
    return ctx.services.cases if ctx.services is not None else None


async def _carry_out(ctx: TurnContext, effect: Any, flow: Any, state: FlowState) -> None:
    submit_key = f"{ctx.conversation_id}:{state.flow}:{state.started_at}"
    cases = _cases(ctx)
    if isinstance(effect, Handoff):
        start_handoff(ctx, "validation" if effect.reason == "validation" else "requested")
        return
    if not isinstance(effect, Submit | UpdateProfile | VolunteerSignup):
        return
    if cases is None:  # nothing is stored in this deployment (`sila ask`): an officer takes it
        officer = ctx.pack.pack.referral_officer.get(ctx.lang)
        ctx.say(Text(t("coming_soon", ctx.lang, officer=officer), kind="flow"))
        return
    if isinstance(effect, Submit):
        pack = ctx.pack.pack
        case = await cases.create(
            org=pack.slug, code=pack.code, beneficiary_id=ctx.beneficiary_id,
            conversation_id=ctx.conversation_id, channel=ctx.message.key.channel, flow_id=effect.flow_id,
            answers=effect.answers, declaration=effect.declaration or {}, consent=effect.consent,
            decision_min_days=pack.decision_min_days, submit_key=submit_key, now=ctx.now,
            sensitive=effect.sensitive_fields,
        )
        params = {
            "reference": case.reference,
            "committee": pack.committee.get(ctx.lang) if pack.committee else "",
            "earliest_date": format_date(case.decision_due_at.date(), ctx.lang) if case.decision_due_at else "",
            "officer": pack.referral_officer.get(ctx.lang),
        }
        text = success_text(flow, ctx.lang, **params) or case.reference
        ctx.say(Text(text, kind="flow"))
        ctx.events.append({"type": "case_submitted", "reference": case.reference})
    elif isinstance(effect, UpdateProfile):
        await cases.update_profile(org=ctx.pack.pack.slug, beneficiary_id=ctx.beneficiary_id,
                                   answers=effect.answers, channel=ctx.message.key.channel)
        ctx.state.extra["profile_updated_at"] = ctx.now.isoformat()  # "did my update go through?" (stages/filed)
        if flow.success:
            ctx.say(Text(flow.success.get(ctx.lang), kind="flow"))
    elif isinstance(effect, VolunteerSignup):
        await cases.add_volunteer(org=ctx.pack.pack.slug, beneficiary_id=ctx.beneficiary_id,
                                  answers=effect.answers, submit_key=submit_key)
        if flow.success:
            ctx.say(Text(flow.success.get(ctx.lang), kind="flow"))


class FlowStartStage:
    """Start a flow named by a button or by the FAQ; the flows module runs it."""

    async def __call__(self, ctx: TurnContext) -> bool:
        value = ctx.message.button_value
        if not value or not value.startswith("flow:"):
            return False
        # "switch to the other service" tapped after the first form has ended: start the other one
        return await start_flow(ctx, value.removeprefix(form_switch.BUTTON).split(":", 1)[-1])
