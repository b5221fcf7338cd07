"""One Redis connection pool per worker, and the commands of concurrent turns sent together.

Why a *blocking* pool: redis-py's default pool raises ``MaxConnectionsError`` when all its
connections are busy; under 200 concurrent conversations that made lock releases and publishes
fail, leaving replies unpublished and locks held until their lease ran out. Here a command waits
for a free connection instead (``redis.asyncio.BlockingConnectionPool``), with a bound.

Why batching: a turn costs three Redis commands (take the conversation's lock, publish its
replies, release the lock). Sent one by one from hundreds of conversations they are as many pool
check-outs, socket writes and wake-ups of the Redis server, each a few hundred microseconds of
Python. :class:`RedisBatcher` sends the commands issued during one event-loop tick in one write,
in the order they were issued (a release queued before an acquire of the same key runs first):
on a plain TCP or Unix socket through :class:`storage.redis_pipe.RedisPipe` (written at once,
even while earlier replies are outstanding), otherwise (TLS) as one redis-py pipeline at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError

from storage.redis_pipe import Address, RedisPipe

log = logging.getLogger("sila.redis")


def open_redis(url: str, *, max_connections: int = 16, wait_s: float = 5.0) -> aioredis.Redis:
    """A client over a bounded, blocking pool.

    One retry with no back-off: a connection left broken by a Redis restart gets one fresh
    attempt, and a Redis that is really gone fails fast (the caller answers "busy, try again"
    rather than keep a person waiting through an exponential back-off).
    """
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=wait_s, socket_connect_timeout=3, socket_timeout=5,
        health_check_interval=10, retry=Retry(NoBackoff(), 1),
    )
    return aioredis.Redis(connection_pool=pool)


@dataclass(frozen=True, slots=True)
class LuaScript:
    """A Lua script run by its SHA1 (EVALSHA), falling back to EVAL when Redis does not know it
    yet (after a restart): a pipeline cannot load scripts without an extra round trip first."""

    source: str
    sha: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha", hashlib.sha1(self.source.encode(), usedforsecurity=False).hexdigest())


def pipe_for(redis: aioredis.Redis) -> RedisPipe | None:
    """A :class:`RedisPipe` to the client's server, if it is reached without TLS."""
    pool = redis.connection_pool
    kw = pool.connection_kwargs
    if pool.connection_class not in (aioredis.Connection, aioredis.UnixDomainSocketConnection):
        return None
    address = Address(host=kw.get("host", "localhost"), port=int(kw.get("port", 6379)), path=kw.get("path"),
                      db=int(kw.get("db") or 0), username=kw.get("username"), password=kw.get("password"))
    return RedisPipe(address, connect_timeout_s=float(kw.get("socket_connect_timeout") or 3),
                     reply_timeout_s=float(kw.get("socket_timeout") or 5))


_Pending = tuple[tuple[Any, ...], "asyncio.Future[Any]"]


class RedisBatcher:
    """Commands issued during one event-loop tick go out as one pipeline (see the module doc)."""

    def __init__(self, redis: aioredis.Redis, *, max_batch: int = 1024) -> None:
        self.redis = redis
        self.max_batch = max_batch
        self._queue: list[_Pending] = []
        self._task: asyncio.Task[None] | None = None
        self._pipe = pipe_for(redis)
        #: statistics for benchmarks and /metrics: pipelines sent, commands in them, failures
        self._pipelines = 0
        self._commands = 0
        self._errors = 0

    @property
    def epoch(self) -> int | None:
        """Changes whenever the connection does (``RedisPipe.epoch``); None: not tracked (TLS)."""
        return self._pipe.epoch if self._pipe is not None else None

    @property
    def pipelines(self) -> int:
        return self._pipe.writes if self._pipe is not None else self._pipelines

    @property
    def commands(self) -> int:
        return self._pipe.commands if self._pipe is not None else self._commands

    @property
    def errors(self) -> int:
        return self._pipe.errors if self._pipe is not None else self._errors

    def submit(self, *command: Any) -> asyncio.Future[Any]:
        """Queue one command; the future has its reply (or its exception)."""
        if self._pipe is not None:
            return self._pipe.submit(command)
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.append((command, fut))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._flush(), name="sila-redis-batch")
        return fut

    async def call(self, *command: Any) -> Any:
        return await self.submit(*command)

    async def eval(self, script: LuaScript, keys: list[str], args: list[Any]) -> Any:
        try:
            return await self.submit("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self.submit("EVAL", script.source, len(keys), *keys, *args)

    def fire(self, *command: Any, on_error: Callable[[BaseException], None] | None = None) -> None:
        """Queue a command nobody waits for (a publish, a lock release): it rides in the same
        pipeline as what the turn does next instead of costing the turn a round trip."""
        if self._pipe is not None:
            self._pipe.fire(command, on_error)
            return
        fut = self.submit(*command)

        def _done(f: asyncio.Future[Any]) -> None:
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None and on_error is not None:
                on_error(exc)

        fut.add_done_callback(_done)

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
            batch = [(cmd, fut) for cmd, fut in batch if not fut.cancelled()]
            if not batch:
                continue
            pipe = self.redis.pipeline(transaction=False)
            for command, _ in batch:
                pipe.execute_command(*command)
            try:
                results = await pipe.execute(raise_on_error=False)
            except asyncio.CancelledError:
                for _, fut in batch:
                    fut.cancel()
                raise
            except Exception as exc:
                self._errors += 1
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            self._pipelines += 1
            self._commands += len(batch)
            for (_, fut), result in zip(batch, results, strict=True):
                if fut.done():
                    continue
                if isinstance(result, Exception):
                    fut.set_exception(result)
                else:
                    fut.set_result(result)

    async def close(self) -> None:
        if self._pipe is not None:
            await self._pipe.close()
        if self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._task), 2)
