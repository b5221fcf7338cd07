"""The engine and storage without sockets: 200 conversations, 4,000 turns of held-out questions.

Prints turns/s in-process and a cProfile table (by own time), to see what a turn costs.
Usage: .venv/bin/python bench/engine_profile.py
"""

import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.runtime import open_runtime
from bot.settings import load_settings
from bot.types import ConversationKey, InboundMessage
from storage.db import migrate

qs = [json.loads(line)["q"] for line in open(ROOT / "tests/eval/faq_eval.jsonl", encoding="utf-8") if '"amass"' in line]
async def main():
    tmp=tempfile.mkdtemp()
    s=load_settings(env={}, data_dir=tmp, sqlite_synchronous="FULL")
    await migrate(s)
    async with open_runtime(s) as rt:
        async def conv(i, n):
            k=ConversationKey("amass","webchat",f"{i:032x}")
            for j in range(n):
                await rt.engine.handle(InboundMessage(key=k, text=qs[(i+j)%len(qs)]))
        await asyncio.gather(*(conv(i,3) for i in range(200)))  # warm
        pr=cProfile.Profile()
        t=time.perf_counter(); pr.enable()
        await asyncio.gather(*(conv(i,20) for i in range(200)))
        pr.disable(); el=time.perf_counter()-t
        print(f"{4000/el:.0f} turns/s in-process; batches={rt.store.batches} turns={rt.store.batched_turns}")
        pstats.Stats(pr).sort_stats("tottime").print_stats(30)
asyncio.run(main())
