"""Wiring of the push channels (Telegram, WhatsApp, SMS) and the delivery worker into the app.

Why one place: the adapters, the rate limiter and the worker share a life cycle with the
runtime (opened after it in ``cleanup_ctx``, closed before it), and the adapters need the
worker's ``wake`` so a reply leaves as soon as its turn is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from channels.broadcast_worker import BroadcastWorker
from channels.delivery import ChannelAdapter, OutboxWorker
from channels.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from channels.telegram import TELEGRAM_CHANNEL, TelegramChannel, setup_telegram_routes
from channels.twilio_sms import TWILIO_CHANNEL, TwilioChannel, setup_twilio_routes
from wiring.runtime import RUNTIME, Runtime

log = logging.getLogger("sila.push")


@dataclass(slots=True)
class PushChannels:
    telegram: TelegramChannel
    twilio: TwilioChannel
    worker: OutboxWorker
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


PUSH = web.AppKey("push_channels", PushChannels)


def limiter_for(runtime: Runtime) -> RateLimiter:
    if runtime.redis is not None:
        return RedisRateLimiter(runtime.redis, prefix=f"{runtime.settings.redis_prefix}rl:")
    return MemoryRateLimiter()


@contextlib.asynccontextmanager
async def open_push_channels(runtime: Runtime, *, run_worker: bool, poll_telegram: bool,
                             run_broadcasts: bool = False) -> AsyncIterator[PushChannels]:
    """Adapters + workers for one runtime; used by the server and by ``sila telegram poll``.

    ``run_broadcasts``: also send broadcasts from this process. Without it a broadcast sent from
    the console waited forever for a ``sila broadcast work`` nobody had started; any number of
    workers (in servers or apart) share the rows safely, each claim fenced by its own token.
    """
    wake: list[OutboxWorker] = []
    telegram = TelegramChannel(runtime, on_turn=lambda: wake[0].wake() if wake else None)
    twilio = TwilioChannel(runtime, on_turn=lambda: wake[0].wake() if wake else None)
    adapters: dict[str, ChannelAdapter] = {"telegram": telegram, "whatsapp": twilio, "sms": twilio}
    worker = OutboxWorker(runtime, adapters, limiter_for(runtime),
                          poll_interval=runtime.settings.delivery_poll_ms / 1000)
    wake.append(worker)
    push = PushChannels(telegram, twilio, worker)
    await telegram.start()
    loop = asyncio.get_running_loop()
    if run_worker:
        push.tasks.append(loop.create_task(worker.run(), name="sila-outbox-worker"))
    if poll_telegram:
        for slug in telegram.bots:
            push.tasks.append(loop.create_task(telegram.poll(slug), name=f"sila-telegram-poll-{slug}"))
    stop_broadcasts = asyncio.Event()
    broadcasting: asyncio.Task[None] | None = None
    if run_broadcasts and runtime.db is not None:
        broadcaster = BroadcastWorker(runtime.db, adapters, limiter_for(runtime))
        broadcasting = loop.create_task(broadcaster.run(stop_broadcasts), name="sila-broadcast-worker")
        log.info("broadcast worker %s running in this process", broadcaster.token)
    try:
        yield push
    finally:
        if broadcasting is not None:
            # a clean stop hands unsent rows back (their lease lapses) and flushes what was sent
            stop_broadcasts.set()
            try:
                await asyncio.wait_for(broadcasting, 5)
            except (TimeoutError, asyncio.CancelledError):
                pass
            except Exception:
                log.exception("broadcast worker stopped with an error")
        for task in push.tasks:
            task.cancel()
        for task in push.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await telegram.close()
        await worker.close()
        await twilio.close()


def setup_push_channels(app: web.Application) -> None:
    """Routes now; adapters and worker in ``cleanup_ctx`` after the runtime is open."""

    setup_telegram_routes(app)
    setup_twilio_routes(app)

    async def push_ctx(app: web.Application) -> AsyncIterator[None]:
        runtime = app[RUNTIME]
        s = runtime.settings
        async with open_push_channels(
            runtime, run_worker=s.delivery_worker != "off", poll_telegram=s.telegram_mode == "polling",
            run_broadcasts=s.broadcast_worker != "off",
        ) as push:
            app[PUSH] = push
            app[TELEGRAM_CHANNEL] = push.telegram
            app[TWILIO_CHANNEL] = push.twilio
            yield

    app.cleanup_ctx.append(push_ctx)
