"""A bounded memo of FAQ decisions.

``faq.decide`` is a pure function of (association pack, text, language), and what people write
repeats a lot (greetings, thanks, "نعم", menu words). Remembering the last few thousand
decisions takes the matcher off the hot path for those; a new question costs the full match
(`make bench` reports both). Cleared wholesale when full: simple. An admin's edit swaps in a new pack
object: each entry keeps the pack it was decided on and only answers for that very object (an
id alone could be reused by the next pack), and the swap also calls :func:`forget`.
"""

from __future__ import annotations

from typing import Any

from bot import faq
from bot.packs import LoadedPack

MAX_ENTRIES = 20_000
_memo: dict[tuple[int, str, str | None], tuple[LoadedPack, Any]] = {}
stats = {"hits": 0, "misses": 0}


def decide(text: str, pack: LoadedPack, lang: str | None) -> Any:
    key = (id(pack), text, lang)
    found = _memo.get(key)
    if found is not None and found[0] is pack:
        stats["hits"] += 1
        return found[1]
    stats["misses"] += 1
    decision = faq.decide(text, pack, lang=lang)
    if len(_memo) >= MAX_ENTRIES:
        _memo.clear()
    _memo[key] = (pack, decision)
    return decision


def forget() -> None:
    """Drop every remembered decision (a pack was edited)."""
    _memo.clear()
