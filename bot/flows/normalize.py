"""Text clean-up for the forms: place names and digits-only, on top of the shared primitives.

:func:`clean` (what gets stored) and :func:`fold` (matching only) live in
:mod:`bot.understanding.text`, which understanding, the FAQ and the forms share; they are
re-exported here for the validators and matchers that always imported them from this module.
"""

from __future__ import annotations

import re

from bot.understanding.text import clean, fold, fold_digits, strip_controls

__all__ = ["clean", "fold", "fold_digits", "fold_place", "only_digits", "strip_controls"]


def fold_place(text: str) -> str:
    """Like :func:`fold`, also dropping the definite article so "الرياض" = "رياض" = "riyadh"."""
    words = []
    for w in fold(text).split(" "):
        if w.startswith("ال") and len(w) > 3:
            w = w[2:]
        if w in {"al", "el", "ar", "ad", "as", "az"}:
            continue
        words.append(w)
    return " ".join(words)


def only_digits(text: str) -> str:
    """Digits of ``text`` after folding, with common separators (space, dash, dot) removed."""
    return re.sub(r"[\s\-–—.()/]", "", fold_digits(clean(text)))
