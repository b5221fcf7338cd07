"""Commands in the words people actually type: the one list of command words in the bot.

A command is recognised when the whole message, once politeness and "I want" are peeled off
both ends, is one of its phrasings ("ابي القائمة لو سمحت", "take me to the menu please",
"وش صار على طلبي"). Only whole messages: "الغاء" inside a sentence about a cancelled
appointment is not a command. The flow runner's back/help/skip/cancel and the stages'
menu/cancel/language/"my requests" all read these lists.
"""

from __future__ import annotations

from typing import Literal

from bot.understanding.text import key_of

Command = Literal[
    "menu", "cancel", "human", "my_requests", "status", "lang_en", "lang_ar", "back", "help", "skip", "restart",
]

_PHRASES: dict[Command, tuple[str, ...]] = {
    "menu": (
        "menu", "/menu", "/start", "main menu", "the menu", "home", "options", "القائمه", "القائمة",
        "قائمه", "قائمة", "القائمة الرئيسية", "القائمه الرئيسيه", "الرئيسية", "منيو", "ابدا", "ابدأ", "البداية",
        "الخيارات", "رجوع للقائمة", "ارجع للقائمة", "ارجع للقائمه الرئيسيه", "0", "ارجع للمساعد",
        "رجعني للمساعد", "خلاص ابي ارجع للمساعد", "ارجع للبوت", "المساعد", "back to the assistant", "back to the bot",
        "back to menu", "back to the menu",
    ),
    "cancel": (
        "cancel", "/cancel", "cancel request", "cancel it", "الغاء", "إلغاء", "الغ", "الغي", "إلغ", "الغاء الطلب",
        "إلغاء الطلب", "الغيه", "الغه", "خلاص الغ", "خلاص الغي", "خلاص الغه", "خلاص الغيه", "ما ابي اكمل",
        "ما ابي اكمل الطلب", "مابي اكمل", "ما ابغى اكمل", "خلاص ما ابي اكمل", "خلاص ما ابي اكمل الطلب الغه",
        "ما ابي اكمل الطلب الغه", "الغ الطلب", "الغي الطلب", "stop the form", "i don't want to continue",
    ),
    "human": (
        "موظف", "الموظف", "موظفه", "ابي موظف", "ابغى موظف", "كلم موظف", "اكلم موظف", "تحويل لموظف", "حولني لموظف",
        "ابي اكلم موظف", "ابغى اكلم موظف", "ابي اتكلم مع موظف", "ابي اكلم احد", "ابي اكلم شخص", "خدمة العملاء",
        "انسان", "human", "agent", "staff", "/human", "officer", "real person", "talk to someone", "talk to a person",
        "talk to an officer", "talk to a human", "speak to someone", "speak to a person", "speak to an officer",
        "abi mowadaf", "abi mwazaf", "abi mowazaf", "abgha mowazaf",
    ),
    "my_requests": (
        "طلباتي", "طلبي", "طلباتي المفتوحة", "حالة طلبي", "حاله طلبي", "حالة طلباتي", "وش صار على طلبي",
        "وش صار في طلبي", "ايش صار على طلبي", "ايش صار في طلبي", "وين وصل طلبي", "متابعة طلبي", "تابع طلبي",
        "وين طلباتي", "وين طلبي", "طلباتي وين", "وش صار على طلباتي", "عرض طلباتي",
        "اشوف طلباتي", "ابي اشوف طلباتي", "عرض طلباتي اللي قدمتها", "طلباتي اللي قدمتها", "الطلبات اللي قدمتها",
        "6alabati", "6albati", "talabati", "my requests", "my request", "my applications", "my application",
        "my request status", "status of my request", "where is my request", "track my request",
    ),
    "status": (
        "حالة الطلب", "حاله الطلب", "الاستعلام عن طلب", "استعلام عن طلب", "الاستعلام عن الطلب", "متابعة طلب",
        "request status", "check a request", "check my request", "check status",
    ),
    "lang_en": (
        "english", "/en", "en", "انجليزي", "إنجليزي", "الانجليزية", "الإنجليزية", "بالانجليزي", "in english",
        "english please", "speak english", "can you speak english",
    ),
    "lang_ar": ("عربي", "/ar", "arabic", "العربية", "العربيه", "بالعربي", "in arabic", "arabic please", "عربي لو سمحت"),
    "back": ("رجوع", "ارجع", "السابق", "رجوع للسابق", "back", "previous", "go back", "السؤال السابق",
             "ارجع للسؤال السابق", "ارجع للسؤال اللي قبل", "السؤال اللي قبل", "رجعني للسؤال اللي قبل",
             "الخطوه السابقه", "previous question", "go back to the previous question", "the previous question"),
    "restart": ("ابدا من جديد", "ابدأ من جديد", "من جديد", "ابي ابدا من جديد", "نبدا من جديد", "ابدا الطلب من جديد",
                "start again", "start over", "restart", "start from the beginning"),
    "help": ("مساعدة", "مساعده", "help", "/help"),
    "skip": ("تخطي", "تخطى", "تجاوز", "skip", "/skip"),
}

#: politeness and "I want" around a command ("ابي القائمة لو سمحت", "show me my requests please")
_LEAD = tuple(key_of(w).split() for w in (
    "لو سمحت", "لو سمحتي", "ممكن", "ابي", "ابغى", "ابغا", "اريد", "ودي", "please", "pls", "i want", "i want to",
    "i'd like", "id like", "can i", "show me", "show", "take me to", "go to", "open", "see", "view", "يا", "خلاص",
    "اشوف", "ابي اشوف", "اعرض", "عرض", "اعرف",
    "طيب", "ok", "okay",
))
_TRAIL = tuple(key_of(w).split() for w in (
    "اللي قدمتها", "اللي قدمته", "اللي عندكم", "that i submitted", "i submitted",
    "لو سمحت", "لو سمحتي", "الله يخليك", "الله يعافيك", "بليز", "please", "pls", "thanks", "thank you", "شكرا",
))

WORDS: dict[str, Command] = {}
for _command, _phrases in _PHRASES.items():
    for _p in _phrases:
        WORDS.setdefault(key_of(_p), _command)


def _peel(toks: list[str]) -> list[str]:
    changed = True
    while toks and changed:
        changed = False
        for lead in _LEAD:
            if len(toks) > len(lead) and toks[: len(lead)] == lead:
                toks, changed = toks[len(lead):], True
        for trail in _TRAIL:
            if len(toks) > len(trail) and toks[-len(trail):] == trail:
                toks, changed = toks[: -len(trail)], True
    return toks


def command_of_key(key: str) -> Command | None:
    """The command a whole folded message is, if any."""
    if not key or len(key) > 60:
        return None
    found = WORDS.get(key)
    if found is not None:
        return found
    return WORDS.get(" ".join(_peel(key.split())))


def command_of(text: str) -> Command | None:
    """The command a whole message is, if any (see the module docstring)."""
    return command_of_key(key_of(text))


def words_for(*commands: Command) -> frozenset[str]:
    """The folded phrasings of ``commands`` (for callers that match a fixed set)."""
    return frozenset(k for k, c in WORDS.items() if c in commands)
