"""The engine and storage without sockets: 200 conversations, 4,000 turns of held-out questions.

Prints turns/s in-process and a cProfile table (by own time), to see what one turn costs.
Usage: .venv/bin/python bench/engine_profile.py
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import tempfile
import time
from pathlib import Path

from bot.settings import load_settings
from bot.types import ConversationKey, InboundMessage
from storage.db import migrate
from wiring.runtime import open_runtime

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval" / "faq_eval.jsonl"
QUESTIONS = [json.loads(line)["q"] for line in EVAL.read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["org"] == "amass"]


async def main() -> None:
    sync = os.environ.get("BENCH_SQLITE_SYNCHRONOUS", "FULL")
    settings = load_settings(env={}, data_dir=tempfile.mkdtemp(), sqlite_synchronous=sync)
    await migrate(settings)
    async with open_runtime(settings) as rt:
        async def conversation(i: int, turns: int) -> None:
            key = ConversationKey("amass", "webchat", f"{i:032x}")
            for j in range(turns):
                await rt.engine.handle(InboundMessage(key=key, text=QUESTIONS[(i + j) % len(QUESTIONS)]))

        await asyncio.gather(*(conversation(i, 3) for i in range(200)))  # warm-up
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        await asyncio.gather(*(conversation(i, 20) for i in range(200)))
        profile.disable()
        elapsed = time.perf_counter() - start
        print(f"{4000 / elapsed:.0f} turns/s in-process (with the profiler on)")
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    asyncio.run(main())
