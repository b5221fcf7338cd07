"""Redis lost while several workers run: refuse rather than risk disorder, then recover alone.

Uses a private redis-server on its own port (the shared one serves other tests).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess

import aiohttp

from tests.servers import SILA, free_port, serve
from tests.services import private_redis, start_redis


async def ask(ws: aiohttp.ClientWebSocketResponse, text: str) -> list[dict]:
    cid = secrets.token_hex(6)
    await ws.send_str(json.dumps({"type": "message", "text": text, "id": cid}))
    frames: list[dict] = []
    async with asyncio.timeout(30):
        while True:
            data = json.loads((await ws.receive()).data)
            frames.append(data)
            if data["type"] == "error" and data.get("client_id") == cid:
                return frames
            if data["type"] == "turn_end":
                return frames


async def test_workers_refuse_while_redis_is_down_and_recover(pg_url: str, tmp_path) -> None:
    port = free_port()
    redis = private_redis(port, str(tmp_path))
    env = {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": f"redis://127.0.0.1:{port}/0",
           "SILA_DATA_DIR": str(tmp_path), "SILA_DATA_KEY": "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI="}
    subprocess.run([SILA, "migrate"], env={**os.environ, **env}, check=True, capture_output=True)
    visitor = secrets.token_hex(16)
    try:
        with serve(env) as (http_port, _proc):
            async with aiohttp.ClientSession() as session:
                ws = await session.ws_connect(f"http://127.0.0.1:{http_port}/chat/amass/ws?visitor={visitor}")
                ok = await ask(ws, "السلام عليكم")
                assert any(f["type"] == "reply" for f in ok)

                redis.kill()
                redis.wait(10)
                down = await ask(ws, "كم مدة دراسة الطلب")
                assert [f["code"] for f in down if f["type"] == "error"] == ["unavailable"]
                assert not any(f["type"] == "reply" for f in down)

                redis = start_redis(port, str(tmp_path))
                for _ in range(50):  # the worker reconnects by itself
                    back = await ask(ws, "كم مدة دراسة الطلب")
                    if any(f["type"] == "reply" for f in back):
                        break
                    await asyncio.sleep(0.2)
                else:
                    raise AssertionError("worker did not recover after Redis returned")
                await ws.close()
                # nothing half-stored while Redis was down: one question asked twice, answered once each time
                ws = await session.ws_connect(f"http://127.0.0.1:{http_port}/chat/amass/ws?visitor={visitor}")
                history = []
                async with asyncio.timeout(10):
                    while not history:
                        data = json.loads((await ws.receive()).data)
                        if data["type"] == "history":
                            history = data["messages"]
                await ws.close()
        inbound = [m["text"] for m in history if m["direction"] == "in"]
        assert inbound == ["السلام عليكم", "كم مدة دراسة الطلب"]
    finally:
        redis.kill()
        redis.wait(10)


async def _talk(url: str, visitor: str, stop: asyncio.Event, log: dict[str, list[str]]) -> None:
    """One person asking question after question until ``stop``; every turn ends in a
    ``turn_end`` (answered, its client id noted) or an error frame (refused) — or it stalls."""
    questions = ["كم مدة دراسة الطلب", "what documents do I need", "السلام عليكم"]
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}?visitor={visitor}") as ws:
        n = 0
        while not stop.is_set():
            cid = f"c{n}"
            await ws.send_str(json.dumps({"type": "message", "text": questions[n % 3], "id": cid}))
            n += 1
            try:
                async with asyncio.timeout(25):  # beyond the 20 s a worker waits for a busy lock
                    while True:
                        data = json.loads((await ws.receive()).data)
                        if data["type"] == "error" and data.get("client_id") == cid:
                            log["refused"].append(cid)
                            await asyncio.sleep(0.05)
                            break
                        if data["type"] == "turn_end":
                            log["answered"].append(cid)
                            break
            except TimeoutError:
                log["stalled"].append(cid)
                return


async def _stored_client_ids(pg_url: str, visitors: list[str]) -> dict[str, list[str]]:
    """Each visitor's inbound messages as the database holds them (their client ids)."""
    import asyncpg

    conn = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch(
            "SELECT c.address, m.payload::json->>'client_id' AS cid FROM messages m"
            " JOIN conversations c ON c.id = m.conversation_id"
            " WHERE m.direction = 'in' AND c.address = ANY($1::text[])", visitors)
    finally:
        await conn.close()
    out: dict[str, list[str]] = {v: [] for v in visitors}
    for row in rows:
        out[row["address"]].append(row["cid"])
    return out


async def test_no_reply_is_lost_when_redis_dies_and_returns_under_load(pg_url: str, tmp_path) -> None:
    """Two workers, conversations spread over both, Redis killed mid-load and restarted: every
    turn ends (answered or refused, none waits forever), and every turn the database holds was
    answered on its live socket — a commit whose publish failed still reaches the person.

    A conversation already on a worker keeps its lease there (kept leases) and may not notice a
    short outage at all; people who start writing while Redis is down need a lease from it, so
    they are the ones refused ("busy, try again") until it is back."""
    port = free_port()
    redis = private_redis(port, str(tmp_path))
    env = {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": f"redis://127.0.0.1:{port}/0",
           "SILA_DATA_DIR": str(tmp_path), "SILA_DATA_KEY": "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI=",
           "SILA_WS_RATE_PER_10S": "100000", "SILA_WS_SOCKETS_PER_ADDRESS": "1000"}
    subprocess.run([SILA, "migrate"], env={**os.environ, **env}, check=True, capture_output=True)
    early = [secrets.token_hex(16) for _ in range(16)]
    latecomers = [secrets.token_hex(16) for _ in range(4)]
    visitors = early + latecomers
    log: dict[str, dict[str, list[str]]] = {v: {"answered": [], "refused": [], "stalled": []} for v in visitors}
    try:
        with serve(env) as (port_a, _a), serve(env) as (port_b, _b):
            urls = [f"http://127.0.0.1:{p}/chat/amass/ws" for p in (port_a, port_b)]
            stop = asyncio.Event()
            talkers = [asyncio.create_task(_talk(urls[i % 2], v, stop, log[v])) for i, v in enumerate(early)]
            await asyncio.sleep(1.5)
            redis.kill()
            redis.wait(10)
            talkers += [asyncio.create_task(_talk(urls[i % 2], v, stop, log[v])) for i, v in enumerate(latecomers)]
            await asyncio.sleep(1.0)
            redis = start_redis(port, str(tmp_path))
            answered_before = sum(len(v["answered"]) for v in log.values())
            await asyncio.sleep(2.5)
            stop.set()
            await asyncio.gather(*talkers)
        stored = await _stored_client_ids(pg_url, visitors)
    finally:
        redis.kill()
        redis.wait(10)
    assert [cid for v in log.values() for cid in v["stalled"]] == []
    assert sum(len(log[v]["refused"]) for v in latecomers) > 0, "the outage was felt (else the test proves nothing)"
    assert all(log[v]["answered"] for v in latecomers), "newcomers are answered once Redis is back"
    assert sum(len(v["answered"]) for v in log.values()) > answered_before, "workers recovered"
    for v in visitors:
        assert sorted(stored[v]) == sorted(log[v]["answered"]), f"stored turns of {v} all answered live"


async def test_readyz_says_503_while_redis_is_down(pg_url: str, tmp_path) -> None:
    port = free_port()
    redis = private_redis(port, str(tmp_path))
    env = {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": f"redis://127.0.0.1:{port}/0",
           "SILA_DATA_DIR": str(tmp_path), "SILA_DATA_KEY": "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI="}
    subprocess.run([SILA, "migrate"], env={**os.environ, **env}, check=True, capture_output=True)
    try:
        with serve(env) as (http_port, _proc):
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{http_port}/readyz"
                async with session.get(url) as r:
                    assert r.status == 200
                    assert (await r.json())["checks"] == {"database": True, "redis": True, "faq_indexes": True}
                redis.kill()
                redis.wait(10)
                async with session.get(url) as r:
                    assert r.status == 503
                    assert (await r.json())["checks"]["redis"] is False
                async with session.get(f"http://127.0.0.1:{http_port}/healthz") as r:
                    assert r.status == 200, "alive, only not ready"
    finally:
        redis.kill()
        redis.wait(10)
