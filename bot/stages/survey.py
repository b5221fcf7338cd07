"""The satisfaction survey: one short question after a closed hand-off or a case decision.

The policy frames rating as the beneficiary's right and a tool for evaluating and improving the
service, not for punishment, and the wording says so. The console creates the survey row (one per
closure, never to an opted-out identity) and pushes :func:`survey_compose`; this module's
:class:`SurveyStage` takes the answer: a button ``survey:<id>:<1-5>`` or a bare digit, then an
optional comment in one message. The rating may also be typed the way people rate: "5",
"٥ نجوم", "5 stars", "⭐⭐⭐⭐⭐", "👍", "😡", or words ("ممتاز الله يعطيكم العافية" is a 5 and,
being more than a number, its own comment). A rating of 1–2 offers the hand-off. Anything else
the person writes instead simply drops the survey and is routed as usual.

The stage also reopens a closed conversation: the next message after "close" is the bot's again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.context import TurnContext
from bot.i18n import t
from bot.records import SurveyAnswer
from bot.redact import mask_national_ids
from bot.types import Button, Choices, Text
from bot.understanding.core import Understanding
from bot.understanding.text import key_of

SURVEY_KEY = "survey"
MAX_COMMENT = 1000
_BUTTON = re.compile(r"^survey:([0-9a-f]{26}):([1-5]|skip)$")
#: "5", "5 نجوم", "5 stars", "5/5", "5 من 5"
_NUMBER = re.compile(r"^([1-5])(?: ?(?:نجوم|نجمه|نجمات|stars?|من 5|/ ?5|out of 5))?$")
_EMOJI = {"😡": 1, "😠": 1, "🤬": 1, "👎": 2, "😞": 2, "🙁": 2, "☹": 2, "😐": 3, "🙂": 4, "👍": 4, "😊": 5,
          "😍": 5, "🥰": 5, "❤": 5, "👏": 5, "🌹": 5, "🙏": 5, "💯": 5}
#: rating words, longest first so "مو زين" is read before "زين"
_WORDS = sorted(((f" {key_of(w)} ", n) for ws, n in (
    (("سيء جدا", "سيئه جدا", "very bad", "terrible", "awful", "horrible", "الاسوا", "زفت", "worst"), 1),
    (("سيء", "سيئه", "مو زين", "مب زين", "مو كويس", "ضعيف", "ضعيفه", "ما عجبني", "bad", "poor", "not good"), 2),
    (("عادي", "مقبول", "متوسط", "نص نص", "ok", "okay", "average", "fine", "so so"), 3),
    (("جيد", "جيد جدا", "زين", "كويس", "حلو", "تمام", "very good", "good", "nice"), 4),
    (("ممتاز", "ممتازه", "رائع", "رائعه", "روعه", "خيالي", "ما قصرتوا", "ما قصرتو", "الله يعطيكم العافيه",
      "يعطيكم العافيه", "excellent", "perfect", "great", "amazing", "outstanding", "the best", "very satisfied"), 5),
) for w in ws), key=lambda p: len(p[0]), reverse=True)


#: "اربع نجوم", "five stars": a number in words, before a word for stars
_NUMBER_WORDS = {key_of(w): n for ws, n in (
    (("واحد", "وحده", "نجمه وحده", "one"), 1), (("ثنتين", "اثنين", "اثنتين", "two"), 2),
    (("ثلاث", "ثلاثه", "three"), 3), (("اربع", "اربعه", "four"), 4), (("خمس", "خمسه", "five"), 5),
) for w in ws}


def rating_of(u: Understanding) -> tuple[int, bool] | None:
    """The rating a typed answer gives, and whether it says more than the rating (a comment)."""
    toks = u.key.split()
    if len(toks) == 2 and toks[0] in _NUMBER_WORDS and toks[1] in {"نجوم", "نجمات", "نجمه", "stars", "star"}:
        return _NUMBER_WORDS[toks[0]], False
    m = _NUMBER.match(u.key)
    if m:
        return int(m.group(1)), False
    stars = u.text.count("⭐") + u.text.count("🌟")
    if 1 <= stars <= 5 and not u.key:
        return stars, False
    if not u.key:
        found = [n for ch, n in _EMOJI.items() if ch in u.text]
        return (min(found), False) if found else None
    if u.command is not None or u.flags & {"crisis", "complaint"} or u.words > 25:
        return None
    pad = f" {u.key} "
    for word, n in _WORDS:
        if word in pad:
            return n, pad.strip() != word.strip()
    return None


def survey_compose(survey_id: str) -> Callable[[TurnContext], None]:
    """Adds the rating question (buttons 1–5) and remembers that it is pending."""

    def compose(ctx: TurnContext) -> None:
        buttons = tuple(Button(str(n), f"survey:{survey_id}:{n}") for n in range(1, 6))
        ctx.say(Choices(t("survey.ask", ctx.lang), buttons, kind="info"))
        ctx.state.extra[SURVEY_KEY] = {"id": survey_id, "stage": "rating"}
        ctx.state.pending_choice = {"values": [b.value for b in buttons]}

    return compose


def _store(ctx: TurnContext, survey_id: str, **values: Any) -> None:
    """Record the answer with the turn: it is written in the same transaction as the reply that
    thanks for it, so a crash can never keep one without the other (the store takes a rating
    only while the survey has none)."""
    ctx.survey_answers.append(SurveyAnswer(survey_id=survey_id, org=ctx.pack.pack.slug,
                                           conversation_id=ctx.conversation_id, **values))


class SurveyStage:
    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.status == "closed":
            ctx.status = "bot"
        pending = ctx.state.extra.get(SURVEY_KEY)
        value = ctx.message.button_value
        if value is not None and value.startswith("survey:"):
            m = _BUTTON.match(value)
            if m is None:
                return False
            survey_id, answer = m.group(1), m.group(2)
            if answer == "skip":
                ctx.state.extra.pop(SURVEY_KEY, None)
                ctx.say(Text(t("survey.done", ctx.lang), kind="info"))
                return True
            return await self._rated(ctx, survey_id, int(answer))
        if not isinstance(pending, dict):
            return False
        text = ctx.message.text.strip()
        if pending.get("stage") == "rating":
            rated = rating_of(ctx.understanding) if value is None else None
            if rated is not None:
                rating, said_more = rated
                if said_more:
                    _store(ctx, str(pending["id"]), comment=mask_national_ids(text)[:MAX_COMMENT])
                    return await self._rated(ctx, str(pending["id"]), rating, done=True)
                return await self._rated(ctx, str(pending["id"]), rating)
            ctx.state.extra.pop(SURVEY_KEY, None)  # they moved on: no nagging
            return False
        if pending.get("stage") == "comment" and value is None and text:
            ctx.state.extra.pop(SURVEY_KEY, None)
            if ctx.understanding.command is not None or ctx.understanding.crisis:
                return False
            _store(ctx, str(pending["id"]), comment=mask_national_ids(ctx.message.text.strip())[:MAX_COMMENT])
            ctx.say(Text(t("survey.thanks", ctx.lang), kind="info"))
            return True
        ctx.state.extra.pop(SURVEY_KEY, None)
        return False

    async def _rated(self, ctx: TurnContext, survey_id: str, rating: int, *, done: bool = False) -> bool:
        """Keep the rating; ask for a comment, unless ``done`` (the answer was its own comment)."""
        _store(ctx, survey_id, rating=rating, answered_at=datetime.now(UTC))
        ctx.state.extra[SURVEY_KEY] = {"id": survey_id, "stage": "comment"}
        skip = Button(t("survey.skip", ctx.lang), f"survey:{survey_id}:skip")
        if done and rating > 2:
            ctx.state.extra.pop(SURVEY_KEY, None)
            ctx.say(Text(t("survey.thanks", ctx.lang), kind="info"))
            return True
        if done:
            ctx.state.extra.pop(SURVEY_KEY, None)
        if rating <= 2:
            officer = ctx.pack.pack.referral_officer.get(ctx.lang)
            ctx.say(Choices(t("survey.low", ctx.lang, officer=officer),
                            (Button(t("survey.talk", ctx.lang), "handoff"), skip), kind="info"))
        else:
            ctx.say(Choices(t("survey.comment", ctx.lang), (skip,), kind="info"))
        return True
