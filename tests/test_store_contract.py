"""One contract suite for the conversation store, run over memory, SQLite and PostgreSQL,
and one for locks and the event bus, run over memory and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.ids import new_id
from bot.packs import load_all
from bot.records import DuplicateMessage, SeqConflict, StoredMessage, TurnWrite
from bot.settings import load_settings
from bot.types import ConversationKey
from storage.conversations import MemoryConversationStore
from storage.coordination import MemoryBus, MemoryLocks, RedisBus, RedisLocks
from storage.db import create_database, migrate
from storage.models import Outbox
from storage.redis_link import RedisBatcher, open_redis
from storage.sql_conversations import SqlConversationStore
from wiring.runtime import sync_associations


@pytest.fixture
def KEY() -> ConversationKey:
    """A fresh conversation per test: the PostgreSQL database is shared by the session."""
    return ConversationKey("amass", "webchat", new_id())


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[object]:
    if request.param == "memory":
        yield MemoryConversationStore()
        return
    if request.param == "sqlite":
        settings = load_settings(env={}, data_dir=str(tmp_path), sqlite_synchronous="NORMAL")
    else:
        settings = load_settings(env={}, database_url=request.getfixturevalue("pg_url"))
    await migrate(settings)
    db = create_database(settings)
    await sync_associations(db, load_all())
    # no cache: the contract is about what the database holds
    sql = SqlConversationStore(db, cache_size=0)
    try:
        yield sql
    finally:
        await sql.close()
        await db.dispose()


def _turn(conv, texts: list[str], provider_id: str | None = None, outbox: bool = False) -> TurnWrite:
    prev = conv.seq
    now = datetime.now(UTC)
    msgs = []
    for i, text in enumerate(texts, 1):
        msgs.append(StoredMessage(
            id=new_id(), conversation_id=conv.id, seq=prev + i, direction="in" if i == 1 else "out",
            author="beneficiary" if i == 1 else "bot", text=text, payload=None, kind=None, created_at=now,
            provider_message_id=provider_id if i == 1 else None,
        ))
    conv.seq = prev + len(texts)
    conv.state = {"n": conv.seq}
    rows = []
    if outbox:
        from bot.engine import outbox_row

        rows = [outbox_row(conv, m, {"text": m.text}, now) for m in msgs[1:]]
    return TurnWrite(conversation=conv, previous_seq=prev, messages=msgs, outbox=rows)


async def test_new_conversation_round_trip(store, KEY) -> None:
    conv = await store.load(KEY)
    assert conv.is_new and conv.seq == 0
    await store.commit(_turn(conv, ["hello", "welcome"]))
    again = await store.load(KEY)
    assert not again.is_new
    assert again.id == conv.id and again.seq == 2 and again.state == {"n": 2}
    history = await store.history(conv.id)
    assert [(m.seq, m.direction, m.text) for m in history] == [(1, "in", "hello"), (2, "out", "welcome")]
    assert [m.seq for m in await store.history(conv.id, after_seq=1)] == [2]


async def test_stale_writer_is_fenced(store, KEY) -> None:
    conv = await store.load(KEY)
    await store.commit(_turn(conv, ["one", "r1"]))
    a = await store.load(KEY)
    b = await store.load(KEY)
    await store.commit(_turn(a, ["two", "r2"]))
    with pytest.raises(SeqConflict):
        await store.commit(_turn(b, ["two-again", "r2-again"]))
    texts = [m.text for m in await store.history(conv.id)]
    assert texts == ["one", "r1", "two", "r2"]


async def test_provider_message_id_is_stored_once(store, KEY) -> None:
    conv = await store.load(KEY)
    await store.commit(_turn(conv, ["hi", "welcome"], provider_id="tg-1"))
    assert await store.seen(KEY, "tg-1")
    assert not await store.seen(KEY, "tg-2")
    again = await store.load(KEY)
    with pytest.raises(DuplicateMessage):
        await store.commit(_turn(again, ["hi", "welcome"], provider_id="tg-1"))
    assert len(await store.history(conv.id)) == 2


async def test_concurrent_turns_of_many_conversations_commit(store) -> None:
    keys = [ConversationKey("amass", "webchat", new_id()) for _ in range(50)]

    async def one(key: ConversationKey) -> None:
        conv = await store.load(key)
        await store.commit(_turn(conv, ["q", "a"]))

    await asyncio.gather(*(one(k) for k in keys))
    for key in keys:
        assert (await store.load(key)).seq == 2


async def test_outbox_claim_and_finish(store) -> None:
    key = ConversationKey("amass", "telegram", new_id())
    conv = await store.load(key)
    await store.commit(_turn(conv, ["hi", "r1", "r2"], outbox=True))
    claimed = await store.claim_outbox(10, timedelta(seconds=30))
    assert sorted(i.payload["text"] for i in claimed) == ["r1", "r2"]
    assert await store.claim_outbox(10, timedelta(seconds=30)) == []  # leased, not handed out twice
    await store.finish_outbox(claimed[0].id, status="sent", provider_message_id="p1")
    await store.finish_outbox(claimed[1].id, status="pending", retry_at=datetime.now(UTC) - timedelta(seconds=1))
    again = await store.claim_outbox(10, timedelta(seconds=30))
    assert [i.id for i in again] == [claimed[1].id]


async def test_outbox_retry_keeps_the_parts_already_sent(store) -> None:
    key = ConversationKey("amass", "telegram", new_id())
    conv = await store.load(key)
    await store.commit(_turn(conv, ["hi", "r1"], outbox=True))
    [item] = await store.claim_outbox(10, timedelta(seconds=30))
    progress = {"parts_sent": 1, "parts_ids": ["p1"]}
    await store.finish_outbox(item.id, status="pending", retry_at=datetime.now(UTC) - timedelta(seconds=1),
                              payload_update=progress)
    [again] = await store.claim_outbox(10, timedelta(seconds=30))
    assert again.id == item.id and again.payload == {"text": "r1", **progress}, "merged, not replaced"
    await store.finish_outbox(again.id, status="pending", retry_at=datetime.now(UTC) - timedelta(seconds=1))
    [third] = await store.claim_outbox(10, timedelta(seconds=30))
    assert third.payload == {"text": "r1", **progress}, "a retry without progress keeps what was recorded"


async def test_outbox_a_later_reply_waits_behind_an_earlier_one_that_is_retried(store) -> None:
    lease = timedelta(seconds=30)
    key = ConversationKey("amass", "telegram", new_id())
    conv = await store.load(key)
    await store.commit(_turn(conv, ["hi", "r1"], outbox=True))
    [first] = await store.claim_outbox(10, lease)
    await store.finish_outbox(first.id, status="pending", retry_at=datetime.now(UTC) + timedelta(minutes=1))
    store.forget(key)
    conv = await store.load(key)
    await store.commit(_turn(conv, ["again", "r2"], outbox=True))  # the person writes while r1 waits
    other = await store.load(ConversationKey("amass", "telegram", new_id()))
    await store.commit(_turn(other, ["hello", "r3"], outbox=True))
    claimed = await store.claim_outbox(10, lease)
    assert [i.payload["text"] for i in claimed] == ["r3"], "r2 is held behind r1; other conversations are not"
    await store.finish_outbox(first.id, status="pending", retry_at=datetime.now(UTC) - timedelta(seconds=1))
    claimed = await store.claim_outbox(10, lease)
    assert [i.payload["text"] for i in claimed] == ["r1", "r2"], "claimed together, oldest first"
    await store.finish_outbox(claimed[0].id, status="sent", provider_message_id=f"p-{new_id()}")
    assert await store.claim_outbox(10, lease) == [], "r2 is leased to the lane that sends it after r1"


async def test_outbox_a_worker_never_takes_a_reply_whose_earlier_one_another_is_claiming(pg_url: str) -> None:
    """PostgreSQL only: there claims run concurrently (SKIP LOCKED); SQLite serialises them.

    Worker A has locked a conversation's first reply and not yet committed its claim; worker B's
    claim must not take the second reply (it would be sent first), and gets both once A is done.
    """
    settings = load_settings(env={}, database_url=pg_url)
    await migrate(settings)
    db = create_database(settings)
    await sync_associations(db, load_all())
    store = SqlConversationStore(db, cache_size=0)
    lease = timedelta(seconds=30)
    try:
        key = ConversationKey("amass", "telegram", new_id())
        conv = await store.load(key)
        await store.commit(_turn(conv, ["hi", "r1"], outbox=True))
        conv = await store.load(key)
        await store.commit(_turn(conv, ["again", "r2"], outbox=True))
        async with db.reader.connect() as conn:
            r1, r2 = [i for (i,) in (await conn.execute(
                select(Outbox.id).where(Outbox.conversation_id == conv.id).order_by(Outbox.id))).all()]
        async with db.writer.connect() as worker_a:
            claim_a = await worker_a.begin()
            await worker_a.execute(select(Outbox.id).where(Outbox.id == r1).with_for_update())
            taken = {i.id for i in await store.claim_outbox(100, lease)}  # worker B, meanwhile
            assert r1 not in taken and r2 not in taken, "r2 waits for r1, which A is claiming"
            await claim_a.rollback()
        taken_now = [i.id for i in await store.claim_outbox(100, lease) if i.conversation_id == conv.id]
        assert taken_now == [r1, r2], "both together, in order, once A let go"
    finally:
        await store.close()
        await db.dispose()


# -- locks and bus ---------------------------------------------------------------------------

@pytest.fixture(params=["memory", "redis"])
async def coord(request: pytest.FixtureRequest) -> AsyncIterator[tuple[object, object]]:
    if request.param == "memory":
        yield MemoryLocks(), MemoryBus()
        return
    client = open_redis(request.getfixturevalue("redis_url"))
    batcher = RedisBatcher(client)
    bus = RedisBus(client, batcher)
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 5)
    try:
        yield RedisLocks(batcher), bus
    finally:
        await bus.close()
        await batcher.close()
        await client.aclose()


async def test_lock_serialises_one_key(coord) -> None:
    locks, _bus = coord
    name = f"test:{new_id()}"
    inside = 0
    peak = 0

    async def worker() -> None:
        nonlocal inside, peak
        async with locks.lock(name):
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.005)
            inside -= 1

    await asyncio.gather(*(worker() for _ in range(10)))
    assert peak == 1


async def test_locks_of_different_keys_do_not_block(coord) -> None:
    locks, _bus = coord
    async with locks.lock(f"a:{new_id()}"):
        async with asyncio.timeout(2):
            async with locks.lock(f"b:{new_id()}"):
                pass


async def test_bus_delivers_to_subscribers(coord) -> None:
    _locks, bus = coord
    topic = f"t:{new_id()}"
    got: list[dict] = []
    arrived = asyncio.Event()

    def handler(ev: dict) -> None:
        got.append(ev)
        arrived.set()

    unsubscribe = bus.subscribe(topic, handler)
    await bus.publish(topic, {"n": 1})
    await asyncio.wait_for(arrived.wait(), 5)
    unsubscribe()
    await bus.publish(topic, {"n": 2})
    await asyncio.sleep(0.1)
    assert got == [{"n": 1}]
