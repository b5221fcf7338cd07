"""Changing one's mind mid-form: "لا لا خلني اغير، ابي اسجل متطوع بدال" at the ID step.

A message that is not the awaited value but asks to start another of the association's services
(the same reading that starts a form from the menu: :func:`bot.decisions.decide` says "flow") is
answered with an offer, never acted on silently: cancel this request and start the other one, or
carry on. The half-filled form is kept until the person says yes (a button, or a typed yes/no,
remembered under ``extra["flow_switch"]`` for one message). The flow stage carries it out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot import decisions
from bot.clock import RIYADH, aware
from bot.context import TurnContext
from bot.flows.edits import edit_wish
from bot.flows.normalize import fold
from bot.flows.runner import answered_fields
from bot.flows.state import FlowState
from bot.flows.validators import NO_WORDS, YES_WORDS, Valid, validate
from bot.i18n import t
from bot.types import Button, Choices

PENDING = "flow_switch"
BUTTON = "flow:switch:"
#: free prose fields: "I want to volunteer as well" may be part of the description itself
_PROSE = frozenset({"description", "text"})


def wanted_flow(ctx: TurnContext, flow: Any, state: FlowState) -> Any:
    """The other flow this message asks to start instead of ``flow``, or None."""
    u = ctx.understanding
    if u.words < 2 or u.command is not None or u.smalltalk is not None or u.reference:
        return None
    if state.stage != "field":  # at the summary "ابي اعدل بياناتي" is an edit, not the other service
        return None
    fdef = flow.field(state.field)
    if fdef is None or fdef.type in _PROSE or _is_value(ctx, fdef):
        return None
    if edit_wish(answered_fields(flow, state), ctx.message.text or "") is not None:
        return None  # "ابي اعدل رقم الجوال": this form's own answer, not the data-update service
    decision = decisions.decide(ctx.message.text or "", ctx.pack, ctx.lang)
    target = ctx.pack.flows.get(decision.flow_id) if decision.kind == "flow" and decision.flow_id else None
    return target if target is not None and target.id != flow.id else None


def _is_value(ctx: TurnContext, fdef: Any) -> bool:
    today = aware(ctx.now).astimezone(RIYADH).date()
    spec = replace(fdef.to_spec(), lang=ctx.lang, today=today, attachments=ctx.message.attachments)
    return isinstance(validate(ctx.message.text or "", spec), Valid)


def offer(ctx: TurnContext, flow: Any, target: Any) -> Choices:
    """Cancel this request and start ``target``, or carry on? (remembered for a typed yes/no)."""
    ctx.state.extra[PENDING] = target.id
    lang = ctx.lang
    text = t("flow.switch_offer", lang, current=flow.title.get(lang), other=target.title.get(lang))
    return Choices(text, (
        Button(t("flow.switch_yes", lang), BUTTON + target.id),
        Button(t("flow.switch_no", lang), "flow:resume"),
    ), kind="flow")


def typed_reply(ctx: TurnContext) -> str | None:
    """The target flow id when the person typed yes to a pending offer, "resume" for no, else None;
    the offer is forgotten either way (it stands for one message)."""
    target = ctx.state.extra.pop(PENDING, None)
    if target is None or ctx.message.button_value is not None:
        return None
    key = fold(ctx.message.text or "")
    if key in YES_WORDS or key == "1":
        return str(target)
    if key in NO_WORDS or key == "2":
        return "resume"
    return None
