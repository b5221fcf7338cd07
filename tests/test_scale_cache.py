"""Several workers on one PostgreSQL + Redis: a cached conversation state is used only when the
conversation's lock says nobody changed it since, and Redis never fails a command for want of a
free connection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.ids import new_id
from bot.packs import load_all
from bot.records import SeqConflict, StoredMessage, TurnWrite
from bot.settings import load_settings
from bot.types import ConversationKey
from storage.coordination import RedisBus, RedisLocks
from storage.db import create_database, migrate
from storage.models import Conversation, ConversationState
from storage.redis_link import RedisBatcher, open_redis
from storage.sql_conversations import SqlConversationStore
from tests.servers import free_port
from tests.services import private_redis, start_redis
from wiring.retention import _idle_transcripts
from wiring.runtime import sync_associations


class Worker:
    """What one `sila serve` process holds: its own store (and cache), batcher and locks, and
    with kept leases (``keep_ms``) the bus that carries other workers' requests for them."""

    def __init__(self, db: object, redis_url: str, prefix: str, keep_ms: int = 0) -> None:
        self.redis = open_redis(redis_url)
        self.batcher = RedisBatcher(self.redis)
        self.locks = RedisLocks(self.batcher, prefix=prefix, keep_ms=keep_ms)
        self.bus = RedisBus(self.redis, self.batcher, prefix=prefix, origin=self.locks.worker,
                            on_control=self.locks.on_control) if keep_ms else None
        self.store = SqlConversationStore(db, shared=True)  # type: ignore[arg-type]

    async def start(self) -> None:
        if self.bus is not None:
            await self.bus.start()
            await asyncio.wait_for(self.bus.connected.wait(), 5)

    async def turn(self, key: ConversationKey, text: str, pause: float = 0.0) -> dict:
        """One turn as the engine runs it: lock, load, commit; returns the state it started from.
        ``pause``: seconds the turn takes between its load and its commit (a slow step)."""
        async with self.locks.lock(key.lock_name()):
            conv = await self.store.load(key)
            if pause:
                await asyncio.sleep(pause)
            seen = dict(conv.state)
            prev = conv.seq
            now = datetime.now(UTC)
            conv.seq = prev + 1
            conv.state = {"n": conv.seq, "last": text}
            msg = StoredMessage(id=new_id(), conversation_id=conv.id, seq=conv.seq, direction="in",
                                author="beneficiary", text=text, payload=None, kind=None, created_at=now)
            await self.store.commit(TurnWrite(conversation=conv, previous_seq=prev, messages=[msg], outbox=[]))
        return seen

    async def close(self) -> None:
        await self.locks.close()
        if self.bus is not None:
            await self.bus.close()
        await self.store.close()
        await self.batcher.close()
        await self.redis.aclose()


@contextlib.asynccontextmanager
async def two_workers(pg_url: str, redis_url: str, keep_ms: int) -> AsyncIterator[tuple[Worker, Worker]]:
    settings = load_settings(env={}, database_url=pg_url)
    await migrate(settings)
    db = create_database(settings)
    await sync_associations(db, load_all())
    prefix = f"silatest{new_id()[:8]}:"
    a, b = Worker(db, redis_url, prefix, keep_ms), Worker(db, redis_url, prefix, keep_ms)
    try:
        await a.start()
        await b.start()
        yield a, b
    finally:
        await a.close()
        await b.close()
        await db.dispose()


@pytest.fixture(params=[0, 10_000], ids=["released", "kept"])
async def workers(pg_url: str, redis_url: str, request: pytest.FixtureRequest) -> AsyncIterator[tuple[Worker, Worker]]:
    """Two workers whose locks release after each turn, or keep the lease (as `sila serve` does)."""
    async with two_workers(pg_url, redis_url, request.param) as pair:
        yield pair


@pytest.fixture
async def kept_workers(pg_url: str, redis_url: str) -> AsyncIterator[tuple[Worker, Worker]]:
    """Two workers that keep a conversation's lease after a turn (what `sila serve` does)."""
    async with two_workers(pg_url, redis_url, 10_000) as pair:
        yield pair


async def test_a_worker_reuses_its_cache_until_another_worker_writes(workers) -> None:
    a, b = workers
    key = ConversationKey("amass", "webchat", new_id())
    await a.turn(key, "one")
    reads = a.store.reads
    assert (await a.turn(key, "two"))["last"] == "one"
    assert a.store.reads == reads, "nobody else wrote: the cached state is used"
    assert (await b.turn(key, "three"))["last"] == "two"
    assert (await a.turn(key, "four"))["last"] == "three", "B's turn is seen, not A's stale cache"
    assert a.store.reads == reads + 1
    assert (await b.turn(key, "five"))["last"] == "four"


async def test_a_version_left_by_another_worker_sends_the_cache_back_to_the_database(workers) -> None:
    a, b = workers
    key = ConversationKey("amass", "webchat", new_id())
    await a.turn(key, "one")
    with pytest.raises(RuntimeError):
        async with b.locks.lock(key.lock_name()):
            await b.store.load(key)
            raise RuntimeError("crashed mid-turn")
    # B read the state under the lock and left its version; A's cached copy is not that version
    reads = a.store.reads
    assert (await a.turn(key, "two"))["last"] == "one"
    assert a.store.reads == reads + 1


async def test_a_read_outside_the_lock_never_uses_the_cache(workers) -> None:
    a, b = workers
    key = ConversationKey("amass", "webchat", new_id())
    await a.turn(key, "one")
    await b.turn(key, "two")
    assert (await a.store.load(key)).state["last"] == "two"


async def test_a_kept_lease_serves_the_next_turn_without_taking_the_lock_again(kept_workers) -> None:
    a, b = kept_workers
    key = ConversationKey("amass", "webchat", new_id())
    await a.turn(key, "one")
    await a.batcher.call("PING")  # replies come in order: the first turn's commands are all sent
    reads, reused, commands = a.store.reads, a.locks.reused, a.batcher.commands
    assert (await a.turn(key, "two"))["last"] == "one"
    await a.batcher.call("PING")
    assert (a.locks.reused, a.store.reads) == (reused + 1, reads), "no acquire, no database read"
    assert a.batcher.commands == commands + 1, "the second turn sent Redis nothing (the lease was just renewed)"
    # B wants it: A lets the kept lease go when asked, and its next turn sees B's write
    assert (await b.turn(key, "three"))["last"] == "two"
    assert (await a.turn(key, "four"))["last"] == "three"
    assert (a.locks.reused, a.store.reads) == (reused + 1, reads + 1)


async def test_a_kept_lease_is_not_trusted_on_a_new_redis_connection(kept_workers, redis_url: str) -> None:
    """A new connection may be a restarted Redis that forgot the lease (and someone else wrote)."""
    a, _b = kept_workers
    key = ConversationKey("amass", "webchat", new_id())
    await a.turn(key, "one")
    client_id = await a.batcher.call("CLIENT", "ID")
    epoch = a.batcher.epoch
    other = open_redis(redis_url)
    try:
        assert await other.execute_command("CLIENT", "KILL", "ID", str(client_id)) == 1
    finally:
        await other.aclose()
    async with asyncio.timeout(5):  # the worker notices the closed connection (its epoch moves on)
        while a.batcher.epoch == epoch:
            await asyncio.sleep(0.01)
    reads, reused = a.store.reads, a.locks.reused
    assert (await a.turn(key, "two"))["last"] == "one"
    assert (a.locks.reused, a.store.reads) == (reused, reads + 1), "taken again, and the state read again"


@pytest.mark.parametrize("reused", [False, True], ids=["taken", "reused"])
async def test_a_turn_that_outlived_its_lease_does_not_keep_it(kept_workers: tuple[Worker, Worker],
                                                                reused: bool) -> None:
    """A turn longer than what was left of its lease (a slow step, a stalled event loop): the lease
    ran out in Redis and another worker may take the conversation, so the lease is not kept and
    the next turn neither skips the lock nor trusts the cache."""
    a, b = kept_workers
    # a lease long enough that an ordinary turn ends well within it on a loaded CI machine (with
    # 300 ms, one slow "zero" turn on a busy 2-core run was not kept and the test failed), and
    # slow steps clearly longer than it
    a.locks.lease_ms, a.locks.keep_ms = 1500, 1000
    key = ConversationKey("amass", "webchat", new_id())
    if reused:
        await a.turn(key, "zero")  # kept: the next turn has the lease without a round trip
        assert (await a.turn(key, "one", pause=2.0))["last"] == "zero"
        assert a.locks.reused == 1
    else:
        await a.turn(key, "one", pause=1.8)
    assert (await b.turn(key, "two"))["last"] == "one", "the lease had run out: B takes it at once"
    assert (await a.turn(key, "three"))["last"] == "two", "A asks B for it and reads B's write"


@pytest.mark.parametrize("reused", [False, True], ids=["taken", "reused"])
async def test_a_lease_whose_redis_restarted_during_the_turn_is_not_kept(pg_url: str, tmp_path: Path,
                                                                         reused: bool) -> None:
    """Redis restarts (and forgets the lease) while a turn holds it: the turn ends on a new
    connection, but the lease it kept was taken on the old one and is not trusted."""
    port = free_port()
    redis = private_redis(port, str(tmp_path))
    try:
        async with two_workers(pg_url, f"redis://127.0.0.1:{port}/0", 10_000) as (a, b):
            key = ConversationKey("amass", "webchat", new_id())
            if reused:
                await a.turn(key, "zero")
            turn = asyncio.create_task(a.turn(key, "one", pause=1.5))
            await asyncio.sleep(0.3)  # A holds the lease, between its load and its commit
            epoch = a.batcher.epoch
            redis.kill()
            redis.wait(10)
            redis = start_redis(port, str(tmp_path))
            async with asyncio.timeout(5):
                while a.batcher.epoch == epoch:  # A's connection noticed, during the turn
                    await asyncio.sleep(0.01)
            await a.batcher.call("PING")  # the worker's other conversations reconnect it meanwhile
            assert not turn.done()
            await turn
            assert a.locks.reused == (1 if reused else 0)
            assert (await b.turn(key, "two"))["last"] == "one", "the new Redis has no lease: B takes it"
            assert (await a.turn(key, "three"))["last"] == "two", "A asks B for it and reads B's write"
    finally:
        redis.kill()
        redis.wait(10)


async def test_a_state_wiped_by_retention_is_not_written_back_from_memory(pg_url: str) -> None:
    """One worker alone on PostgreSQL trusts its cache without asking anyone; the retention
    sweep wipes an idle conversation's state outside any lock. The next turn's write from the
    remembered state is refused as stale (as the engine does: forget, read again, retry), so
    what the sweep removed does not come back."""
    settings = load_settings(env={}, database_url=pg_url)
    await migrate(settings)
    db = create_database(settings)
    await sync_associations(db, load_all())
    store = SqlConversationStore(db, shared=False)
    key = ConversationKey("amass", "sms", new_id())

    async def turn(text: str, change: dict) -> dict:
        for _attempt in range(3):
            conv = await store.load(key)
            prev, seen = conv.seq, dict(conv.state)
            conv.seq, conv.state = prev + 1, {**conv.state, **change}
            msg = StoredMessage(id=new_id(), conversation_id=conv.id, seq=conv.seq, direction="in",
                                author="beneficiary", text=text, payload=None, kind=None, created_at=datetime.now(UTC))
            try:
                await store.commit(TurnWrite(conversation=conv, previous_seq=prev, messages=[msg], outbox=[]))
                return seen
            except SeqConflict:
                store.forget(key)
        raise AssertionError("kept conflicting")

    try:
        await turn("نورة", {"name": "نورة"})
        assert await _idle_transcripts(db, "amass", datetime.now(UTC) + timedelta(minutes=1)) >= 1
        assert await turn("مرحبا", {"last": "مرحبا"}) == {}, "the turn starts from the wiped state"
        async with db.reader.connect() as conn:
            stored = (await conn.execute(select(ConversationState.data).join(
                Conversation, Conversation.id == ConversationState.conversation_id).where(
                Conversation.address == key.address))).scalar_one()
        assert stored == {"last": "مرحبا"}
    finally:
        await store.close()
        await db.dispose()


async def test_redis_commands_wait_for_a_free_connection_instead_of_failing(redis_url: str) -> None:
    client = open_redis(redis_url, max_connections=2)
    key = f"silatest{new_id()[:8]}:n"
    try:
        await asyncio.gather(*(client.incr(key) for _ in range(100)))
        assert int(await client.get(key)) == 100
    finally:
        await client.delete(key)
        await client.aclose()


async def test_batched_commands_answer_each_caller_in_order(redis_url: str) -> None:
    client = open_redis(redis_url, max_connections=2)
    batcher = RedisBatcher(client)
    key = f"silatest{new_id()[:8]}:n"
    try:
        results = await asyncio.gather(*(batcher.call("INCR", key) for _ in range(200)))
        assert sorted(results) == list(range(1, 201))
        assert batcher.pipelines < 20, "commands of one tick share a pipeline"
    finally:
        await client.delete(key)
        await batcher.close()
        await client.aclose()


async def test_a_command_nobody_waits_for_still_reports_its_error(redis_url: str) -> None:
    client = open_redis(redis_url)
    batcher = RedisBatcher(client)
    errors: list[BaseException] = []
    try:
        batcher.fire("EVALSHA", "0" * 40, 0, on_error=errors.append)
        assert await batcher.call("PING") == b"PONG"  # replies come in order: the EVALSHA's came first
        assert [type(e).__name__ for e in errors] == ["NoScriptError"]
    finally:
        await batcher.close()
        await client.aclose()


async def test_events_reach_other_workers_once_and_our_own_sockets_without_redis(redis_url: str) -> None:
    prefix = f"silatest{new_id()[:8]}:"
    clients = [open_redis(redis_url), open_redis(redis_url)]
    batchers = [RedisBatcher(c) for c in clients]
    a, b, c = (RedisBus(cl, bt, prefix=prefix) for cl, bt in zip([*clients, clients[0]], [*batchers, batchers[0]],
                                                                    strict=True))
    got: dict[str, list[dict]] = {"a": [], "b": [], "c": []}
    live = {"a": asyncio.Event(), "b": asyncio.Event()}
    arrived = asyncio.Event()

    def on(name: str):
        def handler(ev: dict) -> None:
            if ev.get("type") == "resync":  # the subscription is live: re-read what came before
                live[name].set()
                return
            got[name].append(ev)
            if name == "b":
                arrived.set()
        return handler

    try:
        for bus in (a, b, c):
            await bus.start()
            await asyncio.wait_for(bus.connected.wait(), 5)
        a.subscribe("t", on("a"))
        b.subscribe("t", on("b"))
        c.subscribe("other", on("c"))
        await asyncio.wait_for(asyncio.gather(live["a"].wait(), live["b"].wait()), 5)
        await a.publish("t", {"n": 1})
        assert got["a"] == [{"n": 1}], "delivered here at once, before any round trip"
        await asyncio.wait_for(arrived.wait(), 5)
        await asyncio.sleep(0.2)  # A's own copy comes back from Redis and must be skipped
        assert got == {"a": [{"n": 1}], "b": [{"n": 1}], "c": []}
    finally:
        for bus in (a, b, c):
            await bus.close()
        for bt, cl in zip(batchers, clients, strict=True):
            await bt.close()
            await cl.aclose()


async def test_a_subscription_that_becomes_live_tells_its_subscribers_to_resync(redis_url: str) -> None:
    """An event published between a socket's history read and its subscription going live is
    not lost: the socket is told to re-read from the transcript."""
    client = open_redis(redis_url)
    batcher = RedisBatcher(client)
    bus = RedisBus(client, batcher, prefix=f"silatest{new_id()[:8]}:")
    events: list[dict] = []
    try:
        await bus.start()
        await asyncio.wait_for(bus.connected.wait(), 5)
        unsubscribe = bus.subscribe("t", events.append)
        for _ in range(100):
            if events:
                break
            await asyncio.sleep(0.02)
        assert events == [{"type": "resync"}]
        unsubscribe()
        for _ in range(100):  # Redis lets go of the channel once nobody here listens
            if dict(await client.pubsub_numsub(bus._channel("t")))[bus._channel("t").encode()] == 0:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("still subscribed with no subscriber left")
        bus.subscribe("t", events.append)  # again: subscribed again, resynced again
        for _ in range(100):
            if len(events) == 2:
                break
            await asyncio.sleep(0.02)
        assert events == [{"type": "resync"}] * 2
    finally:
        await bus.close()
        await batcher.close()
        await client.aclose()


async def test_a_failed_publish_still_reaches_this_workers_sockets() -> None:
    gone = open_redis(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    batcher = RedisBatcher(gone)
    bus = RedisBus(gone, batcher)
    got: list[dict] = []
    bus.subscribe("t", got.append)
    try:
        await bus.publish("t", {"n": 1})
        assert got == [{"n": 1}]
        for _ in range(50):
            if bus.publish_errors:
                break
            await asyncio.sleep(0.05)
        assert bus.publish_errors >= 1
    finally:
        await bus.close()
        await batcher.close()
        await gone.aclose()
