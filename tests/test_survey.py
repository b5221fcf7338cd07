"""The satisfaction survey as a person answers it, through the real engine and the console's own
officer functions (claim, close): an unhappy answer is a rating, a complaint is also recorded as
the survey's answer, and a typed yes to the officer offered after a low rating (or by the
fallback) is taken."""

from __future__ import annotations

import pytest

from tests.beneficiary import Person, buttons, closed_by_officer, kinds, survey_row, text_of


@pytest.mark.parametrize(("org", "answer"), [
    ("taheel", "الموظف ما فهمني ابد وضيع وقتي"),
    ("amass", "😡 ما احد رد علي الا بعد يومين"),
    ("rida", "the officer did not understand me and wasted my time"),
])
async def test_an_unhappy_answer_is_a_rating_of_one_with_its_comment_and_an_offer(rt, org: str, answer: str) -> None:
    p = Person(rt, org)
    await closed_by_officer(rt, p)
    out = await p.say(answer)
    assert "لم أفهم" not in text_of(out) and "menu" not in kinds(out) and "suggest" not in kinds(out)
    assert "نعتذر" in text_of(out) or "apologise" in text_of(out)
    assert "handoff" in buttons(out)  # the officer offered
    assert await survey_row(rt) == (1, answer)
    out = await p.say("ايه حولني")
    assert "handoff" in kinds(out) and (await p.state()).status == "waiting"


async def test_a_complaint_in_the_survey_is_its_answer_and_is_referred_as_a_complaint(rt) -> None:
    p = Person(rt, "rida")
    await closed_by_officer(rt, p)
    out = await p.say("الموظف كان اسلوبه سيء معي ورفع صوته")
    assert "شكوى" in text_of(out) and "handoff" in kinds(out)
    conv = await p.state()
    assert conv.status == "waiting" and conv.state["handoff"]["reason"] == "complaint"
    assert await survey_row(rt) == (1, "الموظف كان اسلوبه سيء معي ورفع صوته")


async def test_a_complaint_as_the_comment_after_a_rating_is_kept_with_it(rt) -> None:
    p = Person(rt, "amass")
    await closed_by_officer(rt, p)
    await p.say("3")
    out = await p.say("ابي اشتكي على الموظف")
    assert "شكوى" in text_of(out) and (await p.state()).status == "waiting"
    assert await survey_row(rt) == (3, "ابي اشتكي على الموظف")


@pytest.mark.parametrize("yes", ["ايه حولني", "اي", "نعم", "ايوه", "yes", "ok", "تكفى", "حولني", "na3am"])
async def test_a_typed_yes_to_the_officer_offered_after_a_low_rating_hands_off(rt, yes: str) -> None:
    p = Person(rt, "rida")
    await closed_by_officer(rt, p)
    out = await p.say("سيء")
    assert "handoff" in buttons(out)
    out = await p.say(yes)
    assert "handoff" in kinds(out) and "ملاحظتك" not in text_of(out)
    conv = await p.state()
    assert conv.status == "waiting" and conv.state["handoff"]["reason"] == "low_rating"
    assert await survey_row(rt) == (2, None)  # the yes is not a comment


async def test_a_no_to_the_offer_ends_the_survey_and_a_real_comment_is_kept(rt) -> None:
    p = Person(rt, "rida")
    await closed_by_officer(rt, p)
    await p.say("1")
    out = await p.say("لا شكرا")
    assert "handoff" not in kinds(out) and (await p.state()).status == "bot"
    q = Person(rt, "amass", address="p2")
    await closed_by_officer(rt, q)
    await q.say("2")
    out = await q.say("ok thanks")  # a polite close, not a request to be transferred
    assert "handoff" not in kinds(out)


@pytest.mark.parametrize(("answer", "handed_off"), [("نعم", True), ("ايه حولني", True), ("yes please", True),
                                                    ("لا شكرا", False), ("no thanks", False)])
async def test_a_typed_yes_or_no_answers_the_fallbacks_offer_of_an_officer(rt, answer: str, handed_off: bool) -> None:
    p = Person(rt, "rida")
    for gibberish in ("قلقل بربر", "سشيبل ثقفغ", "ضصثق فغع"):
        out = await p.say(gibberish)
    assert "handoff:yes" in buttons(out)
    out = await p.say(answer)
    assert ("handoff" in kinds(out)) is handed_off and "answer" not in kinds(out)
    assert ((await p.state()).status == "waiting") is handed_off
