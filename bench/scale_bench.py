"""The scale-out path under web chat load, same run: PostgreSQL alone vs PostgreSQL + Redis,
one worker and two.

Setups (each at 50 and 200 conversations, each run on a fresh PostgreSQL database of its own
and its own Redis key prefix, deleted afterwards):
  1. one worker, PostgreSQL, no Redis                      (the baseline)
  2. one worker, PostgreSQL + Redis
  3. two workers, PostgreSQL + Redis (clients connect to each worker's port in turn)
Prints msgs/s, p50/p99, the workers' CPU milliseconds per answered turn (the figure least tied
to how busy the machine is), errors, stalled turns (a reply that never reached its socket) and
turns ended out of turns sent; then, over the rounds, each figure as a low–high range and the
ratios the scale-out path is judged by, (2)/(1) and (3)/(2), each taken within its round.
Each round also runs setup 3 with BENCH_SCALE_BIG (1,000) conversations: does every turn end?
"machine busy" is the share of all cores in use during the measured window (the load generator,
PostgreSQL, Redis and anything else on the machine): two workers can only beat one while the
machine has a core to spare.
A benchmark, not a test: it asserts nothing.

    BENCH_SECONDS=8 .venv/bin/python bench/scale_bench.py        # BENCH_ROUNDS=3 by default
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


def span(values: list[float], fmt: str) -> str:
    """``low–high`` over the rounds (one figure when they agree or there is one round)."""
    lo, hi = min(values), max(values)
    return format(lo, fmt) if format(lo, fmt) == format(hi, fmt) else f"{format(lo, fmt)}–{format(hi, fmt)}"


def row(name: str, clients: int, r: dict[str, float]) -> str:
    return (f"{name:30s} {clients:5d} conv: {r['msgs_per_s']:7.0f} msgs/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  CPU {r['cpu_ms_per_turn']:5.2f} ms/turn  errors {r['errors']:.0f}  "
            f"stalled {r['stalled']:.0f}  turns ended {r['ended']:.0f}/{r['sent']:.0f}  "
            f"peak RSS {r['peak_rss_mb']:4.0f} MB  machine busy {100 * r['machine_busy']:3.0f}%")


async def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    counts = [int(c) for c in os.environ.get("BENCH_SCALE_CLIENTS", "50,200").split(",") if c]
    # BENCH_SCALE_SETUPS=3: only the two-worker setup
    chosen = [SETUPS[int(i) - 1] for i in os.environ.get("BENCH_SCALE_SETUPS", "1,2,3").split(",")]
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    # the many-conversations row: two workers on PostgreSQL + Redis, does every turn end? (0: skip)
    big = int(os.environ.get("BENCH_SCALE_BIG", "1000"))
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(rounds):
            print(f"-- round {rnd + 1} of {rounds}", flush=True)
            for clients in counts:
                # the setups interleaved, and their order turned each round: the machine's load
                # drifts, and no setup should always run first (or last) in it
                order = chosen[rnd % len(chosen):] + chosen[:rnd % len(chosen)]
                for name, with_redis, workers in order:
                    r = await one_run(tmp, with_redis, workers, clients, seconds)
                    results.setdefault((name, clients), []).append(r)
                    print(row(name, clients, r), flush=True)
            if big:
                name, with_redis, workers = SETUPS[2]
                r = await one_run(tmp, with_redis, workers, big, seconds)
                results.setdefault((name, big), []).append(r)
                print(row(name, big, r), flush=True)
    print(f"-- over {rounds} round(s), low–high (BENCH_SECONDS={seconds:g})")
    for (name, clients), rs in results.items():
        print(f"{name:30s} {clients:5d} conv: {span([r['msgs_per_s'] for r in rs], '.0f')} msgs/s  "
              f"p99 {span([r['p99_ms'] for r in rs], '.0f')} ms  "
              f"CPU {span([r['cpu_ms_per_turn'] for r in rs], '.2f')} ms/turn  "
              f"machine busy {span([100 * r['machine_busy'] for r in rs], '.0f')}%  "
              f"turns ended {sum(r['ended'] for r in rs):.0f}/{sum(r['sent'] for r in rs):.0f}  "
              f"stalled {sum(r['stalled'] for r in rs):.0f}  errors {sum(r['errors'] for r in rs):.0f}  "
              f"refused sockets {sum(r['refused'] for r in rs):.0f}")
    if len(chosen) != len(SETUPS):
        return
    pg, one, two = (s[0] for s in SETUPS)
    for clients in counts:
        # each ratio within its own round (same minutes of the machine), then the range
        def ratio(a: str, b: str, figure: str, n: int = clients) -> list[float]:
            return [x[figure] / y[figure] for x, y in zip(results[a, n], results[b, n], strict=True)]

        redis_vs_pg, two_vs_one = ratio(one, pg, "msgs_per_s"), ratio(two, one, "msgs_per_s")
        cpu = ratio(one, pg, "cpu_ms_per_turn")
        print(f"at {clients} conversations: Redis 1 worker / PostgreSQL alone = {span(redis_vs_pg, '.2f')} "
              f"(target ≥ 0.80);  2 workers / 1 worker (Redis) = {span(two_vs_one, '.2f')} (target > 1);  "
              f"CPU per turn, Redis / PostgreSQL alone = {span(cpu, '.2f')}")


if __name__ == "__main__":
    asyncio.run(main())
