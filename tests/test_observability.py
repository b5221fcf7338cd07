"""/metrics, /readyz and the JSON log format, on a real `sila serve`."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sys
import urllib.request

import aiohttp

from app.logs import JsonFormatter
from tests.servers import serve


def scrape(port: int) -> dict[str, float]:
    """The exposition as {'name{labels}': value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        assert r.headers["Content-Type"].startswith("text/plain")
        text = r.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


async def ask(ws: aiohttp.ClientWebSocketResponse, text: str) -> None:
    await ws.send_str(json.dumps({"type": "message", "text": text}))
    async with asyncio.timeout(20):
        while json.loads((await ws.receive()).data)["type"] != "turn_end":
            pass


async def test_metrics_move_with_turns(tmp_path) -> None:
    with serve({"SILA_DATA_DIR": str(tmp_path)}) as (port, _proc):
        before = scrape(port)
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/chat/amass/ws?visitor={secrets.token_hex(16)}")
            for text in ("كم مدة دراسة الطلب", "what documents do I need", "السلام عليكم"):
                await ask(ws, text)
            during = scrape(port)
            await ws.close()
    turns = 'sila_turn_seconds_count{channel="webchat"}'
    assert during[turns] - before.get(turns, 0.0) == 3
    decisions = {k: v for k, v in during.items() if k.startswith("sila_faq_decisions_total{")}
    assert sum(decisions.values()) - sum(v for k, v in before.items() if k in decisions) >= 2
    assert during['sila_open_sockets{kind="webchat"}'] == 1
    assert during["sila_outbox_depth"] == 0 and "sila_outbox_oldest_age_seconds" in during
    assert "sila_database_errors_total" in during
    assert during["process_resident_memory_bytes"] > 0


def test_readyz_on_a_single_worker(tmp_path) -> None:
    with serve({"SILA_DATA_DIR": str(tmp_path)}) as (port, _proc):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
            body = json.loads(r.read())
    assert body == {"ok": True, "checks": {"database": True, "faq_indexes": True}}


def test_json_logs_carry_no_exception_text() -> None:
    try:
        raise ValueError("national id 1012345678 rejected")
    except ValueError:
        record = logging.LogRecord("sila.test", logging.ERROR, __file__, 1, "turn failed on %s", ("amass",),
                                   sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "turn failed on amass" and line["level"] == "ERROR" and line["exc_type"] == "ValueError"
    assert "1012345678" not in json.dumps(line)
