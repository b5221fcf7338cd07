"""Cases: submitted requests with readable references, status history and an audit trail.

Creating a case is idempotent on ``submit_key`` (the flow instance that submitted it): a double
tap on "submit", a retried webhook or a crash between creating the case and storing the turn
all find the same case instead of making a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ids import new_id
from bot.records import CaseSummary
from bot.sealed import seal
from storage.crypto import DataCipher
from storage.db import Database
from storage.models import AuditLog, Case, CaseEvent, Profile, ReferenceCounter, Volunteer

STATUSES = ("submitted", "under_review", "approved", "rejected", "needs_info", "completed", "cancelled")
OPEN_STATUSES = ("submitted", "under_review", "needs_info", "approved")
#: which status may follow which (the console enforces this)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("under_review", "needs_info", "rejected", "cancelled"),
    "under_review": ("approved", "rejected", "needs_info", "cancelled"),
    "needs_info": ("under_review", "rejected", "cancelled"),
    "approved": ("completed", "cancelled"),
    "rejected": (),
    "completed": (),
    "cancelled": (),
}


class StaleCase(Exception):
    """Someone else changed the case since it was read; nothing was overwritten."""


class BadTransition(Exception):
    pass


def _summary(row: Any) -> CaseSummary:
    return CaseSummary(
        id=row.id, org=row.org, reference=row.reference, status=row.status, flow_id=row.flow_id,
        beneficiary_id=row.beneficiary_id, created_at=row.created_at, decision_due_at=row.decision_due_at,
        national_id_last4=row.national_id_last4, version=row.version,
    )


_SUMMARY_COLS = (Case.id, Case.org, Case.reference, Case.status, Case.flow_id, Case.beneficiary_id,
                 Case.created_at, Case.decision_due_at, Case.national_id_last4, Case.version)


async def audit(conn: AsyncConnection, *, actor: str, action: str, org: str | None = None,
                target: str | None = None, detail: dict[str, Any] | None = None) -> None:
    await conn.execute(insert(AuditLog).values(
        id=new_id(), at=datetime.now(UTC), org=org, actor=actor, action=action, target=target, detail=detail,
    ))


class AuditTrail:
    """The audit port of the core (:class:`bot.ports.Auditor`): one row per event, its own commit."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, *, actor: str, action: str, org: str | None = None, target: str | None = None,
                     detail: dict[str, Any] | None = None) -> None:
        async with self.db.writer.begin() as conn:
            await audit(conn, actor=actor, action=action, org=org, target=target, detail=detail)


class CaseService:
    def __init__(self, db: Database, cipher: DataCipher) -> None:
        self.db = db
        self.cipher = cipher

    async def _next_reference(self, conn: AsyncConnection, org: str, code: str, now: datetime) -> str:
        year = now.year % 100
        updated = await conn.execute(
            update(ReferenceCounter).where(ReferenceCounter.org == org, ReferenceCounter.year == year)
            .values(last=ReferenceCounter.last + 1).returning(ReferenceCounter.last)
        )
        number = updated.scalar()
        if number is None:
            await conn.execute(insert(ReferenceCounter).values(org=org, year=year, last=1))
            number = 1
        return f"{code}-{year:02d}-{number:05d}"

    async def create(
        self, *, org: str, code: str, beneficiary_id: str, conversation_id: str | None, channel: str,
        flow_id: str, answers: dict[str, Any], declaration: dict[str, Any], consent: dict[str, Any] | None,
        decision_min_days: int | None, submit_key: str, now: datetime | None = None,
        sensitive: Iterable[str] = (),
    ) -> CaseSummary:
        """File a request. The national ID goes to its encrypted columns; the other ``sensitive``
        answers (a diagnosis) are sealed inside ``data`` with the same key (:mod:`bot.sealed`),
        so the committee's file holds no health data in clear either."""
        now = now or datetime.now(UTC)
        data = dict(answers)
        nid = data.pop("national_id", None)
        phone = data.get("mobile") or data.get("phone")
        data = seal(data, [(f, "") for f in sensitive], self.cipher)
        async with self.db.writer.begin() as conn:
            existing = (await conn.execute(select(*_SUMMARY_COLS).where(Case.submit_key == submit_key))).first()
            if existing is not None:
                return _summary(existing)
            reference = await self._next_reference(conn, org, code, now)
            due = now + timedelta(days=decision_min_days) if decision_min_days else None
            case_id = new_id()
            await conn.execute(insert(Case).values(
                id=case_id, org=org, reference=reference, beneficiary_id=beneficiary_id,
                conversation_id=conversation_id, channel=channel, flow_id=flow_id, status="submitted", data=data,
                national_id_enc=self.cipher.encrypt(nid) if nid else None,
                national_id_hash=self.cipher.lookup_hash(nid) if nid else None,
                national_id_last4=nid[-4:] if nid else None, phone_e164=phone, declaration=declaration,
                consent=consent, decision_due_at=due, version=1, submit_key=submit_key,
                created_at=now, updated_at=now,
            ))
            await conn.execute(insert(CaseEvent).values(
                id=new_id(), case_id=case_id, at=now, actor="beneficiary", from_status=None,
                to_status="submitted", comment=None,
            ))
            await audit(conn, actor="beneficiary", action="case.submit", org=org, target=reference)
            row = (await conn.execute(select(*_SUMMARY_COLS).where(Case.id == case_id))).one()
        return _summary(row)

    async def for_beneficiary(self, org: str, beneficiary_id: str, *, open_only: bool = True) -> list[CaseSummary]:
        stmt = select(*_SUMMARY_COLS).where(Case.org == org, Case.beneficiary_id == beneficiary_id)
        if open_only:
            stmt = stmt.where(Case.status.in_(OPEN_STATUSES))
        async with self.db.reader.connect() as conn:
            rows = (await conn.execute(stmt.order_by(Case.created_at.desc()).limit(20))).all()
        return [_summary(r) for r in rows]

    async def by_reference(self, org: str, reference: str) -> tuple[CaseSummary, str | None, str | None] | None:
        """The case with its phone and national-ID hash for ownership checks; None if not in ``org``."""
        stmt = select(*_SUMMARY_COLS, Case.phone_e164, Case.national_id_hash).where(
            Case.org == org, Case.reference == reference.upper()
        )
        async with self.db.reader.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            return None
        return _summary(row), row.phone_e164, row.national_id_hash

    async def change_status(
        self, case_id: str, *, expected_version: int, to_status: str, actor: str, comment: str | None = None,
    ) -> CaseSummary:
        now = datetime.now(UTC)
        async with self.db.writer.begin() as conn:
            row = (await conn.execute(select(*_SUMMARY_COLS).where(Case.id == case_id))).first()
            if row is None:
                raise LookupError(case_id)
            if to_status not in TRANSITIONS.get(row.status, ()):
                raise BadTransition(f"{row.status} → {to_status}")
            result = await conn.execute(
                update(Case).where(Case.id == case_id, Case.version == expected_version)
                .values(status=to_status, version=Case.version + 1, updated_at=now)
            )
            if result.rowcount != 1:
                raise StaleCase(case_id)
            await conn.execute(insert(CaseEvent).values(
                id=new_id(), case_id=case_id, at=now, actor=actor, from_status=row.status, to_status=to_status,
                comment=comment,
            ))
            await audit(conn, actor=actor, action="case.status", org=row.org, target=row.reference,
                        detail={"from": row.status, "to": to_status})
            new = (await conn.execute(select(*_SUMMARY_COLS).where(Case.id == case_id))).one()
        return _summary(new)

    async def add_note(self, *, org: str, case_id: str, text: str, actor: str = "beneficiary") -> str | None:
        """Attach what the person wrote to their case (a reply to "needs information"), as a case
        event its officer sees in the case's history; the status does not change. Returns the
        case's reference (None: no such case in this association)."""
        now = datetime.now(UTC)
        async with self.db.writer.begin() as conn:
            row = (await conn.execute(
                select(Case.status, Case.reference).where(Case.id == case_id, Case.org == org)
            )).first()
            if row is None:
                return None
            await conn.execute(insert(CaseEvent).values(
                id=new_id(), case_id=case_id, at=now, actor=actor, from_status=row.status, to_status=row.status,
                comment=text,
            ))
            await audit(conn, actor=actor, action="case.note", org=org, target=row.reference)
        return str(row.reference)

    async def history(self, case_id: str) -> list[dict[str, Any]]:
        async with self.db.reader.connect() as conn:
            rows = (await conn.execute(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at)
            )).all()
        return [{"at": r.at, "actor": r.actor, "from": r.from_status, "to": r.to_status, "comment": r.comment}
                for r in rows]

    async def update_profile(self, *, org: str, beneficiary_id: str, answers: dict[str, Any],
                             channel: str) -> None:
        now = datetime.now(UTC)
        values: dict[str, Any] = {"updated_at": now}
        if answers.get("full_name"):
            values["full_name"] = answers["full_name"]
        if answers.get("city"):
            values["city"] = answers["city"]
        phone = answers.get("mobile") or answers.get("phone")
        if phone:
            values["phone_e164"] = phone
        nid = answers.get("national_id")
        if nid:
            values.update(national_id_enc=self.cipher.encrypt(nid), national_id_hash=self.cipher.lookup_hash(nid),
                          national_id_last4=nid[-4:])
        async with self.db.writer.begin() as conn:
            exists = (await conn.execute(
                select(func.count()).select_from(Profile).where(Profile.beneficiary_id == beneficiary_id)
            )).scalar()
            if exists:
                await conn.execute(update(Profile).where(Profile.beneficiary_id == beneficiary_id).values(**values))
            else:
                await conn.execute(insert(Profile).values(beneficiary_id=beneficiary_id, org=org, **values))
            await audit(conn, actor="beneficiary", action="profile.update", org=org, target=beneficiary_id,
                        detail={"fields": sorted(k for k in values if k != "updated_at"), "channel": channel})

    async def add_volunteer(self, *, org: str, beneficiary_id: str, answers: dict[str, Any], submit_key: str) -> bool:
        """True when newly recorded; False when this submission was already stored."""
        async with self.db.writer.begin() as conn:
            found = (await conn.execute(select(Volunteer.id).where(Volunteer.submit_key == submit_key))).first()
            if found:
                return False
            await conn.execute(insert(Volunteer).values(
                id=new_id(), org=org, beneficiary_id=beneficiary_id, data=seal(answers, [], self.cipher),
                submit_key=submit_key,
                created_at=datetime.now(UTC),
            ))
            await audit(conn, actor="beneficiary", action="volunteer.signup", org=org, target=beneficiary_id)
        return True
