"""Things a message names that the bot can act on: request references, national IDs, mobiles.

References are written every way a phone allows: "AMS-26-00002", "ams-26-00002",
"AMS 26 2", "AMS2600002", "طلب رقم AMS-٢٦-٠٠٠٠٢" (Arabic-Indic digits, a bidi mark pasted in
between): all read as ``AMS-26-00002``. National IDs and mobiles typed unprompted are found so
the bot can avoid echoing or storing them where no field asked for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.text import fold_digits, strip_controls

_SEP = r"\s*[-‐‑–—_/.\u0640]?\s*"
REF_RE = re.compile(rf"(?<![A-Za-z])([A-Za-z]{{3}}){_SEP}(\d{{2}}){_SEP}(\d{{1,5}})(?!\d)")
NATIONAL_ID_RE = re.compile(r"(?<![\d+])([12]\d{9})(?!\d)")
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?966|00966|0)?\s?(5\d{8})(?!\d)")


@dataclass(frozen=True, slots=True)
class Entities:
    references: tuple[str, ...] = ()
    national_ids: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()


NONE = Entities()


def plain(text: str) -> str:
    """``text`` with invisible marks removed and ASCII digits: what the patterns read."""
    return fold_digits(strip_controls(text))


def references(text: str) -> tuple[str, ...]:
    """Every request reference in ``text``, in the canonical ``ABC-YY-NNNNN`` form."""
    return tuple(dict.fromkeys(
        f"{m.group(1).upper()}-{m.group(2)}-{int(m.group(3)):05d}" for m in REF_RE.finditer(plain(text))
    ))


def find(text: str) -> Entities:
    if not text or not any(ch.isdigit() for ch in text):
        return NONE
    flat = plain(text)
    refs = tuple(dict.fromkeys(
        f"{m.group(1).upper()}-{m.group(2)}-{int(m.group(3)):05d}" for m in REF_RE.finditer(flat)
    ))
    rest = REF_RE.sub(" ", flat) if refs else flat
    ids = tuple(dict.fromkeys(NATIONAL_ID_RE.findall(rest)))
    mobiles = tuple(dict.fromkeys("+966" + m for m in MOBILE_RE.findall(rest)))
    return Entities(refs, ids, mobiles)
