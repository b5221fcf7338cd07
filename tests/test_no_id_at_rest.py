"""No valid national ID in clear at rest: a person types theirs everywhere, on every channel.

Finding 1 of the privacy review: an ID typed anywhere but the ID step (the first message, a
question, the request's description) was kept in clear in the transcript, echoed in the summary
and saved in the case data; the raw Telegram update kept it too, for ever. Here one person
types their ID in all of those places on web chat, Telegram, SMS, WhatsApp and the terminal
channel, then every byte of the SQLite files (database, WAL) is searched for it, and on
PostgreSQL a ``pg_dump`` of the whole database.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import aiohttp
import pytest

from tests.harness import Harness, running
from tests.scripted import NID, SCRIPT, VISITOR, Channels, fill_form, id_bytes


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


async def test_a_raw_update_is_sealed_while_it_waits_gone_once_processed_and_rotated(h: Harness) -> None:
    """The inbox (storage/inbox.py) holds the raw Telegram update only encrypted, only until it is
    processed, and ``sila keys rotate`` moves a waiting one to the new key."""
    import base64
    import json
    from datetime import timedelta

    from sqlalchemy import select

    from storage import inbox
    from storage.crypto import DataCipher, new_key, rotate_stored
    from storage.models import InboundUpdate

    db, old = h.runtime.db, h.runtime.cipher
    assert db is not None and old is not None
    body = json.dumps({"update_id": 1, "message": {"text": f"هويتي {NID}", "chat": {"id": 7}}})
    row_id = await inbox.record(db, old, org="amass", channel="telegram", provider_id="1", body=body)
    assert row_id is not None
    async with db.reader.connect() as conn:
        stored = (await conn.execute(select(InboundUpdate.body).where(InboundUpdate.id == row_id))).scalar_one()
    assert NID not in stored and stored.startswith("v1:")
    new = DataCipher(base64.b64decode(new_key()), [base64.b64decode(h.settings.data_key or _env_key())])
    assert await rotate_stored(db, new) >= 1
    [(rid, _org, opened)] = await inbox.unprocessed(db, new, "telegram", older_than=timedelta(0))
    assert rid == row_id and opened == body, "readable under the new key alone after rotation"
    await inbox.mark_processed(db, row_id)
    async with db.reader.connect() as conn:
        assert (await conn.execute(select(InboundUpdate.body).where(InboundUpdate.id == row_id))).scalar_one() == ""


def _env_key() -> str:
    import os

    return os.environ["SILA_DATA_KEY"]


async def test_an_officer_note_or_a_display_name_keeps_no_id(h: Harness) -> None:
    """Staff paste IDs into internal notes too, and a Telegram or WhatsApp profile name is free text."""
    from sqlalchemy import select

    from bot.types import ConversationKey, InboundMessage
    from storage.models import Beneficiary, Note

    cid = await h.escalate("e" * 32)
    await h.staff("officer@amass.sa")
    officer, _, _ = await h.login("officer@amass.sa")
    await officer.post(f"/console/c/{cid}/claim")
    status, _, _ = await officer.post(f"/console/c/{cid}/note", {"body": f"هويته {NID} حسب المكالمة"})
    assert status == 200
    assert await h.scalar(select(Note.body)) == f"هويته ******{NID[-4:]} حسب المكالمة"
    await h.runtime.engine.handle(InboundMessage(key=ConversationKey("amass", "whatsapp", "+966512349999"),
                                                 text="مرحبا", sender_name=f"سارة {NID}"))
    names = [n for n in await h.rows(select(Beneficiary.display_name)) if n[0]]
    assert names and all(NID not in n[0] for n in names)
