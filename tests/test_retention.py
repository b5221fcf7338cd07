"""Retention: the sweep deletes what is past its period, per association, and nothing younger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from bot.ids import new_id
from bot.pack_model import Retention
from bot.settings import Settings, SettingsError, load_settings
from bot.types import ConversationKey, InboundMessage
from storage import inbox
from storage.db import migrate
from storage.models import (
    AuditLog,
    Conversation,
    ConversationState,
    InboundUpdate,
    LoginAttempt,
    Message,
    ProviderStatus,
    Staff,
    StaffSession,
)
from wiring import retention
from wiring.runtime import Runtime, open_runtime

NOW = datetime.now(UTC)


async def chat(rt: Runtime, org: str, visitor: str) -> str:
    out = await rt.engine.handle(InboundMessage(key=ConversationKey(org, "webchat", visitor), text="السلام عليكم"))
    return out.conversation_id


async def write(rt: Runtime, *stmts: object) -> None:
    assert rt.db is not None
    async with rt.db.writer.begin() as conn:
        for stmt in stmts:
            await conn.execute(stmt)  # type: ignore[call-overload]


async def count(rt: Runtime, model: object, *where: object) -> int:
    assert rt.db is not None
    async with rt.db.reader.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model).where(*where))).scalar() or 0)  # type: ignore[arg-type]


async def test_sweep_deletes_only_what_is_past_its_period(sqlite_settings: Settings) -> None:
    await migrate(sqlite_settings)
    async with open_runtime(sqlite_settings) as rt:
        assert rt.db is not None and rt.cipher is not None
        old, fresh, held = await chat(rt, "amass", "a" * 32), await chat(rt, "amass", "b" * 32), await chat(
            rt, "amass", "c" * 32)
        long_ago = NOW - timedelta(days=400)
        await write(rt,
                  update(Conversation).where(Conversation.id.in_([old, held])).values(updated_at=long_ago),
                  update(Message).where(Message.conversation_id.in_([old, held])).values(created_at=long_ago),
                  update(ConversationState).where(ConversationState.conversation_id.in_([old, held]))
                  .values(updated_at=long_ago),
                  update(Conversation).where(Conversation.id == held).values(status="waiting"))
        for i, days in enumerate((10, 1)):
            await inbox.record(rt.db, rt.cipher, org="amass", channel="telegram", provider_id=f"u{i}", body="{}")
            await write(rt, update(InboundUpdate).where(InboundUpdate.provider_id == f"u{i}")
                      .values(received_at=NOW - timedelta(days=days)))
        staff_id = new_id()
        await write(rt,
                  insert(Staff).values(id=staff_id, email="s@x.sa", name="s", role="admin", orgs=["amass"],
                                       password_hash="x", password_changed_at=NOW, created_at=NOW),
                  *[insert(ProviderStatus).values(id=new_id(), org="amass", channel="sms", provider_message_id=f"SM{d}",
                                                  status="delivered", at=NOW - timedelta(days=d)) for d in (40, 2)],
                  *[insert(LoginAttempt).values(id=new_id(), email="s@x.sa", ip="1.2.3.4", ok=False,
                                                at=NOW - timedelta(days=d)) for d in (100, 2)],
                  *[insert(StaffSession).values(id=new_id() + str(d), staff_id=staff_id, csrf="c", ip=None,
                                                created_at=NOW - timedelta(days=d), last_seen_at=NOW - timedelta(days=d),
                                                ended_at=None) for d in (100, 2)],
                  *[insert(AuditLog).values(id=new_id(), at=NOW - timedelta(days=d), org=org, actor="t", action="x")
                    for d in (800, 400) for org in ("amass", None)])
        per_turn = await count(rt, Message, Message.conversation_id == fresh)
        assert per_turn >= 2
        done = await retention.sweep(rt.db, rt.packs, rt.settings, NOW)
        assert await count(rt, Message, Message.conversation_id == old) == 0, "an idle transcript goes"
        assert await count(rt, Message, Message.conversation_id == fresh) == per_turn, "a recent one stays"
        assert await count(rt, Message, Message.conversation_id == held) == per_turn, "one an officer waits on stays"
        assert await count(rt, Conversation) == 3, "the conversation itself stays for the reports"
        assert await count(rt, InboundUpdate) == 1
        assert await count(rt, ProviderStatus) == 1
        assert await count(rt, LoginAttempt) == 1
        assert await count(rt, StaffSession) == 1
        assert await count(rt, AuditLog, AuditLog.action == "x") == 2, "audit rows keep their own, longer period"
        assert done["messages"] == per_turn and done["audit"] == 2
        # the conversation goes on after its transcript was deleted
        await rt.engine.handle(InboundMessage(key=ConversationKey("amass", "webchat", "a" * 32), text="مرحبا"))
        assert await count(rt, Message, Message.conversation_id == old) >= 2


def test_periods_come_from_settings_then_pack_then_defaults(tmp_path: Path) -> None:
    base = load_settings(env={}, data_dir=str(tmp_path))
    from bot.packs import load_all

    amass = load_all()["amass"]
    assert retention.periods_for(amass, base).messages == retention.DEFAULTS["messages"]
    custom = amass.model_copy(update={"pack": amass.pack.model_copy(
        update={"retention": Retention(messages_days=30, audit_days=3650)})})
    assert retention.periods_for(custom, base).messages == 30
    assert retention.periods_for(custom, base).audit == 3650
    overridden = load_settings(env={"SILA_RETENTION_MESSAGES_DAYS": "90"}, data_dir=str(tmp_path))
    assert retention.periods_for(custom, overridden).messages == 90
    with pytest.raises(SettingsError, match="SILA_RETENTION_AUDIT_DAYS"):
        load_settings(env={"SILA_RETENTION_AUDIT_DAYS": "-1"})
