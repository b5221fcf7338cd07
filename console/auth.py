"""Staff accounts, passwords, sessions, CSRF and login throttling for the console.

* Passwords: argon2id with explicit cost parameters (``console.passwords.HASHER``), hashed and
  checked in a small bounded thread pool (``PasswordHashing``) so the event loop never waits on
  one; rehashed on login when the parameters change.
* Sessions: a random cookie token; only its SHA-256 is stored, so a database leak does not leak
  live sessions. A session ends after 30 minutes idle, 12 hours in all, on logout, when the
  password changes (sessions older than ``password_changed_at`` are refused) or when the account
  is disabled.
* CSRF: one random token per session, required on every POST (``check_csrf``); the login form,
  which has no session yet, uses a double-submit cookie.
* Throttling (``storage.login_throttle``): every attempt is counted before its password is
  checked, per e-mail from one client address, per client address and per e-mail from anywhere,
  with delays that grow while the failures go on — never a lock someone else can put on an
  account. Unknown e-mails are counted the same way. Every failure and every refusal is written
  to the append-only audit log with the client's real address (``channels.addresses``).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import math
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from bot.clock import aware
from bot.ids import new_id
from console.passwords import HASHER, Busy, PasswordHashing
from storage import login_throttle
from storage.cases import audit
from storage.db import Database
from storage.login_throttle import Policy
from storage.models import LoginAttempt, Staff, StaffSession

log = logging.getLogger("sila.console")
ROLES = ("officer", "coordinator", "admin")
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
#: one e-mail from one address: 5 tries, then 30 s doubling to 15 min
PAIR_POLICY = Policy(free=5, base=30.0, cap=900.0)
#: one address, whatever the e-mails (password spraying, unknown e-mails): 20 tries, then the same
ADDRESS_POLICY = Policy(free=20, base=30.0, cap=900.0)
#: one e-mail from anywhere (guesses spread over many addresses): 10 tries, then 5 s doubling to
#: one minute — short on purpose: it is the one key an outsider can push for someone else's account
EMAIL_POLICY = Policy(free=10, base=5.0, cap=60.0)
#: field limits, enforced by the forms and by ``validate_staff``
MAX_EMAIL, MAX_NAME, MIN_PASSWORD, MAX_PASSWORD = 254, 120, 10, 256
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
__all__ = ["HASHER", "PasswordHashing", "Refused", "StaffError", "StaffUser", "login"]


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
    #: system-wide administrator: also sees the audit rows of no association
    system_admin: bool = False

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


async def _hash(passwords: PasswordHashing | None, password: str) -> str:
    """Off the event loop: in the console's pool, or (CLI, tests) a worker thread of its own."""
    if passwords is not None:
        return await passwords.hash(password)
    return await asyncio.to_thread(HASHER.hash, password)


async def create_staff(db: Database, *, email: str, name: str, role: str, orgs: list[str], password: str,
                       known_orgs: set[str], actor: str, passwords: PasswordHashing | None = None,
                       system_admin: bool = False) -> str:
    """A new account. ``system_admin`` only from the command line: no console form can grant it."""
    email, name = validate_staff(email, name, role, orgs, known_orgs, password)
    if system_admin and role != "admin":
        raise StaffError("role")
    password_hash = await _hash(passwords, password)
    now = datetime.now(UTC)
    staff_id = new_id()
    async with db.writer.begin() as conn:
        if (await conn.execute(select(Staff.id).where(Staff.email == email))).first():
            raise StaffError("exists")
        await conn.execute(insert(Staff).values(
            id=staff_id, email=email, name=name, role=role, orgs=list(orgs), password_hash=password_hash,
            disabled_at=None, password_changed_at=now, created_at=now, system_admin=system_admin,
        ))
        await audit(conn, actor=actor, action="staff.create", target=staff_id,
                    detail={"email": email, "role": role, "orgs": list(orgs), "system_admin": system_admin})
    return staff_id


async def set_password(db: Database, staff_id: str, password: str, *, actor: str,
                       passwords: PasswordHashing | None = None) -> None:
    """Change a password and end every session of that account."""
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise StaffError("password")
    password_hash = await _hash(passwords, password)
    now = datetime.now(UTC)
    async with db.writer.begin() as conn:
        await conn.execute(update(Staff).where(Staff.id == staff_id)
                           .values(password_hash=password_hash, password_changed_at=now))
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


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a login was refused: ``invalid``, ``throttled`` or ``busy``; when to try again."""

    reason: str
    retry_after: int = 0


def address_key(ip: str) -> str:
    """The throttle's unit for a client address: the address, or its /64 for IPv6 (one customer
    is usually handed a whole /64, so counting single IPv6 addresses would be no limit at all)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


async def forget_loop(db: Database, every: float = 3600.0) -> None:
    """Drop throttle counters idle past every policy's ``forget`` (they would start afresh anyway)."""
    horizon = max(p.forget + p.cap for p in (PAIR_POLICY, ADDRESS_POLICY, EMAIL_POLICY))
    while True:
        await asyncio.sleep(every)
        try:
            await login_throttle.forget_older_than(db, time.time() - horizon)
        except Exception:  # a busy or unreachable database: next hour, then
            log.warning("could not drop old login throttle counters", exc_info=True)


def throttle_keys(email: str, ip: str) -> dict[str, Policy]:
    where = address_key(ip)
    return {f"pair:{email}|{where}": PAIR_POLICY, f"addr:{where}": ADDRESS_POLICY, f"email:{email}": EMAIL_POLICY}


#: (e-mail, address) → the end of the delay whose refusal was last audited, in this process
_AUDITED_REFUSALS: dict[tuple[str, str], float] = {}


def _first_refusal(email: str, ip: str, until: float) -> bool:
    """Whether this refusal starts a new delay for (e-mail, address), so it gets an audit row.

    One row per delay, not one per refused request: a storm of refusals must neither fill the
    append-only audit log nor take the database's write lock (on SQLite, every chat turn's too).
    """
    key = (email, ip)
    if abs(_AUDITED_REFUSALS.get(key, 0.0) - until) < 2.0:
        return False
    if len(_AUDITED_REFUSALS) >= 10_000:
        _AUDITED_REFUSALS.clear()
    _AUDITED_REFUSALS[key] = until
    return True


async def login(db: Database, email: str, password: str, ip: str, *, passwords: PasswordHashing,
                now: float | None = None) -> tuple[str, str] | Refused:
    """``(cookie token, staff id)`` on success, else ``Refused``.

    The attempt is counted before the password is checked (``login_throttle.claim``), so no
    number of concurrent requests gets more checks than the policies allow. ``now`` (epoch
    seconds) is for tests that step over a delay without sleeping.
    """
    email = email.strip().lower()[:MAX_EMAIL]
    clock = time.time() if now is None else now
    keys = throttle_keys(email, ip)
    try:
        slot = passwords.reserve()
    except Busy:
        return Refused("busy", 5)
    with slot:
        wait = await login_throttle.claim(db, list(keys.items()), clock)
        if wait:
            if _first_refusal(email, ip, clock + wait):
                async with db.writer.begin() as conn:
                    await audit(conn, actor=f"ip:{ip}"[:64], action="login.throttled", target=email[:80],
                                detail={"retry_after": math.ceil(wait)})
            return Refused("throttled", math.ceil(wait))
        async with db.reader.connect() as conn:
            row = (await conn.execute(select(Staff).where(Staff.email == email))).first()
        usable = row is not None and row.disabled_at is None and len(password) <= MAX_PASSWORD
        ok = await passwords.verify(row.password_hash if usable and row else None, password[:MAX_PASSWORD])
    stamp = datetime.now(UTC)
    if not ok or row is None:
        async with db.writer.begin() as conn:
            await conn.execute(insert(LoginAttempt).values(id=new_id(), email=email, ip=ip[:64], ok=False, at=stamp))
            await audit(conn, actor=f"ip:{ip}"[:64], action="login.failed", target=email[:80])
        return Refused("invalid")
    pair, addr, by_email = keys
    await login_throttle.succeeded(db, forget=[pair, by_email], uncount=[addr])
    new_hash = await passwords.hash(password) if passwords.needs_rehash(row.password_hash) else None
    token = secrets.token_urlsafe(32)
    async with db.writer.begin() as conn:
        await conn.execute(insert(LoginAttempt).values(id=new_id(), email=email, ip=ip[:64], ok=True, at=stamp))
        if new_hash is not None:
            await conn.execute(update(Staff).where(Staff.id == row.id).values(password_hash=new_hash))
        await conn.execute(insert(StaffSession).values(
            id=token_hash(token), staff_id=row.id, csrf=secrets.token_urlsafe(32), ip=ip[:64],
            created_at=stamp, last_seen_at=stamp, ended_at=None,
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
                   Staff.orgs, Staff.disabled_at, Staff.password_changed_at, Staff.system_admin)
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
                     orgs=tuple(row.orgs or ()), session_id=sid, csrf=row.csrf,
                     system_admin=bool(row.system_admin))


async def logout(db: Database, user: StaffUser) -> None:
    async with db.writer.begin() as conn:
        await conn.execute(update(StaffSession).where(StaffSession.id == user.session_id)
                           .values(ended_at=datetime.now(UTC)))
        await audit(conn, actor=f"staff:{user.id}", action="logout", target=user.id)


