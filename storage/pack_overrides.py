"""``pack_overrides``: the versions of each association's edits of its pack (migration 0009).

One row per version, never updated: the author (``staff:<id>``), when, what kind of change,
the whole override document of that version (what differs from the pack on disk, see
:mod:`bot.pack_edit`) and its diff against the version before. The latest row is what every
worker applies; a roll-back is a new version carrying an older document, so history only grows.
``(org, version)`` is unique: two admins saving at the same instant cannot both become version
N, the second is told the pack changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from bot.ids import new_id
from storage.cases import audit
from storage.db import Database
from storage.models import Base


class PackOverride(Base):
    __tablename__ = "pack_overrides"
    __table_args__ = (UniqueConstraint("org", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org: Mapped[str] = mapped_column(ForeignKey("associations.slug"))
    version: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(40))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    diff: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True, slots=True)
class Version:
    org: str
    version: int
    author: str
    at: datetime
    action: str
    document: dict[str, Any]
    diff: str


class VersionConflict(Exception):
    """Someone saved another version of this association's pack first."""


def _version(row: Any) -> Version:
    return Version(row.org, row.version, row.author, row.at, row.action, row.document or {}, row.diff)


async def latest(db: Database, org: str | None = None) -> dict[str, Version]:
    """The latest version of each association's edits (of one, with ``org``)."""
    newest = select(PackOverride.org, func.max(PackOverride.version).label("v")).group_by(PackOverride.org)
    if org is not None:
        newest = newest.where(PackOverride.org == org)
    sub = newest.subquery()
    stmt = select(PackOverride).join(sub, (PackOverride.org == sub.c.org) & (PackOverride.version == sub.c.v))
    async with db.reader.connect() as conn:
        return {r.org: _version(r) for r in (await conn.execute(stmt)).all()}


async def history(db: Database, org: str, limit: int = 100) -> list[Version]:
    stmt = (select(PackOverride).where(PackOverride.org == org)
            .order_by(PackOverride.version.desc()).limit(limit))
    async with db.reader.connect() as conn:
        return [_version(r) for r in (await conn.execute(stmt)).all()]


async def get(db: Database, org: str, version: int) -> Version | None:
    stmt = select(PackOverride).where(PackOverride.org == org, PackOverride.version == version)
    async with db.reader.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return _version(row) if row else None


async def _current(conn: AsyncConnection, org: str) -> int:
    found = await conn.scalar(select(func.max(PackOverride.version)).where(PackOverride.org == org))
    return int(found or 0)


async def save(db: Database, *, org: str, expected: int, author: str, action: str, document: dict[str, Any],
               diff: str, audit_detail: dict[str, Any] | None = None) -> Version:
    """Store version ``expected + 1`` and its audit row in one transaction.

    ``expected`` is the version the admin's edit started from: if another version was saved
    since, :class:`VersionConflict`, and nothing is stored.
    """
    at = datetime.now(UTC)
    try:
        async with db.writer.begin() as conn:
            if await _current(conn, org) != expected:
                raise VersionConflict(org)
            version = expected + 1
            await conn.execute(insert(PackOverride).values(
                id=new_id(), org=org, version=version, author=author, at=at, action=action,
                document=document, diff=diff))
            await audit(conn, actor=author, action=f"pack.{action}", org=org, target=f"v{version}",
                        detail={"version": version, **(audit_detail or {})})
    except IntegrityError:
        raise VersionConflict(org) from None
    return Version(org, version, author, at, action, document, diff)
