"""No valid national ID in clear at rest: a person types theirs everywhere, on every channel.

Finding 1 of the privacy review: an ID typed anywhere but the ID step (the first message, a
question, the request's description) was kept in clear in the transcript, echoed in the summary
and saved in the case data; the raw Telegram update kept it too, for ever. Here one person
types their ID in all of those places on web chat, Telegram, SMS, WhatsApp and the terminal
channel, then every byte of the SQLite files (database, WAL) is searched for it, and on
PostgreSQL a ``pg_dump`` of the whole database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.flows.validators import saudi_id_check_digit
from bot.i18n import t
from bot.types import ConversationKey, InboundMessage
from channels.telegram import SECRET_HEADER
from channels.telegram_bot import secret_for
from tests.fakes import telegram_api as tga
from tests.fakes import twilio_api as twa
from tests.fakes.harness import FORM_ANSWERS, Harness, running, settle, transcript

FIRST9 = "109876543"
NID = FIRST9 + str(saudi_id_check_digit(FIRST9))
NID_INDIC = NID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
#: what a person writes, in order; ``{form}`` marks where the request form is filled in
SCRIPT = [f"السلام عليكم، رقم هويتي {NID}", f"هل أقدر أقدم برقم الهوية {NID_INDIC}؟", "ابي اقدم على مساعدة"]
ANSWERS = {**FORM_ANSWERS, "national_id": NID, "description": f"أحتاج دعماً للعلاج، هويتي {NID} للتأكد",
           "text": f"هويتي {NID}"}
PHONE = "+966512340001"
CHAT = 515151
VISITOR = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


class Channels:
    """One person's messages on each channel, sent the way that channel's provider sends them."""

    def __init__(self, h: Harness, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.h, self.ws = h, ws

    async def send(self, channel: str, text: str) -> None:
        h = self.h
        if channel == "webchat":
            await self.ws.send_str(json.dumps({"type": "message", "text": text}))
            while json.loads((await self.ws.receive(timeout=20)).data)["type"] != "turn_end":
                pass
        elif channel == "telegram":
            r = await h.client.post("/telegram/amass/webhook", json=tga.text_update(CHAT, text),
                                    headers={SECRET_HEADER: secret_for(h.settings, "amass")})
            assert r.status == 200
        elif channel in ("sms", "whatsapp"):
            status = await twa.signed_post(f"{h.url}/twilio/amass/{channel}",
                                           twa.inbound_params(PHONE, text, whatsapp=channel == "whatsapp"))
            assert status == 200
        else:
            await h.runtime.engine.handle(InboundMessage(key=ConversationKey("amass", "terminal", "tty1"), text=text))
        await settle(h)

    @staticmethod
    def address(channel: str) -> str:
        return {"webchat": VISITOR, "telegram": str(CHAT), "sms": PHONE, "whatsapp": PHONE}.get(channel, "tty1")


async def fill_form(ch: Channels, channel: str) -> list[str]:
    """Answer every question of the request form; the fields asked, in order."""
    asked = []
    for _ in range(30):
        outs = [m for m in await transcript(ch.h, "amass", channel, ch.address(channel)) if m.direction == "out"]
        payload: dict[str, Any] = outs[-1].payload or {}
        expect = payload.get("expect")
        if not expect:
            break
        asked.append(expect["field"])
        buttons = [b for b in payload.get("buttons") or [] if b["value"] not in ("skip", "handoff", "menu")]
        if expect["type"] == "attachment":
            answer = t("flow.skip_button", "ar")
        elif expect["type"] in ANSWERS:
            answer = ANSWERS[expect["type"]]
        elif buttons:
            answer = buttons[0]["label"]
        else:
            answer = "نعم"
        await ch.send(channel, answer)
    return asked


def id_bytes() -> list[bytes]:
    return [NID.encode(), NID_INDIC.encode(), NID.encode("utf-16-le")]


async def converse_everywhere(h: Harness) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(
            f"{h.url}/chat/amass/ws", params={"visitor": VISITOR, "since": "0"}) as ws:
        await ws.receive(timeout=10)  # welcome
        await ws.receive(timeout=10)  # history
        ch = Channels(h, ws)
        for channel in ("webchat", "telegram", "sms", "whatsapp", "terminal"):
            for text in SCRIPT:
                await ch.send(channel, text)
            asked = await fill_form(ch, channel)
            assert "national_id" in asked and "description" in asked, (channel, asked)
    assert h.runtime.db is not None
    async with h.runtime.db.reader.connect() as conn:
        from sqlalchemy import text as sql

        channels = {r[0] for r in (await conn.execute(sql("SELECT channel FROM cases"))).all()}
    assert channels == {"webchat", "telegram", "sms", "whatsapp", "terminal"}, "every channel filed its request"


async def test_sqlite_files_hold_no_national_id(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await converse_everywhere(h)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "sila.db" for p in files)
    found = {p.name: [b for b in id_bytes() if b in p.read_bytes()] for p in files}
    assert not {k: v for k, v in found.items() if v}, f"a national ID in clear in {found}"


async def test_postgresql_dump_holds_no_national_id(tmp_path: Path, pg_url: str) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    from tests.services import create_pg_database, drop_pg_database

    url = create_pg_database()
    try:
        async with running(tmp_path, database_url=url) as h:
            await converse_everywhere(h)
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        dump = subprocess.run(["pg_dump", "--data-only", dsn], capture_output=True, check=True).stdout
        assert b"COPY public.messages" in dump
        assert not [b for b in id_bytes() if b in dump], "a national ID in clear in the PostgreSQL dump"
    finally:
        drop_pg_database(url)
