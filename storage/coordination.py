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
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from redis.exceptions import NoScriptError

from bot.ports import Handler, LockProvider
from bot.records import StoreUnavailable
from bot.types import ConversationKey
from storage.redis_link import LuaScript, RedisBatcher
from storage.state_versions import Hold, holding

log = logging.getLogger("sila.coordination")


@contextlib.asynccontextmanager
async def holding_conversations(locks: LockProvider | None, keys: Iterable[ConversationKey]) -> AsyncIterator[None]:
    """Hold the lock of every conversation in ``keys`` (nothing without ``locks``).

    For a change made outside any turn to conversations that are not the caller's own (an
    erasure, a verified phone moving a person's conversations to another beneficiary). Why:
    a turn in flight on any worker would otherwise commit what it holds in memory over the
    change, and a worker that last wrote a conversation trusts its cached copy for as long as
    the lock's state version is its own (``storage.state_versions``); taking the lock removes
    that version (a worker keeping the lease is asked to let it go first) and this hold leaves
    none, so every worker reads those conversations from the database again. The caller must
    still drop its own cached copies (``ConversationStore.forget``). Taken in sorted order, so
    two such holders never deadlock.
    """
    async with contextlib.AsyncExitStack() as stack:
        if locks is not None:
            for name in sorted({key.lock_name() for key in keys}):
                await stack.enter_async_context(locks.lock(name))
        yield


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

    def busy(self, name: str) -> bool:
        """Does a task here hold (or wait for) ``name``?"""
        return name in self._users

    async def close(self) -> None:
        return None


#: KEYS: lock, state version; ARGV: token, lease ms. Returns {1, version or ''} when taken (also
#: when this token already holds it: a retried command whose first reply was lost), else
#: {0, the holder's token} (whose worker may be asked to let go of a lease it keeps).
#: Taking the lock removes the version, so a holder that never releases leaves none behind.
_ACQUIRE = LuaScript("""
local cur = redis.call('get', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  local v = redis.call('get', KEYS[2])
  if v then redis.call('del', KEYS[2]) end
  return {1, v or ''}
end
return {0, cur}
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

#: KEYS: lock; ARGV: token, lease ms. Sets the lease of a lock this token holds.
_EXTEND = LuaScript("""
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
""")


@dataclass(slots=True)
class _Kept:
    """A lease kept in Redis after a turn, for the same conversation's next turn here."""

    token: str
    #: the version of the state this worker committed or read last (nobody wrote since)
    version: str
    #: loop time when the lease was last set to ``keep_ms`` (it runs at least that long from then);
    #: a turn renews it only if that was more than ``keep_ms / 4`` ago
    at: float
    #: the Redis connection it was kept on (``RedisBatcher.epoch``)
    epoch: int | None


class RedisLocks:
    """A lease per key in Redis; local waiters queue on an asyncio lock first (fewer round trips).

    Taking the lease also fetches the version of the conversation's state that the previous
    holder left (``storage.state_versions``), so the store can trust its cache without reading
    the database; releasing it leaves the version this holder's cache is at. The release is not
    waited for: it goes out in the same write as whatever comes next (``RedisBatcher``), and
    a lost release costs at most one lease of waiting, never a wrong answer.

    Kept leases (``keep_ms`` > 0): a conversation usually stays on one worker (its web chat
    socket is there), so after a turn the worker keeps the lease, set to ``keep_ms``, instead of
    releasing it; the conversation's next turn within half of that takes no round trip at all
    (it has at least ``keep_ms / 2`` of the lease; its end renews the lease if the last renewal
    is more than ``keep_ms / 4`` old) and trusts its own cached state, since nobody else can
    have written while the lease was held. A worker that wants a kept
    lease asks its holder through the holder's control channel (``ask_holder``; the token
    names the worker); the holder lets it go at once, or at the end of the turn that uses it.
    A lease kept longer than half of ``keep_ms`` is released; a new Redis connection (Redis may
    have restarted and forgotten it) makes every kept lease untrusted. A worker that dies
    holds its conversations for at most ``keep_ms``.
    """

    def __init__(self, batcher: RedisBatcher, *, prefix: str = "sila:", lease_ms: int = 30_000,
                 wait_s: float = 20.0, version_ttl_ms: int = 86_400_000, keep_ms: int = 0,
                 worker: str | None = None, max_kept: int = 20_000) -> None:
        self.batcher = batcher
        self.prefix = prefix
        self.lease_ms = lease_ms
        self.wait_s = wait_s
        self.version_ttl_ms = version_ttl_ms
        #: kept leases need a connection whose changes are known (``RedisBatcher.epoch``)
        self.keep_ms = keep_ms if batcher.epoch is not None else 0
        #: names this worker in lock tokens, so another worker knows whom to ask for a kept lease
        self.worker = worker or os.urandom(6).hex()
        self.max_kept = max_kept
        self._local = MemoryLocks()
        self._kept: dict[str, _Kept] = {}
        #: locks another worker asked for while a turn here held them: released when it ends
        self._wanted: set[str] = set()
        self._sweep: asyncio.TimerHandle | None = None
        #: statistics for tests and benchmarks: turns that reused a kept lease
        self.reused = 0

    @contextlib.asynccontextmanager
    async def lock(self, name: str) -> AsyncIterator[None]:
        async with self._local.lock(name):
            key, vkey = f"{self.prefix}lock:{name}", f"{self.prefix}ver:{name}"
            loop = asyncio.get_running_loop()
            kept = self._kept.pop(name, None)
            observed: str | None
            renewed = -1.0  # when the lease was last set to keep_ms (-1: never, by this hold)
            if kept is not None and kept.epoch == self.batcher.epoch and loop.time() < kept.at + self.keep_ms / 2000:
                # at least keep_ms / 2 of the lease is left for this turn
                token, observed, renewed = kept.token, kept.version, kept.at
                expires = kept.at + self.keep_ms / 1000
                epoch = kept.epoch
                self.reused += 1
            else:
                # an untrusted kept lease is taken again under its own token (no wait for it to
                # run out), but its version is not trusted: the one Redis hands back is
                token = kept.token if kept is not None else f"{self.worker}.{os.urandom(8).hex()}"
                expires = loop.time() + self.lease_ms / 1000  # set after this, so it runs at least that long
                observed = await self._acquire(name, key, vkey, token)
                epoch = self.batcher.epoch  # the connection that answered (a loss since moves it on)
            hold = Hold(name, observed)
            try:
                with holding(hold):
                    yield
            finally:
                wanted = name in self._wanted
                self._wanted.discard(name)
                now = loop.time()
                # a turn that outlived its lease (or nearly: the renewal must reach Redis before it
                # runs out) may have lost it to another worker: such a lease is never kept
                lapsed = now >= expires - self.keep_ms / 4000
                if self.keep_ms and hold.leave is not None and not wanted and not lapsed:
                    if now - renewed >= self.keep_ms / 4000:  # renewed a while ago (or never): again
                        renewed = now
                        self._fire(_EXTEND, [key], [token, self.keep_ms])
                    # trusted later only on the connection the lease was known on when this hold began:
                    # a reconnection during the turn (Redis restarted, forgot it) makes it untrusted
                    self._kept[name] = _Kept(token, hold.leave, renewed, epoch)
                    self._trim()
                else:
                    self._release(name, token, hold.leave)

    async def _acquire(self, name: str, key: str, vkey: str, token: str) -> str | None:
        delay = 0.002
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        asked_at = -1.0
        while True:
            try:
                got, value = await self.batcher.eval(_ACQUIRE, [key, vkey], [token, self.lease_ms])
            except Exception as exc:
                raise StoreUnavailable(f"redis: {type(exc).__name__}: {exc}") from exc
            text = value.decode() if isinstance(value, bytes) else str(value or "")
            if got:
                return text or None
            holder = text.partition(".")[0]
            if holder and holder != self.worker and loop.time() - asked_at > 0.5:
                asked_at = loop.time()  # the holder may be keeping it idle: ask for it (again)
                self.batcher.fire("PUBLISH", f"{self.prefix}ctl:{holder}", f"release:{name}")
            if loop.time() > deadline:
                raise StoreUnavailable(f"lock {name} busy for {self.wait_s}s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    def _release(self, name: str, token: str, version: str | None) -> None:
        key, vkey = f"{self.prefix}lock:{name}", f"{self.prefix}ver:{name}"
        self._fire(_RELEASE, [key, vkey], [token, version or "", self.version_ttl_ms])

    def _fire(self, script: LuaScript, keys: list[str], args: list[Any]) -> None:
        def _retry(exc: BaseException) -> None:
            if isinstance(exc, NoScriptError):  # not loaded yet, or Redis restarted: send the script
                self.batcher.fire("EVAL", script.source, len(keys), *keys, *args)
            # otherwise Redis is gone: the lease runs out by itself

        self.batcher.fire("EVALSHA", script.sha, len(keys), *keys, *args, on_error=_retry)

    def on_control(self, message: str) -> None:
        """A message on this worker's control channel (``RedisBus``): ``release:<lock name>``."""
        kind, _, name = message.partition(":")
        if kind == "release" and name:
            self.release_wanted(name)

    def release_wanted(self, name: str) -> None:
        """Another worker waits for ``name``: let a kept lease go now, or after the turn using it."""
        kept = self._kept.pop(name, None)
        if kept is not None:
            self._release(name, kept.token, kept.version)
        elif self._local.busy(name):
            self._wanted.add(name)

    def _trim(self) -> None:
        """Release kept leases past their use (or past ``max_kept``), soon and then periodically."""
        if self._sweep is None:
            self._sweep = asyncio.get_running_loop().call_later(self.keep_ms / 4000, self._expire)
        while len(self._kept) > self.max_kept:
            name = next(iter(self._kept))
            self.release_wanted(name)

    def _expire(self) -> None:
        self._sweep = None
        now = asyncio.get_running_loop().time()
        stale = self.keep_ms / 2000
        for name, kept in list(self._kept.items()):
            if now - kept.at < stale:
                continue
            del self._kept[name]
            self._release(name, kept.token, kept.version)
        if self._kept:
            self._trim()

    async def close(self) -> None:
        """Let every kept lease go (the batcher sends the releases before it closes)."""
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        kept, self._kept = self._kept, {}
        for name, lease in kept.items():
            self._release(name, lease.token, lease.version)


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

    def __init__(self, redis: Any, batcher: RedisBatcher, *, prefix: str = "sila:", origin: str | None = None,
                 on_control: Callable[[str], None] | None = None) -> None:
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
        self._origin = (origin or os.urandom(6).hex()).encode() + b"|"
        #: told what arrives on this worker's control channel (``RedisLocks.release_wanted``)
        self.on_control = on_control
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
        control_bytes = control.encode()
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
                    if channel == control_bytes and kind == "message":
                        self._control(msg.get("data"))
                        continue
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

    def _control(self, data: Any) -> None:
        """A request from another worker, e.g. ``release:<lock>`` (a lease this worker keeps)."""
        if self.on_control is None or not isinstance(data, bytes):
            return
        try:
            self.on_control(data.decode())
        except Exception:
            log.exception("control message failed: %r", data[:100])

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
