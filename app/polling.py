"""``sila telegram poll``: the engine, the delivery worker and one bot's long poll, without a server."""

from __future__ import annotations

import dataclasses

from app.common import preflight
from bot.settings import Settings, SettingsError
from channels.push import open_push_channels
from channels.telegram_bot import token_env_name
from wiring.runtime import open_runtime


async def run_polling(settings: Settings, slug: str) -> int:
    """``sila telegram poll --org X``: the engine, the worker and one bot's long poll, no server."""
    settings = dataclasses.replace(settings, telegram_mode="polling")
    await preflight(settings)
    async with open_runtime(settings) as runtime, open_push_channels(
        runtime, run_worker=True, poll_telegram=False,
    ) as push:
        if slug not in push.telegram.bots:
            raise SettingsError(f"{token_env_name(slug)}: no bot token for '{slug}'")
        print(f"polling Telegram for {slug}; Ctrl-C to stop", flush=True)
        await push.telegram.poll(slug)
    return 0
