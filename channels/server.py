"""``create_app(settings)``: the one aiohttp application that hosts every channel and the console.

Resources are opened in ``cleanup_ctx`` (so they close in reverse order even on a failed start)
and services are stored under typed ``AppKey``s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from bot.reminders import reminder_loop
from bot.runtime import open_runtime
from bot.settings import Settings
from channels.push import setup_push_channels
from channels.webchat import RUNTIME, setup_webchat
from console import setup_console


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    return web.json_response({"ok": True, "associations": sorted(runtime.packs)})


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/chat/" + sorted(request.app[RUNTIME].packs)[0])


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            app[RUNTIME] = runtime
            runtime.background.append(asyncio.get_running_loop().create_task(reminder_loop(runtime)))
            yield

    app.cleanup_ctx.append(runtime_ctx)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", index)
    setup_webchat(app)
    setup_push_channels(app)  # Telegram, WhatsApp, SMS webhooks + the outbox delivery worker
    setup_console(app)  # the staff console under /console
    return app
