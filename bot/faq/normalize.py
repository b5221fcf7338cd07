"""Arabic-first text normalisation shared by the FAQ index, the intents and the tests.

Beneficiaries type on phones: diacritics or none, hamza forms chosen at random, Eastern or
Western digits, tatweel, emoji, pasted bidi marks, Gulf words instead of MSA ones. Matching
only works if both the packs' phrasings and the incoming question are reduced to the same
form, so everything that compares text goes through :func:`normalize` (idempotent by
construction: every step is applied until it no longer changes anything).

Our own small module on purpose: the usual Arabic NLP toolkits are GPL or pull in models.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import yaml

from bot.digits import TO_WESTERN

__all__ = ["char_normalize", "normalize", "strip_prefix", "tokens"]

_LETTERS = {
    **{ord(c): "ا" for c in "أإآٱ"},
    ord("ى"): "ي",
    ord("ة"): "ه",
    ord("ؤ"): "و",
    ord("ئ"): "ي",
    ord("ء"): None,  # a bare hamza carries nothing a typist reliably writes
    ord("ک"): "ك",  # Persian keyboards
    ord("ی"): "ي",
    ord("ۀ"): "ه",
    ord("ھ"): "ه",
    ord("ـ"): None,  # tatweel
}
_TABLE = {**TO_WESTERN, **_LETTERS}
# Tatweel, zero-width and bidi controls are format characters (Cf) and are dropped with
# every other Cf; diacritics are combining marks (Mn) and go with every other mark.
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")
_PREFIXES = ("و", "ب", "ل")
_MIN_STEM = 3


def _is_arabic_word(word: str) -> bool:
    return all("\u0621" <= ch <= "\u064a" for ch in word)


class _CharMap(dict[int, str | None]):
    """Per-character outcome of the category rules, computed once per distinct character, so
    ``str.translate`` does the whole pass in C (the phrasings of 10,000 questions in ~0.1 s)."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        cat = unicodedata.category(ch)
        out: str | None
        if cat[0] == "L" or (cat[0] == "N" and ch.isascii()):
            out = ch
        elif cat[0] == "N":  # other digit systems and number signs: keep the digit value if any
            dig = unicodedata.digit(ch, None)
            out = str(dig) if dig is not None else " "
        elif cat[0] == "M" or cat == "Cf":
            out = None
        else:
            out = " "
        self[code] = out
        return out


_CHARS = _CharMap()


def _char_pass(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_TABLE)
    return " ".join(text.translate(_CHARS).split())


def char_normalize(text: str) -> str:
    """Character-level normalisation only (no dialect map, no prefix stripping)."""
    out = _char_pass(text)
    for _ in range(4):  # a removed mark can make a new composable pair; settle it
        again = _char_pass(out)
        if again == out:
            break
        out = again
    return _REPEAT.sub(r"\1", out)


@cache
def _dialect() -> dict[str, str]:
    raw = yaml.safe_load((Path(__file__).with_name("dialect.yaml")).read_text(encoding="utf-8")) or {}
    table: dict[str, str] = {}
    for target, forms in raw.items():
        norm_target = char_normalize(str(target))
        for form in forms:
            table[char_normalize(str(form))] = norm_target
    if set(table) & set(table.values()):
        raise ValueError("dialect.yaml: a target word is also a dialect form")
    return table


def strip_prefix(word: str) -> str:
    """Drop one article or attached و/ب/ل when at least three letters remain."""
    if not _is_arabic_word(word):
        return word
    for art in _ARTICLES:
        if word.startswith(art) and len(word) - len(art) >= _MIN_STEM:
            return word[len(art) :]
    if word[:1] in _PREFIXES and len(word) - 1 >= _MIN_STEM:
        return word[1:]
    return word


@lru_cache(maxsize=65536)
def _token(word: str) -> str:
    dialect = _dialect()
    for _ in range(8):
        mapped = dialect.get(word, word)
        stripped = strip_prefix(mapped)
        if stripped == word:
            break
        word = stripped
    return word


def normalize(text: str) -> str:
    """The matching form of ``text``: see the module docstring; never raises on ``str``."""
    if not text:
        return ""
    return " ".join(_token(w) for w in char_normalize(text).split())


def tokens(text: str) -> list[str]:
    """Normalised tokens of ``text``."""
    return normalize(text).split()
