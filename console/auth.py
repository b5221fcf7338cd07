"""Staff accounts, passwords, sessions, CSRF and login throttling for the console.

* Passwords: argon2id with explicit cost parameters (``HASHER``); rehashed on login when the
  parameters change.
* Sessions: a random cookie token; only its SHA-256 is stored, so a database leak does not leak
  live sessions. A session ends after 30 minutes idle, 12 hours in all, on logout, when the
  password changes (sessions older than ``password_changed_at`` are refused) or when the account
  is disabled.
* CSRF: one random token per session, required on every POST (``check_csrf``); the login form,
  which has no session yet, uses a double-submit cookie.
* Throttling: 5 failed logins per 15 minutes per e-mail and IP address; every failure and every
  refusal is written to the append-only audit log.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select, update

from bot.clock import aware
from bot.ids import new_id
from storage.cases import audit
from storage.db import Database
from storage.models import LoginAttempt, Staff, StaffSession

HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2, hash_len=32, salt_len=16, type=Type.ID)
ROLES = ("officer", "coordinator", "admin")
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
THROTTLE_FAILS = 5
THROTTLE_WINDOW = timedelta(minutes=15)
#: field limits, enforced by the forms and by ``validate_staff``
MAX_EMAIL, MAX_NAME, MIN_PASSWORD, MAX_PASSWORD = 254, 120, 10, 256
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
#: a dummy hash verified for unknown e-mails, so response time does not reveal which accounts exist
_DUMMY = HASHER.hash(secrets.token_hex(16))


class StaffError(ValueError):
    """Input a person can correct (shown on the form)."""


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: str
    email: str
    name: str
    role: str
    orgs: tuple[str, ...]
    session_id: str
    csrf: str

    def can(self, org: str | None) -> bool:
        return org is not None and org in self.orgs

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_staff(email: str, name: str, role: str, orgs: list[str], known_orgs: set[str],
                   password: str | None) -> tuple[str, str]:
    email = email.strip().lower()
    name = name.strip()
    if not email or len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        raise StaffError("email")
    if not name or len(name) > MAX_NAME:
        raise StaffError("name")
    if role not in ROLES:
        raise StaffError("role")
    if not orgs or any(o not in known_orgs for o in orgs):
        raise StaffError("orgs")
    if password is not None and not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise StaffError("password")
    return email, name


async def create_staff(db: Database, *, email: str, name: str, role: str, orgs: list[str], password: str,
                       known_orgs: set[str], actor: str) -> str:
    email, name = validate_staff(email, name, role, orgs, known_orgs, password)
    now = datetime.now(UTC)
    staff_id = new_id()
    async with db.writer.begin() as conn:
        if (await conn.execute(select(Staff.id).where(Staff.email == email))).first():
            raise StaffError("exists")
        await conn.execute(insert(Staff).values(
            id=staff_id, email=email, name=name, role=role, orgs=list(orgs), password_hash=HASHER.hash(password),
            disabled_at=None, password_changed_at=now, created_at=now,
        ))
        await audit(conn, actor=actor, action="staff.create", target=staff_id,
                    detail={"email": email, "role": role, "orgs": list(orgs)})
    return staff_id


async def set_password(db: Database, staff_id: str, password: str, *, actor: str) -> None:
    """Change a password and end every session of that account."""
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise StaffError("password")
    now = datetime.now(UTC)
    async with db.writer.begin() as conn:
        await conn.execute(update(Staff).where(Staff.id == staff_id)
                           .values(password_hash=HASHER.hash(password), password_changed_at=now))
        await conn.execute(update(StaffSession).where(StaffSession.staff_id == staff_id,
                                                      StaffSession.ended_at.is_(None)).values(ended_at=now))
        await audit(conn, actor=actor, action="staff.password", target=staff_id)


async def set_disabled(db: Database, staff_id: str, disabled: bool, *, actor: str) -> None:
    now = datetime.now(UTC)
    async with db.writer.begin() as conn:
        await conn.execute(update(Staff).where(Staff.id == staff_id).values(disabled_at=now if disabled else None))
        if disabled:
            await conn.execute(update(StaffSession).where(StaffSession.staff_id == staff_id,
                                                          StaffSession.ended_at.is_(None)).values(ended_at=now))
        await audit(conn, actor=actor, action="staff.disable" if disabled else "staff.enable", target=staff_id)


async def throttled(db: Database, email: str, ip: str) -> bool:
    since = datetime.now(UTC) - THROTTLE_WINDOW
    async with db.reader.connect() as conn:
        fails = (await conn.execute(
            select(func.count()).select_from(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.ok.is_(False),
                   LoginAttempt.at >= since)
        )).scalar() or 0
    return fails >= THROTTLE_FAILS


async def login(db: Database, email: str, password: str, ip: str) -> tuple[str, str] | str:
    """``(cookie token, staff id)`` on success, else the reason: ``throttled`` or ``invalid``."""
    email = email.strip().lower()[:MAX_EMAIL]
    now = datetime.now(UTC)
    if await throttled(db, email, ip):
        async with db.writer.begin() as conn:
            await audit(conn, actor=f"ip:{ip}", action="login.throttled", target=email[:80])
        return "throttled"
    async with db.reader.connect() as conn:
        row = (await conn.execute(select(Staff).where(Staff.email == email))).first()
    ok = False
    if row is None or len(password) > MAX_PASSWORD:
        try:
            HASHER.verify(_DUMMY, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            pass
    else:
        try:
            ok = HASHER.verify(row.password_hash, password) and row.disabled_at is None
        except (VerificationError, InvalidHashError):
            ok = False
    async with db.writer.begin() as conn:
        await conn.execute(insert(LoginAttempt).values(id=new_id(), email=email, ip=ip, ok=ok, at=now))
        if not ok or row is None:
            await audit(conn, actor=f"ip:{ip}", action="login.failed", target=email[:80])
            return "invalid"
        if HASHER.check_needs_rehash(row.password_hash):
            await conn.execute(update(Staff).where(Staff.id == row.id).values(password_hash=HASHER.hash(password)))
        token = secrets.token_urlsafe(32)
        await conn.execute(insert(StaffSession).values(
            id=token_hash(token), staff_id=row.id, csrf=secrets.token_urlsafe(32), ip=ip[:64],
            created_at=now, last_seen_at=now, ended_at=None,
        ))
        await audit(conn, actor=f"staff:{row.id}", action="login", target=row.id, detail={"ip": ip})
    return token, row.id


async def session_user(db: Database, token: str) -> StaffUser | None:
    """The signed-in staff member for a cookie token, or None (expired, ended, disabled …)."""
    if not token or len(token) > 128:
        return None
    sid = token_hash(token)
    now = datetime.now(UTC)
    async with db.reader.connect() as conn:
        row = (await conn.execute(
            select(StaffSession.id, StaffSession.csrf, StaffSession.created_at, StaffSession.last_seen_at,
                   StaffSession.ended_at, Staff.id.label("staff_id"), Staff.email, Staff.name, Staff.role,
                   Staff.orgs, Staff.disabled_at, Staff.password_changed_at)
            .join(Staff, Staff.id == StaffSession.staff_id).where(StaffSession.id == sid)
        )).first()
    if row is None or row.ended_at is not None or row.disabled_at is not None:
        return None
    created, seen, changed = aware(row.created_at), aware(row.last_seen_at), aware(row.password_changed_at)
    if now - seen > IDLE or now - created > ABSOLUTE or created < changed:
        return None
    if now - seen > timedelta(seconds=30):
        async with db.writer.begin() as conn:
            await conn.execute(update(StaffSession).where(StaffSession.id == sid).values(last_seen_at=now))
    return StaffUser(id=row.staff_id, email=row.email, name=row.name, role=row.role,
                     orgs=tuple(row.orgs or ()), session_id=sid, csrf=row.csrf)


async def logout(db: Database, user: StaffUser) -> None:
    async with db.writer.begin() as conn:
        await conn.execute(update(StaffSession).where(StaffSession.id == user.session_id)
                           .values(ended_at=datetime.now(UTC)))
        await audit(conn, actor=f"staff:{user.id}", action="logout", target=user.id)


