"""Status inquiry: a beneficiary asks where their request stands, and learns nothing about anyone else's.

* Asked from the channel identity that filed it → the status is shown at once.
* Any other reference → the person is asked for the last four digits of the ID *and* of the
  mobile on the request (eight digits; only the mobile's when the request has no ID): one
  chance in 10^8 a guess, where "either" gave two in 10^4. The same question is asked whether
  or not the reference exists, and a miss gets the same answer as an unknown reference, so
  nobody can probe which references exist.
* No reference, typed by someone who has requests ("كم باقي على طلبي؟") → their requests at once
  (one: its status; several: the list), as «طلباتي» does. The menu's button, or someone with none
  here, is asked for the reference (with «طلباتي» one tap away).
* Waiting for a reference (or the check digits), a message that is none of them (a question,
  thanks, a greeting, another need) leaves the inquiry and is handled as it would be otherwise:
  the same prompt is never said twice in a row, and the waiting state lasts one message and at
  most :data:`KEEP` (never into a later session).

Failures are counted durably per reference and per person (:class:`bot.ports.VerificationGuard`),
not in this inquiry's state: a new inquiry, a new session or a new visitor gets no new guesses,
and each further failure doubles the lock-out. Three failures also end the current inquiry.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.context import TurnContext
from bot.dates import format_date
from bot.digits import to_western
from bot.flows.asides import asks_for_person
from bot.i18n import CATALOG, t
from bot.stages.common import main_menu, start_handoff
from bot.types import Button, Choices, Expect, Text

MAX_VERIFY = 3
#: how long an inquiry waits for its reference or check digits: a later message is a new session
KEEP = timedelta(minutes=30)


def status_label(status: str, lang: str) -> str:
    """A request's status in the beneficiary's words (the status name itself if it has none)."""
    key = f"case_status.{status}"
    return t(key, lang) if key in CATALOG else status


def _example(ctx: TurnContext) -> str:
    return f"{ctx.pack.pack.code}-{ctx.now.year % 100:02d}-00042"


def inquiry_prompt(ctx: TurnContext) -> Choices:
    return Choices(
        t("status.ask_ref", ctx.lang, example=_example(ctx)),
        (Button(t("status.mine", ctx.lang), "status:mine"), Button(t("menu.human", ctx.lang), "handoff")),
        kind="flow", expect=Expect("status_inquiry", "reference", "text"),
    )


def _detail(ctx: TurnContext, case: Any) -> Text:
    text = t("status.detail", ctx.lang, reference=case.reference, status=status_label(case.status, ctx.lang),
             date=format_date(case.created_at.date(), ctx.lang))
    if case.decision_due_at and case.status in {"submitted", "under_review"}:
        text += "\n" + t("status.due", ctx.lang, due=format_date(case.decision_due_at.date(), ctx.lang))
    return Text(text, kind="answer")


def _done(ctx: TurnContext) -> None:
    ctx.state.extra.pop("status_inquiry", None)


async def start_inquiry(ctx: TurnContext) -> bool:
    if ctx.services is None or ctx.services.cases is None:
        ctx.say(Text(t("status.unavailable", ctx.lang, officer=ctx.pack.pack.referral_officer.get(ctx.lang)),
                     kind="flow"))
        return True
    ctx.state.extra["status_inquiry"] = {"stage": "reference", "failures": 0, "at": ctx.now.isoformat()}
    if ctx.understanding.reference and ctx.message.button_value is None:
        return await continue_inquiry(ctx)
    if ctx.message.text.strip() and await show_mine(ctx):  # "كم باقي على طلبي؟": theirs, not a question back
        _done(ctx)  # (the menu's "check a request", tapped, may be for any request: the number is asked for)
        return True
    ctx.say(inquiry_prompt(ctx))
    return True


async def show_mine(ctx: TurnContext) -> bool:
    """The person's own open requests when they have any (one: its status with the expected reply
    date; several: the list), with how to ask about another; False when they have none here."""
    assert ctx.services is not None and ctx.services.cases is not None  # callers checked
    cases = await ctx.services.cases.for_beneficiary(ctx.pack.pack.slug, ctx.beneficiary_id)
    if not cases:
        return False
    if len(cases) == 1:
        shown = _detail(ctx, cases[0])
    else:
        shown = Text(_list_text(ctx, cases), kind="answer")
    other = t("status.other_hint", ctx.lang, example=_example(ctx))
    ctx.say(Text(shown.text + "\n" + other, kind="answer"))
    return True


def _list_text(ctx: TurnContext, cases: list[Any]) -> str:
    lines = [t("status.list_head", ctx.lang)] + [
        t("status.line", ctx.lang, reference=c.reference, status=status_label(c.status, ctx.lang),
          date=format_date(c.created_at.date(), ctx.lang))
        for c in cases
    ]
    return "\n".join(lines)


async def list_mine(ctx: TurnContext) -> None:
    """The person's own open requests (asked by "طلباتي" anywhere, or the button)."""
    assert ctx.services is not None and ctx.services.cases is not None  # callers checked
    cases = await ctx.services.cases.for_beneficiary(ctx.pack.pack.slug, ctx.beneficiary_id)
    if not cases:
        ctx.say(Text(t("status.none_open", ctx.lang), kind="answer"))
        return
    ctx.say(Text(_list_text(ctx, cases), kind="answer"))


def _stale(ctx: TurnContext, inquiry: dict[str, Any]) -> bool:
    """Started more than :data:`KEEP` ago (or before inquiries were dated): a later session."""
    try:
        return ctx.now - datetime.fromisoformat(str(inquiry.get("at"))) > KEEP
    except (TypeError, ValueError):
        return True


def _looks_like_digits(text: str, at_least: int) -> bool:
    """An attempt at the check digits or a reference number: mostly digits, few words."""
    plain = to_western(text)
    digits = sum(ch.isdigit() for ch in plain)
    return digits >= at_least and len(plain.split()) <= 6


async def continue_inquiry(ctx: TurnContext) -> bool:
    """The reference or check digits the inquiry waits for; False (the inquiry left) when the
    message is something else, for the rest of the chain to handle as it would otherwise."""
    inquiry = ctx.state.extra["status_inquiry"]
    value = ctx.message.button_value
    command = ctx.understanding.command if value is None else None
    if not isinstance(inquiry, dict) or _stale(ctx, inquiry):
        _done(ctx)
        return False
    if command in {"cancel", "menu"} or value == "menu":
        _done(ctx)
        ctx.say(main_menu(ctx, t("cancelled", ctx.lang)))
        return True
    # a wish for a person at any step, in any words ("كلمني موظف لو سمحت"): never read as a reference or digits
    if value in {"handoff", "handoff:yes"} or command == "human" or (value is None and asks_for_person(ctx.input)):
        _done(ctx)
        start_handoff(ctx, "requested")
        return True
    if value == "status:mine" or command == "my_requests":
        _done(ctx)
        await list_mine(ctx)
        return True
    assert ctx.services is not None and ctx.services.cases is not None  # start_inquiry checked
    cases = ctx.services.cases
    reference = ctx.understanding.reference if value is None else None
    if value is not None and not value.startswith("status:"):
        _done(ctx)  # a button of the menu or of an answer: what it says, not a reference
        return False
    if inquiry["stage"] == "verify" and not reference and not _looks_like_digits(ctx.input, 4):
        _done(ctx)  # no guess was made: nothing is counted
        if _about_whose(ctx.input):  # "هو طلب امي": the way for a request of someone else's, once
            ctx.say(Text(t("status.not_found", ctx.lang, officer=ctx.pack.pack.referral_officer.get(ctx.lang)),
                         kind="flow"))
            return True
        return False  # "ابي رقم المدير": a question, handled as it would be otherwise
    if inquiry["stage"] == "verify" and not reference:
        guard = ctx.services.verification
        who = f"beneficiary:{ctx.beneficiary_id}"
        org, asked = ctx.pack.pack.slug, inquiry["reference"]
        if guard is not None and not await guard.attempt(org=org, reference=asked, who=who, now=ctx.now):
            _done(ctx)
            ctx.say(Text(t("status.locked", ctx.lang, officer=ctx.pack.pack.referral_officer.get(ctx.lang)),
                         kind="flow"))
            return True
        found = await cases.by_reference(org, asked)
        if found is not None and _answer_matches(ctx.input, found[0].national_id_last4, found[1]):
            if guard is not None:  # it writes the audit row of the look
                await guard.verified(org=org, reference=asked, who=who, now=ctx.now)
            else:
                await _audit_verified(ctx, found[0].reference)
            _done(ctx)
            ctx.say(_detail(ctx, found[0]))
            return True
        inquiry["failures"] += 1
        if inquiry["failures"] >= MAX_VERIFY:
            _done(ctx)
            ctx.say(Text(t("status.locked", ctx.lang, officer=ctx.pack.pack.referral_officer.get(ctx.lang)),
                         kind="flow"))
            return True
        inquiry["stage"] = "reference"
        # the same words whether or not the request exists: a hint for someone asking for another, no leak
        not_found = t("status.not_found", ctx.lang, officer=ctx.pack.pack.referral_officer.get(ctx.lang))
        ctx.say(Text(not_found, kind="flow"), inquiry_prompt(ctx))
        return True
    if not reference:
        if inquiry.get("reasked") or not _looks_like_digits(ctx.input, 2):
            _done(ctx)  # not a reference: handled as it would be otherwise, never this prompt again
            return False
        inquiry["reasked"] = True  # "00417": a reference mistyped, asked for once more
        ctx.say(inquiry_prompt(ctx))
        return True
    found = await cases.by_reference(ctx.pack.pack.slug, reference)
    if found is not None and found[0].beneficiary_id == ctx.beneficiary_id:
        _done(ctx)
        ctx.say(_detail(ctx, found[0]))
        return True
    # unknown, another association's, or someone else's: the same question either way
    inquiry.update(stage="verify", reference=reference)
    ctx.say(Text(t("status.verify", ctx.lang), kind="flow", expect=Expect("status_inquiry", "verify", "number")))
    return True


#: "هو طلب امي", "it's my father's application": whose request it is, said instead of the check digits
_WHOSE = re.compile(
    r"(?<!\w)(?:طلب|الطلب|امي|أمي|والدتي|والدي|ابوي|أبوي|زوجي|زوجتي|اخوي|أخوي|اختي|أختي|ولدي|بنتي|جدتي|جدي|"
    r"عمي|خالي|عمتي|خالتي|request|application|mother|mom|mum|father|dad|husband|wife|son|daughter|brother|"
    r"sister|someone else|not mine)(?!\w)", re.IGNORECASE)


def _about_whose(text: str) -> bool:
    return bool(_WHOSE.search(text))


def _answer_matches(answer: str, id_last4: str | None, phone: str | None) -> bool:
    """The last four digits of the request's ID followed by the last four of its mobile (spaces,
    dashes and Arabic-Indic digits allowed); the mobile's alone when the request has no ID."""
    digits = re.sub(r"\D", "", to_western(answer))
    expected = (id_last4 or "") + (phone[-4:] if phone else "")
    return len(expected) >= 4 and digits == expected


async def _audit_verified(ctx: TurnContext, reference: str) -> None:
    if ctx.services is not None and ctx.services.audit is not None:
        await ctx.services.audit.record(actor="beneficiary", action="case.status_verified",
                                        org=ctx.pack.pack.slug, target=reference)
