"""Delivery bookkeeping beside the outbox: status callbacks, held messages, uncertain sends.

Why delivery status only moves forward: providers post callbacks concurrently and out of order
("delivered" may arrive before "sent"), and our own "sent" is written when the send call
returns, which can be after the first callback. Every update is therefore one conditional
``UPDATE … WHERE delivery_status IN (lower ranks)`` — race-free without reading first — and
every callback is also kept in ``provider_statuses`` so the worker can re-apply the best one
once it has stored the provider's message id.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, insert, or_, select, update
from sqlalchemy.orm import aliased

from bot.clock import utcnow
from bot.ids import new_id
from bot.records import OutboxItem
from storage.broadcast_models import BroadcastRecipient
from storage.db import Database
from storage.models import ChannelIdentity, Message, Outbox, ProviderStatus

#: our own and the providers' statuses, in the only order they may move
RANK: dict[str, int] = {
    "pending": 0, "held": 0, "unknown": 0, "accepted": 1, "scheduled": 1, "queued": 1, "sending": 2,
    "sent": 3, "delivered": 4, "read": 5, "failed": 9, "undelivered": 9, "undeliverable": 9, "canceled": 9,
}
TERMINAL = frozenset(s for s, r in RANK.items() if r == 9)


def lower_than(status: str) -> list[str]:
    rank = RANK[status]
    return [s for s, r in RANK.items() if r < rank]


async def apply_status(db: Database, org: str, channel: str, provider_message_id: str, status: str) -> bool:
    """Move the outbound message's status forward to ``status``; True when it changed."""
    if status not in RANK:
        return False
    stmt = (
        update(Message)
        .where(Message.org == org, Message.channel == channel, Message.direction == "out",
               Message.provider_message_id == provider_message_id,
               or_(Message.delivery_status.is_(None), Message.delivery_status.in_(lower_than(status))))
        .values(delivery_status=status)
    )
    async with db.writer.begin() as conn:
        return bool((await conn.execute(stmt)).rowcount)


async def record_callback(
    db: Database, org: str, channel: str, provider_message_id: str, status: str, *,
    outbox_id: str | None = None, error_code: str | None = None,
) -> bool:
    """Keep the callback, then move the message's status forward if it is ahead."""
    async with db.writer.begin() as conn:
        await conn.execute(insert(ProviderStatus).values(
            id=new_id(), org=org, channel=channel, provider_message_id=provider_message_id,
            outbox_id=outbox_id, status=status[:16], error_code=error_code, at=utcnow(),
        ))
    if outbox_id is not None and await apply_broadcast_status(db, outbox_id, provider_message_id, status, error_code):
        return True
    return await apply_status(db, org, channel, provider_message_id, status)


async def apply_broadcast_status(
    db: Database, recipient_id: str, provider_message_id: str, status: str, error_code: str | None = None,
) -> bool:
    """A callback for a broadcast message (its ``?outbox=`` names the recipient row): move it forward.

    Rows still ``queued`` are not touched (nothing of theirs is in flight); a row ``sending`` may
    be moved, because the callback can arrive before the worker has recorded its own "sent".
    """
    if status not in RANK:
        return False
    failed = status in TERMINAL
    allowed = [s for s in ("sending", "sent", "delivered", "read") if failed or RANK[s] < RANK[status]]
    values: dict[str, object] = {"status": "failed" if failed else status, "updated_at": utcnow()}
    if failed:
        values["last_error"] = f"provider: {status}" + (f" ({error_code})" if error_code else "")
    stmt = (update(BroadcastRecipient)
            .where(BroadcastRecipient.id == recipient_id, BroadcastRecipient.status.in_(allowed))
            .values(provider_message_id=provider_message_id, **values))
    async with db.writer.begin() as conn:
        return bool((await conn.execute(stmt)).rowcount)


async def reapply_callbacks(db: Database, org: str, channel: str, provider_message_id: str) -> None:
    """After storing a provider id: apply the furthest status a callback already reported."""
    stmt = select(ProviderStatus.status).where(
        ProviderStatus.org == org, ProviderStatus.channel == channel,
        ProviderStatus.provider_message_id == provider_message_id,
    )
    async with db.reader.connect() as conn:
        statuses = [s for (s,) in (await conn.execute(stmt)).all() if s in RANK]
    if statuses:
        await apply_status(db, org, channel, provider_message_id, max(statuses, key=RANK.__getitem__))


async def provider_id_for_outbox(db: Database, outbox_id: str, *, exclude: Collection[str] = ()) -> str | None:
    """The provider's id for an outbox row, learnt from a callback that carried ``?outbox=``.

    ``exclude``: ids of parts of the row already known to be accepted; every part's callback
    carries the same ``?outbox=``, so only another id can be the part whose send timed out.
    """
    stmt = select(ProviderStatus.provider_message_id).where(ProviderStatus.outbox_id == outbox_id)
    if exclude:
        stmt = stmt.where(ProviderStatus.provider_message_id.not_in(list(exclude)))
    stmt = stmt.limit(1)
    async with db.reader.connect() as conn:
        return (await conn.execute(stmt)).scalar()


async def sent_for_another_row(db: Database, item: OutboxItem, provider_id: str) -> bool:
    """Is ``provider_id`` already known as the send of another outbox row than ``item``?

    A reconcile matches the provider's recent messages by recipient and text; the same text to
    the same person shortly before (a repeated answer, a reminder) must not pass for this row's.
    """
    mine = select(Outbox.id).where(Outbox.conversation_id == item.conversation_id, Outbox.id != item.id,
                                   Outbox.provider_message_id == provider_id).limit(1)
    called_back = select(ProviderStatus.id).where(
        ProviderStatus.org == item.org, ProviderStatus.channel == item.channel,
        ProviderStatus.provider_message_id == provider_id, ProviderStatus.outbox_id.is_not(None),
        ProviderStatus.outbox_id != item.id).limit(1)
    async with db.reader.connect() as conn:
        return (await conn.execute(mine)).first() is not None or (await conn.execute(called_back)).first() is not None


async def mark_uncertain(db: Database, outbox_id: str, at: datetime | None) -> None:
    async with db.writer.begin() as conn:
        await conn.execute(update(Outbox).where(Outbox.id == outbox_id).values(uncertain_at=at))


async def renew_outbox_leases(db: Database, ids: list[str], until: datetime) -> None:
    """Push the lease of rows this worker still holds ('sending') out to ``until``."""
    async with db.writer.begin() as conn:
        for i in range(0, len(ids), 500):
            await conn.execute(update(Outbox).where(Outbox.id.in_(ids[i:i + 500]), Outbox.status == "sending")
                               .values(next_attempt_at=until))


async def uncertain_since(db: Database, outbox_id: str) -> datetime | None:
    async with db.reader.connect() as conn:
        return (await conn.execute(select(Outbox.uncertain_at).where(Outbox.id == outbox_id))).scalar()


def outbox_due(now: datetime) -> ColumnElement[bool]:
    """Outbox rows a worker may claim now: pending, or leased but the lease ran out, and not
    held back by an earlier row of the same conversation that waits (a retry later, or in flight
    elsewhere), so a person never reads replies out of order. Ids sort by creation time; rows
    due together are claimed together and sent in order by one lane. With several workers on
    PostgreSQL, a row whose earlier sibling another worker is claiming at that very instant
    (locked, so SKIP LOCKED hid it) is dropped from the claim after the select
    (``sql_conversations._not_behind_a_row_claimed_elsewhere``)."""
    earlier = aliased(Outbox)
    held_back = exists().where(
        earlier.conversation_id == Outbox.conversation_id, earlier.id < Outbox.id,
        earlier.status.in_(("pending", "sending")), earlier.next_attempt_at > now,
    )
    return and_(Outbox.status.in_(("pending", "sending")), Outbox.next_attempt_at <= now, ~held_back)


async def has_due(db: Database, now: datetime | None = None) -> bool:
    """Is any outbox row claimable? A read, so an idle worker never takes SQLite's write lock to
    find out, not even while the only rows waiting are held back behind an earlier one."""
    stmt = select(Outbox.id).where(outbox_due(now or utcnow())).limit(1)
    async with db.reader.connect() as conn:
        return (await conn.execute(stmt)).first() is not None


async def release_held(db: Database, window: timedelta, now: datetime | None = None) -> int:
    """Held WhatsApp rows go back to pending once their person has written within the window."""
    now = now or utcnow()
    async with db.reader.connect() as conn:
        if (await conn.execute(select(Outbox.id).where(Outbox.status == "held").limit(1))).first() is None:
            return 0
    reopened = exists().where(
        ChannelIdentity.org == Outbox.org, ChannelIdentity.channel == Outbox.channel,
        ChannelIdentity.address == Outbox.address, ChannelIdentity.last_inbound_at >= now - window,
    )
    stmt = (
        update(Outbox).where(and_(Outbox.status == "held", reopened))
        .values(status="pending", next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    async with db.writer.begin() as conn:
        return int((await conn.execute(stmt)).rowcount or 0)


async def outbox_status(db: Database, outbox_id: str) -> tuple[str, str | None, str | None] | None:
    """(status, provider id, last error) of one outbox row: for tests and the console."""
    stmt = select(Outbox.status, Outbox.provider_message_id, Outbox.last_error).where(Outbox.id == outbox_id)
    async with db.reader.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return (row.status, row.provider_message_id, row.last_error) if row else None
