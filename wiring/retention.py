"""Retention: personal data is deleted when the association no longer needs it.

Run by the periodic sweep the server already has (``wiring.reminders.reminder_loop``). Each
association's periods come from its pack (``retention:``), each overridable for the whole
deployment by a ``SILA_RETENTION_*_DAYS`` setting, else the defaults below:

* transcripts of conversations nobody has touched for ``messages`` days and that no officer
  holds or waits on (status ``bot`` or ``closed``): messages, their outbox rows, internal notes
  and the conversation's state are deleted. The conversation, its hand-off times and survey
  ratings stay for the reports; a case keeps its own data (the committee's file).
* raw provider updates after ``raw_updates`` days (their body is already gone once processed);
* delivery-status callbacks after ``provider_statuses`` days;
* login attempts and ended or idle console sessions after ``login_attempts`` / ``sessions``
  days (deployment-wide: staff accounts are not one association's);
* the audit trail after ``audit`` days, its own and longest period, since it is the record of
  who did what to whose data (rows that belong to no association use the longest period set).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update

from bot.packs import LoadedPack
from bot.settings import Settings
from storage.db import Database
from storage.models import (
    AuditLog,
    Conversation,
    ConversationState,
    InboundUpdate,
    LoginAttempt,
    Message,
    Note,
    Outbox,
    ProviderStatus,
    StaffSession,
)

log = logging.getLogger("sila.retention")

#: days; README "Retention" lists them with their reasons
DEFAULTS = {"messages": 365, "raw_updates": 7, "provider_statuses": 30, "audit": 730,
            "login_attempts": 90, "sessions": 90}
PER_ASSOCIATION = ("messages", "raw_updates", "provider_statuses", "audit")


@dataclass(frozen=True, slots=True)
class Periods:
    messages: int
    raw_updates: int
    provider_statuses: int
    audit: int


def periods_for(pack: LoadedPack | None, settings: Settings) -> Periods:
    """One association's periods: the setting if given, else the pack's, else the default."""
    values = {}
    for name in PER_ASSOCIATION:
        from_settings = int(getattr(settings, f"retention_{name}_days"))
        from_pack = getattr(pack.pack.retention, f"{name}_days") if pack is not None else None
        values[name] = from_settings or from_pack or DEFAULTS[name]
    return Periods(**values)


def _deployment(name: str, settings: Settings) -> int:
    return int(getattr(settings, f"retention_{name}_days")) or DEFAULTS[name]


async def sweep(db: Database, packs: dict[str, LoadedPack], settings: Settings,
                now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its period; returns how many rows of each kind went."""
    now = now or datetime.now(UTC)
    done = dict.fromkeys(("messages", "raw_updates", "provider_statuses", "audit", "login_attempts", "sessions"), 0)
    longest_audit = 0
    for slug, pack in packs.items():
        p = periods_for(pack, settings)
        longest_audit = max(longest_audit, p.audit)
        done["messages"] += await _idle_transcripts(db, slug, now - timedelta(days=p.messages))
        async with db.writer.begin() as conn:
            done["raw_updates"] += (await conn.execute(delete(InboundUpdate).where(
                InboundUpdate.org == slug,
                InboundUpdate.received_at < now - timedelta(days=p.raw_updates)))).rowcount or 0
            done["provider_statuses"] += (await conn.execute(delete(ProviderStatus).where(
                ProviderStatus.org == slug,
                ProviderStatus.at < now - timedelta(days=p.provider_statuses)))).rowcount or 0
            done["audit"] += (await conn.execute(delete(AuditLog).where(
                AuditLog.org == slug, AuditLog.at < now - timedelta(days=p.audit)))).rowcount or 0
    longest_audit = longest_audit or periods_for(None, settings).audit
    cut_logins = now - timedelta(days=_deployment("login_attempts", settings))
    cut_sessions = now - timedelta(days=_deployment("sessions", settings))
    async with db.writer.begin() as conn:
        done["audit"] += (await conn.execute(delete(AuditLog).where(
            AuditLog.org.is_(None), AuditLog.at < now - timedelta(days=longest_audit)))).rowcount or 0
        done["login_attempts"] = (await conn.execute(delete(LoginAttempt).where(
            LoginAttempt.at < cut_logins))).rowcount or 0
        done["sessions"] = (await conn.execute(delete(StaffSession).where(or_(
            and_(StaffSession.ended_at.is_not(None), StaffSession.ended_at < cut_sessions),
            StaffSession.last_seen_at < cut_sessions)))).rowcount or 0
    if any(done.values()):
        log.info("retention sweep deleted %s", ", ".join(f"{k} {v}" for k, v in done.items() if v))
    return done


async def _idle_transcripts(db: Database, org: str, cutoff: datetime, limit: int = 500) -> int:
    """Messages of conversations idle since ``cutoff`` and not with an officer; their count."""
    async with db.writer.begin() as conn:
        ids = list((await conn.execute(
            select(Conversation.id)
            .join(ConversationState, ConversationState.conversation_id == Conversation.id)
            .where(Conversation.org == org, Conversation.status.in_(("bot", "closed")),
                   ConversationState.updated_at < cutoff,  # written by every turn: the last activity
                   select(Message.id).where(Message.conversation_id == Conversation.id).exists())
            .order_by(ConversationState.updated_at).limit(limit))).scalars())
        if not ids:
            return 0
        # a message newer than the cutoff means the conversation is not idle after all
        fresh = set((await conn.execute(select(Message.conversation_id).where(
            Message.conversation_id.in_(ids), Message.created_at >= cutoff))).scalars())
        ids = [i for i in ids if i not in fresh]
        await conn.execute(delete(Outbox).where(Outbox.conversation_id.in_(ids)))
        await conn.execute(delete(Note).where(Note.conversation_id.in_(ids)))
        # a new seq as well (as an erasure): a worker that still remembers the state (one process
        # trusts its cache) has its next write refused as stale and reads the wiped state again
        await conn.execute(update(ConversationState).where(ConversationState.conversation_id.in_(ids))
                           .values(data={}, seq=ConversationState.seq + 1))  # updated_at kept: still idle
        return (await conn.execute(delete(Message).where(Message.conversation_id.in_(ids)))).rowcount or 0
