"""Per-conversation locks and live fan-out: in-process by default, Redis across workers.

One message at a time per conversation: the lock is taken *before* state is loaded and held
until the turn is committed, so a worker never answers from stale state. In one process an
``asyncio.Lock`` per key is enough; with several workers a Redis lease (SET NX PX, released
only by its owner) takes its place. If Redis is unreachable a multi-worker deployment refuses
(503) rather than risk answering out of order; a single worker never needs Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

from bot.ports import Handler
from bot.records import StoreUnavailable

log = logging.getLogger("sila.coordination")


class MemoryLocks:
    """asyncio locks per key, dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = defaultdict(int)

    @contextlib.asynccontextmanager
    async def lock(self, name: str) -> AsyncIterator[None]:
        lk = self._locks.get(name)
        if lk is None:
            lk = self._locks[name] = asyncio.Lock()
        self._users[name] += 1
        try:
            async with lk:
                yield
        finally:
            self._users[name] -= 1
            if self._users[name] == 0:
                del self._users[name]
                self._locks.pop(name, None)

    async def close(self) -> None:
        return None


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


class RedisLocks:
    """A lease per key in Redis; local waiters queue on an asyncio lock first (fewer round trips)."""

    def __init__(self, redis: Any, *, lease_ms: int = 30_000, wait_s: float = 20.0) -> None:
        self.redis = redis
        self.lease_ms = lease_ms
        self.wait_s = wait_s
        self._local = MemoryLocks()
        self._release = redis.register_script(_RELEASE)

    @contextlib.asynccontextmanager
    async def lock(self, name: str) -> AsyncIterator[None]:
        async with self._local.lock(name):
            key = f"sila:lock:{name}"
            token = os.urandom(12).hex()
            delay = 0.002
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.wait_s
            while True:
                try:
                    got = await self.redis.set(key, token, nx=True, px=self.lease_ms)
                except Exception as exc:
                    raise StoreUnavailable(f"redis: {exc}") from exc
                if got:
                    break
                if loop.time() > deadline:
                    raise StoreUnavailable(f"lock {name} busy for {self.wait_s}s")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    await self._release(keys=[key], args=[token])

    async def close(self) -> None:
        return None


class MemoryBus:
    """In-process fan-out: a published event reaches every local subscriber synchronously."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Handler]] = defaultdict(set)

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        self.deliver(topic, event)

    def deliver(self, topic: str, event: dict[str, Any]) -> None:
        for handler in list(self._subs.get(topic, ())):
            try:
                handler(event)
            except Exception:
                log.exception("event handler failed for %s", topic)

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        self._subs[topic].add(handler)

        def _unsubscribe() -> None:
            subs = self._subs.get(topic)
            if subs is not None:
                subs.discard(handler)
                if not subs:
                    del self._subs[topic]

        return _unsubscribe

    def topics(self) -> list[str]:
        return list(self._subs)

    def deliver_everywhere(self, event: dict[str, Any]) -> None:
        """Give every local subscriber ``event`` (e.g. "resync" after a Redis reconnection)."""
        for topic in list(self._subs):
            self.deliver(topic, event)

    async def close(self) -> None:
        self._subs.clear()


class RedisBus:
    """Redis pub/sub under one pattern subscription; events are delivered to local subscribers.

    One connection listens on ``sila:ev:*`` for the whole worker, so a thousand open web chats
    cost one Redis connection, not a thousand. If the connection drops the listener reconnects
    with backoff; clients catch up from the transcript by ``seq``, so nothing is lost.
    """

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._local = MemoryBus()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="sila-redis-bus")

    async def _listen(self) -> None:
        delay = 0.1
        dropped = False
        while True:
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.psubscribe("sila:ev:*")
                self.connected.set()
                delay = 0.1
                if dropped:
                    # events published while we were deaf are gone: subscribers re-read what they missed
                    self._local.deliver_everywhere({"type": "resync"})
                    dropped = False
                async for msg in pubsub.listen():
                    if msg.get("type") != "pmessage":
                        continue
                    topic = msg["channel"]
                    topic = topic.decode() if isinstance(topic, bytes) else topic
                    try:
                        event = json.loads(msg["data"])
                    except (TypeError, ValueError):
                        continue
                    self._local.deliver(topic.removeprefix("sila:ev:"), event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected.clear()
                dropped = True
                log.warning("redis bus disconnected (%s); retrying", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        try:
            await self.redis.publish(f"sila:ev:{topic}", json.dumps(event, ensure_ascii=False, default=str))
        except Exception as exc:
            # deliver locally at least; remote subscribers catch up from the transcript
            self._local.deliver(topic, event)
            log.warning("redis publish failed: %s", type(exc).__name__)

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        return self._local.subscribe(topic, handler)

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
