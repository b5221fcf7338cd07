"""One Redis connection on which commands are written the moment they are issued.

Why not redis-py's pipeline: ``Pipeline.execute`` writes a batch and then waits for all of its
replies before the connection can carry the next batch, so a command issued while a batch is in
flight waits for that round trip and then its own (two round trips), and each reply is read
under its own ``asyncio.timeout`` with a Python-level response callback. Profiled under 50
concurrent web chats, that was most of the extra CPU a turn costs with Redis.

Here commands are appended to one socket as they come (one write per event-loop tick) and the
replies, which Redis sends in the same order, are parsed by hiredis in ``data_received`` and
handed to the waiting futures: no task, no await and no timeout per command, and never more
than one round trip of waiting. Order is the order of issue, on one connection, so a release
written before an acquire of the same key runs first.

Failures: if the connection drops with commands unanswered, each is written once more on a
fresh connection (what a Redis restart needs: every command we send is safe to repeat: lock
scripts check their token, and a repeated publish is dropped by the socket's ``seq`` cursor);
the second loss, a refused connection or a reply later than ``reply_timeout_s`` fails them
with ``ConnectionError``, and the next command reconnects.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import hiredis
from redis._parsers.base import BaseParser
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("sila.redis")


@dataclass(frozen=True, slots=True)
class Address:
    """Where and as whom to connect: a TCP host and port, or a Unix socket path."""

    host: str = "127.0.0.1"
    port: int = 6379
    path: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = None

    def handshake(self) -> list[tuple[Any, ...]]:
        """The commands that open every connection, written ahead of the first batch."""
        out: list[tuple[Any, ...]] = []
        if self.password is not None:
            out.append(("AUTH", self.username, self.password) if self.username else ("AUTH", self.password))
        if self.db:
            out.append(("SELECT", self.db))
        return out


def pack(commands: Sequence[tuple[Any, ...]]) -> bytes:
    """RESP encoding of several commands, for one write."""
    out: list[bytes] = []
    for command in commands:
        out.append(b"*%d\r\n" % len(command))
        for arg in command:
            if isinstance(arg, bytes):
                data = arg
            elif isinstance(arg, str):
                data = arg.encode()
            elif isinstance(arg, (int, float)):
                data = repr(arg).encode()
            else:
                raise TypeError(f"redis argument of type {type(arg).__name__}")
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _Waiting:
    """A command: who waits for its reply (a future, or an error callback for a command nobody
    awaits), when it was written, how often it was sent; ``setup``: part of a connection's
    opening (AUTH, SELECT), never sent again on another connection."""

    __slots__ = ("command", "fut", "on_error", "sends", "sent_at", "setup")

    def __init__(self, command: tuple[Any, ...], fut: asyncio.Future[Any] | None = None,
                 on_error: Callable[[BaseException], None] | None = None, setup: bool = False) -> None:
        self.command = command
        self.fut = fut
        self.on_error = on_error
        self.setup = setup
        self.sent_at = 0.0
        self.sends = 0

    @property
    def open(self) -> bool:
        """Still owed an answer (a cancelled caller is owed nothing)."""
        return not self.setup and (self.fut is None or not self.fut.done())

    def fail(self, exc: BaseException) -> None:
        if self.fut is not None:
            if not self.fut.done():
                self.fut.set_exception(exc)
        elif self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:
                log.exception("redis error callback failed")
        elif self.setup:
            log.warning("redis connection set-up refused: %s", exc)


class _Protocol(asyncio.Protocol):
    def __init__(self, pipe: RedisPipe) -> None:
        self.pipe = pipe
        self.reader = hiredis.Reader()
        self.transport: asyncio.Transport | None = None
        self.waiting: collections.deque[_Waiting] = collections.deque()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        waiting = self.waiting
        while True:
            try:
                reply = self.reader.gets()
            except hiredis.ProtocolError as exc:
                log.warning("redis protocol error: %s", exc)
                if self.transport is not None:
                    self.transport.abort()
                return
            if reply is False:
                return
            if not waiting:  # a reply nobody asked for: the stream is out of step
                if self.transport is not None:
                    self.transport.abort()
                return
            item = waiting.popleft()
            if isinstance(reply, hiredis.ReplyError):
                item.fail(BaseParser.parse_error(str(reply)))
            elif item.fut is not None and not item.fut.done():
                item.fut.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.pipe._lost(self, exc)


class RedisPipe:
    """Commands issued during one event-loop tick are written together; replies come back in
    order to each caller's future (see the module doc)."""

    def __init__(self, address: Address, *, connect_timeout_s: float = 3.0, reply_timeout_s: float = 5.0) -> None:
        self.address = address
        self.connect_timeout_s = connect_timeout_s
        self.reply_timeout_s = reply_timeout_s
        self._queue: list[_Waiting] = []
        self._scheduled = False
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        #: connections opened so far: a lease kept in Redis across turns is trusted only on the
        #: connection it was taken on (a new one may mean Redis restarted and forgot it)
        self.epoch = 0
        #: statistics for benchmarks and /metrics: writes, commands in them, lost connections
        self.writes = 0
        self.commands = 0
        self.errors = 0

    def submit(self, command: tuple[Any, ...]) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.append(_Waiting(command, fut))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._write_queued)
        return fut

    def fire(self, command: tuple[Any, ...], on_error: Callable[[BaseException], None] | None = None) -> None:
        """A command nobody waits for: no future, only ``on_error`` if it fails."""
        self._queue.append(_Waiting(command, None, on_error))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._write_queued)

    def _write_queued(self) -> None:
        self._scheduled = False
        protocol = self._protocol
        if protocol is None or protocol.transport is None or protocol.transport.is_closing():
            if self._queue and (self._connecting is None or self._connecting.done()):
                self._connecting = asyncio.get_running_loop().create_task(self._connect(), name="sila-redis-connect")
            return
        batch = [w for w in self._queue if w.setup or w.open]
        self._queue = []
        if not batch:
            return
        now = asyncio.get_running_loop().time()
        for w in batch:
            w.sent_at = now
            w.sends += 1
        protocol.waiting.extend(batch)
        protocol.transport.write(pack([w.command for w in batch]))
        self.writes += 1
        self.commands += len(batch)
        if self._watchdog is None:
            self._watchdog = asyncio.get_running_loop().call_later(self.reply_timeout_s, self._check_replies)

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        a = self.address
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                if a.path is not None:
                    _, protocol = await loop.create_unix_connection(lambda: _Protocol(self), a.path)
                else:
                    _, protocol = await loop.create_connection(lambda: _Protocol(self), a.host, a.port)
        except (OSError, TimeoutError) as exc:
            self.errors += 1
            queued, self._queue = self._queue, []
            error = RedisConnectionError(f"redis at {a.path or f'{a.host}:{a.port}'}: {type(exc).__name__}: {exc}")
            for w in queued:
                if w.open:
                    w.fail(error)
            return
        self._protocol = protocol
        self.epoch += 1
        handshake = [_Waiting(c, setup=True) for c in a.handshake()]
        self._queue[:0] = handshake
        self._write_queued()

    def _lost(self, protocol: _Protocol, exc: Exception | None) -> None:
        """The connection closed: send what it left unanswered once more, or fail it."""
        if protocol is self._protocol:
            self._protocol = None
            self.epoch += 1
        unanswered = [w for w in protocol.waiting if w.open]
        protocol.waiting.clear()
        if not unanswered:
            return
        self.errors += 1
        why = f"redis connection lost: {type(exc).__name__ if exc else 'closed'}"
        again = [w for w in unanswered if w.sends < 2]
        for w in unanswered:
            if w.sends >= 2:
                w.fail(RedisConnectionError(why))
        if again:
            self._queue[:0] = again
            if not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_soon(self._write_queued)

    def _check_replies(self) -> None:
        """A reply overdue by ``reply_timeout_s`` means a hung connection: drop it."""
        self._watchdog = None
        protocol = self._protocol
        if protocol is None or not protocol.waiting:
            return
        loop = asyncio.get_running_loop()
        oldest = protocol.waiting[0].sent_at
        if loop.time() - oldest >= self.reply_timeout_s:
            log.warning("redis reply overdue by %.1fs: dropping the connection", loop.time() - oldest)
            overdue = [w for w in protocol.waiting if w.open]
            protocol.waiting.clear()  # no second chance on a server that does not answer
            for w in overdue:
                w.fail(RedisTimeoutError("redis reply overdue"))
            if protocol.transport is not None:
                protocol.transport.abort()
            return
        self._watchdog = loop.call_later(oldest + self.reply_timeout_s - loop.time(), self._check_replies)

    async def close(self, wait_s: float = 2.0) -> None:
        """Let what was written be answered (a lock release in flight), then close: replies come
        in order, so a PING's reply means every command before it was answered."""
        if self._queue or (self._protocol is not None and self._protocol.waiting):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.submit(("PING",)), wait_s)
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
