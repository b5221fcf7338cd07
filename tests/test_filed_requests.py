"""After a request is filed, as the round-4 beneficiary tester met it, through the real engine on a
real (SQLite) database: asking about "my request" shows it (never a loop of "type the request
number"), a message that is not a reference leaves the inquiry, and a wish to withdraw, add to or
correct the filed request reaches the officer with the person's words kept (never a new form,
never "nothing to cancel")."""

from __future__ import annotations

from typing import Any

import pytest

from bot.types import ConversationKey, InboundMessage, reply_to_json
from bot.understanding.filed import wish_about_filed
from tests.beneficiary import Person, field_of, kinds, text_of

ASK_REF = "فضلاً اكتب رقم الطلب"


async def _filed(p: Person) -> str:
    """File a support request as ``p``; its reference."""
    replies = await p.fill()
    cases = await _cases(p)
    assert len(cases) == 1, text_of(replies)
    return str(cases[0].reference)


async def _another(p: Person) -> str:
    """A second request on file for ``p`` (filed earlier, from another visit)."""
    ben = (await p.state()).beneficiary_id
    case = await p.rt.cases.create(
        org=p.key.org, code=p.rt.packs[p.key.org].pack.code, beneficiary_id=ben, conversation_id=None,
        channel="webchat", flow_id="support_request", answers={"national_id": "1000000008"}, declaration={},
        consent=None, decision_min_days=14, submit_key=f"another-{p.key.address}")
    return str(case.reference)


async def _cases(p: Person) -> list[Any]:
    ben = (await p.state()).beneficiary_id
    return list(await p.rt.cases.for_beneficiary(p.key.org, ben))


# --- 1. "my request" without a reference, and no loop ------------------------------------------------


async def test_asking_about_my_request_shows_it_and_later_questions_are_answered(rt) -> None:
    p = Person(rt, "amass")
    ref = await _filed(p)
    out = await p.say("كم باقي على طلبي؟")
    assert ref in text_of(out) and "تم الاستلام" in text_of(out), text_of(out)
    assert ASK_REF not in text_of(out) and field_of(out) is None
    said = [text_of(await p.say(line)) for line in ("وش رقم تلفونكم؟", "متى دوامكم", "شكرا")]
    assert not any(ASK_REF in s for s in said), said
    assert "العفو" in said[-1], said
    assert "status_inquiry" not in (await p.state()).state


async def test_several_requests_are_listed(rt) -> None:
    p = Person(rt, "amass")
    await _filed(p)
    await _another(p)
    refs = [c.reference for c in await _cases(p)]
    out = await p.say("وين وصل طلبي؟")
    assert len(refs) == 2 and all(r in text_of(out) for r in refs), text_of(out)
    assert field_of(out) is None


@pytest.mark.parametrize("then, expected", [("هلا", "كيف"), ("what are your working hours?", "hours"),
                                            ("شكرا", "العفو")])
async def test_waiting_for_a_reference_lasts_one_unrelated_message(rt, then: str, expected: str) -> None:
    p = Person(rt, "amass")  # no request here: the reference is asked for
    out = await p.say(button="flow:status_inquiry")
    assert field_of(out) == "reference"
    out = await p.say(then)
    assert ASK_REF not in text_of(out) and field_of(out) is None, text_of(out)
    assert expected.lower() in text_of(out).lower(), text_of(out)
    assert "status_inquiry" not in (await p.state()).state


async def test_the_my_requests_button_works_after_the_inquiry_was_left(rt) -> None:
    p = Person(rt, "amass")
    await p.say(button="flow:status_inquiry")
    await p.say("شكرا")
    out = await p.say(button="status:mine")
    assert "لا توجد لديك طلبات مفتوحة" in text_of(out), text_of(out)


async def test_a_mistyped_reference_is_asked_for_once_more_only(rt) -> None:
    p = Person(rt, "amass")
    await p.say(button="flow:status_inquiry")
    out = await p.say("00417")
    assert field_of(out) == "reference", text_of(out)
    out = await p.say("417")
    assert field_of(out) is None and ASK_REF not in text_of(out), text_of(out)


async def test_an_inquiry_left_over_from_an_earlier_session_does_not_trap_the_person(rt) -> None:
    """A conversation stored while the inquiry waited (as before this fix: no date on it)."""
    key = ConversationKey("amass", "webchat", "returning")
    stuck = {"status_inquiry": {"stage": "reference", "failures": 0}, "greeted": True}
    out = await rt.engine.handle(InboundMessage(key=key, text="هلا"), new_state=stuck)
    said = "\n".join(reply_to_json(r)["text"] for r in out.replies)
    assert ASK_REF not in said and "كيف" in said, said


async def test_after_an_unknown_reference_a_question_is_not_counted_as_a_guess(rt) -> None:
    p = Person(rt, "amass")
    out = await p.say("رقم طلبي AMS-25-00417")
    assert field_of(out) == "verify", text_of(out)
    out = await p.say("ابي رقم المدير")
    assert "لم نجد" not in text_of(out) and ASK_REF not in text_of(out) and field_of(out) is None, text_of(out)
    out = await p.say("متى دوامكم")
    assert "دوام" in text_of(out) and ASK_REF not in text_of(out), text_of(out)


async def test_someone_elses_reference_still_needs_verification(rt) -> None:
    owner = Person(rt, "amass", address="owner")
    ref = await _filed(owner)
    stranger = Person(rt, "amass", address="stranger")
    await stranger.fill()  # has a request of their own
    out = await stranger.say(f"وش صار على {ref}؟")
    assert field_of(out) == "verify" and "تم الاستلام" not in text_of(out), text_of(out)


# --- 2. withdraw, add to, correct a filed request ----------------------------------------------------


@pytest.mark.parametrize("org, line, wish", [
    ("ilm-alhajj", "ابي الغي الطلب", "cancel"),
    ("ilm-alhajj", "ابي اضيف معلومة للطلب: امي عمرها ٧٥ وتحتاج كرسي متحرك", "add"),
    ("taheel", "طيب ابي اعدل رقم جوالي في الطلب", "correct"),
    ("amass", "I'd like to withdraw my application please", "cancel"),
    ("rida", "abi algi 6alabi", "cancel"),
])
async def test_a_wish_about_the_filed_request_goes_to_the_officer(rt, org: str, line: str, wish: str) -> None:
    p = Person(rt, org)
    ref = await _filed(p)
    out = await p.say(line)
    said = text_of(out)
    assert ref in said and "handoff" in kinds(out), said
    assert field_of(out) is None and "لا يوجد إجراء" not in said and "nothing in progress" not in said
    st = await p.state()
    assert st.status == "waiting" and st.state["handoff"]["reason"] == "request_change"
    assert st.state["handoff"]["wish"] == wish and st.state["handoff"]["note"] == line
    case = (await _cases(p))[0]
    history = await rt.cases.history(case.id)
    assert any(line.split(":")[0].strip() in (h["comment"] or "") for h in history), history


async def test_with_several_requests_the_person_is_asked_which(rt) -> None:
    p = Person(rt, "amass")
    await _filed(p)
    await _another(p)
    out = await p.say("ابي الغي طلبي")
    assert "أكثر من طلب" in text_of(out) and "handoff" in kinds(out), text_of(out)
    assert all(c.reference in text_of(out) for c in await _cases(p))


async def test_no_filed_request_keeps_the_old_meanings(rt) -> None:
    p = Person(rt, "amass")
    out = await p.say("ابي الغي الطلب")
    assert "لا يوجد إجراء" in text_of(out) and "handoff" not in kinds(out), text_of(out)


async def test_cancel_inside_a_form_still_cancels_the_form(rt) -> None:
    p = Person(rt, "amass")
    await p.fill()
    await p.say(button="flow:support_request")
    out = await p.say("الغي الطلب")
    assert "تم إلغاء الطلب" in text_of(out) and "handoff" not in kinds(out), text_of(out)


async def test_did_my_update_go_through_is_answered(rt) -> None:
    p = Person(rt, "rida")
    out = await p.say(button="flow:data_update")
    for _ in range(12):
        field = field_of(out)
        if field is None:
            break
        answers = {"mobile": "0551234567", "city": "مكة", "full_name": "تخطي"}
        if field in answers:
            out = await p.say(answers[field])
        else:
            picks = [b["value"] for r in out for b in r["buttons"]]
            out = await p.say(button=next(b for b in picks if b in {"confirm", "accept"}))
    assert field_of(out) is None, text_of(out)
    out = await p.say("did my update go through?")
    assert "received and saved" in text_of(out) and field_of(out) is None, text_of(out)


@pytest.mark.parametrize("text, wish", [
    ("ابي الغي الطلب", "cancel"), ("أبغى أسحب طلبي", "cancel"), ("abi algi 6alabi", "cancel"),
    ("can I add a document to my application?", "add"), ("ابي اغير المدينة في طلبي", "correct"),
    ("abi a3adel 6alabi", "correct"), ("did you receive my application?", "check"), ("هل وصلكم طلبي؟", "check"),
    ("لا تلغون طلبي", None), ("ابي اقدم طلب دعم", None), ("ابي اعدل بياناتي", None), ("الغاء", None),
    ("ابي اضيف طلب جديد", None), ("اكمل الطلب", None), ("وش المستندات المطلوبة للطلب", None),
])
def test_the_wishes_are_read(text: str, wish: str | None) -> None:
    assert wish_about_filed(text) == wish
