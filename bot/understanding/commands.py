"""Commands in the words people actually type: the one list of command words in the bot.

A command is recognised when the whole message, once politeness and "I want" are peeled off
both ends, is one of its phrasings ("ابي القائمة لو سمحت", "take me to the menu please",
"وش صار على طلبي"). Only whole messages: "الغاء" inside a sentence about a cancelled
appointment is not a command. The flow runner's back/help/skip/cancel and the stages'
menu/cancel/language/"my requests" all read these lists.
"""

from __future__ import annotations

from typing import Literal

from bot.understanding.text import PhraseIndex, covered, key_of

Command = Literal[
    "menu", "cancel", "human", "my_requests", "status", "lang_en", "lang_ar", "back", "help", "skip", "restart",
    "continue",
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
        # mid-form off SMS, the opt-out stage leaves "stop" to the form (:mod:`bot.stages.optout`)
        "stop",
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
    # "carry on" where a form stands (after an officer handed the conversation back, after a pause)
    "continue": ("كمل", "كملي", "كملوا", "كملو", "نكمل", "اكمل", "خلنا نكمل", "يلا نكمل", "يالله نكمل", "خلينا نكمل",
                 "نكمل الطلب", "اكمل الطلب", "كمل الطلب", "كملي الطلب", "نكمل من حيث وقفنا", "اكمل من حيث وقفت",
                 "نتابع", "تابع", "تابعي", "المتابعة", "متابعة", "continue", "go on", "carry on", "let's continue",
                 "lets continue", "continue the form", "continue my request", "resume", "kamel", "kammel", "nkamel"),
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


# --- "show me the menu", in any phrasing ---------------------------------------------------------
# A fixed list cannot hold every way of asking for the menu ("رجعني للقائمه الرئيسيه لو سمحت",
# "طلعلي الخيارات مره ثانيه", "can I see the options again?", "raje3ni lel qa2ema"), so a short
# message is read as the menu when it names the menu and every other word only asks to see it,
# go back to it, or is politeness. A word about anything else ("الخيارات المتاحه للدعم", "the
# payment options") keeps it a question for the FAQ.

#: what the menu is called: enough on their own ("وين القائمه؟", "options again")
_MENU_NOUN_PHRASES = (
    "القائمه", "قائمه", "القائمه الرئيسيه", "قائمه الخيارات", "قائمه الخدمات", "القائمه الاساسيه", "منيو", "المنيو",
    "الخيارات", "خيارات", "الخيارات الرئيسيه", "الصفحه الرئيسيه", "الرئيسيه", "الخيارات اللي عندكم",
    "menu", "main menu", "the menu", "options", "the options", "my options", "option list", "list of options",
    "البدايه", "start menu", "home", "home page", "main page", "main options",
    "qa2ema", "qa2ima", "qaema", "qaima", "ga2ema", "gaema", "el qa2ema", "al qa2ema", "lel qa2ema", "lil qa2ema",
    "l qa2ema", "elqa2ema", "alqa2ema", "lqa2ema", "khiyarat", "el khiyarat", "al khiyarat", "menyu", "el menu",
    "al menu", "lel menu",
)
#: Arabizi writes ق as 8 as often as q ("el 8a2ema"): both spellings of each Latin name
_MENU_NOUNS = PhraseIndex((*_MENU_NOUN_PHRASES, *(p.replace("q", "8") for p in _MENU_NOUN_PHRASES if "q" in p)))
#: the services, as a list to choose from: the menu only with a verb of showing ("ابي اشوف الخدمات")
_SERVICE_NOUNS = PhraseIndex((
    "الخدمات", "خدماتكم", "الخدمات حقتكم", "الخدمات اللي عندكم", "قائمه خدماتكم", "services", "the services",
    "your services", "services list", "list of services", "the list of services", "the service list", "service list",
    "el khadamat", "al khadamat", "khadamat",
))
_SHOW = PhraseIndex((
    "اعرض", "اعرضلي", "اعرض لي", "اعرضوا", "اعرضي", "عرض", "طلع", "طلعلي", "طلع لي", "طلعي لي", "طلعولي", "طلعوا لي",
    "وريني", "ورني", "وريني ايش", "فرجيني", "نزلي", "نزل لي", "ارسل", "ارسلي", "ارسل لي", "ارسلوا", "ارسلو لي",
    "رسل", "رسلي", "رسل لي", "تعرض", "تعرضلي", "تعرض لي", "تعرضون", "تطلعلي", "تطلع لي", "توريني", "تورني",
    "ترسل", "ترسلي", "ترسل لي", "اشوف", "شوف", "نشوف", "افتح", "افتحلي", "افتح لي", "show", "show me", "see", "view",
    "display", "list", "bring up", "send", "send me", "give me", "open", "let me see", "warini", "wareeni",
    "warrini", "a4oof", "ashoof", "ashof", "shoof",
    "عطني", "اعطني", "عطيني", "اعطيني", "عطنا", "اعطنا", "هات", "هاتي", "هات لي", "جيب", "جيب لي", "جيبلي",
    "3tni", "a3tini", "3teni", "a3teni", "3atni", "hat", "jeeb", "jeebli",
))
_GO_BACK = PhraseIndex((
    "رجعني", "ارجعني", "رجعنا", "ارجعنا", "ارجع", "ارجعوني", "رجعوني", "رجوع", "الرجوع", "العوده", "عوده", "نرجع",
    "ودني", "وديني", "خذني", "روح", "اروح", "take me", "take me back", "back", "go back", "back to", "go to",
    "return to", "return", "bring back", "raje3ni", "rj3ni", "rja3ni", "raj3ni", "rajje3ni", "arja3", "erja3",
    "rajja3ni", "ترجعني", "ترجعنا", "ترجعوني", "ارجع الى", "ارجع ل",
))
#: the rest of a request to see it: wishes, politeness, "again", "from the start", "where is", "to choose"
_AROUND = PhraseIndex((
    "ابي", "ابغى", "ابغا", "ابا", "اريد", "ودي", "بغيت", "ممكن", "ارجو", "لو سمحت", "لو سمحتي", "فضلا", "من فضلك",
    "الله يعافيك", "الله يخليك", "الله يسعدك", "الله يسعدكم", "الله يحفظك", "الله يوفقك", "الله يجزاك خير",
    "جزاك الله خير", "يعطيك العافيه", "الله يعطيك العافيه", "تكفى",
    "طيب", "خلاص", "يا", "وين", "فين", "لي", "الي", "ل", "لل", "على", "من", "كل", "كلها",
    "كامله", "الرئيسيه", "الرئيسي", "الاساسيه", "من اولها", "من اول", "من البدايه", "من جديد", "مره ثانيه",
    "مره ثانيه لو سمحت", "مره اخري", "مجددا", "ثاني", "حقتكم", "حقكم", "اللي عندكم", "عندكم", "المتاحه", "اختار",
    "اختار منها", "ابي اختار منها", "عشان اختار", "عشان اختار منها", "حتي اختار", "ابدا", "بليز", "شكرا",
    "i want", "i'd like", "id like", "i would like", "would like",
    "i want to", "i need", "want", "want to", "need", "need to", "please", "pls",
    "can i", "could i", "may i", "can you", "could you", "would you", "let me", "where is", "where's", "wheres",
    "where are", "the", "to", "me", "my", "us", "your", "all", "again", "once more", "one more time", "from the start",
    "from the beginning", "full", "whole", "main", "available", "of", "so i can", "to choose", "choose", "pick",
    "to pick", "choose from", "pick from", "to choose from", "i can", "so", "and", "ok", "okay", "now", "thanks",
    "وش", "ايش", "شو", "what", "what's", "whats", "what is", "what are", "is", "are",
    "abi", "abgha", "abga", "ab8a", "abee", "mumkin", "momkin", "lw smaht", "law samaht", "lo smht", "el", "al",
    "lel", "lil", "marra thanya", "mara thanya", "mrh thanya", "again pls", "ya", "lw sama7t", "law sama7t",
    "lo sma7t", "lw sm7t", "plz", "plis",
))
#: asking what the assistant can do is asking for the menu
_WHAT_CAN_YOU_DO = frozenset(key_of(p) for p in (
    "what can you do", "what can you do for me", "what can you help with", "what can you help me with",
    "what can i do here", "what can i do", "what are my options", "what are the options", "what options do i have",
    "what options are there", "what do you offer here", "how can you help me", "how can you help",
    "وش تقدر تسوي", "وش تقدر تسوي لي", "ايش تقدر تسوي", "ايش تقدر تسوي لي", "وش تقدر تساعدني فيه",
    "ايش تقدر تساعدني فيه", "وش تقدرون تسوون", "وش اقدر اسوي هنا", "ايش اقدر اسوي هنا", "وش اقدر اسوي",
    "وش الخيارات", "ايش الخيارات", "وش الخيارات اللي عندك", "وش الخيارات اللي عندكم", "ما هي الخيارات المتاحه",
    "ماهي الخيارات", "ما الخيارات المتاحه", "بماذا يمكنك مساعدتي", "كيف تقدر تساعدني", "كيف يمكنك مساعدتي",
    "wesh t8dar tsawi", "wsh tgdr tsawi", "sh t8dar tsawi", "what u can do",
))




def _unglue(tok: str) -> str:
    """"للقائمه" → "القائمه", "بالقائمه" → "القائمه", "والخيارات" → "الخيارات": the particle
    written onto the noun, as phones type it."""
    if len(tok) > 4 and tok[0] in "لبو" and tok[1:3] == "ال":
        return tok[1:]
    if len(tok) > 4 and tok.startswith("لل"):
        return "ال" + tok[2:]
    return tok


def _asks_for_menu(words: list[str]) -> bool:
    """A short message that names the menu (or the list of services, with a verb of showing) and
    says nothing else (see the comment above :data:`_MENU_NOUNS`)."""
    if not words or len(words) > 12:
        return False
    toks = [_unglue(w) for w in words]
    if " ".join(toks) in _WHAT_CAN_YOU_DO:
        return True
    if _MENU_NOUNS.found_in(toks):
        return covered(toks, _MENU_NOUNS, _SHOW, _GO_BACK, _AROUND)
    if _SERVICE_NOUNS.found_in(toks) and (_SHOW.found_in(toks) or _GO_BACK.found_in(toks)):
        return covered(toks, _SERVICE_NOUNS, _SHOW, _GO_BACK, _AROUND)
    return False


# --- "can we continue in English please", in any phrasing ----------------------------------------
# Like the menu: a short message that names a language and whose other words only ask to go on,
# speak or write in it ("ممكن نكمل بالعربي؟", "sorry can we continue in english please"). A word
# about anything else ("دورات في اللغه العربيه", "english courses") keeps it a question.

_LANG_AR = PhraseIndex((
    "عربي", "العربي", "بالعربي", "العربيه", "بالعربيه", "اللغه العربيه", "باللغه العربيه", "arabic", "3arabi",
    "arabi", "bel3arabi", "bil3arabi", "b3arabi",
))
_LANG_EN = PhraseIndex((
    "english", "انجليزي", "انقليزي", "الانجليزي", "الانقليزي", "بالانجليزي", "بالانقليزي", "الانجليزيه",
    "بالانجليزيه", "اللغه الانجليزيه", "باللغه الانجليزيه", "inglizi", "engleezi", "ingleezi", "bel engleezi",
))
_LANG_AROUND = PhraseIndex((
    "ممكن", "نكمل", "كمل", "كملو", "كملوا", "تكمل", "تكملون", "اكمل", "نكمل الطلب", "الطلب", "المحادثه",
    "نتكلم", "تكلم",
    "تكلمني", "كلمني", "كلموني", "اتكلم", "نتحدث", "تحدث", "تتكلم", "ترد", "ترد علي", "رد", "ردو", "ردوا", "علي",
    "معي", "معاي", "اكتب", "تكتب", "نكتب", "اكتبو", "ابي", "ابغى", "ابغا", "اريد", "ودي", "لو سمحت", "لو سمحتي",
    "فضلا", "من فضلك", "اللغه", "باللغه", "لغه", "بدال", "بدل", "عفوا", "اسف", "المعذره", "معليش", "خلنا",
    "خلينا", "يا", "الله يخليك", "الله يعافيك", "طيب", "غير", "غيرو", "حول", "حولها", "حولوها", "الى", "ل", "رجاء",
    "بس", "اذا", "تكرمت", "بليز", "لو", "هل",
    "sorry", "please", "pls", "plz", "kindly", "can", "could", "would", "will", "we", "you", "u", "i", "me", "us",
    "continue", "carry on", "go on", "keep going", "speak", "talk", "write", "reply", "answer", "chat", "in",
    "with", "to", "the", "language", "switch", "change", "let's", "lets", "let", "ok", "okay", "prefer", "rather",
    "instead", "like", "want", "need", "do", "is", "it", "possible", "from", "now", "on", "only", "just", "and",
    "mumkin", "momkin", "nkamel", "nkml", "nkaml", "kamel", "kml", "law samaht", "lw sm7t", "lw smaht",
))


def _asks_for_language(words: list[str]) -> Command | None:
    """"lang_ar"/"lang_en" for a short message asking to go on in one language (see above)."""
    if not words or len(words) > 12:
        return None
    ar, en = _LANG_AR.found_in(words), _LANG_EN.found_in(words)
    if ar == en:  # neither, or both ("I don't read Arabic, English please" is left to the reader)
        return None
    if not covered(words, _LANG_AR, _LANG_EN, _LANG_AROUND):
        return None
    return "lang_ar" if ar else "lang_en"


# --- "لا خلاص ما ابي اكمل": stopping the form in one's own words ------------------------------------
# Only «الغي» and a few fixed phrases stopped a form; "لا خلاص ما ابي اكمل", "بطلت", "ما ابي اقدم" were
# taken for the field's value. A short message is read as "cancel" when it says it does not want to go
# on with the request and every other word only softens it ("لا", "خلاص", "والله", "sorry"). A bare
# "خلاص" ("done", "ok") stays unread, and "ما ابي" alone is a plain no; so is anything naming what
# else should stop ("ما ابي اكمل الدراسة").

#: not wanting to go on ("ما ابي اكمل", "ما عاد ابي اقدم", "I don't want to continue")
_STOP = PhraseIndex((
    *(f"{want} {what}" for want in (
        "ما ابي", "مابي", "ما ابغى", "مابغى", "ما ابغا", "ما ابغي", "ما اريد", "لا اريد", "ما عاد ابي", "ماعاد ابي",
        "ما عاد ابغى", "ما عدت ابي", "ما عدت ابغى", "ما ودي", "ماودي", "مو حاب", "مب حاب", "ما احب",
    ) for what in (
        "اكمل", "اكمله", "اكملها", "اكمل الطلب", "اكمل التسجيل", "اقدم", "اقدم الطلب", "اقدم طلب", "اسجل", "اتسجل",
        "الطلب", "التسجيل", "اكمل التقديم", "التقديم", "اكمل هذا", "اكمل معكم",
    )),
    "بطلت", "خلاص بطلت", "بطلت خلاص", "خلاص ما ابي", "خلاص مابي", "خلاص ما ابغى", "خلاص مابغى", "خلاص ما عاد ابي",
    "خلاص ما اريد", "لا اريد الاستمرار", "لا ارغب في الاستمرار", "لا ارغب في اكمال الطلب", "لا اريد اكمال الطلب",
    "غير راغب في الاستمرار", "الغ الطلب", "الغي الطلب",
    "i don't want to continue", "i dont want to continue", "i do not want to continue", "i don't want to go on",
    "i don't want to apply", "i dont want to apply", "i don't want to apply anymore", "i don't want to do this",
    "i dont want to do this", "i don't want to register", "i want to stop", "i wanna stop", "stop the form",
    "stop this", "stop the request", "cancel the form", "cancel this", "cancel my request", "i give up",
    "ma abi akamel", "mabi akamel", "ma abgha akamel", "ma abi akml", "mabi akml", "khalas ma abi", "khalas mabi",
    "b6alt", "batalt",
))
#: what may go with it: a no, "enough", an oath, an apology, "now", "the request", thanks
_STOP_AROUND = PhraseIndex((
    "لا", "لا لا", "لالا", "خلاص", "طيب", "والله", "والله ما", "يا اخي", "يا اخوي", "اخوي", "معليش", "اسف", "اسفه",
    "عفوا", "المعذره", "شكرا", "مشكور", "يعطيك العافيه", "الله يعافيك", "بس", "اصلا", "الطلب", "هذا", "خلاص الغه",
    "الغه", "الغيه", "الغيه لو سمحت", "لو سمحت", "الحين", "ابد", "ابدا", "تراني", "ترا", "انا", "غيرت رايي",
    "no", "nah", "ok", "okay", "sorry", "actually", "please", "thanks", "thank you", "anymore", "any more", "just",
    "i changed my mind", "changed my mind", "la", "laa", "khalas", "sorry but",
))


def _asks_to_stop(words: list[str]) -> bool:
    """A short message that says the person does not want to go on (see above)."""
    if not words or len(words) > 12 or not _STOP.found_in(words):
        return False
    return covered(words, _STOP, _STOP_AROUND)


def command_of_key(key: str) -> Command | None:
    """The command a whole folded message is, if any."""
    if not key or len(key) > 90:
        return None
    found = WORDS.get(key)
    if found is not None:
        return found
    found = WORDS.get(" ".join(_peel(key.split())))
    if found is not None:
        return found
    if _asks_for_menu(key.split()):
        return "menu"
    if _asks_to_stop(key.split()):
        return "cancel"
    return _asks_for_language(key.split())


def command_of(text: str) -> Command | None:
    """The command a whole message is, if any (see the module docstring)."""
    return command_of_key(key_of(text))


def words_for(*commands: Command) -> frozenset[str]:
    """The folded phrasings of ``commands`` (for callers that match a fixed set)."""
    return frozenset(k for k, c in WORDS.items() if c in commands)
