"""Request-form fields played as beneficiaries write them, through the real engine: every field
takes its value and refuses what is not its value (commands, questions, sentences) with a reason
the person can follow; a question inside a field is answered and the field asked again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.beneficiary import Person, field_of, text_of
from tests.harness import FORM_ANSWERS


async def fill(p: Person, until: str, flow: str = "support_request", *,
               replies: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Answer ``flow`` validly (an age a learner can have) until it asks for ``until``; from the
    start, or on from ``replies`` when the form is already under way."""
    if replies is None:
        replies = await p.say(button=f"flow:{flow}")
    answers = {**FORM_ANSWERS, "number": "9", "attachment": "تخطي"}
    for _ in range(30):
        exp = next((r["expect"] for r in reversed(replies) if r["expect"]), None)
        assert exp is not None and exp["field"] != "_handoff", replies
        if exp["field"] == until:
            return replies
        buttons = [b["value"] for r in replies for b in r["buttons"]]
        if exp["choices"] or exp["field"].startswith("_"):
            replies = await p.say(button=next((b for b in buttons if b in {"confirm", "accept"}), buttons[0]))
        else:
            replies = await p.say(answers.get(exp["type"], "لا يوجد"))
    raise AssertionError("the form never asked for " + until)


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["mo7amad 3bdallah al3nzi", "mo7amad", "m7md"])
async def test_an_arabizi_name_is_refused_with_a_reason_its_writer_can_follow(rt, text: str) -> None:
    p = Person(rt, "ratel")
    await p.say(button="flow:support_request")
    out = await p.say(text)
    assert field_of(out) == "full_name"
    assert "لا يحتوي على أرقام" not in text_of(out) and "بالحروف العربية كما في الهوية" in text_of(out)


@pytest.mark.parametrize(("text", "reason"), [
    ("فهد", "الاسم الأول واسم الأب أو العائلة"), ("al riyadh", "الاسم الأول واسم الأب أو العائلة"),
    ("أم خالد", "كنية"), ("confirm", "ليست اسماً"), ("تأكيد", "ليست اسماً"),
])
async def test_a_lone_word_a_kunya_or_a_command_is_not_the_full_name(rt, text: str, reason: str) -> None:
    p = Person(rt, "ratel")
    await p.say(button="flow:support_request")
    out = await p.say(text)
    assert field_of(out) == "full_name" and reason in text_of(out)


async def test_confirm_typed_at_the_patients_name_in_english_is_refused(rt) -> None:
    p = Person(rt, "amass")
    await p.say("I want to apply for support")
    await p.say("Sarah Al-Harbi")
    await p.say("1000000008")
    await p.say("0551234567")
    await p.say("Jeddah")
    out = await p.say(button="family_member")
    assert field_of(out) == "patient_name"
    out = await p.say("confirm")
    assert field_of(out) == "patient_name" and "doesn't look like a name" in text_of(out)


@pytest.mark.parametrize("name", ["عبدالله بن محمد الحربي", "عبد الله محمد", "آية محمد الشهري", "نورة آل سعود",
                                  "Sarah Al-Harbi", "تمام السالم"])
async def test_real_names_are_taken(rt, name: str) -> None:
    p = Person(rt, "ratel")
    await p.say(button="flow:support_request")
    out = await p.say(name)
    assert field_of(out) == "national_id", text_of(out)


@pytest.mark.parametrize(("text", "name"), [
    ("اسمي محمد احمد العتيبي", "محمد احمد العتيبي"), ("الاسم: نورة محمد الشهري", "نورة محمد الشهري"),
    ("معك فهد سعد القحطاني", "فهد سعد القحطاني"), ("my name is Sarah Al-Harbi", "Sarah Al-Harbi"),
])
async def test_a_name_typed_after_my_name_is_is_stored_without_it(rt, text: str, name: str) -> None:
    p = Person(rt, "ratel")
    await p.say(button="flow:support_request")
    out = await p.say(text)
    assert field_of(out) == "national_id", text_of(out)
    summary = text_of(await fill(p, "_summary", replies=await p.say(FORM_ANSWERS["national_id"])))
    line = next(x for x in summary.splitlines() if name in x)
    assert line.split(": ", 1)[1] == name, summary  # the name alone, no "اسمي"/"my name is" before it


async def test_thanks_mid_form_is_answered_and_the_form_goes_on(rt) -> None:
    p = Person(rt, "amass")
    await p.say(button="flow:support_request")
    out = await p.say("مشكورين الله يعطيكم العافية")
    assert field_of(out) == "full_name" and "نكمل" in text_of(out), text_of(out)
    assert "شيء آخر" not in text_of(out)  # "anything else?" in the middle of a form is the wrong question


@pytest.mark.parametrize("text", ["لحظة", "لحظة اجيب الهوية", "ثواني بس", "wait a sec"])
async def test_one_moment_is_waited_for_not_refused_as_the_value(rt, text: str) -> None:
    p = Person(rt, "amass")
    await p.say(button="flow:support_request")
    await p.say("نورة محمد الشهري")
    out = await p.say(text)
    said = text_of(out)
    assert ("خذ راحتك" in said or "Take your time" in said) and "غير صحيح" not in said, said
    out = await p.say(FORM_ANSWERS["national_id"])
    assert field_of(out) == "mobile", text_of(out)


@pytest.mark.parametrize("text", ["لحظة 0551234567", "لحظة اسمي نورة محمد"])
async def test_one_moment_followed_by_more_is_not_taken_for_waiting(rt, text: str) -> None:
    p = Person(rt, "amass")
    await p.say(button="flow:support_request")
    out = await p.say(text)
    assert "خذ راحتك" not in text_of(out), text_of(out)


# --- a number inside a sentence --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["الجوال حقي 0561112233", "جوالي ٠٥٦١١١٢٢٣٣ لو سمحت", "my mobile is 056 111 2233"])
async def test_a_mobile_inside_a_sentence_is_taken_out_of_it(rt, text: str) -> None:
    p = Person(rt, "rida")
    await p.fill(until="mobile")
    out = await p.say(text)
    assert field_of(out) != "mobile" and "غير صحيح" not in text_of(out)


async def test_two_mobiles_in_one_message_are_not_guessed_between(rt) -> None:
    p = Person(rt, "rida")
    await p.fill(until="mobile")
    out = await p.say("جوالي 0561112233 وجوال اخوي 0551234567")
    assert field_of(out) == "mobile" and "أكثر من رقم" in text_of(out)


@pytest.mark.parametrize("text", ["رقم هويتي 1000000008", "هويتي ١٠٠٠٠٠٠٠٠٨ تفضل"])
async def test_a_national_id_inside_a_sentence_is_taken_out_of_it(rt, text: str) -> None:
    p = Person(rt, "rida")
    await p.fill(until="national_id")
    out = await p.say(text)
    assert field_of(out) == "mobile", text_of(out)
    assert "1000000008" not in str((await p.state()).state)  # sealed as a typed ID is


# --- Arabizi in number fields and at choice steps ------------------------------------------------


async def test_a_digit_inside_an_arabizi_word_is_not_a_number(rt) -> None:
    p = Person(rt, "ratel")
    await fill(p, "learner_age")
    out = await p.say("abi at3alam tajweed")
    assert field_of(out) == "learner_age"
    assert "لا يقل عن" not in text_of(out) and "رقماً" in text_of(out)
    out = await p.say("عمره ٩ سنين")
    assert field_of(out) == "level"


@pytest.mark.parametrize("yes", ["na3am", "aywa", "ee", "اي نعم", "ايه"])
async def test_yes_in_arabizi_and_dialect_confirms_the_summary(rt, yes: str) -> None:
    p = Person(rt, "ratel")
    await fill(p, "_summary")
    out = await p.say(yes)
    assert field_of(out) == "_declaration", text_of(out)


@pytest.mark.parametrize("no", ["la", "la2", "لا لا"])
async def test_no_in_arabizi_and_dialect_declines_the_declaration(rt, no: str) -> None:
    p = Person(rt, "ratel")
    await fill(p, "_declaration")
    out = await p.say(no)
    assert field_of(out) is None and "نحترم قرارك" in text_of(out)


# --- switching language mid-form -------------------------------------------------------------------


async def test_asking_to_go_on_in_arabic_switches_and_asks_the_field_again_nothing_else(rt) -> None:
    p = Person(rt, "ilm-alhajj")
    await p.say("I want to apply for support")
    out = await p.say("ممكن نكمل بالعربي؟")
    assert [r["text"] for r in out] == ["أبشر، نكمل بالعربي.", "ما اسمك الكامل كما في الهوية؟"]
    assert (await p.state()).state["lang"] == "ar"


async def test_asking_to_go_on_in_english_at_the_id_step_is_no_wrong_id(rt) -> None:
    p = Person(rt, "amass")
    await fill(p, "national_id")
    out = await p.say("sorry can we continue in english please")
    assert out[0]["text"] == "Sure, let's continue in English." and len(out) == 2
    assert field_of(out) == "national_id" and "national ID" in out[1]["text"]
    out = await p.say("1000000008")
    assert field_of(out) == "mobile" and "mobile" in out[-1]["text"]


# --- a question about the field ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["لحظة ليش تبون رقم الهوية؟", "هل بياناتي محمية؟", "ليش تبون رقم الهوية"])
async def test_why_do_you_need_my_id_is_answered_at_the_field(rt, text: str) -> None:
    p = Person(rt, "rida")
    await fill(p, "national_id")
    out = await p.say(text)
    said = text_of(out)
    assert "بعد إكمال الطلب" not in said and "مشفّراً" in said and "جمعية رضا" in said
    assert "رقم الهوية يتكون" not in said and field_of(out) == "national_id" and len(out) == 2


async def test_why_do_you_need_my_number_in_english(rt) -> None:
    p = Person(rt, "amass")
    await p.say("I want to apply for support")
    await p.say("Sarah Al-Harbi")
    await p.say("1000000008")
    out = await p.say("why do you need my mobile number?")
    assert "contact you about it" in text_of(out) and field_of(out) == "mobile" and len(out) == 2


async def test_what_do_i_write_at_an_optional_field_says_it_can_be_skipped(rt) -> None:
    p = Person(rt, "rida")
    await fill(p, "member_number")
    out = await p.say("وش اكتب هنا؟")
    assert "اختياري" in out[0]["text"] and "«تخطي»" in out[0]["text"] and field_of(out) == "member_number"
    out = await p.say("تخطي")
    assert field_of(out) != "member_number"


async def test_what_do_i_write_in_the_optional_description_is_not_taken_as_the_description(rt) -> None:
    p = Person(rt, "amass")
    await fill(p, "description")
    out = await p.say("وش اكتب هنا؟")
    assert "اختياري" in text_of(out) and field_of(out) == "description"


# --- changing one's mind mid-form -------------------------------------------------------------------


def buttons_of(replies: list[dict[str, Any]]) -> list[str]:
    return [b["value"] for r in replies for b in r["buttons"]]


async def test_wanting_another_service_mid_form_is_offered_never_done_silently(rt) -> None:
    p = Person(rt, "taheel")
    await fill(p, "national_id")
    out = await p.say("لا لا خلني اغير، ابي اسجل متطوع بدال")
    assert "رقم الهوية يتكون" not in text_of(out)
    assert buttons_of(out) == ["flow:switch:volunteer", "flow:resume"] and "لن يُرسل" in text_of(out)
    assert (await p.state()).state["flow"]["flow"] == "support_request"  # nothing lost yet
    out = await p.say(button="flow:resume")
    assert field_of(out) == "national_id"
    assert (await p.state()).state["flow"]["answers"]["full_name"]  # the half-filled form is kept
    await p.say("ابي اسجل متطوع بدال")
    out = await p.say(button="flow:switch:volunteer")
    assert "تم إلغاء طلب" in text_of(out) and field_of(out) == "full_name"
    assert (await p.state()).state["flow"]["flow"] == "volunteer"


@pytest.mark.parametrize(("reply", "flow", "field"), [("نعم", "volunteer", "full_name"),
                                                     ("لا", "support_request", "national_id")])
async def test_the_switch_offer_takes_a_typed_yes_or_no(rt, reply: str, flow: str, field: str) -> None:
    p = Person(rt, "taheel")
    await fill(p, "national_id")
    await p.say("لا لا خلني اغير، ابي اسجل متطوع بدال")
    out = await p.say(reply)
    assert field_of(out) == field and (await p.state()).state["flow"]["flow"] == flow


async def test_a_wish_for_the_same_service_offers_no_switch(rt) -> None:
    p = Person(rt, "taheel")
    await fill(p, "national_id")
    out = await p.say("ابي اقدم طلب")
    assert not any(b.startswith("flow:switch:") for b in buttons_of(out)) and field_of(out) == "national_id"


# --- wave 2: sentences at the name, feminine consent, Arabizi choices, numbers in words ------------


async def answers_of(p: Person) -> dict[str, Any]:
    return dict((await p.state()).state["flow"]["answers"])


@pytest.mark.parametrize(("org", "opening", "text"), [
    ("ratel", "ابي اسجل ولدي في حلقة تحفيظ", "عمره ثمان سنوات"),
    ("rida", "ابي اقدم طلب", "والله ما فهمت"),
    ("rida", "ابي اقدم طلب", "ما اعرف رقم العضويه والله"),
    ("amass", "ابي اقدم طلب", "انا متقاعد ومريض"),
    ("amass", "ابي اقدم طلب", "انا امه وما اعرف"),
])
async def test_a_sentence_at_the_name_is_not_filed_as_the_name(rt, org: str, opening: str, text: str) -> None:
    p = Person(rt, org)
    out = await p.say(opening)
    assert field_of(out) == "full_name", text_of(out)
    out = await p.say(text)
    assert field_of(out) == "full_name", text_of(out)
    assert "full_name" not in await answers_of(p)


@pytest.mark.parametrize(("text", "name"), [
    ("عبدالله حمد الحربي الله يعافيك", "عبدالله حمد الحربي"),
    ("نورة سعد الدوسري لو سمحت", "نورة سعد الدوسري"),
    ("فهد ناصر العتيبي جزاك الله خير", "فهد ناصر العتيبي"),
    ("Sarah Al-Harbi please", "Sarah Al-Harbi"),
    ("انا امه اسمي هيفاء عبدالعزيز السبيعي", "هيفاء عبدالعزيز السبيعي"),
    ("انا ابوه واسمي خالد محمد الشمري", "خالد محمد الشمري"),
])
async def test_a_courtesy_or_a_sentence_around_the_name_is_left_out(rt, text: str, name: str) -> None:
    p = Person(rt, "amass")
    await p.say("ابي اقدم طلب")
    out = await p.say(text)
    assert field_of(out) == "national_id", text_of(out)
    assert (await answers_of(p))["full_name"] == name


@pytest.mark.parametrize("name", [
    "محمد بن عبدالله العتيبي", "فاطمة سعد القحطاني", "عبدالرحمن ناصر الدوسري", "نوف عبدالله الشمري",
    "عمر خالد الزهراني", "ضيف الله محمد العنزي", "جار الله سعيد الغامدي", "سلطان فهد آل سعود",
    "رنا عادل الحارثي", "موضي عبدالعزيز السبيعي", "Mohammed Abdullah Al-Otaibi", "Noura Saad Al-Qahtani",
    "Faisal bin Turki Al Saud", "Reem Fahad Alshehri",
])
async def test_real_saudi_full_names_are_still_taken(rt, name: str) -> None:
    p = Person(rt, "ratel")
    await p.say(button="flow:support_request")
    out = await p.say(name)
    assert field_of(out) == "national_id", text_of(out)
    assert (await answers_of(p))["full_name"] == name


@pytest.mark.parametrize(("declaration", "consent"), [
    ("موافقه", "موافقة"), ("نعم موافقه", "نعم موافقة"), ("muwafeq", "موافق"),
])
async def test_agreeing_in_the_feminine_or_arabizi_signs_the_declaration(rt, declaration: str, consent: str) -> None:
    p = Person(rt, "amass")
    await p.fill("_declaration")
    out = await p.say(declaration)
    assert field_of(out) == "_consent", text_of(out)
    out = await p.say(consent)
    assert "AMS-" in text_of(out), text_of(out)


async def test_an_arabizi_choice_in_the_cancer_form_is_recognised(rt) -> None:
    p = Person(rt, "amass")
    await p.fill("patient_relation")
    out = await p.say("nafsi")
    assert field_of(out) == "cancer_type", text_of(out)
    out = await p.say("سرطان الثدي")
    out = await p.say("flous")
    assert "لم أتعرف" not in text_of(out), text_of(out)
    answers = await answers_of(p)
    assert answers["patient_relation"] == "self" and answers["support_type"] == "financial_aid"


@pytest.mark.parametrize(("org", "field", "text", "value"), [
    ("ilm-alhajj", "service_type", "7aj", "hajj_knowledge"),
    ("ratel", "programme", "ta7feeth", "memorisation"),
    ("ratel", "programme", "tahfeeth", "memorisation"),
    ("taheel", "area", "estesharah", "consultation"),
])
async def test_an_arabizi_choice_is_recognised(rt, org: str, field: str, text: str, value: str) -> None:
    p = Person(rt, org)
    await p.fill(field)
    out = await p.say(text)
    assert "لم أتعرف" not in text_of(out) and field_of(out) != field, text_of(out)
    assert (await answers_of(p))[field] == value


@pytest.mark.parametrize(("text", "value"), [("transport", "treatment_transport"), ("other", "other_support")])
async def test_english_choices_keep_their_english_option(rt, text: str, value: str) -> None:
    p = Person(rt, "amass")
    await p.fill("support_type")
    await p.say(text)
    assert (await answers_of(p))["support_type"] == value


async def test_an_english_word_that_is_no_option_is_not_transliterated_into_one(rt) -> None:
    p = Person(rt, "amass")
    await p.fill("patient_relation")
    out = await p.say("nothing")  # plain English: never transliterated and matched as Arabic
    assert field_of(out) == "patient_relation" and "patient_relation" not in await answers_of(p)


@pytest.mark.parametrize(("text", "age"), [("ثمان", 8), ("ثمان سنين", 8), ("عشر", 10), ("عمره احدى عشر سنة", 11)])
async def test_an_age_in_words_is_taken(rt, text: str, age: int) -> None:
    p = Person(rt, "ratel")
    await p.fill("learner_age")
    out = await p.say(text)
    assert field_of(out) != "learner_age", text_of(out)
    assert (await answers_of(p))["learner_age"] == age
