"""Staff display names, for every place that shows who wrote or did something.

A beneficiary's web chat and the console's transcript, audit log and case history all show an
officer by name rather than by id; one small query serves them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from storage.db import Database
from storage.models import Staff


async def staff_names(db: Database | None, ids: Iterable[str]) -> dict[str, str]:
    """``{staff id: name}`` for the ids that exist (unknown ids are simply absent)."""
    wanted = {i for i in ids if i}
    if db is None or not wanted:
        return {}
    async with db.reader.connect() as conn:
        rows = (await conn.execute(select(Staff.id, Staff.name).where(Staff.id.in_(wanted)))).all()
    return {r.id: r.name for r in rows}
