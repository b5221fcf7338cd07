"""Text clean-up shared by understanding, validators, command detection and fuzzy matching.

Beneficiaries type on phones with Arabic keyboards: Arabic-Indic (٠-٩) or Persian (۰-۹) digits,
tatweel, diacritics, several forms of alef, and — when pasting — invisible bidi controls. Every
comparison goes through these helpers so "٠٥٥" and "055", "جده" and "جدة" are the same thing
(digits through the one digit table, :mod:`bot.digits`).

Two levels on purpose:
* :func:`clean` keeps what the person wrote (it is what gets stored) and only removes control
  characters, which are never meaningful and can be used to disguise text (bidi overrides).
* :func:`fold` is for *matching* only; its result is never stored or shown.

Kept out of the ``bot.flows`` package (which re-exports it) because the flow runner itself reads
the command words of :mod:`bot.understanding.commands`, which match on :func:`fold`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.digits import to_western

#: Unicode category Cc is exactly C0 and C1 (U+0000–U+001F, U+007F–U+009F); tab, line feed and
#: carriage return are kept here and turned into spaces separately unless newlines are kept
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("[\t\n\r]")
#: bidi embeddings/overrides/isolates and marks, zero-width space, BOM, Arabic letter mark
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\ufeff]")
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_LETTER_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ک": "ك",
        "ی": "ي",
    }
)
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def fold_digits(text: str) -> str:
    """Arabic-Indic and Persian digits become ASCII digits (:mod:`bot.digits`); nothing else changes."""
    return to_western(text)


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Remove bidi overrides/isolates and other control characters.

    HTML and other markup is *not* touched: it is stored as inert text and escaped by whoever
    renders it. Control characters are different — they change how surrounding text is shown
    (an RLO can make "gpj.exe" read "exe.jpg") and carry no meaning in a form answer.
    """
    text = _INVISIBLE.sub("", text)
    if not keep_newlines:
        text = _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """What we store: controls removed, spaces tidied, NFC composed, digits kept as written."""
    text = unicodedata.normalize("NFC", strip_controls(text or "", keep_newlines=keep_newlines))
    if keep_newlines:
        lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """A matching key: lower case, ASCII digits, no diacritics/tatweel/punctuation, one alef."""
    text = fold_digits(clean(text)).lower()
    text = _TASHKEEL.sub("", text).replace(_TATWEEL, "")
    text = text.translate(_LETTER_FOLD)
    text = _PUNCT.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def key_of(text: str) -> str:
    """The folded form of ``text`` ("" for no text); words separated by single spaces."""
    return fold(text) if text else ""


def padded(key: str) -> str:
    """``key`` with a space either side, so phrase lookups match whole words only."""
    return f" {key} "


class PhraseIndex:
    """Whole-word phrases (folded) found in a folded message by their first word: one dictionary
    look-up per word of the message instead of a scan of every phrase, so long lists stay cheap on
    long messages (understanding runs on every turn).

    ``conjunctions``: a phrase also matches when its first word carries an attached "و" or "ف"
    ("تعبت وما عاد ابي اعيش" holds "ما عاد ابي اعيش"). Arabic writes "and" as part of the next
    word, so a list of whole phrases misses every phrase that follows an "and" — for the safety
    lists that is a life at risk answered with a menu."""

    __slots__ = ("_by_first", "_conjunctions")

    def __init__(self, phrases: Iterable[str], *, conjunctions: bool = False) -> None:
        grouped: dict[str, set[tuple[str, ...]]] = {}
        for phrase in phrases:
            toks = tuple(key_of(phrase).split())
            if toks:
                grouped.setdefault(toks[0], set()).add(toks)
        self._by_first = {k: tuple(sorted(v, key=len, reverse=True)) for k, v in grouped.items()}
        self._conjunctions = conjunctions

    def spans(self, toks: list[str]) -> list[tuple[int, int]]:
        """(start, end) of the longest phrase starting at each word where one does."""
        out: list[tuple[int, int]] = []
        for i, tok in enumerate(toks):
            firsts = [tok]
            if self._conjunctions and len(tok) > 2 and tok[0] in "وف" and tok not in self._by_first:
                firsts.append(tok[1:])
            found = False
            for first in firsts:
                for p in self._by_first.get(first, ()):
                    n = len(p)
                    if p[0] == first and tuple(toks[i + 1 : i + n]) == p[1:]:
                        out.append((i, i + n))
                        found = True
                        break
                if found:
                    break
        return out

    def found_in(self, toks: list[str]) -> bool:
        return bool(self.spans(toks))

    def starts(self, toks: list[str]) -> bool:
        """True when the message begins with one of the phrases."""
        return bool(toks) and any(tuple(toks[: len(p)]) == p for p in self._by_first.get(toks[0], ()))


def covered(toks: list[str], *indexes: PhraseIndex) -> bool:
    """True when every word of ``toks`` belongs to a phrase of one of ``indexes`` (a message that is
    nothing but, say, a yes and politeness)."""
    used = [False] * len(toks)
    for index in indexes:
        for a, b in index.spans(toks):
            for i in range(a, b):
                used[i] = True
    return all(used)
