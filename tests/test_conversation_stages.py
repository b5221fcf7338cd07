"""What the conversation stages say around a form or an inquiry, through the real engine (round 3 of
the beneficiary tester): a wish for a person during a status inquiry hands off, a question outside
the association during a form is refused without promising an officer, a policy answer that calls
for an officer offers one for real, and a first message not understood is acknowledged."""

from __future__ import annotations

import pytest

from tests.beneficiary import Person, buttons, field_of, kinds, text_of

# --- C1. a wish for a person at every step of a status inquiry ---------------------------------------


@pytest.mark.parametrize("stage", ["reference", "verify"])
@pytest.mark.parametrize("text", ["كلمني موظف لو سمحت", "حولني", "I want to talk to a person"])
async def test_a_wish_for_a_person_during_the_status_inquiry_hands_off(rt, stage: str, text: str) -> None:
    p = Person(rt, "ilm-alhajj")
    out = await p.say(button="flow:status_inquiry")
    assert field_of(out) == "reference", text_of(out)
    if stage == "verify":
        out = await p.say("HAJ-26-00042")
        assert field_of(out) == "verify", text_of(out)
    out = await p.say(text)
    assert "handoff" in kinds(out), text_of(out)
    assert "لم نجد" not in text_of(out) and field_of(out) is None, text_of(out)
    st = await p.state()
    assert st.status == "waiting" and not st.state.get("status_inquiry")


# --- C2. a question outside the association during a form ------------------------------------------


@pytest.mark.parametrize("question", ["what's the weather in riyadh today", "who will win, hilal or nassr?",
                                      "مين بيفوز الهلال ولا النصر؟"])
async def test_an_outside_question_in_a_form_is_refused_without_an_officer_and_the_field_asked_again(
        rt, question: str) -> None:
    p = Person(rt, "ratel")
    out = await p.say(button="flow:support_request")
    assert field_of(out) == "full_name"
    out = await p.say(question)
    said = text_of(out)
    assert "outside what I can help with" in said or "خارج ما أستطيع المساعدة فيه" in said, said
    assert "officer" not in said.lower() and "مسؤول" not in said and "handoff" not in kinds(out), said
    assert "offers:" not in said and "ما تقدمه" not in said, said  # no menu lead-in without a menu
    assert field_of(out) == "full_name" and (await p.state()).status == "bot"


# --- C3. an answer that calls for an officer, during a form: offered for real -------------------------


async def test_an_officer_topic_asked_in_a_form_offers_the_officer_as_a_button_and_keeps_the_form(rt) -> None:
    p = Person(rt, "taheel")
    out = await p.say(button="flow:volunteer")
    assert field_of(out) == "full_name"
    out = await p.say("هل الدورات مجانيه")
    said = text_of(out)
    assert "سأحوّل استفسارك إليه الآن" not in said, said  # no promise the bot does not keep
    assert "handoff:yes" in buttons(out) and field_of(out) == "full_name", said
    assert (await p.state()).status == "bot"
    out = await p.say(button="handoff:yes")
    assert "handoff" in kinds(out), text_of(out)
    st = await p.state()
    assert st.status == "waiting" and st.state["flow"]["field"] == "full_name"


async def test_declining_the_offer_by_answering_carries_on_with_the_form(rt) -> None:
    p = Person(rt, "taheel")
    await p.say(button="flow:volunteer")
    await p.say("هل الدورات مجانيه")
    out = await p.say("نورة عبدالله القحطاني")
    assert field_of(out) not in {None, "full_name"} and (await p.state()).status == "bot", text_of(out)


async def test_the_officer_button_shown_in_a_form_hands_off(rt) -> None:
    # the voice-note reply offers «Talk to an officer» mid-form: tapping it was read as a field's answer
    p = Person(rt, "taheel")
    await p.say(button="flow:volunteer")
    out = await p.say(button="handoff")
    assert "handoff" in kinds(out) and "المدينة" not in text_of(out), text_of(out)
    assert (await p.state()).status == "waiting"


# --- C4. a first message not understood is acknowledged, with the welcome ----------------------------


async def test_a_first_message_telling_a_need_gets_sympathy_and_the_request_offered(rt) -> None:
    out = await Person(rt, "amass").say("والله ما عندي اكل لعيالي والايجار علي متأخر")
    said = text_of(out)
    assert "أهلاً وسهلاً" in said and "أتفهم ما تمر به" in said, said
    assert {"flow:support_request", "handoff"} <= set(buttons(out)), said


@pytest.mark.parametrize(("org", "text", "words"), [
    ("rida", "هل توفرون سيارة لنقل المستفيدين؟", "لم أجد له إجابة"),  # hours have their own reply now
    ("taheel", "where is the nearest camel race?", "couldn't find an answer"),
])
async def test_a_first_question_not_in_the_policy_is_said_so_with_the_welcome_menu_and_officer(
        rt, org: str, text: str, words: str) -> None:
    out = await Person(rt, org).say(text)
    said = text_of(out)
    assert words in said and ("أهلاً وسهلاً" in said or "Welcome to" in said), said
    assert {"handoff", "flow:status_inquiry"} <= set(buttons(out)), said


async def test_a_stray_first_word_still_gets_the_welcome_alone(rt) -> None:
    out = await Person(rt, "rida").say("test")
    assert "Welcome to" in text_of(out) or "أهلاً وسهلاً" in text_of(out), text_of(out)
    assert "couldn't" not in text_of(out) and "لم أفهم" not in text_of(out)
