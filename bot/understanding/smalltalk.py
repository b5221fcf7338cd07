"""Small talk: what a courteous desk answers in kind before (or instead of) any business.

"السلام عليكم" is returned with "وعليكم السلام" — wherever it opens a message, even one that
goes on with a question — and a message that is only a greeting, thanks, a goodbye, emoji or
question marks gets a short courteous reply instead of "not understood".
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from bot.faq.intents import thanks_only
from bot.faq.normalize import normalize
from bot.understanding.text import PhraseIndex

SmallTalk = Literal["greeting", "thanks", "goodbye", "emoji", "punctuation"]


def _phrases(*words: str) -> PhraseIndex:
    return PhraseIndex(words)


_SALAM = _phrases(
    "السلام عليكم", "سلام عليكم", "السلام عليكم ورحمة الله", "السلام عليكم ورحمة الله وبركاته", "السلام", "سلام",
    "assalamu alaikum", "assalamualaikum", "assalam alaikum", "salam alaikum", "salamu alaikum", "al salam alaikum",
    "asalam alaikum", "salam", "slm", "سلام عليكم ورحمة الله",
)
_GREETING = _phrases(
    "هلا", "هلا والله", "هلا وغلا", "اهلا", "اهلين", "مرحبا", "مرحبا بك", "مرحبتين", "حياك", "حياكم", "صباح الخير",
    "مساء الخير", "صباح النور", "مساء النور", "هاي", "الو", "يا هلا", "كيف الحال", "كيف حالك", "كيفك", "شلونك",
    "عساكم بخير", "hi", "hello", "hey", "hala", "ahlan", "marhaba", "good morning", "good evening",
    "good afternoon", "how are you", "hi there", "hello there",
)
_THANKS = _phrases(
    "شكرا", "شكرا لك", "شكرا لكم", "شكرا جزيلا", "مشكور", "مشكورين", "مشكوره", "يعطيك العافية", "يعطيكم العافية",
    "الله يعطيك العافية", "الله يعطيكم العافية", "جزاك الله خير", "جزاكم الله خير", "تسلم", "تسلمون", "تسلمين",
    "ما قصرت", "ما قصرتوا", "ما قصرتم", "كفيت ووفيت", "ممنون", "الله يجزاك خير", "الله يجزاكم خير",
    "يجزاك الله خير", "يجزاكم الله خير", "الله يجزيك خير", "الله يجزيكم خير", "بارك الله فيك",
    "بارك الله فيكم", "الله يوفقكم", "الله يوفقك", "الله يسعدك",
    "thanks", "thank you", "thx", "ty", "thank u", "thanks a lot", "many thanks", "appreciate it", "shukran",
    "mashkoor",
    "shokran", "shokrn", "shkran", "shukraan", "shokran jazilan", "shukran jazilan", "mashkour",
    "shukran jazeelan", "shokran jazeelan", "shukran jazeel", "shokran jazeel", "jazakallah khair", "jazak allah khair",
)
_GOODBYE = _phrases(
    "مع السلامة", "مع السلامه", "في امان الله", "فى امان الله", "الله يحفظك", "الله يحفظكم", "باي",
    "الى اللقاء", "نلقاكم", "تصبحون على خير", "bye", "goodbye", "bye bye", "see you", "good night", "ma3a salama",
    "ma'a salama",
)
_FILLER = _phrases(
    "ورحمة الله", "وبركاته", "ورحمه الله وبركاته", "والله", "يا", "الله", "جزيلا", "كثير", "وايد", "مره", "you",
    "so", "much", "very", "a lot", "all", "everyone", "sila", "صلة", "اخوي", "اختي", "يا اخي", "يا اخوي", "عليكم",
    "and", "و", "ok", "okay", "اوكي", "تمام", "طيب", "الحين", "then", "again", "i'm back", "im back", "back",
    "رجعت", "انا رجعت", "مره ثانيه", "من جديد", "ثاني",
)


def _spans(toks: list[str], phrases: PhraseIndex) -> list[tuple[int, int]]:
    return phrases.spans(toks)


_MORNING = _phrases("صباح الخير", "صباح الخيرات", "صباحكم خير", "صباح الورد", "good morning", "sabah al khair",
                    "sabah el 5er", "sabah alkhair")
_EVENING = _phrases("مساء الخير", "مساء الخيرات", "مساكم الله بالخير", "مساء الورد", "good evening", "masa al khair",
                    "masa el 5er", "masa alkhair")


def time_greeting(key: str) -> Literal["morning", "evening"] | None:
    """"صباح الخير" / "مساء الخير" opening the message: returned in kind ("صباح النور")."""
    toks = key.split()[:6]
    if _MORNING.starts(toks):
        return "morning"
    if _EVENING.starts(toks):
        return "evening"
    return None


def opens_with_salam(key: str) -> bool:
    """True when the message begins with "السلام عليكم" (or a spelling of it) — to be returned."""
    return _SALAM.starts(key.split()[:6])


def _covered(toks: list[str], *lists: PhraseIndex) -> bool:
    used = [False] * len(toks)
    for phrases in lists:
        for a, b in _spans(toks, phrases):
            for i in range(a, b):
                used[i] = True
    return bool(toks) and all(used)


def _is_symbolic(raw: str) -> bool:
    return all(unicodedata.category(ch)[0] in "SPZC" or ch in "\ufe0f\u200d" for ch in raw)


def kind(key: str, raw: str) -> SmallTalk | None:
    """The small talk a whole message is, if it is nothing else."""
    if not key:
        stripped = raw.strip()
        if not stripped:
            return None
        if _is_symbolic(stripped):
            return "emoji" if any(unicodedata.category(ch) == "So" for ch in stripped) else "punctuation"
        return None
    toks = key.split()
    if len(toks) > 10:
        return None
    # "مشكورين ما قصرتوا، مع السلامة": a goodbye with thanks is a goodbye (it wants one back, not
    # "anything else?")
    if _spans(toks, _GOODBYE) and _covered(toks, _GOODBYE, _THANKS, _FILLER):
        return "goodbye"
    if _spans(toks, _THANKS) and _covered(toks, _THANKS, _FILLER, _GREETING, _SALAM, _GOODBYE):
        return "thanks"
    if _covered(toks, _SALAM, _GREETING, _FILLER) and (_spans(toks, _SALAM) or _spans(toks, _GREETING)):
        return "greeting"
    # thanks for something ("شكراً لكم على حسن التعامل"): the FAQ's own reading of thanks, so both agree
    if _spans(toks, _THANKS) and thanks_only(normalize(raw), question="?" in raw or "؟" in raw):
        return "thanks"
    return None
