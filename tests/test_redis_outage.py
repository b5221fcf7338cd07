"""Redis lost while several workers run: refuse rather than risk disorder, then recover alone.

Uses a private redis-server on its own port (the shared one serves other tests).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess

import aiohttp
import pytest

from tests.servers import SILA, free_port, serve
from tests.services import REQUIRED, start_redis


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
    if shutil.which("redis-server") is None:
        if REQUIRED:
            pytest.fail("redis-server binary needed for the outage test", pytrace=False)
        pytest.skip("redis-server binary not installed")
    port = free_port()
    redis = start_redis(port, str(tmp_path))
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
