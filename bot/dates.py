"""Dates as a Saudi reader expects them: Gregorian with the Hijri (Umm al-Qura) date beside it."""

from __future__ import annotations

from datetime import date

from hijridate import Gregorian

from bot.digits import to_arabic_indic

AR_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
             "نوفمبر", "ديسمبر")


def format_date(d: date, lang: str, *, arabic_digits: bool = False) -> str:
    """``6 ديسمبر 2026م (15 جمادى الآخرة 1448هـ)`` or ``6 December 2026 (15 Jumada al-Akhirah 1448 AH)``."""
    try:
        h = Gregorian(d.year, d.month, d.day).to_hijri()
        hijri_ar = f"{h.day} {h.month_name('ar')} {h.year}هـ"
        hijri_en = f"{h.day} {h.month_name('en')} {h.year} AH"
    except (ValueError, OverflowError):  # outside the Umm al-Qura table's range
        hijri_ar = hijri_en = ""
    if lang == "en":
        text = f"{d.day} {d.strftime('%B')} {d.year}"
        return f"{text} ({hijri_en})" if hijri_en else text
    text = f"{d.day} {AR_MONTHS[d.month - 1]} {d.year}م"
    text = f"{text} ({hijri_ar})" if hijri_ar else text
    return to_arabic_indic(text) if arabic_digits else text
