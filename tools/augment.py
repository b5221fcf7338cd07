"""Noisy variants of held-out phrasings, for calibration only.

The packs' phrasings are typed carefully; real messages have typos and Arabizi. Cross-
validation that only replays clean phrasings would pick thresholds that are too trusting, so
``tools.calibrate_faq`` also replays each held-out phrasing with typos and as Arabizi. Deterministic
(seeded) so the chosen thresholds are reproducible.
"""

from __future__ import annotations

import random

__all__ = ["to_arabizi", "with_typos"]

_CONFUSABLE = ["تط", "سص", "هحة", "ذزظض", "اأإآ", "يى", "قك", "عغ", "دذ"]
_LATIN = {
    "ا": "a", "أ": "a", "إ": "e", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "7",
    "خ": "5", "د": "d", "ذ": "th", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "9", "ض": "dh",
    "ط": "6", "ظ": "th", "ع": "3", "غ": "gh", "ف": "f", "ق": "g", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "و": "w", "ي": "y", "ى": "a", "ة": "a", "ء": "2", "ؤ": "2", "ئ": "2",
}  # fmt: skip
_ALT = {"ق": ["q", "8", "g"], "ص": ["s", "9"], "ط": ["t", "6"], "خ": ["kh", "5"], "ظ": ["z", "th", "d"],
        "ح": ["7", "h"], "و": ["o", "w", "u"], "ي": ["i", "y", "ee"], "ة": ["a", "ah", "eh"]}  # fmt: skip


def with_typos(text: str, rng: random.Random, edits: int = 1) -> str:
    """One or two phone-keyboard slips: a dropped, doubled, swapped or confused letter."""
    chars = list(text)
    for _ in range(edits):
        pos = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(pos) < 4:
            break
        i = rng.choice(pos[1:-1])
        op = rng.randrange(4)
        if op == 0:
            del chars[i]
        elif op == 1:
            chars.insert(i, chars[i])
        elif op == 2 and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            group = next((g for g in _CONFUSABLE if chars[i] in g), None)
            if group:
                chars[i] = rng.choice([c for c in group if c != chars[i]] or [chars[i]])
            else:
                del chars[i]
    return "".join(chars)


def to_arabizi(text: str, rng: random.Random) -> str:
    """A plausible Arabizi spelling of an Arabic sentence (vowels guessed, digits for letters)."""
    words: list[str] = []
    for word in text.split():
        out: list[str] = []
        if word.startswith("ال") and len(word) > 3:
            out.append(rng.choice(["al", "el", "al-"]))
            word = word[2:]
        for i, ch in enumerate(word):
            latin = rng.choice(_ALT[ch]) if ch in _ALT and rng.random() < 0.5 else _LATIN.get(ch, "")
            out.append(latin)
            nxt = word[i + 1] if i + 1 < len(word) else ""
            if latin and nxt and nxt not in "اويى" and ch not in "اوي" and rng.random() < 0.6:
                out.append(rng.choice("aaaeio"))
        words.append("".join(out))
    return " ".join(w for w in words if w)
