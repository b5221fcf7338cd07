"""Officers open the files beneficiaries attached to a request, through the console.

The app runs against the fake Telegram and Twilio servers (tests/fakes): a case whose answers
hold a Telegram document is opened by an officer of its association (200, the exact bytes, the
sniffed type, nosniff / no-store, one audit row), refused to another association's officer and
to a signed-out browser, 404 for an answer that is not a file, and a file the provider will not
hand over gives the 502 page with nothing audited. The case page shows type, size and a link,
never a Python repr of an answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.ids import new_id
from bot.settings import Settings
from bot.types import ConversationKey, InboundMessage
from channels.media import MediaBlob
from console import setup_console
from console.attachments import content_disposition
from storage.models import AuditLog
from tests.harness import Agent, Harness, running
from wiring.runtime import RUNTIME, Runtime, open_runtime

CHAT = 515151
PDF = b"%PDF-1.7\n" + b"0" * (123_456 - 9)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 600
REPORT = {"url": "telegram:F1", "content_type": "application/pdf", "size": len(PDF),
          "filename": 'تقرير "طبي"\r\nX-Evil: 1.html'}
ANSWERS = {"full_name": "سارة أحمد", "support_type": ["financial_aid", "medical_supplies"],
           "medical_report": REPORT, "prescription": {"pending": True}, "extra": {"a": 1}}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness]]:
    """The one harness, named twice for readability: as the providers' side and as the console's."""
    async with running(tmp_path) as h:
        h.telegram.files["F1"] = PDF
        yield h, h


async def make_case(runtime: Runtime, answers: dict[str, Any], channel: str = "telegram") -> Any:
    """A submitted amass case of one beneficiary, through the real engine and CaseService."""
    key = ConversationKey("amass", channel, str(CHAT) if channel == "telegram" else "v" * 32)
    out = await runtime.engine.handle(InboundMessage(key=key, text="السلام عليكم"))
    conv = await runtime.store.load(key)
    assert runtime.cases is not None and conv.beneficiary_id
    return await runtime.cases.create(
        org="amass", code="AMS", beneficiary_id=conv.beneficiary_id, conversation_id=out.conversation_id,
        channel=channel, flow_id="support_request", answers=answers, declaration={"at": "now"}, consent=None,
        decision_min_days=14, submit_key=new_id())


async def officer(console: Harness, email: str = "o@amass.sa", orgs: tuple[str, ...] = ("amass",)) -> tuple[Agent, str]:
    staff_id = await console.staff(email, orgs=orgs)
    agent, status, _ = await console.login(email)
    assert status == 200
    return agent, staff_id


async def fetch(agent: Agent, path: str) -> tuple[int, bytes, Any]:
    async with agent.session.get(agent.base + path, allow_redirects=False) as r:
        return r.status, await r.read(), r.headers


async def views(console: Harness) -> list[Any]:
    return await console.rows(select(AuditLog.actor, AuditLog.org, AuditLog.target)
                              .where(AuditLog.action == "view.attachment"))


@pytest.fixture
def console_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger="sila.console"):
        yield caplog


async def test_officer_opens_a_telegram_file_and_the_view_is_audited(app: tuple[Harness, Harness]) -> None:
    fakes, console = app
    case = await make_case(fakes.runtime, ANSWERS)
    agent, staff_id = await officer(console)
    status, body, headers = await fetch(agent, f"/console/cases/{case.id}/files/medical_report")
    assert status == 200 and body == PDF
    assert headers["Content-Type"] == "application/pdf"
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    disposition = headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="X-Evil_1.pdf"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("''", 1)[1]) == 'تقرير _طبي_X-Evil_ 1.pdf'
    assert "X-Evil" not in headers and "\n" not in disposition
    assert [tuple(r) for r in await views(console)] == [
        (f"staff:{staff_id}", "amass", f"case:{case.reference}:medical_report")]
    await fetch(agent, f"/console/cases/{case.id}/files/medical_report")
    assert len(await views(console)) == 2, "every view is audited"


async def test_case_page_shows_type_size_and_link_never_a_repr(app: tuple[Harness, Harness]) -> None:
    fakes, console = app
    case = await make_case(fakes.runtime, ANSWERS)
    agent, _ = await officer(console)
    status, html = await agent.get(f"/console/cases/{case.id}")
    assert status == 200
    link = f'<a href="/console/cases/{case.id}/files/medical_report" target="_blank" rel="noopener">عرض المرفق</a>'
    assert link in html
    assert "<bdi dir=\"ltr\">PDF</bdi> · <bdi>121 كيلوبايت</bdi>" in html
    # choices in the form's words, fields under the form's labels (the id stays as a tooltip)
    assert "مساعدة مالية، مستلزمات طبية" in html and "financial_aid" not in html
    assert '<dt title="support_type">نوع الدعم</dt>' in html
    assert "سيُرسل لاحقاً للموظف" in html and "a: 1" in html
    assert "{&#39;" not in html and "[&#39;" not in html and "telegram:F1" not in html
    assert await views(console) == [], "opening the case page is not opening the file"
    await agent.get("/console/lang?to=en&next=/console/queue")
    _, html = await agent.get(f"/console/cases/{case.id}")
    assert ">View file</a>" in html and "<bdi>121 KB</bdi>" in html
    assert "Financial aid, Medical supplies" in html and '<dt title="support_type">Support type</dt>' in html
    assert "To be sent to staff later" in html


async def test_other_association_and_signed_out_are_refused(app: tuple[Harness, Harness]) -> None:
    fakes, console = app
    case = await make_case(fakes.runtime, ANSWERS)
    other, _ = await officer(console, "o@taheel.sa", ("taheel",))
    status, body, _ = await fetch(other, f"/console/cases/{case.id}/files/medical_report")
    assert status == 403 and PDF[:9] not in body
    status, _, _ = await fetch(other, f"/console/cases/{'0' * 26}/files/medical_report")
    assert status == 404
    anon = console.agent()
    status, _, headers = await fetch(anon, f"/console/cases/{case.id}/files/medical_report")
    assert status == 303 and headers["Location"].startswith("/console/login?msg=expired&next=")
    assert unquote(headers["Location"].split("next=", 1)[1]) == f"/console/cases/{case.id}/files/medical_report"
    assert await views(console) == []
    assert fakes.telegram.calls_of("getFile") == [], "nothing is fetched for a refused request"


async def test_an_answer_that_is_not_a_file_is_404(app: tuple[Harness, Harness]) -> None:
    fakes, console = app
    case = await make_case(fakes.runtime, ANSWERS)
    agent, _ = await officer(console)
    for field in ("full_name", "support_type", "prescription", "extra", "nope", "national_id"):
        status, _, _ = await fetch(agent, f"/console/cases/{case.id}/files/{field}")
        assert status == 404, field
    assert await views(console) == []


@pytest.mark.parametrize("url", ["telegram:MISSING", "https://evil.example/2010-04-01/Accounts/AC1/Messages/M/Media/1"])
async def test_a_file_the_provider_does_not_hand_over_is_a_502_page(
    app: tuple[Harness, Harness], console_log: pytest.LogCaptureFixture, url: str,
) -> None:
    fakes, console = app
    case = await make_case(fakes.runtime, {"medical_report": {**REPORT, "url": url}})
    agent, _ = await officer(console)
    status, body, headers = await fetch(agent, f"/console/cases/{case.id}/files/medical_report")
    html = body.decode()
    assert status == 502 and headers["Content-Type"].startswith("text/html")
    assert "تعذر جلب المرفق من مزود الخدمة" in html and PDF[:9].decode() not in html
    assert await views(console) == []
    logged = [r.getMessage() for r in console_log.records if r.name == "sila.console"]
    assert len(logged) == 1 and case.reference in logged[0]
    assert "MISSING" not in logged[0] and "evil.example" not in logged[0]
    await agent.get("/console/lang?to=en&next=/console/queue")
    _, body, _ = await fetch(agent, f"/console/cases/{case.id}/files/medical_report")
    assert "could not be fetched from the messaging provider" in body.decode()


async def test_a_whatsapp_image_comes_through_twilio(app: tuple[Harness, Harness]) -> None:
    fakes, console = app
    fakes.twilio.media["ME" + "2" * 32] = PNG
    image = {"url": fakes.twilio.media_url(), "content_type": "image/png", "size": None, "filename": None}
    case = await make_case(fakes.runtime, {"photo": image})
    agent, _ = await officer(console)
    status, body, headers = await fetch(agent, f"/console/cases/{case.id}/files/photo")
    assert status == 200 and body == PNG and headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"] == (f'inline; filename="{case.reference}-photo.png"; '
                                              f"filename*=UTF-8''{case.reference}-photo.png")
    assert "sandbox" in headers["Content-Security-Policy"]
    assert [r.target for r in await views(console)] == [f"case:{case.reference}:photo"]
    _, html = await agent.get(f"/console/cases/{case.id}")
    assert "<bdi dir=\"ltr\">PNG</bdi> · <a" in html  # no size reported: the type alone


def test_downloads_other_than_images_and_pdf_are_attachments() -> None:
    blob = MediaBlob(b"OggS", "audio/ogg")
    assert content_disposition(blob, "../../etc/passwd", "AMS-26-00001-voice") == (
        "attachment; filename=\"passwd.ogg\"; filename*=UTF-8''passwd.ogg")
    assert content_disposition(blob, "\u202ecod.exe", "AMS-1-v").endswith("filename*=UTF-8''cod.ogg")
    assert content_disposition(blob, None, "AMS 1/v") == "attachment; filename=\"AMS_1_v.ogg\"; filename*=UTF-8''AMS%201_v.ogg"


async def test_console_without_channel_adapters_says_so(sqlite_settings: Settings) -> None:
    app = web.Application()

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_runtime(sqlite_settings) as runtime:
            app[RUNTIME] = runtime
            yield

    app.cleanup_ctx.append(runtime_ctx)
    setup_console(app)
    async with TestClient(TestServer(app)) as client:
        console = Harness(client, str(client.make_url("")).rstrip("/"), sqlite_settings, telegram=None, twilio=None)
        try:
            case = await make_case(console.runtime, {"medical_report": REPORT}, channel="webchat")
            agent, _ = await officer(console)
            status, body, _ = await fetch(agent, f"/console/cases/{case.id}/files/medical_report")
            assert status == 503 and "تعذر جلب المرفق" in body.decode()
            assert await views(console) == []
        finally:
            for s in console.agents:
                await s.close()


OGG = b"OggS" + b"\x00" * 400


async def test_a_telegram_voice_note_plays_in_the_transcript_and_each_play_is_audited(
        app: tuple[Harness, Harness]) -> None:
    """The transcript carries an <audio> player for a voice note, served through the same checks."""
    from bot.types import Attachment
    from channels.media import attachments_json

    fakes, console = app
    fakes.telegram.files["V1"] = OGG
    key = ConversationKey("amass", "telegram", str(CHAT))
    await fakes.runtime.engine.handle(InboundMessage(key=key, text="السلام عليكم"))
    voice = Attachment("telegram:V1", "audio/ogg", len(OGG), None)
    await fakes.runtime.engine.handle(InboundMessage(key=key, text="", attachments=(voice,),
                                                     meta=(("attachments", attachments_json([voice])),)))
    conv = await fakes.runtime.store.load(key)
    agent, staff_id = await officer(console)
    status, html = await agent.get(f"/console/c/{conv.id}")
    assert status == 200
    player = re.search(r'<audio controls preload="none" src="(/console/c/[0-9a-f]+/files/[0-9a-f]+/0)">', html)
    assert player, "no voice-note player in the transcript"
    status, body, headers = await fetch(agent, player.group(1))
    assert status == 200 and body == OGG and headers["Content-Type"] == "audio/ogg"
    targets = [r.target for r in await views(console)]
    assert len(targets) == 1 and targets[0].startswith(f"conversation:{conv.id}:message:")
    # another association's officer gets nothing
    other, _ = await officer(console, "r@ratel.sa", ("ratel",))
    status, _, _ = await fetch(other, player.group(1))
    assert status == 403
