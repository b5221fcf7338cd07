"""Questions about another association ("جمعية زهرة لسرطان الثدي وش رقمهم؟", "ابي ارقام جمعية البر").

Such a question shares words with our own topics (a phone number, "contact", "who are you") and
would be answered with *our* contact channels or *our* about text, which is wrong and
misleading. Associations are named "جمعية X". X is ours only when it is one of this
association's own names: a distinctive word of its short name ("جمعية أمس", "جمعية رتل"), or one
of its names or its tagline from the start ("جمعية أصدقاء مرضى السرطان"). That X merely appears
somewhere in our texts is not enough: Amass's texts speak of cancer, yet "جمعية سرطان الثدي" is
another body. "الجمعية" (with the article) and "جمعيتكم" are ours, and so is "جمعية" followed by a
description that fits any association ("جمعية خيرية؟", "هل انتم جمعية تعليمية؟").

In English the name comes first: "can Amass association help my uncle?" asked of another
association. There a capitalised word before "association" or "society" names a body; it is ours
when it is a distinctive word of our short name or the last word of one of our names ("Al-Hajj",
"Ta'heel", "Friends of Cancer Patients Association"). A lower-case or descriptive word ("your
association", "a Saudi charity association", "the cancer association") is left to the matcher:
without the capital it reads as a description as often as a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.faq.normalize import char_normalize, normalize

__all__ = ["OwnNames", "names_other_body", "own_names"]

#: "جمعيه" with an attached particle but no article: و/ب/ل/ف + جمعيه
_BODY = re.compile(r"^[وبلف]?جمعيه$")
#: words after "جمعيه" that describe an association rather than name one
_GENERIC = frozenset(
    normalize(
        """خيرية أهلية مرخصة رسمية حكومية ربحية غير معتمدة مسجلة تعاونية تطوعية وطنية سعودية كبيرة صغيرة
        جديدة تابعة ثانية ثانيه أخرى اخرى غيركم ولا او أو وش ايش ماذا هل ما من في عن على مع هذه هذي تبعكم
        حقتكم حقكم عندكم لكم منكم انتم واحدة متخصصة خاصة عامة تعليمية علمية صحية طبية اجتماعية ثقافية
        تنموية إنسانية انسانية مهنية شبابية نسائية دعوية رقمية إلكترونية الكترونية"""
    ).split()
)
#: words of a name that say what kind of body it is, not which one
_KIND = frozenset(normalize("جمعية association society the of for and").split())
#: how many words of a long name or tagline must follow "جمعيه" for it to be ours
_PHRASE_WORDS = 3
#: an English word before "association"/"society" ("Amass association", "Zahra Breast Cancer Society")
_EN_BODY = re.compile(r"([A-Za-z][A-Za-z'-]*)\s+(?:association|society)\b", re.IGNORECASE)
#: capitalised English words before "association" that describe, point or start a sentence rather
#: than name ("Your association", "Is association membership free?", "Hi association")
_EN_GENERIC = frozenset(
    """the this that these your ur yr our my his her their a an which what whose each every any per same other
    another such charity charitable nonprofit non profit saudi local national government governmental private public
    registered licensed official volunteer volunteering welfare community of for and or to in at on by from with about
    i we you he she it they me us is are was were be do does did can could will would should may must has have had
    how when where why who whom hi hello hey dear please pls thanks join contact call ask tell new old good big small"""
    .split()
)


@dataclass(frozen=True)
class OwnNames:
    """An association's names, normalised: the distinctive words of its short names, and the
    word sequences of all its names and tagline (the kind word "جمعية" left out)."""

    distinctive: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]


def own_names(names: Iterable[str], short_names: Iterable[str]) -> OwnNames:
    """``names``: every name and tagline (Arabic and English); ``short_names``: the short ones,
    whose non-generic words alone name the association ("أمس" of "جمعية أمس")."""
    distinctive = frozenset(w for s in short_names for w in normalize(s).split()
                            if len(w) >= 3 and w not in _KIND | _GENERIC)
    phrases = {tuple(w for w in normalize(n).split() if w not in _KIND) for n in [*names, *short_names]}
    return OwnNames(distinctive, tuple(sorted(p for p in phrases if p)))


def _same(word: str, name_word: str) -> bool:
    """The same word, a typo allowed in words long enough to tell one from another."""
    return word == name_word or (min(len(word), len(name_word)) >= 4 and fuzz.ratio(word, name_word) >= 80)


def _ours(after: list[str], names: OwnNames) -> bool:
    first = after[0]
    if any(_same(first, w) for w in names.distinctive):
        return True
    for phrase in names.phrases:
        need = phrase[:_PHRASE_WORDS]
        if len(after) >= len(need) and all(_same(a, p) for a, p in zip(after, need, strict=False)):
            return True
    return False


def _ours_en(word: str, names: OwnNames) -> bool:
    """An English name word is ours: a distinctive word of our short name, or the last word of
    one of our names (the word an English name puts just before "association")."""
    return any(_same(word, w) for w in names.distinctive) or any(_same(word, p[-1]) for p in names.phrases)


def _names_other_body_en(text: str, names: OwnNames) -> bool:
    for m in _EN_BODY.finditer(text):
        if not m.group(1)[0].isupper():
            continue
        words = normalize(m.group(1)).split()
        if words and words[-1] not in _EN_GENERIC and not _ours_en(words[-1], names):
            return True
    return False


#: "you" just before "جمعية X": the person describes *this* association ("انتو جمعيه تحفيظ ولا…؟",
#: "are you a Quran association?"), it names no other one
_YOU = frozenset(normalize("انتم انتو انتوا انتي انت هل انتم يعني انتم حضرتكم").split())


def names_other_body(text: str, names: OwnNames) -> bool:
    """True when ``text`` names an association ("جمعية X", "X Association") that is none of ``names``."""
    if _names_other_body_en(text, names):
        return True
    toks = char_normalize(text).split()
    for i, tok in enumerate(toks[:-1]):
        if not _BODY.match(tok):
            continue
        if i and normalize(toks[i - 1]) in _YOU:
            continue
        after = [w for w in (normalize(t) for t in toks[i + 1:i + 1 + _PHRASE_WORDS]) if w]
        if not after or after[0].isdigit() or after[0] in _GENERIC:
            continue
        if not _ours(after, names):
            return True
    return False
