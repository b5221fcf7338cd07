"""The satisfaction survey: one short question after a closed hand-off or a case decision.

The policy frames rating as the beneficiary's right and a tool for evaluating and improving the
service, not for punishment, and the wording says so. The console creates the survey row (one per
closure, never to an opted-out identity) and pushes :func:`survey_compose`; this module's
:class:`SurveyStage` takes the answer: a button ``survey:<id>:<1-5>`` or a bare digit, then an
optional comment in one message. The rating may also be typed the way people rate: "5",
"٥ نجوم", "5 stars", "⭐⭐⭐⭐⭐", "👍", "😡", or words ("ممتاز الله يعطيكم العافية" is a 5 and,
being more than a number, its own comment). An unhappy answer is the answer that matters most,
so it is never dropped: "😡 ما احد رد علي الا بعد يومين", "الموظف ما فهمني وضيع وقتي" or a complaint
is a rating of 1 with the text kept as its comment, an apology and the offer of an officer (a
complaint is also referred as one, by :class:`bot.stages.safety.SafetyStage`, which records it
here first with :func:`record_complaint`). A rating of 1–2 offers the hand-off; a typed yes
("ايه حولني", "نعم", "yes") takes it, a no closes the survey. Anything else the person writes
instead simply drops the survey and is routed as usual.

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
from bot.stages.common import officer, start_handoff
from bot.stages.smalltalk import is_empty
from bot.types import Button, Choices, Text
from bot.understanding.answers import yes_or_no
from bot.understanding.core import Understanding
from bot.understanding.text import PhraseIndex, key_of

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


#: what an unhappy person writes instead of a number (each is a 1, and its own comment): not
#: understood, time wasted, nobody answered, too slow, no help, not satisfied
_UNHAPPY = PhraseIndex((
    "ما فهمني", "مافهمني", "ما فهموني", "ما فهمتوني", "ما يفهم", "ما يفهمون", "ما تفهمون", "ضيع وقتي", "وضيع وقتي",
    "ضيعوا وقتي", "ضيعتوا وقتي", "وضيعوا وقتي", "ضيعت وقتي", "تضييع وقت", "مضيعه وقت", "ما احد رد", "ما حد رد",
    "محد رد", "ماحد رد", "ما احد يرد", "محد يرد", "ما رد علي", "ما ردوا علي", "ما ردو علي", "ما تردون", "ما يردون",
    "ما احد تواصل", "محد تواصل", "ما تواصلوا", "تاخر", "تاخرتوا", "تاخروا", "تاخر الرد", "تاخير", "متاخر", "بطيء",
    "بطيئه", "ما ساعدني", "ما ساعدوني", "ما ساعدتوني", "ما استفدت", "ما خدمني", "ما خدموني", "ما حلوا", "ما انحلت",
    "ما تحلت", "ما حليتوا", "اهمال", "مهملين", "تجاهل", "تجاهلوني", "مو راضي", "مب راضي", "مو راضيه", "مب راضيه",
    "غير راضي", "غير راضيه", "مستاء", "مستاءه", "زعلان", "زعلانه", "خايس", "خايسه", "مخيب", "مخيبه", "خيبه امل",
    "didn't understand", "did not understand", "didnt understand", "wasted my time", "waste of time",
    "no one replied", "nobody replied", "no one answered", "nobody answered", "no one responded", "nobody responded",
    "no response", "no reply", "took too long", "too slow", "so slow", "very slow", "not helpful", "unhelpful",
    "didn't help", "did not help", "didnt help", "not satisfied", "unsatisfied", "dissatisfied", "disappointed",
    "disappointing", "frustrated", "frustrating", "ignored",
))


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
    emoji = [n for ch, n in _EMOJI.items() if ch in u.text]
    if not u.key:
        return (min(emoji), False) if emoji else None
    if u.command is not None or u.crisis or u.reference:
        return None
    if "complaint" in u.flags:
        return 1, True
    if u.words <= 25:
        pad = f" {u.key} "
        for word, n in _WORDS:
            if word in pad:
                return n, pad.strip() != word.strip()
    if _UNHAPPY.found_in(toks):
        return 1, True
    if emoji and (min(emoji) <= 2 or (u.words <= 6 and not u.question)):
        return min(emoji), True  # "😡 ما احد رد علي": the face is the rating, the words its comment
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


def record_complaint(ctx: TurnContext) -> None:
    """A complaint written while the survey waits is also its answer: a rating of 1 (unless one was
    given) with the text as the comment. The caller refers the complaint; the survey is done."""
    pending = ctx.state.extra.pop(SURVEY_KEY, None)
    if not isinstance(pending, dict) or ctx.message.button_value is not None:
        return
    comment = mask_national_ids(ctx.message.text.strip())[:MAX_COMMENT]
    if pending.get("stage") == "rating":
        _store(ctx, str(pending["id"]), rating=1, answered_at=datetime.now(UTC))
    if comment:
        _store(ctx, str(pending["id"]), comment=comment)


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
        if is_empty(ctx):
            return False  # an empty message is no answer: the survey still waits (small talk prompts)
        survey_id = str(pending["id"])
        if pending.get("stage") == "rating":
            rated = rating_of(ctx.understanding) if value is None else None
            if rated is not None:
                rating, said_more = rated
                comment = mask_national_ids(text)[:MAX_COMMENT] if said_more else None
                return await self._rated(ctx, survey_id, rating, comment=comment)
            ctx.state.extra.pop(SURVEY_KEY, None)  # they moved on: no nagging
            return False
        if pending.get("stage") in {"comment", "offer"} and value is None and text:
            ctx.state.extra.pop(SURVEY_KEY, None)
            if ctx.understanding.command is not None or ctx.understanding.crisis:
                return False
            answer = yes_or_no(ctx.understanding.key) if pending.get("offered") else None
            if answer is True:  # "ايه حولني": the officer offered with the low rating, accepted
                start_handoff(ctx, "low_rating")
                return True
            if answer is False:
                ctx.say(Text(t("survey.done", ctx.lang), kind="info"))
                return True
            if pending.get("stage") == "offer":  # the comment is in: this is a message of its own
                return False
            _store(ctx, survey_id, comment=mask_national_ids(text)[:MAX_COMMENT])
            ctx.say(Text(t("survey.thanks", ctx.lang), kind="info"))
            return True
        ctx.state.extra.pop(SURVEY_KEY, None)
        return False

    async def _rated(self, ctx: TurnContext, survey_id: str, rating: int, *, comment: str | None = None) -> bool:
        """Keep the rating (and ``comment``, when the answer was its own comment); then thank, ask
        for a comment, or — for a low rating — apologise and offer the officer."""
        _store(ctx, survey_id, rating=rating, answered_at=datetime.now(UTC))
        if comment is not None:
            _store(ctx, survey_id, comment=comment)
        skip = Button(t("survey.skip", ctx.lang), f"survey:{survey_id}:skip")
        if rating <= 2:
            # a yes takes the officer, a no ends the survey; anything else is the comment, or (when
            # the answer already was one) a message of its own
            stage = "comment" if comment is None else "offer"
            ctx.state.extra[SURVEY_KEY] = {"id": survey_id, "stage": stage, "offered": True}
            if comment is None:
                buttons = (Button(t("survey.talk", ctx.lang), "handoff"), skip)
            else:  # a question was asked: answered yes or no
                buttons = (Button(t("handoff.yes", ctx.lang), "handoff"),
                           Button(t("handoff.no", ctx.lang), f"survey:{survey_id}:skip"))
            key = "survey.unhappy" if comment is not None else "survey.low"
            ctx.say(Choices(t(key, ctx.lang, officer=officer(ctx)), buttons, kind="info"))
            return True
        if comment is not None:
            ctx.state.extra.pop(SURVEY_KEY, None)
            ctx.say(Text(t("survey.thanks", ctx.lang), kind="info"))
            return True
        ctx.state.extra[SURVEY_KEY] = {"id": survey_id, "stage": "comment"}
        ctx.say(Choices(t("survey.comment", ctx.lang), (skip,), kind="info"))
        return True
