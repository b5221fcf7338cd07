"""A typed yes or no to an offer the assistant just made ("هل تود التحدث مع الموظف؟").

People answer an offer the way they talk, not with the button: "ايه حولني", "نعم لو سمحت",
"تكفى", "yes please", "na3am", "لا شكراً". Read only where an offer is pending (a low survey
rating, the fallback's offer of an officer), and only for a short message made of nothing but
yes (or no) words, politeness and the person offered: anything more is a message of its own.
"""

from __future__ import annotations

from bot.understanding.text import PhraseIndex, covered

#: what says yes by itself ("حولني" is the offer itself, accepted)
_YES = PhraseIndex((
    "نعم", "ايه", "ايوه", "ايوا", "اي", "إي", "اكيد", "طبعا", "تمام", "اوكي", "اوك", "موافق", "يب", "يس",
    "ابي", "ابغى", "ابغا", "اريد", "ودي", "يا ليت", "ياليت", "تكفى", "تكفين", "تكفون", "الله يخليك",
    "حولني", "حوليني", "حولوني", "حولني عليه", "وصلني", "وصلوني", "كلمني", "خلوه يكلمني", "ابي اكلم", "ابي اتكلم",
    "ابغى اكلم", "ابغى اتكلم", "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "of course", "please do",
    "transfer me", "connect me", "put me through", "na3am", "n3am", "naam", "aywa", "aiwa", "eh", "ee", "ah", "yes pls",
))
#: yes words that also close a conversation politely ("تمام شكراً"): a yes only without thanks
_WEAK = frozenset(("تمام", "اوكي", "اوك", "ok", "okay"))
_THANKS = PhraseIndex(("شكرا", "مشكور", "مشكوره", "thanks", "thank you", "thx", "يعطيك العافيه"))
#: what says no by itself
_NO = PhraseIndex((
    "لا", "لأ", "لاء", "no", "nope", "nah", "ما ابي", "مابي", "ما ابغى", "ماابغى", "ما يحتاج", "مايحتاج", "مو لازم",
    "مب لازم", "لا تحولني", "لا داعي", "not now", "no need", "la", "laa", "la2",
))
#: what may come with either: politeness, thanks, the officer named, "now"
_AROUND = PhraseIndex((
    "لو سمحت", "لو سمحتي", "الله يعافيك", "الله يسعدك", "بليز", "ممكن", "please", "pls", "plz", "thanks", "thank you",
    "شكرا", "مشكور", "مشكوره", "يعطيك العافيه", "و", "عليه", "عليها", "له", "لها", "معه", "معاه", "معها", "للموظف",
    "لموظف", "موظف", "الموظف", "المسؤول", "مسؤول", "احد", "شخص", "اكلمه", "اكلمها", "الحين", "الان", "بسرعه",
    "حاليا", "خلاص", "يا", "يا ريت", "the", "a", "an", "to", "me", "officer", "an officer", "the officer", "human",
    "agent", "someone", "person", "now", "thx", "i", "do", "want", "would", "like", "it", "that", "you", "go", "ahead",
))




def yes_or_no(key: str) -> bool | None:
    """True for a yes to the offer, False for a no, None for anything else (``key`` folded)."""
    toks = key.split()
    if not toks or len(toks) > 8:
        return None
    no, yes = _NO.found_in(toks), _YES.found_in(toks)
    if no and covered(toks, _NO, _AROUND):
        return False
    if yes and not no and covered(toks, _YES, _AROUND):
        # "تمام شكراً", "ok thanks": a polite close, not a request to be transferred
        thanked = _THANKS.found_in(toks)
        strong = [s for s in (toks[a:b] for a, b in _YES.spans(toks)) if " ".join(s) not in _WEAK]
        return True if strong or not thanked else None
    return None
