"""Broadcast throughput: N SMS recipients, two `sila broadcast work` processes on PostgreSQL + Redis,
against the fake Twilio server enforcing a known limit (messages/s per sender; 429 beyond it).

Prints: enqueue time (audience snapshot into the queue; target ≤ 5 s for 100,000), achieved send
rate vs the limit (target ≥ 95%) and, measured in the same run, the ceiling (bare aiohttp senders
against the same fake server with no limit and no database: when the limit is a large share of
it, the machine, not Sila, caps the rate), 429s provoked (target 0: the limit is known and shared through
Redis), each worker's peak RSS (target ≤ 200 MB), duplicates and losses (target 0 and 0).
A benchmark, not a test: it asserts nothing.

    BENCH_BROADCAST_N=100000 BENCH_BROADCAST_RATE=1000 BENCH_BROADCAST_WORKERS=2 \
        .venv/bin/python bench/broadcast_bench.py
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SILA_DATA_KEY", "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI=")

from webchat_bench import SILA, cpu_seconds, peak_rss_mb  # noqa: E402

from bot.packs import load_all  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage import broadcasts as bs  # noqa: E402
from storage.db import create_database  # noqa: E402
from tests.broadcast_seed import seed  # noqa: E402
from tests.fakes import twilio_api as twa  # noqa: E402
from wiring.runtime import sync_associations  # noqa: E402

N = int(os.environ.get("BENCH_BROADCAST_N", "100000"))
RATE = int(os.environ.get("BENCH_BROADCAST_RATE", "1000"))
WORKERS = int(os.environ.get("BENCH_BROADCAST_WORKERS", "2"))
PG_ADMIN = os.environ.get("SILA_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BODY = "تذكير: موعد توزيع السلال الغذائية غداً"
REDIS = os.environ.get("SILA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def bare_sender(url: str, seconds: float, concurrency: int = 48) -> None:
    """The ceiling's sender: Twilio's create-message POST in a loop (aiohttp, keep-alive), no
    database, no rate limit, nothing recorded; prints how many were accepted."""
    import aiohttp

    from channels.twilio_sms import basic_auth

    headers = {"Authorization": basic_auth(twa.ACCOUNT_SID, twa.AUTH_TOKEN)}
    target = f"{url}/2010-04-01/Accounts/{twa.ACCOUNT_SID}/Messages.json"
    deadline = time.perf_counter() + seconds
    done = 0

    async def loop(session: aiohttp.ClientSession, i: int) -> None:
        nonlocal done
        n = 0
        while time.perf_counter() < deadline:
            data = {"To": f"+9665{i:04d}{n:04d}", "From": "+966110000000", "Body": BODY}
            async with session.post(target, data=data, headers=headers) as r:
                await r.read()
                done += r.status == 201
            n += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(loop(session, i) for i in range(concurrency)))
    print(done, flush=True)


async def ceiling(seconds: float = 5.0) -> float:
    """What this machine can push through the fake provider right now: WORKERS bare senders
    against a fresh fake Twilio with no limit. Printed beside the result because the VM's speed
    varies from run to run."""
    tw = await twa.FakeTwilio().start()
    try:
        procs = [await asyncio.create_subprocess_exec(sys.executable, __file__, "--bare-sender", tw.url, str(seconds),
                                                      stdout=asyncio.subprocess.PIPE) for _ in range(WORKERS)]
        outs = [await p.communicate() for p in procs]
        return sum(int(out.decode().strip() or 0) for out, _ in outs) / seconds
    finally:
        await tw.close()


async def main() -> None:
    name = f"sila_bench_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rpartition("/")[0] + "/" + name
    sender = f"+96611{os.getpid() % 10_000_000:07d}"
    tw = await twa.FakeTwilio(rate_limit=RATE, rate_burst=RATE).start()
    env = {**os.environ, "SILA_DATABASE_URL": url, "SILA_REDIS_URL": REDIS, "SILA_DATA_DIR": "/tmp",
           "SILA_TWILIO_ACCOUNT_SID": twa.ACCOUNT_SID, "SILA_TWILIO_AUTH_TOKEN": twa.AUTH_TOKEN,
           "SILA_TWILIO_API_BASE": tw.url, "SILA_TWILIO_SMS_FROM_AMASS": sender, "SILA_TELEGRAM_MODE": "off",
           "SILA_TWILIO_RATE_PER_SENDER": str(RATE)}
    procs: list[subprocess.Popen[bytes]] = []
    db = None
    try:
        subprocess.run([SILA, "migrate"], env=env, check=True, capture_output=True)
        db = create_database(load_settings(env=env))
        await sync_associations(db, load_all())
        t0 = time.perf_counter()
        addresses = await seed(db, channel="sms", n=N, city="الرياض")
        print(f"seeded {N:,} beneficiaries in {time.perf_counter() - t0:.1f}s")
        bid = await bs.create(db, org="amass", name="bench", audience=bs.Audience(city=("الرياض",)),
                              texts={"ar": BODY}, template=None)
        record = await bs.get(db, bid)
        assert record is not None
        # workers first, so the clock below measures sending, not start-up
        for _ in range(WORKERS):
            procs.append(subprocess.Popen([SILA, "broadcast", "work", "--concurrency", "48"], env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        for p in procs:
            assert p.stdout is not None
            await asyncio.to_thread(p.stdout.readline)
        t0 = time.perf_counter()
        total = await bs.start_sending(db, record)
        enqueue = time.perf_counter() - t0
        print(f"enqueue: {total:,} recipients in {enqueue:.2f}s (target ≤ 5 s)")
        start = time.perf_counter()
        deadline = start + float(os.environ.get("BENCH_BROADCAST_MAX_S", "170"))  # bounded run time
        first_at = last_at = None
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
            n = len(tw.messages)
            if n and first_at is None:
                first_at = time.perf_counter()
            if n >= N:
                last_at = time.perf_counter()
                break
            current = await bs.get(db, bid)
            if current is not None and current.status == "done":
                last_at = time.perf_counter()
                break
        rss = [peak_rss_mb(p.pid) for p in procs]
        cpu = [cpu_seconds(p.pid) for p in procs]
        sent = len(tw.messages)
        elapsed = (last_at or time.perf_counter()) - (first_at or start)
        per = Counter(len(tw.sent[a]) for a in addresses)
        counts = await bs.counts(db, bid)
        print(f"sent {sent:,} in {elapsed:.1f}s: {sent / elapsed:,.0f} msg/s vs limit {RATE:,}/s "
              f"= {sent / elapsed / RATE:.1%} (target ≥ 95%)")
        bare = await ceiling()
        print(f"ceiling in this run: {bare:,.0f} msg/s ({WORKERS} bare aiohttp senders -> a fake Twilio with no "
              f"limit, no database); the limit is {RATE / bare:.0%} of it")
        print(f"429s provoked: {tw.limited} (target 0)")
        print("worker peak RSS: " + ", ".join(f"{r:.0f} MB" for r in rss) + " (target ≤ 200 MB)")
        print(f"worker CPU: {sum(cpu) / max(sent, 1) * 1000:.2f} ms per message sent "
              f"({', '.join(f'{c:.1f}' for c in cpu)} s, start-up included)")
        dups = sum((k - 1) * v for k, v in per.items() if k > 1)
        if last_at is None:
            print(f"stopped at the time bound: {per.get(0, 0):,} not sent yet (still queued, not lost)")
        print(f"duplicates: {dups}; losses: {per.get(0, 0) if last_at else 'n/a (stopped early)'}; "
              f"statuses: {counts}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if db is not None:
            await db.dispose()
        await tw.close()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bare-sender"]:
        asyncio.run(bare_sender(sys.argv[2], float(sys.argv[3])))
    else:
        asyncio.run(main())
