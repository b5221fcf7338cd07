"""The one matching key every part of understanding compares on.

Built on :func:`bot.flows.normalize.fold` (lower case, ASCII digits from the one digit table,
no diacritics, one alef, no punctuation) so a command typed as "إلغاء!" or "CANCEL" and the
word lists written naturally meet in the same form.
"""

from __future__ import annotations

from bot.flows.normalize import fold, fold_digits, strip_controls

__all__ = ["fold", "fold_digits", "key_of", "padded", "strip_controls"]


def key_of(text: str) -> str:
    """The folded form of ``text`` ("" for no text); words separated by single spaces."""
    return fold(text) if text else ""


def padded(key: str) -> str:
    """``key`` with a space either side, so phrase lookups match whole words only."""
    return f" {key} "
