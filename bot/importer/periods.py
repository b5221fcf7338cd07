"""The committee's decision period, in whatever words the policy uses.

"خلال مدة لا تقل عن أسبوعين", "خلال عشرة أيام عمل", "في غضون شهر", "خلال 14 يوماً": the
pack needs a number of calendar days (the case's expected-decision date) and the policy's own
words (what the beneficiary is told). Working days count five to the week, rounded up to
whole weeks, so the date given is never earlier than the policy allows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from bot.importer.text import fold

__all__ = ["Period", "find_period"]

_NUMBER_WORDS = {
    "واحد": 1, "يوم واحد": 1, "اثنين": 2, "اثنان": 2, "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4,
    "خمسه": 5, "خمس": 5, "سته": 6, "ست": 6, "سبعه": 7, "سبع": 7, "ثمانيه": 8, "ثماني": 8, "ثمان": 8,
    "تسعه": 9, "تسع": 9, "عشره": 10, "عشر": 10, "احد عشر": 11, "اثنا عشر": 12, "اثني عشر": 12,
    "خمسه عشر": 15, "خمس عشره": 15, "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "ثلاثون": 30,
    "اربعين": 40, "ستين": 60, "تسعين": 90,
}
_EN_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
               9: "nine", 10: "ten", 12: "twelve", 15: "fifteen", 20: "twenty", 30: "thirty"}
_UNIT_DAYS = {"day": 1, "workday": 1, "week": 7, "month": 30}
_NUM = "|".join(sorted((re.escape(k) for k in _NUMBER_WORDS), key=len, reverse=True))
# unit forms after folding (ة→ه, أ→ا): day(s), working day(s), week(s), month(s), with duals
_DUALS: dict[str, tuple[Literal["day", "week", "month"], int]] = {
    "يومين": ("day", 2), "اسبوعين": ("week", 2), "شهرين": ("month", 2)}
_PERIOD = re.compile(
    rf"(?P<num>\d+|{_NUM})?\s*"
    r"(?P<unit>ايام عمل|يوم عمل|ايام|يوما|يوم|اسابيع|اسبوعين|اسبوعا|اسبوع|اشهر|شهور|شهرين|شهرا|شهر)"
)


@dataclass(frozen=True)
class Period:
    """A decision period: ``bound`` is "min" for "no less than", "max" for "within"."""

    phrase: str
    count: int
    unit: Literal["day", "workday", "week", "month"]
    bound: Literal["min", "max"]

    @property
    def days(self) -> int:
        if self.unit == "workday":
            return math.ceil(self.count / 5) * 7
        return self.count * _UNIT_DAYS[self.unit]

    def english(self) -> str:
        word = _EN_NUMBERS.get(self.count, str(self.count))
        noun = {"day": "day", "workday": "working day", "week": "week", "month": "month"}[self.unit]
        amount = f"a {noun}" if self.count == 1 else f"{word} {noun}s"
        return f"within a period of no less than {amount}" if self.bound == "min" else f"within {amount}"


Unit = Literal["day", "workday", "week", "month"]
#: every single unit form the pattern can match (folded), and what it is
_FORMS: dict[str, Unit] = {"يوم": "day", "يوما": "day", "ايام": "day", "اسبوع": "week", "اسبوعا": "week",
                           "اسابيع": "week", "شهر": "month", "شهرا": "month", "اشهر": "month", "شهور": "month"}


def _unit(raw: str) -> tuple[Unit, int | None]:
    """The unit of a matched form, and the count a dual implies ("أسبوعين" → 2)."""
    if raw in _DUALS:
        return _DUALS[raw]
    if "عمل" in raw:
        return "workday", None
    return _FORMS[raw], None


def find_period(sentence: str) -> Period | None:
    """The period in a sentence about the committee's reply, or None if it names none."""
    folded = fold(sentence)
    anchor = re.search(r"(لا تقل عن|لا تزيد عن|لا تتجاوز|خلال|في غضون|في مده|مدتها|اقصاها)", folded)
    if anchor is None:
        return None
    tail = folded[anchor.start():]
    m = _PERIOD.search(tail)
    if m is None or m.start() > 40:
        return None
    unit, implied = _unit(m.group("unit"))
    num = m.group("num")
    count = implied or (int(num) if num and num.isdigit() else _NUMBER_WORDS.get(num or "", 1))
    if implied and num:
        count = implied
    bound: Literal["min", "max"] = "min" if re.search(r"لا تقل", tail[: m.end()]) else "max"
    # the policy's own words, from the anchor to the unit, as written (not folded)
    words = sentence.split()
    start = _word_index(words, anchor.group(1).split()[0])
    end = _word_index(words, m.group("unit").split()[-1], start) if start is not None else None
    phrase = " ".join(words[start:end + 1]) if start is not None and end is not None else tail[: m.end()]
    return Period(phrase=phrase.rstrip(".،,"), count=count, unit=unit, bound=bound)


def _word_index(words: list[str], folded_word: str, start: int | None = 0) -> int | None:
    for i in range(start or 0, len(words)):
        if fold(words[i]).strip(".،,:()").endswith(folded_word) or folded_word in fold(words[i]):
            return i
    return None
