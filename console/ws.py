"""The console's live socket: queue events of the officer's associations, turns of watched chats.

Subscribes to ``org:{slug}`` for each association in the officer's scope and, on request, to
the ``chat:…`` topic of a conversation the officer opened (checked like the page: 404 for an
unknown id, 403 for another association's). Frames carry ids and event types only; the page
fetches the server-rendered fragment, so no beneficiary text is ever inserted as markup. The
bus fans out across workers (Redis pub/sub), so it does not matter which worker holds the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from channels.sockets import GOODBYES
from console import auth, service
from console.web import current_user, runtime_of
from wiring.metrics import OPEN_SOCKETS

RECHECK_SECONDS = 30.0


async def console_socket(request: web.Request) -> web.WebSocketResponse:
    runtime = runtime_of(request)
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text="cross-origin socket refused")
    user = await current_user(request)
    if user is None or runtime.db is None:
        raise web.HTTPUnauthorized(text="sign in first")
    watch_first = request.query.get("conversation", "")
    if watch_first:
        try:
            await service.load_conversation(runtime, user, watch_first)
        except service.NotFound:
            raise web.HTTPNotFound(text="unknown conversation") from None
        except service.Forbidden:
            raise web.HTTPForbidden(text="not your association") from None
    ws = web.WebSocketResponse(heartbeat=25.0, max_msg_size=16 * 1024)
    sockets = request.app.get(GOODBYES)
    await ws.prepare(request)
    if sockets is not None:
        sockets.add(ws)  # closed with 1001 when the server stops; the page reconnects
    outq: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    unsubs: list[Callable[[], None]] = []
    watched: set[str] = set()

    for slug in user.orgs:
        def on_org(event: dict[str, Any], slug: str = slug) -> None:
            outq.put_nowait({"type": "org_event", "org": slug, "event": str(event.get("type", "")),
                             "conversation_id": str(event.get("conversation_id", ""))})
        unsubs.append(runtime.bus.subscribe(f"org:{slug}", on_org))

    def on_chat(event: dict[str, Any]) -> None:
        if event.get("type") == "turn":
            outq.put_nowait({"type": "turn", "conversation_id": str(event.get("conversation_id", "")),
                             "status": str(event.get("status", ""))})

    async def watch(conversation_id: str) -> dict[str, Any]:
        if conversation_id in watched:
            return {"type": "watching", "conversation_id": conversation_id}
        try:
            conv = await service.load_conversation(runtime, user, conversation_id)
        except service.NotFound:
            return {"type": "error", "status": 404, "code": "not_found"}
        except service.Forbidden:
            return {"type": "error", "status": 403, "code": "forbidden"}
        watched.add(conv.id)
        unsubs.append(runtime.bus.subscribe(f"chat:{conv.org}:{conv.channel}:{conv.address}", on_chat))
        return {"type": "watching", "conversation_id": conv.id}

    async def writer() -> None:
        while True:
            item = await outq.get()
            if item is None or ws.closed:
                return
            await ws.send_str(json.dumps(item))

    async def recheck() -> None:
        """End the socket when the session ends (idle/absolute timeout, logout, password change)."""
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            assert runtime.db is not None
            if await auth.session_user(runtime.db, request.cookies.get("sila_staff", "")) is None:
                outq.put_nowait({"type": "session_ended"})
                await asyncio.sleep(0.2)
                await ws.close(code=4401, message=b"session ended")
                return

    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(writer()), loop.create_task(recheck())]
    OPEN_SOCKETS.labels("console").inc()
    try:
        if watch_first:
            outq.put_nowait(await watch(watch_first))
        outq.put_nowait({"type": "hello", "orgs": list(user.orgs)})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                frame = json.loads(msg.data)
            except ValueError:
                outq.put_nowait({"type": "error", "status": 400, "code": "bad_json"})
                continue
            if isinstance(frame, dict) and frame.get("type") == "watch" and isinstance(frame.get("conversation_id"),
                                                                                      str):
                outq.put_nowait(await watch(frame["conversation_id"][:64]))
            elif isinstance(frame, dict) and frame.get("type") == "ping":
                outq.put_nowait({"type": "pong"})
            else:
                outq.put_nowait({"type": "error", "status": 400, "code": "bad_frame"})
    finally:
        OPEN_SOCKETS.labels("console").dec()
        if sockets is not None:
            sockets.discard(ws)
        for unsub in unsubs:
            unsub()
        outq.put_nowait(None)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    return ws
