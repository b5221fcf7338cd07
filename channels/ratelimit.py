"""Token buckets for provider rate limits: in memory for one process, in Redis for many.

Why a bucket per key and not a global sleep: Telegram limits ~30 messages/s per bot *and*
about 1/s per chat, Twilio limits per sender number; one slow chat must not hold up others.
With several workers the buckets live in Redis and are updated by one Lua script (read, refill,
take, write in one atomic step, using Redis' own clock so worker clocks don't matter).

``acquire`` never sleeps itself: it takes a token and returns 0, or returns how long to wait
for the next one, so callers can sleep, or reschedule a message, as suits them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol


class RateLimiter(Protocol):
    async def acquire(self, key: str, rate: float, burst: int) -> float:
        """Take one token from ``key`` (refilled at ``rate``/s, holding at most ``burst``).

        Returns 0.0 when taken, else the seconds until a token will be available.
        """
        ...


class MemoryRateLimiter:
    """Buckets in a dict; ``clock`` is injectable so tests need no wall-clock sleeps."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._max_keys = max_keys

    async def acquire(self, key: str, rate: float, burst: int) -> float:
        return (await self.acquire_many(key, rate, burst, 1))[1]

    async def acquire_many(self, key: str, rate: float, burst: int, n: int) -> tuple[int, float]:
        """Take up to ``n`` tokens: (taken, 0.0), or (0, seconds until one is available)."""
        now = self._clock()
        tokens, stamp = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - stamp) * rate)
        if tokens >= 1.0:
            got = min(n, int(tokens))
            self._store(key, tokens - got, now)
            return got, 0.0
        self._store(key, tokens, now)
        return 0, (1.0 - tokens) / rate

    def _store(self, key: str, tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= self._max_keys:
            # forget the oldest-refilled buckets: they are full again by now anyway
            for old in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: self._max_keys // 10]:
                del self._buckets[old]
        self._buckets[key] = (tokens, now)


_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1])
local stamp = tonumber(state[2])
if tokens == nil then tokens = burst; stamp = now end
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""

#: the same bucket, taking up to ARGV[3] tokens at once; returns {taken, wait}
_TAKE_MANY = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1])
local stamp = tonumber(state[2])
if tokens == nil then tokens = burst; stamp = now end
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local got = 0
local wait = 0
if tokens >= 1 then got = math.min(want, math.floor(tokens)); tokens = tokens - got else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {got, tostring(wait)}
"""


class RedisRateLimiter:
    """The same bucket in Redis, shared by every worker; fails open to a local bucket."""

    def __init__(self, redis: Any, prefix: str = "sila:rl:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_TAKE)
        self._script_many = redis.register_script(_TAKE_MANY)
        self._fallback = MemoryRateLimiter()

    async def acquire(self, key: str, rate: float, burst: int) -> float:
        try:
            raw = await self._script(keys=[self.prefix + key], args=[rate, burst])
        except Exception:
            # a Redis outage must not stop replies; a local bucket still keeps this worker polite
            return await self._fallback.acquire(key, rate, burst)
        return float(raw.decode() if isinstance(raw, bytes) else raw)

    async def acquire_many(self, key: str, rate: float, burst: int, n: int) -> tuple[int, float]:
        """Take up to ``n`` tokens in one round trip: (taken, 0.0), or (0, seconds to wait)."""
        try:
            got, wait = await self._script_many(keys=[self.prefix + key], args=[rate, burst, n])
        except Exception:
            return await self._fallback.acquire_many(key, rate, burst, n)
        return int(got), float(wait.decode() if isinstance(wait, bytes) else wait)


class TokenBatcher:
    """Hands out tokens one by one, taking them from the shared limiter a handful at a time.

    One Redis call per handful instead of one per message. Tokens are taken from the shared
    bucket before they are handed out, so the limit holds across workers; a handful is at most
    ``burst // 4`` and ~``batch_seconds`` of the rate, and tokens not used within ``ttl`` are
    dropped (a little capacity lost, never extra sends later — e.g. after a 429 cooldown).
    """

    def __init__(self, limiter: RateLimiter, batch_seconds: float = 0.02, ttl: float = 0.25,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limiter = limiter
        self.batch_seconds = batch_seconds
        self.ttl = ttl
        self._clock = clock
        self._held: dict[str, tuple[int, float]] = {}  # key → (tokens, expiry)
        self._locks: dict[str, asyncio.Lock] = {}

    def _take_held(self, key: str) -> bool:
        count, expiry = self._held.get(key, (0, 0.0))
        if count > 0 and self._clock() < expiry:
            self._held[key] = (count - 1, expiry)
            return True
        return False

    async def acquire(self, key: str, rate: float, burst: int) -> float:
        if self._take_held(key):
            return 0.0
        want = max(1, min(burst // 4, int(rate * self.batch_seconds)))
        many = getattr(self.limiter, "acquire_many", None)
        if want == 1 or many is None:
            return await self.limiter.acquire(key, rate, burst)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # one fetch at a time per key; the others use what it brought
            if self._take_held(key):
                return 0.0
            got, wait = await many(key, rate, burst, want)
            if got <= 0:
                return wait
            self._held[key] = (got - 1, self._clock() + self.ttl)
            return 0.0


async def take(limiter: RateLimiter, limits: list[tuple[str, float, int]], max_wait: float) -> float:
    """Take a token from every bucket in ``limits``, sleeping up to ``max_wait`` in total.

    Returns 0 when all tokens were taken, else the remaining wait (the caller reschedules).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_wait
    for key, rate, burst in limits:
        while True:
            wait = await limiter.acquire(key, rate, burst)
            if wait <= 0:
                break
            if loop.time() + wait > deadline:
                return wait
            await asyncio.sleep(wait)
    return 0.0
