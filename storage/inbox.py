"""The durable inbox: provider updates written before they are acknowledged (see InboundUpdate).

A raw update holds whatever the person typed, a national ID included, so it is personal data
kept only as long as it is needed: the body is encrypted with the data key while it waits
(:class:`storage.crypto.DataCipher`, so ``sila keys rotate`` covers it) and emptied the moment
the update has been processed. The row itself (ids and times, no content) stays for the
de-duplication of re-deliveries until the retention sweep removes it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.ids import new_id
from storage.crypto import DataCipher
from storage.db import Database
from storage.models import InboundUpdate

log = logging.getLogger("sila.inbox")


async def record(db: Database, cipher: DataCipher, *, org: str, channel: str, provider_id: str,
                 body: str) -> str | None:
    """Store the update (body encrypted); its row id, or None when the provider already delivered it."""
    row_id = new_id()
    try:
        async with db.writer.begin() as conn:
            await conn.execute(insert(InboundUpdate).values(
                id=row_id, org=org, channel=channel, provider_id=provider_id, body=cipher.encrypt(body),
                received_at=datetime.now(UTC), processed_at=None,
            ))
    except IntegrityError:
        return None
    return row_id


async def mark_processed(db: Database, row_id: str) -> None:
    """The update is in the transcript now (masked there): its raw copy is dropped."""
    async with db.writer.begin() as conn:
        await conn.execute(update(InboundUpdate).where(InboundUpdate.id == row_id)
                           .values(processed_at=datetime.now(UTC), body=""))


async def unprocessed(
    db: Database, cipher: DataCipher, channel: str, *, older_than: timedelta,
    max_age: timedelta = timedelta(days=1), limit: int = 200,
) -> list[tuple[str, str, str]]:
    """(row id, org, body in clear) of updates acknowledged but never processed (their worker died).

    Older than ``max_age`` they are left alone: an update that fails for a day is a bug to read
    in the logs, not something to retry forever. A body that cannot be opened (its key retired
    without ``sila keys rotate``) is skipped with a warning.
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
    out: list[tuple[str, str, str]] = []
    for r in rows:
        try:
            out.append((r.id, r.org, cipher.decrypt(r.body)))
        except Exception as exc:  # InvalidTag, unknown key, not a token: unreadable either way
            log.warning("inbound update %s could not be opened (%s); skipped", r.id, type(exc).__name__)
    return out
