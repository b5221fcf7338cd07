"""Questions about another association ("جمعية زهرة لسرطان الثدي وش رقمهم؟", "ابي ارقام جمعية البر").

Such a question shares words with our own topics (a phone number, "contact", "who are you") and
would be answered with *our* contact channels or *our* about text, which is wrong and
misleading. Associations are named "جمعية X": when X is not a word this association's texts
know (its names, topics and answers, typos allowed), the question is about an outside body and
is refused like an outside programme. "الجمعية" (with the article) and "جمعيتكم" are ours, and
so is "جمعية" followed by a description that fits any association ("جمعية خيرية؟").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.faq.normalize import char_normalize, normalize

__all__ = ["names_other_body"]

#: "جمعيه" with an attached particle but no article: و/ب/ل/ف + جمعيه
_BODY = re.compile(r"^[وبلف]?جمعيه$")
#: words after "جمعيه" that describe an association rather than name one
_GENERIC = frozenset(
    normalize(
        """خيرية أهلية مرخصة رسمية حكومية ربحية غير معتمدة مسجلة تعاونية تطوعية وطنية سعودية كبيرة صغيرة
        جديدة تابعة ثانية ثانيه أخرى اخرى غيركم ولا او أو وش ايش ماذا هل ما من في عن على مع هذه هذي تبعكم
        حقتكم حقكم عندكم لكم منكم انتم واحدة متخصصة خاصة عامة"""
    ).split()
)


def names_other_body(text: str, known: Callable[[str], bool]) -> bool:
    """True when ``text`` names an association "جمعية X" whose X ``known`` (this association's
    vocabulary check, on a normalised word) does not recognise."""
    toks = char_normalize(text).split()
    for i, tok in enumerate(toks[:-1]):
        if not _BODY.match(tok):
            continue
        word = normalize(toks[i + 1])
        if word and not word.isdigit() and word not in _GENERIC and not known(word):
            return True
    return False
