"""A question about the association's working hours or days ("وش اوقات الدوام؟", "تشتغلون يوم
الجمعة؟", "what are your opening hours?").

Why its own reading: no policy states working hours, so no FAQ topic holds them and the matcher
either refused the question with "I didn't understand" (a plain question, understood by anyone)
or answered the nearest topic. The hours are a pack setting (``contact.working_hours``): said
when the association has set them, and honestly said to be unpublished when it has not.
"""

from __future__ import annotations

from bot.understanding.text import PhraseIndex

__all__ = ["asks_working_hours"]

_HOURS = PhraseIndex((  # PhraseIndex folds its phrases itself
    "اوقات الدوام", "اوقات دوامكم", "وقت الدوام", "متى الدوام", "دوامكم", "الدوام عندكم", "مواعيد الدوام",
    "ساعات الدوام", "ساعات العمل", "اوقات العمل", "مواعيد العمل", "اوقات عملكم", "وقت العمل", "متى تفتحون",
    "متى تسكرون", "متى تقفلون", "متى تغلقون", "تفتحون", "تداومون", "تشتغلون يوم", "تشتغلون الجمعة",
    "تشتغلون السبت", "دوام يوم", "دوام الجمعة", "دوام السبت", "دوام رمضان", "الدوام في رمضان",
    "working hours", "opening hours", "office hours", "business hours", "work hours", "when are you open",
    "are you open", "what time do you open", "what time do you close", "when do you open", "when do you close",
    "open on friday", "open on saturday", "open on weekends", "your hours", "dawam", "awqat al dawam",
    "awgat el dawam",
))
#: more words than a question about the hours takes: a long message is about something else
_MAX_WORDS = 14


def asks_working_hours(key: str) -> bool:
    """Whether the message asks when the association works (a short message naming its hours or
    days); ``key`` is its folded form, ``Understanding.key``, already made for the turn."""
    toks = key.split()
    return 0 < len(toks) <= _MAX_WORDS and _HOURS.found_in(toks)
