"""Every open WebSocket of the app, told and closed when the server stops.

aiohttp's graceful stop waits for running handlers; a WebSocket handler runs as long as its
socket is open, so a server with a chat open used to take its whole shutdown timeout (about
40 s) while the page still showed "connected". On SIGTERM/SIGINT each socket now gets a last
frame saying the server is restarting, then a close with code 1001 (going away), all at once,
so the process is gone in well under 2 s and the page reconnects to whichever server comes up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSCloseCode, web

log = logging.getLogger("sila.sockets")

Farewell = Callable[[], dict[str, Any]]

#: how long the goodbye (a frame, then the close handshake) may take for all sockets together
CLOSE_WITHIN_S = 1.5


class OpenSockets:
    """The app's open sockets, each with how to make its last frame (in its reader's language)."""

    def __init__(self) -> None:
        self.sockets: dict[web.WebSocketResponse, Farewell | None] = {}
        self.closing = False

    def add(self, ws: web.WebSocketResponse, farewell: Farewell | None = None) -> None:
        self.sockets[ws] = farewell

    def discard(self, ws: web.WebSocketResponse) -> None:
        self.sockets.pop(ws, None)

    async def close_all(self, within: float = CLOSE_WITHIN_S) -> int:
        """Say goodbye on every socket at once; returns how many there were."""
        self.closing = True
        sockets = list(self.sockets.items())
        if not sockets:
            return 0

        async def bye(ws: web.WebSocketResponse, farewell: Farewell | None) -> None:
            if ws.closed:
                return
            with contextlib.suppress(Exception):
                if farewell is not None:
                    await ws.send_json(farewell())
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restarting")

        tasks = [asyncio.ensure_future(bye(ws, farewell)) for ws, farewell in sockets]
        _done, pending = await asyncio.wait(tasks, timeout=within)
        for task in pending:
            task.cancel()
        log.info("told %d socket(s) the server is stopping (%d slow)", len(sockets), len(pending))
        return len(sockets)


GOODBYES = web.AppKey("goodbye_sockets", OpenSockets)


def setup_open_sockets(app: web.Application) -> OpenSockets:
    """The app's registry (made once), closed first thing when the server shuts down."""
    if GOODBYES not in app:
        registry = OpenSockets()
        app[GOODBYES] = registry

        async def on_shutdown(app: web.Application) -> None:
            await registry.close_all()

        app.on_shutdown.append(on_shutdown)
    return app[GOODBYES]
