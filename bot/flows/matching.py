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
from functools import lru_cache

from rapidfuzz import fuzz

from bot.flows.normalize import fold, fold_place

#: below this score (see :func:`_part_score`) a typed answer is not taken as an option
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
#: an option word found whole inside the message counts this much of a perfect score (below a
#: typo-free whole answer, above the threshold): "مستلزمات" for «مستلزمات طبية»
WORD_PART = 0.9
#: words too short or too common to pick an option on their own ("لا", "تم", "ok"): they must be
#: the whole of an option or alias to count, never a part of one, and never a piece of a longer
#: word («تم» is inside «اجتماعي», «لا» inside «العلاج»)
SHORT_WORD = 3
FUNCTION_WORDS = frozenset(fold(w) for w in (
    "لا ما في من الى إلى على عن او أو و ثم تم نعم اي ايه لي له لك هل يا مع بس كل هو هي انا ok no yes a an"
    " the of to for in on and or my me it"
).split())


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


@lru_cache(maxsize=4096)
def _keys(option: Option, place: bool) -> tuple[str, ...]:
    """The folded texts an option answers to; remembered, since the same options are matched on
    every turn of a form (folding each label and alias again was a third of a form turn's time)."""
    key = fold_place if place else fold
    texts = [option.value.replace("_", " "), option.label_ar, option.label_en, *option.aliases]
    return tuple(k for k in (key(t) for t in texts) if k)


def _part_score(key: str, k: str) -> float:
    """How well the typed ``key`` fits the option text ``k``, comparing whole words only.

    A typo in the whole answer is forgiven (plain ratio, both sides whole); a part of the answer
    or of the option counts only as whole consecutive words ("مستلزمات" of «مستلزمات طبية»,
    "transport" in "transport please"), scaled by :data:`WORD_PART`. Never a piece of a word:
    rapidfuzz's partial ratio found «تم» inside «اجتماعي» and filed the wrong support type.
    """
    whole = fuzz.ratio(key, k)
    m_words, k_words = key.split(" "), k.split(" ")
    if len(m_words) == len(k_words):
        return max(whole, fuzz.token_sort_ratio(key, k)) if len(m_words) > 1 else whole
    short, long_ = (m_words, k_words) if len(m_words) < len(k_words) else (k_words, m_words)
    if all(w in FUNCTION_WORDS or len(w) <= SHORT_WORD for w in short):
        # a short or common word alone is a part only when it is one whole word of the other side
        # and means something ("دعم" of «دعم آخر»), never a near-spelling of one
        exact = not any(w in FUNCTION_WORDS for w in short) and " ".join(short) in {
            " ".join(long_[i:i + len(short)]) for i in range(len(long_) - len(short) + 1)}
        return max(whole, 100.0 * WORD_PART if exact else 0.0)
    n, s = len(short), " ".join(short)
    part = max(fuzz.ratio(s, " ".join(long_[i:i + n])) for i in range(len(long_) - n + 1))
    return max(whole, part * WORD_PART)


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
    for k, idx in table:
        score = _part_score(key, k)
        if score >= cutoff:
            best[idx] = max(best.get(idx, 0.0), score)
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
