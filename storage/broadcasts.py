"""Broadcast storage: the audience query, the recipient queue and the state of a broadcast.

Every function is one short transaction with no network call inside. The queue functions
(``claim``, ``renew``, ``mark_attempt``/``mark_attempts``, ``finish``/``finish_sent``, ``release``)
are used by :mod:`channels.broadcast_worker`, whose docstring explains the queue design.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, func, insert, literal, not_, or_, select, text, update
from sqlalchemy.sql import Select

from bot.clock import aware, utcnow
from bot.ids import new_id
from bot.types import PUSH_CHANNELS
from storage.broadcast_models import OPEN_SQL, Broadcast, BroadcastRecipient
from storage.db import Database
from storage.identities import blocked_sql
from storage.models import Beneficiary, Case, ChannelIdentity, Profile

WHATSAPP_WINDOW = timedelta(hours=24)
#: recipient statuses that still have work to do
OPEN = ("queued", "sending")


class BroadcastError(Exception):
    """A request a coordinator can fix (one line, shown as is)."""


@dataclass(frozen=True, slots=True)
class Audience:
    channels: tuple[str, ...] = ()
    case_status: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    #: last contact (last_inbound_at) at most / at least this many days ago
    contacted_within_days: int | None = None
    not_contacted_within_days: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in {
            "channels": self.channels, "case_status": self.case_status, "city": self.city, "lang": self.lang,
            "contacted_within_days": self.contacted_within_days,
            "not_contacted_within_days": self.not_contacted_within_days,
        }.items() if v}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(
            channels=tuple(data.get("channels") or ()), case_status=tuple(data.get("case_status") or ()),
            city=tuple(data.get("city") or ()), lang=tuple(data.get("lang") or ()),
            contacted_within_days=data.get("contacted_within_days"),
            not_contacted_within_days=data.get("not_contacted_within_days"),
        )


@dataclass(slots=True)
class BroadcastRecord:
    id: str
    org: str
    name: str
    status: str
    audience: Audience
    texts: dict[str, str]
    template: str | None
    created_at: datetime
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    total: int

    def text_for(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts.get("ar") or self.texts.get("en") or ""


@dataclass(slots=True)
class AudienceSummary:
    total: int = 0
    #: (channel, lang) → count
    by_channel_lang: dict[tuple[str, str], int] = field(default_factory=dict)
    whatsapp_outside_window: int = 0
    sample: list[tuple[str, str, str]] = field(default_factory=list)  # (channel, address, lang)


@dataclass(slots=True)
class Claimed:
    """A claimed recipient row, with what the worker needs to send to it.

    ``token`` fences this claim (one per ``claim`` call, not one per worker): every later write
    for the row must carry it, so a copy of the row whose lease ran out and was claimed again —
    by another worker or by the same one — can no longer mark, finish or release it.
    """

    id: str
    token: str
    broadcast_id: str
    org: str
    channel: str
    address: str
    lang: str
    attempts: int
    attempt_at: datetime | None
    last_inbound_at: datetime | None




def audience_select(org: str, audience: Audience, now: datetime, *columns: Any) -> Select[Any]:
    """The identities a broadcast reaches: opted-in, reachable, on a push channel, filtered."""
    ci = ChannelIdentity
    channels = [c for c in (audience.channels or PUSH_CHANNELS) if c in PUSH_CHANNELS]
    conds: list[Any] = [ci.org == org, ci.channel.in_(channels), ci.opted_out_at.is_(None), not_(blocked_sql())]
    if audience.lang:
        conds.append(Beneficiary.lang.in_(audience.lang))
    if audience.case_status:
        conds.append(exists().where(Case.beneficiary_id == ci.beneficiary_id, Case.org == org,
                                    Case.status.in_(audience.case_status)))
    if audience.city:
        conds.append(exists().where(Profile.beneficiary_id == ci.beneficiary_id, Profile.city.in_(audience.city)))
    if audience.contacted_within_days is not None:
        conds.append(ci.last_inbound_at >= now - timedelta(days=audience.contacted_within_days))
    if audience.not_contacted_within_days is not None:
        conds.append(or_(ci.last_inbound_at.is_(None),
                         ci.last_inbound_at < now - timedelta(days=audience.not_contacted_within_days)))
    return select(*columns).select_from(ci).join(Beneficiary, Beneficiary.id == ci.beneficiary_id).where(and_(*conds))


def _requeued() -> Any:
    """'queued' — or 'cancelled' when the broadcast was cancelled meanwhile (nothing may wait forever)."""
    cancelled = select(Broadcast.status).where(Broadcast.id == BroadcastRecipient.broadcast_id).scalar_subquery()
    return case((cancelled == "cancelled", "cancelled"), else_="queued")


def _lang(value: str | None) -> str:
    return value if value in ("ar", "en") else "ar"


async def summarize(db: Database, org: str, audience: Audience, now: datetime | None = None,
                    sample: int = 10) -> AudienceSummary:
    now = now or utcnow()
    ci = ChannelIdentity
    in_window = and_(ci.last_inbound_at.is_not(None), ci.last_inbound_at >= now - WHATSAPP_WINDOW)
    grouped = audience_select(org, audience, now, ci.channel, Beneficiary.lang, in_window.label("w"),
                              func.count().label("n")).group_by(ci.channel, Beneficiary.lang, in_window)
    out = AudienceSummary()
    async with db.reader.connect() as conn:
        for row in (await conn.execute(grouped)).all():
            key = (row.channel, _lang(row.lang))
            out.by_channel_lang[key] = out.by_channel_lang.get(key, 0) + int(row.n)
            out.total += int(row.n)
            if row.channel == "whatsapp" and not row.w:
                out.whatsapp_outside_window += int(row.n)
        rows = (await conn.execute(audience_select(org, audience, now, ci.channel, ci.address, Beneficiary.lang)
                                   .order_by(ci.id).limit(sample))).all()
    out.sample = [(r.channel, r.address, _lang(r.lang)) for r in rows]
    return out


async def create(db: Database, *, org: str, name: str, audience: Audience, texts: dict[str, str],
                 template: str | None, created_by: str = "cli") -> str:
    bid = new_id()
    async with db.writer.begin() as conn:
        await conn.execute(insert(Broadcast).values(
            id=bid, org=org, name=name[:120], status="draft", audience=audience.to_json(), texts=texts,
            template=template, created_by=created_by, created_at=utcnow(), total=0,
        ))
    return bid


async def get(db: Database, broadcast_id: str) -> BroadcastRecord | None:
    async with db.reader.connect() as conn:
        r = (await conn.execute(select(Broadcast).where(Broadcast.id == broadcast_id))).first()
    if r is None:
        return None
    return _record(r)


async def start_sending(db: Database, bc: BroadcastRecord, at: datetime | None = None) -> int:
    """Snapshot the audience into the queue and start (or schedule) the broadcast; once only.

    The status change and the recipient rows are one transaction, guarded by ``status='draft'``:
    a second ``send`` (even a concurrent one) changes nothing and is refused.
    """
    now = utcnow()
    ci = ChannelIdentity
    if db.dialect == "postgresql":
        rid: Any = func.md5(literal(bc.id) + ci.id)
    else:
        rid = func.lower(func.hex(func.randomblob(16)))
    lang = func.coalesce(Beneficiary.lang, "ar")
    source = audience_select(bc.org, bc.audience, now, rid, literal(bc.id), ci.id, ci.org, ci.channel, ci.address,
                             lang, literal("queued"), literal(0), literal(at or now, type_=Broadcast.created_at.type))
    async with db.writer.begin() as conn:
        changed = await conn.execute(
            update(Broadcast).where(Broadcast.id == bc.id, Broadcast.status == "draft")
            .values(status="sending", scheduled_at=at, started_at=now)
        )
        if not changed.rowcount:
            raise BroadcastError(f"broadcast {bc.id} was already sent (status: {bc.status}); create a new one")
        result = await conn.execute(insert(BroadcastRecipient).from_select(
            ["id", "broadcast_id", "identity_id", "org", "channel", "address", "lang", "status", "attempts",
             "next_attempt_at"], source))
        total = int(result.rowcount or 0)
        if total == 0:
            raise BroadcastError("the audience is empty: nobody opted-in matches these filters")
        await conn.execute(update(Broadcast).where(Broadcast.id == bc.id).values(total=total))
    return total


async def set_state(db: Database, broadcast_id: str, action: str) -> str:
    """pause | resume | cancel; returns the new status or raises BroadcastError."""
    moves = {"pause": (("sending",), "paused"), "resume": (("paused",), "sending"),
             "cancel": (("draft", "sending", "paused"), "cancelled")}
    allowed, target = moves[action]
    now = utcnow()
    async with db.writer.begin() as conn:
        current = (await conn.execute(select(Broadcast.status).where(Broadcast.id == broadcast_id))).scalar()
        if current is None:
            raise BroadcastError(f"no broadcast {broadcast_id}")
        values: dict[str, Any] = {"status": target}
        if target == "cancelled":
            values["finished_at"] = now
        changed = await conn.execute(update(Broadcast).where(Broadcast.id == broadcast_id,
                                                             Broadcast.status.in_(allowed)).values(**values))
        if not changed.rowcount:
            raise BroadcastError(f"cannot {action} broadcast {broadcast_id}: it is {current}")
        if target == "cancelled":
            await conn.execute(update(BroadcastRecipient).where(
                BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == "queued",
            ).values(status="cancelled", last_error="broadcast cancelled", updated_at=now))
    return target


async def states(db: Database, ids: set[str]) -> dict[str, tuple[str, datetime | None]]:
    """Status and schedule of every broadcast that is sending, plus of ``ids`` (rows in flight)."""
    cond = Broadcast.status == "sending"
    if ids:
        cond = or_(cond, Broadcast.id.in_(sorted(ids)))
    async with db.reader.connect() as conn:
        rows = (await conn.execute(select(Broadcast.id, Broadcast.status, Broadcast.scheduled_at).where(cond))).all()
    return {r.id: (r.status, aware(r.scheduled_at)) for r in rows}


async def claim(db: Database, broadcast_ids: list[str], limit: int, lease: timedelta) -> list[Claimed]:
    """Lease up to ``limit`` due rows (queued, or claimed by a worker whose lease ran out).

    The rows get a fresh ``claim_token`` (``Claimed.token``): a row re-claimed by the worker that
    still holds an earlier, expired claim of it is fenced against that stale copy too.
    """
    if not broadcast_ids or limit <= 0:
        return []
    now = utcnow()
    token = new_id()
    r = BroadcastRecipient
    # OPEN as literal SQL, not bound parameters: the planner can then prove the predicate of the
    # partial index ix_broadcast_recipients_open, which holds only rows with work left
    due = select(r.id).where(r.broadcast_id.in_(broadcast_ids), text(OPEN_SQL), r.next_attempt_at <= now)
    due = due.limit(limit)
    if db.dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    async with db.writer.begin() as conn:
        ids = [i for (i,) in (await conn.execute(due)).all()]
        if not ids:
            return []
        await conn.execute(update(r).where(r.id.in_(ids)).values(
            status="sending", claim_token=token, attempts=r.attempts + 1, next_attempt_at=now + lease, updated_at=now))
        rows = (await conn.execute(
            select(r.id, r.broadcast_id, r.org, r.channel, r.address, r.lang, r.attempts, r.attempt_at,
                   ChannelIdentity.last_inbound_at)
            .join(ChannelIdentity, ChannelIdentity.id == r.identity_id, isouter=True).where(r.id.in_(ids))
        )).all()
    return [Claimed(x.id, token, x.broadcast_id, x.org, x.channel, x.address, x.lang, int(x.attempts),
                    aware(x.attempt_at), aware(x.last_inbound_at)) for x in rows]


async def renew(db: Database, claims: list[tuple[str, str]], lease: timedelta) -> None:
    """Extend the lease of rows a live worker still holds — (row id, claim token) — to now + ``lease``.

    Fenced like every queue write: a row claimed again since (another token) or finished is left alone.
    """
    if not claims:
        return
    now = utcnow()
    r = BroadcastRecipient
    by_token: dict[str, list[str]] = {}
    for row_id, token in claims:
        by_token.setdefault(token, []).append(row_id)
    async with db.writer.begin() as conn:
        for token, row_ids in by_token.items():
            await conn.execute(update(r).where(r.id.in_(row_ids), r.claim_token == token, r.status == "sending")
                               .values(next_attempt_at=now + lease))


async def mark_attempt(db: Database, row: Claimed, lease: timedelta) -> str:
    """Record that the send is about to leave; checks the opt-out *now*. Returns ok | opted_out | lost."""
    return (await mark_attempts(db, [(row.id, row.token)], lease))[(row.id, row.token)]


async def mark_attempts(db: Database, claims: list[tuple[str, str]], lease: timedelta) -> dict[tuple[str, str], str]:
    """``mark_attempt`` for many claims — (row id, claim token) — in one transaction (the group commit).

    One fenced UPDATE … RETURNING per claim token (rows claimed together share one) re-checks the
    opt-out *now* and writes ``attempt_at`` for every row whose current claim is this one and that
    is still reachable; returns (row id, token) → ok | opted_out | lost.
    """
    if not claims:
        return {}
    now = utcnow()
    r, ci = BroadcastRecipient, ChannelIdentity
    gone = exists().where(ci.id == r.identity_id, or_(ci.opted_out_at.is_not(None), blocked_sql()))
    by_token: dict[str, list[str]] = {}
    for row_id, token in claims:
        by_token.setdefault(token, []).append(row_id)
    ok: set[tuple[str, str]] = set()
    mine: set[tuple[str, str]] = set()
    async with db.writer.begin() as conn:
        for token, row_ids in by_token.items():
            ok |= {(i, token) for (i,) in (await conn.execute(
                update(r).where(r.id.in_(row_ids), r.claim_token == token, r.status == "sending", not_(gone))
                .values(attempt_at=now, next_attempt_at=now + lease, updated_at=now).returning(r.id))).all()}
            rest = [i for i in row_ids if (i, token) not in ok]
            if rest:
                mine |= {(i, token) for (i,) in (await conn.execute(select(r.id).where(
                    r.id.in_(rest), r.claim_token == token, r.status == "sending"))).all()}
    return {c: "ok" if c in ok else "opted_out" if c in mine else "lost" for c in claims}


async def finish_sent(db: Database, sent: list[tuple[str, str, str]]) -> None:
    """Record many accepted sends — (row id, claim token, provider id) — in one executemany transaction.

    Per row exactly what ``finish(..., "sent", provider_id=...)`` does: fenced by the claim token;
    a row still ``sending`` becomes ``sent``; a row a status callback already moved ahead keeps its
    status and only learns the provider id. Called only after the provider accepted every send.
    """
    if not sent:
        return
    now = utcnow()
    r = BroadcastRecipient
    ahead = r.status != "sending"
    stmt = (update(r).where(r.id == bindparam("row_id"), r.claim_token == bindparam("token"))
            .values(status=case((ahead, r.status), else_="sent"), last_error=case((ahead, r.last_error), else_=None),
                    provider_message_id=bindparam("provider_id"), sent_at=now, updated_at=now))
    async with db.writer.begin() as conn:
        await conn.execute(stmt, [{"row_id": i, "token": t, "provider_id": p} for i, t, p in sent])


async def finish(db: Database, row_id: str, token: str, status: str, *, provider_id: str | None = None,
                 error: str | None = None, retry_at: datetime | None = None, keep_attempt: bool = False) -> bool:
    """Record one outcome; fenced by the claim token so a worker that lost its lease changes nothing."""
    now = utcnow()
    r = BroadcastRecipient
    values: dict[str, Any] = {"last_error": error[:300] if error else None, "updated_at": now}
    if retry_at is not None:
        values.update(status=_requeued(), next_attempt_at=retry_at)
        if not keep_attempt:
            values["attempt_at"] = None
    else:
        values["status"] = status
        if provider_id:
            values.update(provider_message_id=provider_id, sent_at=now)
    async with db.writer.begin() as conn:
        changed = await conn.execute(update(r).where(r.id == row_id, r.claim_token == token, r.status == "sending")
                                     .values(**values))
        if changed.rowcount:
            return True
        if provider_id:  # a status callback got there first and moved the row ahead: keep its status
            await conn.execute(update(r).where(r.id == row_id, r.claim_token == token)
                               .values(provider_message_id=provider_id, sent_at=now, updated_at=now))
    return False


async def release(db: Database, row_id: str, token: str, status: str) -> None:
    """Give back a claimed row unsent: ``queued`` (paused) or ``cancelled``."""
    r = BroadcastRecipient
    values: dict[str, Any] = {"status": status, "updated_at": utcnow()}
    if status == "queued":
        values.update(status=_requeued(), attempts=r.attempts - 1, next_attempt_at=utcnow())
    else:
        values["last_error"] = "broadcast cancelled"
    async with db.writer.begin() as conn:
        await conn.execute(update(r).where(r.id == row_id, r.claim_token == token, r.status == "sending")
                           .values(**values))


async def finish_if_done(db: Database, broadcast_id: str) -> bool:
    """Mark a sending broadcast done once no recipient has work left."""
    r = BroadcastRecipient
    async with db.writer.begin() as conn:
        left = (await conn.execute(select(r.id).where(r.broadcast_id == broadcast_id, text(OPEN_SQL))
                                   .limit(1))).first()
        if left is not None:
            return False
        changed = await conn.execute(update(Broadcast).where(Broadcast.id == broadcast_id,
                                                             Broadcast.status == "sending")
                                     .values(status="done", finished_at=utcnow()))
    return bool(changed.rowcount)


async def counts(db: Database, broadcast_id: str) -> dict[str, int]:
    r = BroadcastRecipient
    stmt = select(r.status, func.count()).where(r.broadcast_id == broadcast_id).group_by(r.status)
    async with db.reader.connect() as conn:
        return {s: int(n) for s, n in (await conn.execute(stmt)).all()}


async def sent_since(db: Database, broadcast_id: str, since: datetime) -> int:
    r = BroadcastRecipient
    stmt = select(func.count()).where(r.broadcast_id == broadcast_id, r.sent_at >= since)
    async with db.reader.connect() as conn:
        return int((await conn.execute(stmt)).scalar() or 0)


async def report_rows(db: Database, broadcast_id: str, chunk: int = 5000) -> AsyncIterator[list[Any]]:
    """Every recipient row with the person's name, in id order, ``chunk`` rows at a time."""
    r = BroadcastRecipient
    last = ""
    while True:
        stmt = (select(r.id, r.channel, r.address, r.lang, r.status, r.attempts, r.last_error, r.sent_at,
                       r.provider_message_id, Beneficiary.display_name)
                .join(ChannelIdentity, ChannelIdentity.id == r.identity_id, isouter=True)
                .join(Beneficiary, Beneficiary.id == ChannelIdentity.beneficiary_id, isouter=True)
                .where(r.broadcast_id == broadcast_id, r.id > last).order_by(r.id).limit(chunk))
        async with db.reader.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        if not rows:
            return
        yield list(rows)
        last = rows[-1].id


async def list_for(db: Database, orgs: tuple[str, ...] | list[str],
                   limit: int = 200) -> list[tuple[BroadcastRecord, dict[str, int]]]:
    """The broadcasts of ``orgs``, newest first, each with its recipient counts by status."""
    if not orgs:
        return []
    r = BroadcastRecipient
    async with db.reader.connect() as conn:
        rows = (await conn.execute(select(Broadcast).where(Broadcast.org.in_(list(orgs)))
                                   .order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(limit))).all()
        ids = [x.id for x in rows]
        by: dict[str, dict[str, int]] = {i: {} for i in ids}
        if ids:
            for bid, status, n in (await conn.execute(
                    select(r.broadcast_id, r.status, func.count()).where(r.broadcast_id.in_(ids))
                    .group_by(r.broadcast_id, r.status))).all():
                by[bid][status] = int(n)
    return [(_record(x), by[x.id]) for x in rows]


def _record(r: Any) -> BroadcastRecord:
    return BroadcastRecord(r.id, r.org, r.name, r.status, Audience.from_json(r.audience or {}), dict(r.texts or {}),
                           r.template, aware(r.created_at) or r.created_at, aware(r.scheduled_at),
                           aware(r.started_at), aware(r.finished_at), int(r.total))
