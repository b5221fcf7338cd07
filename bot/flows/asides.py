"""Two questions people ask *about* a field while it waits for its value, told apart from the value.

"لحظة ليش تبون رقم الهوية؟", "why do you need my number?", "هل بياناتي محمية؟" ask what the data
is for and who sees it: they deserve that answer at the field, not "ask the officer later".
"وش اكتب هنا؟", "is this required?" ask what the field wants: its help, or — for an optional
field — that it may be skipped and how. Pure functions of the text (folded words); the flow stage
words the answers (``flow.why_*`` and ``flow.optional_what`` texts) and asks the field again.
"""

from __future__ import annotations

from bot.understanding.text import PhraseIndex, key_of

__all__ = ["asks_what_to_write", "asks_why_needed"]

#: asking what for: "why", "what for", "what will you do with"
_WHY = PhraseIndex((
    "ليش", "ليه", "لماذا", "لاي سبب", "لاي غرض", "وش الغرض", "ايش الغرض", "ما الغرض", "وش السبب", "ايش السبب",
    "ما السبب", "وش فايده", "وش الفايده", "ايش الفايده", "وش تسوون", "ايش تسوون", "وش بتسوون", "ايش بتسوون",
    "وش راح تسوون", "ماذا ستفعلون", "كيف تستخدمون", "وش تستخدمون", "لويش", "why", "what for", "for what",
    "what is it for", "whats it for", "what do you do with", "what will you do with", "how will you use",
    "what do you use", "lesh", "leesh", "laish", "lish", "lyh", "leh",
))
#: asking whether it is safe: "is my data protected?", "who sees it?"
_SAFE = PhraseIndex((
    "محميه", "محمي", "امنه", "امن", "امان", "بامان", "سريه", "سري", "مشفره", "مشفر", "مين يشوف", "مين يشوفها",
    "مين يطلع", "من يطلع", "يطلع عليها", "تنشرون", "تنشر", "تشاركون", "تعطونها", "safe", "secure", "private",
    "protected", "confidential", "encrypted", "who sees", "who can see", "share", "shared",
))
#: the field's data, or "you need / ask for"
_DATA = PhraseIndex((
    "هويه", "الهويه", "هويتي", "رقم", "الرقم", "رقمي", "جوال", "الجوال", "جوالي", "اسم", "الاسم", "اسمي", "بيانات",
    "البيانات", "بياناتي", "معلومات", "المعلومات", "معلوماتي", "اقامه", "الاقامه", "اقامتي", "عنوان", "عنواني",
    "السجل", "سجلي", "تبون", "تبونه", "تبونها", "تبغون", "تبغونه", "تبغونها", "تبي", "تبيه", "تبيها", "تحتاجون",
    "تحتاجونه", "تحتاجونها", "تحتاج", "تطلبون", "تطلبونه", "تطلبونها", "تطلب", "تسالون", "تسالوني", "تسال",
    "تاخذون", "تاخذونه", "لازم", "ضروري", "يلزم",
    "id", "iqama", "number", "mobile", "phone", "name", "data", "details", "information", "info", "personal",
    "address", "need", "needed", "want", "ask", "asking", "require", "required",
    "ببياناتي", "ببيانات", "بالبيانات", "بمعلوماتي", "بالمعلومات", "بهويتي", "بالهويه", "برقمي", "بالرقم", "بجوالي",
    "باسمي",
    "hawiya", "hawiyti", "ra8m", "raqam", "jawal", "jawali", "esm", "ismi", "bayanat", "tbon", "tbghon",
))
#: what to write: "what do I write here?", "وش المطلوب؟"
_WHAT = PhraseIndex(("وش", "ايش", "شو", "ماذا", "ما المطلوب", "what", "wsh", "wesh", "eish", "esh"))
_WRITE = PhraseIndex((
    "اكتب", "اكتبه", "اكتبها", "اعبي", "احط", "ادخل", "اجاوب", "ارد", "المطلوب", "تبيني", "تبون", "يعني",
    "write", "put", "type", "enter", "fill", "answer", "say", "mean", "needed", "ektb", "aktb",
))
#: is it required: "لازم اكتب؟", "is this required?"
_REQUIRED = PhraseIndex((
    "لازم", "ضروري", "اجباري", "الزامي", "مطلوب", "اختياري", "اقدر اتخطى", "اقدر اتجاوز", "required", "mandatory",
    "optional", "must i", "do i have to", "have to", "can i skip", "skip it",
))


def asks_why_needed(text: str) -> bool:
    """A question about why the data is asked for or how it is kept ("ليش تبون رقم الهوية؟")."""
    toks = key_of(text).split()
    if not toks or len(toks) > 16:
        return False
    asks = "?" in text or "؟" in text or _WHY.found_in(toks) or _SAFE.found_in(toks)
    why = _WHY.found_in(toks) or (toks[-1] == "for" and _WHAT.found_in(toks))
    return asks and ((why and _DATA.found_in(toks)) or (_SAFE.found_in(toks) and _DATA.found_in(toks)))


def asks_what_to_write(text: str) -> bool:
    """A question about what the field wants or whether it must be answered ("وش اكتب هنا؟")."""
    toks = key_of(text).split()
    if not toks or len(toks) > 10:
        return False
    asks = "?" in text or "؟" in text or _WHAT.starts(toks) or _REQUIRED.starts(toks)
    return asks and ((_WHAT.found_in(toks) and _WRITE.found_in(toks)) or _REQUIRED.found_in(toks))
