"""How a conversation pauses and picks up again, through the real engine: a goodbye (with or
without thanks, in a form or not) gets a goodbye back, a form left half-way is said to wait, and
"carry on" (كملي، نكمل، continue) where a form stands asks its question again. An empty or blank
message is answered on every path in: the welcome first, a short prompt later."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.types import ConversationKey, InboundMessage, reply_to_json
from console import service
from tests.beneficiary import Person, closed_by_officer, field_of, kinds, officer, survey_row, text_of
from tests.commands import Chat, run


@pytest.mark.parametrize(("org", "goodbye", "back"), [
    ("ratel", "مشكورين ما قصرتوا، مع السلامة", "في أمان الله"),
    ("amass", "thank you so much, bye", "Take care"),
    ("taheel", "مع السلامة", "في أمان الله"),
    ("rida", "جزاكم الله خير، في امان الله", "في أمان الله"),
])
async def test_a_goodbye_gets_a_goodbye(rt, org: str, goodbye: str, back: str) -> None:
    p = Person(rt, org)
    await p.say("hi" if back == "Take care" else "هلا")
    out = await p.say(goodbye)
    assert back in text_of(out)
    assert "هل تحتاج" not in text_of(out) and "Anything else" not in text_of(out)


@pytest.mark.parametrize(("goodbye", "kept"), [("thank you so much, bye", "kept for you"),
                                               ("مشكورة، مع السلامة", "محفوظ لك")])
async def test_a_goodbye_mid_form_says_the_form_is_kept_and_it_goes_on_later(rt, goodbye: str, kept: str) -> None:
    p = Person(rt, "amass")
    if goodbye.startswith("thank"):
        await p.say("hi")
    await p.fill(until="national_id")
    out = await p.say(goodbye)
    assert kept in text_of(out) and ("72" in text_of(out) or "٧٢" in text_of(out))
    assert field_of(out) is None and "flow" not in kinds(out)  # no question asked after a goodbye
    out = await p.say("2030620278")
    assert field_of(out) == "mobile"  # the form went on where it stood


async def test_carry_on_after_an_officer_hands_back_mid_form_asks_the_question_again(rt) -> None:
    p = Person(rt, "taheel")
    await p.fill(until="national_id")
    await p.say("ابي موظف")
    user = await officer(rt)
    conv_id = (await p.state()).id
    for action in (service.claim, service.hand_back):
        await action(rt, user, await service.load_conversation(rt, user, conv_id))
    for carry_on in ("كملي", "نكمل", "continue", "ابي اكمل"):
        out = await p.say(carry_on)
        assert field_of(out) == "national_id", carry_on
        assert "أعد كتابته" not in text_of(out) and "غير واضح" not in text_of(out), carry_on
    out = await p.say("2144368038")
    assert field_of(out) == "mobile"
    assert field_of(await p.say("ما ابي اكمل")) is None  # still the cancel it always was


async def test_carry_on_with_nothing_in_progress_shows_the_menu(rt) -> None:
    p = Person(rt, "rida")
    await p.say("هلا")
    out = await p.say("كمل")
    assert "menu" in kinds(out) and "لم أفهم" not in text_of(out)


EMPTIES = ("", "   ", "\t", "\u200f ")


@pytest.mark.parametrize("channel", ["webchat", "whatsapp", "sms", "telegram", "terminal"])
async def test_an_empty_message_gets_the_welcome_first_and_a_short_prompt_later(rt, channel: str) -> None:
    async def say(text: str) -> list[dict]:
        out = await rt.engine.handle(InboundMessage(key=ConversationKey("rida", channel, "+966500000001"), text=text))
        return [reply_to_json(r) for r in out.replies]

    out = await say(" ")
    assert "أهلاً وسهلاً" in text_of(out)  # the welcome, as to any first message
    for blank in EMPTIES:
        out = await say(blank)
        assert "فارغة" in text_of(out) and "menu" in kinds(out), repr(blank)
        assert len(out) == 1 and not out[0]["buttons"]  # a short prompt, not the whole menu again


async def test_an_empty_message_does_not_drop_a_waiting_survey(rt) -> None:
    p = Person(rt, "rida")
    await closed_by_officer(rt, p)
    assert "فارغة" in text_of(await p.say("  "))
    await p.say("5")
    assert (await survey_row(rt))[0] == 5


def test_sila_chat_answers_every_empty_line(tmp_path: Path) -> None:
    assert run("migrate", env={"SILA_DATA_DIR": str(tmp_path)}).returncode == 0
    chat = Chat("rida", "blank", tmp_path)
    try:
        assert "أهلاً وسهلاً" in text_of(chat.send(""))
        for blank in ("   ", "", "\t"):
            assert "فارغة" in text_of(chat.send(blank)), repr(blank)
    finally:
        chat.close()
