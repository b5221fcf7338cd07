"""Status-verification failures, counted in the audit trail (:class:`bot.ports.VerificationGuard`).

The counter used to live in one inquiry's state, so a new inquiry or a new visitor started
afresh and a reference could be guessed at. Each attempt is now an audit row
(``case.status_failed``, target the reference, actor the person) written *before* the answer is
checked, and a success adds ``case.status_verified``. Counting those rows gives, durably and
across workers:

* per reference: after ``FREE_PER_REFERENCE`` failures since its last success (within a week),
  a lock-out that doubles with every further failure (15 min, 30 min, 1 h … up to a week);
* per person (beneficiary): the same after ``FREE_PER_PERSON`` failures across all references,
  so one visitor cannot walk through sequential references either.

The rows are also what the officer sees on the case page (repeated failures on a request).
On PostgreSQL a transaction-scoped advisory lock per reference serialises the count and the
insert, so parallel guesses cannot all read "not locked" first; SQLite's writer is serial.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.cases import audit
from storage.db import Database
from storage.models import AuditLog

FAILED, VERIFIED = "case.status_failed", "case.status_verified"
FREE_PER_REFERENCE = 3
FREE_PER_PERSON = 5
WINDOW = timedelta(days=7)
FIRST_LOCK = timedelta(minutes=15)


def lock_until(failures: int, last: datetime | None, free: int) -> datetime | None:
    """When a key with ``failures`` (the last at ``last``) may be tried again; None: it may now."""
    if failures < free or last is None:
        return None
    return last + min(FIRST_LOCK * 2 ** min(failures - free, 16), WINDOW)


def _aware(value: datetime | None, like: datetime) -> datetime | None:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    if value is not None and value.tzinfo is None and like.tzinfo is not None:
        return value.replace(tzinfo=like.tzinfo)
    return value


class AuditVerificationGuard:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _failures(self, conn: AsyncConnection, org: str, now: datetime,
                        *where: ColumnElement[bool]) -> tuple[int, datetime | None]:
        since = now - WINDOW
        last_ok = (await conn.execute(select(func.max(AuditLog.at)).where(
            AuditLog.org == org, AuditLog.action == VERIFIED, AuditLog.at >= since, *where))).scalar()
        since = max(since, _aware(last_ok, now) or since)
        count, last = (await conn.execute(select(func.count(), func.max(AuditLog.at)).where(
            AuditLog.org == org, AuditLog.action == FAILED, AuditLog.at > since, *where))).one()
        return int(count or 0), _aware(last, now)

    async def attempt(self, *, org: str, reference: str, who: str, now: datetime) -> bool:
        async with self.db.writer.begin() as conn:
            if self.db.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                                   {"k": f"verify:{org}:{reference}"})
            by_ref = await self._failures(conn, org, now, AuditLog.target == reference)
            by_who = await self._failures(conn, org, now, AuditLog.actor == who)
            for (count, last), free in ((by_ref, FREE_PER_REFERENCE), (by_who, FREE_PER_PERSON)):
                until = lock_until(count, last, free)
                if until is not None and now < until:
                    return False
            await audit(conn, actor=who, action=FAILED, org=org, target=reference)
        return True

    async def verified(self, *, org: str, reference: str, who: str, now: datetime) -> None:
        """The audit row of a successful look at a request (``case.status_verified``, as before).

        It ends the reference's run of failures; a person's own count is not reset by it (the
        row's actor is the generic "beneficiary", who is in its detail), so succeeding on one
        reference does not buy more guesses at others.
        """
        async with self.db.writer.begin() as conn:
            await audit(conn, actor="beneficiary", action=VERIFIED, org=org, target=reference, detail={"who": who})

    async def failures(self, org: str, reference: str, now: datetime) -> tuple[int, datetime | None]:
        """Failed attempts on ``reference`` since its last success, within the window (the case page)."""
        async with self.db.reader.connect() as conn:
            return await self._failures(conn, org, now, AuditLog.target == reference)
