"""Step logic for flows: ``(flow, state, input, context) -> (state, replies, effects)``.

Pure on purpose — no storage, no clock, no channel — so a whole conversation can be tested
as a list of inputs, and the engine can run a step inside its per-conversation lock and
write the new state, the transcript and the outgoing replies in one transaction.

Contract with the engine:

* ``state is None`` in a :class:`StepResult` means the flow has ended; ``effects`` say how
  (:class:`Submit`, :class:`UpdateProfile`, :class:`VolunteerSignup`, :class:`Completed`,
  or :class:`Ended` when nothing was submitted).
* After a submitting effect the runner returns **no** success text: the engine creates the
  case and sends :func:`bot.flows.prompts.success_text` filled with ``reference``,
  ``committee``, ``earliest_date`` and ``officer``.
* :class:`Handoff` comes with the state kept (so the officer can hand the person back to
  the same field) and no reply: the engine owns hand-off wording (officer name, hours).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.clock import RIYADH, aware
from bot.flows import prompts as P
from bot.flows.arabizi_choice import arabizi_choice
from bot.flows.asides import asks_for_person, means_dont_know
from bot.flows.edits import EditWish, confirms_in_words, edit_wish
from bot.flows.matching import Option, match_option
from bot.flows.messages import reason_text
from bot.flows.normalize import clean, fold
from bot.flows.schema import FieldDef, FlowDef
from bot.flows.state import (
    Completed,
    Effect,
    Ended,
    FlowState,
    Handoff,
    StepContext,
    StepResult,
    Submit,
    UpdateProfile,
    VolunteerSignup,
)
from bot.flows.validators import Invalid, display_for, validate
from bot.i18n import t
from bot.types import Choices, Reply, Text

MAX_ATTEMPTS = 3
REMINDER_AFTER = timedelta(hours=6)
FREE_TEXT = frozenset({"text", "description", "name"})
#: Saudi Arabia keeps UTC+3 all year; "not in the future" means the beneficiary's today


# --- field bookkeeping ------------------------------------------------------------------------


def visible_fields(flow: FlowDef, answers: dict[str, Any]) -> list[FieldDef]:
    """Fields whose ``show_if`` holds for the answers so far (in flow order)."""
    return [f for f in flow.fields if f.show_if is None or f.show_if.holds(answers)]


def _prune(flow: FlowDef, state: FlowState) -> None:
    """Drop answers of fields hidden by a changed answer, and of fields no longer in the flow."""
    while True:
        keep = {f.id for f in visible_fields(flow, state.answers)}
        dropped = [k for k in state.answers if k not in keep]
        if not dropped:
            break
        for k in dropped:
            del state.answers[k]
    state.history = [h for h in state.history if h in state.answers]


def _next_field(flow: FlowDef, answers: dict[str, Any]) -> FieldDef | None:
    return next((f for f in visible_fields(flow, answers) if f.id not in answers), None)


def _iso(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        value = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return aware(value)



# --- prompts for the current position ------------------------------------------------------------


def current_prompt(
    flow: FlowDef, state: FlowState, lang: str, *, supports_buttons: bool = True, prefix: str | None = None
) -> Text | Choices:
    """The reply that asks for whatever the state is waiting for (used after answers, help, reminders)."""
    fields = visible_fields(flow, state.answers)
    if state.stage == "field":
        fdef = flow.field(state.field)
        if state.offering_handoff or fdef is None:
            return P.handoff_offer_reply(flow, lang, prefix=prefix)
        return P.field_prompt(flow, fdef, lang, supports_buttons=supports_buttons, prefix=prefix)
    if state.stage == "summary":
        return P.summary_reply(flow, fields, state.answers, lang, prefix=prefix)
    if state.stage == "edit_pick":
        return P.edit_pick_reply(flow, fields, lang, prefix=prefix)
    if state.stage == "declaration":
        return P.declaration_reply(flow, lang, prefix=prefix)
    return P.consent_reply(flow, lang, prefix=prefix)


def _again(
    flow: FlowDef, state: FlowState, ctx: StepContext, prefix: str | None = None, before: list[Reply] | None = None
) -> StepResult:
    reply = current_prompt(flow, state, ctx.lang, supports_buttons=ctx.supports_buttons, prefix=prefix)
    return StepResult(state, [*(before or []), reply], [])


# --- moving forward ------------------------------------------------------------------------------


def _advance(flow: FlowDef, state: FlowState, ctx: StepContext, before: list[Reply] | None = None) -> StepResult:
    """Ask the next unanswered visible field, or move on to summary / declaration / consent."""
    _prune(flow, state)
    replies = list(before or [])
    nxt = _next_field(flow, state.answers)
    while nxt is not None and nxt.type == "attachment" and not ctx.supports_attachments:
        # The channel cannot carry files: skip an optional one, mark a required one for the officer.
        state.answers[nxt.id] = None if nxt.optional else {"pending": True}
        key = "flow.attachment_skipped_channel" if nxt.optional else "flow.attachment_pending_channel"
        replies.append(Text(t(key, ctx.lang), kind="flow"))
        nxt = _next_field(flow, state.answers)
    if nxt is not None:
        state.stage, state.field, state.offering_handoff = "field", nxt.id, False
        return _again(flow, state, ctx, before=replies)
    state.field, state.editing = None, False
    if flow.summary:
        state.stage = "summary"
        return _again(flow, state, ctx, before=replies)
    return _after_summary(flow, state, ctx, replies)


def _after_summary(flow: FlowDef, state: FlowState, ctx: StepContext, before: list[Reply]) -> StepResult:
    if flow.declaration is not None:
        state.stage = "declaration"
        return _again(flow, state, ctx, before=before)
    return _after_declaration(flow, state, ctx, before)


def _after_declaration(flow: FlowDef, state: FlowState, ctx: StepContext, before: list[Reply]) -> StepResult:
    if flow.consent is not None:
        state.stage = "consent"
        return _again(flow, state, ctx, before=before)
    return _finish(flow, state, ctx, None, before)


def _record(flow: FlowDef, text: str, ctx: StepContext) -> dict[str, Any]:
    """What is kept of an accepted declaration or consent: the exact words, when, where."""
    return {
        "accepted_at": _iso(ctx.now),
        "text": text,
        "text_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "lang": "en" if ctx.lang == "en" else "ar",
        "channel": ctx.channel,
        "policy_version": flow.policy_version,
    }


def _finish(
    flow: FlowDef, state: FlowState, ctx: StepContext, consent: dict[str, Any] | None, before: list[Reply]
) -> StepResult:
    answers = {f.id: state.answers.get(f.id) for f in visible_fields(flow, state.answers)}
    effect: Effect
    if flow.on_submit == "case":
        sensitive = tuple(f.id for f in flow.fields if f.sensitive and f.id in answers)
        effect = Submit(flow.id, answers, state.declaration, consent, sensitive)
    elif flow.on_submit == "update_profile":
        effect = UpdateProfile(flow.id, answers, consent)
    elif flow.on_submit == "volunteer":
        effect = VolunteerSignup(flow.id, answers, consent)
    else:
        effect = Completed(flow.id, answers)
    return StepResult(None, before, [effect])


def _end(flow: FlowDef, outcome: str, message_key: str, lang: str) -> StepResult:
    return StepResult(None, [Text(t(message_key, lang), kind="info")], [Ended(flow.id, outcome)])


# --- public API ------------------------------------------------------------------------------------


def start(flow: FlowDef, lang: str = "ar", ctx: StepContext | None = None) -> tuple[FlowState, list[Reply]]:
    """A fresh state and the replies that open the flow (intro, then the first question)."""
    ctx = replace(ctx, lang=lang) if ctx is not None else StepContext(lang=lang)
    now = _iso(ctx.now)
    state = FlowState(flow=flow.id, field=None, lang=lang, started_at=now, updated_at=now)
    result = _advance(flow, state, ctx, [Text(flow.intro.get(lang), kind="flow")])
    assert result.state is not None
    return result.state, result.replies


def is_expired(state: FlowState, now: datetime, expiry: timedelta | None) -> bool:
    last = _parse(state.updated_at) or _parse(state.started_at)
    return expiry is not None and last is not None and aware(now) - last > expiry


def needs_reminder(state: FlowState | None, now: datetime, after: timedelta = REMINDER_AFTER) -> bool:
    """True once the person has been silent for ``after`` and has not been reminded since."""
    if state is None:
        return False
    last = _parse(state.updated_at)
    if last is None or aware(now) - last < after:
        return False
    reminded = _parse(state.reminded_at)
    return reminded is None or reminded < last


def reminder(
    flow: FlowDef, state: FlowState, now: datetime, *, supports_buttons: bool = True
) -> tuple[FlowState, list[Reply]]:
    """The reminder to send (a gentle note, then the pending question); marks the state reminded."""
    new = FlowState.from_json(state.to_json())
    new.reminded_at = _iso(now)
    note = t("flow.reminder", new.lang, title=flow.title.get(new.lang))
    return new, [current_prompt(flow, new, new.lang, supports_buttons=supports_buttons, prefix=note)]


def step(flow: FlowDef, state: FlowState, user_input: str, ctx: StepContext) -> StepResult:
    """Handle one message. The input state is never mutated; a new one is returned."""
    state = FlowState.from_json(state.to_json())
    text = clean(user_input or "")
    command = P.command_of(text)
    if command == "cancel":
        return _end(flow, "cancelled", "flow.cancelled", ctx.lang)
    if is_expired(state, ctx.now, ctx.expiry):
        fresh, replies = start(flow, ctx.lang, ctx)
        notice = Text(t("flow.expired", ctx.lang), kind="info")
        return StepResult(fresh, [notice, *replies], [Ended(flow.id, "expired")])
    state.lang, state.updated_at = ctx.lang, _iso(ctx.now)
    if command == "human" or asks_for_person(text):
        # typed while the offer is shown, it is the offer being taken; at any field or choice step
        # ("yes transfer me", "حولني") a wish for a person, never a value or an option
        reason = "validation" if state.offering_handoff else "requested"
        state.offering_handoff = False
        state.attempts.pop(state.field or "", None)
        return StepResult(state, [], [Handoff(reason, flow.id, state.field, dict(state.answers))])
    if command == "back":
        return _back(flow, state, ctx)
    if state.stage == "field":
        return _field_step(flow, state, text, command, ctx)
    if command == "help":
        return _again(flow, state, ctx, prefix=t("flow.help_default", ctx.lang))
    return _control_step(flow, state, text, ctx)


# --- stage handlers --------------------------------------------------------------------------------


def _back(flow: FlowDef, state: FlowState, ctx: StepContext) -> StepResult:
    state.offering_handoff = False
    if state.stage == "consent" and flow.declaration is not None:
        state.stage, state.declaration = "declaration", None
        return _again(flow, state, ctx)
    if state.stage in ("edit_pick", "declaration", "consent") and flow.summary:
        state.stage, state.declaration = "summary", None
        return _again(flow, state, ctx)
    if state.stage == "field" and state.editing:
        state.stage, state.field, state.editing = "summary", None, False
        return _again(flow, state, ctx)
    if not state.history:
        if state.stage != "field":  # no summary and nothing to go back to: stay put
            return _again(flow, state, ctx)
        return _again(flow, state, ctx, prefix=t("flow.back_first", ctx.lang))
    previous = state.history.pop()
    state.answers.pop(previous, None)
    state.stage, state.field, state.declaration = "field", previous, None
    state.attempts.pop(previous, None)
    return _again(flow, state, ctx)


def _accept(
    flow: FlowDef, state: FlowState, fdef: FieldDef, value: Any, ctx: StepContext, before: list[Reply] | None = None
) -> StepResult:
    state.answers[fdef.id] = value
    state.attempts.pop(fdef.id, None)
    state.offering_handoff = False
    if fdef.id not in state.history:
        state.history.append(fdef.id)
    state.editing = False
    return _advance(flow, state, ctx, before)


def _field_step(flow: FlowDef, state: FlowState, text: str, command: str | None, ctx: StepContext) -> StepResult:
    fdef = flow.field(state.field)
    if fdef is None:  # the pack changed under a stored state: carry on with what still exists
        return _advance(flow, state, ctx)
    if command == "help":
        help_text = fdef.help.get(ctx.lang) if fdef.help else t("flow.help_default", ctx.lang)
        return _again(flow, state, ctx, prefix=help_text)
    if command == "skip":
        if not fdef.optional:
            return _again(flow, state, ctx, prefix=t("flow.skip_required", ctx.lang))
        return _accept(flow, state, fdef, None, ctx)
    wish = edit_wish(answered_fields(flow, state), text) if text else None
    if wish is not None:  # "ابي اغير رقم جوالي" at a later question: that answer again, then on from here
        return _reopen(flow, state, wish, ctx)
    if fdef.optional and means_dont_know(text, whole=fdef.type in FREE_TEXT) and not _names_an_option(fdef, text):
        # "ما اعرف رقم عضويتي", "I don't have one": at an optional field that is a skip, said as one
        return _accept(flow, state, fdef, None, ctx, [Text(t("flow.skipped_unknown", ctx.lang), kind="flow")])
    today = aware(ctx.now).astimezone(RIYADH).date()
    spec = replace(fdef.to_spec(), lang=ctx.lang, today=today, attachments=ctx.attachments)
    if state.offering_handoff:
        choice = P.control_choice(text, P.HANDOFF_OPTIONS)
        if choice == "handoff":
            state.offering_handoff = False
            state.attempts.pop(fdef.id, None)
            return StepResult(state, [], [Handoff("validation", flow.id, fdef.id, dict(state.answers))])
        if choice == "retry":
            state.offering_handoff = False
            state.attempts[fdef.id] = 0
            return _again(flow, state, ctx)
    if fdef.type in FREE_TEXT and P.looks_like_question(text, anywhere=fdef.type == "name"):
        answer = ctx.is_question(text)
        if answer:
            return _again(flow, state, ctx, before=[Text(answer, kind="answer")])
    result = validate(text, spec)
    if isinstance(result, Invalid) and result.reason_key == "choice_unknown" and ctx.arabic_of is not None:
        result = arabizi_choice(text, spec, ctx.arabic_of) or result  # "nafsi", "7aj": the Arabic word in Latin letters
    if not isinstance(result, Invalid):
        return _accept(flow, state, fdef, result.value, ctx)
    later = _later_field(flow, state, fdef, text, ctx) if text and not P.looks_like_question(text) else None
    if state.offering_handoff:
        # neither a choice of the offer nor a valid answer: people go on typing their answers (a
        # name, a diagnosis, a description) and must not be met with "pick an option" each time.
        # Say once what is still needed, with the field's own options, and leave the offer.
        state.offering_handoff = False
        state.attempts[fdef.id] = 0
        return _again(flow, state, ctx, prefix=_still_needed(later, ctx.lang))
    if later is not None:  # an answer to a question still to come: not a miss, and not lost silently
        return _again(flow, state, ctx, prefix=_still_needed(later, ctx.lang))
    if fdef.type not in FREE_TEXT and text:
        answer = ctx.is_question(text)
        if answer:
            return _again(flow, state, ctx, before=[Text(answer, kind="answer")])
    reason = reason_text(result.reason_key, result.params, ctx.lang)
    state.attempts[fdef.id] = state.attempts.get(fdef.id, 0) + 1
    if state.attempts[fdef.id] >= MAX_ATTEMPTS:
        state.offering_handoff = True
        return StepResult(state, [P.handoff_offer_reply(flow, ctx.lang, prefix=reason)], [])
    return _again(flow, state, ctx, prefix=reason)


def answered_fields(flow: FlowDef, state: FlowState) -> list[FieldDef]:
    """The visible fields a person may ask to change mid-form: those answered, and the one being asked
    ("ta3deel al jawal" said again while the mobile is asked again is no other service either)."""
    return [f for f in visible_fields(flow, state.answers) if f.id in state.answers or f.id == state.field]


def _reopen(flow: FlowDef, state: FlowState, wish: EditWish, ctx: StepContext) -> StepResult:
    """A wish to change an earlier answer, typed at a later question: with a new value that clearly
    is that field's ("غير المدينة إلى بريدة"), it is taken and the question that stood is asked again;
    otherwise that field is asked again. Either way the form then goes on from where it stood (the
    next unanswered field), and the words are never kept as the value of the question asked."""
    target = wish.field
    state.offering_handoff = False
    state.attempts.pop(state.field or "", None)
    value = _clear_value(target, wish.value, ctx) if wish.value and not target.sensitive else None
    if value is not None and target.id == state.field:
        return _accept(flow, state, target, value, ctx)
    if value is not None:
        state.answers[target.id] = value
        shown = display_for(replace(target.to_spec(), lang=ctx.lang), value)
        said = t("flow.value_updated_to", ctx.lang, label=target.title(ctx.lang), value=shown)
        return _advance(flow, state, ctx, [Text(said, kind="flow")])
    state.stage, state.field, state.editing = "field", target.id, False
    return _again(flow, state, ctx, prefix=t("flow.edit_again", ctx.lang, label=target.title(ctx.lang)))


def _clear_value(fdef: FieldDef, text: str, ctx: StepContext) -> Any:
    """``text`` as ``fdef``'s value when it clearly is one (a city only from the list: a place typed
    anywhere else than at its own question is no proof of being one), else None."""
    today = aware(ctx.now).astimezone(RIYADH).date()
    spec = replace(fdef.to_spec(), lang=ctx.lang, today=today, allow_other=False)
    if fdef.type in ("choice", "multi_choice"):
        options = [c.option() for c in fdef.choices]
        match = match_option(text, options, numbered=False, fuzzy=False)
        return match.value if isinstance(match, Option) and fdef.type == "choice" else None
    found = validate(text, spec)
    return None if isinstance(found, Invalid) or found.value is None else found.value


def _names_an_option(fdef: FieldDef, text: str) -> bool:
    """Whether ``text`` is one of the field's own options word for word ("لا اريد" may be one)."""
    options = [c.option() for c in fdef.choices]
    return bool(options) and isinstance(match_option(text, options, numbered=False, fuzzy=False), Option)


#: field types whose valid value says clearly which question it answers (free text fits any)
_TELLING_TYPES = frozenset({"name", "national_id", "phone", "city", "date", "choice", "multi_choice"})


def _later_field(flow: FlowDef, state: FlowState, fdef: FieldDef, text: str, ctx: StepContext) -> FieldDef | None:
    """The first question after ``fdef`` still unanswered that ``text`` is a valid answer to."""
    ids = [f.id for f in flow.fields]
    if fdef.id not in ids:
        return None
    today = aware(ctx.now).astimezone(RIYADH).date()
    ahead = [f for f in flow.fields[ids.index(fdef.id) + 1:] if f.id not in state.answers and f.type in _TELLING_TYPES]
    # a name takes almost any two words ("سرطان دم", "not sure"): every other kind is tried first, and
    # a name counts only with three parts or more, as a full name is written
    if len(text.split()) < 3 or means_dont_know(text):
        ahead = [f for f in ahead if f.type != "name"]
    for later in sorted(ahead, key=lambda f: f.type == "name"):
        if later.type in ("choice", "multi_choice"):  # an option's own words, not a near miss
            options = [c.option() for c in later.choices]
            if isinstance(match_option(text, options, numbered=False, fuzzy=False), Option):
                return later
            continue
        spec = replace(later.to_spec(), lang=ctx.lang, today=today)
        found = validate(text, spec)
        if isinstance(found, Invalid):
            continue
        if later.type == "city" and str(found.value).startswith("other:"):
            # a place not on the list is kept as typed when the city is asked, but as an answer to a
            # later question any word would do: «محمد» and "shokran" at the name were taken for a city
            continue
        return later
    return None


def _still_needed(later: FieldDef | None, lang: str) -> str:
    if later is not None:
        return t("flow.answer_for_later", lang, later=later.title(lang))
    return t("flow.still_needed", lang)


#: "I want to change …" at the summary, before the name of the field
_EDIT_VERBS = tuple(sorted((tuple(fold(w).split()) for w in (
    "ابي اغير", "ابغى اغير", "ابغا اغير", "اريد تغيير", "اريد اغير", "ودي اغير", "ابي اعدل", "ابغى اعدل", "اريد تعديل",
    "ابي اصحح", "ابي تعديل", "ابي تغيير", "ممكن اغير", "ممكن اعدل", "ممكن تعديل", "ممكن تغيير", "اغير", "اعدل", "عدل",
    "عدلي", "عدلوا", "غير", "غيري", "غيروا", "تعديل", "تغيير", "تصحيح", "اصحح", "صحح", "i want to change",
    "i'd like to change", "can i change", "i need to change", "change", "edit", "update", "correct", "fix", "modify",
    "change my", "edit my", "update my", "change the", "edit the", "update the",
)), key=len, reverse=True))


def _edit_request(flow: FlowDef, state: FlowState, text: str) -> FieldDef | str | None:
    """The field a typed "ابي اغير رقم الجوال" names; "pick" when a change is asked without one
    clear field; None when the message asks for no change."""
    toks = fold(text).split()
    verb = next((v for v in _EDIT_VERBS if tuple(toks[: len(v)]) == v), None)
    if verb is None:
        return None
    rest = " ".join(toks[len(verb):])
    if not rest:
        return "pick"
    fields = visible_fields(flow, state.answers)
    match = match_option(rest, P.edit_options(fields), numbered=False)
    return flow.field(match.value) if isinstance(match, Option) else "pick"


def _fits_one_field(flow: FlowDef, state: FlowState, text: str, ctx: StepContext) -> tuple[FieldDef, Any] | None:
    """The one answered field a bare value typed at the summary is valid for ("0559998877")."""
    today = aware(ctx.now).astimezone(RIYADH).date()
    fits: list[tuple[FieldDef, Any]] = []
    for f in visible_fields(flow, state.answers):
        if f.type not in _TELLING_TYPES or f.type in ("choice", "multi_choice", "name"):
            continue
        # a city only from the list: «مدري», "muwafeq" and "طيب وبعدين" were offered as the new City
        result = validate(text, replace(f.to_spec(), lang=ctx.lang, today=today, allow_other=False))
        if not isinstance(result, Invalid) and result.value != state.answers.get(f.id):
            fits.append((f, result.value))
    return fits[0] if len(fits) == 1 else None


def _summary_typed(flow: FlowDef, state: FlowState, text: str, ctx: StepContext) -> StepResult:
    """Typed at the summary instead of a button: an edit named ("ابي اغير رقم الجوال") opens that
    field; a bare value that fits one field is offered to go there; a question is answered; anything
    else gets a short word on how to change or send, not the whole summary again."""
    target = _edit_request(flow, state, text) if text else None
    wish = edit_wish(visible_fields(flow, state.answers), text) if text and target is None else None
    if wish is not None:  # "عذراً، أرغب في تغيير المدينة إلى بريدة": the wish not at the start
        value = _clear_value(wish.field, wish.value, ctx) if wish.value and not wish.field.sensitive else None
        if value is None:
            target = wish.field
        else:
            return _offer_value(flow, state, wish.field, value, ctx)
    if isinstance(target, FieldDef):
        state.stage, state.field, state.editing = "field", target.id, True
        return _again(flow, state, ctx)
    if target == "pick":
        state.stage = "edit_pick"
        return _again(flow, state, ctx)
    if text and confirms_in_words(text):  # "كل شي تمام ارسل", "all good, send"
        return _after_summary(flow, state, ctx, [])
    fit = _fits_one_field(flow, state, text, ctx) if text else None
    if fit is not None:
        fdef, value = fit
        if fdef.sensitive:  # a sealed field's value is not held in the offer: the field is asked again
            state.stage, state.field, state.editing = "field", fdef.id, True
            return _again(flow, state, ctx)
        return _offer_value(flow, state, fdef, value, ctx)
    answer = ctx.is_question(text) if text else None
    if answer:
        return StepResult(state, [Text(answer, kind="answer"), P.summary_help_reply(flow, ctx.lang)], [])
    return StepResult(state, [P.summary_help_reply(flow, ctx.lang)], [])


def _offer_value(flow: FlowDef, state: FlowState, fdef: FieldDef, value: Any, ctx: StepContext) -> StepResult:
    """"Put this value in that field?", the value held until the answer."""
    state.pending = {"field": fdef.id, "value": value}
    shown = display_for(replace(fdef.to_spec(), lang=ctx.lang), value)
    return StepResult(state, [P.pending_reply(flow, fdef, shown, ctx.lang)], [])


def _pending_step(
    flow: FlowDef, state: FlowState, pending: dict[str, Any], text: str, ctx: StepContext
) -> StepResult | None:
    """The answer to "put this value in that field?"; None when the message is about something else."""
    choice = P.control_choice(text, P.PENDING_OPTIONS)
    fdef = flow.field(str(pending.get("field")))
    if choice is None or fdef is None:
        return None
    if choice == "put_value":
        state.answers[fdef.id] = pending.get("value")
        _prune(flow, state)
        return _again(flow, state, ctx, prefix=t("flow.value_updated", ctx.lang, label=fdef.title(ctx.lang)))
    return _again(flow, state, ctx)


def _control_step(flow: FlowDef, state: FlowState, text: str, ctx: StepContext) -> StepResult:
    if state.stage == "summary":
        pending, state.pending = state.pending, None
        if pending is not None:
            taken = _pending_step(flow, state, pending, text, ctx)
            if taken is not None:
                return taken
        choice = P.control_choice(text, P.SUMMARY_OPTIONS)
        if choice == "confirm":
            return _after_summary(flow, state, ctx, [])
        if choice == "edit":
            state.stage = "edit_pick"
            return _again(flow, state, ctx)
        return _summary_typed(flow, state, text, ctx)
    elif state.stage == "edit_pick":
        match = match_option(text, P.edit_options(visible_fields(flow, state.answers)))
        if isinstance(match, Option):
            state.stage, state.field, state.editing = "field", match.value, True
            return _again(flow, state, ctx)
    elif state.stage == "declaration" and flow.declaration is not None:
        choice = P.control_choice(text, P.DECLARATION_OPTIONS)
        if choice == "accept":
            state.declaration = _record(flow, flow.declaration.get(ctx.lang), ctx)
            return _after_declaration(flow, state, ctx, [])
        if choice == "decline":
            return _end(flow, "declined", "flow.declined", ctx.lang)
    elif state.stage == "consent" and flow.consent is not None:
        choice = P.control_choice(text, P.CONSENT_OPTIONS)
        if choice == "accept":
            return _finish(flow, state, ctx, _record(flow, flow.consent.get(ctx.lang), ctx), [])
        if choice == "decline":
            return _end(flow, "consent_declined", "flow.consent_declined", ctx.lang)
    else:  # a stage this flow no longer has (pack changed): resume from the fields
        return _advance(flow, state, ctx)
    answer = ctx.is_question(text) if text else None
    if answer:
        return _again(flow, state, ctx, before=[Text(answer, kind="answer")])
    return _again(flow, state, ctx, prefix=t("flow.pick_option", ctx.lang))
