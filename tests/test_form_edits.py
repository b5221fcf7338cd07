"""Correcting, confirming and stopping a request form in one's own words, played as the tester's
beneficiaries did through the real engine: a word at the summary is never filed as the City, "كل شي
تمام ارسل" sends, "ابي اغير رقم جوالي" at a later question goes back to the mobile (never stored as the
details, never another service), and "لا خلاص ما ابي اكمل" or "stop" stops the form."""

from __future__ import annotations

from typing import Any

import pytest

from bot.types import ConversationKey
from tests.beneficiary import Person, buttons, field_of, text_of

#: the tester's Amass application, up to the summary (the optional details skipped)
_AMASS = ("ابي اقدم طلب دعم", "محمد عبدالله القحطاني", "1000000008", "0551234567", "الرياض", "1", "4", "1")


async def amass_at(p: Person, until: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in (*_AMASS, "تخطي", "تخطي"):
        out = await p.say(text)
        if field_of(out) == until:
            return out
    raise AssertionError(text_of(out))


async def answers(p: Person) -> dict[str, Any]:
    return dict((await p.state()).state["flow"]["answers"])


# --- 1. the summary: no free-text City, a confirmation in words ----------------------------------


@pytest.mark.parametrize("text", ["مدري", "طيب وبعدين", "ما ادري وش اسوي"])
async def test_a_word_at_the_summary_is_not_offered_as_the_city(rt, text: str) -> None:
    p = Person(rt, "amass")
    await amass_at(p, "_summary")
    out = await p.say(text)
    assert field_of(out) == "_summary" and "«المدينة»" not in text_of(out), text_of(out)
    assert "تعديل رقم الجوال" in text_of(out)  # the short how-to-edit-or-confirm word
    assert buttons(out) == ["confirm", "edit"]
    out = await p.say("نعم")  # a yes now confirms what is shown, the City untouched
    assert field_of(out) == "_declaration"
    assert (await answers(p))["city"] == "riyadh"


async def test_a_known_city_typed_at_the_summary_is_still_offered(rt) -> None:
    p = Person(rt, "amass")
    await amass_at(p, "_summary")
    out = await p.say("بريدة")
    assert "«بريدة»" in text_of(out) and "«المدينة»" in text_of(out)
    out = await p.say("نعم")
    assert field_of(out) == "_summary" and "بريدة" in text_of(out)


@pytest.mark.parametrize("text", ["كل شي تمام ارسل", "تمام ارسل", "ارسل الطلب", "send it", "all good, send",
                                  "muwafeq"])
async def test_a_confirmation_in_words_at_the_summary_sends(rt, text: str) -> None:
    p = Person(rt, "amass")
    await amass_at(p, "_summary")
    out = await p.say(text)
    assert field_of(out) == "_declaration", text_of(out)
    assert (await answers(p))["city"] == "riyadh"


@pytest.mark.parametrize("text", ["لا ترسل", "don't send it yet"])
async def test_a_negated_send_at_the_summary_does_not_send(rt, text: str) -> None:
    p = Person(rt, "amass")
    await amass_at(p, "_summary")
    out = await p.say(text)
    assert field_of(out) == "_summary", text_of(out)


async def test_the_ilm_alhajj_summary_confirmed_in_words_files_the_request(rt) -> None:
    p = Person(rt, "ilm-alhajj")
    for text in ("ابي اسجل في دورة", "فيصل العتيبي", "1000000008", "0551234567", "مكة", "1",
                 "ابي دورة في مناسك الحج"):
        out = await p.say(text)
    assert field_of(out) == "_summary", text_of(out)
    for text in ("مدري", "طيب وبعدين"):
        out = await p.say(text)
        assert field_of(out) == "_summary" and "«المدينة»" not in text_of(out)
    out = await p.say("كل شي تمام ارسل")
    assert field_of(out) == "_declaration"


# --- 2. correcting an earlier answer at a later question ---------------------------------------------


async def test_asking_to_change_the_level_at_the_details_goes_back_to_the_level(rt) -> None:
    p = Person(rt, "ratel")
    for text in ("Hi! I'd like to enroll my daughter in a tajweed class", "Amira Hassan Mahmoud", "2000000006",
                 "+966 55 123 4567", "tajweed", "9", "intermediate"):
        out = await p.say(text)
    assert field_of(out) == "description"
    out = await p.say("Sorry, she is a beginner actually. can I change the level?")
    assert field_of(out) == "level" and "Level" in text_of(out), text_of(out)
    assert "description" not in await answers(p)
    out = await p.say("beginner")
    assert field_of(out) == "description"  # on from where the form stood
    assert (await answers(p))["level"] == "beginner"
    out = await p.say("She knows juz amma; evenings suit us")
    assert field_of(out) == "_summary" and "Beginner" in text_of(out)


@pytest.mark.parametrize("text", ["ابي اغير رقم جوالي", "ابي اعدل رقم الجوال", "ta3deel al jawal"])
async def test_asking_to_change_the_mobile_at_the_details_is_not_the_details(rt, text: str) -> None:
    p = Person(rt, "amass")
    await amass_at(p, "description")
    out = await p.say(text)
    assert field_of(out) == "mobile" and "نعدّل «الجوال»" in text_of(out), text_of(out)
    assert "description" not in await answers(p)
    out = await p.say("0559998877")
    assert field_of(out) == "description"
    assert (await answers(p))["mobile"].endswith("559998877")


async def test_changing_the_city_to_a_named_one_at_the_details_takes_it(rt) -> None:
    p = Person(rt, "taheel")
    for text in ("ابي اقدم طلب", "محمد عبدالله القحطاني", "1000000008", "0551234567", "الرياض", "1"):
        out = await p.say(text)
    assert field_of(out) == "description"
    out = await p.say("عذراً، أرغب في تغيير المدينة إلى بريدة")
    assert field_of(out) == "description" and "«المدينة» إلى «بريدة»" in text_of(out), text_of(out)
    state = await answers(p)
    assert state["city"] == "buraydah" and "description" not in state


@pytest.mark.parametrize("text", ["ابي اعدل رقم الجوال", "ta3deel al jawal"])
async def test_asking_to_change_the_mobile_never_offers_the_data_update_service(rt, text: str) -> None:
    p = Person(rt, "ilm-alhajj")
    for line in ("ابي اسجل في دورة", "فيصل العتيبي", "1000000008", "0551234567", "مكة"):
        out = await p.say(line)
    assert field_of(out) == "service_type"
    out = await p.say(text)
    assert field_of(out) == "mobile" and not any(b.startswith("flow:switch:") for b in buttons(out)), text_of(out)
    out = await p.say(text)  # said again while the mobile is asked again: still this form's mobile
    assert field_of(out) == "mobile" and not any(b.startswith("flow:switch:") for b in buttons(out))
    out = await p.say("0559998877")
    assert field_of(out) == "service_type"


async def test_a_description_that_mentions_a_change_is_still_the_description(rt) -> None:
    p = Person(rt, "amass")
    await amass_at(p, "description")
    out = await p.say("ابي اغير السكن لان البيت قديم وبعيد عن المستشفى")
    assert field_of(out) != "city", text_of(out)
    assert "السكن" in str((await answers(p)).get("description"))


# --- 3. stopping the form in one's own words --------------------------------------------------------


@pytest.mark.parametrize("text", ["لا خلاص ما ابي اكمل", "ما ابي اقدم", "بطلت", "خلاص ما ابي", "stop"])
async def test_a_wish_to_stop_cancels_the_form_as_cancel_does(rt, text: str) -> None:
    p = Person(rt, "rida")
    for line in ("ابي اقدم طلب", "ناصر علي الزهراني"):
        out = await p.say(line)
    assert field_of(out) == "national_id"
    out = await p.say(text)
    assert "تم إلغاء الطلب" in text_of(out) and field_of(out) is None, text_of(out)
    assert not (await p.state()).state.get("flow")
    out = await p.say("ارجع للطلب")  # brought back like any cancel, at the question it stood on
    assert field_of(out) == "national_id", text_of(out)


async def test_a_bare_khalas_is_left_alone(rt) -> None:
    p = Person(rt, "rida")
    for line in ("ابي اقدم طلب", "ناصر علي الزهراني"):
        out = await p.say(line)
    out = await p.say("خلاص")
    assert "تم إلغاء الطلب" not in text_of(out)
    assert (await p.state()).state.get("flow")


async def test_stop_on_sms_still_opts_out_and_keeps_the_form(rt) -> None:
    p = Person(rt, "rida")
    p.key = ConversationKey("rida", "sms", "+966551234567")
    for line in ("ابي اقدم طلب", "ناصر علي الزهراني"):
        await p.say(line)
    out = await p.say("STOP")
    assert "notifications" in text_of(out) or "التنبيهات" in text_of(out), text_of(out)
    st = await p.state()
    assert st.state.get("flow") and st.state["subscription"]["status"] == "out"


async def test_stop_outside_a_form_still_opts_out(rt) -> None:
    p = Person(rt, "rida")
    out = await p.say("stop")
    assert "notifications" in text_of(out), text_of(out)


async def test_a_change_with_its_new_value_at_the_summary_is_offered(rt) -> None:
    p = Person(rt, "amass")
    await amass_at(p, "_summary")
    out = await p.say("عذراً، أرغب في تغيير المدينة إلى بريدة")
    assert "«بريدة»" in text_of(out) and "«المدينة»" in text_of(out), text_of(out)
    out = await p.say("نعم")
    assert field_of(out) == "_summary" and (await answers(p))["city"] == "buraydah"
