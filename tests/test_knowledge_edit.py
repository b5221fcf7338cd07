"""Admins edit their association in the console: validated, versioned, audited, applied at once.

In process, on a migrated SQLite file: each form of /console/knowledge and /console/settings
changes what the assistant answers on the next turn; an invalid edit is refused with its field
and nothing is stored; a stale form is refused; roll-back restores; export/import round-trips;
another runtime on the same database starts with the edits and follows them over the bus.
"""

from __future__ import annotations

import re

import aiohttp
import yaml
from sqlalchemy import func, select

from bot.packs import load_all
from storage.models import AuditLog
from storage.pack_overrides import PackOverride
from tests.console_forms import settings_form
from tests.harness import Harness, eventually
from wiring.runtime import open_runtime

QUESTION = "كم ياخذ وقت دراسة طلبي؟"
NEW_AR = "تدرس اللجنة طلبك خلال عشرة أيام عمل بإذن الله."
NEW_EN = "The committee studies your request within ten working days."
VERSION_RE = re.compile(r'id="pack-version">(\d+)<')


async def admin(h: Harness, orgs: tuple[str, ...] = ("amass",)):  # type: ignore[no-untyped-def]
    await h.staff("admin@amass.sa", role="admin", orgs=orgs)
    agent, status, _ = await h.login("admin@amass.sa")
    assert status == 200
    return agent


async def answer(h: Harness, visitor: str, text: str = QUESTION) -> str:
    out = await h.say(visitor, text)
    return " ".join(getattr(r, "text", "") for r in out.replies)


async def stored(h: Harness) -> int:
    return int(await h.scalar(select(func.count()).select_from(PackOverride)))


def edit_answer(version: int, ar: str = NEW_AR, en: str = NEW_EN) -> dict[str, str]:
    return {"org": "amass", "version": str(version), "action": "answer", "topic": "decision_period",
            "answer_ar": ar, "answer_en": en}


async def test_an_answer_edited_in_the_console_is_the_next_answer_then_rolled_back(h: Harness) -> None:
    a = await admin(h)
    old = await answer(h, "a" * 32)
    assert "أسبوعين" in old
    status, html, url = await a.post("/console/knowledge", edit_answer(0))
    assert status == 200 and "msg=pack_saved" in url and NEW_AR in html
    assert VERSION_RE.search(html).group(1) == "1"  # type: ignore[union-attr]
    assert NEW_AR in await answer(h, "b" * 32)
    # who, when, what: the history page and the audit trail
    status, html = await a.get("/console/knowledge/history?org=amass")
    assert 'data-version="1"' in html and "admin" in html and "+      ar: " in html
    assert await h.scalar(select(AuditLog.action).where(AuditLog.action == "pack.answer")) == "pack.answer"
    # roll back to the pack on disk: a new version, the old answer again
    status, html, url = await a.post("/console/knowledge/rollback", {"org": "amass", "version": "1", "to": "0"})
    assert "msg=pack_saved" in url and 'data-version="2"' in html
    assert "أسبوعين" in await answer(h, "c" * 32)
    # and forward again to version 1
    await a.post("/console/knowledge/rollback", {"org": "amass", "version": "2", "to": "1"})
    assert NEW_AR in await answer(h, "d" * 32)
    assert await stored(h) == 3


async def test_an_invalid_or_stale_edit_is_refused_and_nothing_changes(h: Harness) -> None:
    a = await admin(h)
    status, html, _ = await a.post("/console/knowledge", edit_answer(0, ar=""))
    assert status == 400 and 'data-input="answer_ar"' in html
    pack = h.runtime.packs["amass"]
    questions = next(t for t in pack.faq.topics if t.id == "decision_period").questions
    # phrasings cannot go below what the matcher needs
    status, html, _ = await a.post("/console/knowledge", {"org": "amass", "version": "0", "action": "answer",
                                                          "topic": "no_such_topic", "answer_ar": "x", "answer_en": "y"})
    assert status == 400 and 'id="refusal"' in html
    status, html, _ = await a.post("/console/settings", {"org": "amass", "version": "0", "action": "settings",
                                                         "name_ar": "أ", "name_en": "A", "short_name_ar": "أ",
                                                         "short_name_en": "A", "officer_ar": "أ", "officer_en": "A",
                                                         "start": "8am", "end": "16:00"})
    assert status == 400 and 'data-input="start"' in html
    status, html, _ = await a.post("/console/settings", {"org": "amass", "version": "0", "action": "settings",
                                                         "name_ar": "أ", "name_en": "A", "short_name_ar": "أ",
                                                         "short_name_en": "A", "officer_ar": "أ", "officer_en": "A",
                                                         "start": "08:00", "end": "16:00",
                                                         "widget_origins": "www.example.org/chat"})
    assert status == 400 and 'data-input="widget_origins"' in html and "www.example.org/chat" in html
    assert await stored(h) == 0 and h.runtime.packs["amass"] is pack
    assert len(questions) >= 8
    # a form read at version 0, posted after someone saved version 1, is refused
    assert (await a.post("/console/knowledge", edit_answer(0)))[0] == 200
    status, html, _ = await a.post("/console/knowledge", edit_answer(0, ar="نص آخر"))
    assert status == 400 and 'id="refusal"' in html and "عدّل زميل" in html
    assert await stored(h) == 1 and NEW_AR in await answer(h, "e" * 32)


async def test_phrasings_topics_settings_and_prompts(h: Harness) -> None:
    a = await admin(h)
    odd = "وش السالفة مع التمر المجاني"
    assert "تمر" not in await answer(h, "f" * 32, odd)
    lines = "\n".join(["وش السالفة مع التمر المجاني", "هل توزعون تمر", "ابي تمر", "توزيع التمور متى",
                       "do you give dates", "dates distribution", "tamr majani", "متى توزيع التمر"])
    status, _, url = await a.post("/console/knowledge", {
        "org": "amass", "version": "0", "action": "add_topic", "topic": "dates_gift", "clause_ar": "توزيع التمور",
        "clause_en": "Dates distribution", "answer_ar": "نوزع التمر في رمضان من مقر الجمعية.",
        "answer_en": "We hand out dates in Ramadan at our office.", "questions": lines})
    assert "msg=pack_saved" in url
    assert "نوزع التمر" in await answer(h, "g" * 32, odd)
    status, _, url = await a.post("/console/knowledge", {"org": "amass", "version": "1", "action": "add_phrasing",
                                                         "topic": "dates_gift", "phrasing": "فيه تمور للمحتاجين؟"})
    assert "msg=pack_saved" in url
    assert "فيه تمور للمحتاجين؟" in next(t for t in h.runtime.packs["amass"].faq.topics if t.id == "dates_gift").questions
    status, _, url = await a.post("/console/knowledge", {"org": "amass", "version": "2", "action": "remove_phrasing",
                                                         "topic": "dates_gift", "phrasing": "ابي تمر"})
    assert "ابي تمر" not in next(t for t in h.runtime.packs["amass"].faq.topics if t.id == "dates_gift").questions
    # settings: contact details and working hours
    pack = h.runtime.packs["amass"].pack
    form = {"org": "amass", "version": "3", "action": "settings", "name_ar": pack.name.ar, "name_en": pack.name.en,
            "short_name_ar": pack.short_name.ar, "short_name_en": pack.short_name.en,
            "officer_ar": pack.referral_officer.ar, "officer_en": pack.referral_officer.en,
            "committee_ar": pack.committee.ar if pack.committee else "", "committee_en": pack.committee.en if pack.committee else "",
            "decision_min_days": "10", "phone": "+966 12 000 0000", "email": "care@amass.example", "website": "",
            "start": "09:00", "end": "17:00", "messages_days": "200", "widget_origins": "https://www.amass.example/\n"}
    fields = [*form.items(), ("csrf", a.csrf), *(("days", str(d)) for d in sorted(pack.contact.working_hours.days))]
    async with a.session.post(a.base + "/console/settings", data=fields) as r:
        html, url = await r.text(), str(r.url)
    assert "msg=pack_saved" in url and "+966 12 000 0000" in html
    edited = h.runtime.packs["amass"].pack
    assert edited.decision_min_days == 10 and edited.contact.working_hours.start == "09:00"
    assert edited.retention.messages_days == 200 and edited.contact.website is None
    assert edited.contact.widget_origins == ["https://www.amass.example"]
    # the working days were left as they were (the form sends them in its own order): not an edit
    latest = (await h.rows(select(PackOverride.document).order_by(PackOverride.version.desc()).limit(1)))[0]
    assert latest.document["pack"]["contact"]["working_hours"] == {"start": "09:00", "end": "17:00"}
    # a form prompt
    status, _, url = await a.post("/console/settings", {"org": "amass", "version": "4", "action": "prompt",
                                                        "flow": "support_request", "field": "full_name",
                                                        "prompt_ar": "تفضل باسمك الرباعي", "prompt_en": "Your full name, please"})
    assert "msg=pack_saved" in url
    out = await h.say("h" * 32, "", button="flow:support_request")
    assert "تفضل باسمك الرباعي" in " ".join(getattr(r, "text", "") for r in out.replies)


async def test_only_the_associations_admins_may_edit(h: Harness) -> None:
    await h.staff("officer@amass.sa")
    officer, _, _ = await h.login("officer@amass.sa")
    status, _, _ = await officer.post("/console/knowledge", edit_answer(0))
    assert status == 403
    a = await admin(h, orgs=("taheel",))
    status, _, _ = await a.post("/console/knowledge", edit_answer(0))
    assert status == 403
    status, _, _ = await a.post("/console/knowledge", edit_answer(0), csrf=False)
    assert status == 403
    assert await stored(h) == 0


async def test_export_then_import_an_edited_yaml(h: Harness) -> None:
    a = await admin(h)
    status, text = await a.get("/console/knowledge/export?org=amass")
    doc = yaml.safe_load(text)
    assert status == 200 and doc["pack"]["slug"] == "amass" and "decision_period" in doc["topics"]
    doc["topics"]["decision_period"]["answer"] = {"ar": NEW_AR, "en": NEW_EN}
    doc["pack"]["contact"]["phone"] = "+966 13 000 0000"
    body = yaml.safe_dump(doc, allow_unicode=True)
    status, html, url = await a.post("/console/knowledge/import", {"org": "amass", "version": "0", "yaml": body})
    assert "msg=pack_saved" in url, html[:500]
    assert NEW_AR in await answer(h, "i" * 32)
    assert h.runtime.packs["amass"].pack.contact.phone == "+966 13 000 0000"
    # only the differences are stored
    row = (await h.rows(select(PackOverride.document)))[0].document
    assert set(row["topics"]) == {"decision_period"} and row["pack"] == {"contact": {"phone": "+966 13 000 0000"}}
    doc["topics"]["decision_period"]["questions"] = ["one"]
    status, html, _ = await a.post("/console/knowledge/import", {"org": "amass", "version": "1",
                                                                 "yaml": yaml.safe_dump(doc, allow_unicode=True)})
    assert status == 400 and 'id="refusal"' in html and await stored(h) == 1
    status, html, _ = await a.post("/console/knowledge/import", {"org": "amass", "version": "1", "yaml": "pack: [x"})
    assert status == 400 and "line" in html
    # the page's form uploads a file
    doc["topics"]["decision_period"]["questions"] = next(
        t for t in load_all()["amass"].faq.topics if t.id == "decision_period").questions
    doc["pack"]["contact"]["phone"] = "+966 14 000 0000"
    upload = aiohttp.FormData()
    for key, value in (("csrf", a.csrf), ("org", "amass"), ("version", "1")):
        upload.add_field(key, value)
    upload.add_field("file", yaml.safe_dump(doc, allow_unicode=True).encode(), filename="amass-pack.yaml",
                     content_type="application/yaml")
    async with a.session.post(a.base + "/console/knowledge/import", data=upload) as r:
        assert "msg=pack_saved" in str(r.url), await r.text()
    assert h.runtime.packs["amass"].pack.contact.phone == "+966 14 000 0000"


async def test_another_runtime_starts_with_the_edits_and_follows_the_bus(h: Harness) -> None:
    a = await admin(h)
    disk = load_all()["amass"]
    async with open_runtime(h.settings) as other:
        assert other.packs["amass"].faq == disk.faq
        await a.post("/console/knowledge", edit_answer(0))
        # the bus is in-process here: the other runtime hears what a worker would hear over Redis
        await other.bus.publish("packs", {"org": "amass", "version": 1})
        await eventually(lambda: other.knowledge is not None and other.knowledge.versions.get("amass") == 1)
        topic = next(t for t in other.packs["amass"].faq.topics if t.id == "decision_period")
        assert topic.answer.ar == NEW_AR
    async with open_runtime(h.settings) as fresh:
        topic = next(t for t in fresh.packs["amass"].faq.topics if t.id == "decision_period")
        assert topic.answer.ar == NEW_AR and fresh.knowledge is not None and fresh.knowledge.versions["amass"] == 1


async def test_an_association_names_its_own_crisis_lines(h: Harness) -> None:
    """Crisis resources are an association setting too: its admin names a line, a person in crisis
    is told that line (the deployment's 937/997 otherwise), and a line without a number is refused."""
    a = await admin(h)
    before = await answer(h, "k" * 32, "ما ابي اعيش خلاص")
    assert "937" in before and "920033360" not in before
    pack = h.runtime.packs["amass"].pack
    form = settings_form(h, start="", end="", crisis_lines="خط|بدون رقم")
    days = [("days", str(d)) for d in pack.contact.working_hours.days]
    async with a.session.post(a.base + "/console/settings", data=[*form.items(), ("csrf", a.csrf), *days]) as r:
        assert "msg=pack_saved" not in str(r.url)
    assert await stored(h) == 0
    form["crisis_lines"] = "920033360|خط الدعم النفسي في الجمعية|The association's support line\n937|وزارة الصحة|Ministry of Health"
    form["first_response_minutes"] = "30"
    async with a.session.post(a.base + "/console/settings", data=[*form.items(), ("csrf", a.csrf), *days]) as r:
        assert "msg=pack_saved" in str(r.url)
    assert h.runtime.packs["amass"].pack.first_response_minutes == 30
    after = await answer(h, "m" * 32, "ما ابي اعيش خلاص")
    assert "920033360" in after and "خط الدعم النفسي في الجمعية" in after and "937" in after
