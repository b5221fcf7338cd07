"""Malformed request bodies on every endpoint that reads one: a 400, never a 500 or a traceback.

Invalid UTF-8 in a form, an unknown charset, a form field that is not UTF-8 inside a multipart
body, a truncated multipart body and a body of the wrong type, against the Twilio webhooks, the
console login, a signed-in console form and the Telegram webhook (issue 14, finding 9).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.telegram import SECRET_HEADER
from channels.telegram_bot import secret_for
from console import auth
from tests.harness import Harness, count_rows, running, settle

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
FORM = "application/x-www-form-urlencoded"
BOUNDARY = "sila-test-boundary"

#: (what, content type, body)
BAD_FORMS = [
    ("invalid UTF-8", FORM, b"From=%2B966500000000&Body=\xff\xfe\xfa&MessageSid=SM1"),
    ("unknown charset", FORM + "; charset=klingon", b"From=x&Body=y"),
    ("wrong type: JSON", "application/json", b'{"From": "+966500000000", "Body": "hi"}'),
    ("wrong type: text", "text/plain", b"From=x&Body=y"),
    ("multipart, field not UTF-8", f"multipart/form-data; boundary={BOUNDARY}",
     (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="Body"\r\n\r\n').encode() + b"\xff\xfe\r\n"
     + f"--{BOUNDARY}--\r\n".encode()),
    ("truncated multipart", f"multipart/form-data; boundary={BOUNDARY}",
     f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhello, and then noth'.encode()),
    ("multipart without a boundary", "multipart/form-data", b"--x\r\n\r\n"),
]


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running(tmp_path) as harness:
        yield harness


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [f"{r.name}: {r.getMessage()}" for r in bad]


async def post(h: Harness, path: str, ctype: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    r = await h.client.post(path, data=body, headers={"Content-Type": ctype, **(headers or {})})
    await r.read()
    return r.status


@pytest.mark.parametrize(("what", "ctype", "body"), BAD_FORMS, ids=[b[0] for b in BAD_FORMS])
async def test_twilio_webhooks(h: Harness, caplog: pytest.LogCaptureFixture, what: str, ctype: str,
                               body: bytes) -> None:
    caplog.set_level(logging.INFO)
    for path in ("/twilio/amass/sms", "/twilio/amass/whatsapp", "/twilio/amass/status"):
        assert await post(h, path, ctype, body, {"X-Twilio-Signature": "x"}) == 400, (what, path)
    await settle(h)
    assert await count_rows(h, "messages") == 0
    no_tracebacks(caplog)


@pytest.mark.parametrize(("what", "ctype", "body"), BAD_FORMS, ids=[b[0] for b in BAD_FORMS])
async def test_console_login_and_forms(h: Harness, caplog: pytest.LogCaptureFixture, what: str, ctype: str,
                                       body: bytes) -> None:
    caplog.set_level(logging.INFO)
    assert h.runtime.db is not None
    await auth.create_staff(h.runtime.db, email="o@amass.sa", name="O", role="admin", orgs=["amass"],
                            password=PASSWORD, known_orgs=set(h.runtime.packs), actor="test")
    page = await h.client.get("/console/login")
    token = CSRF_RE.search(await page.text()).group(1)  # type: ignore[union-attr]
    assert await post(h, "/console/login", ctype, body) == 400, what
    signed_in = await h.client.post("/console/login", data={"csrf": token, "email": "o@amass.sa",
                                                           "password": PASSWORD, "next": ""})
    assert signed_in.status == 200
    for path in ("/console/account", "/console/staff", "/console/canned", "/console/logout",
                 "/console/c/0123456789abcdef0123456789/reply"):
        assert await post(h, path, ctype, body) == 400, (what, path)
    no_tracebacks(caplog)


async def test_telegram_webhook(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    secret = {SECRET_HEADER: secret_for(h.settings, "amass")}
    path = "/telegram/amass/webhook"
    update = '{"update_id": 7, "message": {"message_id": 1, "date": 1700000000, "chat": {"id": 5, "type": "private"}, ' \
             '"from": {"id": 5, "is_bot": false, "first_name": "x"}, "text": "مرحبا"}}'
    assert await post(h, path, "application/json", b'{"update_id": 7, "x": "\xff\xfe"}', secret) == 400
    assert await post(h, path, "application/json", update.encode("utf-16"), secret) == 400  # JSON, not UTF-8
    assert await post(h, path, FORM, b"update_id=7", secret) == 400
    assert await post(h, path, f"multipart/form-data; boundary={BOUNDARY}", f"--{BOUNDARY}\r\n".encode(), secret) == 400
    await settle(h)
    assert await count_rows(h, "messages") == 0 and await count_rows(h, "inbound_updates") == 0
    no_tracebacks(caplog)
