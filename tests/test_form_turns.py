"""What people say at a request form that is not the field's value, through the real engine: a
wish for a person hands off (the form kept), everyday words pick an option, the summary takes
typed edits, "later" and "I don't know" are understood, every button label fits a WhatsApp button."""

from __future__ import annotations

from typing import Any

import pytest

from tests.beneficiary import Person, buttons, field_of, kinds, text_of

#: an Amass application up to "who is the support for?", in each language
_TO_RELATION = {
    "en": ("I want to apply for support", "Sarah Al-Harbi", "1000000008", "0551234567", "Jeddah"),
    "ar": ("ابي اقدم طلب دعم", "سارة محمد الحربي", "1000000008", "0551234567", "جدة"),
}


async def amass_at_relation(p: Person, lang: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in _TO_RELATION[lang]:
        out = await p.say(text)
    assert field_of(out) == "patient_relation", text_of(out)
    return out


# --- 1. a wish for a person is never a value -------------------------------------------------------


async def test_transfer_me_at_a_choice_step_hands_off_and_keeps_the_form(rt) -> None:
    p = Person(rt, "amass")
    await amass_at_relation(p, "en")
    await p.say("not sure")
    await p.say("dunno")
    out = await p.say("yes transfer me")
    assert "handoff" in kinds(out), text_of(out)
    st = await p.state()
    assert st.status == "waiting"
    assert st.state["flow"] and "patient_relation" not in st.state["flow"]["answers"]


@pytest.mark.parametrize("text", ["yes transfer me", "حولني", "ابي موظف", "كلموني"])
async def test_a_wish_for_a_person_at_a_name_field_hands_off(rt, text: str) -> None:
    p = Person(rt, "amass")
    await amass_at_relation(p, "en")
    await p.say(button="family_member")
    out = await p.say(text)
    assert "handoff" in kinds(out) and "name" not in text_of(out).lower(), text_of(out)
    assert (await p.state()).state["flow"]["field"] == "patient_name"


# --- 2. everyday words at a choice, and answers typed after a miss ---------------------------------


@pytest.mark.parametrize("word", ["ولدي", "بنتي", "أمي", "أبوي", "زوجي", "زوجتي", "اخوي"])
async def test_a_relative_in_everyday_words_is_a_family_member(rt, word: str) -> None:
    p = Person(rt, "amass")
    await amass_at_relation(p, "ar")
    out = await p.say(word)
    assert field_of(out) == "patient_name", text_of(out)


async def test_answers_typed_after_the_handoff_offer_are_not_met_with_pick_an_option(rt) -> None:
    p = Person(rt, "amass")
    await amass_at_relation(p, "ar")
    for miss in ("ما ادري وش اختار", "هاه", "اممم"):
        out = await p.say(miss)
    assert field_of(out) == "_handoff"
    out = await p.say("خالد سعد الحربي")  # the patient's name, a later question
    assert field_of(out) == "patient_relation" and "فضلاً اختر أحد الخيارات" not in text_of(out)
    assert "اسم المريض" in text_of(out) and {b["value"] for r in out for b in r["buttons"]} >= {"self", "family_member"}
    out = await p.say("سرطان دم")  # the diagnosis: said what is needed again, no hand-off offer loop
    assert field_of(out) == "patient_relation" and "نوع التشخيص" in text_of(out)


# --- 3. typed edits at the summary -------------------------------------------------------------------


async def amass_at_summary(p: Person) -> list[dict[str, Any]]:
    out = await p.fill(until="_summary")
    assert field_of(out) == "_summary", text_of(out)
    return out


@pytest.mark.parametrize("text", ["ابي اغير رقم الجوال", "ابي اغير الجوال", "تعديل رقم الجوال", "change my mobile"])
async def test_asking_to_change_a_field_by_name_at_the_summary_opens_it(rt, text: str) -> None:
    p = Person(rt, "amass")
    await amass_at_summary(p)
    out = await p.say(text)
    assert field_of(out) == "mobile", text_of(out)
    out = await p.say("0559998877")
    assert field_of(out) == "_summary" and "559998877" in text_of(out)


async def test_a_bare_mobile_at_the_summary_is_offered_for_the_mobile_field(rt) -> None:
    p = Person(rt, "amass")
    await amass_at_summary(p)
    out = await p.say("0559998877")
    assert "«الجوال»" in text_of(out) and "559998877" in text_of(out) and "فضلاً اختر" not in text_of(out)
    out = await p.say(button="put_value")
    assert field_of(out) == "_summary" and "559998877" in text_of(out)
    assert (await p.state()).state["flow"]["answers"]["mobile"].endswith("559998877")


async def test_other_words_at_the_summary_get_a_short_word_not_the_whole_summary(rt) -> None:
    p = Person(rt, "amass")
    await amass_at_summary(p)
    out = await p.say("ما عندي تقرير الحين")
    assert field_of(out) == "_summary" and "تعديل رقم الجوال" in text_of(out)
    assert "راجع بيانات طلبك" not in text_of(out) and "فضلاً اختر أحد الخيارات" not in text_of(out)


# --- 4. every button label fits a WhatsApp button ----------------------------------------------------


def all_flow_buttons() -> list[tuple[str, str]]:
    """(where, label) of every button a pack's forms can show, in both languages."""
    from bot.flows import prompts as P
    from bot.flows.runner import visible_fields
    from bot.i18n import t
    from bot.packs import load_all

    out: list[tuple[str, str]] = []
    for slug, lp in load_all().items():
        for flow in lp.flows.values():
            for lang in ("ar", "en"):
                replies = [P.field_prompt(flow, f, lang) for f in flow.fields]
                replies += [P.summary_reply(flow, flow.fields, {}, lang), P.summary_help_reply(flow, lang),
                            P.edit_pick_reply(flow, visible_fields(flow, {}), lang), P.handoff_offer_reply(flow, lang),
                            P.pending_reply(flow, flow.fields[0], "x", lang)]
                if flow.declaration is not None:
                    replies.append(P.declaration_reply(flow, lang))
                if flow.consent is not None:
                    replies.append(P.consent_reply(flow, lang))
                out += [(f"{slug}/{flow.id}/{lang}", b.label) for r in replies for b in getattr(r, "buttons", ())]
    for key in ("flow.resume_button", "flow.restart_button", "flow.menu_button", "flow.switch_yes", "flow.switch_no",
                "menu.human"):
        out += [(key, t(key, lang)) for lang in ("ar", "en")]
    return out


def test_every_button_a_form_can_show_fits_twenty_characters() -> None:
    from bot.flows.schema import BUTTON_LABEL_MAX

    too_long = [(where, label) for where, label in all_flow_buttons() if len(label) > BUTTON_LABEL_MAX]
    assert not too_long, too_long


async def test_the_resume_offer_after_a_greeting_has_short_buttons(rt) -> None:
    p = Person(rt, "ilm-alhajj")
    await p.fill(until="mobile")
    out = await p.say("مرحبا")
    labels = [b["label"] for r in out for b in r["buttons"]]
    assert len(labels) == 3 and all(len(label) <= 20 for label in labels), labels


# --- 5. "I'll finish later" ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expect"), [("خلاص بعدين اكمل، مشغول الحين", "محفوظ لك لمدة 72 ساعة"),
                                              ("I'll finish later, busy now", "saved for 72 hours")])
async def test_finishing_later_at_a_field_says_what_is_kept_and_how_to_go_on(rt, text: str, expect: str) -> None:
    p = Person(rt, "ilm-alhajj")
    await p.fill(until="mobile")
    if text.startswith("I"):
        await p.say("english")
    out = await p.say(text)
    assert expect in text_of(out) and "غير صحيح" not in text_of(out) and "valid" not in text_of(out), text_of(out)
    assert (await p.state()).state["flow"]["field"] == "mobile"
    out = await p.say("كمل" if not text.startswith("I") else "continue")
    assert field_of(out) == "mobile"


# --- 6. "I don't know" at an optional field -------------------------------------------------------------


@pytest.mark.parametrize(("text", "said"), [("I don't know my member number", "optional"), ("ما اعرف", "اختياري"),
                                            ("ما عندي", "اختياري"), ("ما اعرف رقم عضويتي", "اختياري")])
async def test_i_dont_know_at_an_optional_field_skips_it_and_says_so(rt, text: str, said: str) -> None:
    p = Person(rt, "rida")
    await p.fill(until="member_number")
    out = await p.say(text)
    assert field_of(out) == "request_type" and said in text_of(out), text_of(out)
    assert (await p.state()).state["flow"]["answers"]["member_number"] is None


async def test_i_have_no_income_is_a_description_not_a_skip(rt) -> None:
    p = Person(rt, "amass")
    await p.fill(until="description")
    out = await p.say("ما عندي دخل ثابت وأحتاج مساعدة في العلاج")
    assert (await p.state()).state["flow"]["answers"]["description"].startswith("ما عندي دخل"), text_of(out)


# --- 7. "my requests" while a form is being filled --------------------------------------------------------


async def test_my_requests_at_the_consent_step_mentions_the_form_not_yet_sent(rt) -> None:
    p = Person(rt, "amass")
    out = await p.fill(until="_consent")
    assert field_of(out) == "_consent", text_of(out)
    out = await p.say("طلباتي")
    assert "لم يُرسل بعد" in text_of(out) and field_of(out) == "_consent", text_of(out)


async def test_not_sure_at_a_choice_is_not_taken_for_a_later_name(rt) -> None:
    p = Person(rt, "amass")
    await amass_at_relation(p, "en")
    out = await p.say("not sure")
    assert field_of(out) == "patient_relation" and "later question" not in text_of(out), text_of(out)


# --- 5. a short reply at a choice is never a piece of an option ------------------------------------


@pytest.mark.parametrize(("org", "field", "text"), [
    ("amass", "support_type", "تم"),  # inside «اجتماعي»: chose «دعم نفسي واجتماعي»
    ("amass", "support_type", "لا"),  # inside «العلاج»: chose «النقل إلى العلاج»
    ("amass", "support_type", "ok"),
    ("taheel", "area", "لا"),  # inside «الالتحاق»: moved on
    ("amass", "cancer_type", "لا"),
])
async def test_a_short_word_at_a_choice_re_asks_with_the_choices(rt, org: str, field: str, text: str) -> None:
    p = Person(rt, org)
    await p.fill(until=field)
    out = await p.say(text)
    assert field_of(out) == field and "لم أتعرف على اختيارك" in text_of(out), text_of(out)
    assert len(buttons(out)) >= 3
    assert field not in (await p.state()).state["flow"]["answers"]


@pytest.mark.parametrize(("text", "value"), [
    ("مالي", "financial_aid"), ("ابي دعم مالي", "financial_aid"), ("ادويه", "medical_supplies"),
    ("مستلزمات", "medical_supplies"), ("سكن", "treatment_housing"), ("نفسي", "psychosocial_support"),
    ("transport", "treatment_transport"),
])
async def test_whole_words_and_aliases_still_pick_an_option(rt, text: str, value: str) -> None:
    p = Person(rt, "amass")
    await p.fill(until="support_type")
    out = await p.say(text)
    assert field_of(out) != "support_type", text_of(out)
    assert (await p.state()).state["flow"]["answers"]["support_type"] == value


# --- 6. a single word at the name is not a later question's answer -----------------------------------


@pytest.mark.parametrize("org", ["ilm-alhajj", "amass"])
async def test_a_first_name_alone_is_asked_for_in_full_not_taken_for_the_city(rt, org: str) -> None:
    p = Person(rt, org)
    await p.fill(until="full_name")
    out = await p.say("محمد")
    assert field_of(out) == "full_name" and "المدينة" not in text_of(out), text_of(out)
    assert "الاسم الكامل كما في الهوية" in text_of(out)


async def test_thanks_in_arabizi_at_the_name_is_thanks_and_the_question_again(rt) -> None:
    p = Person(rt, "amass")
    await p.fill(until="full_name")
    out = await p.say("shokran")
    assert field_of(out) == "full_name" and "العفو" in text_of(out) and "المدينة" not in text_of(out), text_of(out)
    assert "full_name" not in (await p.state()).state["flow"]["attempts"]


# --- 7. a sentence is not a name; a question without "؟" is a question ------------------------------


@pytest.mark.parametrize(("org", "flow", "text"), [
    ("taheel", "support_request", "انا طالب ماجستير وابي احد يساعدني في الرساله"),
    ("taheel", "volunteer", "الدورات حضوري ولا عن بعد"),
    ("amass", "support_request", "ودي اعرف عن الدعم"),
])
async def test_a_sentence_at_the_name_is_never_filed_as_the_name(rt, org: str, flow: str, text: str) -> None:
    p = Person(rt, org)
    await p.say(button=f"flow:{flow}")
    out = await p.say(text)
    assert field_of(out) == "full_name", text_of(out)
    assert "full_name" not in (await p.state()).state["flow"]["answers"]


@pytest.mark.parametrize("name", ["اماني علي الحربي", "ولاء محمد العتيبي", "وليد عبدالله السالم", "آمنة سعد أبا الخيل"])
async def test_names_with_words_like_the_small_ones_are_still_names(rt, name: str) -> None:
    p = Person(rt, "taheel")
    await p.say(button="flow:support_request")
    out = await p.say(name)
    assert field_of(out) == "national_id", text_of(out)


async def test_a_question_without_a_question_mark_at_the_name_is_answered(rt) -> None:
    p = Person(rt, "taheel")
    await p.say(button="flow:support_request")
    out = await p.say("طيب وين مقركم")
    assert field_of(out) == "full_name" and "answer" in kinds(out), text_of(out)
    assert "ليست اسماً" not in text_of(out)


@pytest.mark.parametrize("mark", ["?", "؟", "؟؟"])
async def test_a_bare_question_mark_at_a_choice_shows_the_choices_with_a_help_line(rt, mark: str) -> None:
    p = Person(rt, "amass")
    await amass_at_relation(p, "ar")
    out = await p.say(mark)
    assert field_of(out) == "patient_relation" and "اختر الأنسب لك" in text_of(out), text_of(out)
    assert {"self", "family_member"} <= set(buttons(out)) and "ليست إجابة" not in text_of(out)
