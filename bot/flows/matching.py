"""Matching what someone typed against a short list of options (choices, cities, buttons).

People answer a list in three ways: by pressing a button (its value comes back), by typing the
number shown next to the option (channels without buttons get a numbered list), or by typing
the option itself — often in dialect or with typos. This module resolves all three, and says
"ambiguous" instead of guessing when two options fit almost equally well: a wrong guess in a
support request is worse than one more question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.flows.normalize import fold, fold_place

#: below this WRatio score a typed answer is not taken as an option
CHOICE_THRESHOLD = 80.0
PLACE_THRESHOLD = 85.0
#: two options closer than this (and below a perfect score) are reported as ambiguous
AMBIGUITY_MARGIN = 5.0
#: score given when all words of an option appear in the message (plus its word count, so the
#: more specific option wins); above any fuzzy score
CONTAINED = 1000.0
#: words that say "I want" in Gulf Arabic / English and tell nothing about which option
FILLER = frozenset(
    fold(w) for w in ("ابي", "أبغى", "ابغا", "أريد", "أحتاج", "ودي", "بدي", "i", "want", "need", "please", "لو", "سمحت")
)


@dataclass(frozen=True, slots=True)
class Option:
    """One selectable answer: a stable ``value`` stored in answers, labels shown to people."""

    value: str
    label_ar: str
    label_en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_ar


@dataclass(frozen=True, slots=True)
class Ambiguous:
    options: tuple[Option, ...]


Match = Option | Ambiguous | None


def _keys(option: Option, place: bool) -> list[str]:
    key = fold_place if place else fold
    texts = [option.value.replace("_", " "), option.label_ar, option.label_en, *option.aliases]
    return [k for k in (key(t) for t in texts) if k]


def match_option(
    raw: str,
    options: Sequence[Option],
    *,
    place: bool = False,
    numbered: bool = True,
    fuzzy: bool = True,
    threshold: float | None = None,
) -> Match:
    """Resolve ``raw`` to one of ``options``.

    Order matters: an exact button value or list number is unambiguous and wins over fuzzy
    matching; fuzzy matching runs on folded text with ``processor=None`` because the folding
    (alef forms, taa marbuta, Arabic digits) is ours and must not be redone differently.
    """
    if not options:
        return None
    stripped = raw.strip()
    for opt in options:  # a button press returns the value verbatim
        if stripped == opt.value:
            return opt
    key = fold_place(raw) if place else fold(raw)
    if not key:
        return None
    meaningful = [w for w in key.split(" ") if w not in FILLER]
    if meaningful:
        key = " ".join(meaningful)
    if numbered and re.fullmatch(r"[0-9]+", key):
        n = int(key)
        return options[n - 1] if 1 <= n <= len(options) else None
    table: list[tuple[str, int]] = []
    for i, opt in enumerate(options):
        for k in _keys(opt, place):
            if k == key:
                return opt
            table.append((k, i))
    if not fuzzy or len(key) < 2:
        return None
    best: dict[int, float] = {}
    words = set(key.split(" "))
    for k, idx in table:  # every word of an option inside the message: "ابي دعم مالي" ⊇ "دعم مالي"
        k_words = k.split(" ")
        if len(k) >= 2 and words.issuperset(k_words):
            best[idx] = max(best.get(idx, 0.0), CONTAINED + len(k_words))
    cutoff = threshold if threshold is not None else (PLACE_THRESHOLD if place else CHOICE_THRESHOLD)
    hits = process.extract(
        key, [k for k, _ in table], scorer=fuzz.WRatio, processor=None, limit=None, score_cutoff=cutoff
    )
    for _text, score, pos in hits:
        idx = table[pos][1]
        best[idx] = max(best.get(idx, 0.0), float(score))
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    top_idx, top_score = ranked[0]
    if top_score >= CONTAINED:  # containment: only an exact tie is ambiguous
        close = [i for i, s in ranked if s == top_score]
    else:
        close = [i for i, s in ranked if top_score - s < AMBIGUITY_MARGIN]
    if len(close) > 1:
        return Ambiguous(tuple(options[i] for i in close))
    return options[top_idx]
