"""Time as Sila keeps it: everything stored and compared in UTC, shown in Saudi time.

One helper for each, because the same two mistakes recur otherwise: SQLite hands back naive
datetimes for timezone-aware columns (they were stored as UTC), and a time a person types or
reads is Saudi time (UTC+3 all year, no daylight saving).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import overload

#: Saudi Arabia: UTC+3 all year
RIYADH = timezone(timedelta(hours=3), "+03")


@overload
def aware(value: datetime) -> datetime: ...


@overload
def aware(value: None) -> None: ...


def aware(value: datetime | None) -> datetime | None:
    """``value`` with its time zone; a naive value (as SQLite returns them) is taken as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def utcnow() -> datetime:
    return datetime.now(UTC)
