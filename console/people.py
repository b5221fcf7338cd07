"""Who a beneficiary is in the console's lists, and what waits for an officer's answer.

The name shown is the one the person gave (their profile, their filed request, the form they
are filling in) before their messaging profile's; two waiting rows saying only "beneficiary"
look identical. Unread counts are what an officer has not answered yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.clock import aware
from storage.models import Case, Message


async def unread_counts(conn: Any, since: dict[str, datetime]) -> dict[str, int]:
    """Messages the beneficiary sent since an officer last wrote to them (and since the hand-off
    began, ``since``), per conversation: what is waiting for an officer's answer. The assistant's
    own acknowledgements while the person waits do not count as an answer."""
    if not since:
        return {}
    ids = list(since)
    last_officer = (select(Message.conversation_id, func.max(Message.seq).label("seq"))
                    .where(Message.conversation_id.in_(ids), Message.direction == "out",
                           Message.author.like("officer:%"))
                    .group_by(Message.conversation_id).subquery())
    rows = (await conn.execute(
        select(Message.conversation_id, Message.created_at)
        .outerjoin(last_officer, last_officer.c.conversation_id == Message.conversation_id)
        .where(Message.conversation_id.in_(ids), Message.direction == "in",
               Message.seq > func.coalesce(last_officer.c.seq, 0))
    )).all()
    out: dict[str, int] = {}
    for cid, at in rows:
        at = aware(at)
        if at is not None and at >= since[cid]:
            out[cid] = out.get(cid, 0) + 1
    return out


async def filed_names(conn: Any, beneficiary_ids: list[str]) -> dict[str, str]:
    """The full name each beneficiary gave on their latest request (``cases.data``), by id."""
    if not beneficiary_ids:
        return {}
    rows = (await conn.execute(
        select(Case.beneficiary_id, Case.data).where(Case.beneficiary_id.in_(beneficiary_ids))
        .order_by(Case.created_at)
    )).all()
    out: dict[str, str] = {}
    for r in rows:  # oldest first: the latest request's name wins
        name = (r.data or {}).get("full_name") if isinstance(r.data, dict) else None
        if isinstance(name, str) and name.strip():
            out[r.beneficiary_id] = name.strip()[:200]
    return out


def person_name(full_name: str | None, state: dict[str, Any] | None, display_name: str | None) -> str | None:
    """The name to show for a beneficiary: the one they gave (their profile, else the form they are
    filling in), else their messaging profile's (a Telegram first name); None when unknown.

    A queue where every row says "beneficiary" makes two waiting people look identical.
    """
    if full_name and full_name.strip():
        return full_name.strip()
    flow = (state or {}).get("flow")
    answers = flow.get("answers") if isinstance(flow, dict) else None
    given = answers.get("full_name") if isinstance(answers, dict) else None
    if isinstance(given, str) and given.strip():
        return given.strip()[:200]
    return display_name.strip() if display_name and display_name.strip() else None
