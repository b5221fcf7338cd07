"""What the console does to conversations: the queue, claim/assign, reply, hand back, close.

Every change of a conversation's status goes through ``Engine.push`` under the conversation's
lock, with a message to the beneficiary, so the engine's state, the transcript and the live web
chat agree. Hand-off episodes (``handoffs``) keep who took the conversation and when, for the
first-response and resolution figures in the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import aware
from bot.context import TurnContext
from bot.i18n import t
from bot.ids import new_id
from bot.stages.survey import survey_compose
from bot.types import ConversationKey, Text
from console.auth import StaffUser
from console.people import filed_names, person_name, unread_counts
from storage.cases import audit
from storage.models import (
    Beneficiary,
    ChannelIdentity,
    Conversation,
    ConversationState,
    Handoff,
    Profile,
    Staff,
    Survey,
)
from wiring.runtime import Runtime

log = logging.getLogger("sila.console")
MAX_REPLY = 2000
MAX_NOTE = 2000


class Forbidden(Exception):
    pass


class NotFound(Exception):
    pass


class Conflict(Exception):
    """The conversation is not in a state that allows this (e.g. someone else claimed it)."""


@dataclass(slots=True)
class ConvRow:
    id: str
    org: str
    channel: str
    address: str
    beneficiary_id: str
    status: str
    state: dict[str, Any]
    name: str | None
    updated_at: datetime

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(self.org, self.channel, self.address)




async def load_conversation(runtime: Runtime, user: StaffUser, conversation_id: str) -> ConvRow:
    """The conversation if ``user`` may see it: unknown → NotFound, another association → Forbidden."""
    assert runtime.db is not None
    if len(conversation_id) > 32:
        raise NotFound(conversation_id)
    async with runtime.db.reader.connect() as conn:
        row = (await conn.execute(
            select(Conversation.id, Conversation.org, Conversation.channel, Conversation.address,
                   Conversation.beneficiary_id, Conversation.status, Conversation.updated_at,
                   ConversationState.data, Beneficiary.display_name, Profile.full_name)
            .join(ConversationState, ConversationState.conversation_id == Conversation.id)
            .join(Beneficiary, Beneficiary.id == Conversation.beneficiary_id)
            .outerjoin(Profile, Profile.beneficiary_id == Conversation.beneficiary_id)
            .where(Conversation.id == conversation_id)
        )).first()
        filed = await filed_names(conn, [row.beneficiary_id]) if row is not None and not row.full_name else {}
    if row is None:
        raise NotFound(conversation_id)
    if not user.can(row.org):
        raise Forbidden(conversation_id)
    return ConvRow(row.id, row.org, row.channel, row.address, row.beneficiary_id, row.status,
                   dict(row.data or {}),
                   person_name(row.full_name or filed.get(row.beneficiary_id), row.data, row.display_name),
                   aware(row.updated_at) or datetime.now(UTC))


async def queue(runtime: Runtime, user: StaffUser, *, label: str = "") -> dict[str, list[dict[str, Any]]]:
    """Waiting conversations (urgent first, then oldest first) and those officers hold, in the user's associations.

    ``label``: only the waiting and held conversations an officer marked with it (the labels
    live in each conversation's state, so the filter runs here, on rows already read)."""
    assert runtime.db is not None
    now = datetime.now(UTC)
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(
            select(Conversation.id, Conversation.org, Conversation.channel, Conversation.status,
                   Conversation.beneficiary_id, Conversation.updated_at, ConversationState.data,
                   Beneficiary.display_name, Profile.full_name)
            .join(ConversationState, ConversationState.conversation_id == Conversation.id)
            .join(Beneficiary, Beneficiary.id == Conversation.beneficiary_id)
            .outerjoin(Profile, Profile.beneficiary_id == Conversation.beneficiary_id)
            .where(Conversation.org.in_(user.orgs), Conversation.status.in_(("waiting", "human")))
            .order_by(Conversation.updated_at).limit(500)
        )).all()
        ids = [r.id for r in rows]
        assigned: dict[str, str | None] = {}
        if ids:
            for h in (await conn.execute(
                select(Handoff.conversation_id, Staff.name).outerjoin(Staff, Staff.id == Handoff.assigned_to)
                .where(Handoff.conversation_id.in_(ids), Handoff.ended_at.is_(None))
            )).all():
                assigned[h.conversation_id] = h.name
        filed = await filed_names(conn, [r.beneficiary_id for r in rows if not r.full_name])
        unread = await unread_counts(conn, {r.id: _requested_at(r.data, r.updated_at, now) for r in rows})
    waiting: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for r in rows:
        handoff = (r.data or {}).get("handoff") or {}
        requested = _requested_at(r.data, r.updated_at, now)
        item = {
            "id": r.id, "org": r.org, "channel": r.channel, "status": r.status,
            "name": person_name(r.full_name or filed.get(r.beneficiary_id), r.data, r.display_name),
            "reason": handoff.get("reason") or "requested", "requested_at": requested,
            "urgent": bool(handoff.get("urgent")),
            "wait_minutes": max(0, int((now - requested).total_seconds() // 60)),
            "assignee": assigned.get(r.id), "unread": unread.get(r.id, 0),
            "sla": runtime.packs[r.org].pack.first_response_minutes if r.org in runtime.packs else None,
            "labels": [x for x in (r.data or {}).get("labels") or [] if isinstance(x, str)],
        }
        (waiting if r.status == "waiting" else held).append(item)
    if label:
        waiting = [i for i in waiting if label in i["labels"]]
        held = [i for i in held if label in i["labels"]]
    # a person in crisis heads the queue, however long others have waited
    waiting.sort(key=lambda i: (not i["urgent"], i["requested_at"]))
    return {"waiting": waiting, "held": held, "active": await _active_with_bot(runtime, user, now)}


def _requested_at(state: Any, updated_at: datetime | None, now: datetime) -> datetime:
    """When this hand-off was asked for (the conversation's last change when the state lacks it)."""
    handoff = (state or {}).get("handoff") or {}
    try:
        return aware(datetime.fromisoformat(handoff["requested_at"])) or now
    except (KeyError, TypeError, ValueError):
        return aware(updated_at) or now


async def _active_with_bot(runtime: Runtime, user: StaffUser, now: datetime) -> list[dict[str, Any]]:
    """Conversations the bot is handling now (last 24 h): an officer may step in without being asked."""
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(
            select(Conversation.id, Conversation.org, Conversation.channel, Conversation.updated_at,
                   Conversation.beneficiary_id, Beneficiary.display_name, Profile.full_name, ConversationState.data)
            .join(Beneficiary, Beneficiary.id == Conversation.beneficiary_id)
            .join(ConversationState, ConversationState.conversation_id == Conversation.id)
            .outerjoin(Profile, Profile.beneficiary_id == Conversation.beneficiary_id)
            .where(Conversation.org.in_(user.orgs), Conversation.status == "bot",
                   Conversation.updated_at >= now - timedelta(hours=24))
            .order_by(Conversation.updated_at.desc()).limit(50)
        )).all()
        filed = await filed_names(conn, [r.beneficiary_id for r in rows if not r.full_name])
    return [
        {"id": r.id, "org": r.org, "channel": r.channel,
         "name": person_name(r.full_name or filed.get(r.beneficiary_id), r.data, r.display_name),
         "minutes_ago": max(0, int((now - (aware(r.updated_at) or now)).total_seconds() // 60))}
        for r in rows
    ]


async def refresh_counts(runtime: Runtime) -> None:
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(
            select(Conversation.org, func.count()).where(Conversation.status == "waiting").group_by(Conversation.org)
        )).all()
    runtime.waiting_counts = {org: int(n) for org, n in rows}


async def refresh_loop(runtime: Runtime, every: float = 5.0) -> None:
    """Keep ``Runtime.queue_position`` close to the database (shared by all workers)."""
    while True:
        try:
            await refresh_counts(runtime)
        except Exception as exc:  # the database blipped; positions are a courtesy, try again soon
            log.warning("queue count refresh failed: %s", type(exc).__name__)
        await asyncio.sleep(every)


async def _open_handoff(runtime: Runtime, conv: ConvRow) -> str:
    """The conversation's open hand-off episode, created when the first officer touches it."""
    assert runtime.db is not None
    handoff = conv.state.get("handoff") or {}
    try:
        requested = datetime.fromisoformat(handoff["requested_at"])
    except (KeyError, TypeError, ValueError):
        requested = datetime.now(UTC)
    async with runtime.db.writer.begin() as conn:
        found = (await conn.execute(select(Handoff.id).where(
            Handoff.conversation_id == conv.id, Handoff.ended_at.is_(None)))).scalar()
        if found:
            return str(found)
        hid = new_id()
        await conn.execute(insert(Handoff).values(
            id=hid, conversation_id=conv.id, org=conv.org, channel=conv.channel,
            reason=str(handoff.get("reason") or "officer")[:80], requested_at=requested, assigned_to=None,
            claimed_at=None, first_response_at=None, ended_at=None, outcome=None,
        ))
    return hid


async def _publish_queue(runtime: Runtime, org: str, conversation_id: str, what: str) -> None:
    await runtime.bus.publish(f"org:{org}", {"type": "queue_changed", "what": what,
                                             "conversation_id": conversation_id})
    with contextlib.suppress(Exception):
        await refresh_counts(runtime)


def _officer(ctx: TurnContext) -> str:
    return ctx.pack.pack.referral_officer.get(ctx.lang)


async def claim(runtime: Runtime, user: StaffUser, conv: ConvRow, *, assignee: str | None = None) -> None:
    """Take the conversation (status → human), for ``user`` or for ``assignee`` (a coordinator assigns)."""
    assert runtime.db is not None
    target = assignee or user.id
    if assignee is not None:
        async with runtime.db.reader.connect() as conn:
            staff = (await conn.execute(select(Staff.orgs, Staff.disabled_at).where(Staff.id == assignee))).first()
        if staff is None or staff.disabled_at is not None or conv.org not in (staff.orgs or ()):
            raise NotFound(assignee)
    hid = await _open_handoff(runtime, conv)
    async with runtime.db.writer.begin() as conn:
        current = (await conn.execute(select(Handoff.assigned_to).where(Handoff.id == hid))).scalar()
        if current and current != target and assignee is None:
            raise Conflict("claimed")
        await conn.execute(update(Handoff).where(Handoff.id == hid).values(
            assigned_to=target, claimed_at=func.coalesce(Handoff.claimed_at, datetime.now(UTC))))
        await audit(conn, actor=f"staff:{user.id}", action="conversation.assign" if assignee else "conversation.claim",
                    org=conv.org, target=conv.id, detail={"assignee": target})

    def compose(ctx: TurnContext) -> None:
        if ctx.status != "human":
            ctx.status = "human"
            ctx.say(Text(t("handoff.claimed", ctx.lang, officer=_officer(ctx)), kind="human"))

    await runtime.engine.push(conv.key, compose, author="system", notification=False)
    await _publish_queue(runtime, conv.org, conv.id, "claimed")


async def reply(runtime: Runtime, user: StaffUser, conv: ConvRow, text: str) -> None:
    assert runtime.db is not None
    text = text.strip()
    if not text or len(text) > MAX_REPLY:
        raise ValueError("text")
    hid = await _open_handoff(runtime, conv)
    now = datetime.now(UTC)
    async with runtime.db.writer.begin() as conn:
        await conn.execute(update(Handoff).where(Handoff.id == hid).values(
            assigned_to=func.coalesce(Handoff.assigned_to, user.id),
            claimed_at=func.coalesce(Handoff.claimed_at, now),
            first_response_at=func.coalesce(Handoff.first_response_at, now)))
        await audit(conn, actor=f"staff:{user.id}", action="conversation.reply", org=conv.org, target=conv.id,
                    detail={"chars": len(text)})
    was = conv.status

    def compose(ctx: TurnContext) -> None:
        ctx.status = "human"  # an officer writing holds the conversation; the bot stays quiet
        ctx.say(Text(text, kind="human"))

    await runtime.engine.push(conv.key, compose, author=f"officer:{user.id}", notification=False)
    if was != "human":
        await _publish_queue(runtime, conv.org, conv.id, "claimed")


async def _end_handoff(runtime: Runtime, conv: ConvRow, outcome: str) -> tuple[str, str | None]:
    assert runtime.db is not None
    hid = await _open_handoff(runtime, conv)
    async with runtime.db.writer.begin() as conn:
        officer = (await conn.execute(select(Handoff.assigned_to).where(Handoff.id == hid))).scalar()
        await conn.execute(update(Handoff).where(Handoff.id == hid).values(ended_at=datetime.now(UTC),
                                                                             outcome=outcome))
    return hid, officer


async def hand_back(runtime: Runtime, user: StaffUser, conv: ConvRow) -> None:
    """Status → bot; the flow state is untouched, so a form resumes where it stood."""
    assert runtime.db is not None
    if conv.status not in ("waiting", "human"):
        raise Conflict(conv.status)
    await _end_handoff(runtime, conv, "bot")
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="conversation.handback", org=conv.org, target=conv.id)

    def compose(ctx: TurnContext) -> None:
        ctx.status = "bot"
        ctx.state.handoff = None
        ctx.say(Text(t("handoff.returned", ctx.lang), kind="info"))

    await runtime.engine.push(conv.key, compose, author="system", notification=False)
    await _publish_queue(runtime, conv.org, conv.id, "handed_back")


async def close(runtime: Runtime, user: StaffUser, conv: ConvRow) -> None:
    """Status → closed, then one satisfaction survey (unless opted out); the next message reopens."""
    assert runtime.db is not None
    if conv.status == "closed":
        raise Conflict(conv.status)
    hid, officer = await _end_handoff(runtime, conv, "closed")
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="conversation.close", org=conv.org, target=conv.id)
    survey_id = await create_survey(runtime, conv, trigger="handoff", trigger_key=f"handoff:{hid}",
                                    officer_id=officer or user.id)

    def compose(ctx: TurnContext) -> None:
        ctx.status = "closed"
        ctx.state.handoff = None
        ctx.say(Text(t("handoff.closed", ctx.lang, officer=_officer(ctx),
                       org=ctx.pack.pack.short_name.get(ctx.lang)), kind="info"))
        if survey_id:
            survey_compose(survey_id)(ctx)

    await runtime.engine.push(conv.key, compose, author="system", notification=False)
    await _publish_queue(runtime, conv.org, conv.id, "closed")


def opted_out(state: dict[str, Any]) -> bool:
    sub = (state.get("subscription") or {}) if isinstance(state, dict) else {}
    return isinstance(sub, dict) and sub.get("status") == "out"


async def create_survey(runtime: Runtime, conv: ConvRow, *, trigger: str, trigger_key: str,
                        officer_id: str | None) -> str | None:
    """A survey row, or None: opted-out identity, or this closure already had its survey."""
    assert runtime.db is not None
    if opted_out(conv.state):
        return None
    async with runtime.db.reader.connect() as conn:
        ident = (await conn.execute(select(ChannelIdentity.opted_out_at, ChannelIdentity.opted_in_at).where(
            ChannelIdentity.org == conv.org, ChannelIdentity.channel == conv.channel,
            ChannelIdentity.address == conv.address))).first()
    if ident is not None and ident.opted_out_at is not None:
        if ident.opted_in_at is None or aware(ident.opted_in_at) < aware(ident.opted_out_at):
            return None
    sid = new_id()
    try:
        async with runtime.db.writer.begin() as conn:
            await conn.execute(insert(Survey).values(
                id=sid, org=conv.org, conversation_id=conv.id, channel=conv.channel, trigger=trigger,
                trigger_key=trigger_key[:120], officer_id=officer_id, sent_at=datetime.now(UTC),
                rating=None, comment=None, answered_at=None,
            ))
    except IntegrityError:
        return None
    return sid
