"""argon2 hashing and verification in a small bounded thread pool, never on the event loop.

Why: one argon2id check (64 MiB, t=3) holds a core for tens of milliseconds. On the event loop
that is tens of milliseconds of every web chat turn, every webhook and every console page
waiting; about six logins a second (even with unknown e-mails, which still run a dummy check so
response time does not reveal which accounts exist) moved a chat turn from 4 ms to 270 ms. In
``threads`` worker threads (argon2-cffi releases the GIL while it hashes) the loop keeps serving,
memory stays bounded at ``threads`` × 64 MiB, and at most ``queue`` checks may wait for a thread:
past that a login is answered "busy" at once instead of piling up work.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2, hash_len=32, salt_len=16, type=Type.ID)
#: a hash verified for unknown e-mails (and over-long passwords), so every refusal costs the same
DUMMY_HASH = HASHER.hash(secrets.token_hex(16))


#: nice value of the hashing threads (Linux: per thread, inherited by argon2's own lane threads)
HASH_NICE = 19


def _lower_priority() -> None:
    """Run in each hashing thread as it starts: let the event loop's thread win the CPU.

    Off the loop is not enough on a small machine: argon2 threads (each with its own lane threads)
    keep every core busy, and the loop, though never blocked, waits for a core — on two shared
    cores the web chat's p99 during 30 concurrent sign-ins was 7–11× its quiet p99 at nice 0 with
    two hashing threads, about 2× at nice 19, 1.5× at nice 19 with one thread (``make bench``).
    At the lowest priority the scheduler hands the loop the CPU whenever it has work, and sign-ins
    take what is left.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICE)


class Busy(Exception):
    """More password checks are waiting than ``queue`` allows; the caller says "try shortly"."""


class PasswordHashing:
    """The pool; ``hasher`` is replaceable (tests count and locate the checks)."""

    def __init__(self, threads: int = 1, queue: int = 32, hasher: PasswordHasher = HASHER) -> None:
        self.hasher = hasher
        self.queue = queue
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sila-argon2",
                                        initializer=_lower_priority)
        self._waiting = 0

    def reserve(self) -> _Slot:
        """Take a place in the queue now (synchronously, so the bound holds), or raise ``Busy``."""
        if self._waiting >= self.queue:
            raise Busy()
        self._waiting += 1
        return _Slot(self)

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _verify_sync(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; ``None`` (no such account) checks the dummy, then False."""
        ok = await self._run(self._verify_sync, password_hash or DUMMY_HASH, password)
        return ok and password_hash is not None

    async def hash(self, password: str) -> str:
        return str(await self._run(self.hasher.hash, password))

    def needs_rehash(self, password_hash: str) -> bool:
        return bool(self.hasher.check_needs_rehash(password_hash))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Slot:
    """A reserved place in the queue, given back on exit."""

    def __init__(self, owner: PasswordHashing) -> None:
        self.owner = owner

    def __enter__(self) -> _Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.owner._waiting -= 1
