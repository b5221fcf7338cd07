"""The one test harness: the Sila app on a real port, wired to the fake Telegram and Twilio
servers, with what tests do as a beneficiary (say), as staff (signed-in console agents) and as an
auditor (rows of the database).

The port is chosen before the settings are built because the public base URL (what Twilio
signs, where status callbacks go) must name it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app
from bot.settings import Settings, load_settings
from bot.types import ConversationKey, InboundMessage
from channels.push import PUSH, PushChannels
from console import auth
from storage.db import migrate
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.servers import free_port
from wiring.runtime import RUNTIME, Runtime

TG_TOKEN = "7000001:AAHfakeTokenForSilaTests0123456789"
TG_SECRET = "test-telegram-secret"
SMS_FROM = "+966110000000"
WA_FROM = "+966110000001"


PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Agent:
    """One signed-in browser: its own cookie jar."""

    session: aiohttp.ClientSession
    base: str
    csrf: str = ""

    async def get(self, path: str, **kw: Any) -> tuple[int, str]:
        async with self.session.get(self.base + path, **kw) as r:
            return r.status, await r.text()

    async def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True) -> tuple[int, str, str]:
        form = dict(data or {})
        if csrf:
            form["csrf"] = self.csrf
        async with self.session.post(self.base + path, data=form) as r:
            return r.status, await r.text(), str(r.url)


@dataclass
class Harness:
    client: TestClient
    url: str
    settings: Settings
    #: the fake providers (None for an app built without push channels)
    telegram: FakeTelegram
    twilio: FakeTwilio
    #: signed-in console sessions, closed with the harness
    agents: list[aiohttp.ClientSession] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.url

    @property
    def runtime(self) -> Runtime:
        return self.client.app[RUNTIME]  # type: ignore[index]

    @property
    def push(self) -> PushChannels:
        return self.client.app[PUSH]  # type: ignore[index]

    async def staff(self, email: str, role: str = "officer", orgs: tuple[str, ...] = ("amass",)) -> str:
        assert self.runtime.db is not None
        return await auth.create_staff(self.runtime.db, email=email, name=email.split("@")[0], role=role,
                                       orgs=list(orgs), password=PASSWORD, known_orgs=set(self.runtime.packs),
                                       actor="test")

    def agent(self) -> Agent:
        s = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.agents.append(s)
        return Agent(s, self.base)

    async def login(self, email: str, password: str = PASSWORD, agent: Agent | None = None) -> tuple[Agent, int, str]:
        a = agent or self.agent()
        status, html = await a.get("/console/login")
        token = CSRF_RE.search(html).group(1)  # type: ignore[union-attr]
        async with a.session.post(a.base + "/console/login",
                                  data={"csrf": token, "email": email, "password": password, "next": ""}) as r:
            body = await r.text()
            status = r.status
        m = CSRF_RE.search(body)
        if m:
            a.csrf = m.group(1)
        return a, status, body

    async def escalate(self, visitor: str, org: str = "amass", text: str = "السلام عليكم") -> str:
        key = ConversationKey(org, "webchat", visitor)
        await self.runtime.engine.handle(InboundMessage(key=key, text=text))
        out = await self.runtime.engine.handle(InboundMessage(key=key, text="", button_value="handoff"))
        return out.conversation_id

    async def say(self, visitor: str, text: str = "", button: str | None = None, org: str = "amass") -> Any:
        key = ConversationKey(org, "webchat", visitor)
        return await self.runtime.engine.handle(InboundMessage(key=key, text=text, button_value=button))

    async def scalar(self, stmt: Any) -> Any:
        assert self.runtime.db is not None
        async with self.runtime.db.reader.connect() as conn:
            return (await conn.execute(stmt)).scalar()

    async def rows(self, stmt: Any) -> list[Any]:
        assert self.runtime.db is not None
        async with self.runtime.db.reader.connect() as conn:
            return list((await conn.execute(stmt)).all())


def harness_settings(tmp_path: Path, port: int, tg: FakeTelegram, tw: FakeTwilio, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": str(tmp_path), "sqlite_synchronous": "NORMAL", "public_base_url": f"http://127.0.0.1:{port}",
        "telegram_secret": TG_SECRET, "telegram_api_base": tg.url, "telegram_token_amass": TG_TOKEN,
        "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN, "twilio_api_base": tw.url,
        "twilio_sms_from_amass": SMS_FROM, "twilio_whatsapp_from_amass": WA_FROM,
        "delivery_poll_ms": 50, "send_timeout_ms": 1000,
        # broadcast tests start their own workers (and the pages are checked with the queue as it
        # stands); the server's own worker is tested on a real ``sila serve``
        "broadcast_worker": "off",
    }
    values.update(overrides)
    return load_settings(env={}, **values)


@contextlib.asynccontextmanager
async def running(tmp_path: Path, **overrides: Any) -> AsyncIterator[Harness]:
    tg = await FakeTelegram(tokens={TG_TOKEN}).start()
    tw = await FakeTwilio().start()
    port = free_port()
    settings = harness_settings(tmp_path, port, tg, tw, **overrides)
    await migrate(settings)
    try:
        async with TestClient(TestServer(create_app(settings), host="127.0.0.1", port=port)) as client:
            h = Harness(client, f"http://127.0.0.1:{port}", settings, tg, tw)
            worker = h.push.worker
            worker.backoff_base = 0.05
            worker.reconcile_delay = 0.05
            try:
                yield h
                await h.push.telegram.idle()
                await worker.drain(5)
            finally:
                for session in h.agents:
                    await session.close()
    finally:
        await tg.close()
        await tw.close()


async def eventually(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)


async def transcript(h: Harness, org: str, channel: str, address: str) -> list[Any]:
    """Every stored message of one conversation, oldest first ([] when there is none)."""
    from bot.types import ConversationKey

    h.runtime.store.forget(ConversationKey(org, channel, address))
    conv = await h.runtime.store.load(ConversationKey(org, channel, address))
    if conv.is_new:
        return []
    return await h.runtime.store.history(conv.id, limit=1000)


async def count_rows(h: Harness, table: str) -> int:
    from sqlalchemy import text

    assert h.runtime.db is not None
    async with h.runtime.db.reader.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar() or 0)


async def settle(h: Harness) -> None:
    """Let webhook tasks finish and the worker send what they stored."""
    await h.push.telegram.idle()
    for _ in range(3):
        await h.push.worker.run_once()
        await h.push.worker.drain(10)


async def notify(h: Harness, channel: str, address: str, text: str, *, row_fields: dict[str, Any] | None = None,
                 **extra: Any) -> str:
    """Queue a notification the way a coordinator's broadcast does: an outbox row, not a reply.

    ``row_fields`` overrides columns of the outbox row (e.g. to leave it as a crashed worker did).
    """
    from datetime import UTC, datetime

    from bot.engine import outbox_row
    from bot.ids import new_id
    from bot.records import StoredMessage, TurnWrite
    from bot.types import ConversationKey, Text, reply_to_json

    key = ConversationKey("amass", channel, address)
    h.runtime.store.forget(key)
    conv = await h.runtime.store.load(key)
    payload = {**reply_to_json(Text(text)), "notification": True, **extra}
    prev, now = conv.seq, datetime.now(UTC)
    conv.seq += 1
    out = StoredMessage(new_id(), conv.id, conv.seq, "out", "system", text, payload, "info", now,
                        delivery_status="pending")
    row = dataclasses.replace(outbox_row(conv, out, payload, now), **(row_fields or {}))
    await h.runtime.store.commit(TurnWrite(conversation=conv, previous_seq=prev, messages=[out], outbox=[row]))
    h.runtime.store.forget(key)
    return row.id


#: answers for each field type of a request form, as a beneficiary would type them
FORM_ANSWERS = {"name": "محمد عبدالله السالم", "national_id": "1000000008", "phone": "0551234567", "city": "جدة",
                "description": "أحتاج دعماً لتكاليف العلاج", "text": "لا يوجد", "number": "3", "date": "1990-01-01"}


async def pending_question(h: Harness, channel: str, address: str) -> tuple[dict[str, Any] | None, list[str]]:
    """What the conversation waits for now: the last reply's ``expect`` and its button values."""
    outs = [m for m in await transcript(h, "amass", channel, address) if m.direction == "out"]
    payload = outs[-1].payload or {}
    return payload.get("expect"), [b["value"] for b in payload.get("buttons") or []]
