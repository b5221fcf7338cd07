"""What a person wants done with a request they have already filed: withdraw it, add to it,
correct it, or know whether it (or their data update) went through.

Why a module of its own: once a request is filed, no form is in progress, so "ابي الغي الطلب"
used to meet the bare command "cancel" ("nothing in progress to cancel") and "ابي اضيف معلومة
للطلب" or "ابي اعدل رقم جوالي في الطلب" read as a wish to apply and opened a brand-new form. A
filed request can only be changed by the association's officer, so these wishes are recognised
here, apart from the command words (:mod:`bot.understanding.commands`, whole messages only) and
the FAQ (which starts forms), and :mod:`bot.stages.filed` hands them over.

A wish to change needs both a verb (withdraw / add / correct) and the request named ("الطلب",
"طلبي", "my application"): "ابي اعدل بياناتي" alone is the data-update form, "الغاء" alone
stays the command. Pure functions of the text.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.faq.arabizi import transliterate
from bot.understanding.text import key_of

Wish = Literal["cancel", "add", "correct", "check"]

_B, _E = r"(?<!\w)", r"(?!\w)"

#: the filed request named: "الطلب", "طلبي", "للطلب", "بطلبي", "my application", "6alabi"
_REQUEST = re.compile(
    _B + r"(?:[وفبل]?(?:ال|لل)?طلب(?:ي|نا|ه|اتي)?|الاستماره|استمارتي|my (?:request|application|form)|"
    r"the (?:request|application|form)|(?:request|application)|6alab\w*|talab\w*)" + _E)

_CANCEL = re.compile(
    _B + r"(?:[او]?الغ(?:ي|يه|ه|اء)?|نلغي|تلغون|تلغي|تلغوا|الغو|الغوا|الغاء|[او]?سحب|اسحب|نسحب|تسحبون|"
    r"احذف|حذف|امسح|ابطل|cancel\w*|withdraw\w*|delete|retract|"
    r"al?gh?i|alghi|el8i|algh?a2|2lghi|ilgha2|as7ab|ss7ab)" + _E)
_ADD = re.compile(
    _B + r"(?:[او]?ضيف|اضافه|نضيف|تضيفون|ازيد|ازود|ارفق|نرفق|add|adding|attach|additional|"
    r"adeef|a6eef|adif|a9eef)" + _E)
_CORRECT = re.compile(
    _B + r"(?:[او]?عدل|تعديل|نعدل|تعدلون|اغير|تغيير|نغير|تغيرون|اصحح|تصحيح|صحح|نصحح|غلطت|غلط|خطا|"
    r"edit|change|correct|correction|fix|update|mistake|wrong|a3addel|a3adel|3adel|aghayer|a8ayer)" + _E)

#: "وصل طلبي؟", "did my update go through?", "هل تم استلام طلبي"
_WENT_THROUGH = re.compile(
    _B + r"(?:وصل|وصلكم|وصلتكم|انرسل|ارسل|انحفظ|تم|استلمتوا|استلمتو|استلمتم|تسجل|اتسجل|"
    r"go through|went through|gone through|get through|received|receive|get|got|saved|submitted|sent|registered|"
    r"wesel|wasal|wosel)" + _E)
_UPDATE = re.compile(
    _B + r"(?:تحديث|التحديث|تحديثي|حدثت|تعديلي|التعديل|بياناتي|update|updated|my details|my data|my info)" + _E)
_MINE = re.compile(
    _B + r"(?:طلبي|طلباتي|[وفبل]?الطلب|تحديثي|التحديث|بياناتي|تعديلي|التعديل|"
    r"(?:my|the) (?:request|application|update|details|data|info|information|form)|6alabi|talabi)" + _E)
#: not about the filed one: a new request ("ابي اضيف طلب جديد", "add another application")
_NEW = re.compile(_B + r"(?:جديد|جديده|ثاني|ثانيه|اخر|اقدم|new|another|second|apply)" + _E)
#: "لا تلغون طلبي", "don't cancel my request": the opposite of the wish
_NOT = re.compile(_B + r"(?:لا|ما|مو|dont|don t|do not|not|never)\s+(?:\w+\s+)?"
                  r"(?:[او]?الغ|تلغ|نلغ|cancel|withdraw|delete|احذف|تحذف|تسحب|اسحب)")
_QUESTION = re.compile(_B + r"(?:هل|did|has|have|is|was|were|do|does)" + _E)


def wish_about_filed(text: str) -> Wish | None:
    """The wish about a filed request ``text`` expresses, or None (see the module docstring).

    A question whether it went through ("check") wins over the verbs it shares ("هل وصل
    التعديل؟" asks, it does not correct); withdrawing wins over adding and correcting ("ابي
    الغي الطلب واعدل…" is a withdrawal first)."""
    key = key_of(text)
    if not key or len(key.split()) > 40:
        return None
    keys = [key]
    if any("a" <= ch <= "z" for ch in key):
        arabic = key_of(transliterate(text))
        if arabic and arabic != key:
            keys.append(arabic)
    for k in keys:
        wish = _wish_of(k, asked="?" in text or "؟" in text)
        if wish is not None:
            return wish
    return None


def _wish_of(key: str, *, asked: bool) -> Wish | None:
    if _WENT_THROUGH.search(key) and _MINE.search(key) and (asked or _QUESTION.search(key)) \
            and len(key.split()) <= 12:
        return "check"
    if not _REQUEST.search(key) or _NEW.search(key) or _NOT.search(key):
        return None
    if _CANCEL.search(key):
        return "cancel"
    if _ADD.search(key):
        return "add"
    if _CORRECT.search(key):
        return "correct"
    return None


def about_an_update(text: str) -> bool:
    """The question names a data update ("did my update go through?", "وصل تحديث بياناتي؟")."""
    return bool(_UPDATE.search(key_of(text)))
