"""Wiring in one place: settings → packs, database, coordination, engine.

The web server (``channels/server.py``) and the CLI (``sila chat``) both open a Runtime, so the
terminal channel runs through exactly the same engine, state and storage as any other channel.
Which implementations are picked follows settings only: SQLite + in-process locks by default,
PostgreSQL and/or Redis when their URLs are set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.dialects import postgresql, sqlite

from bot.engine import Engine
from bot.packs import LoadedPack, load_all
from bot.ports import ConversationStore, EventBus, LockProvider, Services
from bot.settings import Settings, SettingsError
from storage.cases import AuditTrail, CaseService
from storage.conversations import MemoryConversationStore
from storage.coordination import MemoryBus, MemoryLocks, RedisBus, RedisLocks
from storage.crypto import DataCipher, load_cipher
from storage.db import Database, check_reachable, create_database
from storage.models import Association
from storage.redis_link import RedisBatcher, open_redis
from storage.sql_conversations import SqlConversationStore
from storage.verification import AuditVerificationGuard
from wiring.knowledge import PackRegistry

log = logging.getLogger("sila.runtime")

#: how long a worker keeps a conversation's Redis lease after a turn (``RedisLocks``): its next
#: turn within half of it takes no Redis round trip; a worker that dies holds it at most this long
LOCK_KEEP_MS = 10_000


@dataclass(slots=True)
class Runtime:
    settings: Settings
    packs: dict[str, LoadedPack]
    store: ConversationStore
    locks: LockProvider
    bus: EventBus
    engine: Engine
    db: Database | None = None
    redis: Any = None
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    #: cases, profiles and volunteers (None in memory mode, e.g. `sila ask`)
    cases: CaseService | None = None
    cipher: DataCipher | None = None
    #: waiting hand-offs per association, refreshed from the database by the console
    #: (``console.queue.refresh_loop``); None until the first refresh, so no position is claimed
    waiting_counts: dict[str, int] | None = None
    #: the associations' own edits of their packs (``wiring.knowledge``); applied at open
    knowledge: PackRegistry | None = None
    #: every FAQ index meant to be built before traffic is built (``/readyz``)
    faq_ready: bool = False

    def queue_position(self, slug: str) -> int | None:
        """The place in the queue a hand-off requested now gets (sync: routing calls it mid-turn).

        Counted locally between refreshes, so two hand-offs in one refresh window get 1 and 2.
        """
        if self.waiting_counts is None:
            return None
        position = self.waiting_counts.get(slug, 0) + 1
        self.waiting_counts[slug] = position
        return position


#: where the aiohttp application keeps the open Runtime (channels and console read it)
RUNTIME = web.AppKey("runtime", Runtime)


async def connect_redis(url: str, max_connections: int = 16) -> Any:
    """One bounded, blocking pool for the worker (``storage.redis_link``), checked reachable."""
    client = open_redis(url, max_connections=max_connections)
    try:
        async with asyncio.timeout(5):
            await client.ping()
    except Exception as exc:
        await client.aclose()
        raise SettingsError(f"SILA_REDIS_URL: Redis unreachable: {str(exc).splitlines()[0][:200]}") from None
    return client


async def sync_associations(db: Database, packs: dict[str, LoadedPack]) -> None:
    """Upsert one row per pack so foreign keys hold; packs remain the source of their content."""
    rows = [
        {"slug": slug, "name_ar": p.pack.name.ar, "name_en": p.pack.name.en,
         "policy_version": p.pack.policy.version, "updated_at": datetime.now(UTC)}
        for slug, p in packs.items()
    ]
    dialect_insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    stmt = dialect_insert(Association)
    stmt = stmt.on_conflict_do_update(
        index_elements=["slug"],
        set_={"name_ar": stmt.excluded.name_ar, "name_en": stmt.excluded.name_en,
              "policy_version": stmt.excluded.policy_version, "updated_at": stmt.excluded.updated_at},
    )
    async with db.writer.begin() as conn:
        await conn.execute(stmt, rows)


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, *, memory: bool = False, packs: dict[str, LoadedPack] | None = None
) -> AsyncIterator[Runtime]:
    """Open every resource the engine needs; close them in reverse order. ``packs``: the disk
    packs when the caller has just loaded them (parsing is ~10 ms a pack: twice is seconds for
    hundreds of associations)."""
    if packs is None:
        packs = load_all(Path(settings.orgs_dir) if settings.orgs_dir else None)
    async with contextlib.AsyncExitStack() as stack:
        db: Database | None = None
        redis = None
        store: ConversationStore
        locks: LockProvider = MemoryLocks()
        bus: EventBus = MemoryBus()
        if memory:
            store = MemoryConversationStore()
        else:
            db = create_database(settings)
            stack.push_async_callback(db.dispose)
            await check_reachable(db)
            await sync_associations(db, packs)
            store = SqlConversationStore(db, shared=settings.multi_worker)
            stack.push_async_callback(store.close)
            if settings.redis_url:
                redis = await connect_redis(settings.redis_url, settings.redis_max_connections)
                stack.push_async_callback(redis.aclose)
                batcher = RedisBatcher(redis)
                stack.push_async_callback(batcher.close)
                redis_locks = RedisLocks(batcher, prefix=settings.redis_prefix, keep_ms=LOCK_KEEP_MS)
                redis_bus = RedisBus(redis, batcher, prefix=settings.redis_prefix, origin=redis_locks.worker,
                                     on_control=redis_locks.on_control)
                await redis_bus.start()
                locks, bus = redis_locks, redis_bus
        stack.push_async_callback(bus.close)
        stack.push_async_callback(locks.close)  # first out: kept leases released while Redis is open
        engine = Engine(packs, store, locks, bus, settings)
        runtime = Runtime(settings, packs, store, locks, bus, engine, db, redis)
        services = Services(settings=settings, queue_position=runtime.queue_position)
        if db is not None:
            runtime.cipher = services.cipher = load_cipher(settings)
            runtime.cases = services.cases = CaseService(db, runtime.cipher)
            services.audit = AuditTrail(db)
            services.verification = AuditVerificationGuard(db)
        engine.services = services
        runtime.knowledge = PackRegistry(packs, db, bus)
        if db is not None:
            await runtime.knowledge.start()
            stack.callback(runtime.knowledge.close)

        async def _stop_background() -> None:
            for task in runtime.background:
                task.cancel()
            for task in runtime.background:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

        stack.push_async_callback(_stop_background)
        yield runtime
