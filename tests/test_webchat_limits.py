"""The web chat socket under abuse (issue 14, findings 5 and 6), against a real aiohttp server.

* A client that floods and never reads is disconnected once its bounded out-queue is full, with a
  log line, and the server lets go of it (its socket count returns to zero).
* Every frame is counted before it is answered: a flood of pings gets ``rate_limit`` answers at
  most, then one notice, then silence.
* At most ``SILA_WS_SOCKETS_PER_ADDRESS`` sockets per client address; the next is refused (429).
* The Origin allow-list: a foreign page is refused with 403; our own page, an association's
  ``widget_origins`` and ``SILA_WIDGET_ORIGINS`` are accepted.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import json
import logging
import os
import socket
import struct
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app
from bot.settings import Settings
from channels.webchat_guard import SOCKETS
from wiring.runtime import RUNTIME

VISITOR = "0123456789abcdef0123456789abcdef"


@dataclasses.dataclass
class Served:
    client: TestClient
    port: int


@contextlib.asynccontextmanager
async def _serve(settings: Settings) -> AsyncIterator[Served]:
    async with TestClient(TestServer(create_app(settings))) as client:
        assert client.port is not None
        yield Served(client, client.port)


def masked_text_frame(payload: bytes) -> bytes:
    """One client → server text frame (clients must mask, RFC 6455 section 5.3)."""
    mask = os.urandom(4)
    n = len(payload)
    header = bytes((0x81, 0x80 | n)) if n < 126 else bytes((0x81, 0x80 | 126)) + struct.pack(">H", n)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def raw_socket(port: int, origin: str | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A WebSocket opened by hand, on a socket with a tiny receive buffer, whose reader we never read
    past the handshake: a client that does not read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Origin: {origin}\r\n" if origin else ""
    writer.write((f"GET /chat/amass/ws?visitor={VISITOR} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  f"Sec-WebSocket-Version: 13\r\n{extra}\r\n").encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


@pytest.fixture
async def flood_server(sqlite_settings: Settings) -> AsyncIterator[Served]:
    # a budget so large the flood is answered frame by frame: the out-queue is what must hold
    settings = dataclasses.replace(sqlite_settings, ws_rate_per_10s=10_000_000, ws_out_queue=32)
    async with _serve(settings) as served:
        yield served


async def test_a_client_that_does_not_read_is_disconnected(flood_server: Served,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="sila.webchat")
    _reader, writer = await raw_socket(flood_server.port)
    ping = masked_text_frame(b'{"type":"ping"}')
    batch = ping * 2000
    sent = 0
    dropped = False
    async with asyncio.timeout(120):
        while sent < 16 * 1024 * 1024:
            try:
                writer.write(batch)
                await writer.drain()
            except (ConnectionError, OSError):
                dropped = True
                break
            sent += len(batch)
            await asyncio.sleep(0)
    assert dropped, f"the server kept a non-reading client after {sent} bytes of pings"
    assert any("not reading" in r.getMessage() for r in caplog.records)
    app = flood_server.client.server.app
    async with asyncio.timeout(10):
        while app[SOCKETS].open:
            await asyncio.sleep(0.05)
    writer.close()


async def test_every_frame_is_counted_before_it_is_answered(sqlite_settings: Settings) -> None:
    settings = dataclasses.replace(sqlite_settings, ws_rate_per_10s=5)
    async with _serve(settings) as served:
        ws = await served.client.ws_connect("/chat/amass/ws", params={"visitor": VISITOR})
        assert json.loads((await ws.receive()).data)["type"] == "welcome"
        assert json.loads((await ws.receive()).data)["type"] == "history"
        for i in range(60):  # pings, bad JSON, unknown types and binary, all from one budget
            kind = i % 4
            if kind == 0:
                await ws.send_str('{"type":"ping"}')
            elif kind == 1:
                await ws.send_str("not json {")
            elif kind == 2:
                await ws.send_str('{"type":"shout"}')
            else:
                await ws.send_bytes(b"\x00\x01")
        await ws.send_str(json.dumps({"type": "message", "text": "مرحبا", "id": "after-flood"}))
        frames: list[dict[str, Any]] = []
        async with asyncio.timeout(30):
            while not frames or frames[-1]["type"] != "turn_end":
                msg = await ws.receive()
                assert msg.type == WSMsgType.TEXT
                frames.append(json.loads(msg.data))
        answers = [f for f in frames if f["type"] in {"pong", "error"}]
        notices = [f for f in frames if f["type"] == "rate_limited"]
        assert len(answers) <= 6  # the budget (5) and at most one token refilled meanwhile
        assert len(notices) == 1 and notices[0]["retry_after"] >= 1
        # the turn has a budget of its own: the person's message still went through
        assert any(f["type"] == "reply" for f in frames)
        await ws.close()


async def test_an_oversized_frame_gets_an_error_and_the_socket_stays(sqlite_settings: Settings) -> None:
    async with _serve(sqlite_settings) as served:
        ws = await served.client.ws_connect("/chat/amass/ws", params={"visitor": VISITOR})
        assert json.loads((await ws.receive()).data)["type"] == "welcome"
        assert json.loads((await ws.receive()).data)["type"] == "history"
        await ws.send_str(json.dumps({"type": "message", "text": "أ" * 200_000, "id": "big"}))
        frame = json.loads((await ws.receive(timeout=15)).data)
        assert frame["type"] == "error" and frame["code"] == "too_long"
        await ws.send_str('{"type":"ping"}')
        assert json.loads((await ws.receive(timeout=15)).data)["type"] == "pong"
        await ws.close()


async def test_sockets_per_address_are_capped(sqlite_settings: Settings) -> None:
    settings = dataclasses.replace(sqlite_settings, ws_sockets_per_address=3)
    async with _serve(settings) as served:
        open_ = [await served.client.ws_connect("/chat/amass/ws") for _ in range(3)]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await served.client.ws_connect("/chat/amass/ws")
        assert refused.value.status == 429
        await open_[0].close()
        async with asyncio.timeout(10):
            while served.client.server.app[SOCKETS].open.get("127.0.0.1", 0) > 2:
                await asyncio.sleep(0.05)
        again = await served.client.ws_connect("/chat/amass/ws")  # a closed tab gives its place back
        for ws in [*open_[1:], again]:
            await ws.close()


async def test_origin_allow_list(sqlite_settings: Settings) -> None:
    settings = dataclasses.replace(sqlite_settings, widget_origins="https://partner.example.org")
    async with _serve(settings) as served:
        c = served.client
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await c.ws_connect("/chat/amass/ws", headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await c.ws_connect("/chat/amass/ws", headers={"Origin": "null"})
        own = await c.ws_connect("/chat/amass/ws", headers={"Origin": f"http://127.0.0.1:{served.port}"})
        partner = await c.ws_connect("/chat/amass/ws", headers={"Origin": "https://Partner.example.org"})
        for ws in (own, partner):
            assert json.loads((await ws.receive()).data)["type"] == "welcome"
            await ws.close()
        # an association's own widget sites: only for that association
        runtime = c.server.app[RUNTIME]
        amass = runtime.packs["amass"]
        contact = amass.pack.contact.model_copy(update={"widget_origins": ["https://amass.example.sa"]})
        runtime.packs["amass"] = amass.model_copy(update={"pack": amass.pack.model_copy(update={"contact": contact})})
        ws = await c.ws_connect("/chat/amass/ws", headers={"Origin": "https://amass.example.sa"})
        await ws.close()
        with pytest.raises(aiohttp.WSServerHandshakeError) as other:
            await c.ws_connect("/chat/taheel/ws", headers={"Origin": "https://amass.example.sa"})
        assert other.value.status == 403
