"""Reading a date typed in the Gregorian or the Hijri (Umm al-Qura) calendar.

Saudi documents carry both calendars and people write whichever they have at hand, so a date
field accepts either and stores ISO Gregorian — one comparable form for the database and for
officers. The calendar is decided by an explicit marker ("هـ", "AH" / "م", "AD") or, failing
that, by the year: no Gregorian date a beneficiary gives is before 1600, no Hijri one after.
"""

from __future__ import annotations

import re
from datetime import date

from hijridate import Gregorian, Hijri

from bot.flows.normalize import clean, fold_digits

#: the year that separates the calendars when no marker is given
HIJRI_YEAR_LIMIT = 1600
GREGORIAN_RANGE = (1900, 2100)

_HIJRI_MARK = re.compile(r"(هـ|ه|هجري|ah|a\.h\.|h)\s*$", re.IGNORECASE)
_GREG_MARK = re.compile(r"(م|ميلادي|ad|a\.d\.|g)\s*$", re.IGNORECASE)
_SHAPE = re.compile(r"(\d{1,4})\s*[/\-.\s]\s*(\d{1,2})\s*[/\-.\s]\s*(\d{1,4})")


def parse_date(raw: str) -> date | str:
    """The Gregorian date ``raw`` denotes, or a reason key from the catalog."""
    text = fold_digits(clean(raw)).replace("\u0640", "").strip().rstrip(".")
    hijri_mark = greg_mark = False
    m = _HIJRI_MARK.search(text)
    if m:
        hijri_mark, text = True, text[: m.start()].strip()
    else:
        g = _GREG_MARK.search(text)
        if g:
            greg_mark, text = True, text[: g.start()].strip()
    shape = _SHAPE.fullmatch(text)
    if not shape:
        return "date_format"
    a, b, c = shape.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif len(c) == 4:
        day, month, year = int(a), int(b), int(c)
    else:
        return "date_format"  # two-digit years are guesses; ask again instead
    hijri = hijri_mark or (year < HIJRI_YEAR_LIMIT and not greg_mark)
    if hijri:
        try:
            g_date = Hijri(year, month, day).to_gregorian()
        except OverflowError:
            return "date_out_of_range"
        except ValueError:
            return "date_invalid"
        return date(g_date.year, g_date.month, g_date.day)
    if not GREGORIAN_RANGE[0] <= year <= GREGORIAN_RANGE[1]:
        return "date_out_of_range"
    try:
        return date(year, month, day)
    except ValueError:
        return "date_invalid"


def hijri_of(value: date) -> str | None:
    """``YYYY/MM/DD`` in the Hijri calendar, or None outside the supported range."""
    try:
        h = Gregorian(value.year, value.month, value.day).to_hijri()
    except (OverflowError, ValueError):
        return None
    y, mo, d = h.datetuple()
    return f"{y:04d}/{mo:02d}/{d:02d}"


def format_date(iso: str, lang: str) -> str:
    """Both calendars, because the person may have typed either: ``2025-03-01 (1446/09/01 هـ)``."""
    try:
        value = date.fromisoformat(iso)
    except ValueError:
        return iso
    h = hijri_of(value)
    if h is None:
        return iso
    return f"{iso} ({h} AH)" if lang == "en" else f"{iso} ({h} هـ)"
