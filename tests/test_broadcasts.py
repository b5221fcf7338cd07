"""Coordinator broadcasts: audience, once-only sending, opt-out at send time, 429 storms,
pause/resume/cancel, callbacks, the CSV report, CLI refusals, and two PostgreSQL workers of which
one is killed with SIGKILL mid-broadcast (every SMS recipient still gets exactly one copy).
"""

from __future__ import annotations

import asyncio
import csv
import os
import signal
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from app.broadcast_cli import export_csv, parse_at
from channels.broadcast_worker import BroadcastWorker
from channels.ratelimit import MemoryRateLimiter
from storage import broadcasts as bs
from storage.identities import record_subscription, set_unreachable
from storage.models import ChannelIdentity
from tests.broadcast_seed import seed
from tests.fakes import twilio_api as twa
from tests.harness import SMS_FROM, TG_TOKEN, Harness, eventually, running
from tests.servers import SILA
from tests.services import private_redis, start_redis
from wiring.broadcasts import csv_safe


@pytest.fixture
async def h(tmp_path: Path):
    async with running(tmp_path, twilio_rate_per_sender=200, telegram_rate_global=200) as harness:
        yield harness


def worker_for(h: Harness, **kw) -> BroadcastWorker:
    assert h.runtime.db is not None
    adapters = {"telegram": h.push.telegram, "whatsapp": h.push.twilio, "sms": h.push.twilio}
    return BroadcastWorker(h.runtime.db, adapters, MemoryRateLimiter(), poll=0.05, backoff_base=0.05, **kw)


async def start(h: Harness, audience: bs.Audience, texts: dict[str, str], template: str | None = None) -> str:
    assert h.runtime.db is not None
    bid = await bs.create(h.runtime.db, org="amass", name="تحديث", audience=audience, texts=texts, template=template)
    bc = await bs.get(h.runtime.db, bid)
    assert bc is not None
    await bs.start_sending(h.runtime.db, bc)
    return bid


async def run_until_done(h: Harness, worker: BroadcastWorker, bid: str, timeout: float = 30) -> dict[str, int]:
    assert h.runtime.db is not None
    db = h.runtime.db
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        async def done() -> bool:
            bc = await bs.get(db, bid)
            return bc is not None and bc.status in ("done", "cancelled")

        await eventually(done, timeout=timeout, interval=0.1)
    finally:
        stop.set()
        await task
    return await bs.counts(db, bid)


async def test_audience_filters_and_preview_counts(h: Harness) -> None:
    db = h.runtime.db
    assert db is not None
    await seed(db, channel="sms", n=5, city="تبوك", case_status="approved")
    await seed(db, channel="sms", n=3, city="تبوك", lang="en", start=100)
    await seed(db, channel="whatsapp", n=4, city="تبوك", start=200, inbound_hours_ago=48)
    await seed(db, channel="telegram", n=2, city="تبوك", start=300, inbound_hours_ago=24 * 40)
    await seed(db, channel="sms", n=7, city="أبها", start=400)
    tabuk = bs.Audience(city=("تبوك",))
    s = await bs.summarize(db, "amass", tabuk)
    assert s.total == 14 and s.whatsapp_outside_window == 4
    assert s.by_channel_lang == {("sms", "ar"): 5, ("sms", "en"): 3, ("whatsapp", "ar"): 4, ("telegram", "ar"): 2}
    assert (await bs.summarize(db, "amass", bs.Audience(city=("تبوك",), case_status=("approved",)))).total == 5
    assert (await bs.summarize(db, "amass", bs.Audience(city=("تبوك",), lang=("en",)))).total == 3
    assert (await bs.summarize(db, "amass", bs.Audience(city=("تبوك",), channels=("sms",)))).total == 8
    assert (await bs.summarize(db, "amass", bs.Audience(city=("تبوك",), contacted_within_days=30))).total == 12
    assert (await bs.summarize(db, "amass", bs.Audience(city=("تبوك",), not_contacted_within_days=30))).total == 2
    await record_subscription(db, "amass", "sms", "+966500000000", opted_out=True, source="keyword")
    assert (await bs.summarize(db, "amass", tabuk)).total == 13, "opted-out people are never in an audience"
    blocked_at = datetime.now(UTC)
    await set_unreachable(db, "amass", "telegram", "700000300", blocked_at)
    assert (await bs.summarize(db, "amass", tabuk)).total == 12, "nor are people who blocked the bot"
    async with db.writer.begin() as conn:  # they wrote again; the mark is cleared a moment later
        await conn.execute(update(ChannelIdentity).where(ChannelIdentity.address == "700000300")
                           .values(last_inbound_at=blocked_at + timedelta(seconds=1)))
    assert (await bs.summarize(db, "amass", tabuk)).total == 13


async def test_sends_each_recipient_once_in_their_language_then_refuses_a_second_send(h: Harness) -> None:
    db = h.runtime.db
    assert db is not None
    ar = await seed(db, channel="sms", n=20, city="جازان")
    en = await seed(db, channel="sms", n=5, city="جازان", lang="en", start=50)
    tg = await seed(db, channel="telegram", n=5, city="جازان", start=60)
    texts = {"ar": "تذكير: موعد توزيع السلال غداً", "en": "Reminder: food baskets tomorrow"}
    bid = await start(h, bs.Audience(city=("جازان",)), texts)
    counts = await run_until_done(h, worker_for(h), bid)
    assert counts == {"sent": 30}
    assert all(h.twilio.bodies(a) == [texts["ar"]] for a in ar)
    assert all(h.twilio.bodies(a) == [texts["en"]] for a in en)
    assert all(h.telegram.texts(int(c)) == [texts["ar"]] for c in tg)
    bc = await bs.get(db, bid)
    assert bc is not None and bc.status == "done" and bc.total == 30
    with pytest.raises(bs.BroadcastError, match="already sent"):
        await bs.start_sending(db, bc)
    # delivery and read come from Twilio's status callbacks (?outbox=<recipient row>)
    sid = h.twilio.sent[ar[0]][0]["sid"]
    assert await h.twilio.post_status(sid, "delivered") == 200
    assert await h.twilio.post_status(sid, "sent") == 200  # late and out of order: ignored
    sid2 = h.twilio.sent[ar[1]][0]["sid"]
    assert await h.twilio.post_status(sid2, "undelivered", error_code="30003") == 200
    counts = await bs.counts(db, bid)
    assert counts == {"sent": 28, "delivered": 1, "failed": 1}


async def test_a_row_reclaimed_by_the_same_worker_is_fenced_against_its_stale_copy(h: Harness) -> None:
    """The root of the duplicate once seen under a Redis restart: a row whose lease ran out while
    still queued locally was claimed again by the same worker; with one token per worker both
    copies passed the fence. With a token per claim only the newest copy may be marked and sent."""
    db = h.runtime.db
    assert db is not None
    await seed(db, channel="sms", n=1, city="تبوك")
    bid = await start(h, bs.Audience(city=("تبوك",)), {"ar": "تحديث"})
    [stale] = await bs.claim(db, [bid], 10, timedelta(seconds=-1))  # a lease that has already run out
    [fresh] = await bs.claim(db, [bid], 10, timedelta(minutes=5))   # the same row, claimed again
    assert fresh.id == stale.id and fresh.token != stale.token
    marks = await bs.mark_attempts(db, [(stale.id, stale.token), (fresh.id, fresh.token)], timedelta(minutes=5))
    assert marks == {(stale.id, stale.token): "lost", (fresh.id, fresh.token): "ok"}
    await bs.finish_sent(db, [(stale.id, stale.token, "SM-stale")])  # fenced: changes nothing
    assert await bs.counts(db, bid) == {"sending": 1}
    await bs.finish_sent(db, [(fresh.id, fresh.token, "SM-fresh")])
    assert await bs.counts(db, bid) == {"sent": 1}


async def test_opt_out_after_create_is_never_sent(h: Harness) -> None:
    db = h.runtime.db
    assert db is not None
    people = await seed(db, channel="sms", n=6, city="حائل")
    bid = await start(h, bs.Audience(city=("حائل",)), {"ar": "إشعار"})
    await record_subscription(db, "amass", "sms", people[2], opted_out=True, source="keyword")
    counts = await run_until_done(h, worker_for(h), bid)
    assert counts == {"sent": 5, "skipped": 1}
    assert h.twilio.sent[people[2]] == []


async def test_a_storm_of_429s_slows_sending_without_losing_anything(h: Harness) -> None:
    db = h.runtime.db
    assert db is not None
    people = await seed(db, channel="sms", n=40, city="نجران")
    h.twilio.fail("20429", times=25, retry_after=1)
    bid = await start(h, bs.Audience(city=("نجران",)), {"ar": "تحديث"})
    counts = await run_until_done(h, worker_for(h, concurrency=8), bid, timeout=60)
    assert counts == {"sent": 40}
    assert Counter(len(h.twilio.sent[p]) for p in people) == {1: 40}


async def test_pause_resume_and_cancel_take_effect_promptly(h: Harness) -> None:
    db = h.runtime.db
    assert db is not None
    people = await seed(db, channel="sms", n=200, city="الباحة")
    h.twilio.rate_limit, h.twilio.rate_burst = 0, 0
    bid = await start(h, bs.Audience(city=("الباحة",)), {"ar": "تحديث"})
    worker = worker_for(h, concurrency=4)
    worker.limiter = MemoryRateLimiter()
    # 20 msg/s so the broadcast lasts ~10 s
    h.push.twilio.settings = __import__("dataclasses").replace(h.push.twilio.settings, twilio_rate_per_sender=20)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))

    def sent() -> int:
        return sum(len(h.twilio.sent[p]) for p in people)

    try:
        await eventually(lambda: sent() >= 20, timeout=20)
        assert await bs.set_state(db, bid, "pause") == "paused"
        await asyncio.sleep(1.0)
        settled = sent()
        await asyncio.sleep(1.5)
        assert sent() == settled < 200, "nothing leaves a paused broadcast after a second"
        assert await bs.set_state(db, bid, "resume") == "sending"
        await eventually(lambda: sent() >= settled + 20, timeout=20)
        assert await bs.set_state(db, bid, "cancel") == "cancelled"
        await asyncio.sleep(1.0)
        final = sent()
        await asyncio.sleep(1.0)
        assert sent() == final < 200
    finally:
        stop.set()
        await task
    counts = await bs.counts(db, bid)
    assert counts.get("sent", 0) == final and counts.get("cancelled", 0) == 200 - final
    assert Counter(len(h.twilio.sent[p]) for p in people)[2] == 0


async def test_csv_report_is_safe_against_formula_injection(h: Harness, tmp_path: Path) -> None:
    db = h.runtime.db
    assert db is not None
    await seed(db, channel="sms", n=2, city="عرعر", name='=HYPERLINK("http://x")')
    bid = await start(h, bs.Audience(city=("عرعر",)), {"ar": "تحديث"})
    await run_until_done(h, worker_for(h), bid)
    out = tmp_path / "report.csv"
    assert await export_csv(db, bid, out) == 2
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["recipient", "channel", "address"]
    assert all(r[3].startswith("'=") and r[2].startswith("'+9665****") for r in rows[1:])
    assert [csv_safe(v) for v in ("-1", "@x", "\tx", "\rx", "+1", "ok")] == ["'-1", "'@x", "'\tx", "'\rx", "'+1", "ok"]
    with pytest.raises(Exception, match="in the past"):
        parse_at("2020-01-01T09:00")


# -- the CLI: one-line refusals before anything is sent -------------------------------------------
def sila(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SILA, "broadcast", *args], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=60)


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr


async def test_cli_refusals_and_preview(h: Harness) -> None:
    db = h.runtime.db
    assert db is not None
    await seed(db, channel="sms", n=3, city="القريات")
    await seed(db, channel="whatsapp", n=2, city="القريات", start=10, inbound_hours_ago=30)
    env = {"SILA_DATA_DIR": str(h.settings.data_dir), "SILA_SMS_COST_PER_SEGMENT": "0.05"}
    refused(await asyncio.to_thread(sila, env, "create", "--org", "amass", "--name", "x", "--city", "لا-أحد",
                                    "--text-ar", "مرحبا"), "audience is empty")
    refused(await asyncio.to_thread(sila, env, "create", "--org", "amass", "--name", "x", "--city", "القريات",
                                    "--text-ar", "ا" * 400), "SMS segments")
    made = await asyncio.to_thread(sila, env, "create", "--org", "amass", "--name", "x", "--city", "القريات",
                                   "--text-ar", "تحديث مهم")
    assert made.returncode == 0, made.stderr
    bid = made.stdout.strip()
    refused(await asyncio.to_thread(sila, env, "send", bid), "outside the 24-hour window")
    sms_only = (await asyncio.to_thread(sila, env, "create", "--org", "amass", "--name", "y", "--city", "القريات",
                                        "--channel", "sms", "--text-ar", "تحديث مهم")).stdout.strip()
    preview = await asyncio.to_thread(sila, env, "preview", sms_only)
    assert preview.returncode == 0 and "recipients: 3" in preview.stdout and "+9665****" in preview.stdout
    assert "3 segment(s), estimated cost 0.15 SAR" in preview.stdout
    refused(await asyncio.to_thread(sila, env, "send", sms_only, "--at", "2001-01-01T08:00"), "in the past")
    sent = await asyncio.to_thread(sila, env, "send", sms_only, "--at",
                                   (datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert sent.returncode == 0 and "queued 3 recipient(s); scheduled" in sent.stdout, sent.stderr
    refused(await asyncio.to_thread(sila, env, "send", sms_only), "already sent")
    assert h.twilio.messages == [], "nothing was sent by any of this"


# -- two workers on PostgreSQL + Redis, one killed mid-broadcast ---------------------------------
async def test_two_workers_one_killed_every_recipient_exactly_once(pg_url: str, redis_url: str, tmp_path: Path) -> None:
    from bot.packs import load_all
    from bot.settings import load_settings
    from storage.db import create_database
    from tests.fakes.telegram_api import FakeTelegram
    from wiring.runtime import sync_associations

    tg = await FakeTelegram(tokens={TG_TOKEN}).start()
    tw = await twa.FakeTwilio().start()
    env = {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": redis_url, "SILA_DATA_DIR": str(tmp_path),
           "SILA_TWILIO_ACCOUNT_SID": twa.ACCOUNT_SID, "SILA_TWILIO_AUTH_TOKEN": twa.AUTH_TOKEN,
           "SILA_TWILIO_API_BASE": tw.url, "SILA_TWILIO_SMS_FROM_AMASS": SMS_FROM,
           "SILA_TELEGRAM_API_BASE": tg.url, "SILA_TELEGRAM_TOKEN_AMASS": TG_TOKEN, "SILA_TELEGRAM_MODE": "off",
           "SILA_TWILIO_RATE_PER_SENDER": "150", "SILA_TELEGRAM_RATE_GLOBAL": "40", "SILA_SEND_TIMEOUT_MS": "2000"}
    full_env = {**os.environ, **env}
    subprocess.run([SILA, "migrate"], env=full_env, check=True, capture_output=True)
    settings = load_settings(env=full_env)
    db = create_database(settings)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        await sync_associations(db, load_all())
        city = f"kill-{os.urandom(3).hex()}"
        sms = await seed(db, channel="sms", n=900, city=city, prefix="+9665" + str(os.getpid() % 9))
        tgs = await seed(db, channel="telegram", n=80, city=city, start=os.getpid() % 1000 * 1000)
        bid = await bs.create(db, org="amass", name="kill", audience=bs.Audience(city=(city,)), texts={"ar": "تحديث"},
                              template=None)
        bc = await bs.get(db, bid)
        assert bc is not None
        await bs.start_sending(db, bc)
        for _ in range(2):
            procs.append(subprocess.Popen([SILA, "broadcast", "work", "--lease", "2", "--concurrency", "16"],
                                          env=full_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))

        def delivered() -> int:
            return sum(len(v) for v in tw.sent.values()) + sum(len(v) for v in tg.sent.values())

        await eventually(lambda: delivered() >= 250, timeout=60, interval=0.05)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()

        async def finished() -> bool:
            current = await bs.get(db, bid)
            return current is not None and current.status == "done"

        await eventually(finished, timeout=120, interval=0.2)
        counts = await bs.counts(db, bid)
        per_sms = Counter(len(tw.sent[a]) for a in sms)
        assert per_sms == {1: 900}, f"twilio copies per recipient: {per_sms}"
        per_tg = Counter(len(tg.sent[int(c)]) for c in tgs)
        assert set(per_tg) <= {0, 1}, f"telegram copies per recipient: {per_tg}"
        # Telegram cannot be asked whether an interrupted send arrived: those few are 'unknown', never doubled
        assert counts.get("sent", 0) + counts.get("unknown", 0) == 980 and counts.get("unknown", 0) <= 16, counts
        assert per_tg.get(0, 0) <= counts.get("unknown", 0)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        await db.dispose()
        await tg.close()
        await tw.close()


async def test_redis_restarted_mid_broadcast_recovers_and_finishes(pg_url: str, tmp_path: Path) -> None:
    """Redis (shared rate limits) vanishes mid-broadcast and comes back: workers carry on, nobody twice."""

    from bot.packs import load_all
    from bot.settings import load_settings
    from storage.db import create_database
    from tests.fakes.telegram_api import FakeTelegram
    from tests.servers import free_port
    from wiring.runtime import sync_associations

    port = free_port()
    redis = private_redis(port, str(tmp_path))
    tg = await FakeTelegram(tokens={TG_TOKEN}).start()
    tw = await twa.FakeTwilio().start()
    env = {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": f"redis://127.0.0.1:{port}/0", "SILA_DATA_DIR": str(tmp_path),
           "SILA_TWILIO_ACCOUNT_SID": twa.ACCOUNT_SID, "SILA_TWILIO_AUTH_TOKEN": twa.AUTH_TOKEN,
           "SILA_TWILIO_API_BASE": tw.url, "SILA_TWILIO_SMS_FROM_AMASS": SMS_FROM,
           "SILA_TELEGRAM_API_BASE": tg.url, "SILA_TELEGRAM_TOKEN_AMASS": TG_TOKEN, "SILA_TELEGRAM_MODE": "off",
           "SILA_TWILIO_RATE_PER_SENDER": "100", "SILA_SEND_TIMEOUT_MS": "2000"}
    full_env = {**os.environ, **env}
    subprocess.run([SILA, "migrate"], env=full_env, check=True, capture_output=True)
    db = create_database(load_settings(env=full_env))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        await sync_associations(db, load_all())
        city = f"redis-{os.urandom(3).hex()}"
        sms = await seed(db, channel="sms", n=600, city=city, prefix="+9665" + str((os.getpid() + 3) % 9))
        bid = await bs.create(db, org="amass", name="redis", audience=bs.Audience(city=(city,)),
                              texts={"ar": "تحديث"}, template=None)
        bc = await bs.get(db, bid)
        assert bc is not None
        await bs.start_sending(db, bc)
        for _ in range(2):
            procs.append(subprocess.Popen([SILA, "broadcast", "work", "--lease", "2", "--concurrency", "16"],
                                          env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        await eventually(lambda: sum(len(v) for v in tw.sent.values()) >= 120, timeout=60, interval=0.05)
        redis.kill()
        redis.wait(10)
        await asyncio.sleep(1.5)
        redis = start_redis(port, str(tmp_path))

        async def finished() -> bool:
            current = await bs.get(db, bid)
            return current is not None and current.status == "done"

        await eventually(finished, timeout=120, interval=0.2)
        assert all(p.poll() is None for p in procs), "a worker died with Redis"
        per_sms = Counter(len(tw.sent[a]) for a in sms)
        assert per_sms == {1: 600}, f"twilio copies per recipient: {per_sms}"
        assert (await bs.counts(db, bid)).get("sent", 0) == 600
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.kill()
        redis.wait(10)
        await db.dispose()
        await tg.close()
        await tw.close()
