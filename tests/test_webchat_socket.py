"""The web chat page and WebSocket, end to end through aiohttp's test server.

Covers the protocol the page relies on: welcome + history, reply frames closed by turn_end,
resuming with ``since``, de-duplicating a resend by client id, and bad input (non-JSON,
unknown types, binary, over-long text, floods) answered with a frame while the socket stays open
and nothing is stored.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app
from bot.settings import Settings
from storage.db import migrate

VISITOR = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"
Frame = dict[str, Any]


@pytest.fixture
async def client(sqlite_settings: Settings) -> AsyncIterator[TestClient]:
    await migrate(sqlite_settings)
    async with TestClient(TestServer(create_app(sqlite_settings))) as c:
        yield c


async def recv(ws: aiohttp.ClientWebSocketResponse, timeout: float = 15.0) -> Frame:
    msg = await ws.receive(timeout=timeout)
    assert msg.type == WSMsgType.TEXT, f"expected a text frame, got {msg.type}: {msg.data!r}"
    frame = json.loads(msg.data)
    assert isinstance(frame, dict)
    return frame


async def until(ws: aiohttp.ClientWebSocketResponse, done: Callable[[Frame], bool], timeout: float = 20.0) -> list[Frame]:
    """Every frame up to and including the first one for which ``done`` is true."""
    frames: list[Frame] = []
    async with asyncio.timeout(timeout):
        while True:
            frame = await recv(ws, timeout)
            frames.append(frame)
            if done(frame):
                return frames


async def open_chat(
    client: TestClient, visitor: str = VISITOR, since: int = 0, slug: str = "amass"
) -> tuple[aiohttp.ClientWebSocketResponse, Frame, Frame]:
    ws = await client.ws_connect(f"/chat/{slug}/ws", params={"visitor": visitor, "since": str(since)})
    welcome = await recv(ws)
    history = await recv(ws)
    assert welcome["type"] == "welcome", welcome
    assert history["type"] == "history", history
    return ws, welcome, history


async def say(ws: aiohttp.ClientWebSocketResponse, text: str, client_id: str) -> list[Frame]:
    """Send a message; return its frames through turn_end."""
    await ws.send_str(json.dumps({"type": "message", "text": text, "id": client_id}))
    return await until(ws, lambda f: f["type"] == "turn_end")


def seqs(frames: list[Frame]) -> list[int]:
    return [f["seq"] for f in frames if "seq" in f and f["type"] != "turn_end"]


# -- the page ------------------------------------------------------------------------------------
async def test_page_is_arabic_first_and_csp_clean(client: TestClient) -> None:
    resp = await client.get("/chat/amass")
    assert resp.status == 200
    html = await resp.text()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'data-slug="amass"' in html
    assert "جمعية أمس" in html
    assert 'maxlength="4096"' in html
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert 'src="/static/chat.js"' in html and 'href="/static/chat.css"' in html
    # The CSP forbids inline code and styles: the page must carry none.
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> would be blocked by the CSP"
    assert " style=" not in html and "<style" not in html
    for path, ctype in (("/static/chat.js", "javascript"), ("/static/chat.css", "text/css")):
        asset = await client.get(path)
        assert asset.status == 200
        assert ctype in asset.headers["Content-Type"]


async def test_unknown_slug_is_a_friendly_404(client: TestClient) -> None:
    resp = await client.get("/chat/no-such-association")
    assert resp.status == 404
    html = await resp.text()
    assert 'dir="rtl"' in html
    for slug in ("amass", "ilm-alhajj", "ratel", "rida", "taheel"):
        assert f'href="/chat/{slug}"' in html
    assert "جمعية أمس" in html and "Amass Association" in html
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await client.ws_connect("/chat/no-such-association/ws", params={"visitor": VISITOR})
    assert info.value.status == 404


# -- the conversation ----------------------------------------------------------------------------
async def test_welcome_history_reply_and_turn_end(client: TestClient) -> None:
    ws, welcome, history = await open_chat(client)
    assert welcome["visitor"] == VISITOR
    assert welcome["lang"] == "ar"
    assert welcome["max_chars"] == 4096
    assert history["messages"] == []

    frames = await say(ws, "مرحبا", "c-hello")
    kinds = [f["type"] for f in frames]
    assert kinds[0] == "message" and kinds[-1] == "turn_end"
    echo = frames[0]
    assert echo["text"] == "مرحبا" and echo["client_id"] == "c-hello" and echo["seq"] == 1
    replies = [f for f in frames if f["type"] == "reply"]
    assert replies, frames
    assert any("جمعية أمس" in r["text"] for r in replies)
    assert any(r["buttons"] for r in replies), "the greeting offers a menu"
    for r in replies:
        assert r["author"] == "bot"
        assert {"label", "value"} <= set(r["buttons"][0]) if r["buttons"] else True
    assert seqs(frames) == list(range(1, len(frames)))
    assert frames[-1]["seq"] == frames[-2]["seq"]

    # A button press is a turn too.
    button = next(r for r in replies if r["buttons"])["buttons"][0]
    await ws.send_str(json.dumps({"type": "button", "value": button["value"], "id": "c-btn"}))
    frames = await until(ws, lambda f: f["type"] == "turn_end")
    assert frames[0]["type"] == "message" and frames[0]["client_id"] == "c-btn"
    assert any(f["type"] == "reply" for f in frames)
    await ws.close()


async def test_reconnect_resumes_with_since(client: TestClient) -> None:
    ws, _, _ = await open_chat(client)
    first = await say(ws, "مرحبا", "c-1")
    second = await say(ws, "كم مدة دراسة الطلب؟", "c-2")
    await ws.close()
    all_seqs = seqs(first) + seqs(second)
    assert all_seqs == list(range(1, len(all_seqs) + 1))

    ws, welcome, history = await open_chat(client, since=0)
    got = history["messages"]
    assert [m["seq"] for m in got] == all_seqs
    assert got[0]["direction"] == "in" and got[0]["text"] == "مرحبا" and got[0].get("client_id") == "c-1"
    assert got[1]["direction"] == "out" and got[1]["author"] == "bot"
    assert any(m["text"] == "كم مدة دراسة الطلب؟" for m in got)
    await ws.close()

    cut = seqs(first)[-1]
    ws, _, history = await open_chat(client, since=cut)
    assert [m["seq"] for m in history["messages"]] == seqs(second)
    await ws.close()

    # Nothing newer than what the page shows: an empty history, and live frames carry on from there.
    ws, _, history = await open_chat(client, since=all_seqs[-1])
    assert history["messages"] == []
    frames = await say(ws, "شكرا", "c-3")
    assert seqs(frames)[0] == all_seqs[-1] + 1
    await ws.close()


async def test_resend_after_reconnect_is_deduplicated(client: TestClient) -> None:
    ws, _, _ = await open_chat(client)
    frames = await say(ws, "مرحبا", "c-once")
    await ws.close()
    ws, _, history = await open_chat(client, since=seqs(frames)[-1])
    await ws.send_str(json.dumps({"type": "message", "text": "مرحبا", "id": "c-once"}))
    dup = await until(ws, lambda f: f["type"] == "duplicate")
    assert dup[-1]["client_id"] == "c-once"
    assert all(f["type"] != "reply" for f in dup)
    await ws.close()
    ws, _, history = await open_chat(client)
    assert sum(1 for m in history["messages"] if m.get("client_id") == "c-once") == 1
    await ws.close()


async def test_two_tabs_see_the_same_conversation(client: TestClient) -> None:
    a, _, _ = await open_chat(client)
    b, _, _ = await open_chat(client)
    frames_a = await say(a, "مرحبا", "c-tab")
    frames_b = await until(b, lambda f: f["type"] == "turn_end")
    assert seqs(frames_a) == seqs(frames_b)
    assert frames_b[0]["type"] == "message" and frames_b[0]["client_id"] == "c-tab"
    await a.close()
    await b.close()


# -- bad input never drops the socket ------------------------------------------------------------
async def test_bad_frames_get_errors_and_the_socket_stays_usable(client: TestClient) -> None:
    ws, _, _ = await open_chat(client)

    await ws.send_str("this is not json {")
    frame = await recv(ws)
    assert frame["type"] == "error" and frame["code"] == "bad_json" and frame["text"]

    frames = await say(ws, "مرحبا", "c-after-bad-json")
    assert any(f["type"] == "reply" for f in frames)

    await ws.send_str(json.dumps({"type": "shout", "text": "hi"}))
    frame = await recv(ws)
    assert frame["type"] == "error" and frame["code"] == "unknown_type"

    await ws.send_bytes(b"\x00\x01binary")
    frame = await recv(ws)
    assert frame["type"] == "error" and frame["code"] == "binary_not_supported"

    await ws.send_str(json.dumps({"type": "message", "text": "أ" * 4097, "id": "c-long"}))
    frame = await recv(ws)
    assert frame["type"] == "error" and frame["code"] == "too_long"
    assert "4096" in frame["text"]

    await ws.send_str(json.dumps({"type": "message", "text": 42, "id": "c-num"}))
    frame = await recv(ws)
    assert frame["type"] == "error" and frame["code"] == "bad_frame"

    await ws.send_str(json.dumps(["a", "list"]))
    frame = await recv(ws)
    assert frame["type"] == "error" and frame["code"] == "bad_frame"

    await ws.send_str(json.dumps({"type": "ping"}))
    assert (await recv(ws))["type"] == "pong"

    frames = await say(ws, "شكرا", "c-still-works")
    assert any(f["type"] == "reply" for f in frames)
    assert not ws.closed
    await ws.close()

    ws, _, history = await open_chat(client)
    inbound = [m["text"] for m in history["messages"] if m["direction"] == "in"]
    assert inbound == ["مرحبا", "شكرا"], "rejected frames must not be stored"
    await ws.close()


async def test_exactly_the_limit_is_accepted(client: TestClient) -> None:
    ws, _, _ = await open_chat(client)
    frames = await say(ws, "أ" * 4096, "c-max")
    assert frames[0]["type"] == "message" and len(frames[0]["text"]) == 4096
    await ws.close()


async def test_flood_is_rate_limited_not_disconnected(client: TestClient) -> None:
    ws, _, _ = await open_chat(client, visitor=OTHER)
    for i in range(100):
        await ws.send_str(json.dumps({"type": "message", "text": f"رسالة {i}", "id": f"flood-{i}"}))
    limited: list[Frame] = []
    echoed: set[str] = set()
    async with asyncio.timeout(60):
        while len(limited) + len(echoed) < 100:
            frame = await recv(ws, 30)
            if frame["type"] == "rate_limited":
                limited.append(frame)
            elif frame["type"] == "message":
                echoed.add(frame["client_id"])
    assert limited, "a flood of 100 frames must hit the rate limit"
    assert all(f["retry_after"] >= 1 and f["text"] for f in limited)
    assert not ws.closed
    await ws.send_str(json.dumps({"type": "ping"}))
    frames = await until(ws, lambda f: f["type"] == "pong")
    assert frames[-1]["type"] == "pong"
    await ws.close()

    ws, _, history = await open_chat(client, visitor=OTHER)
    stored = {m.get("client_id") for m in history["messages"] if m["direction"] == "in"}
    assert stored <= echoed, "rate-limited frames are not stored"
    if len(history["messages"]) < 200:  # the history frame holds the newest 200 at most
        assert stored == echoed
    await ws.close()


async def test_one_write_turn_frames_parse_as_separate_text_frames() -> None:
    """The hand-built frames of a turn's single write, at every RFC 6455 length encoding, read
    back by aiohttp's own client parser as separate, intact text frames."""
    from aiohttp import web

    from channels.webchat import encode_frame, websocket_text_frame

    payloads: list[Frame] = [
        {"type": "message", "text": "سلام"},                      # 7-bit length
        {"type": "reply", "text": "ب" * 200},                      # 16-bit length
        {"type": "reply", "text": "x" * 70_000},                   # 64-bit length
        {"type": "turn_end", "seq": 3},
    ]

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        transport = request.transport
        assert transport is not None
        transport.write(b"".join(websocket_text_frame(encode_frame(p)) for p in payloads))
        await ws.receive()  # until the client closes
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    async with TestClient(TestServer(app)) as c:
        ws = await c.ws_connect("/ws")
        got = [await recv(ws) for _ in payloads]
        await ws.close()
    assert got == payloads


async def press(ws: aiohttp.ClientWebSocketResponse, value: str, client_id: str) -> list[Frame]:
    """Press a button; return its frames through turn_end (or the error frame that refuses it)."""
    await ws.send_str(json.dumps({"type": "button", "value": value, "id": client_id}))
    return await until(ws, lambda f: f["type"] in {"turn_end", "error"})


async def test_a_stale_button_is_not_taken_as_the_fields_answer(client: TestClient) -> None:
    """The main menu's "volunteer" pressed at the name question is refused, not stored as the name."""
    ws, _, _ = await open_chat(client)
    await say(ws, "السلام عليكم", "c-hi")
    frames = await press(ws, "flow:support_request", "c-flow")
    asking = [f for f in frames if f["type"] == "reply" and f.get("expect")]
    assert asking, frames
    field = asking[-1]["expect"]["field"]

    refused = await press(ws, "flow:volunteer", "c-stale")
    assert refused[-1]["type"] == "error" and refused[-1]["code"] == "stale_button", refused
    assert refused[-1]["client_id"] == "c-stale"
    assert "سؤال" in refused[-1]["text"]
    # nothing was stored: a reconnect shows no echo of the stale press, and the field still waits
    ws2, _, history = await open_chat(client)
    assert all(m.get("button") != "flow:volunteer" for m in history["messages"])
    last_out = [m for m in history["messages"] if m["direction"] == "out"][-1]
    assert last_out["expect"]["field"] == field
    # the language switch and the buttons of the question itself still work
    frames = await press(ws2, "lang:en", "c-lang")
    assert frames[-1]["type"] == "turn_end"
    await ws.close()
    await ws2.close()


PNG_HEAD = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_uploads_are_checked_and_belong_to_their_visitor(client: TestClient) -> None:
    """Type from the bytes, size cap, a visitor id required, and nobody else can send your file."""
    url = "/chat/amass/upload"
    resp = await client.post(url, params={"visitor": "nope"}, data=PNG_HEAD)
    assert resp.status == 400
    resp = await client.post(url, params={"visitor": VISITOR}, data=b"MZ\x90\x00 not an image",
                             headers={"Content-Type": "image/png", "X-Filename": "photo.png"})
    assert resp.status == 415 and "نوع الملف غير مقبول" in (await resp.json())["text"]
    big = PNG_HEAD + b"\x00" * (5 * 1024 * 1024)
    resp = await client.post(url, params={"visitor": VISITOR, "lang": "en"}, data=big)
    assert resp.status == 413 and "MB" in (await resp.json())["text"]
    resp = await client.post(url, params={"visitor": VISITOR}, data=PNG_HEAD,
                             headers={"X-Filename": "%D8%B5%D9%88%D8%B1%D8%A9.png"})
    assert resp.status == 200
    saved = await resp.json()
    assert saved["content_type"] == "image/png" and saved["filename"] == "صورة.png"

    # another visitor naming that upload gets an error, and nothing is stored
    ws, _, _ = await open_chat(client, visitor=OTHER)
    await ws.send_str(json.dumps({"type": "message", "text": "", "attachments": [saved["id"]], "id": "c-steal"}))
    frame = await recv(ws)
    assert frame["type"] == "error" and frame["code"] == "bad_frame"
    # its owner sends it: the echo lists the file by name, never by reference
    ws2, _, _ = await open_chat(client)
    await ws2.send_str(json.dumps({"type": "message", "text": "", "attachments": [saved["id"]], "id": "c-mine"}))
    frames = await until(ws2, lambda f: f["type"] == "turn_end")
    echo = next(f for f in frames if f["type"] == "message")
    assert echo["attachments"] == [{"filename": "صورة.png", "content_type": "image/png", "size": len(PNG_HEAD)}]
    assert "webchat:" not in json.dumps(frames)
    await ws.close()
    await ws2.close()
