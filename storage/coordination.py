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
import logging
import os
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from redis.exceptions import NoScriptError

from bot.ports import Handler
from bot.records import StoreUnavailable
from storage.redis_link import LuaScript, RedisBatcher
from storage.state_versions import Hold, holding

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


#: KEYS: lock, state version; ARGV: token, lease ms. Returns {1, version or ''} when taken (also
#: when this token already holds it: a retried command whose first reply was lost), else {0}.
#: Taking the lock removes the version, so a holder that never releases leaves none behind.
_ACQUIRE = LuaScript("""
local cur = redis.call('get', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  local v = redis.call('get', KEYS[2])
  if v then redis.call('del', KEYS[2]) end
  return {1, v or ''}
end
return {0, ''}
""")

#: KEYS: lock, state version; ARGV: token, version to leave ('' for none), version ttl ms
_RELEASE = LuaScript("""
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  if ARGV[2] ~= '' then redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
  return 1
end
return 0
""")


class RedisLocks:
    """A lease per key in Redis; local waiters queue on an asyncio lock first (fewer round trips).

    Taking the lease also fetches the version of the conversation's state that the previous
    holder left (``storage.state_versions``), so the store can trust its cache without reading
    the database; releasing it leaves the version this holder's cache is at. The release is not
    waited for: it goes out in the same pipeline as whatever comes next (``RedisBatcher``), and
    a lost release costs at most one lease of waiting, never a wrong answer.
    """

    def __init__(self, batcher: RedisBatcher, *, prefix: str = "sila:", lease_ms: int = 30_000,
                 wait_s: float = 20.0, version_ttl_ms: int = 86_400_000) -> None:
        self.batcher = batcher
        self.prefix = prefix
        self.lease_ms = lease_ms
        self.wait_s = wait_s
        self.version_ttl_ms = version_ttl_ms
        self._local = MemoryLocks()

    @contextlib.asynccontextmanager
    async def lock(self, name: str) -> AsyncIterator[None]:
        async with self._local.lock(name):
            key, vkey = f"{self.prefix}lock:{name}", f"{self.prefix}ver:{name}"
            token = os.urandom(12).hex()
            delay = 0.002
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.wait_s
            while True:
                try:
                    got, version = await self.batcher.eval(_ACQUIRE, [key, vkey], [token, self.lease_ms])
                except Exception as exc:
                    raise StoreUnavailable(f"redis: {type(exc).__name__}: {exc}") from exc
                if got:
                    break
                if loop.time() > deadline:
                    raise StoreUnavailable(f"lock {name} busy for {self.wait_s}s")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)
            hold = Hold(name, (version.decode() if isinstance(version, bytes) else version) or None)
            try:
                with holding(hold):
                    yield
            finally:
                self.batcher.fire("EVALSHA", _RELEASE.sha, 2, key, vkey, token, hold.leave or "",
                                  self.version_ttl_ms, on_error=self._release_failed(key, vkey, token))

    def _release_failed(self, key: str, vkey: str, token: str) -> Callable[[BaseException], None]:
        def _retry(exc: BaseException) -> None:
            if isinstance(exc, NoScriptError):  # Redis restarted since: send the script itself
                self.batcher.fire("EVAL", _RELEASE.source, 2, key, vkey, token, "", self.version_ttl_ms)
            # otherwise Redis is gone: the lease runs out by itself
        return _retry

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

    def has(self, topic: str) -> bool:
        return topic in self._subs

    def deliver_everywhere(self, event: dict[str, Any]) -> None:
        """Give every local subscriber ``event`` (e.g. "resync" after a Redis reconnection)."""
        for topic in list(self._subs):
            self.deliver(topic, event)

    async def close(self) -> None:
        self._subs.clear()


class RedisBus:
    """Redis pub/sub for the topics this worker's subscribers want; delivered to them locally.

    An event is delivered to this worker's own subscribers at once, in process, and published
    for the *other* workers (each message carries its origin, and a worker skips its own). So a
    socket's reply never depends on Redis when the turn ran on the socket's own worker: a
    publish that fails, or a subscription that is reconnecting, cannot hold it back.

    One connection per worker carries every subscription, so a thousand open web chats cost one
    Redis connection. It subscribes to exactly the topics that have a local subscriber (a chat
    socket's conversation, a console's association), so a worker is not sent every other
    worker's traffic only to drop it. A subscription becomes live a moment after the local
    subscriber registered: when Redis confirms it, the topic's subscribers are told to
    ``resync`` (re-read from the transcript by ``seq``), which covers an event published in
    between. If the connection drops, the listener reconnects with backoff and resubscribes,
    and each confirmation resyncs its topic again, so nothing published meanwhile is lost.
    """

    #: seconds before each new attempt at a failed publish (other workers' sockets wait for it)
    RETRY_AFTER_S = (0.5, 2.0, 5.0)

    def __init__(self, redis: Any, batcher: RedisBatcher, *, prefix: str = "sila:") -> None:
        self.redis = redis
        self.batcher = batcher
        self.prefix = prefix
        self._local = MemoryBus()
        self._task: asyncio.Task[None] | None = None
        self._pubsub: Any = None
        #: topics Redis has been asked to send us, and topics whose subscription may need a change
        self._remote: set[str] = set()
        self._dirty: set[str] = set()
        self._sync_task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        #: marks our own messages, so the listener skips them (they were delivered locally)
        self._origin = os.urandom(6).hex().encode() + b"|"
        #: failed publishes, for /metrics
        self.publish_errors = 0

    def _channel(self, topic: str) -> str:
        return f"{self.prefix}ev:{topic}"

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="sila-redis-bus")

    async def _listen(self) -> None:
        delay = 0.1
        ev_prefix = f"{self.prefix}ev:".encode()
        # a channel of our own keeps the connection subscribed while no topic is wanted
        control = f"{self.prefix}ctl:{self._origin[:-1].decode()}"
        while True:
            pubsub = self.redis.pubsub()
            try:
                wanted = set(self._local.topics())
                await pubsub.subscribe(control, *(self._channel(t) for t in wanted))
                self._remote = wanted
                self._pubsub = pubsub
                for topic in wanted.symmetric_difference(self._local.topics()):
                    self._tell_redis(topic)  # subscribed or left while we were connecting
                self.connected.set()
                delay = 0.1
                async for msg in pubsub.listen():
                    kind = msg.get("type")
                    channel = msg.get("channel")
                    if not isinstance(channel, bytes) or not channel.startswith(ev_prefix):
                        continue
                    topic = channel[len(ev_prefix):].decode()
                    if kind == "subscribe":
                        # live from now on; whatever was published before is in the transcript
                        self._local.deliver(topic, {"type": "resync"})
                        continue
                    data = msg.get("data")
                    if kind != "message" or not isinstance(data, bytes) or data.startswith(self._origin):
                        continue  # ours: already delivered here
                    _origin, sep, body = data.partition(b"|")
                    try:
                        event = orjson.loads(body if sep else data)
                    except ValueError:
                        continue
                    self._local.deliver(topic, event)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except Exception as exc:
                self._pubsub = None
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                log.warning("redis bus disconnected (%s); retrying", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _tell_redis(self, topic: str) -> None:
        """Bring Redis's subscription of ``topic`` in line with the local subscribers, soon.

        One task does it for all topics, in order, deciding from the state *when it runs*: a
        socket that closes and a new one that opens on the same conversation can never leave
        Redis unsubscribed while someone here listens.
        """
        self._dirty.add(topic)
        if self._sync_task is None or self._sync_task.done():
            self._sync_task = asyncio.get_running_loop().create_task(self._sync())

    async def _sync(self) -> None:
        while self._dirty:
            pubsub = self._pubsub
            if pubsub is None:
                self._dirty.clear()  # the listener subscribes every wanted topic when it connects
                return
            want = {t for t in self._dirty if self._local.has(t)} - self._remote
            drop = {t for t in self._dirty if not self._local.has(t)} & self._remote
            self._dirty.clear()
            try:
                if want:
                    self._remote |= want
                    await pubsub.subscribe(*(self._channel(t) for t in want))
                if drop:
                    self._remote -= drop
                    await pubsub.unsubscribe(*(self._channel(t) for t in drop))
            except Exception as exc:  # the listener notices the broken connection and starts over
                log.info("redis subscription change failed: %s", type(exc).__name__)
                return

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        self._local.deliver(topic, event)
        self._send(self._channel(topic), self._origin + orjson.dumps(event, default=str), 0)

    def _send(self, channel: str, payload: bytes, attempt: int) -> None:
        def _failed(exc: BaseException) -> None:
            self.publish_errors += 1
            log.warning("redis publish failed (attempt %d): %s", attempt + 1, type(exc).__name__)
            if attempt < len(self.RETRY_AFTER_S):
                # another worker's socket would otherwise see it only on its next resync
                asyncio.get_running_loop().call_later(self.RETRY_AFTER_S[attempt], self._send, channel, payload,
                                                      attempt + 1)

        self.batcher.fire("PUBLISH", channel, payload, on_error=_failed)

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        first = not self._local.has(topic)
        unsubscribe_local = self._local.subscribe(topic, handler)
        if first:
            self._tell_redis(topic)

        def _unsubscribe() -> None:
            unsubscribe_local()
            if not self._local.has(topic):
                self._tell_redis(topic)

        return _unsubscribe

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
