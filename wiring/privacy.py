"""A person's data rights: a copy of everything held about them, and erasure.

One pair of actions shared by ``sila privacy`` and the console's privacy page (Zulip-style
``do_*`` actions: the views stay thin), each leaving an audit row.

* :func:`export_person` gathers every row about the person in one association (beneficiary,
  channel identities, profile, conversations with their messages, cases with sealed fields
  opened, volunteering, surveys, hand-offs, notes, opt-in/out history, audit rows about them)
  as JSON, with a short summary in Arabic and English.
* :func:`erase_person` removes the personal data and pseudonymises what reports count: the
  transcript, notes, outbox and delivery statuses are deleted; a case keeps its reference,
  status and dates for the association's figures but loses its answers, ID and phone; a survey
  keeps its rating but not its comment; identities and conversations get a random pseudonym as
  address (so the same person writing again starts afresh); audit rows stay, naming only ids.
  The signed declaration and consent records of a case are kept (see README, "Personal data"):
  they hold the words agreed to, when, on which channel and under which policy version, not
  the person's data, and they are the association's evidence that the request was signed.

On SQLite, ``secure_delete`` (set on every connection, :mod:`storage.db`) zeroes what is deleted
and the WAL is checkpointed and truncated after an erasure, so no copy survives in the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.flows.validators import FieldSpec, Valid, validate_national_id, validate_phone
from bot.ids import new_id
from bot.ports import LockProvider
from bot.sealed import unseal
from bot.types import ConversationKey
from storage.broadcast_models import BroadcastRecipient
from storage.coordination import holding_conversations
from storage.crypto import DataCipher, mask
from storage.db import Database
from storage.models import (
    AuditLog,
    Beneficiary,
    Case,
    CaseEvent,
    ChannelIdentity,
    Conversation,
    ConversationState,
    Handoff,
    InboundUpdate,
    Message,
    Note,
    Outbox,
    Profile,
    ProviderStatus,
    SubscriptionEvent,
    Survey,
    Volunteer,
)

log = logging.getLogger("sila.privacy")
FORMAT = "sila.privacy.export/1"
OPEN_STATUSES = ("submitted", "under_review", "needs_info", "approved")


class PrivacyError(ValueError):
    """A request that cannot be carried out as given (a malformed phone or ID, no such person)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """Who the request is about, by exactly one of phone, request reference or national ID."""

    org: str
    phone: str | None = None
    reference: str | None = None
    national_id: str | None = None

    def normalised(self) -> Subject:
        given = [v for v in (self.phone, self.reference, self.national_id) if v]
        if len(given) != 1:
            raise PrivacyError("give exactly one of phone, reference or national ID")
        if self.phone:
            result = validate_phone(self.phone, FieldSpec("phone"))
            if not isinstance(result, Valid):
                raise PrivacyError("not a valid Saudi mobile number")
            return Subject(self.org, phone=str(result.value))
        if self.national_id:
            result = validate_national_id(self.national_id, FieldSpec("national_id"))
            if not isinstance(result, Valid):
                raise PrivacyError("not a valid national ID")
            return Subject(self.org, national_id=str(result.value))
        return Subject(self.org, reference=(self.reference or "").strip().upper())

    def described(self) -> str:
        """How audit rows and summaries name the request without repeating the identifier."""
        if self.phone:
            return f"phone {mask(self.phone)}"
        if self.national_id:
            return f"national ID {mask(self.national_id)}"
        return f"reference {self.reference}"


@dataclass(slots=True)
class Holdings:
    """The ids of every row about one person (what both actions work on)."""

    beneficiaries: list[str]
    identities: list[tuple[str, str, str]]  # (id, channel, address)
    conversations: list[str]
    cases: list[str]


async def _find(conn: AsyncConnection, cipher: DataCipher, who: Subject) -> Holdings:
    org = who.org
    ids: set[str] = set()
    if who.phone:
        for stmt in (
            select(Beneficiary.id).where(Beneficiary.org == org, Beneficiary.phone_e164 == who.phone),
            select(ChannelIdentity.beneficiary_id).where(ChannelIdentity.org == org,
                                                         ChannelIdentity.address == who.phone),
            select(Case.beneficiary_id).where(Case.org == org, Case.phone_e164 == who.phone),
            select(Profile.beneficiary_id).where(Profile.org == org, Profile.phone_e164 == who.phone),
        ):
            ids.update((await conn.execute(stmt)).scalars())
    elif who.national_id:
        digest = cipher.lookup_hash(who.national_id)
        ids.update((await conn.execute(select(Case.beneficiary_id).where(
            Case.org == org, Case.national_id_hash == digest))).scalars())
        ids.update((await conn.execute(select(Profile.beneficiary_id).where(
            Profile.org == org, Profile.national_id_hash == digest))).scalars())
    else:
        ids.update((await conn.execute(select(Case.beneficiary_id).where(
            Case.org == org, Case.reference == who.reference))).scalars())
    bens = sorted(ids)
    idents = [(r.id, r.channel, r.address) for r in (await conn.execute(
        select(ChannelIdentity.id, ChannelIdentity.channel, ChannelIdentity.address)
        .where(ChannelIdentity.org == org, ChannelIdentity.beneficiary_id.in_(bens)))).all()]
    addresses = [(c, a) for _i, c, a in idents]
    conv_filter = [Conversation.beneficiary_id.in_(bens)] + [
        (Conversation.channel == c) & (Conversation.address == a) for c, a in addresses]
    convs = list((await conn.execute(select(Conversation.id).where(
        Conversation.org == org, or_(*conv_filter)))).scalars())
    cases = list((await conn.execute(select(Case.id).where(Case.org == org, Case.beneficiary_id.in_(bens)))).scalars())
    return Holdings(bens, idents, sorted(set(convs)), cases)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


async def _rows(conn: AsyncConnection, stmt: Any, drop: Iterable[str] = ()) -> list[dict[str, Any]]:
    out = []
    for row in (await conn.execute(stmt)).all():
        values = {k: _plain(v) for k, v in row._mapping.items() if k not in drop}
        out.append(values)
    return out


def _open(token: str | None, cipher: DataCipher) -> str | None:
    if not token:
        return None
    try:
        return cipher.decrypt(token)
    except Exception:  # a retired key: say so rather than fail the whole export
        return "(unreadable: encrypted under a retired key)"


async def export_person(db: Database, cipher: DataCipher, who: Subject, *, actor: str) -> dict[str, Any]:
    """Everything held about the person in ``who.org``; raises PrivacyError when nothing is."""
    who = who.normalised()
    async with db.reader.connect() as conn:
        held = await _find(conn, cipher, who)
        if not held.beneficiaries:
            raise PrivacyError(f"nobody found by {who.described()} in {who.org}")
        bens, convs = held.beneficiaries, held.conversations
        cases = await _rows(conn, select(Case).where(Case.id.in_(held.cases)).order_by(Case.created_at),
                            drop=("national_id_enc", "national_id_hash", "submit_key"))
        encs = dict((await conn.execute(select(Case.id, Case.national_id_enc)
                                         .where(Case.id.in_(held.cases)))).all())
        for case in cases:
            case["national_id"] = _open(encs.get(case["id"]), cipher)
            case["data"] = _plain(unseal(case.get("data") or {}, cipher))
            case["events"] = await _rows(conn, select(CaseEvent).where(CaseEvent.case_id == case["id"])
                                         .order_by(CaseEvent.at), drop=("case_id",))
        profiles = await _rows(conn, select(Profile).where(Profile.beneficiary_id.in_(bens)),
                               drop=("national_id_enc", "national_id_hash"))
        penc = dict((await conn.execute(select(Profile.beneficiary_id, Profile.national_id_enc)
                                         .where(Profile.beneficiary_id.in_(bens)))).all())
        for profile in profiles:
            profile["national_id"] = _open(penc.get(profile["beneficiary_id"]), cipher)
        conversations = await _rows(conn, select(Conversation).where(Conversation.id.in_(convs)))
        for conv in conversations:
            conv["messages"] = await _rows(conn, select(
                Message.seq, Message.direction, Message.author, Message.text, Message.created_at,
                Message.delivery_status).where(Message.conversation_id == conv["id"]).order_by(Message.seq))
            state = (await conn.execute(select(ConversationState.data)
                                        .where(ConversationState.conversation_id == conv["id"]))).scalar()
            flow = (state or {}).get("flow") if isinstance(state, dict) else None
            if isinstance(flow, dict):
                conv["form_in_progress"] = _plain(unseal(flow.get("answers") or {}, cipher))
        addresses = [(c, a) for _i, c, a in held.identities]
        targets = [*bens, *convs, *[c["reference"] for c in cases]]
        out: dict[str, Any] = {
            "format": FORMAT, "org": who.org, "generated_at": datetime.now(UTC).isoformat(),
            "requested_by": who.described(),
            "beneficiaries": await _rows(conn, select(Beneficiary).where(Beneficiary.id.in_(bens))),
            "identities": await _rows(conn, select(ChannelIdentity).where(
                ChannelIdentity.id.in_([i for i, _c, _a in held.identities]))),
            "profile": profiles,
            "conversations": conversations,
            "cases": cases,
            "volunteering": [{**v, "data": _plain(unseal(v.get("data") or {}, cipher))} for v in await _rows(
                conn, select(Volunteer).where(Volunteer.beneficiary_id.in_(bens)), drop=("submit_key",))],
            "surveys": await _rows(conn, select(Survey).where(Survey.conversation_id.in_(convs)),
                                   drop=("trigger_key",)),
            "handoffs": await _rows(conn, select(Handoff).where(Handoff.conversation_id.in_(convs))),
            "notes": await _rows(conn, select(Note).where(Note.conversation_id.in_(convs))),
            "subscription_events": await _rows(conn, select(SubscriptionEvent).where(
                SubscriptionEvent.org == who.org,
                or_(*[(SubscriptionEvent.channel == c) & (SubscriptionEvent.address == a) for c, a in addresses])))
            if addresses else [],
            "audit": await _rows(conn, select(AuditLog).where(AuditLog.org == who.org, AuditLog.target.in_(targets))
                                 .order_by(AuditLog.at)),
        }
    out["summary"] = {lang: summary_text(out, lang) for lang in ("ar", "en")}
    async with db.writer.begin() as conn:
        await _audit(conn, actor=actor, action="privacy.export", org=who.org, target=bens[0],
                     detail={"by": who.described(), "beneficiaries": len(bens)})
    return out


def summary_text(export: dict[str, Any], lang: str) -> str:
    """A few lines a person can read: what is held, in their language."""
    counts = {
        "identities": len(export["identities"]), "conversations": len(export["conversations"]),
        "messages": sum(len(c["messages"]) for c in export["conversations"]), "cases": len(export["cases"]),
        "surveys": len(export["surveys"]), "audit": len(export["audit"]),
    }
    refs = "، ".join(c["reference"] for c in export["cases"]) if lang == "ar" else ", ".join(
        c["reference"] for c in export["cases"])
    if lang == "ar":
        lines = [
            f"نسخة من بياناتك لدى الجمعية ({export['org']})، أُعدّت في {export['generated_at'][:10]}.",
            f"• قنوات التواصل المسجلة: {counts['identities']}",
            f"• المحادثات: {counts['conversations']} (عدد الرسائل: {counts['messages']})",
            f"• الطلبات: {counts['cases']}" + (f" ({refs})" if refs else ""),
            f"• استبيانات الرضا: {counts['surveys']}",
            f"• سجل الاطلاع والإجراءات على بياناتك: {counts['audit']}",
            "التفاصيل الكاملة في ملف JSON المرفق.",
        ]
    else:
        lines = [
            f"A copy of your data held by the association ({export['org']}), prepared on "
            f"{export['generated_at'][:10]}.",
            f"• Contact channels on record: {counts['identities']}",
            f"• Conversations: {counts['conversations']} ({counts['messages']} messages)",
            f"• Requests: {counts['cases']}" + (f" ({refs})" if refs else ""),
            f"• Satisfaction surveys: {counts['surveys']}",
            f"• Record of who viewed or acted on your data: {counts['audit']} entries",
            "The full details are in the attached JSON file.",
        ]
    return "\n".join(lines)


async def _audit(conn: AsyncConnection, *, actor: str, action: str, org: str, target: str | None,
                 detail: dict[str, Any]) -> None:
    await conn.execute(insert(AuditLog).values(id=new_id(), at=datetime.now(UTC), org=org, actor=actor,
                                               action=action, target=target, detail=detail))


async def erase_person(db: Database, cipher: DataCipher, who: Subject, *, actor: str,
                       locks: LockProvider | None = None) -> dict[str, Any]:
    """Remove or pseudonymise everything about the person; returns what was done (counts).

    With ``locks`` (the deployment's conversation locks) the erasure holds the lock of every
    conversation it touches (:func:`storage.coordination.holding_conversations` says why): no
    worker writes a form it holds in memory back into the erased conversation. The caller must
    still drop its own cached copies (``Runtime.store.forget``) for the keys returned under
    ``"keys"``.
    """
    who = who.normalised()
    keys = await _conversation_keys(db, cipher, who) if locks is not None else []
    async with holding_conversations(locks, keys):
        return await _erase(db, cipher, who, actor=actor)


async def _conversation_keys(db: Database, cipher: DataCipher, who: Subject) -> list[ConversationKey]:
    async with db.reader.connect() as conn:
        held = await _find(conn, cipher, who)
        if not held.conversations:
            return []
        rows = (await conn.execute(select(Conversation.org, Conversation.channel, Conversation.address)
                                   .where(Conversation.id.in_(held.conversations)))).all()
    return [ConversationKey(org, channel, address) for org, channel, address in rows]


async def _erase(db: Database, cipher: DataCipher, who: Subject, *, actor: str) -> dict[str, Any]:
    pseudonym = "erased-" + new_id()[:16]
    now = datetime.now(UTC)
    async with db.writer.begin() as conn:
        held = await _find(conn, cipher, who)
        if not held.beneficiaries:
            raise PrivacyError(f"nobody found by {who.described()} in {who.org}")
        bens, convs, org = held.beneficiaries, held.conversations, who.org
        done: dict[str, int] = {}
        keys = [(c, a) for c, a in (await conn.execute(select(Conversation.channel, Conversation.address)
                                                       .where(Conversation.id.in_(convs)))).all()]
        provider_ids = [p for p in (await conn.execute(
            select(Message.provider_message_id).where(Message.conversation_id.in_(convs),
                                                      Message.direction == "out"))).scalars() if p]
        provider_ids += [p for p in (await conn.execute(select(Outbox.provider_message_id).where(
            Outbox.conversation_id.in_(convs)))).scalars() if p]
        done["provider_statuses"] = (await conn.execute(delete(ProviderStatus).where(
            ProviderStatus.org == org, ProviderStatus.provider_message_id.in_(provider_ids)))).rowcount or 0
        done["outbox"] = (await conn.execute(delete(Outbox).where(Outbox.conversation_id.in_(convs)))).rowcount or 0
        done["messages"] = (await conn.execute(delete(Message).where(Message.conversation_id.in_(convs)))).rowcount or 0
        done["notes"] = (await conn.execute(delete(Note).where(Note.conversation_id.in_(convs)))).rowcount or 0
        # a new seq as well: a server that still holds the conversation in memory (one process,
        # erased from the command line) finds its next write refused as stale and reads again
        await conn.execute(update(ConversationState).where(ConversationState.conversation_id.in_(convs))
                           .values(data={}, seq=ConversationState.seq + 1, updated_at=now))
        for i, conv_id in enumerate(convs):
            await conn.execute(update(Conversation).where(Conversation.id == conv_id)
                               .values(address=f"{pseudonym}-c{i}", status="closed", updated_at=now))
        for i, (ident_id, channel, address) in enumerate(held.identities):
            alias = f"{pseudonym}-i{i}"
            await conn.execute(update(ChannelIdentity).where(ChannelIdentity.id == ident_id).values(address=alias))
            await conn.execute(update(SubscriptionEvent).where(
                SubscriptionEvent.org == org, SubscriptionEvent.channel == channel,
                SubscriptionEvent.address == address).values(address=alias))
            await conn.execute(update(BroadcastRecipient).where(BroadcastRecipient.identity_id == ident_id)
                               .values(address=alias))
        done["identities"] = len(held.identities)
        done["inbound_updates"] = await _drop_raw_updates(conn, cipher, org, [a for _i, _c, a in held.identities])
        await conn.execute(update(Beneficiary).where(Beneficiary.id.in_(bens))
                           .values(display_name=None, phone_e164=None))
        done["profiles"] = (await conn.execute(delete(Profile).where(Profile.beneficiary_id.in_(bens)))).rowcount or 0
        await conn.execute(update(Volunteer).where(Volunteer.beneficiary_id.in_(bens)).values(data={}))
        done["cases"] = await _pseudonymise_cases(conn, held.cases, actor, now)
        await conn.execute(update(Survey).where(Survey.conversation_id.in_(convs)).values(comment=None))
        await _audit(conn, actor=actor, action="privacy.erase", org=org, target=bens[0],
                     detail={"by": who.described(), "pseudonym": pseudonym, **done})
    if db.dialect == "sqlite" and db.sqlite_path:
        await asyncio.to_thread(_truncate_wal, db.sqlite_path)
    return {"pseudonym": pseudonym, "beneficiaries": bens, "counts": done, "keys": keys}


def _truncate_wal(path: str) -> None:
    """Copy the WAL into the file (where secure_delete zeroed the erased rows) and empty it.

    Outside any transaction, on a connection of its own: a checkpoint cannot run inside one.
    """
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as conn:
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def _pseudonymise_cases(conn: AsyncConnection, case_ids: list[str], actor: str, now: datetime) -> int:
    """Answers, ID and phone gone; reference, status, dates, declaration and consent kept.

    An open request is cancelled (nobody can be helped without their data), with an event
    saying why, so the committee's list does not show an empty file waiting for a decision.
    """
    for case_id in case_ids:
        status = (await conn.execute(select(Case.status).where(Case.id == case_id))).scalar()
        values: dict[str, Any] = {"data": {}, "national_id_enc": None, "national_id_hash": None,
                                  "national_id_last4": None, "phone_e164": None, "updated_at": now}
        if status in OPEN_STATUSES:
            values.update(status="cancelled", version=Case.version + 1)
            await conn.execute(insert(CaseEvent).values(id=new_id(), case_id=case_id, at=now, actor=actor,
                                                        from_status=status, to_status="cancelled",
                                                        comment="privacy.erase"))
        await conn.execute(update(Case).where(Case.id == case_id).values(**values))
        await conn.execute(update(CaseEvent).where(CaseEvent.case_id == case_id,
                                                   CaseEvent.comment != "privacy.erase").values(comment=None))
    return len(case_ids)


async def _drop_raw_updates(conn: AsyncConnection, cipher: DataCipher, org: str, addresses: list[str]) -> int:
    """Raw updates still waiting (encrypted) that came from one of the person's addresses."""
    rows = (await conn.execute(select(InboundUpdate.id, InboundUpdate.body).where(
        InboundUpdate.org == org, InboundUpdate.body != ""))).all()
    gone = 0
    for row_id, token in rows:
        try:
            body = json.loads(cipher.decrypt(token))
        except Exception as exc:  # a retired key or a body that is not JSON: not provably theirs
            log.warning("raw update %s not readable during erasure (%s)", row_id, type(exc).__name__)
            continue
        chat = ((body.get("message") or body.get("callback_query", {}).get("message") or {}).get("chat") or {})
        if str(chat.get("id")) in addresses:
            await conn.execute(delete(InboundUpdate).where(InboundUpdate.id == row_id))
            gone += 1
    return gone
