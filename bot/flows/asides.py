"""Two questions people ask *about* a field while it waits for its value, told apart from the value.

"لحظة ليش تبون رقم الهوية؟", "why do you need my number?", "هل بياناتي محمية؟" ask what the data
is for and who sees it: they deserve that answer at the field, not "ask the officer later".
"وش اكتب هنا؟", "is this required?" ask what the field wants: its help, or — for an optional
field — that it may be skipped and how. Pure functions of the text (folded words); the flow stage
words the answers (``flow.why_*`` and ``flow.optional_what`` texts) and asks the field again.
"""

from __future__ import annotations

import re

from bot.understanding.text import PhraseIndex, key_of

__all__ = [
    "asks_for_person", "asks_what_to_write", "asks_why_needed", "means_dont_know", "means_hold_on", "means_later",
]

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


# --- a wish for a person, "later", "I don't know" -------------------------------------------------
# Said at a field or a choice step, these are never its value: "yes transfer me" once matched the
# option "Myself" through its alias "me", and "خلاص بعدين اكمل" was refused as a mobile number.
# Short messages only (a description may well tell of a call someone made), and never with digits.

#: leading words that only agree or soften ("yes, transfer me", "ايوه حولني")
_SOFT = PhraseIndex((
    "yes", "yeah", "yep", "ok", "okay", "please", "pls", "just", "can you", "could you", "can u", "i want to",
    "i'd like to", "id like to", "i would like to", "نعم", "ايوه", "ايوا", "اي", "ايه", "طيب", "تمام", "خلاص",
    "لو سمحت", "لو سمحتي", "ممكن", "الله يخليك", "الله يعافيك", "تكفى", "يا ليت", "ياليت", "بس", "طيب خلاص",
))
#: a transfer or a call asked for: enough on their own ("حولني", "transfer me", "كلموني")
_TRANSFER = PhraseIndex((
    "حولني", "حولوني", "حولني لموظف", "حولني على موظف", "حولني للموظف", "حولني على احد", "حولوني لموظف",
    "حولني لاحد", "وصلني", "وصلوني", "وصلني بموظف", "وصلني باحد", "كلموني", "كلمني", "اتصلوا علي", "اتصلو علي",
    "اتصلوا فيني", "اتصلو فيني", "اتصلوا بي", "دقوا علي", "ابي احد يكلمني", "ابي احد يتصل علي",
    "ابغى احد يكلمني", "احد يكلمني", "احد يتصل علي", "ابي اكلم احد", "ابغى اكلم احد", "ابي اتكلم مع احد",
    "transfer me", "transfer", "put me through", "connect me", "call me", "call me back", "someone call me",
    "talk to someone", "talk to a person", "speak to someone", "speak to a person", "have someone call me",
    "7awelni", "7aweleni", "hawelni",
))
#: a person, wished for with a verb of wanting or talking ("ابي موظف", "I want a human")
_PERSON = PhraseIndex((
    "موظف", "موظفه", "الموظف", "الموظفه", "لموظف", "بموظف", "مع موظف", "انسان", "خدمه العملاء",
    "human", "a human", "a person", "agent", "an agent", "staff", "officer",
    "an officer", "real person", "a real person", "mowazaf", "mowadaf", "mwazaf",
))
_WANT = PhraseIndex((
    "ابي", "ابغى", "ابغا", "ابا", "اريد", "ودي", "بغيت", "ابي اكلم", "ابي اتكلم", "ابغى اكلم", "اكلم", "كلم",
    "اتكلم", "حولني", "حولوني", "وصلني", "i want", "i need", "want", "need", "talk to", "speak to", "speak with",
    "talk with", "get me", "give me", "abi", "abgha", "abga",
))


def _without_soft(toks: list[str]) -> list[str]:
    changed = True
    while toks and changed:
        changed = False
        for a, b in _SOFT.spans(toks):
            if a == 0 and b < len(toks):
                toks, changed = toks[b:], True
                break
    return toks


def asks_for_person(text: str) -> bool:
    """A clear wish to be handed to a person ("حولني", "ابي موظف", "yes transfer me", "كلموني")."""
    if any(ch.isdigit() for ch in text):
        return False
    toks = _without_soft(key_of(text).split())
    if not toks or len(toks) > 6:
        return False
    if _TRANSFER.starts(toks) or (len(toks) <= 3 and _TRANSFER.found_in(toks)):
        return True
    return _WANT.starts(toks) and _PERSON.found_in(toks)


#: "I'll finish later", "busy now": the form waits, and the person should hear that it does
_LATER = PhraseIndex((
    "بعدين", "بعدين اكمل", "اكمل بعدين", "اكمله بعدين", "نكمل بعدين", "اكمل لاحقا", "لاحقا", "بعد شوي",
    "مشغول", "مشغوله", "مو فاضي", "مب فاضي", "مو فاضيه", "ماني فاضي", "ما عندي وقت", "وقت ثاني", "مره ثانيه",
    "later", "finish later", "continue later", "do it later", "i'll finish later", "ill finish later", "busy",
    "not now", "another time", "ba3dain", "ba3den", "ba3deen",
))
#: not a "later" that is part of an answer ("سافرت بعدين رجعت")
_LATER_AVOID = PhraseIndex(("لاحقا ارسل", "ارسله لاحقا", "ارسلها لاحقا", "send it later", "send later"))


def means_later(text: str) -> bool:
    """A wish to stop now and finish the form later ("خلاص بعدين اكمل، مشغول الحين")."""
    if any(ch.isdigit() for ch in text):
        return False
    toks = key_of(text).split()
    if not toks or len(toks) > 8:
        return False
    return _LATER.found_in(toks) and not _LATER_AVOID.found_in(toks)


#: "one moment" ("لحظة اجيب الهوية", "wait a sec"): the person is fetching something and will answer;
#: not a value of the field (a name "لحظة" was refused as one word), and not a wish to stop
_HOLD = PhraseIndex((
    "لحظة", "لحظه", "لحظات", "لحظة لو سمحت", "لحظه لو سمحت", "لحظة بس", "لحظه بس", "ثواني", "ثانية", "ثانيه",
    "ثواني بس", "دقيقة", "دقيقه", "دقيقة بس", "دقيقه بس", "انتظر", "انتظري", "انتظرني", "انتظروني", "انتظر شوي",
    "اصبر", "اصبري", "اصبر علي", "اصبروا علي", "شوي", "شوي بس", "ثانيه بس", "عطني دقيقة", "عطني دقيقه",
    "عطني ثانية", "عطني ثواني",
    "wait", "wait a sec", "wait a second", "wait a minute", "wait a moment", "one sec", "one second", "a sec",
    "just a sec", "just a second", "just a moment", "one moment", "a moment", "hold on", "give me a sec",
    "give me a second", "give me a minute", "lahza", "la7za", "la7tha", "lahtha", "thawani",
))


#: a number standing as one (a digit inside a Latin word is an Arabizi letter: "la7za")
_STANDING_NUMBER = re.compile(r"(?<![A-Za-z0-9])[0-9٠-٩]+(?![A-Za-z0-9])")
#: what may follow "لحظة" in a hold-on message: politeness, or the person fetching the answer
_HOLD_AFTER = frozenset(key_of(w) for w in (
    "لو سمحت لو سمحتي الله يخليك بس please pls اجيب اجيبها اجيبه اجيبلك اشوف اشوفها ادور ادورها اطلع اطلعها "
    "اتاكد اتأكد اسأل اسال اكلم i let me get check find look ask"
).split())


def means_hold_on(text: str) -> bool:
    """"One moment", alone or with the person fetching the answer ("لحظة اجيب الهوية", "wait a sec,
    let me check"); never a message with a number or other words in it, which may be the answer."""
    if _STANDING_NUMBER.search(text):
        return False
    toks = key_of(text).split()
    if not 0 < len(toks) <= 6 or not _HOLD.starts(toks):
        return False
    rest = next(toks[e:] for b, e in _HOLD.spans(toks) if b == 0)
    return not rest or rest[0] in _HOLD_AFTER


#: "I don't know" / "I don't have one" for an optional field: it is skipped
_DONT_KNOW = PhraseIndex((
    "ما اعرف", "ما اعرفه", "ما اعرفها", "ما ادري", "مادري", "ما اذكر", "ما اذكره", "ما احفظه", "ما اتذكر",
    "ماعرف", "ما عندي", "ماعندي", "ما عندي رقم", "لا اعرف", "لا أعلم", "لا اعلم", "ليس لدي", "لا يوجد", "مافي",
    "ما فيه", "ما يوجد", "ما لي", "ماني عارف", "مو عارف", "مب عارف", "ما حفظته", "نسيته", "نسيت", "ناسي",
    "i don't know", "i dont know", "don't know", "dont know", "dunno", "no idea", "not sure", "i don't have",
    "i dont have", "don't have", "dont have", "i have none", "none", "i forgot", "forgot", "can't remember",
    "cant remember", "i don't remember", "i dont remember", "ma a3rf", "ma a3ref", "madri", "ma adri",
))


def means_dont_know(text: str, *, whole: bool = False) -> bool:
    """"I don't know / I don't have it" ("ما اعرف رقم عضويتي", "I don't know my member number").
    ``whole``: only when that is the whole message (where free prose is the answer, "ما عندي دخل
    ثابت" is a description, not a skip)."""
    if any(ch.isdigit() for ch in text):
        return False
    toks = _without_soft(key_of(text).split())
    if not toks or len(toks) > 8 or not _DONT_KNOW.starts(toks):
        return False
    return not whole or any(b == len(toks) for a, b in _DONT_KNOW.spans(toks) if a == 0)
