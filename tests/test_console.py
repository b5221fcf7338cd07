"""The staff console over HTTP and its WebSocket, in process, on a migrated SQLite file.

Covers: login, CSRF, throttled and audited failed logins, association scoping (403 over HTTP and
the socket), unknown ids (404), staff form limits, stale case versions, sessions ended by a
password change / idle timeout, the hand-off life cycle (claim → reply → hand back → close →
survey → reopen as bot), queue position, opted-out identities, and CSV formula safety.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select, update

from bot.sealed import is_sealed
from bot.types import ConversationKey, InboundMessage
from console.report import csv_safe, to_csv
from storage.models import AuditLog, Case, Conversation, ConversationState, Message, StaffSession, Survey
from tests.harness import PASSWORD, Harness

V1, V2, V3 = "a" * 32, "b" * 32, "c" * 32


async def test_login_queue_claim_reply_handback_close_survey(h: Harness) -> None:
    await h.staff("officer@amass.sa")
    a, status, html = await h.login("officer@amass.sa")
    assert status == 200 and 'dir="rtl"' in html and "قائمة الانتظار" in html
    cid = await h.escalate(V1)
    status, html = await a.get("/console/queue")
    assert f'data-id="{cid}"' in html and "طلب التحدث مع موظف" in html
    status, _, url = await a.post(f"/console/c/{cid}/claim")
    assert status == 200 and url.endswith("msg=claimed")
    assert await h.scalar(select(Conversation.status).where(Conversation.id == cid)) == "human"
    # while a human holds it, the bot is silent and the message is stored for the officer
    out = await h.say(V1, "متى يصلني الرد؟")
    assert out.replies == []
    status, _, url = await a.post(f"/console/c/{cid}/reply", {"text": "أهلاً، معك الموظف"})
    assert url.endswith("msg=sent")
    row = (await h.rows(select(Message.author, Message.kind).where(Message.conversation_id == cid)
                        .order_by(Message.seq.desc()).limit(1)))[0]
    assert row.author.startswith("officer:") and row.kind == "human"
    status, html = await a.get(f"/console/c/{cid}/transcript")
    assert "متى يصلني الرد؟" in html and "أهلاً، معك الموظف" in html
    await a.post(f"/console/c/{cid}/handback")
    assert await h.scalar(select(Conversation.status).where(Conversation.id == cid)) == "bot"
    await a.post(f"/console/c/{cid}/close")
    assert await h.scalar(select(Conversation.status).where(Conversation.id == cid)) == "closed"
    survey = (await h.rows(select(Survey)))[0]
    last = await h.rows(select(Message.payload).where(Message.conversation_id == cid).order_by(Message.seq))
    assert [b["value"] for b in last[-1].payload["buttons"]] == [f"survey:{survey.id}:{n}" for n in range(1, 6)]
    # a second close of the same closure never sends a second survey
    status, _, _ = await a.post(f"/console/c/{cid}/close")
    assert status == 409 and len(await h.rows(select(Survey))) == 1
    out = await h.say(V1, "", button=f"survey:{survey.id}:4")
    assert await h.scalar(select(Survey.rating)) == 4
    assert await h.scalar(select(Conversation.status).where(Conversation.id == cid)) == "bot"  # reopened
    out = await h.say(V1, "خدمة ممتازة =HYPERLINK(\"x\")")
    assert await h.scalar(select(Survey.comment)) == 'خدمة ممتازة =HYPERLINK("x")'
    status, html = await a.get("/console/report")
    assert status == 200 and "4.0" in html
    audit = {r.action for r in await h.rows(select(AuditLog.action))}
    assert {"login", "conversation.claim", "conversation.reply", "conversation.handback",
            "conversation.close"} <= audit


async def test_low_rating_offers_handoff_and_handback_resumes_flow(h: Harness) -> None:
    await h.staff("o@amass.sa")
    a, _, _ = await h.login("o@amass.sa")
    await h.say(V2, "السلام عليكم")
    out = await h.say(V2, "", button="flow:support_request")
    assert out.replies
    flow_before = (await h.rows(select(Conversation.id)))[0].id
    out = await h.say(V2, "", button="handoff")
    cid = out.conversation_id
    assert cid == flow_before
    await a.post(f"/console/c/{cid}/claim")
    await a.post(f"/console/c/{cid}/handback")
    state = h.runtime.engine.store
    conv = await state.load(ConversationKey("amass", "webchat", V2))
    assert conv.status == "bot" and conv.state.get("flow") is not None  # the form stands where it stood
    await a.post(f"/console/c/{cid}/close")
    assert await h.scalar(select(Survey.id))
    out = await h.say(V2, "1")
    assert await h.scalar(select(Survey.rating)) == 1
    assert any(b.value == "handoff" for r in out.replies for b in getattr(r, "buttons", ()))


async def test_queue_position_is_told(h: Harness) -> None:
    from console.service import refresh_counts

    await refresh_counts(h.runtime)
    await h.escalate(V1)
    key = ConversationKey("amass", "webchat", V2)
    await h.runtime.engine.handle(InboundMessage(key=key, text="السلام عليكم"))
    out = await h.runtime.engine.handle(InboundMessage(key=key, text="", button_value="handoff"))
    texts = " ".join(getattr(r, "text", "") for r in out.replies)
    assert "ترتيبك في قائمة الانتظار: 2" in texts


async def test_no_survey_to_opted_out_identity(h: Harness) -> None:
    await h.staff("o@amass.sa")
    a, _, _ = await h.login("o@amass.sa")
    cid = await h.escalate(V3)
    await a.post(f"/console/c/{cid}/claim")
    await h.say(V3, "إيقاف")  # opt-out keyword wins even while an officer holds the chat
    await a.post(f"/console/c/{cid}/close")
    assert await h.rows(select(Survey)) == []


async def test_csrf_required_on_every_post(h: Harness) -> None:
    await h.staff("o@amass.sa")
    a, _, _ = await h.login("o@amass.sa")
    cid = await h.escalate(V1)
    status, _, _ = await a.post(f"/console/c/{cid}/claim", csrf=False)
    assert status == 403
    status, _, _ = await a.post(f"/console/c/{cid}/reply", {"text": "x", "csrf": "forged"}, csrf=False)
    assert status == 403
    assert await h.scalar(select(Conversation.status).where(Conversation.id == cid)) == "waiting"
    # the login form has its own (double-submit) token
    b = h.agent()
    async with b.session.post(h.base + "/console/login", data={"email": "o@amass.sa", "password": PASSWORD}) as r:
        assert r.status == 403


async def test_failed_logins_are_throttled_and_audited(h: Harness) -> None:
    await h.staff("o@amass.sa")
    for _ in range(5):
        _, status, html = await h.login("o@amass.sa", "wrong password!")
        assert status == 401
    _, status, html = await h.login("o@amass.sa")  # even the right password waits now
    assert status == 429 and 'id="retry-after"' in html
    actions = [r.action for r in await h.rows(select(AuditLog.action).where(AuditLog.action.like("login%")))]
    assert actions.count("login.failed") == 5 and "login.throttled" in actions


async def test_other_association_is_forbidden_http_and_ws(h: Harness) -> None:
    await h.staff("o@taheel.sa", orgs=("taheel",))
    a, _, _ = await h.login("o@taheel.sa")
    cid = await h.escalate(V1, org="amass")
    status, _ = await a.get(f"/console/c/{cid}")
    assert status == 403
    status, _, _ = await a.post(f"/console/c/{cid}/claim")
    assert status == 403
    status, html = await a.get("/console/queue")
    assert cid not in html
    status, _ = await a.get("/console/c/0123456789abcdef0123456789")
    assert status == 404
    status, _ = await a.get("/console/cases/0123456789abcdef0123456789")
    assert status == 404


async def test_ws_refuses_other_association(h: Harness) -> None:
    await h.staff("o@taheel.sa", orgs=("taheel",))
    a, _, _ = await h.login("o@taheel.sa")
    cid = await h.escalate(V1, org="amass")
    with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
        await a.session.ws_connect(h.base + f"/console/ws?conversation={cid}")
    assert exc.value.status == 403
    async with a.session.ws_connect(h.base + "/console/ws") as ws:
        assert (await ws.receive_json(timeout=5))["type"] == "hello"
        await ws.send_json({"type": "watch", "conversation_id": cid})
        frame = await ws.receive_json(timeout=5)
        assert frame["type"] == "error" and frame["status"] == 403
        await ws.send_json({"type": "watch", "conversation_id": "f" * 26})
        assert (await ws.receive_json(timeout=5))["status"] == 404
    anon = h.agent()
    with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
        await anon.session.ws_connect(h.base + "/console/ws")
    assert exc.value.status == 401


async def test_ws_delivers_handoff_and_turn_events(h: Harness) -> None:
    await h.staff("o@amass.sa")
    a, _, _ = await h.login("o@amass.sa")
    async with a.session.ws_connect(h.base + "/console/ws") as ws:
        assert (await ws.receive_json(timeout=5))["type"] == "hello"
        cid = await h.escalate(V1)
        frame = await ws.receive_json(timeout=5)
        assert frame == {"type": "org_event", "org": "amass", "event": "handoff", "conversation_id": cid}
        await ws.send_json({"type": "watch", "conversation_id": cid})
        assert (await ws.receive_json(timeout=5))["type"] == "watching"
        await h.say(V1, "هل من أحد؟")
        seen = [await ws.receive_json(timeout=5) for _ in range(2)]
        assert {f["type"] for f in seen} == {"org_event", "turn"}


async def test_cases_stale_version_and_status_message(h: Harness) -> None:
    await h.staff("o1@amass.sa")
    await h.staff("o2@amass.sa")
    taheel_officer = await h.staff("t@taheel.sa", orgs=("taheel",))
    cid = await h.escalate(V1)
    assert h.runtime.cases is not None
    case = await h.runtime.cases.create(
        org="amass", code="AMS", beneficiary_id=(await h.rows(select(Conversation.beneficiary_id)))[0][0],
        conversation_id=cid, channel="webchat", flow_id="support_request",
        answers={"full_name": "<b>x</b>", "national_id": "1000000008", "cancer_type": "breast"},
        declaration={"at": "now"}, consent=None, decision_min_days=14, submit_key="k1",
        now=datetime.now(UTC) - timedelta(days=20), sensitive=["national_id", "cancer_type"])
    a1, _, _ = await h.login("o1@amass.sa")
    a2, _, _ = await h.login("o2@amass.sa")
    t, _, _ = await h.login("t@taheel.sa")
    status, html = await a1.get("/console/cases?age=overdue")
    assert case.reference in html
    status, html = await a1.get(f"/console/cases?q={case.reference[-5:]}")
    assert case.reference in html
    status, html = await a1.get(f"/console/cases/{case.id}")
    assert "******0008" in html and "1000000008" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "سرطان الثدي" in html, "the sealed diagnosis is opened for the officer, in words"
    assert "breast" not in json.dumps(await h.scalar(select(Case.data))), "and it is not in clear at rest"
    assert (await t.get(f"/console/cases/{case.id}"))[0] == 403
    assert (await t.post(f"/console/cases/{case.id}/status", {"to": "under_review", "version": "1"}))[0] == 403
    status, _, url = await a1.post(f"/console/cases/{case.id}/status",
                                   {"to": "under_review", "version": "1", "comment": "بدأت الدراسة"})
    assert url.endswith("msg=status")
    status, html, _ = await a2.post(f"/console/cases/{case.id}/status", {"to": "rejected", "version": "2"})
    assert status == 400  # a rejection without its reason is refused before anything changes
    status, html, _ = await a2.post(f"/console/cases/{case.id}/status",
                                    {"to": "rejected", "version": "1", "comment": "لا تنطبق الشروط"})
    assert status == 409 and "غيّر موظف آخر" in html
    assert await h.scalar(select(Case.status)) == "under_review"
    texts = [r.text for r in await h.rows(select(Message.text).where(Message.conversation_id == cid))]
    assert any(case.reference in x and "قيد الدراسة" in x for x in texts)
    await a1.post(f"/console/cases/{case.id}/status",
                  {"to": "needs_info", "version": "2", "comment": "صورة التقرير الطبي الأخير"})
    texts = [r.text for r in await h.rows(select(Message.text).where(Message.conversation_id == cid))]
    assert any("صورة التقرير الطبي الأخير" in x for x in texts)  # the beneficiary is told what is needed
    await a1.post(f"/console/cases/{case.id}/status", {"to": "under_review", "version": "3"})
    await a1.post(f"/console/cases/{case.id}/status", {"to": "approved", "version": "4"})
    assert (await h.rows(select(Survey.trigger)))[0][0] == "case"
    status, html, _ = await a1.post(f"/console/cases/{case.id}/reveal")
    assert "1000000008" in html
    reveal = await h.rows(select(AuditLog.actor, AuditLog.target).where(AuditLog.action == "reveal.national_id"))
    assert reveal[0].target == f"case:{case.reference}" and reveal[0].actor.startswith("staff:")
    viewed = await h.rows(select(AuditLog.actor, AuditLog.org, AuditLog.target).where(AuditLog.action == "view.case"))
    assert {(r.org, r.target) for r in viewed} == {("amass", f"case:{case.reference}")}
    assert f"staff:{taheel_officer}" not in {r.actor for r in viewed}, "a refused look (403) is not an access"


async def test_staff_form_limits_and_roles(h: Harness) -> None:
    await h.staff("admin@amass.sa", role="admin", orgs=("amass",))
    await h.staff("o@amass.sa")
    a, _, _ = await h.login("admin@amass.sa")
    base = {"email": "new@amass.sa", "name": "New", "role": "officer", "orgs": "amass", "password": PASSWORD}
    for field, value in (("email", "x" * 250 + "@a.sa"), ("name", "ن" * 121), ("password", "short"),
                         ("password", "p" * 257), ("role", "root"), ("orgs", "taheel")):
        status, html, _ = await a.post("/console/staff", {**base, field: value})
        assert status == 400, field
    status, _, url = await a.post("/console/staff", base)
    assert url.endswith("msg=saved")
    o, _, _ = await h.login("o@amass.sa")
    assert (await o.get("/console/staff"))[0] == 403
    assert (await o.get("/console/audit"))[0] == 403


async def test_password_change_and_idle_timeout_end_sessions(h: Harness) -> None:
    await h.staff("o@amass.sa")
    a, _, _ = await h.login("o@amass.sa")
    b, _, _ = await h.login("o@amass.sa")
    status, _, url = await a.post("/console/account", {"current": PASSWORD, "new": "another long password"})
    assert "/console/login" in url
    status, html = await b.get("/console/queue")
    assert "/console/login" in html or "login-form" in html
    c, status, _ = await h.login("o@amass.sa", "another long password")
    assert status == 200
    assert h.runtime.db is not None
    async with h.runtime.db.writer.begin() as conn:
        await conn.execute(update(StaffSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
    status, html = await c.get("/console/queue")
    assert 'id="login-form"' in html


def test_csv_is_formula_safe() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(bad) == "'" + bad
    assert csv_safe("ok") == "ok"
    rows = [{"sent_at": datetime.now(UTC), "week": "2026-W01", "org": "amass", "channel": "webchat",
             "officer": "=cmd|' /C calc'!A0", "trigger": "handoff", "rating": 1, "comment": "@evil"}]
    text = to_csv(rows)
    assert ",'=cmd" in text and ",'@evil" in text


async def test_officer_takes_over_a_conversation_nobody_escalated(h: Harness) -> None:
    """An officer may step in proactively: bot conversations are listed and can be taken."""
    await h.staff("o@amass.sa")
    await h.say(V1, "كم مدة دراسة الطلب؟")
    cid = await h.scalar(select(Conversation.id).where(Conversation.address == V1))
    agent, _, _ = await h.login("o@amass.sa")
    status, html = await agent.get("/console/queue")
    assert status == 200 and f'class="active-row" data-id="{cid}"' in html
    status, _, _ = await agent.post(f"/console/c/{cid}/claim")
    assert await h.scalar(select(Conversation.status).where(Conversation.id == cid)) == "human"
    # and the bot is quiet from now on
    out = await h.say(V1, "كم مدة دراسة الطلب؟")
    assert out.replies == []


async def test_conversation_page_shows_a_form_in_progress_under_its_labels_and_in_words(h: Harness) -> None:
    await h.staff("o@amass.sa")
    a, _, _ = await h.login("o@amass.sa")
    await h.say(V3, "السلام عليكم")
    await h.say(V3, "", button="flow:support_request")
    for text in ("محمد عبدالله السالم", "1000000008", "0551234567", "جدة"):
        await h.say(V3, text)
    cid = (await h.say(V3, "", button="handoff")).conversation_id
    conv = await h.runtime.engine.store.load(ConversationKey("amass", "webchat", V3))
    stored = conv.state["flow"]["answers"]
    assert stored["full_name"] == "محمد عبدالله السالم" and stored["city"] != "جدة", "the city is kept as a code"
    assert is_sealed(stored["national_id"]) and stored["national_id"]["hint"] == "******0008"
    raw = await h.scalar(select(ConversationState.data).where(ConversationState.conversation_id == conv.id))
    assert "1000000008" not in json.dumps(raw), "the form in progress holds the ID encrypted at rest"
    history = await h.runtime.engine.store.history(conv.id, limit=100)
    assert all("1000000008" not in m.text for m in history), "the transcript never holds the ID"
    assert [m.text for m in history if (m.payload or {}).get("redacted")] == ["******0008"]
    await a.post(f"/console/c/{cid}/claim")
    status, html = await a.get(f"/console/c/{cid}")
    assert status == 200
    assert '<dt title="full_name">الاسم</dt>' in html and '<dt title="city">المدينة</dt>' in html
    assert ">جدة</dd>" in html and f">{stored['city']}</dd>" not in html, "the city in words, not its code"
    assert "1000000008" not in html and "******0008" in html, "the national ID stays masked"
    viewed = await h.rows(select(AuditLog.actor, AuditLog.target).where(AuditLog.action == "view.conversation"))
    assert {r.target for r in viewed} == {f"conversation:{cid}"} and viewed[0].actor.startswith("staff:")
    for _ in range(3):  # the open page's transcript poll is the same view, not three more
        assert (await a.get(f"/console/c/{cid}/transcript"))[0] == 200
    assert len(await h.rows(select(AuditLog.id).where(AuditLog.action == "view.conversation"))) == len(viewed)
    colleague = await h.staff("o2@amass.sa")
    b, _, _ = await h.login("o2@amass.sa")
    for _ in range(2):  # reading the transcript without opening the page is still logged, once
        assert (await b.get(f"/console/c/{cid}/transcript"))[0] == 200
    assert len(await h.rows(select(AuditLog.id).where(AuditLog.action == "view.conversation",
                                                      AuditLog.actor == f"staff:{colleague}"))) == 1
    status, html, _ = await a.post(f"/console/c/{cid}/reveal")
    assert status == 200 and "1000000008" in html, "an officer can still reveal it (audited)"
    assert await h.rows(select(AuditLog.target).where(AuditLog.action == "reveal.national_id"))
    # handed back, the form goes on; the diagnosis (a field the pack marks sensitive) is sealed too
    await a.post(f"/console/c/{cid}/handback")
    await h.say(V3, "لي")
    await h.say(V3, "سرطان الثدي")
    conv = await h.runtime.engine.store.load(ConversationKey("amass", "webchat", V3))
    stored = conv.state["flow"]["answers"]
    assert stored["patient_relation"] == "self" and is_sealed(stored["cancer_type"]), stored
    raw = json.dumps(await h.scalar(select(ConversationState.data).where(ConversationState.conversation_id == conv.id)))
    assert "1000000008" not in raw and "breast" not in raw
    status, html = await a.get(f"/console/c/{cid}")
    assert "سرطان الثدي" in html and "******0008" in html, "the officer reads the form opened, the ID masked"


async def test_a_verified_status_inquiry_is_audited(h: Harness) -> None:
    """Someone other than the filer who proves the ID's last digits sees the status: that look at
    another person's request is written to the audit log (the stage once asked for a port nobody
    provided, and nothing was written)."""
    assert h.runtime.cases is not None
    owner = await h.say(V1, "السلام عليكم")
    beneficiary = await h.scalar(select(Conversation.beneficiary_id).where(Conversation.id == owner.conversation_id))
    case = await h.runtime.cases.create(
        org="amass", code="AMS", beneficiary_id=beneficiary, conversation_id=owner.conversation_id, channel="webchat",
        flow_id="support_request", answers={"national_id": "1000000008", "full_name": "سارة"}, declaration={},
        consent=None, decision_min_days=14, submit_key="audit-test")
    await h.say(V2, "مرحبا")
    await h.say(V2, button="flow:status_inquiry")
    asked = await h.say(V2, case.reference)
    assert asked.replies[-1].expect.field == "verify"
    shown = await h.say(V2, "0008")
    assert any(case.reference in getattr(r, "text", "") for r in shown.replies)
    rows = await h.rows(select(AuditLog.action, AuditLog.org, AuditLog.target, AuditLog.actor)
                        .where(AuditLog.action == "case.status_verified"))
    assert [(r.org, r.target, r.actor) for r in rows] == [("amass", case.reference, "beneficiary")]


async def test_a_survey_answer_is_kept_only_with_its_turn(h: Harness) -> None:
    """The rating is written in the turn's own transaction: when the turn cannot be stored (here a
    real database refusal, a trigger), the rating is not stored either, and a retry records it once."""
    await h.staff("o2@amass.sa")
    a, _, _ = await h.login("o2@amass.sa")
    cid = await h.escalate(V1)
    await a.post(f"/console/c/{cid}/claim")
    await a.post(f"/console/c/{cid}/close")
    survey = (await h.rows(select(Survey)))[0]
    assert h.runtime.db is not None
    async with h.runtime.db.writer.begin() as conn:
        await conn.exec_driver_sql(
            "CREATE TRIGGER refuse_turns BEFORE UPDATE ON conversation_states "
            "BEGIN SELECT RAISE(ABORT, 'injected: the turn cannot be stored'); END")
    with pytest.raises(Exception):  # noqa: B017 - whichever store error the refusal maps to
        await h.say(V1, button=f"survey:{survey.id}:2")
    assert await h.scalar(select(Survey.rating)) is None
    async with h.runtime.db.writer.begin() as conn:
        await conn.exec_driver_sql("DROP TRIGGER refuse_turns")
    await h.say(V1, button=f"survey:{survey.id}:5")
    await h.say(V1, button=f"survey:{survey.id}:1")  # an old button pressed again changes nothing
    assert await h.scalar(select(Survey.rating)) == 5
