"""Finding a person: by name, by the last digits of their mobile, or by a request's reference.

An officer on the phone with a beneficiary has one of these to hand, rarely the conversation's
link. The search covers the officer's own associations only and opens the person's latest
conversation (the transcript there spans their channels). Opening a result is audited as a view
like any conversation page; the list itself shows only what the queue already shows.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from sqlalchemy import or_, select

from bot.clock import aware
from console.people import filed_names, person_name
from console.web import need, render, runtime_of
from storage.models import Beneficiary, Case, ChannelIdentity, Conversation, ConversationState, Profile

MAX_RESULTS = 30
DIGITS = re.compile(r"^\+?[0-9٠-٩]{3,15}$")
REFERENCE = re.compile(r"^[A-Za-z]{3}-\d{2}-\d{1,5}$")


def _ascii_digits(text: str) -> str:
    return text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")).lstrip("+")


async def search_page(request: web.Request) -> web.Response:
    user = await need(request)
    runtime = runtime_of(request)
    assert runtime.db is not None
    q = request.query.get("q", "").strip()[:80]
    rows: list[dict[str, Any]] = []
    if q:
        conds = []
        if REFERENCE.match(q):
            conds.append(Conversation.beneficiary_id.in_(
                select(Case.beneficiary_id).where(Case.reference == q.upper())))
        if DIGITS.match(q):
            tail = "%" + _ascii_digits(q)[-9:]
            conds.append(Conversation.beneficiary_id.in_(select(Profile.beneficiary_id).where(
                Profile.phone_e164.like(tail))))
            conds.append(Conversation.beneficiary_id.in_(select(ChannelIdentity.beneficiary_id).where(
                ChannelIdentity.channel.in_(("sms", "whatsapp")), ChannelIdentity.address.like(tail))))
            conds.append(Conversation.beneficiary_id.in_(select(Case.beneficiary_id).where(Case.phone_e164.like(tail))))
            conds.append(ConversationState.data[("flow", "answers", "mobile")].as_string().like(tail))
        if len(q) >= 2 and not DIGITS.match(q):
            like = f"%{q}%"
            conds.append(Beneficiary.display_name.like(like))
            conds.append(Profile.full_name.like(like))
            conds.append(Conversation.beneficiary_id.in_(
                select(Case.beneficiary_id).where(Case.data["full_name"].as_string().like(like))))
            # a form still being filled in (the name is never a sealed field)
            conds.append(ConversationState.data[("flow", "answers", "full_name")].as_string().like(like))
        if conds:
            async with runtime.db.reader.connect() as conn:
                found = (await conn.execute(
                    select(Conversation.id, Conversation.org, Conversation.channel, Conversation.status,
                           Conversation.updated_at, Conversation.beneficiary_id, ConversationState.data,
                           Beneficiary.display_name, Profile.full_name)
                    .join(ConversationState, ConversationState.conversation_id == Conversation.id)
                    .join(Beneficiary, Beneficiary.id == Conversation.beneficiary_id)
                    .outerjoin(Profile, Profile.beneficiary_id == Conversation.beneficiary_id)
                    .where(Conversation.org.in_(user.orgs), or_(*conds))
                    .order_by(Conversation.updated_at.desc()).limit(MAX_RESULTS)
                )).all()
                filed = await filed_names(conn, [r.beneficiary_id for r in found if not r.full_name])
            rows = [{"id": r.id, "org": r.org, "channel": r.channel, "status": r.status,
                     "name": person_name(r.full_name or filed.get(r.beneficiary_id), r.data, r.display_name),
                     "at": aware(r.updated_at)} for r in found]
    return render(request, "search.html", q=q, rows=rows)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/console/search", search_page)
