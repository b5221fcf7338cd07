"""The terminal channel (`sila chat`): one stdin line is one beneficiary message.

It runs through the full engine with the configured storage, so a conversation held here is
the same kind of conversation as a WhatsApp one. ``--json`` prints one reply object per line
(the web chat's frame format, with the conversation's ``lang`` after the turn, as the web chat
sends it) and ``{"type": "turn_end"}`` after each turn.
"""

from __future__ import annotations

import asyncio
import json
import sys

from app.common import preflight
from bot.render import TERMINAL, render
from bot.settings import Settings
from bot.types import Choices, ConversationKey, InboundMessage, reply_to_json
from wiring.runtime import open_runtime


def _print_plain(reply: object) -> None:
    for part in render(reply, TERMINAL):  # type: ignore[arg-type]
        print(part.text)
        for i, (label, _value) in enumerate(part.buttons, 1):
            print(f"  [{i}] {label}")
    print()


async def run_chat(settings: Settings, org: str, user: str, *, as_json: bool) -> int:
    await preflight(settings)
    async with open_runtime(settings) as runtime:
        key = ConversationKey(org, "terminal", user)
        last_buttons: list[str] = []
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            text = line.rstrip("\n")
            button = None
            if text.startswith("/button "):  # scripts may press a button by value
                button, text = text[len("/button "):].strip(), ""
            elif not as_json and text.strip().isdigit() and 0 < int(text) <= len(last_buttons):
                button = last_buttons[int(text) - 1]
            outcome = await runtime.engine.handle(InboundMessage(key=key, text=text, button_value=button))
            for reply in outcome.replies:
                if as_json:
                    frame = {**reply_to_json(reply), "lang": outcome.lang or None}
                    print(json.dumps(frame, ensure_ascii=False), flush=True)
                else:
                    _print_plain(reply)
                if isinstance(reply, Choices):
                    last_buttons = [b.value for b in reply.buttons]
            if as_json:
                print(json.dumps({"type": "turn_end"}), flush=True)
            sys.stdout.flush()
    return 0
