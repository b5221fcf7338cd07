"""Which language to answer in: Arabic script → ar, English → en, Arabizi → ar.

Arabizi writers are Arabic speakers on a Latin keyboard; answering them in English would be
wrong, so Latin text is English only when it reads like English and not like Arabizi
(digits standing for letters, or frequent Arabizi words).
"""

from __future__ import annotations

import re
from typing import Literal

from bot.faq.arabizi import lexicon, looks_arabizi_token

__all__ = ["detect_language", "is_arabizi"]

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]*|[0-9]+[A-Za-z][A-Za-z0-9'’]*")
# Frequent English words; a Latin word here counts for English even if Arabizi spells it too.
_ENGLISH = frozenset(
    """a an the i you he she it we they me my your our is are was were be been am do does did
    can could would should will shall may might must have has had not no yes please thanks thank
    how what when where who whom why which that this there here to of in on at for from with by
    about into and or but if so want need talk speak human person agent someone somebody staff
    employee help apply request support long take takes time get got give call phone contact
    hello hi hey ok okay menu volunteer member service services association policy answer
    reply days weeks week form data update register information info anyone real representative
    officer problem procedure clear understand know tell bye good morning evening much many""".split()
)


def is_arabizi(text: str) -> bool:
    """True when Latin text reads as Arabic typed in Latin letters."""
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    if not words:
        return False
    lex = lexicon()
    arabizi = sum(1 for w in words if looks_arabizi_token(w) or (w in lex and w not in _ENGLISH))
    english = sum(1 for w in words if w in _ENGLISH)
    return arabizi > 0 and arabizi >= english


def detect_language(text: str) -> Literal["ar", "en"] | None:
    """ar for Arabic script or Arabizi, en for English, None when there are no words."""
    if not text:
        return None
    arabic = sum(1 for ch in _ARABIC.findall(text) if ch.isalpha())
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if arabic == 0 and latin == 0:
        return None
    if arabic >= latin:
        return "ar"
    if is_arabizi(text):
        return "ar"
    return "en"
