"""Weekday names (Monday = day.0, as ``datetime.weekday()``), shared by the beneficiary texts
(working hours) and the staff texts (the console's settings), so the two never spell a day apart."""

from __future__ import annotations

WEEKDAYS: dict[str, dict[str, str]] = {
    "day.0": {"ar": "الاثنين", "en": "Monday"},
    "day.1": {"ar": "الثلاثاء", "en": "Tuesday"},
    "day.2": {"ar": "الأربعاء", "en": "Wednesday"},
    "day.3": {"ar": "الخميس", "en": "Thursday"},
    "day.4": {"ar": "الجمعة", "en": "Friday"},
    "day.5": {"ar": "السبت", "en": "Saturday"},
    "day.6": {"ar": "الأحد", "en": "Sunday"},
}
