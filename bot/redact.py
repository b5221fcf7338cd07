"""National IDs typed where nobody asked for one, found and masked before anything is stored.

People paste their ID into the first message ("رقم هويتي 1xxxxxxxxx ابي اسجل"), a question, a
form's description box or a survey comment. Only the ID step's answer used to be masked; every
other copy reached the transcript, the summary echoed back, the case data and the raw provider
payload. This module is the one place that recognises an ID in free text:

* a run of exactly ten digits (ASCII, Arabic-Indic or Persian), optionally written in groups
  separated by one space, dash or dot ("1000 000 008"), not touching another digit;
* that the existing validator (:func:`bot.flows.validators.validate_national_id`: prefix 1 or 2
  and the check digit) accepts. A phone number, an amount or a date is not an ID and stays
  readable for the officer; a ten-digit number that fails the check digit is not anyone's ID.

Masking keeps the last four digits (what screens show everywhere else) and the text's length
and separators, so a transcript still reads naturally: "رقم هويتي ******0008".

Pure functions, no I/O: the engine masks stored text with them, :mod:`bot.sealed` seals answers
that contain an ID, and storage masks raw payloads; property tests pin the behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bot.flows.normalize import fold_digits
from bot.flows.validators import FieldSpec, Valid, validate_national_id

_D = "0-9\u0660-\u0669\u06f0-\u06f9"
#: ten digits with at most one separator between two of them, not preceded or followed by a digit
_CANDIDATE = re.compile(rf"(?<![{_D}])(?:[{_D}][ \-.\u00a0]?){{9}}[{_D}](?![{_D}])")
_SPEC = FieldSpec("national_id")
#: how many trailing digits stay visible (as in ``mask_national_id``)
KEEP = 4


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of each valid national ID in ``text``, left to right, not overlapping.

    Candidates are tried at every position (not only where the previous one ended), so a
    ten-digit run that is not an ID cannot hide an ID that starts inside it.
    """
    pos = 0
    while True:
        match = _CANDIDATE.search(text, pos)
        if match is None:
            return
        digits = re.sub(r"\D", "", fold_digits(match.group()))
        if isinstance(validate_national_id(digits, _SPEC), Valid):
            yield match.start(), match.end()
            pos = match.end()
        else:
            pos = match.start() + 1


def national_ids(text: str) -> list[str]:
    """The IDs (as ten ASCII digits) written in ``text``."""
    return [re.sub(r"\D", "", fold_digits(text[a:b])) for a, b in _spans(text or "")]


def contains_national_id(text: str) -> bool:
    return next(_spans(text or ""), None) is not None


def mask_national_ids(text: str) -> str:
    """``text`` with every valid national ID's digits but the last four replaced by ``*``."""
    if not text:
        return text
    out = list(text)
    for start, end in _spans(text):
        positions = [i for i in range(start, end) if fold_digits(text[i]).isdigit()]
        for i in positions[:-KEEP]:
            out[i] = "*"
    return "".join(out)


def mask_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A reply's stored form (``reply_to_json``) with IDs masked in its text (a summary's echo)."""
    text = payload.get("text")
    if isinstance(text, str) and contains_national_id(text):
        return {**payload, "text": mask_national_ids(text)}
    return payload
