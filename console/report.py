"""The satisfaction and response-time report, and its CSV export.

Satisfaction is reported as the policy frames it: a tool for evaluation and improvement. Score =
mean rating (1–5) of answered surveys; response rate = answered / sent. Grouped by association,
channel, officer and ISO week. First-response time = first officer reply − hand-off request;
resolution time = hand-back or close − request.

CSV cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) get a
leading single quote.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from console.auth import StaffUser
from console.service import aware
from storage.models import Handoff, Staff, Survey
from wiring.runtime import Runtime

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def _group(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[str(r[key] or "—")].append(r)
    out = []
    for name, items in sorted(groups.items()):
        ratings = [i["rating"] for i in items if i["rating"] is not None]
        out.append({
            "name": name, "sent": len(items), "answered": len(ratings),
            "rate": round(100 * len(ratings) / len(items)) if items else 0,
            "score": round(statistics.fmean(ratings), 2) if ratings else None,
            "satisfied": round(100 * sum(1 for x in ratings if x >= 4) / len(ratings)) if ratings else None,
        })
    return out


async def survey_rows(runtime: Runtime, user: StaffUser, days: int = 90) -> list[dict[str, Any]]:
    assert runtime.db is not None
    since = datetime.now(UTC) - timedelta(days=days)
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(
            select(Survey.id, Survey.org, Survey.channel, Survey.trigger, Survey.sent_at, Survey.rating,
                   Survey.comment, Survey.answered_at, Staff.name.label("officer"))
            .outerjoin(Staff, Staff.id == Survey.officer_id)
            .where(Survey.org.in_(user.orgs), Survey.sent_at >= since).order_by(Survey.sent_at)
        )).all()
    out = []
    for r in rows:
        sent = aware(r.sent_at) or datetime.now(UTC)
        out.append({"id": r.id, "org": r.org, "channel": r.channel, "trigger": r.trigger, "sent_at": sent,
                    "week": _week(sent), "rating": r.rating, "comment": r.comment, "officer": r.officer})
    return out


def _minutes(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "mean": None, "median": None}
    return {"n": len(values), "mean": round(statistics.fmean(values), 1), "median": round(statistics.median(values), 1)}


async def build(runtime: Runtime, user: StaffUser, days: int = 90) -> dict[str, Any]:
    assert runtime.db is not None
    rows = await survey_rows(runtime, user, days)
    since = datetime.now(UTC) - timedelta(days=days)
    async with runtime.db.reader.connect() as conn:
        hs = (await conn.execute(
            select(Handoff.org, Handoff.requested_at, Handoff.first_response_at, Handoff.ended_at)
            .where(Handoff.org.in_(user.orgs), Handoff.requested_at >= since)
        )).all()
    first: dict[str, list[float]] = defaultdict(list)
    resolved: dict[str, list[float]] = defaultdict(list)
    for h in hs:
        req = aware(h.requested_at)
        assert req is not None
        if h.first_response_at is not None:
            first[h.org].append((aware(h.first_response_at) - req).total_seconds() / 60)
        if h.ended_at is not None:
            resolved[h.org].append((aware(h.ended_at) - req).total_seconds() / 60)
    times = [{"org": org, "first": _minutes(first[org]), "resolution": _minutes(resolved[org])}
             for org in sorted(set(first) | set(resolved))]
    return {
        "total": _group([{**r, "all": "all"} for r in rows], "all"),
        "by_org": _group(rows, "org"), "by_channel": _group(rows, "channel"),
        "by_officer": _group(rows, "officer"), "by_week": _group(rows, "week"),
        "times": times, "days": days,
    }


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["sent_at", "week", "association", "channel", "officer", "trigger", "rating", "comment"])
    for r in rows:
        writer.writerow([csv_safe(v) for v in (r["sent_at"].isoformat(), r["week"], r["org"], r["channel"],
                                               r["officer"], r["trigger"], r["rating"], r["comment"])])
    return buf.getvalue()
