"""Abuse, measured (issue 14): what sign-in storms and non-reading sockets cost everyone else.

1. Web chat p99 while 30 console sign-ins run at once, against the quiet p99 of the same server
   in the same run (target: within 2×). Every sign-in is a real argon2id check (right password,
   so no throttle short-cuts it); the checks run in the login hash pool, not on the event loop.
2. Server memory after one client that never reads sends 60 MB of frames (pings, bad JSON,
   unknown types, binary; target: growth under 20 MiB), against the same server's idle RSS
   measured just before. A second client floods chat messages without reading: it is dropped
   once its out-queue is full; the bytes it got to send are printed.

A benchmark, not a test: it prints figures and asserts nothing. BENCH_SECONDS (default 6) sets
each chat phase's length (three quiet and two busy phases).
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from webchat_bench import ROOT, SILA, free_port, run_load, wait_healthy

sys.path.insert(0, str(ROOT))
from bot.packs import load_all
from bot.settings import load_settings
from console.auth import create_staff
from storage.db import create_database
from wiring.runtime import sync_associations

PASSWORD = "bench password, long enough"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
CHAT_CLIENTS = 20
LOGINS = 30
FLOOD_BYTES = 60 * 1024 * 1024


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def sign_in_loop(base: str, email: str, address: str, stop_at: float, done: list[int]) -> None:
    """Sign in and out again until ``stop_at``, from ``address`` (through the trusted proxy header)."""
    headers = {"X-Forwarded-For": address}
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers=headers) as s:
        while time.perf_counter() < stop_at:
            async with s.get(base + "/console/login") as r:
                m = CSRF_RE.search(await r.text())
            if m is None:
                continue  # already signed in from the last round: the page redirected
            async with s.post(base + "/console/login", allow_redirects=False,
                              data={"csrf": m.group(1), "email": email, "password": PASSWORD, "next": ""}) as r:
                await r.read()
                done[0] += r.status == 303
            s.cookie_jar.clear()


async def chat_p99_with_logins(port: int, seconds: float, rounds: int = 2) -> None:
    """Quiet and busy (30 sign-ins at once) phases in turn, starting and ending quiet: the mean
    busy p99 against the mean quiet p99, so a machine that got busier or quieter mid-run (other
    work on a shared host) shows in the quiet figures instead of passing for our own cost."""
    def line(label: str, r: dict[str, float], extra: str = "") -> None:
        print(f"web chat, {CHAT_CLIENTS} clients, {label:24s} p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
              f"{r['msgs_per_s']:5.0f} msgs/s{extra}", flush=True)

    base = f"http://127.0.0.1:{port}"
    quiet: list[float] = []
    busy: list[float] = []
    for n in range(rounds + 1):
        r = await run_load(port, "/chat/amass/ws", CHAT_CLIENTS, seconds)
        line("quiet:", r)
        quiet.append(r["p99_ms"])
        if n == rounds:
            break
        done = [0]
        stop_at = time.perf_counter() + seconds + 2.0 + 1.0
        logins = [asyncio.ensure_future(sign_in_loop(base, f"bench{i}@example.org", f"198.51.100.{i + 1}",
                                                            stop_at, done))
                  for i in range(LOGINS)]
        await asyncio.sleep(1.0)  # let the sign-in storm build up before the chat is measured
        r = await run_load(port, "/chat/amass/ws", CHAT_CLIENTS, seconds)
        await asyncio.gather(*logins)
        line(f"{LOGINS} sign-ins at once:", r, f"  ({done[0]} sign-ins done, each a full argon2id check)")
        busy.append(r["p99_ms"])
    ratio = (sum(busy) / len(busy)) / (sum(quiet) / len(quiet))
    print(f"p99 during sign-ins / quiet p99 (means over the phases): {ratio:.2f} (target <= 2)", flush=True)


def masked(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    else:
        head = bytes((0x80 | opcode, 0x80 | 126)) + struct.pack(">H", n)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + body


async def non_reader(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /chat/amass/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    return reader, writer


async def flood(port: int, frames: list[bytes], limit: int) -> tuple[int, bool]:
    """Send ``frames`` round and round until ``limit`` bytes; (bytes sent, dropped by the server)."""
    _reader, writer = await non_reader(port)
    batch = b"".join(frames) * 16
    sent = 0
    try:
        while sent < limit:
            writer.write(batch)
            await asyncio.wait_for(writer.drain(), 30)
            sent += len(batch)
    except (ConnectionError, OSError, TimeoutError):
        return sent, True
    finally:
        writer.close()
    return sent, False


async def memory_after_flood(port: int, pid: int) -> None:
    pad = "x" * 900
    noise = [
        masked(1, f'{{"type":"ping","pad":"{pad}"}}'.encode()),
        masked(1, f"not json {pad}".encode()),
        masked(1, f'{{"type":"shout","pad":"{pad}"}}'.encode()),
        masked(2, pad.encode()),
    ]
    await asyncio.sleep(1.0)
    before = rss_mib(pid)
    t0 = time.perf_counter()
    sent, dropped = await flood(port, noise, FLOOD_BYTES)
    elapsed = time.perf_counter() - t0
    await asyncio.sleep(1.0)
    after, peak = rss_mib(pid), rss_mib(pid, "VmHWM")
    print(f"server RSS, idle before the flood: {before:6.1f} MiB", flush=True)
    print(f"non-reading client sent {sent / 2**20:5.1f} MiB of pings/bad JSON/unknown/binary in {elapsed:4.1f} s"
          f"{' (then dropped)' if dropped else ''}: RSS {after:6.1f} MiB, peak {peak:6.1f} MiB, "
          f"growth {peak - before:5.1f} MiB (target < 20)", flush=True)
    messages = [masked(1, f'{{"type":"message","text":"سؤال {i} {pad[:200]}","id":"m{i}"}}'.encode())
                for i in range(8)]
    sent, dropped = await flood(port, messages, FLOOD_BYTES)
    await asyncio.sleep(1.0)
    print(f"non-reading client flooding chat messages: {'dropped' if dropped else 'NOT dropped'} after "
          f"{sent / 2**20:5.1f} MiB; RSS {rss_mib(pid):6.1f} MiB, peak {rss_mib(pid, 'VmHWM'):6.1f} MiB", flush=True)


async def add_accounts(data_dir: str) -> None:
    """One account per concurrent sign-in: each is a full argon2 check, none is throttled."""
    settings = load_settings(env={}, data_dir=data_dir)
    db = create_database(settings)
    try:
        await sync_associations(db, load_all(None))
        await asyncio.gather(*(create_staff(db, email=f"bench{i}@example.org", name="Bench", role="officer",
                                            orgs=["amass"], password=PASSWORD, known_orgs={"amass"}, actor="bench")
                               for i in range(LOGINS)))
    finally:
        await db.dispose()


async def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "6"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SILA_DATA_DIR": tmp, "SILA_SQLITE_SYNCHRONOUS": "NORMAL",
               "SILA_WS_SOCKETS_PER_ADDRESS": "1000", "SILA_DELIVERY_WORKER": "off"}
        for key in ("SILA_DATABASE_URL", "SILA_REDIS_URL"):
            env.pop(key, None)
        subprocess.run([SILA, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        await add_accounts(tmp)
        # turns: enough budget that the chat load itself is never rate limited
        port = free_port()
        # 30 people in 30 places: each sign-in client has its own address behind a trusted proxy
        busy_env = {**env, "SILA_WS_RATE_PER_10S": "100000", "SILA_TRUSTED_PROXIES": "127.0.0.1"}
        proc = subprocess.Popen([SILA, "serve", "--port", str(port)], env=busy_env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            await wait_healthy(port, proc)
            await chat_p99_with_logins(port, seconds)
        finally:
            proc.terminate()
            proc.wait(10)
        # memory: the shipped defaults (rate limits and out-queue as deployed)
        port = free_port()
        proc = subprocess.Popen([SILA, "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            await wait_healthy(port, proc)
            await memory_after_flood(port, proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
