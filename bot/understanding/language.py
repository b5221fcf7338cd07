"""The language of one message, robust to what is not language.

A reference ("AMS-26-00002"), digits, a name, "ok", "PDF" or one Arabizi word say nothing about
which language a person reads, so they must never turn an Arabic conversation English (and the
web chat page left-to-right). This module strips references, numbers, addresses and short
Latin tokens, reads Arabizi as Arabic (its writers are Arabic speakers on a Latin keyboard), and
says how *clear* the evidence is: the conversation switches only on clear evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.faq.lang import is_arabizi
from bot.understanding.entities import REF_RE

Lang = Literal["ar", "en"]

_ARABIC = re.compile(r"[\u0621-\u064a\u0671-\u06d3\ufb50-\ufdff\ufe70-\ufefc]")
#: links, addresses and free-standing numbers; digits *inside* a Latin word are Arabizi letters ("6alabati")
_NOISE = re.compile(r"https?://\S+|\S+@\S+|(?<![A-Za-z\d])\d+(?![A-Za-z\d])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]*|[0-9]+[A-Za-z][A-Za-z0-9'’]*")
#: common words of an English sentence; one of them must be there for a "clear" English message
_FUNCTION = frozenset(
    """i you he she we they it my your our their me us him her is are was were am be been do does did
    can could would should will have has had not no yes please the a an to of in on at for from with and
    or but if how what when where why who which this that there here want need like know get thank thanks
    hello hi hey""".split()
)


@dataclass(frozen=True, slots=True)
class MessageLanguage:
    lang: Lang | None
    #: True when the message on its own is enough to change the conversation's language
    clear: bool


NONE = MessageLanguage(None, False)


def language_of(text: str) -> MessageLanguage:
    if not text:
        return NONE
    flat = _NOISE.sub(" ", REF_RE.sub(" ", text))
    arabic = len(_ARABIC.findall(flat))
    words = _LATIN_WORD.findall(flat)
    latin = sum(sum(ch.isalpha() for ch in w) for w in words)
    if arabic == 0 and latin == 0:
        return NONE
    if arabic >= 2 and arabic >= latin:
        return MessageLanguage("ar", True)
    if arabic > latin:
        return MessageLanguage("ar", False)
    lowered = [w.lower() for w in words]
    if is_arabizi(" ".join(lowered)):
        return MessageLanguage("ar", len(lowered) >= 2)
    real = [w for w in lowered if len(w) > 3 or w in _FUNCTION]
    clear = len(real) >= 2 and any(w in _FUNCTION for w in lowered) and arabic == 0
    return MessageLanguage("en", clear)
