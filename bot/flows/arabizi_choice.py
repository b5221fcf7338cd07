"""Choices answered in Arabizi ("nafsi", "7aj", "estesharah"): read as the Arabic they spell.

Forms' options are labelled in Arabic and English; Arabic speakers on a Latin keyboard type the
Arabic word in Latin letters, which matches neither ("لم أتعرف على اختيارك" for "flous"). When a
choice was not recognised as typed, the Latin message is transliterated and matched against the
options' Arabic labels and aliases only — with a stricter fuzzy threshold than Arabic typed as such,
since Arabizi's vowels are guesses, and its "th" tried as ث and as ظ. Plain English is never
transliterated, and an English answer that matched as typed never gets here.

The transliteration itself (:func:`bot.faq.arabizi.transliterate`) is supplied by the engine in
:class:`~bot.flows.state.StepContext`: the flows are loaded while :mod:`bot.faq` is (packs load
flows), so they cannot import it without a cycle at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.flows.matching import Ambiguous, Option, match_option
from bot.flows.normalize import fold
from bot.flows.validators import CHOICE_TYPES, FieldSpec, Invalid, Result, Valid, display_for, validate

#: a transliterated answer must fit an Arabic option this well (its vowels are guesses)
ARABIZI_THRESHOLD = 85.0
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z]")
#: English words that are never Arabizi: a message made only of them (and of the options' own English
#: words) is plain English and is not transliterated ("other" would become «اثر»)
_ENGLISH = frozenset(
    """a an the i you he she it we they me my your our is are was be am do can want need please thanks yes
    no ok okay help other another none nothing any some all both and or not for to of in on with by
    one two three first second third last this that money transport housing medical support family
    course courses program programme programs consultation service services training online""".split()
)


def arabizi_choice(raw: str, spec: FieldSpec, arabic_of: Callable[[str], str]) -> Result | None:
    """The choice (or choices) an unrecognised Latin answer spells in Arabizi, or None;
    ``arabic_of`` writes Arabizi in Arabic script."""
    if spec.type not in CHOICE_TYPES or not _transliterable(raw, spec.choices):
        return None
    arabic_side = tuple(_arabic_side(o) for o in spec.choices)
    by_value = {o.value: o for o in spec.choices}
    arabic = arabic_of(raw)
    for text in dict.fromkeys((arabic, arabic.replace("ث", "ظ"))):  # Gulf "th" is often ظ
        if spec.type == "multi_choice":
            found = validate(text, replace(spec, choices=arabic_side))
            if isinstance(found, Valid):
                return Valid(found.value, display_for(spec, found.value))
            continue
        match = match_option(text, arabic_side, numbered=False, threshold=ARABIZI_THRESHOLD)
        if isinstance(match, Option):
            return Valid(match.value, by_value[match.value].label(spec.lang))
        if isinstance(match, Ambiguous):
            sep = ", " if spec.lang == "en" else "، "
            labels = sep.join(by_value[o.value].label(spec.lang) for o in match.options)
            return Invalid("choice_ambiguous", {"options": labels})
    return None


def _transliterable(raw: str, options: tuple[Option, ...]) -> bool:
    """Latin text with no Arabic in it that is not plain English (nor the options' English words)."""
    if _ARABIC.search(raw) or not _LATIN.search(raw):
        return False
    own = {w for o in options for t in (o.label_en, *o.aliases) if not _ARABIC.search(t) for w in fold(t).split()}
    words = fold(raw).split()
    return not all(w in _ENGLISH or w in own for w in words)


def _arabic_side(option: Option) -> Option:
    """``option`` with its Arabic texts only: what a transliterated answer is compared with."""
    return Option(option.value, option.label_ar, "", tuple(a for a in option.aliases if _ARABIC.search(a)))

