"""A question about what the association offers ("وش خدماتكم؟", "ايش البرامج اللي عندكم؟", "what
services do you offer?").

Why its own reading: the policies describe goals, not a list of services, so the matcher answered
these with the policy's goals ("نشر ثقافة جودة الخدمة بين جميع الأقسام…") in all five associations:
true, but not what was asked. What a person can actually ask for here is the association's
request forms (its pack), so that is the answer (bot/stages/faq.py).
"""

from __future__ import annotations

from bot.understanding.text import PhraseIndex, key_of

__all__ = ["asks_services"]

_SERVICES = PhraseIndex(tuple(key_of(p) for p in (
    "وش خدماتكم", "ايش خدماتكم", "شو خدماتكم", "وش هي خدماتكم", "ما هي خدماتكم", "ماهي خدماتكم", "خدماتكم وش",
    "وش الخدمات", "ايش الخدمات", "شو الخدمات", "ما هي الخدمات", "ماهي الخدمات", "وش الخدمات اللي", "الخدمات المتوفره",
    "الخدمات المتاحه", "الخدمات اللي تقدمونها", "الخدمات التي تقدمونها", "وش عندكم من خدمات", "ايش عندكم من خدمات",
    "وش تقدمون من خدمات", "وش البرامج", "ايش البرامج", "وش برامجكم", "ايش برامجكم", "ما هي البرامج", "ماهي البرامج",
    "وش البرامج اللي عندكم", "what services", "which services", "what do you offer",
    "what does the association offer", "what can you do for me", "what programs", "what programmes",
    "which programs", "services do you offer", "services you offer", "khadamatkom", "khadamatkum", "wesh khadamatkom",
)))
_MAX_WORDS = 14


def asks_services(text: str) -> bool:
    """Whether ``text`` asks what the association offers (a short message, see :data:`_SERVICES`)."""
    toks = key_of(text).split()
    return 0 < len(toks) <= _MAX_WORDS and _SERVICES.found_in(toks)
