"""The ceiling: a bare aiohttp WebSocket server that answers each frame with one reply and a turn_end."""

from __future__ import annotations

import sys

from aiohttp import WSMsgType, web


async def ws_handler(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str('{"type":"reply","text":"echo"}')
            await ws.send_str('{"type":"turn_end"}')
    return ws


app = web.Application()
app.router.add_get("/chat/{slug}/ws", ws_handler)
app.router.add_get("/healthz", lambda r: web.json_response({"ok": True}))
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
