"""The reminder sweep: forms left half-way get a gentle reminder; forms left past their expiry are
forgotten, answers and all; records past their retention period are deleted (``wiring.retention``).

A sweep finds conversations idle for longer than the runner's reminder delay and still inside
the form's expiry; each is re-checked under the conversation's lock (so two workers never both
remind) and gets the runner's reminder with the pending question, once per idle period.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, select

from bot.flows import runner
from bot.reminders import drop_expired_compose, remind_compose
from bot.types import ConversationKey
from storage.models import Conversation, ConversationState
from wiring import retention
from wiring.runtime import Runtime

log = logging.getLogger("sila.reminders")


async def drop_expired_forms(runtime: Runtime, now: datetime | None = None, *, limit: int = 1000) -> int:
    """Forget the answers of forms left longer than their expiry; returns how many were dropped.

    A person who comes back after the expiry starts the form again anyway, so the answers (a
    national ID, a diagnosis: sealed, but still personal data) serve no one and are not kept.
    Conversations an officer holds or waits on are left alone.
    """
    if runtime.db is None:
        return 0
    now = now or datetime.now(UTC)
    expiry = timedelta(hours=runtime.settings.flow_expiry_hours)
    dropped: list[str] = []
    for key in await _conversations(
        runtime, limit, ConversationState.updated_at < now - expiry, Conversation.status.in_(("bot", "closed")),
        cast(ConversationState.data, String).like('%"answers"%'),
    ):
        await runtime.engine.push(key, drop_expired_compose(now, expiry, dropped))
    return len(dropped)


async def _conversations(runtime: Runtime, limit: int, *conditions: Any) -> list[ConversationKey]:
    """Keys of conversations whose state matches ``conditions``, least recently touched first
    (associations no longer loaded are left out)."""
    stmt = (
        select(Conversation.org, Conversation.channel, Conversation.address)
        .join(ConversationState, ConversationState.conversation_id == Conversation.id)
        .where(*conditions).order_by(ConversationState.updated_at).limit(limit)
    )
    assert runtime.db is not None  # the callers return early without a database
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [ConversationKey(org, channel, address) for org, channel, address in rows if org in runtime.packs]


async def send_due_reminders(runtime: Runtime, now: datetime | None = None, *, after: timedelta | None = None) -> int:
    """Remind every conversation whose form has waited long enough; returns how many were reminded."""
    if runtime.db is None:
        return 0
    now = now or datetime.now(UTC)
    after = after or runner.REMINDER_AFTER
    expiry = timedelta(hours=runtime.settings.flow_expiry_hours)
    sent = 0
    for key in await _conversations(
        runtime, 1000, ConversationState.updated_at <= now - after, ConversationState.updated_at >= now - expiry,
        Conversation.status == "bot",
    ):
        if key.channel != "terminal":
            outcome = await runtime.engine.push(key, remind_compose(now, after))
            sent += bool(outcome.replies)
    return sent


async def reminder_loop(runtime: Runtime, every: float = 600.0) -> None:
    while True:
        try:
            n = await send_due_reminders(runtime)
            if n:
                log.info("sent %d form reminder(s)", n)
            n = await drop_expired_forms(runtime)
            if n:
                log.info("dropped the answers of %d expired form(s)", n)
            if runtime.db is not None:
                await retention.sweep(runtime.db, runtime.packs, runtime.settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reminder sweep failed")
        await asyncio.sleep(every)
