"""Consonant skeletons: a forgiving view of a word for typos and Arabizi.

Arabizi leaves out most vowels and writes ظ as z, th, dh or d; phone typists swap ت/ط,
س/ص, ه/ح. Reducing words to consonant classes (long vowels dropped, look-alike or
sound-alike letters merged) lets "mowadaf" and "موظف" meet as "مدف". Used as one matching
channel among several, never alone, because it also merges words that differ.
"""

from __future__ import annotations

__all__ = ["skeleton", "skeleton_text"]

_CLASS = str.maketrans(
    {
        "ط": "ت",
        "ذ": "د", "ض": "د", "ظ": "د", "ز": "د",
        "ث": "س", "ص": "س",
        "ق": "ك",
        "ح": "ه",
        "غ": "ع",
    }
)  # fmt: skip
_ARABIC_VOWELS = set("اوي")
_LATIN_VOWELS = set("aeiouy")


def skeleton(word: str) -> str:
    """The consonant class string of one normalised word."""
    if not word:
        return word
    arabic = "\u0621" <= word[0] <= "\u064a"
    vowels = _ARABIC_VOWELS if arabic else _LATIN_VOWELS
    word = word.translate(_CLASS) if arabic else word
    if arabic and len(word) > 2 and word.endswith("ه"):
        word = word[:-1]
    out = [word[0]]
    for ch in word[1:]:
        if ch in vowels or ch == out[-1]:
            continue
        out.append(ch)
    return "".join(out)


def skeleton_text(normalized: str) -> str:
    return " ".join(skeleton(w) for w in normalized.split())
