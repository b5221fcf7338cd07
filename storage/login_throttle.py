"""Failed-login counters with growing delays, taken atomically *before* a password is checked.

Why before: a throttle that reads the count, checks the password, then writes the failure lets
40 concurrent guesses all be checked (each read sees the same old count). Here every attempt
first takes a slot with one upsert per key::

    INSERT … VALUES (key, 1, now + delay(1), now)
    ON CONFLICT (key) DO UPDATE SET fails = fails + 1, not_before = now + delay(fails + 1), …
    WHERE login_throttle.not_before <= now
    RETURNING fails

The WHERE is evaluated on the row as it stands after any concurrent writer has committed (row lock
on PostgreSQL, one writer on SQLite), so once a key reaches its free attempts the next ones find
``not_before`` ahead and get no row back: refused without a password check, in every worker.

Why growing delays and not a lock: a hard lock is a weapon — five wrong tries would lock a member
of staff out for everyone. A delay only slows the guesser, doubles while they keep failing (up to
a cap), and a refused attempt is not counted, so hammering during a delay does not lengthen it.

Keys are hashed (SHA-256): the table holds no e-mail or address in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, case, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.models import LoginThrottle


@dataclass(frozen=True, slots=True)
class Policy:
    """``free`` attempts, then ``base`` seconds doubling per further failure up to ``cap``.

    Counters not touched for ``forget`` seconds start again from zero.
    """

    free: int
    base: float
    cap: float
    forget: float = 3600.0

    def delay(self, fails: int) -> float:
        """Seconds the next attempt waits after ``fails`` counted attempts."""
        if fails < self.free:
            return 0.0
        return min(self.cap, self.base * 2 ** (fails - self.free))

    def not_before(self, fails: int, now: float) -> float:
        """When the next attempt may be checked. 0, not ``now``, while attempts are free: a
        concurrent request that read the clock a moment earlier must not find itself "too early"."""
        delay = self.delay(fails)
        return now + delay if delay else 0.0

    def not_before_sql(self, fails: Any, now: float) -> Any:
        """The same as a SQL CASE (no POWER(): SQLite may be built without it)."""
        whens: list[tuple[Any, Any]] = [(fails < self.free, literal(0.0))]
        n = self.free
        while self.delay(n) < self.cap:
            whens.append((fails == n, literal(now + self.delay(n))))
            n += 1
        return case(*whens, else_=literal(now + self.cap))


def hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Blocked(Exception):
    """Rolls a claim back when one of its keys is waiting; carries the seconds to wait."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


async def _take(conn: AsyncConnection, dialect: str, key: str, policy: Policy, now: float) -> bool:
    table: Table = LoginThrottle.__table__  # type: ignore[assignment]
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stale = table.c.updated_at < now - policy.forget
    fails = case((stale, 1), else_=table.c.fails + 1)
    stmt = ins.values(key=key, fails=1, not_before=policy.not_before(1, now), updated_at=now).on_conflict_do_update(
        index_elements=["key"],
        set_={"fails": fails, "not_before": policy.not_before_sql(fails, now), "updated_at": now},
        where=(table.c.not_before <= now) | stale,
    ).returning(table.c.fails)
    return (await conn.execute(stmt)).first() is not None


async def waiting(db: Database, keys: list[str], now: float) -> float:
    """Seconds until every key's delay has passed (0.0: none is waiting); a read, no lock.

    Why first: an attempt refused here costs one read, not the writer's lock — on SQLite every
    turn of every chat waits for that lock, so a storm of refused sign-ins must not take it.
    """
    async with db.reader.connect() as conn:
        latest = (await conn.execute(select(func.max(LoginThrottle.not_before))
                                     .where(LoginThrottle.key.in_([hashed(k) for k in keys])))).scalar()
    return max(0.0, float(latest or 0.0) - now)


async def claim(db: Database, keys: list[tuple[str, Policy]], now: float) -> float:
    """Count one attempt on every key: 0.0 when the password may be checked, else seconds to wait.

    All keys or none: one transaction, rolled back when any key is waiting, so a refused attempt
    costs the person nothing. Keys are taken in a fixed order so two claims cannot deadlock.
    """
    wait = await waiting(db, [k for k, _ in keys], now)
    if wait > 0:
        return max(1.0, wait)
    ordered = sorted(((hashed(k), p) for k, p in keys), key=lambda kp: kp[0])
    try:
        async with db.writer.begin() as conn:
            for key, policy in ordered:
                if not await _take(conn, db.dialect, key, policy, now):
                    raise Blocked(await _wait(conn, key, now))
    except Blocked as blocked:
        return blocked.wait
    return 0.0


async def _wait(conn: AsyncConnection, key: str, now: float) -> float:
    not_before = (await conn.execute(select(LoginThrottle.not_before).where(LoginThrottle.key == key))).scalar()
    return max(1.0, float(not_before or now) - now)


async def succeeded(db: Database, *, forget: list[str], uncount: list[str]) -> None:
    """After a right password: ``forget`` keys start afresh; ``uncount`` keys give back this attempt.

    The client address is only uncounted, not forgotten: an attacker who also holds an account
    must not wipe their address's failures by signing in to it between guesses, and an office of
    colleagues behind one address must not be slowed down by their own successful sign-ins.
    """
    async with db.writer.begin() as conn:
        if forget:
            await conn.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([hashed(k) for k in forget])))
        for key in uncount:
            await conn.execute(update(LoginThrottle).where(LoginThrottle.key == hashed(key), LoginThrottle.fails > 0)
                               .values(fails=LoginThrottle.fails - 1))


async def forget_older_than(db: Database, before: float) -> int:
    """Drop counters nobody has touched since ``before`` (they would start afresh anyway)."""
    async with db.writer.begin() as conn:
        return (await conn.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < before))).rowcount or 0
