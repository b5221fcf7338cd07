"""Bridge between the routing chain and the pure flow runner (``bot/flows``).

The runner decides what to ask and returns *effects*; this stage carries them out: a case with
a reference number (idempotent on the flow instance, so a double tap creates one case), a
profile update, a volunteer record, or a hand-off that keeps the form where it stood.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import decisions
from bot.context import TurnContext
from bot.dates import format_date
from bot.flows import runner
from bot.flows.prompts import success_text
from bot.flows.state import (
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
from bot.stages.common import start_handoff
from bot.stages.status import continue_inquiry, start_inquiry
from bot.types import Text

#: how long a form waits for its next answer when no settings are at hand (``sila ask``)
DEFAULT_EXPIRY_HOURS = 72


def step_context(ctx: TurnContext) -> StepContext:
    def is_question(text: str) -> str | None:
        decision = decisions.decide(text, ctx.pack, ctx.lang)
        return decision.text if decision.kind == "answer" and decision.text else None

    hours = ctx.services.settings.flow_expiry_hours if ctx.services is not None else DEFAULT_EXPIRY_HOURS
    return StepContext(
        lang=ctx.lang, now=ctx.now, supports_buttons=ctx.caps.buttons,
        supports_attachments=ctx.caps.attachments_in, is_question=is_question,
        expiry=timedelta(hours=hours), attachments=ctx.message.attachments, channel=ctx.message.key.channel,
    )


class FlowStage:
    """While a form (or a status inquiry) is in progress, every input goes to it first."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.state.extra.get("status_inquiry"):
            return await continue_inquiry(ctx)
        if not ctx.state.flow:
            return False
        state = load_flow_state(ctx)
        flow = ctx.pack.flows.get(state.flow)
        if flow is None:  # the pack dropped this flow since; don't strand the person
            ctx.state.flow = None
            return False
        if _asks_national_id(flow, state):
            masked = redact_digits(ctx.message.text or "")
            ctx.stored_text = masked if masked != ctx.message.text else None
        result = runner.step(flow, state, ctx.input, step_context(ctx))
        store_flow_state(ctx, flow, result.state)
        ctx.say(*result.replies)
        for effect in result.effects:
            await _carry_out(ctx, effect, flow, state)
        return True


def load_flow_state(ctx: TurnContext) -> FlowState:
    """The form in progress, its sealed answers opened for the runner (:mod:`bot.sealed`)."""
    state = FlowState.from_json(ctx.state.flow or {})
    state.answers = unseal(state.answers, _cipher(ctx))
    return state


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


def _asks_national_id(flow: Any, state: FlowState) -> bool:
    """Is this message the answer to a national-ID question (asked, or re-asked from the summary)?"""
    if state.stage != "field" or state.field is None:
        return False
    return any(f.id == state.field and f.type == "national_id" for f in flow.fields)


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
        return await start_flow(ctx, value.split(":", 1)[1])
