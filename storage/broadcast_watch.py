"""Is anybody sending this broadcast? The console's warning when no worker picks it up.

A broadcast sent from the console is only rows in a queue until a worker claims them; with the
worker switched off in ``sila serve`` and no ``sila broadcast work`` running, the progress page
used to sit at 0/160 forever. Rows carry the time they fall due (``next_attempt_at``: the start,
the schedule, or the end of a claim's lease) and the time a worker last touched them
(``updated_at``), so "work has been due for a while and nothing moved" needs no heartbeat table.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from storage.broadcast_models import OPEN_SQL, BroadcastRecipient
from storage.conversations import utcnow
from storage.db import Database

#: how long due work may wait untouched before the console says no worker is sending
UNCLAIMED_AFTER = timedelta(seconds=10)


async def unclaimed(db: Database, broadcast_id: str, grace: timedelta = UNCLAIMED_AFTER) -> bool:
    """True when rows have been due for ``grace`` and no worker touched any row within ``grace``."""
    r = BroadcastRecipient
    cutoff = utcnow() - grace
    async with db.reader.connect() as conn:
        overdue = (await conn.execute(
            select(r.id).where(r.broadcast_id == broadcast_id, text(OPEN_SQL), r.next_attempt_at <= cutoff).limit(1)
        )).first()
        if overdue is None:
            return False
        last = (await conn.execute(select(func.max(r.updated_at)).where(r.broadcast_id == broadcast_id))).scalar()
    if last is None:
        return True
    if last.tzinfo is None:
        last = last.replace(tzinfo=cutoff.tzinfo)
    return bool(last < cutoff)
