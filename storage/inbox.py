"""The durable inbox: provider updates written before they are acknowledged (see InboundUpdate)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.ids import new_id
from storage.db import Database
from storage.models import InboundUpdate


async def record(db: Database, *, org: str, channel: str, provider_id: str, body: str) -> str | None:
    """Store the update; its row id, or None when the provider already delivered it."""
    row_id = new_id()
    try:
        async with db.writer.begin() as conn:
            await conn.execute(insert(InboundUpdate).values(
                id=row_id, org=org, channel=channel, provider_id=provider_id, body=body,
                received_at=datetime.now(UTC), processed_at=None,
            ))
    except IntegrityError:
        return None
    return row_id


async def mark_processed(db: Database, row_id: str) -> None:
    async with db.writer.begin() as conn:
        await conn.execute(update(InboundUpdate).where(InboundUpdate.id == row_id)
                           .values(processed_at=datetime.now(UTC)))


async def unprocessed(
    db: Database, channel: str, *, older_than: timedelta, max_age: timedelta = timedelta(days=1), limit: int = 200
) -> list[tuple[str, str, str]]:
    """(row id, org, body) of updates acknowledged but never processed (their worker died).

    Older than ``max_age`` they are left alone: an update that fails for a day is a bug to read
    in the logs, not something to retry forever.
    """
    now = datetime.now(UTC)
    cutoff = now - older_than
    async with db.reader.connect() as conn:
        rows = (await conn.execute(
            select(InboundUpdate.id, InboundUpdate.org, InboundUpdate.body)
            .where(InboundUpdate.processed_at.is_(None), InboundUpdate.channel == channel,
                   InboundUpdate.received_at <= cutoff, InboundUpdate.received_at >= now - max_age)
            .order_by(InboundUpdate.received_at).limit(limit)
        )).all()
    return [(r.id, r.org, r.body) for r in rows]
