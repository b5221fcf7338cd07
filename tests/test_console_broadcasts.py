"""The console's broadcast pages, in process with the console Harness: list, detail, progress
fragment, pause / resume / cancel over POST (with CSRF), association scoping and the CSV report."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from storage import broadcasts as bs
from storage.models import AuditLog
from tests.broadcast_seed import seed
from tests.harness import Harness


async def _broadcast(h: Harness, org: str = "amass", *, n: int = 3, name: str = "تذكير الموعد",
                     start: bool = True, person: str | None = None) -> str:
    db = h.runtime.db
    assert db is not None
    await seed(db, org=org, channel="sms", n=n, city="جدة", name=person, start=1000 if org != "amass" else 0)
    bid = await bs.create(db, org=org, name=name, audience=bs.Audience(channels=("sms",)),
                          texts={"ar": "موعدكم غداً", "en": "See you tomorrow"}, template=None)
    if start:
        bc = await bs.get(db, bid)
        assert bc is not None
        await bs.start_sending(db, bc)
    return bid


async def test_coordinator_sees_list_and_detail_with_counts(h: Harness) -> None:
    await h.staff("coord@amass.sa", role="coordinator")
    bid = await _broadcast(h, n=4)
    other = await _broadcast(h, org="ratel", name="غير مرئي")
    a, _, _ = await h.login("coord@amass.sa")
    status, html = await a.get("/console/broadcasts")
    assert status == 200
    assert f'data-id="{bid}"' in html and "تذكير الموعد" in html and "قيد الإرسال" in html
    assert other not in html and "غير مرئي" not in html
    assert "<progress" in html and 'max="4"' in html
    status, html = await a.get(f"/console/broadcasts/{bid}")
    assert status == 200
    assert 'id="bc-queued">4<' in html and 'id="bc-sent">0<' in html and 'data-live="1"' in html
    assert 'id="bc-pause"' in html and 'id="bc-cancel"' in html and 'id="bc-resume"' not in html
    status, frag = await a.get(f"/console/broadcasts/{bid}/progress")
    assert status == 200 and 'data-sending="1"' in frag and "<html" not in frag
    # English labels on the toggle
    await a.get("/console/lang?to=en&next=/console/broadcasts")
    status, html = await a.get("/console/broadcasts")
    assert "Sending" in html and "Broadcasts" in html


async def test_pause_resume_cancel_over_post_and_csrf(h: Harness) -> None:
    await h.staff("coord@amass.sa", role="coordinator")
    bid = await _broadcast(h, n=3)
    db = h.runtime.db
    assert db is not None
    a, _, _ = await h.login("coord@amass.sa")

    status, _, _ = await a.post(f"/console/broadcasts/{bid}/pause", csrf=False)
    assert status == 403
    assert (await bs.get(db, bid)).status == "sending"  # type: ignore[union-attr]

    status, html, url = await a.post(f"/console/broadcasts/{bid}/pause")
    assert status == 200 and url.endswith("msg=bc_paused")
    assert (await bs.get(db, bid)).status == "paused"  # type: ignore[union-attr]
    assert 'id="bc-resume"' in html and 'data-live="0"' in html

    status, _, url = await a.post(f"/console/broadcasts/{bid}/pause")  # not sending: refused, unchanged
    assert url.endswith("msg=bc_refused")
    assert (await bs.get(db, bid)).status == "paused"  # type: ignore[union-attr]

    status, _, url = await a.post(f"/console/broadcasts/{bid}/resume")
    assert url.endswith("msg=bc_sending")
    assert (await bs.get(db, bid)).status == "sending"  # type: ignore[union-attr]

    status, html, url = await a.post(f"/console/broadcasts/{bid}/cancel")
    assert url.endswith("msg=bc_cancelled")
    assert (await bs.get(db, bid)).status == "cancelled"  # type: ignore[union-attr]
    assert (await bs.counts(db, bid)) == {"cancelled": 3}
    assert 'id="bc-actions"' not in html

    actions = {r.action for r in await h.rows(select(AuditLog.action).where(AuditLog.target == bid))}
    assert {"broadcast.pause", "broadcast.resume", "broadcast.cancel", "broadcast.pause.refused"} <= actions


async def test_officer_and_other_association_are_refused(h: Harness) -> None:
    await h.staff("officer@amass.sa")
    await h.staff("coord@amass.sa", role="coordinator")
    mine = await _broadcast(h, n=2)
    theirs = await _broadcast(h, org="ratel", n=2)
    officer, _, _ = await h.login("officer@amass.sa")
    assert (await officer.get("/console/broadcasts"))[0] == 403
    assert (await officer.get(f"/console/broadcasts/{mine}"))[0] == 403
    assert (await officer.post(f"/console/broadcasts/{mine}/cancel"))[0] == 403
    _, html = await officer.get("/console/queue")
    assert 'href="/console/broadcasts"' not in html

    coord, _, _ = await h.login("coord@amass.sa")
    assert (await coord.get(f"/console/broadcasts/{theirs}"))[0] == 403
    assert (await coord.get(f"/console/broadcasts/{theirs}/progress"))[0] == 403
    assert (await coord.get(f"/console/broadcasts/{theirs}.csv"))[0] == 403
    assert (await coord.post(f"/console/broadcasts/{theirs}/cancel"))[0] == 403
    db = h.runtime.db
    assert db is not None
    assert (await bs.get(db, theirs)).status == "sending"  # type: ignore[union-attr]
    assert (await coord.get("/console/broadcasts/" + "f" * 26))[0] == 404


async def test_csv_report_is_formula_safe_and_audited(h: Harness) -> None:
    await h.staff("coord@amass.sa", role="coordinator")
    bid = await _broadcast(h, n=2, person='=HYPERLINK("http://x")')
    a, _, _ = await h.login("coord@amass.sa")
    async with a.session.get(f"{a.base}/console/broadcasts/{bid}.csv") as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in r.headers["Content-Disposition"]
        text = (await r.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["recipient", "channel", "address", "name"]
    assert len(rows) == 3
    for row in rows[1:]:
        assert row[3] == "'=HYPERLINK(\"http://x\")"
        assert "****" in row[2]  # masked addresses
    audited = await h.rows(select(AuditLog.action, AuditLog.detail).where(AuditLog.target == bid))
    assert ("broadcast.export", {"rows": 2}) in [(x.action, x.detail) for x in audited]


async def test_create_preview_send_and_refusals(h: Harness) -> None:
    await h.staff("coord@amass.sa", role="coordinator")
    db = h.runtime.db
    assert db is not None
    await seed(db, channel="sms", n=3, city="تبوك", case_status="approved")
    await seed(db, channel="whatsapp", n=2, city="الخرج", start=200, inbound_hours_ago=48)
    a, _, _ = await h.login("coord@amass.sa")
    status, html = await a.get("/console/broadcasts/new")
    assert status == 200 and 'name="text_ar"' in html and 'value="amass"' in html

    base = {"org": "amass", "name": "موعد التوزيع", "text_ar": "التوزيع غداً", "channels": "sms",
            "case_status": "approved", "city": "تبوك"}
    # refusals: nothing created
    status, html, _ = await a.post("/console/broadcasts/new", {**base, "city": "لا أحد"})
    assert status == 400 and 'id="bc-refusal"' in html and "لا يوجد مستلمون" in html
    status, html, _ = await a.post("/console/broadcasts/new", {**base, "channels": "telegram", "text_ar": "x" * 4100})
    assert status == 400 and "أطول مما تسمح به" in html
    status, _, _ = await a.post("/console/broadcasts/new", {**base, "org": "ratel"})
    assert status == 403
    assert await bs.list_for(db, ("amass", "ratel")) == []

    status, html, url = await a.post("/console/broadcasts/new", base)
    assert status == 200 and "msg=bc_draft" in url
    bid = url.split("/console/broadcasts/")[1].split("?")[0]
    assert 'id="bc-total">3<' in html and "+9665****" in html and 'id="bc-send"' in html
    assert 'data-channel="sms"' in html and "bc-sms" in html
    status, html, url = await a.post(f"/console/broadcasts/{bid}/send")
    assert url.endswith("msg=bc_queued") and (await bs.get(db, bid)).status == "sending"  # type: ignore[union-attr]
    assert "بدأ إرسال البث" in html and "استُؤنف" not in html, "a first send is not a resume"
    assert (await bs.counts(db, bid)) == {"queued": 3}
    # a second send is refused and queues nothing more
    status, html, _ = await a.post(f"/console/broadcasts/{bid}/send")
    assert status == 400 and "أُرسل هذا البث من قبل" in html
    assert (await bs.counts(db, bid)) == {"queued": 3}

    # WhatsApp outside the 24-hour window without a template: refused at send, nothing queued
    status, html, url = await a.post("/console/broadcasts/new", {"org": "amass", "name": "واتساب",
                                                                  "text_ar": "تنبيه", "city": "الخرج"})
    wid = url.split("/console/broadcasts/")[1].split("?")[0]
    status, html, _ = await a.post(f"/console/broadcasts/{wid}/send")
    assert status == 400 and "خلال آخر 24 ساعة" in html and "--template" not in html
    assert (await bs.get(db, wid)).status == "draft"  # type: ignore[union-attr]
    assert await bs.counts(db, wid) == {}


async def test_a_test_send_reaches_one_address_and_is_audited(h: Harness) -> None:
    """Before sending to everyone, a coordinator sends the text to their own phone from the page:
    it leaves through the SMS adapter to that number only, is audited with the number masked, and a
    channel the association has not set up is refused in words, nothing sent."""
    await h.staff("coord@amass.sa", role="coordinator")
    bid = await _broadcast(h, start=False)
    a, _, _ = await h.login("coord@amass.sa")
    status, html = await a.get(f"/console/broadcasts/{bid}")
    assert 'id="bc-test-send"' in html
    status, _, url = await a.post(f"/console/broadcasts/{bid}/test", {"channel": "sms", "to": "+966500000999",
                                                                     "lang": "ar"})
    assert url.endswith("msg=bc_test_sent")
    assert h.twilio.bodies("+966500000999") == ["موعدكم غداً"]
    row = (await h.rows(select(AuditLog.detail).where(AuditLog.action == "broadcast.test")))[0]
    assert row.detail["channel"] == "sms" and "500000999" not in str(row.detail)
    bc = await bs.get(h.runtime.db, bid)  # type: ignore[arg-type]
    assert bc is not None and bc.status == "draft", "a test send sends nothing else"
    await h.staff("coord@ratel.sa", role="coordinator", orgs=("ratel",))
    other = await _broadcast(h, org="ratel", start=False, name="رتل")
    b, _, _ = await h.login("coord@ratel.sa")
    status, html, _ = await b.post(f"/console/broadcasts/{other}/test", {"channel": "sms", "to": "+966500000998"})
    assert status == 400 and "غير مفعّلة لهذه الجمعية" in html
    assert h.twilio.bodies("+966500000998") == []
