"""Messages outside the forms that a beneficiary tester found misrouted, through the real engine:
a wish to have one's data deleted, questions taken for requests, outside programmes, two questions
in one message, waiting for an officer, a second insult, going back to a cancelled form, and
asking about someone else's request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import AuditLog
from tests.beneficiary import Person


async def _form(p: Person) -> str | None:
    """The form the person is in, if any."""
    return ((await p.state()).state.get("flow") or {}).get("flow")


def _text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


@pytest.mark.parametrize(("org", "text"), [
    ("taheel", "ابي تحذفون كل بياناتي عندكم"),
    ("amass", "امسحوا معلوماتي من عندكم لو سمحتوا"),
    ("ratel", "please remove all my personal information"),
])
async def test_a_wish_to_delete_ones_data_is_recorded_for_an_officer_not_a_form(rt: Any, org: str,
                                                                                 text: str) -> None:
    p = Person(rt, org)
    replies = await p.say(text)
    assert not any(r["kind"] == "flow" for r in replies), _text(replies)
    assert "سجّلنا طلبك لحذف بياناتك" in _text(replies) or "request to delete your data" in _text(replies)
    assert (await p.state()).status == "waiting"
    async with rt.db.reader.connect() as conn:
        kinds = (await conn.execute(select(AuditLog.detail).where(AuditLog.action == "privacy.request"))).scalars()
        assert [d["kind"] for d in kinds] == ["erase"]


async def test_a_question_about_what_there_is_does_not_start_the_application(rt: Any) -> None:
    p = Person(rt, "ratel")
    await p.say("english please")
    replies = await p.say("what programmes do you have for kids?")
    assert not any(r["expect"] for r in replies), _text(replies)
    assert await _form(p) is None


async def test_a_message_about_an_existing_application_follows_it_up_not_a_new_form(rt: Any) -> None:
    p = Person(rt, "amass")
    await p.say("hello")
    replies = await p.say("I need help with my application, nobody called me")
    assert await _form(p) is None, _text(replies)
    assert "status_inquiry" in (await p.state()).state, "the request already filed is followed up"
    assert "full name" not in _text(replies)


def test_wishes_to_apply_still_start_the_form() -> None:
    from bot.faq.decide import decide
    from bot.packs import packs

    for org, text in (("ratel", "ابي اسجل في برنامج"), ("amass", "ابي اقدم طلب دعم"), ("ratel", "how do I apply?"),
                      ("ratel", "انرفض طلبي الترم اللي فات، اقدر اقدم من جديد؟")):
        d = decide(text, packs()[org])
        assert d.kind == "flow" and d.flow_id == "support_request", (text, d)
    d = decide("i want to follow my application, i have the request number", packs()["amass"])
    assert d.flow_id == "status_inquiry", d
    d = decide("كم رسوم الحلقات؟", packs()["ratel"])  # asks how much, does not apply
    assert d.kind != "flow", d


async def test_an_outside_programme_or_the_weather_is_declined_politely_without_an_officer(rt: Any) -> None:
    p = Person(rt, "ilm-alhajj")
    await p.say("السلام عليكم")
    first = await p.say("متى ينزل حساب المواطن هالشهر؟")
    second = await p.say("كيف الجو بكرة في مكة؟")
    said = _text(first)
    assert "حساب المواطن" in said and "خارج خدمات" in said and "لم أفهم" not in said, said
    assert any(b["value"].startswith("flow:") for r in first for b in r["buttons"]), "what we offer is shown"
    buttons = [b["value"] for r in second for b in r["buttons"]]
    assert "handoff:yes" not in buttons and "لم أفهم" not in _text(second), _text(second)


def test_an_outside_question_stays_a_refusal_for_scoring() -> None:
    from bot.faq.decide import decide
    from bot.packs import packs

    for text in ("متى ينزل حساب المواطن هالشهر؟", "كيف الجو بكرة في مكة؟", "who won the football match yesterday?"):
        d = decide(text, packs()["ilm-alhajj"])
        assert d.kind == "fallback" and d.outside and d.text, (text, d)


async def test_two_questions_in_one_message_get_both_answers(rt: Any) -> None:
    from bot.faq.decide import decide

    pack = rt.packs["rida"]
    contact, location = decide("كم رقم التواصل حقكم؟", pack), decide("ووين موقعكم؟", pack)
    assert (contact.kind, location.kind) == ("answer", "answer")
    p = Person(rt, "rida")
    await p.say("السلام عليكم")
    said = _text(await p.say("كم رقم التواصل حقكم؟ ووين موقعكم؟"))
    assert contact.text in said and location.text in said, said


async def test_two_questions_one_of_them_a_wish_to_volunteer_are_not_refused(rt: Any) -> None:
    p = Person(rt, "taheel")
    await p.say("السلام عليكم")
    replies = await p.say("وش اوقات الدوام عندكم؟ وكيف اسجل متطوع؟")
    assert "لم أفهم" not in _text(replies)
    assert await _form(p) == "volunteer", _text(replies)


def test_questions_are_split_at_question_marks_and_a_joined_question_word_only() -> None:
    from bot.faq.segments import questions

    assert questions("كم رقم التواصل حقكم؟ ووين موقعكم؟") == ["كم رقم التواصل حقكم", "ووين موقعكم"]
    assert len(questions("what are your hours and how do I volunteer?")) == 2
    assert questions("وش شروط الدعم؟") == [] and questions("ابي اسجل وش الشروط") == []


async def test_waiting_for_an_officer_is_acknowledged_in_varied_words_with_the_set_hours(rt: Any) -> None:
    from bot.pack_model import WorkingHours

    p = Person(rt, "taheel")
    await p.say("ابي اكلم موظف")
    said = [_text(await p.say(m)) for m in ("وينكم؟", "ابي موظف الحين لو سمحت", "متى بيردون علي؟ صار لي ساعة")]
    assert len(set(said)) == 3, said
    assert "نعتذر عن الانتظار" in said[1] and "رسائلك" in said[1], said[1]
    assert "أوقات عمل" not in said[1], "the pack has set no hours: none is claimed"

    loaded = rt.packs["taheel"]
    contact = loaded.pack.contact.model_copy(update={"working_hours": WorkingHours(start="00:00", end="23:59",
                                                                                   days=list(range(7)))})
    rt.engine.packs["taheel"] = loaded.model_copy(update={"pack": loaded.pack.model_copy(update={"contact": contact})})
    q = Person(rt, "taheel", address="p2")
    await q.say("ابي اكلم موظف")
    await q.say("وينكم؟")
    assert "أوقات عمل الجمعية" in _text(await q.say("صار لي ساعة"))


@pytest.mark.parametrize("question", ["وش اوقات الدوام عندكم", "هل تشتغلون يوم الجمعة؟", "what are your working hours?"])
async def test_a_question_about_working_hours_is_answered_from_the_pack_never_invented(rt: Any, question: str) -> None:
    from bot.pack_model import WorkingHours

    said = _text(await Person(rt, "amass").say(question))
    assert ("غير منشورة" in said or "aren't published" in said) and "لم أفهم" not in said, said
    assert not any(ch.isdigit() for ch in said), "the pack has set no hours: no time is claimed"

    loaded = rt.packs["amass"]
    contact = loaded.pack.contact.model_copy(update={"working_hours": WorkingHours(start="08:30", end="15:30",
                                                                                   days=[6, 0, 1, 2, 3])})
    rt.engine.packs["amass"] = loaded.model_copy(update={"pack": loaded.pack.model_copy(update={"contact": contact})})
    said = _text(await Person(rt, "amass", address="p2").say(question))
    assert "08:30" in said and "15:30" in said, said
    assert ("الأحد" in said and "الجمعة" not in said) or ("Sunday" in said and "Friday" not in said), said


async def test_a_second_insult_is_offered_an_officer(rt: Any) -> None:
    p = Person(rt, "rida")
    await p.say("السلام عليكم")
    first = await p.say("انتم نصابين وحرامية ما تعطون احد شي")
    second = await p.say("بوت غبي ما يفهم")
    assert not any(b["value"] == "handoff:yes" for r in first for b in r["buttons"])
    assert any(b["value"] == "handoff:yes" for r in second for b in r["buttons"]), _text(second)
    assert _text(first) != _text(second)
    replies = await p.say(button="handoff:yes")
    assert (await p.state()).status == "waiting", _text(replies)


async def test_a_form_cancelled_a_message_ago_can_be_brought_back(rt: Any) -> None:
    p = Person(rt, "ratel")
    await p.say("ابي اسجل في برنامج")
    await p.say("لولوه ناصر المطيري")
    await p.say("إلغاء")
    assert await _form(p) is None
    replies = await p.say("لا لحظة ارجع للطلب اللي كنت فيه")
    assert await _form(p) == "support_request", _text(replies)
    assert (await p.state()).state["flow"]["answers"].get("full_name"), "the answers given are back"
    assert not any(r["kind"] == "suggest" for r in replies)


async def test_a_cancelled_form_asked_for_later_is_offered_again_not_kept(rt: Any) -> None:
    p = Person(rt, "ratel", address="p2")
    await p.say("ابي اسجل في برنامج")
    await p.say("لولوه ناصر المطيري")
    await p.say("إلغاء")
    await p.say("شكرا")
    assert "state" not in (await p.state()).state.get("cancelled_flow", {}), "answers are dropped a turn later"
    replies = await p.say("ابي ارجع للطلب اللي كنت فيه")
    assert "أُلغي" in _text(replies) and any(b["value"] == "flow:support_request" for r in replies
                                              for b in r["buttons"]), _text(replies)


async def test_someone_asking_about_anothers_request_gets_a_hint_and_nothing_of_it(rt: Any) -> None:
    import re

    owner = Person(rt, "amass", address="owner")
    filed = _text(await owner.fill())
    ref = re.search(r"AMS-\d{2}-\d{5}", filed).group(0)  # type: ignore[union-attr]
    stranger = Person(rt, "amass", address="stranger")
    await stranger.say(f"ابي اعرف حالة الطلب {ref}")
    said = _text(await stranger.say("هو طلب امي نورة العتيبي"))
    assert "صاحبه" in said and "رقم جواله" in said, said
    assert "تم الاستلام" not in said and "نورة" not in said
    nobody = Person(rt, "amass", address="nobody")
    await nobody.say("ابي اعرف حالة الطلب AMS-26-99999")
    assert _text(await nobody.say("1234 5678")).split("\n")[0] == said.split("\n")[0], "the same whether it exists"


@pytest.mark.parametrize(("org", "title"), [("ratel", "طلب الالتحاق ببرنامج تعليمي"), ("ilm-alhajj", "طلب خدمة"),
                                            ("taheel", "طلب استشارة أو خدمة")])
async def test_what_services_do_you_have_lists_what_can_be_requested_here(rt: Any, org: str, title: str) -> None:
    out = await Person(rt, org).say("وش خدماتكم؟")
    said = _text(out)
    assert title in said and "الاستعلام عن طلب" in said and "التسجيل في خدمة التطوع" in said, said
    assert "نشر ثقافة" not in said  # the policy's goals were the answer before
    assert "flow:support_request" in [b["value"] for r in out for b in r["buttons"]]


@pytest.mark.parametrize("word", ["ايه", "نعم", "ok"])
async def test_a_bare_yes_with_nothing_asked_is_an_invitation_not_a_policy_answer(rt: Any, word: str) -> None:
    p = Person(rt, "ilm-alhajj")
    await p.say("السلام عليكم")
    said = _text(await p.say(word))
    assert "تفضل" in said and "لجنة البحث" not in said, said


async def test_ilm_alhajj_hajj_lessons_start_its_request(rt: Any) -> None:
    for text in ("ابي اسجل في دروس الحج", "اول مرة احج وما اعرف المناسك"):
        out = await Person(rt, "ilm-alhajj", address=text).say(text)
        assert any(r["expect"] and r["expect"]["field"] == "full_name" for r in out), _text(out)


async def test_thanks_while_waiting_is_welcomed_not_apologised_to(rt: Any) -> None:
    p = Person(rt, "ratel")
    await p.say("ابي اكلم موظف")
    said = _text(await p.say("shukran jazeelan"))
    assert "العفو" in said and "نعتذر" not in said, said


@pytest.mark.parametrize(("text", "back"), [("مساء الخير", "مساء النور"), ("صباح الخير عندي سؤال", "صباح النور")])
async def test_good_morning_and_evening_are_returned(rt: Any, text: str, back: str) -> None:
    said = _text(await Person(rt, "rida").say(text))
    assert said.startswith(back), said


@pytest.mark.parametrize("text", ["slm", "mrhba"])
async def test_an_arabizi_greeting_is_answered_in_arabic(rt: Any, text: str) -> None:
    said = _text(await Person(rt, "rida").say(text))
    assert "أهلاً وسهلاً" in said and "Welcome" not in said, said
