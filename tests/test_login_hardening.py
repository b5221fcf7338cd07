"""Console logins under attack (issue 14, findings 2–4).

* Concurrency: 40 wrong passwords at once get no more password checks than the policy's free
  attempts — on SQLite and on PostgreSQL with two "workers" (two connection pools).
* The event loop never runs argon2: every check, the dummy one for unknown e-mails included,
  runs on another thread.
* Growing delays, not a lock: an attacker's failures from one address do not keep the real user,
  from another, out for longer than the short per-e-mail delay.
* The client address: X-Forwarded-For believed only from ``SILA_TRUSTED_PROXIES``, walked right
  to left; the audit log names the real client.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import threading
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher
from sqlalchemy import select

from app.server import create_app
from bot.settings import Settings, SettingsError, load_settings
from channels.addresses import forwarded_client
from console import auth
from console.passwords import HASHER, PasswordHashing
from console.web import PASSWORDS
from storage import login_throttle
from storage.db import Database, create_database, migrate
from storage.models import AuditLog, LoginThrottle
from wiring.runtime import RUNTIME

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, noting every check and the thread it ran on."""

    def __init__(self) -> None:
        super().__init__(time_cost=HASHER.time_cost, memory_cost=HASHER.memory_cost, parallelism=HASHER.parallelism,
                         hash_len=HASHER.hash_len, salt_len=HASHER.salt_len, type=HASHER.type)
        self.threads: list[int] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.threads.append(threading.get_ident())
        return super().verify(hash, password)


async def add_staff(db: Database, email: str, orgs: tuple[str, ...] = ("amass",)) -> str:
    return await auth.create_staff(db, email=email, name="Staff", role="officer", orgs=list(orgs), password=PASSWORD,
                                   known_orgs={"amass", "taheel", "rida", "ratel", "ilm-alhajj"}, actor="test")


def email() -> str:
    return f"s{uuid.uuid4().hex[:10]}@amass.sa"


@pytest.fixture
async def sqlite_db(sqlite_settings: Settings) -> AsyncIterator[Database]:
    db = create_database(sqlite_settings)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def counting() -> tuple[CountingHasher, PasswordHashing]:
    hasher = CountingHasher()
    return hasher, PasswordHashing(threads=2, queue=100, hasher=hasher)


async def test_forty_concurrent_wrong_passwords_get_only_the_free_checks(
        sqlite_db: Database, counting: tuple[CountingHasher, PasswordHashing]) -> None:
    hasher, pool = counting
    who = email()
    await add_staff(sqlite_db, who)
    results = await asyncio.gather(*(auth.login(sqlite_db, who, f"wrong {i} password", "192.0.2.7", passwords=pool)
                                     for i in range(40)))
    assert len(hasher.threads) == auth.PAIR_POLICY.free
    reasons = [r.reason for r in results if isinstance(r, auth.Refused)]
    assert reasons.count("invalid") == auth.PAIR_POLICY.free and reasons.count("throttled") == 40 - auth.PAIR_POLICY.free
    # and the right password, straight after, waits too: the counter was taken before the checks
    again = await auth.login(sqlite_db, who, PASSWORD, "192.0.2.7", passwords=pool)
    assert isinstance(again, auth.Refused) and again.reason == "throttled" and again.retry_after > 0
    # audited: every checked failure, and the refusals once per delay, not once per request
    async with sqlite_db.reader.connect() as conn:
        actions = list((await conn.execute(select(AuditLog.action).where(AuditLog.target == who))).scalars())
    assert actions.count("login.failed") == auth.PAIR_POLICY.free and actions.count("login.throttled") == 1
    pool.close()


async def test_unknown_emails_are_throttled_the_same_way(
        sqlite_db: Database, counting: tuple[CountingHasher, PasswordHashing]) -> None:
    hasher, pool = counting
    results = await asyncio.gather(*(auth.login(sqlite_db, "nobody@amass.sa", "guess guess", "192.0.2.8", passwords=pool)
                                     for _ in range(40)))
    assert len(hasher.threads) == auth.PAIR_POLICY.free  # the dummy check, counted like any other
    assert sum(isinstance(r, auth.Refused) and r.reason == "throttled" for r in results) == 40 - auth.PAIR_POLICY.free
    # spraying many unknown e-mails from one address meets the address's own limit
    hasher.threads.clear()
    await asyncio.gather(*(auth.login(sqlite_db, f"n{i}@amass.sa", "guess guess", "192.0.2.9", passwords=pool)
                           for i in range(60)))
    assert len(hasher.threads) == auth.ADDRESS_POLICY.free
    pool.close()


async def test_two_workers_on_postgresql_share_the_count(pg_url: str,
                                                         counting: tuple[CountingHasher, PasswordHashing]) -> None:
    settings = load_settings(env={}, database_url=pg_url)
    await migrate(settings)
    one, two = create_database(settings), create_database(settings)
    hasher, pool = counting
    try:
        who = email()
        await add_staff(one, who)
        same_address = [auth.login(db, who, "wrong password!", "198.51.100.1", passwords=pool)
                        for db in (one, two) for _ in range(20)]
        await asyncio.gather(*same_address)
        assert len(hasher.threads) == auth.PAIR_POLICY.free
        hasher.threads.clear()
        other = email()
        await add_staff(one, other)
        # spread over 40 addresses: the per-e-mail count holds across both pools
        spread = [auth.login((one, two)[i % 2], other, "wrong password!", f"198.51.100.{10 + i}", passwords=pool)
                  for i in range(40)]
        await asyncio.gather(*spread)
        assert len(hasher.threads) == auth.EMAIL_POLICY.free
    finally:
        pool.close()
        await one.dispose()
        await two.dispose()


async def test_attacker_at_x_does_not_keep_the_user_at_y_out(
        sqlite_db: Database, counting: tuple[CountingHasher, PasswordHashing]) -> None:
    _hasher, pool = counting
    who = email()
    await add_staff(sqlite_db, who)
    now = 1_000_000.0
    x = "203.0.113.1"
    for _ in range(auth.PAIR_POLICY.free):
        await auth.login(sqlite_db, who, "wrong password!", x, passwords=pool, now=now)
    # then from ever new addresses, each time the per-e-mail delay ends (the worst an outsider can do)
    for i in range(10):
        tried = await auth.login(sqlite_db, who, "wrong password!", f"198.51.100.{i}", passwords=pool, now=now)
        if isinstance(tried, auth.Refused) and tried.reason == "throttled":
            now += tried.retry_after
            tried = await auth.login(sqlite_db, who, "wrong password!", f"198.51.100.{i}", passwords=pool, now=now)
        assert isinstance(tried, auth.Refused) and tried.reason == "invalid"
    # the real user at Y: at worst the short per-e-mail delay, never a lock
    first = await auth.login(sqlite_db, who, PASSWORD, "192.0.2.50", passwords=pool, now=now)
    assert isinstance(first, auth.Refused) and first.reason == "throttled"
    assert 0 < first.retry_after <= auth.EMAIL_POLICY.cap
    now += first.retry_after
    ok = await auth.login(sqlite_db, who, PASSWORD, "192.0.2.50", passwords=pool, now=now)
    assert isinstance(ok, tuple), ok
    # the user's sign-in does not wipe the attacker's record: X's next failure waits twice as long
    await auth.login(sqlite_db, who, "wrong password!", x, passwords=pool, now=now)
    later = await auth.login(sqlite_db, who, "wrong password!", x, passwords=pool, now=now)
    assert isinstance(later, auth.Refused) and later.reason == "throttled"
    assert later.retry_after == auth.PAIR_POLICY.delay(auth.PAIR_POLICY.free + 1) == 2 * auth.PAIR_POLICY.base
    pool.close()


async def test_delays_grow_and_a_refused_attempt_does_not_lengthen_them(
        sqlite_db: Database, counting: tuple[CountingHasher, PasswordHashing]) -> None:
    _hasher, pool = counting
    who, ip, now = email(), "192.0.2.60", 2_000_000.0
    for _ in range(auth.PAIR_POLICY.free):
        await auth.login(sqlite_db, who, "wrong password!", ip, passwords=pool, now=now)
    waits = []
    for _ in range(3):
        refused = await auth.login(sqlite_db, who, "wrong password!", ip, passwords=pool, now=now)
        assert isinstance(refused, auth.Refused) and refused.reason == "throttled"
        waits.append(refused.retry_after)
        hammer = await auth.login(sqlite_db, who, "wrong password!", ip, passwords=pool, now=now + 1)
        assert isinstance(hammer, auth.Refused) and hammer.retry_after == refused.retry_after - 1
        now += refused.retry_after
        tried = await auth.login(sqlite_db, who, "wrong password!", ip, passwords=pool, now=now)
        assert isinstance(tried, auth.Refused) and tried.reason == "invalid"
    assert waits[0] < waits[1] < waits[2]
    async with sqlite_db.reader.connect() as conn:
        keys = (await conn.execute(select(LoginThrottle.key))).scalars().all()
    assert keys and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)  # no e-mail or address in clear
    pool.close()


async def test_idle_counters_are_forgotten(sqlite_db: Database,
                                            counting: tuple[CountingHasher, PasswordHashing]) -> None:
    _hasher, pool = counting
    await auth.login(sqlite_db, email(), "wrong password!", "192.0.2.80", passwords=pool, now=3_000_000.0)
    await auth.login(sqlite_db, email(), "wrong password!", "192.0.2.81", passwords=pool, now=3_000_500.0)
    assert await login_throttle.forget_older_than(sqlite_db, 3_000_100.0) == 3  # pair, address, e-mail
    async with sqlite_db.reader.connect() as conn:
        assert len((await conn.execute(select(LoginThrottle.key))).all()) == 3
    pool.close()


async def test_hashing_refuses_to_queue_without_bound(sqlite_db: Database) -> None:
    pool = PasswordHashing(threads=1, queue=1)
    with pool.reserve():
        busy = await auth.login(sqlite_db, "a@amass.sa", "whatever!!", "192.0.2.70", passwords=pool)
    assert isinstance(busy, auth.Refused) and busy.reason == "busy"
    pool.close()


# -- over HTTP: the loop thread, the client address, the audit log ------------------------------


async def _login(client: TestClient, who: str, password: str, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        base = str(client.make_url("")).rstrip("/")
        async with s.get(base + "/console/login") as r:
            token = CSRF_RE.search(await r.text()).group(1)  # type: ignore[union-attr]
        async with s.post(base + "/console/login", headers=headers or {},
                          data={"csrf": token, "email": who, "password": password, "next": ""}) as r:
            return r.status


@contextlib.asynccontextmanager
async def _app(settings: Settings) -> AsyncIterator[tuple[TestClient, CountingHasher]]:
    app = create_app(settings)
    async with TestClient(TestServer(app)) as client:
        hasher = CountingHasher()
        app[PASSWORDS].hasher = hasher
        yield client, hasher


async def test_password_checks_run_off_the_event_loop(sqlite_settings: Settings) -> None:
    async with _app(sqlite_settings) as (client, hasher):
        runtime = client.server.app[RUNTIME]
        assert runtime.db is not None
        who = email()
        await add_staff(runtime.db, who)
        loop_thread = threading.get_ident()
        assert await _login(client, who, PASSWORD) == 200
        assert await _login(client, who, "wrong password!") == 401
        assert await _login(client, "nobody@amass.sa", "wrong password!") == 401  # the dummy check
        assert len(hasher.threads) == 3 and loop_thread not in hasher.threads


async def test_forwarded_for_is_believed_only_from_trusted_proxies(sqlite_settings: Settings) -> None:
    async def failed_actors() -> list[str]:
        assert runtime.db is not None
        async with runtime.db.reader.connect() as conn:
            return list((await conn.execute(select(AuditLog.actor).where(AuditLog.action == "login.failed")
                                             .order_by(AuditLog.at))).scalars())

    async with _app(sqlite_settings) as (client, _hasher):  # no trusted proxies: the header is ignored
        runtime = client.server.app[RUNTIME]
        assert await _login(client, "x@amass.sa", "wrong password!", {"X-Forwarded-For": "203.0.113.9"}) == 401
        assert await failed_actors() == ["ip:127.0.0.1"]
    trusted = dataclasses.replace(sqlite_settings, trusted_proxies="127.0.0.1, 10.0.0.0/8")
    async with _app(trusted) as (client, _hasher):
        runtime = client.server.app[RUNTIME]
        assert runtime.db is not None
        who = email()
        await add_staff(runtime.db, who)
        # a spoofed entry on the left is not the client: the first untrusted hop from the right is
        for _ in range(auth.PAIR_POLICY.free):
            assert await _login(client, who, "wrong password!",
                                {"X-Forwarded-For": "198.51.100.1, 203.0.113.66, 10.1.2.3"}) == 401
        assert (await failed_actors())[-1] == "ip:203.0.113.66"
        assert await _login(client, who, PASSWORD, {"X-Forwarded-For": "203.0.113.66"}) == 429
        # behind the same proxy, the real user at another address is not held up by the attacker
        assert await _login(client, who, PASSWORD, {"X-Forwarded-For": "192.0.2.1"}) == 200


async def test_sign_in_never_redirects_off_the_console(sqlite_settings: Settings) -> None:
    async with _app(sqlite_settings) as (client, _hasher):
        runtime = client.server.app[RUNTIME]
        assert runtime.db is not None
        who = email()
        await add_staff(runtime.db, who)
        base = str(client.make_url("")).rstrip("/")
        for nxt in ("//evil.example/console", "https://evil.example/console", "/chat/amass", "javascript:alert(1)"):
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                async with s.get(base + "/console/login") as r:
                    token = CSRF_RE.search(await r.text()).group(1)  # type: ignore[union-attr]
                async with s.post(base + "/console/login", allow_redirects=False,
                                  data={"csrf": token, "email": who, "password": PASSWORD, "next": nxt}) as r:
                    assert r.status == 303 and r.headers["Location"] == "/console/queue", nxt


def test_forwarded_client_walks_right_to_left() -> None:
    trusted = "10.0.0.0/8, ::1"
    assert forwarded_client("203.0.113.5", ["1.2.3.4"], trusted) == "203.0.113.5"  # untrusted peer
    assert forwarded_client("10.0.0.2", ["1.2.3.4, 5.6.7.8"], trusted) == "5.6.7.8"
    assert forwarded_client("10.0.0.2", ["1.2.3.4", "5.6.7.8, 10.9.9.9"], trusted) == "5.6.7.8"
    assert forwarded_client("::1", ["[2001:db8::1]:443"], trusted) == "2001:db8::1"
    assert forwarded_client("10.0.0.2", ["garbage, 10.0.0.3"], trusted) == "10.0.0.3"
    assert forwarded_client("10.0.0.2", [], trusted) == "10.0.0.2"
    assert forwarded_client("10.0.0.2", ["1.2.3.4"], "") == "10.0.0.2"
    with pytest.raises(SettingsError, match="SILA_TRUSTED_PROXIES"):
        load_settings(env={"SILA_TRUSTED_PROXIES": "10.0.0.0/8, nginx"})


def test_ipv6_clients_are_counted_by_their_64() -> None:
    assert auth.address_key("2001:db8:1:2:aaaa::1") == auth.address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert auth.address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert auth.address_key("192.0.2.1") == "192.0.2.1"
