"""The web chat channel: an Arabic-first page and its WebSocket.

Delivery model: the web chat is a *pull* channel. Every stored message has a per-conversation
``seq``; a socket sends the browser whatever it has not seen, whether it arrives live on the
event bus or is read back from the transcript on (re)connect with ``?since=SEQ``. So a reply
committed just before a crash is delivered after restart exactly once, and two tabs (or two
workers) see the same conversation in the same order.

Bad input never drops the socket: non-JSON, unknown frame types, binary frames, texts over the
limit and floods each get an error or rate-limit frame, and nothing is half-stored. Every frame
is counted by a rate limit *before* it is answered (messages and buttons by the turn budget, all
else — pings, bad JSON, unknown types, binary — by a budget of its own, past which it gets one
``rate_limited`` notice and then silence). What one socket may hold for its client is bounded too:
a client that stops reading fills its out-queue (``SILA_WS_OUT_QUEUE`` frames) and is disconnected
with a log line, instead of growing the server's memory. Who may open a socket at all is
``channels.webchat_guard``'s business (Origin allow-list, sockets per client address).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from pathlib import Path
from typing import Any

import jinja2
import orjson
from aiohttp import WSMsgType, web

from bot.engine import UnknownAssociation
from bot.i18n import t
from bot.records import StoreUnavailable
from bot.types import Attachment, ConversationKey, InboundMessage
from channels.addresses import client_address
from channels.media import attachments_json
from channels.sockets import GOODBYES, setup_open_sockets
from channels.webchat_files import WebchatFiles, upload
from channels.webchat_guard import SOCKETS, SocketCounter, origin_allowed, refuse
from channels.widget import frame_ancestors, setup_widget
from storage.staff import staff_names
from wiring.metrics import OPEN_SOCKETS, measure_turn
from wiring.runtime import RUNTIME, Runtime

log = logging.getLogger("sila.webchat")

VISITOR_RE = re.compile(r"^[a-f0-9]{32}$")
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_FRAME_BYTES = 64 * 1024
HERE = Path(__file__).resolve().parent
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, enable_async=False
)


def encode_frame(frame: dict[str, Any]) -> bytes:
    """A server frame as UTF-8 JSON text (orjson: three frames a turn make ``json`` show up in profiles)."""
    return orjson.dumps(frame, option=orjson.OPT_NON_STR_KEYS)


def websocket_text_frame(payload: bytes) -> bytes:
    """One unmasked, final RFC 6455 text frame, as a server sends it (section 5.2)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 65536:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload


class TokenBucket:
    """A small per-socket flood guard: ``rate`` frames per ``per`` seconds, bursts up to rate."""

    def __init__(self, rate: int, per: float) -> None:
        self.capacity = float(rate)
        self.tokens = float(rate)
        self.fill = rate / per
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.fill)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.fill


def _org_or_404(request: web.Request) -> tuple[Runtime, str]:
    runtime = request.app[RUNTIME]
    slug = request.match_info["slug"]
    if slug not in runtime.packs:
        raise web.HTTPNotFound(
            text=TEMPLATES.get_template("not_found.html").render(
                slugs=sorted(runtime.packs), packs=runtime.packs
            ),
            content_type="text/html",
        )
    return runtime, slug


async def chat_page(request: web.Request) -> web.Response:
    runtime, slug = _org_or_404(request)
    pack = runtime.packs[slug].pack
    embedded = request.query.get("embed") == "1"
    html = TEMPLATES.get_template("chat.html").render(embedded=embedded,
        slug=slug, name_ar=pack.short_name.ar, name_en=pack.short_name.en,
        full_ar=pack.name.ar, full_en=pack.name.en, max_chars=runtime.settings.ws_max_chars,
        upload_types=runtime.settings.webchat_upload_types,
    )
    return web.Response(text=html, content_type="text/html", headers={
        "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                                   "style-src 'self'; script-src 'self'; "
                                   f"frame-ancestors {frame_ancestors(runtime.packs[slug], runtime.settings)}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    })


class ChatSocket:
    """One browser tab's socket: a reader loop and a writer task fed by the event bus."""

    def __init__(self, runtime: Runtime, ws: web.WebSocketResponse, key: ConversationKey, since: int,
                 transport: asyncio.Transport | None = None) -> None:
        self.runtime = runtime
        self.ws = ws
        #: the connection's transport, for writing a whole turn's frames at once (see ``send_frames``)
        self.transport = transport
        self.key = key
        self.cursor = since
        self.outq: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=runtime.settings.ws_out_queue)
        #: turns (messages, buttons): each one costs a database transaction
        self.bucket = TokenBucket(runtime.settings.ws_rate_per_10s, 10.0)
        #: everything else a client sends (pings, bad JSON, unknown types, binary, oversized)
        self.noise = TokenBucket(runtime.settings.ws_rate_per_10s, 10.0)
        self.noise_told = False
        #: set when the client stopped reading and the socket was dropped
        self.overflowed = False
        self.lang = "ar"
        #: the client id of the frame being handled, echoed on error frames
        self.client_id: str | None = None
        #: False until the history frame is queued: a resync asked for before it (the bus's
        #: subscription became live meanwhile) waits, so ``welcome`` and ``history`` come first
        self.history_sent = False
        self.resync_waiting = False
        #: staff id -> display name of the officers who wrote in this conversation
        self.names: dict[str, str] = {}

    def topic(self) -> str:
        return f"chat:{self.key.lock_name()}"

    def push(self, frame: dict[str, Any]) -> None:
        """Queue a frame for the writer; a full queue means the client is not reading: drop it."""
        if self.overflowed:
            return
        try:
            self.outq.put_nowait(frame)
        except asyncio.QueueFull:
            self.overflowed = True
            log.warning("web chat socket dropped on %s: the client is not reading (%d frames waiting)",
                        self.key.org, self.outq.qsize())
            if self.transport is not None:
                self.transport.abort()  # a close handshake would wait on the same full pipe
            else:
                asyncio.get_running_loop().create_task(self.ws.close(code=1008, message=b"not reading"))

    def stop(self) -> None:
        """Tell the writer to finish (after what it already has)."""
        try:
            self.outq.put_nowait(None)
        except asyncio.QueueFull:
            self.overflowed = True

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "resync" and not self.history_sent:
            self.resync_waiting = True
        elif kind in {"turn", "resync"}:
            self.push(event)

    def _history_queued(self) -> None:
        self.history_sent = True
        if self.resync_waiting:
            self.resync_waiting = False
            self.push({"type": "resync"})

    def frames_for(self, messages: list[dict[str, Any]], *, turn_end: bool) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = []
        for m in messages:
            if m["seq"] <= self.cursor:
                continue
            self.cursor = m["seq"]
            if m["direction"] == "out":
                frames.append({
                    "type": "reply", "text": m["text"], "buttons": m.get("buttons", []),
                    "expect": m.get("expect"), "kind": m.get("kind"), "seq": m["seq"], "id": m["id"],
                    "author": m.get("author", "bot"), "at": m.get("at"), "lang": m.get("lang"),
                    "staff_id": m.get("staff_id"),
                })
            else:
                frames.append({"type": "message", "text": m["text"], "seq": m["seq"], "id": m["id"],
                               "client_id": m.get("client_id"), "button": m.get("button"), "at": m.get("at"),
                               "attachments": m.get("attachments")})
        if turn_end and frames:
            frames.append({"type": "turn_end", "seq": self.cursor})
        return frames

    async def writer(self) -> None:
        while True:
            item = await self.outq.get()
            if item is None:
                return
            if item.get("type") == "turn":
                frames = self.frames_for(item["messages"], turn_end=True)
                if frames and frames[-1]["type"] == "turn_end":
                    frames[-1]["status"] = item.get("status")  # the page offers a file while an officer holds
            elif item.get("type") == "resync":
                frames = await self.missed_frames()
            else:
                frames = [item]
            if self.ws.closed:
                return
            await self.name_officers(frames)
            await self.send_frames(frames)

    async def name_officers(self, frames: list[dict[str, Any]]) -> None:
        """Swap each officer message's staff id for the officer's display name.

        The beneficiary sees who is writing to them ("نورة" rather than a generic "the officer"),
        and never an internal id. Names are cached per socket: a conversation has one or two.
        """
        wanted = {f["staff_id"] for f in frames if f.get("staff_id") and f["staff_id"] not in self.names}
        if wanted:
            try:
                self.names.update(await staff_names(self.runtime.db, wanted))
            except Exception:  # a name is a courtesy; never hold a message back for it
                log.warning("officer names unavailable", exc_info=True)
        for f in frames:
            sid = f.pop("staff_id", None)
            if sid and sid in self.names:
                f["author_name"] = self.names[sid]

    async def send_frames(self, frames: list[dict[str, Any]]) -> None:
        """Send frames in order; a turn's frames (echo, replies, ``turn_end``) in one socket write.

        Why not ``send_frame`` each: every write is a system call that also wakes the browser's
        side, and each gives the GIL away; one write per turn instead of three was a measured
        share of the web chat's cost per message (``make bench``). It is only possible because
        the socket negotiates no compression (``chat_socket``); the writes are synchronous, so
        aiohttp's own frames (pings, close) can never land inside ours.
        """
        transport = self.transport
        if (transport is None or len(frames) < 2 or self.ws.compress or transport.is_closing()
                or transport.get_write_buffer_size()):
            # one frame, or a browser not keeping up (output already queued): frame by frame,
            # through aiohttp, which waits for the socket to drain
            for frame in frames:
                if self.ws.closed:
                    return
                await self.ws.send_frame(encode_frame(frame), WSMsgType.TEXT)
            return
        transport.write(b"".join(websocket_text_frame(encode_frame(f)) for f in frames))

    async def missed_frames(self) -> list[dict[str, Any]]:
        """What was stored after our cursor but never reached us live (the bus lost events)."""
        conv = await self.runtime.store.load(self.key)
        if conv.is_new:
            return []
        missed = await self.runtime.store.history(conv.id, after_seq=self.cursor, limit=200)
        return self.frames_for([m.to_frame() for m in missed], turn_end=True)

    def error(self, code: str, **params: Any) -> None:
        self.push({"type": "error", "code": code, "text": t(f"error.{code}", self.lang, **params),
                   "client_id": self.client_id})

    def answer_noise(self, frame: dict[str, Any]) -> None:
        """Answer a frame that is not a turn, if its budget allows; past it, one notice, then silence."""
        wait = self.noise.take()
        if not wait:
            self.noise_told = False
            self.push(frame)
        elif not self.noise_told:
            self.noise_told = True
            seconds = max(1, round(wait))
            self.push({"type": "rate_limited", "retry_after": seconds, "client_id": None,
                       "text": t("error.rate_limited", self.lang, seconds=seconds)})

    async def send_history(self) -> None:
        store = self.runtime.store
        conv = await store.load(self.key)
        self.lang = str(conv.state.get("lang", "ar"))
        self.push({
            "type": "welcome", "visitor": self.key.address, "lang": self.lang, "status": conv.status,
            "max_chars": self.runtime.settings.ws_max_chars,
        })
        if conv.is_new:
            self.push({"type": "history", "messages": []})
            self._history_queued()
            return
        history = await store.history(conv.id, after_seq=self.cursor, limit=200)
        frames = [m.to_frame() for m in history if m.seq > self.cursor]
        if frames:
            self.cursor = frames[-1]["seq"]
        await self.name_officers(frames)
        self.push({"type": "history", "messages": frames})
        self._history_queued()

    async def stale_button(self, value: str) -> bool:
        """Is ``value`` a button from an older message, pressed while a field awaits its answer?

        The page retires old buttons, but a slow tap, a second tab or a crafted frame can still
        send one; at a field step the engine would take "flow:volunteer" as, say, the ID number.
        A button counts only if the latest message offered it; the language switch is always fine.
        """
        if value.startswith("lang:"):
            return False
        conv = await self.runtime.store.load(self.key)
        if conv.is_new:
            return False
        recent = await self.runtime.store.history(conv.id, after_seq=max(0, conv.seq - 20), limit=20)
        last = next((m for m in reversed(recent) if m.direction == "out"), None)
        if last is None or not last.payload or not last.payload.get("expect"):
            return False
        offered = {b.get("value") for b in last.payload.get("buttons") or [] if isinstance(b, dict)}
        return value not in offered

    async def handle_frame(self, raw: str) -> None:
        self.client_id = None
        if len(raw) > MAX_FRAME_BYTES or len(raw.encode()) > MAX_FRAME_BYTES:
            self.answer_noise({"type": "error", "code": "too_long", "client_id": None,
                               "text": t("error.too_long", self.lang, limit=self.runtime.settings.ws_max_chars)})
            return
        try:
            frame = orjson.loads(raw)
        except ValueError:  # orjson.JSONDecodeError is one
            self.answer_noise({"type": "error", "code": "bad_json", "text": t("error.bad_frame", self.lang)})
            return
        if not isinstance(frame, dict):
            self.answer_noise({"type": "error", "code": "bad_frame", "text": t("error.bad_frame", self.lang)})
            return
        kind = frame.get("type")
        raw_id = frame.get("id")
        client_id = raw_id if isinstance(raw_id, str) and CLIENT_ID_RE.match(raw_id) else None
        if kind == "ping":
            self.answer_noise({"type": "pong"})
            return
        if kind not in {"message", "button"}:
            self.answer_noise({"type": "error", "code": "unknown_type", "text": t("error.bad_frame", self.lang)})
            return
        self.client_id = client_id
        wait = self.bucket.take()
        if wait:
            seconds = max(1, round(wait))
            self.push({"type": "rate_limited", "retry_after": seconds, "client_id": client_id,
                       "text": t("error.rate_limited", self.lang, seconds=seconds)})
            return
        text = frame.get("text") if kind == "message" else None
        value = frame.get("value") if kind == "button" else None
        files = frame.get("attachments") if kind == "message" else None
        attachments: list[Attachment] = []
        if files is not None:
            if not isinstance(files, list) or len(files) > 3 or not all(isinstance(f, str) for f in files):
                self.push({"type": "error", "code": "bad_frame", "text": t("error.bad_frame", self.lang)})
                return
            store = WebchatFiles(self.runtime.settings, self.runtime.cipher)
            for upload_id in files:
                found = await store.find(self.key.org, self.key.address, upload_id)
                if found is None:  # not uploaded, or by somebody else
                    self.push({"type": "error", "code": "bad_frame", "client_id": client_id,
                                "text": t("error.bad_frame", self.lang)})
                    return
                attachments.append(found.attachment())
        if (kind == "message" and not isinstance(text, str)) or (kind == "button" and not isinstance(value, str)):
            self.push({"type": "error", "code": "bad_frame", "text": t("error.bad_frame", self.lang)})
            return
        limit = self.runtime.settings.ws_max_chars
        if (text and len(text) > limit) or (value and len(value) > 256):
            self.error("too_long", limit=limit)
            return
        pmid = f"{self.key.address}:{client_id}" if client_id else None
        try:
            resent = pmid is not None and await self.runtime.store.seen(self.key, pmid)
            if value is not None and not resent and await self.stale_button(value):
                self.error("stale_button")
                return
        except StoreUnavailable:
            self.error("unavailable")
            return
        meta: list[tuple[str, str]] = [("client_id", client_id)] if client_id else []
        if attachments:
            meta.append(("attachments", attachments_json(attachments)))
        msg = InboundMessage(
            key=self.key, text=text or "", button_value=value,
            provider_message_id=pmid, attachments=tuple(attachments), meta=tuple(meta),
        )
        try:
            with measure_turn("webchat") as timed:
                timed.outcome = outcome = await self.runtime.engine.handle(msg)
        except StoreUnavailable:
            self.error("unavailable")
            return
        except UnknownAssociation:
            raise
        except Exception:
            # nothing was committed: the turn is all-or-nothing, so the person can simply resend
            log.exception("turn failed on %s", self.key.org)
            self.error("unavailable")
            return
        if outcome.duplicate:
            self.push({"type": "duplicate", "client_id": client_id})


async def chat_socket(request: web.Request) -> web.WebSocketResponse:
    runtime, slug = _org_or_404(request)
    settings = runtime.settings
    address = client_address(request, settings.trusted_proxies)
    if not origin_allowed(request, settings, runtime.packs[slug]):
        raise refuse(request, web.HTTPForbidden, "origin not allowed", address)
    sockets = request.app[SOCKETS]
    if not sockets.acquire(address, settings.ws_sockets_per_address):
        raise refuse(request, web.HTTPTooManyRequests, "too many open chats from this address", address)
    try:
        return await _serve_socket(request, runtime, slug)
    finally:
        sockets.release(address)


async def _serve_socket(request: web.Request, runtime: Runtime, slug: str) -> web.WebSocketResponse:
    visitor = request.query.get("visitor", "")
    if not VISITOR_RE.match(visitor):
        visitor = secrets.token_hex(16)
    try:
        since = max(0, int(request.query.get("since", "0")))
    except ValueError:
        since = 0
    # compress=False: chat frames are a few hundred bytes, and permessage-deflate would keep
    # ~100 KB of zlib state per open socket; it also lets a turn's frames go in one write
    ws = web.WebSocketResponse(heartbeat=25.0, max_msg_size=4 * 1024 * 1024, compress=False)
    open_sockets = request.app[GOODBYES]
    if open_sockets.closing:  # the server is stopping: come back to the next one
        raise web.HTTPServiceUnavailable(headers={"Retry-After": "1"})
    await ws.prepare(request)
    transport = request.transport
    sock = ChatSocket(runtime, ws, ConversationKey(slug, "webchat", visitor), since,
                      transport if isinstance(transport, asyncio.Transport) else None)
    unsubscribe = runtime.bus.subscribe(sock.topic(), sock.on_event)
    writer = asyncio.get_running_loop().create_task(sock.writer())
    OPEN_SOCKETS.labels("webchat").inc()
    open_sockets.add(ws, lambda: {"type": "closing", "code": "restarting", "text": t("error.restarting", sock.lang)})
    try:
        await sock.send_history()
        async for msg in ws:
            if sock.overflowed:
                break
            if msg.type == WSMsgType.TEXT:
                try:
                    await sock.handle_frame(msg.data)
                except UnknownAssociation:
                    break
            elif msg.type == WSMsgType.BINARY:
                sock.answer_noise({"type": "error", "code": "binary_not_supported",
                                   "text": t("error.bad_frame", sock.lang)})
            elif msg.type == WSMsgType.ERROR:
                log.info("websocket error: %s", ws.exception())
    finally:
        OPEN_SOCKETS.labels("webchat").dec()
        open_sockets.discard(ws)
        unsubscribe()
        sock.stop()
        if sock.overflowed:
            writer.cancel()
        done, _ = await asyncio.wait([writer], timeout=2)
        if not done:
            writer.cancel()
        elif not writer.cancelled() and writer.exception() is not None:
            log.debug("web chat writer ended: %r", writer.exception())
    return ws


def setup_webchat(app: web.Application) -> None:
    app[SOCKETS] = SocketCounter()
    setup_open_sockets(app)
    setup_widget(app)
    app.router.add_post("/chat/{slug}/upload", upload)  # channels.webchat_files
    app.router.add_get("/chat/{slug}", chat_page)
    app.router.add_get("/chat/{slug}/ws", chat_socket)
    app.router.add_static("/static/", HERE / "static", name="static")
