"""A bounded memo of FAQ decisions.

``faq.decide`` is a pure function of (association pack, text, language), and what people write
repeats a lot (greetings, thanks, "نعم", menu words). Remembering the last few thousand
decisions takes the matcher off the hot path for those; a new question costs the full match
(`make bench` reports both). Cleared wholesale when full: simple, and packs don't change at run time.
"""

from __future__ import annotations

from typing import Any

from bot import faq
from bot.packs import LoadedPack

MAX_ENTRIES = 20_000
_memo: dict[tuple[int, str, str | None], Any] = {}
stats = {"hits": 0, "misses": 0}


def decide(text: str, pack: LoadedPack, lang: str | None) -> Any:
    key = (id(pack), text, lang)
    found = _memo.get(key)
    if found is not None:
        stats["hits"] += 1
        return found
    stats["misses"] += 1
    decision = faq.decide(text, pack, lang=lang)
    if len(_memo) >= MAX_ENTRIES:
        _memo.clear()
    _memo[key] = decision
    return decision
