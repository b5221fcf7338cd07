"""Issue 13 through the real engine on a real (SQLite) database: safety first, references anywhere,
stable language, intents, repair — each conversation as a beneficiary would write it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.context import TurnContext
from bot.pack_model import WorkingHours
from bot.render import CAPABILITIES
from bot.settings import load_settings
from bot.stages.common import working_hours_note
from bot.state import DialogState
from bot.types import Attachment, ConversationKey, InboundMessage
from console.cases import change_status, load_case
from console.service import queue
from storage.db import migrate
from storage.models import CaseEvent
from tests.beneficiary import ORGS, Person, buttons, field_of, kinds, officer, text_of
from wiring.runtime import open_runtime

# --- 1. crisis -------------------------------------------------------------------------------------


async def test_crisis_gets_lines_and_an_urgent_hand_off_that_heads_the_queue(rt) -> None:
    earlier = Person(rt, address="earlier")
    await earlier.say("ابي اكلم موظف")
    p = Person(rt)
    first = await p.say("والله تعبت 😭 ابوي عنده سرطان وما عندي فلوس")
    assert "menu" not in kinds(first) and "أتفهم" in text_of(first)
    out = await p.say("ما ابي اعيش خلاص")
    assert "937" in text_of(out) and "997" in text_of(out) and "ونحن معك" in text_of(out)
    conv = await p.state()
    assert conv.status == "waiting" and conv.state["handoff"] == {**conv.state["handoff"], "reason": "crisis",
                                                                   "urgent": True}
    waiting = (await queue(rt, await officer(rt)))["waiting"]
    assert [w["id"] for w in waiting][0] == conv.id and waiting[0]["urgent"]


async def test_an_emergency_puts_the_ambulance_first_and_hands_off_urgently(rt) -> None:
    """A mother's chest pain now was answered "I did not understand" (a tester's transcript)."""
    p = Person(rt)
    out = await p.say("امي عندها ألم شديد في صدرها الحين وش اسوي؟")
    assert "الإسعاف" in text_of(out) and "997" in text_of(out) and "لم أفهم" not in text_of(out)
    conv = await p.state()
    assert conv.status == "waiting" and conv.state["handoff"]["urgent"]


async def test_the_salam_is_returned_first_before_sympathy(rt) -> None:
    out = await Person(rt, address="salam-distress").say("السلام عليكم، والله تعبانه وما عندي فلوس، كم مدة دراسة الطلب؟")
    assert text_of(out).startswith("وعليكم السلام") and text_of(out).count("وعليكم السلام") == 1


async def test_crisis_in_english_is_answered_in_english_with_the_deployment_lines(tmp_path) -> None:
    settings = load_settings(env={}, data_dir=str(tmp_path), sqlite_synchronous="NORMAL",
                             crisis_lines="920033360|خط الدعم النفسي|Mental health line;911")
    await migrate(settings)
    async with open_runtime(settings) as runtime:
        out = await Person(runtime).say("I want to kill myself")
    assert "920033360: Mental health line" in text_of(out) and "911" in text_of(out)
    assert "937" not in text_of(out) and "not alone" in text_of(out)


async def test_crisis_mid_form_keeps_the_form(rt) -> None:
    p = Person(rt, "taheel")
    await p.fill(until="mobile")
    out = await p.say("خلاص ما عاد فيني حيل، بنهي حياتي الليلة")
    assert "937" in text_of(out) and "رقم الجوال غير صحيح" not in text_of(out)
    conv = await p.state()
    assert conv.status == "waiting" and conv.state["flow"]["field"] == "mobile"


async def test_crisis_while_waiting_marks_the_waiting_hand_off_urgent(rt) -> None:
    p = Person(rt)
    await p.say("ابي اكلم موظف")
    out = await p.say("ابي اموت، ما احد حاس فيني")
    assert "997" in text_of(out)
    assert (await p.state()).state["handoff"]["urgent"] is True


# --- 2. status by reference -------------------------------------------------------------------------


async def test_the_owner_sees_the_status_from_any_way_of_writing_the_reference(rt) -> None:
    p = Person(rt)
    filed = text_of(await p.fill())
    ref = re.search(r"AMS-\d{2}-\d{5}", filed).group(0)  # type: ignore[union-attr]
    digits = ref.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for text in (f"حالة الطلب {ref}", ref.lower(), f"طلب رقم {digits}", ref.replace("-", " ")):
        out = await p.say(text)
        assert ref in text_of(out) and "تم الاستلام" in text_of(out), text
    stranger = await Person(rt, address="stranger").say(ref)
    assert field_of(stranger) == "verify" and "تم الاستلام" not in text_of(stranger)


async def test_my_requests_typed_and_officer_inside_the_status_inquiry(rt) -> None:
    p = Person(rt)
    await p.fill()
    out = await p.say("طلباتي")
    assert "طلباتك المفتوحة" in text_of(out)
    await p.say(button="flow:status_inquiry")
    out = await p.say("ابي اكلم موظف")
    assert "handoff" in kinds(out) and (await p.state()).status == "waiting"


# --- 3. language ------------------------------------------------------------------------------------


async def test_an_arabic_conversation_stays_arabic_through_tokens(rt) -> None:
    p = Person(rt)
    await p.say("السلام عليكم")
    for token in ("ok", "PDF", "AMS-26-00009", "yalla"):
        await p.say(token)
        assert (await p.state()).lang == "ar", token
    await p.say("Could you tell me how long a request takes please")
    assert (await p.state()).lang == "en"


async def test_reply_frames_carry_the_conversation_language(rt) -> None:
    p = Person(rt)
    await p.say("مرحبا")
    out = await rt.engine.handle(InboundMessage(key=p.key, text="ok"))
    stored = [m for m in out.messages if m.direction == "out"]
    assert stored and all((m.payload or {}).get("lang") == "ar" for m in stored)


# --- 4/5. commands and intents --------------------------------------------------------------------


@pytest.mark.parametrize(("org", "text"), [
    ("ratel", "ابي اسجل ولدي في حلقة تحفيظ"), ("ratel", "I want to register in a program"),
    ("ilm-alhajj", "ابغى خدمه"), ("ilm-alhajj", "abi atlob khedma"), ("amass", "I want to apply for support"),
])
async def test_the_main_request_starts_from_the_ways_people_ask(rt, org: str, text: str) -> None:
    out = await Person(rt, org).say(text)
    assert field_of(out) == "full_name"


@pytest.mark.parametrize(("org", "text"), [
    ("amass", "ممكن تعرض لي القائمة الرئيسية؟"), ("rida", "ودني للخيارات مره ثانيه"), ("taheel", "bring up the options please"),
    ("ratel", "rj3ni lel qa2ema"), ("ilm-alhajj", "what can you do for me?"),
])
async def test_the_menu_asked_for_in_any_phrasing_gives_the_menu(rt, org: str, text: str) -> None:
    p = Person(rt, org)
    await p.say("كم مدة دراسة الطلب")
    out = await p.say(text)
    assert "menu" in kinds(out) and "flow:support_request" in buttons(out)


async def test_the_menu_asked_for_mid_form_keeps_the_form_one_tap_away(rt) -> None:
    p = Person(rt, "ratel")
    await p.fill(until="mobile")
    out = await p.say("ابي ارجع للقائمة الرئيسية لو سمحت")
    assert {"flow:resume", "flow:restart", "flow:leave"} <= set(buttons(out)) and "محفوظ" in text_of(out)
    out = await p.say(button="flow:resume")
    assert field_of(out) == "mobile"  # nothing typed so far was lost
    await p.say("show me the menu")
    out = await p.say(button="flow:leave")
    assert "flow:support_request" in buttons(out) and not (await p.state()).state.get("flow")


async def test_the_menu_asked_for_while_waiting_for_an_officer_gives_the_menu(rt) -> None:
    p = Person(rt, "taheel")
    await p.say(button="handoff:yes")
    out = await p.say("رجعني للخيارات")
    assert "menu" in kinds(out)


async def test_a_question_after_a_word_of_hardship_is_answered_with_empathy(rt) -> None:
    out = await Person(rt, "amass").say("ابوي مريض ومتضايق مره، هل لازم يحضر بنفسه للجمعية؟")
    assert "أتفهم ما تمر به" in text_of(out) and "answer" in kinds(out) and "موقعك" in text_of(out)


async def test_a_wish_for_something_the_association_does_not_do_starts_no_form(rt) -> None:
    out = await Person(rt, "ratel").say("ابغى اطلب بيتزا")
    assert field_of(out) is None and "flow" not in kinds(out)


async def test_an_answer_never_hands_off_by_itself_and_waiting_is_acknowledged(rt) -> None:
    p = Person(rt, "taheel")
    out = await p.say("كم ياخذ وقت الرد على الطلب")
    assert (await p.state()).status == "bot" and {"handoff", "handoff:yes"} & set(buttons(out))
    await p.say(button="handoff:yes")
    out = await p.say("متى بتردون؟")
    assert out and "القائمة" in text_of(out)
    out = await p.say("القائمة")
    assert (await p.state()).status == "bot" and "menu" in kinds(out)


# --- 6. repair --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["ابي اقدم طلب دعم", "نعم",
                                  "زوجي توفي الله يرحمه من سنتين وانا ساكنة مع عيالي في بيت ايجار وما عندي دخل"])
async def test_the_name_field_does_not_swallow_sentences(rt, text: str) -> None:
    p = Person(rt)
    await p.say(button="flow:support_request")
    out = await p.say(text)
    assert field_of(out) == "full_name" and "ليست اسماً" in text_of(out)


@pytest.mark.parametrize("org", ORGS)
async def test_a_question_at_the_mobile_step_is_answered_and_the_field_asked_again(rt, org: str) -> None:
    p = Person(rt, org)
    await p.fill(until="mobile")
    out = await p.say("متى بتردون علي؟")
    assert "غير صحيح" not in text_of(out) and field_of(out) == "mobile" and len(out) >= 2


async def test_a_returning_person_is_offered_to_continue_or_restart(rt) -> None:
    p = Person(rt, "taheel")
    await p.fill(until="mobile")
    out = await p.say("مرحبا")
    assert {"flow:resume", "flow:restart"} <= set(buttons(out)) and "غير صحيح" not in text_of(out)
    out = await p.say(button="flow:resume")
    assert field_of(out) == "mobile"


async def test_a_voice_note_where_text_is_expected_gets_a_kind_answer(rt) -> None:
    p = Person(rt)
    await p.fill(until="mobile")
    voice = (Attachment(url="https://api.twilio.com/x", content_type="audio/ogg", size=2000),)
    out = await p.say(attachments=voice)
    assert "الصوتية" in text_of(out) and "handoff" in buttons(out) and field_of(out) == "mobile"


async def _decided(rt: Any, p: Person) -> list[dict[str, Any]]:
    await p.fill()
    user = await officer(rt)
    case = (await rt.cases.for_beneficiary(p.key.org, (await p.state()).beneficiary_id))[0]
    for status in ("under_review", "approved"):
        case = await load_case(rt, user, case.id)
        await change_status(rt, user, case, to_status=status, version=case.version, comment="")
    return []


@pytest.mark.parametrize(("answer", "rating"), [
    ("ممتاز الله يعطيكم العافية", 5), ("5 نجوم", 5), ("5 stars", 5), ("⭐⭐⭐⭐", 4), ("😡", 1), ("٥", 5),
])
async def test_the_survey_takes_words_stars_and_emoji(rt, answer: str, rating: int) -> None:
    p = Person(rt)
    await _decided(rt, p)
    out = await p.say(answer)
    assert "menu" not in kinds(out) and ("شكراً" in text_of(out) or "نأسف" in text_of(out))
    async with rt.db.reader.connect() as conn:
        from sqlalchemy import text as sql
        got = (await conn.execute(sql("SELECT rating FROM surveys"))).scalar()
    assert got == rating


async def test_a_reply_to_needs_information_reaches_the_case_and_the_console(rt) -> None:
    p = Person(rt)
    await p.fill()
    user = await officer(rt)
    case = (await rt.cases.for_beneficiary("amass", (await p.state()).beneficiary_id))[0]
    case = await load_case(rt, user, case.id)
    await change_status(rt, user, case, to_status="needs_info", version=case.version, comment="صورة التقرير")
    events: list[dict[str, Any]] = []
    rt.bus.subscribe("org:amass", events.append)
    out = await p.say("التقرير صادر من مستشفى الملك فهد وبرسله بكرة")
    assert "لم أفهم" not in text_of(out) and case.reference in text_of(out)
    async with rt.db.reader.connect() as conn:
        from sqlalchemy import select
        notes = (await conn.execute(select(CaseEvent.comment).where(CaseEvent.case_id == case.id))).scalars().all()
    assert any(n and "مستشفى الملك فهد" in n for n in notes)
    assert any(e.get("type") == "case_note" for e in events)


# --- 7. medical, complaints, insults --------------------------------------------------------------


async def test_medical_advice_is_declined_with_what_the_association_offers(rt) -> None:
    out = await Person(rt).say("وش افضل علاج لها كيماوي ولا اشعاعي؟")
    assert "الطبيب المعالج" in text_of(out) and "flow:support_request" in buttons(out)


async def test_a_complaint_is_apologised_for_and_recorded_for_an_officer(rt) -> None:
    p = Person(rt)
    out = await p.say("الموظف ما كان محترم معي")
    assert "نعتذر" in text_of(out)
    conv = await p.state()
    assert conv.status == "waiting" and conv.state["handoff"]["reason"] == "complaint"


async def test_a_question_about_complaining_is_answered_from_the_policy(rt) -> None:
    p = Person(rt)
    out = await p.say("ابي اشتكي على التأخير، هل هذا يأثر على طلبي؟")
    assert "لا للعقاب" in text_of(out)
    assert (await p.state()).status == "bot"


@pytest.mark.parametrize("text", ["كيف اقدم شكوى", "هل لو اشتكيت يتأثر طلب المساعدة"])
async def test_rida_answers_how_to_complain_from_its_satisfaction_topic(rt, text: str) -> None:
    """Rida's policy, like the others, puts complaints and suggestions under measuring satisfaction;
    'اقدم' must not open the application form, nor the harm question be only suggested."""
    p = Person(rt, "rida")
    out = await p.say(text)
    assert "لا للعقاب" in text_of(out) and "عندي شكوى" in text_of(out)
    assert (await p.state()).status == "bot"


async def test_a_question_about_complaining_the_policy_cannot_answer_is_still_a_complaint(rt) -> None:
    p = Person(rt)
    out = await p.say("ابغى اشتكي وين ارسل صور الفواتير والتقارير الطبية كلها")
    assert "نعتذر" in text_of(out)
    conv = await p.state()
    assert conv.status == "waiting" and conv.state["handoff"]["reason"] == "complaint"


async def test_an_insult_gets_a_calm_reply_not_a_menu(rt) -> None:
    out = await Person(rt).say("انتم جمعية فاشلة ونصابين")
    assert kinds(out) == ["info"] and "أهلاً وسهلاً" not in text_of(out)


# --- 8. working hours ---------------------------------------------------------------------------------


def _ctx_at(rt: Any, pack: Any, when: datetime) -> TurnContext:
    return TurnContext(message=InboundMessage(key=ConversationKey("amass", "webchat", "h")), pack=pack,
                       state=DialogState(), status="bot", caps=CAPABILITIES["webchat"], now=when)


async def test_working_hours_come_only_from_the_pack(rt) -> None:
    friday_night = datetime(2026, 12, 11, 19, 0, tzinfo=UTC)  # 22:00 in Riyadh, the weekend
    loaded = rt.packs["amass"]
    assert loaded.pack.contact.working_hours.start is None
    assert working_hours_note(_ctx_at(rt, loaded, friday_night)) is None  # nothing claimed
    contact = loaded.pack.contact.model_copy(update={"working_hours": WorkingHours(start="09:00", end="15:00")})
    pack = loaded.model_copy(update={"pack": loaded.pack.model_copy(update={"contact": contact})})
    note = working_hours_note(_ctx_at(rt, pack, friday_night))
    assert note is not None and "09:00–15:00" in note


# --- 9. first messages --------------------------------------------------------------------------------


async def test_salam_is_returned_and_first_questions_are_answered(rt) -> None:
    out = await Person(rt, address="a").say("السلام عليكم")
    assert text_of(out).startswith("وعليكم السلام")
    out = await Person(rt, address="b").say("السلام عليكم، كم مدة دراسة الطلب؟")
    assert "وعليكم السلام" in text_of(out) and "أسبوعين" in text_of(out)
    plea = "والله يا جماعة الخير وضعنا صعب " * 80 + ". كيف اقدم طلب دعم"
    out = await Person(rt, address="c").say(plea)
    assert field_of(out) == "full_name"


async def test_a_long_account_that_asks_nothing_is_offered_a_request_and_a_person(rt) -> None:
    """A widow's story of many lines, with no question the policy answers, is read: the reply thanks
    her and offers the request form and the officer (buttons), not "I did not understand"."""
    story = ("السلام عليكم انا ارملة وعندي خمسة عيال وزوجي توفى من سنتين والايجار متراكم علينا "
             "وصاحب البيت يبي يطلعنا والعيال في المدارس ومصاريفهم كثيرة وانا ما اشتغل ") * 4
    out = await Person(rt, address="plea").say(story)
    assert "لم أفهم" not in text_of(out) and "قرأنا رسالتك" in text_of(out)
    values = [b["value"] for r in out for b in r.get("buttons") or []]
    assert "flow:support_request" in values and "handoff" in values


async def test_thanks_goodbye_and_emoji_get_courteous_consistent_replies(rt) -> None:
    p = Person(rt)
    await p.say("مرحبا")
    assert "العفو" in text_of(await p.say("شكرا"))
    assert "أمان الله" in text_of(await p.say("مع السلامة"))
    first, second = await p.say("👍"), await p.say("👍")
    assert text_of(first) == text_of(second) and "fallback" not in kinds(first + second)


@pytest.mark.parametrize(("text", "topic"), [
    ("how can I reach you guys?", "contact_channels"), ("وش الهدف العاام حقتكم منالسياسه", "general_goal"),
])
async def test_did_you_mean_answers_directly_when_one_suggestion_leads(rt, text: str, topic: str) -> None:
    p = Person(rt)
    await p.say("مرحبا")
    out = await rt.engine.handle(InboundMessage(key=p.key, text=text))
    assert out.decision.kind == "answer" and out.decision.topic_id == topic


@pytest.mark.parametrize("org", ORGS)
async def test_i_dont_know_gets_a_kind_word_and_the_menu_never_a_topic(rt, org: str) -> None:
    """"ما ادري" / "I don't know" drew the policy's approval (policy_approval) in all five associations."""
    first = await Person(rt, org, address="first").say("ما ادري")
    assert kinds(first) == ["menu", "menu"] and "flow:support_request" in buttons(first)
    p = Person(rt, org)
    await p.say("مرحبا")
    out = await p.say("ما ادري")
    assert kinds(out) == ["menu"] and "لا بأس" in text_of(out) and "handoff" in buttons(out), text_of(out)
    out = await p.say("I don't know")
    assert kinds(out) == ["menu"] and "No problem" in text_of(out)


@pytest.mark.parametrize("org", ORGS)
async def test_longer_thanks_are_thanked_back(rt, org: str) -> None:
    out = await Person(rt, org).say("شكراً لكم على حسن التعامل")
    assert "العفو" in text_of(out) and "answer" not in kinds(out) and "fallback" not in kinds(out), text_of(out)


@pytest.mark.parametrize(("org", "text"), [
    ("amass", "هل عندكم فرع في جدة"), ("rida", "هل يحق لي تقديم أكثر من طلب"),
    ("ilm-alhajj", "هل يحق لي تقديم أكثر من طلب"),
])
async def test_a_yes_no_question_is_offered_topics_not_a_form(rt, org: str, text: str) -> None:
    """The nearest topics are offered, or, when none is near enough (Amass's policy names no
    branch), the honest "not in our policy" with the officer a tap away; never the form."""
    out = await Person(rt, org).say(text)
    assert field_of(out) is None and ("suggest" in kinds(out) or "fallback" in kinds(out)), text_of(out)
    if "fallback" in kinds(out):
        assert "لم أجد له إجابة" in text_of(out) and "handoff" in str(out), text_of(out)
