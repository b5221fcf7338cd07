"""The outbox worker against the fake providers: retries, reconciliation, holds, limits.

Each provider answer the worker must handle is produced by the fakes over real HTTP: 429 with
retry_after / Retry-After, 5xx, a timeout after the provider accepted the message (Twilio:
reconciled, not re-sent; Telegram: retried once, then 'unknown'), Telegram 403 (blocked),
Twilio 21610 (opted out) and 63016 (outside WhatsApp's window → template or held). Nothing
here asserts on wall-clock time; waits poll for an outcome with a generous limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.ids import new_id
from bot.records import OutboxItem
from bot.types import Text, reply_to_json
from channels.ratelimit import MemoryRateLimiter, RedisRateLimiter
from channels.telegram import SECRET_HEADER
from channels.telegram_bot import secret_for
from storage.delivery_state import outbox_status
from storage.identities import identity_facts, set_unreachable, subscription_history
from storage.models import ChannelIdentity, Outbox
from tests.fakes import telegram_api as tga
from tests.fakes import twilio_api as twa
from tests.harness import SMS_FROM, Harness, eventually, notify, running, settle, transcript

CHAT = 515151
PHONE = "+966598765432"
WA = f"whatsapp:{PHONE}"


@pytest.fixture
async def h(tmp_path: Path):
    async with running(tmp_path) as harness:
        yield harness


async def tg_text(h: Harness, text: str, chat: int = CHAT) -> None:
    r = await h.client.post("/telegram/amass/webhook", json=tga.text_update(chat, text),
                            headers={SECRET_HEADER: secret_for(h.settings, "amass")})
    assert r.status == 200


async def sms(h: Harness, body: str, *, whatsapp: bool = False) -> None:
    path = "whatsapp" if whatsapp else "sms"
    assert await twa.signed_post(f"{h.url}/twilio/amass/{path}", twa.inbound_params(PHONE, body,
                                                                                    whatsapp=whatsapp)) == 200


async def row(h: Harness, outbox_id: str) -> tuple[str, str | None, str | None]:
    assert h.runtime.db is not None
    status = await outbox_status(h.runtime.db, outbox_id)
    assert status is not None
    return status


async def final(h: Harness, outbox_id: str) -> str:
    """Wait until the row is finished (not pending/sending) and return its status."""
    async def done() -> str | None:
        status = (await row(h, outbox_id))[0]
        return status if status not in ("pending", "sending") else None

    return str(await eventually(done, timeout=15))


async def set_last_inbound(h: Harness, channel: str, address: str, at: datetime) -> None:
    assert h.runtime.db is not None
    async with h.runtime.db.writer.begin() as conn:
        await conn.execute(update(ChannelIdentity).where(
            ChannelIdentity.org == "amass", ChannelIdentity.channel == channel, ChannelIdentity.address == address,
        ).values(last_inbound_at=at))


async def test_telegram_429_waits_retry_after_then_sends_in_order(h: Harness) -> None:
    h.telegram.fail("sendMessage", "429", retry_after=1)
    await tg_text(h, "مرحبا")
    await eventually(lambda: len(h.telegram.sent[CHAT]) >= 2, timeout=15)
    assert len(h.telegram.calls_of("sendMessage")) == 3  # one refused, then both replies
    texts = h.telegram.texts(CHAT)
    assert texts[0].startswith("أهلاً") and h.telegram.sent[CHAT][1].get("reply_markup"), "order kept"

    async def statuses() -> list[str | None]:
        return [m.delivery_status for m in await transcript(h, "amass", "telegram", str(CHAT)) if m.direction == "out"]

    async def both_recorded() -> bool:
        return await statuses() == ["sent", "sent"]

    # the fake has the message a moment before the worker records it as sent: wait for the record
    with contextlib.suppress(AssertionError):
        await eventually(both_recorded, timeout=10)
    assert await statuses() == ["sent", "sent"]


async def test_a_notification_written_while_a_reply_waits_for_a_429_goes_out_after_it(h: Harness) -> None:
    h.telegram.fail("sendMessage", "429", retry_after=2)
    await tg_text(h, "مرحبا")
    await eventually(lambda: len(h.telegram.calls_of("sendMessage")) >= 1, timeout=15)  # refused: retry in 2 s
    await asyncio.sleep(0.3)  # the lane has rescheduled both replies
    await notify(h, "telegram", str(CHAT), "تنبيه: تم تحديث حالة طلبك")
    h.push.worker.wake()
    await eventually(lambda: len(h.telegram.sent[CHAT]) >= 3, timeout=15)
    texts = h.telegram.texts(CHAT)
    assert texts[0].startswith("أهلاً") and texts[2] == "تنبيه: تم تحديث حالة طلبك", texts


async def test_twilio_20429_honours_retry_after(h: Harness) -> None:
    h.twilio.fail("20429", retry_after=1)
    await sms(h, "ما طرق التواصل معكم؟")
    await eventually(lambda: len(h.twilio.sent[PHONE]) >= 1, timeout=15)
    await settle(h)
    outs = [m for m in await transcript(h, "amass", "sms", PHONE) if m.direction == "out"]
    assert outs[0].delivery_status == "sent"


async def test_5xx_backs_off_with_jitter_then_succeeds(h: Harness) -> None:
    await sms(h, "مرحبا")
    await settle(h)
    h.twilio.fail("503", times=2)
    oid = await notify(h, "sms", PHONE, "تحديث: طلبك قيد الدراسة")
    assert await final(h, oid) == "sent"
    assert h.twilio.bodies(PHONE).count("تحديث: طلبك قيد الدراسة") == 1
    worker = h.push.worker
    worker.backoff_base, worker.backoff_cap = 2.0, 300.0
    for attempts in range(1, 12):
        ceiling = min(300.0, 2.0 * 2 ** (attempts - 1))
        delays = {worker._backoff(attempts) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1


async def test_twilio_timeout_after_accept_is_reconciled_not_resent(h: Harness) -> None:
    await sms(h, "مرحبا")
    await settle(h)
    h.twilio.fail("slow", delay=2.0)  # created at Twilio, but our 1 s timeout fires first
    oid = await notify(h, "sms", PHONE, "تم استلام مستنداتك")
    assert await final(h, oid) == "sent"
    copies = [m for m in h.twilio.sent[PHONE] if m["body"] == "تم استلام مستنداتك"]
    assert len(copies) == 1, "a message Twilio accepted must not be sent again"
    assert (await row(h, oid))[1] == copies[0]["sid"]


async def test_twilio_timeout_of_a_lost_request_is_sent_again(h: Harness) -> None:
    await sms(h, "مرحبا")
    await settle(h)
    h.twilio.fail("lost", delay=2.0)  # nothing created: the reconcile finds nothing and re-sends
    oid = await notify(h, "sms", PHONE, "موعدك غداً")
    assert await final(h, oid) == "sent"
    assert h.twilio.bodies(PHONE).count("موعدك غداً") == 1


async def left_by_a_crash(h: Harness, channel: str, address: str, text: str, *, accepted: bool) -> str:
    """An outbox row as a worker that died mid-send leaves it: claimed ('sending'), its lease run
    out, and (``accepted``) already accepted by the provider, which the row never recorded."""
    oid = new_id()
    if accepted:
        adapter = h.push.twilio if channel in ("sms", "whatsapp") else h.push.telegram
        payload = {**reply_to_json(Text(text)), "notification": True}
        item = OutboxItem(id=oid, message_id="", conversation_id="", org="amass", channel=channel,
                          address=address, payload=payload, attempts=1, status="sending")
        await adapter.send(item, adapter.parts(item, Text(text)), None)
    return await notify(h, channel, address, text, row_fields={
        "id": oid, "status": "sending", "attempts": 1, "next_attempt_at": datetime.now(UTC) - timedelta(seconds=1)})


async def test_twilio_send_accepted_before_a_crash_is_reconciled_not_resent(h: Harness) -> None:
    await sms(h, "مرحبا")
    await settle(h)
    oid = await left_by_a_crash(h, "sms", PHONE, "تم قبول طلبك مبدئياً", accepted=True)
    assert await final(h, oid) == "sent"
    copies = [m for m in h.twilio.sent[PHONE] if m["body"] == "تم قبول طلبك مبدئياً"]
    assert len(copies) == 1, "the restarted worker asks Twilio before sending again"
    assert (await row(h, oid))[1] == copies[0]["sid"]


async def test_a_reconcile_does_not_take_an_earlier_message_with_the_same_text_for_this_one(h: Harness) -> None:
    """Twilio is asked by recipient and text; the same text sent before this row existed, or
    recorded as another row's send, is not this row's (else it would be lost, marked sent)."""
    await sms(h, "مرحبا")
    await settle(h)
    text = "تذكير: موعدك غداً الساعة العاشرة"
    h.twilio.add_message(PHONE, SMS_FROM, text, seconds_ago=600)  # ten minutes before the row
    earlier = await left_by_a_crash(h, "sms", PHONE, text, accepted=False)
    assert await final(h, earlier) == "sent"
    assert h.twilio.bodies(PHONE).count(text) == 2, "sent, not matched to the old one"
    again = await left_by_a_crash(h, "sms", PHONE, text, accepted=False)  # the same text, moments later
    assert await final(h, again) == "sent"
    assert h.twilio.bodies(PHONE).count(text) == 3, "sent, not matched to the previous row's send"
    assert len({(await row(h, oid))[1] for oid in (earlier, again)}) == 2


async def test_twilio_reconcile_looks_only_after_the_row_existed(h: Harness) -> None:
    """The broadcast worker passes the broadcast's start as ``since`` (its row ids carry no time)."""
    text = "بدأ التسجيل في برنامج الدعم"
    h.twilio.add_message(PHONE, SMS_FROM, text, seconds_ago=600)
    item = OutboxItem(id="b" * 32, message_id="", conversation_id="", org="amass", channel="sms", address=PHONE,
                      payload={**reply_to_json(Text(text)), "notification": True}, attempts=2, status="sending")
    parts = h.push.twilio.parts(item, Text(text))
    assert await h.push.twilio.reconcile(item, parts) is not None, "without a bound: the last hour"
    assert await h.push.twilio.reconcile(item, parts, since=datetime.now(UTC)) is None


async def test_a_row_claimed_by_a_worker_that_died_before_sending_is_sent(h: Harness) -> None:
    await sms(h, "مرحبا")
    await tg_text(h, "مرحبا")
    await settle(h)
    by_sms = await left_by_a_crash(h, "sms", PHONE, "موعد المقابلة الأحد", accepted=False)
    by_telegram = await left_by_a_crash(h, "telegram", str(CHAT), "موعد المقابلة الأحد", accepted=False)
    assert await final(h, by_sms) == "sent" and await final(h, by_telegram) == "sent"
    assert h.twilio.bodies(PHONE).count("موعد المقابلة الأحد") == 1, "nothing lost"
    assert h.telegram.texts(CHAT).count("موعد المقابلة الأحد") == 1


async def test_a_long_lane_keeps_its_rows_leased_so_none_is_claimed_twice(h: Harness) -> None:
    """Five notifications to one chat, each answered slowly, take longer than the lease they
    were claimed with; the worker renews the lease of rows still waiting, so none is claimed
    again (by it or another worker) and each is sent once."""
    await tg_text(h, "مرحبا")
    await settle(h)
    worker = h.push.worker
    worker.lease = timedelta(seconds=2)
    worker.max_in_flight = 0  # hold claims until all are queued, so one lane gets them all
    texts = [f"تحديث رقم {n}" for n in range(1, 6)]
    ids = [await notify(h, "telegram", str(CHAT), text) for text in texts]
    h.telegram.fail("sendMessage", "slow", times=5, chat_id=CHAT, delay=0.8)  # accepted, answered late
    worker.max_in_flight = 200
    assert [await final(h, i) for i in ids] == ["sent"] * 5
    assert [h.telegram.texts(CHAT).count(text) for text in texts] == [1] * 5
    assert h.runtime.db is not None
    async with h.runtime.db.reader.connect() as conn:
        attempts = (await conn.execute(select(Outbox.attempts).where(Outbox.id.in_(ids)))).scalars().all()
    assert sorted(attempts) == [1] * 5, "no row was claimed a second time"


async def test_telegram_timeout_is_retried_once_then_unknown(h: Harness) -> None:
    await tg_text(h, "مرحبا")
    await settle(h)
    h.telegram.fail("sendMessage", "slow", chat_id=CHAT, delay=1.6)
    once = await notify(h, "telegram", str(CHAT), "تذكير أول")
    assert await final(h, once) == "sent"
    assert h.telegram.texts(CHAT).count("تذكير أول") == 2  # the documented cost of one retry

    h.telegram.fail("sendMessage", "slow", times=2, chat_id=CHAT, delay=1.6)
    twice = await notify(h, "telegram", str(CHAT), "تذكير ثان")
    assert await final(h, twice) == "unknown"
    await asyncio.sleep(0.3)
    assert h.telegram.texts(CHAT).count("تذكير ثان") == 2, "never a third attempt"


async def test_telegram_blocked_marks_unreachable_until_they_write_again(h: Harness) -> None:
    await tg_text(h, "مرحبا")
    await settle(h)
    h.telegram.fail("sendMessage", "403", chat_id=CHAT)
    first = await notify(h, "telegram", str(CHAT), "تحديث")
    assert await final(h, first) == "undeliverable"
    db = h.runtime.db
    assert db is not None
    assert (await identity_facts(db, "amass", "telegram", str(CHAT))).unreachable_at is not None
    calls = len(h.telegram.calls_of("sendMessage"))
    second = await notify(h, "telegram", str(CHAT), "تحديث آخر")
    assert await final(h, second) == "undeliverable"
    assert len(h.telegram.calls_of("sendMessage")) == calls, "no call to a chat that blocked the bot"

    await tg_text(h, "عدت")  # unblocked and wrote again
    await settle(h)
    assert (await identity_facts(db, "amass", "telegram", str(CHAT))).unreachable_at is None
    assert len(h.telegram.calls_of("sendMessage")) > calls


async def test_a_reply_to_someone_who_unblocked_goes_out_before_the_mark_is_cleared(h: Harness) -> None:
    """The turn (with its reply) commits before the 'unreachable' mark is cleared; a worker that
    claims the reply in between must send it, not drop it as undeliverable (seen once in CI)."""
    await tg_text(h, "مرحبا")
    await settle(h)
    db = h.runtime.db
    assert db is not None
    blocked_at = datetime.now(UTC)
    await set_unreachable(db, "amass", "telegram", str(CHAT), blocked_at)
    assert await final(h, await notify(h, "telegram", str(CHAT), "قبل")) == "undeliverable"
    # they wrote after the mark; the mark itself is still there (the window between the two writes)
    await set_last_inbound(h, "telegram", str(CHAT), blocked_at + timedelta(seconds=1))
    assert (await identity_facts(db, "amass", "telegram", str(CHAT))).unreachable_at is not None
    assert await final(h, await notify(h, "telegram", str(CHAT), "بعد")) == "sent"
    assert h.telegram.texts(CHAT)[-1] == "بعد"


async def test_twilio_21610_marks_the_number_opted_out(h: Harness) -> None:
    await sms(h, "مرحبا")
    await settle(h)
    h.twilio.fail("21610")
    oid = await notify(h, "sms", PHONE, "حملة رمضان")
    assert await final(h, oid) == "undeliverable"
    db = h.runtime.db
    assert db is not None
    assert (await identity_facts(db, "amass", "sms", PHONE)).opted_out_at is not None
    assert [(a, s) for a, s, _ in await subscription_history(db, "amass", "sms", PHONE)] == [("opt_out", "provider")]


async def test_whatsapp_outside_the_window_is_held_until_they_write(h: Harness) -> None:
    await sms(h, "مرحبا", whatsapp=True)
    await settle(h)
    await set_last_inbound(h, "whatsapp", PHONE, datetime.now(UTC) - timedelta(hours=25))
    sent_before = len(h.twilio.sent[WA])
    oid = await notify(h, "whatsapp", PHONE, "تم قبول طلبك", template="case_status")
    assert await final(h, oid) == "held"
    assert len(h.twilio.sent[WA]) == sent_before
    held = [m for m in await transcript(h, "amass", "whatsapp", PHONE) if m.text == "تم قبول طلبك"]
    assert held[0].delivery_status == "held", "the status is visible on the message"

    await sms(h, "شكراً", whatsapp=True)  # the window opens again
    await eventually(lambda: "تم قبول طلبك" in h.twilio.bodies(WA), timeout=15)


async def test_whatsapp_outside_the_window_uses_the_approved_template(tmp_path: Path) -> None:
    templates = {"amass": {"case_status": {"content_sid": "HX" + "a" * 32, "variables": {"1": "{text}"}}}}
    async with running(tmp_path, twilio_templates=json.dumps(templates)) as h:
        await sms(h, "مرحبا", whatsapp=True)
        await settle(h)
        await set_last_inbound(h, "whatsapp", PHONE, datetime.now(UTC) - timedelta(days=3))
        oid = await notify(h, "whatsapp", PHONE, "تم قبول طلبك", template="case_status",
                           template_vars={"2": "AMS-26-00042"})
        assert await final(h, oid) == "sent"
        msg = h.twilio.sent[WA][-1]
        assert msg["content_sid"] == "HX" + "a" * 32
        assert json.loads(msg["body"].split("] ", 1)[1]) == {"1": "تم قبول طلبك", "2": "AMS-26-00042"}
        no_template = await notify(h, "whatsapp", PHONE, "رسالة عامة", template="unknown_kind")
        assert await final(h, no_template) == "held"


async def test_63016_from_twilio_holds_or_falls_back_to_the_template(tmp_path: Path) -> None:
    templates = {"*": {"reminder": {"content_sid": "HX" + "b" * 32, "variables": {"1": "{text}"}}}}
    async with running(tmp_path, twilio_templates=json.dumps(templates)) as h:
        await sms(h, "مرحبا", whatsapp=True)
        await settle(h)
        h.twilio.fail("63016")
        held = await notify(h, "whatsapp", PHONE, "تنبيه")
        assert await final(h, held) == "held"
        h.twilio.fail("63016")
        templated = await notify(h, "whatsapp", PHONE, "تذكير بالموعد", template="reminder")
        assert await final(h, templated) == "sent"
        assert h.twilio.sent[WA][-1]["content_sid"] == "HX" + "b" * 32


async def test_a_turn_wakes_the_worker_without_waiting_for_the_poll(tmp_path: Path) -> None:
    async with running(tmp_path, delivery_poll_ms=600_000) as h:
        await h.push.worker.run_once()  # the first poll has happened; the next is ten minutes away
        await tg_text(h, "مرحبا")
        await eventually(lambda: len(h.telegram.sent[CHAT]) >= 2, timeout=10)


async def test_memory_bucket_refills_at_its_rate() -> None:
    now = [100.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0])
    assert [await limiter.acquire("chat", 1.0, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await limiter.acquire("chat", 1.0, 3)
    assert wait == pytest.approx(1.0)
    assert await limiter.acquire("other", 1.0, 3) == 0.0, "buckets are per key"
    now[0] += 0.5
    assert await limiter.acquire("chat", 1.0, 3) == pytest.approx(0.5)
    now[0] += 0.5
    assert await limiter.acquire("chat", 1.0, 3) == 0.0
    now[0] += 100
    assert [await limiter.acquire("chat", 1.0, 3) for _ in range(4)][-1] > 0, "never more than the burst"


@pytest.mark.redis
async def test_redis_bucket_is_shared_between_workers(redis_url: str) -> None:
    import redis.asyncio as aioredis

    a_client = aioredis.from_url(redis_url)
    b_client = aioredis.from_url(redis_url)
    try:
        a, b = RedisRateLimiter(a_client), RedisRateLimiter(b_client)
        key = "test:" + os.urandom(6).hex()
        results = [await (a if i % 2 else b).acquire(key, 0.5, 4) for i in range(4)]
        assert results == [0.0] * 4
        assert await a.acquire(key, 0.5, 4) > 0 and await b.acquire(key, 0.5, 4) > 0
        ttl = await a_client.pttl("sila:rl:" + key)
        assert 0 < ttl <= 9000
    finally:
        await a_client.aclose()
        await b_client.aclose()


def _two_servers_env(pg_url: str, redis_url: str, tg_url: str, tw_url: str, data_dir: str) -> dict[str, Any]:
    return {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": redis_url, "SILA_DATA_DIR": data_dir,
            "SILA_PUBLIC_BASE_URL": "https://sila.example.org", "SILA_TWILIO_ACCOUNT_SID": twa.ACCOUNT_SID,
            "SILA_TWILIO_AUTH_TOKEN": twa.AUTH_TOKEN, "SILA_TWILIO_API_BASE": tw_url,
            "SILA_TWILIO_SMS_FROM_AMASS": "+966110000000", "SILA_TELEGRAM_API_BASE": tg_url,
            "SILA_DELIVERY_POLL_MS": "100"}


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_server_processes_share_one_postgres_and_redis(pg_url: str, redis_url: str,
                                                                 tmp_path: Path) -> None:
    import contextlib

    from bot.settings import load_settings
    from storage.db import migrate
    from tests.servers import serve

    await migrate(load_settings(env={}, database_url=pg_url))
    tw = await twa.FakeTwilio().start()
    tg = await tga.FakeTelegram().start()
    env = _two_servers_env(pg_url, redis_url, tg.url, tw.url, str(tmp_path))
    stack = contextlib.ExitStack()
    try:
        first, second = await asyncio.gather(asyncio.to_thread(stack.enter_context, serve(env)),
                                             asyncio.to_thread(stack.enter_context, serve(env)))
        phone = "+9665" + str(int.from_bytes(os.urandom(3), "big") % 10**8).zfill(8)
        params = twa.inbound_params(phone, "ما طرق التواصل معكم؟")
        public = "https://sila.example.org/twilio/amass/sms"  # what Twilio signed; the balancer picks a worker
        posts = [twa.signed_post(f"http://127.0.0.1:{(first, second)[i % 2][0]}/twilio/amass/sms", params,
                                 sign_url=public) for i in range(20)]
        assert await asyncio.gather(*posts) == [200] * 20
        await eventually(lambda: len(tw.sent[phone]) >= 1, timeout=30)
        await asyncio.sleep(1.0)  # let any (wrong) second send arrive before counting
        bodies = tw.bodies(phone)
        assert len(bodies) == len(set(bodies)), "each part of the one reply sent exactly once"
        from sqlalchemy import text

        from storage.db import create_database

        db = create_database(load_settings(env={}, database_url=pg_url))
        try:
            async with db.reader.connect() as conn:
                rows = (await conn.execute(text(
                    "SELECT m.direction, count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                    "WHERE c.address = :a AND c.channel = 'sms' GROUP BY m.direction"), {"a": phone})).all()
        finally:
            await db.dispose()
        assert dict((d, n) for d, n in rows) == {"in": 1, "out": 1}
    finally:
        await asyncio.to_thread(stack.close)
        await tw.close()
        await tg.close()


async def test_the_worker_waits_for_its_rate_limiter(h: Harness) -> None:
    await tg_text(h, "مرحبا")
    await settle(h)

    class Closed:
        async def acquire(self, key: str, rate: float, burst: int) -> float:
            return 30.0

    calls = len(h.telegram.calls_of("sendMessage"))
    h.push.worker.limiter = Closed()
    oid = await notify(h, "telegram", str(CHAT), "تنبيه")
    await settle(h)
    status, _pid, error = await row(h, oid)
    assert status == "pending" and error == "local rate limit"
    assert len(h.telegram.calls_of("sendMessage")) == calls


async def test_telegram_400_fails_without_retry(h: Harness) -> None:
    await tg_text(h, "مرحبا")
    await settle(h)
    h.telegram.fail("sendMessage", "400", chat_id=CHAT)
    oid = await notify(h, "telegram", str(CHAT), "تنبيه")
    assert await final(h, oid) == "failed"
    assert "chat not found" in ((await row(h, oid))[2] or "").lower()


# -- replies sent in several parts: a failure on a later part never repeats the earlier ones -------

def long_text(sentences: int) -> str:
    """Numbered Arabic sentences: every part the text is split into is different from the others."""
    return " ".join(f"الجملة رقم {i} من رسالة طويلة عن مواعيد الجمعية وخدماتها للمستفيدين." for i in range(sentences))


def tg_parts(h: Harness, text: str) -> list[str]:
    from bot.render import render
    from bot.types import Text

    return [p.text for p in render(Text(text), h.push.telegram.caps("telegram"))]


def tw_parts(h: Harness, channel: str, text: str) -> list[str]:
    from bot.records import OutboxItem
    from bot.types import Text

    item = OutboxItem("x", "x", "x", "amass", channel, PHONE, {}, 1)
    return [p.text for p in h.push.twilio.parts(item, Text(text))]


async def outbox_payload(h: Harness, outbox_id: str) -> dict[str, Any]:
    from sqlalchemy import select

    from storage.models import Outbox

    assert h.runtime.db is not None
    async with h.runtime.db.reader.connect() as conn:
        return dict((await conn.execute(select(Outbox.payload).where(Outbox.id == outbox_id))).scalar() or {})


async def long_telegram_text(h: Harness, min_parts: int) -> tuple[str, list[str], int]:
    """A chat that has been greeted, a text Telegram splits into ``min_parts`` or more parts, those
    parts, and how many messages the chat had before it."""
    await tg_text(h, "مرحبا")
    await settle(h)
    text = long_text(150)
    expected = tg_parts(h, text)
    assert len(expected) >= min_parts
    return text, expected, len(h.telegram.sent[CHAT])


@pytest.mark.parametrize("kind", ["429", "500"])
async def test_telegram_failure_on_a_later_part_does_not_repeat_the_earlier_ones(h: Harness, kind: str) -> None:
    text, expected, before = await long_telegram_text(h, 2)
    h.telegram.fail("sendMessage", kind, chat_id=CHAT, retry_after=1, after=1)  # the second part, once
    oid = await notify(h, "telegram", str(CHAT), text)
    assert await final(h, oid) == "sent"
    sent = h.telegram.sent[CHAT][before:]
    assert [m["text"] for m in sent] == expected, "every part exactly once, in order"
    assert (await row(h, oid))[1] == f"{CHAT}:{sent[-1]['message_id']}", "the row keeps the last part's id"
    progress = await outbox_payload(h, oid)
    assert progress["parts_sent"] == 1 and progress["parts_ids"] == [f"{CHAT}:{sent[0]['message_id']}"]
    assert progress["text"] == text, "progress is merged into the payload, not written over it"


async def test_telegram_timeout_on_a_later_part_retries_only_that_part(h: Harness) -> None:
    text, expected, before = await long_telegram_text(h, 3)
    h.telegram.fail("sendMessage", "slow", chat_id=CHAT, delay=1.6, after=1)  # part 2 arrives, its answer doesn't
    oid = await notify(h, "telegram", str(CHAT), text)
    assert await final(h, oid) == "sent"
    texts = [m["text"] for m in h.telegram.sent[CHAT][before:]]
    # Telegram cannot be asked: the timed-out part is sent once more (the documented cost), the rest once
    assert texts == [expected[0], expected[1], *expected[1:]]


@pytest.mark.parametrize(("channel", "code"), [("sms", "20429"), ("whatsapp", "500")])
async def test_twilio_failure_on_a_later_part_does_not_repeat_the_earlier_ones(
    h: Harness, channel: str, code: str,
) -> None:
    whatsapp = channel == "whatsapp"
    to = WA if whatsapp else PHONE
    await sms(h, "مرحبا", whatsapp=whatsapp)
    await settle(h)
    text = long_text(12 if channel == "sms" else 70)
    expected = tw_parts(h, channel, text)
    assert len(expected) >= 2
    before = len(h.twilio.sent[to])
    h.twilio.fail(code, to=to, retry_after=1, after=1)  # the second part, once
    oid = await notify(h, channel, PHONE, text)
    assert await final(h, oid) == "sent"
    sent = h.twilio.sent[to][before:]
    assert [m["body"] for m in sent] == expected, "every part exactly once, in order"
    assert (await row(h, oid))[1] == sent[-1]["sid"], "the row keeps the last part's id"
    assert (await outbox_payload(h, oid))["parts_sent"] == 1


@pytest.mark.parametrize("failure", ["slow", "lost"])
async def test_twilio_timeout_on_a_later_part_is_reconciled_for_that_part_only(h: Harness, failure: str) -> None:
    await sms(h, "مرحبا")
    await settle(h)
    text = long_text(12)
    expected = tw_parts(h, "sms", text)
    assert len(expected) >= 3
    before = len(h.twilio.sent[PHONE])
    # slow: part 2 is created but the answer comes too late (reconciled, not re-sent);
    # lost: nothing is created (the reconcile finds nothing and part 2 is sent again)
    h.twilio.fail(failure, to=PHONE, delay=2.0, after=1)
    oid = await notify(h, "sms", PHONE, text)
    assert await final(h, oid) == "sent"
    sent = h.twilio.sent[PHONE][before:]
    assert [m["body"] for m in sent] == expected, "every part exactly once, in order"
    assert (await row(h, oid))[1] == sent[-1]["sid"]
