"""The scale-out path under web chat load, same run: PostgreSQL alone vs PostgreSQL + Redis,
one worker and two.

Setups (each at 50 and 200 conversations, each run on a fresh PostgreSQL database of its own
and its own Redis key prefix, deleted afterwards):
  1. one worker, PostgreSQL, no Redis                      (the baseline)
  2. one worker, PostgreSQL + Redis
  3. two workers, PostgreSQL + Redis (clients connect to each worker's port in turn)
Prints msgs/s, p50/p99, the workers' CPU milliseconds per answered turn (the figure least tied
to how busy the machine is), errors and stalled turns (a reply that never reached its socket),
then the ratios the scale-out path is judged by: (2)/(1) and (3)/(2).
A benchmark, not a test: it asserts nothing.

    BENCH_SECONDS=8 .venv/bin/python bench/scale_bench.py
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from webchat_bench import SILA, free_port, peak_rss_mb, run_load, start, stop, wait_healthy  # noqa: E402

PG_ADMIN = os.environ.get("SILA_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("SILA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DATA_KEY = "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI="
SETUPS = [("PostgreSQL, 1 worker", False, 1), ("PostgreSQL + Redis, 1 worker", True, 1),
          ("PostgreSQL + Redis, 2 workers", True, 2)]


async def pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def drop_redis_prefix(prefix: str) -> None:
    """Delete only the keys this run created (its own prefix); the server is shared."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS)
    try:
        batch: list[bytes] = []
        async for key in client.scan_iter(match=f"{prefix}*", count=1000):
            batch.append(key)
            if len(batch) >= 500:
                await client.delete(*batch)
                batch.clear()
        if batch:
            await client.delete(*batch)
    finally:
        await client.aclose()


async def one_run(tmp: str, with_redis: bool, workers: int, clients: int, seconds: float) -> dict[str, float]:
    name = f"sila_scale_{uuid.uuid4().hex[:8]}"
    prefix = f"silabench{secrets.token_hex(4)}:"
    await pg_admin(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rpartition("/")[0]
    env = {**os.environ, "SILA_DATABASE_URL": f"{base}/{name}", "SILA_DATA_KEY": DATA_KEY,
           "SILA_DATA_DIR": tmp, "SILA_WS_RATE_PER_10S": "100000", "SILA_WS_SOCKETS_PER_ADDRESS": "100000",
           "SILA_LOG_LEVEL": "WARNING"}
    env.pop("SILA_REDIS_URL", None)
    if with_redis:
        env.update(SILA_REDIS_URL=REDIS, SILA_REDIS_PREFIX=prefix)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run([SILA, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ports = [free_port() for _ in range(workers)]
        for i, port in enumerate(ports):
            procs.append(start([SILA, "serve", "--port", str(port)], env, str(Path(tmp) / f"{name}-{i}.log")))
        for port, proc in zip(ports, procs, strict=True):
            await wait_healthy(port, proc)
        r = await run_load(ports, "/chat/amass/ws", clients, seconds, pids=[p.pid for p in procs])
        r["peak_rss_mb"] = max(peak_rss_mb(p.pid) for p in procs)
        return r
    finally:
        for proc in procs:
            stop(proc)
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if with_redis:
            await drop_redis_prefix(prefix)


async def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    counts = [int(c) for c in os.environ.get("BENCH_SCALE_CLIENTS", "50,200").split(",")]
    # BENCH_SCALE_SETUPS=3: only the two-worker setup (e.g. 1,000 conversations: every turn ends?)
    chosen = [SETUPS[int(i) - 1] for i in os.environ.get("BENCH_SCALE_SETUPS", "1,2,3").split(",")]
    results: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for clients in counts:
            for name, with_redis, workers in chosen:
                r = await one_run(tmp, with_redis, workers, clients, seconds)
                results[name, clients] = r
                print(f"{name:30s} {clients:4d} conv: {r['msgs_per_s']:7.0f} msgs/s  p50 {r['p50_ms']:6.1f} ms  "
                      f"p99 {r['p99_ms']:6.1f} ms  CPU {r['cpu_ms_per_turn']:5.2f} ms/turn  "
                      f"errors {r['errors']:.0f}  stalled {r['stalled']:.0f}  peak RSS {r['peak_rss_mb']:5.0f} MB",
                      flush=True)
    pg, one, two = (s[0] for s in SETUPS)
    for clients in counts if len(chosen) == len(SETUPS) else ():
        print(f"at {clients} conversations: Redis 1 worker / PostgreSQL alone = "
              f"{results[one, clients]['msgs_per_s'] / results[pg, clients]['msgs_per_s']:.2f} (target ≥ 0.80);  "
              f"2 workers / 1 worker (Redis) = "
              f"{results[two, clients]['msgs_per_s'] / results[one, clients]['msgs_per_s']:.2f} (target > 1)")


if __name__ == "__main__":
    asyncio.run(main())
