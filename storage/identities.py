"""Facts about one person on one channel, and joining one person's channels together.

Why these are plain functions over :class:`~storage.db.Database` rather than another store
protocol: they are a handful of single-statement reads and updates on rows the conversation
store already creates (``channel_identities``), used only by push-channel adapters and the
delivery worker, which run on SQL. Each write is one short transaction with no network call
(a link takes its conversation locks before its transaction, never inside it).

Linking: a mobile number a provider vouches for (the WhatsApp/SMS sender, or a Telegram
contact the user shared from their own account) is *verified*. The first identity that
arrives with a verified number gives its beneficiary that ``phone_e164``; a later identity
with the same number is moved onto that beneficiary, so the person has one history and one
set of cases whichever channel they write on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, insert, or_, select, update

from bot.clock import aware, utcnow
from bot.ids import new_id
from bot.ports import LockProvider
from bot.records import StoredMessage
from bot.types import ConversationKey
from storage.coordination import holding_conversations
from storage.db import Database
from storage.models import (
    Beneficiary,
    Case,
    ChannelIdentity,
    Conversation,
    ConversationState,
    Message,
    Profile,
    SubscriptionEvent,
    Volunteer,
)


@dataclass(frozen=True, slots=True)
class IdentityFacts:
    """What the delivery worker must know before sending to an address."""

    exists: bool = False
    beneficiary_id: str | None = None
    last_inbound_at: datetime | None = None
    opted_out_at: datetime | None = None
    unreachable_at: datetime | None = None

    @property
    def blocked(self) -> bool:
        """The provider refused this address and the person has not written since.

        Why compare with the last inbound message and not only ``unreachable_at``: a person who
        unblocks the bot and writes again has their turn (and its reply) committed first; the
        mark is cleared just after. A reply claimed in between must still go out.
        """
        if self.unreachable_at is None:
            return False
        return self.last_inbound_at is None or self.last_inbound_at <= self.unreachable_at


def blocked_sql() -> ColumnElement[bool]:
    """:attr:`IdentityFacts.blocked` as a condition on ``channel_identities`` (broadcast audiences)."""
    ci = ChannelIdentity
    return and_(ci.unreachable_at.is_not(None),
                or_(ci.last_inbound_at.is_(None), ci.last_inbound_at <= ci.unreachable_at))


def _where(org: str, channel: str, address: str) -> object:
    return and_(ChannelIdentity.org == org, ChannelIdentity.channel == channel, ChannelIdentity.address == address)


async def identity_facts(db: Database, org: str, channel: str, address: str) -> IdentityFacts:
    stmt = select(
        ChannelIdentity.beneficiary_id, ChannelIdentity.last_inbound_at, ChannelIdentity.opted_out_at,
        ChannelIdentity.unreachable_at,
    ).where(_where(org, channel, address))  # type: ignore[arg-type]
    async with db.reader.connect() as conn:
        row = (await conn.execute(stmt)).first()
    if row is None:
        return IdentityFacts()
    return IdentityFacts(True, row.beneficiary_id, aware(row.last_inbound_at), aware(row.opted_out_at),
                         aware(row.unreachable_at))




async def record_subscription(
    db: Database, org: str, channel: str, address: str, *, opted_out: bool, source: str,
    at: datetime | None = None,
) -> bool:
    """Set or clear ``opted_out_at`` and append a history row; False when there is no identity."""
    at = at or utcnow()
    values = {"opted_out_at": at} if opted_out else {"opted_out_at": None, "opted_in_at": at}
    async with db.writer.begin() as conn:
        result = await conn.execute(
            update(ChannelIdentity).where(_where(org, channel, address)).values(**values)  # type: ignore[arg-type]
        )
        if not result.rowcount:
            return False
        await conn.execute(insert(SubscriptionEvent).values(
            id=new_id(), org=org, channel=channel, address=address,
            action="opt_out" if opted_out else "opt_in", source=source, at=at,
        ))
    return True


async def subscription_history(db: Database, org: str, channel: str, address: str) -> list[tuple[str, str, datetime]]:
    stmt = (
        select(SubscriptionEvent.action, SubscriptionEvent.source, SubscriptionEvent.at)
        .where(SubscriptionEvent.org == org, SubscriptionEvent.channel == channel,
               SubscriptionEvent.address == address)
        .order_by(SubscriptionEvent.id)
    )
    async with db.reader.connect() as conn:
        return [(r.action, r.source, aware(r.at) or r.at) for r in (await conn.execute(stmt)).all()]


async def set_unreachable(db: Database, org: str, channel: str, address: str, at: datetime | None) -> None:
    """Mark (or, with ``at=None``, clear) that the provider refuses this address (e.g. bot blocked)."""
    stmt = update(ChannelIdentity).where(_where(org, channel, address))  # type: ignore[arg-type]
    if at is None:
        stmt = stmt.where(ChannelIdentity.unreachable_at.is_not(None))
    async with db.writer.begin() as conn:
        await conn.execute(stmt.values(unreachable_at=at))


@dataclass(frozen=True, slots=True)
class Linked:
    """Whom an identity belongs to after :func:`link_verified_phone`, and what moved to them."""

    beneficiary_id: str
    #: the conversations whose beneficiary changed (every one of the old beneficiary's)
    moved: tuple[ConversationKey, ...] = ()


async def link_verified_phone(
    db: Database, org: str, channel: str, address: str, phone_e164: str, *,
    locks: LockProvider | None = None, forget: Callable[[ConversationKey], None] | None = None,
) -> Linked | None:
    """Join this identity to the beneficiary who already has ``phone_e164`` in ``org``.

    Returns whom the identity belongs to afterwards (None when the identity does not exist
    yet). Everything of the identity's old beneficiary (its other identities, conversations,
    cases, volunteering, profile when the target has none) moves along, so no record is
    orphaned.

    The moved conversations are not only the one that verified the phone: the person's other
    channels may be mid-turn or cached on any worker, whose next turn would otherwise go on
    for the old beneficiary (file a request under it, list none of the target's). So, as an
    erasure does, the move holds the lock of every conversation it touches (``locks``, the
    deployment's conversation locks; :func:`storage.coordination.holding_conversations`),
    moves their ``seq`` on (a process sharing no lock with this one finds its next write from
    remembered state refused as stale, and reads again), and calls ``forget`` (the store's)
    for each of them while still holding the locks.
    """
    held: frozenset[ConversationKey] = frozenset()
    for _attempt in range(5):
        async with holding_conversations(locks, held):
            done = await _link(db, org, channel, address, phone_e164, held)
            if not isinstance(done, frozenset):
                if done is not None and forget is not None:
                    for key in done.moved:
                        forget(key)
                return done
        held = done  # conversations to move that are not locked yet: lock them all, look again
    raise RuntimeError(f"{org}:{channel}: the conversations to move kept changing")


async def _link(db: Database, org: str, channel: str, address: str, phone_e164: str,
                held: frozenset[ConversationKey]) -> Linked | frozenset[ConversationKey] | None:
    """One try, in one transaction; the keys to lock first when ``held`` does not cover them."""
    async with db.writer.begin() as conn:
        current = (await conn.execute(
            select(ChannelIdentity.beneficiary_id).where(_where(org, channel, address))  # type: ignore[arg-type]
        )).scalar()
        if current is None:
            return None
        target = (await conn.execute(
            select(Beneficiary.id).where(Beneficiary.org == org, Beneficiary.phone_e164 == phone_e164,
                                         Beneficiary.id != current)
            .order_by(Beneficiary.created_at).limit(1)
        )).scalar()
        if target is None:
            await conn.execute(update(Beneficiary).where(Beneficiary.id == current).values(phone_e164=phone_e164))
            return Linked(str(current))
        rows = (await conn.execute(
            select(Conversation.id, Conversation.org, Conversation.channel, Conversation.address)
            .where(Conversation.beneficiary_id == current)
        )).all()
        keys = {ConversationKey(r.org, r.channel, r.address): r.id for r in rows}
        if not held.issuperset(keys):
            return frozenset(keys) | held
        for table in (ChannelIdentity, Conversation, Case, Volunteer):
            await conn.execute(
                update(table).where(table.beneficiary_id == current).values(beneficiary_id=target)
            )
        has_profile = (await conn.execute(
            select(Profile.beneficiary_id).where(Profile.beneficiary_id == target)
        )).first()
        if not has_profile:
            await conn.execute(update(Profile).where(Profile.beneficiary_id == current).values(beneficiary_id=target))
        if keys:
            await conn.execute(update(ConversationState)
                               .where(ConversationState.conversation_id.in_(list(keys.values())))
                               .values(seq=ConversationState.seq + 1))
        return Linked(str(target), tuple(sorted(keys, key=ConversationKey.lock_name)))


async def beneficiary_phone(db: Database, beneficiary_id: str) -> str | None:
    async with db.reader.connect() as conn:
        return (await conn.execute(select(Beneficiary.phone_e164).where(Beneficiary.id == beneficiary_id))).scalar()


async def beneficiary_history(db: Database, beneficiary_id: str, limit: int = 500) -> list[tuple[str, StoredMessage]]:
    """One person's messages over all their channels, oldest first, each with its channel."""
    stmt = (
        select(Message, Conversation.channel.label("conv_channel"))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.beneficiary_id == beneficiary_id)
        .order_by(Message.created_at.desc(), Message.seq.desc()).limit(limit)
    )
    async with db.reader.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    out = [
        (r.conv_channel, StoredMessage(
            id=r.id, conversation_id=r.conversation_id, seq=r.seq, direction=r.direction, author=r.author,
            text=r.text, payload=r.payload, kind=r.kind, created_at=aware(r.created_at) or r.created_at,
            provider_message_id=r.provider_message_id, delivery_status=r.delivery_status,
        ))
        for r in rows
    ]
    out.reverse()
    return out
