"""A question about what the association offers ("وش خدماتكم؟", "ايش البرامج اللي عندكم؟", "what
services do you offer?").

Why its own reading: the policies describe goals, not a list of services, so the matcher answered
these with the policy's goals ("نشر ثقافة جودة الخدمة بين جميع الأقسام…") in all five associations:
true, but not what was asked. What a person can actually ask for here is the association's
request forms (its pack), so that is the answer (bot/stages/faq.py).
"""

from __future__ import annotations

from bot.understanding.text import PhraseIndex

__all__ = ["asks_services"]

_SERVICES = PhraseIndex((  # PhraseIndex folds its phrases itself
    "وش خدماتكم", "ايش خدماتكم", "شو خدماتكم", "وش هي خدماتكم", "ما هي خدماتكم", "ماهي خدماتكم", "خدماتكم وش",
    "وش الخدمات", "ايش الخدمات", "شو الخدمات", "ما هي الخدمات", "ماهي الخدمات", "وش الخدمات اللي", "الخدمات المتوفره",
    "الخدمات المتاحه", "الخدمات اللي تقدمونها", "الخدمات التي تقدمونها", "وش عندكم من خدمات", "ايش عندكم من خدمات",
    "وش تقدمون من خدمات", "وش البرامج", "ايش البرامج", "وش برامجكم", "ايش برامجكم", "ما هي البرامج", "ماهي البرامج",
    "وش البرامج اللي عندكم", "what services", "which services", "what do you offer",
    "what does the association offer", "what can you do for me", "what programs", "what programmes",
    "which programs", "services do you offer", "services you offer", "khadamatkom", "khadamatkum", "wesh khadamatkom",
))
_MAX_WORDS = 14


def asks_services(key: str) -> bool:
    """Whether the message asks what the association offers (a short message, see :data:`_SERVICES`);
    ``key`` is its folded form, ``Understanding.key``, already made for the turn."""
    toks = key.split()
    return 0 < len(toks) <= _MAX_WORDS and _SERVICES.found_in(toks)
