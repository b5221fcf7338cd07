"""Real PostgreSQL and Redis for tests: skip with a reason on a laptop, fail in CI.

`.ci/run` sets SILA_REQUIRE_SERVICES=1, so there a missing server is an error, not a skip.
Each test session gets its own throw-away PostgreSQL database, so runs never see each other.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("SILA_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SILA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRED = os.environ.get("SILA_REQUIRE_SERVICES") == "1"


def unavailable(what: str, reason: str) -> None:
    message = f"{what} not reachable ({reason}); set SILA_TEST_DATABASE_URL / SILA_TEST_REDIS_URL"
    if REQUIRED:
        pytest.fail(message + " — required in CI (SILA_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _run_admin(sql: str) -> None:
    """Run in a thread: fixtures may be set up while pytest-asyncio's loop is running."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _pg_admin(sql)).result()


def create_pg_database() -> str:
    """A fresh database on the test server; returns its SQLAlchemy URL."""
    name = f"sila_t_{uuid.uuid4().hex[:10]}"
    try:
        _run_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        unavailable("PostgreSQL", f"{type(exc).__name__}: {exc}")
    base, _, _db = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rpartition("/")[2]
    try:
        _run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:
        pass


def check_redis() -> str:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        unavailable("Redis", f"{type(exc).__name__}: {exc}")
    return REDIS_URL


def start_redis(port: int, workdir: str) -> subprocess.Popen[bytes]:
    """A private redis-server that a test may kill and restart without touching the shared one."""
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG":
            return proc
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("private redis-server did not start")


def private_redis(port: int, workdir: str) -> subprocess.Popen[bytes]:
    """:func:`start_redis`, or a skip with the reason (a failure in CI) where the binary is missing."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server binary", "not installed")
    return start_redis(port, workdir)
