"""What must be noticed before anything else: a life at risk, a medical question, abuse, a complaint.

Lists of whole-word phrases matched on the folded message (:mod:`bot.understanding.text`), in
Gulf dialect, MSA, English and Arabizi. Crisis is deliberately broad: a false alarm costs an
officer a minute, a missed one can cost a life. Medical is narrow: "هل تدعمون تكاليف العلاج؟"
is a question about support, only a request for a treatment decision is medical advice.
"""

from __future__ import annotations

from typing import Literal

from bot.understanding.text import PhraseIndex

#: "complaint_question": a wish to complain that asks where, how or at what risk (answered from
#: the policy when it can be, otherwise still taken as a complaint by the FAQ stage)
Flag = Literal["crisis", "distress", "medical", "abuse", "complaint", "complaint_question", "violence", "emergency"]


def _fold_all(*phrases: str) -> PhraseIndex:
    # "شكوى" is as often typed "شكوه" (and folds apart from it): both spellings, everywhere
    spelled = [v for p in phrases for v in {p, p.replace("شكوى", "شكوه")}]
    return PhraseIndex(spelled, conjunctions=True)


_CRISIS = _fold_all(
    "انتحر", "انتحار", "بنتحر", "راح انتحر", "اقتل نفسي", "بقتل نفسي", "ابي اموت", "ابغى اموت", "ودي اموت",
    "اتمنى اموت", "ابي اموت وارتاح", "ما ابي اعيش", "ماابي اعيش", "مابي اعيش", "ما ابغى اعيش", "ما اريد اعيش",
    "ما ودي اعيش", "ما عاد ابي اعيش", "لا اريد ان اعيش", "لا ارغب في الحياة", "تعبت من الحياة", "كرهت الحياة",
    "كرهت حياتي", "انهي حياتي", "انهاء حياتي", "اذبح نفسي", "اذي نفسي", "اؤذي نفسي", "ايذاء نفسي", "الموت ارحم",
    "ارمي نفسي", "ما في فايده من الحياة", "حياتي ما لها معنى", "ما له داعي اعيش", "بنهي حياتي", "ابي انهي حياتي",
    "راح انهي حياتي", "بموت نفسي", "اموت نفسي", "افكر في الموت", "افكر في الانتحار", "افكر اني اموت",
    "ما ابي احيا", "ودي اختفي من الدنيا", "ابي اموت وارتاح", "ابي اموت", "ما عاد لي خلق اعيش", "ماعاد لي خلق اعيش",
    "ما لي خلق اعيش", "مالي خلق اعيش", "ما عاد ابي الحياه", "ابي انتحر", "بنتحر", "ودي انهي كل شي",
    "ending it", "ending it all", "end my own life", "ending my life", "take my own life", "thinking about ending",
    "no point in living", "not worth living",
    # danger from someone else: the emergency number, at once
    "يضربني", "يضربنا", "يضرب عيالي", "يضرب اطفالي", "يعنفني", "يعنفنا", "معنفه", "يهددني بالقتل", "بيقتلني",
    "خايفه على حياتي", "خايف على حياتي", "حياتي في خطر", "beating me", "hitting me", "hurting me",
    "going to kill me", "my life is in danger", "i am in danger", "i'm in danger",
    "kill myself", "killing myself", "suicide", "suicidal", "end my life", "end it all", "want to die",
    "wanna die", "don't want to live", "dont want to live", "do not want to live", "hurt myself", "harm myself",
    "self harm", "no reason to live", "better off dead",
    "abi amoot", "abi amot", "antaher", "antahar", "abi antaher", "bantaher", "abgha amoot", "ودي انتحر",
    "ana bantahir", "bantahir", "antahir", "ma abi a3ish", "mabi a3eesh",
    # wishing for death in everyday Gulf words
    "نفسي اموت", "ليتني اموت", "ليتني مت", "ليتني ميت", "يا ليتني مت", "الله ياخذني", "الله ياخذ روحي",
    "ابي افارق الحياه", "ابي ارتاح من هالدنيا", "ما عاد ابغى اعيش", "ما عاد ودي اعيش", "ماعاد ابي اعيش",
    "تعبت من العيشه", "ما اقدر اكمل حياتي", "ودي اموت وارتاح",
    "nafsi amoot", "nafsi amot", "nafsi amut", "laitni amoot", "abi amoot w arta7", "ma 3ad abi a3ish",
    "wish i was dead", "wish i were dead", "i can't go on", "i cant go on", "can't go on living",
)
#: a body in danger now (an overdose, someone unconscious, chest pain, bleeding): a crisis, whose
#: reply puts the ambulance first ("امي عندها ألم شديد في صدرها الحين وش اسوي؟" was answered
#: "I did not understand"). Broad on purpose, like crisis: the reply only says what to do if it is
#: an emergency, and brings an officer.
_EMERGENCY = _fold_all(
    "بلع حبوب", "بلعت حبوب", "بلع دواء", "شرب دواء كثير", "جرعه زايده", "ما يرد علي وهو", "مغمى عليه", "اغمي عليه",
    "طاح وما يرد", "ما يتنفس", "ما تتنفس", "overdose", "overdosed", "swallowed pills", "not breathing", "unconscious",
    "الم شديد", "الم قوي", "وجع شديد", "الم في صدره", "الم في صدرها", "الم في صدري", "يوجعه صدره", "يوجعها صدرها",
    "نزيف", "ينزف", "تنزف", "ضيق تنفس", "ضيق في التنفس", "ما يقدر يتنفس", "ما تقدر تتنفس", "ما اقدر اتنفس",
    "يختنق", "تختنق", "تشنج", "تشنجات", "جلطه", "سكته", "اغماء", "فاقد الوعي", "فاقده الوعي", "حرارته مرتفعه جدا",
    "حالة طارئه", "حاله طارئه", "طوارئ الحين", "يحتاج اسعاف", "تحتاج اسعاف", "ابي اسعاف",
    "chest pain", "severe pain", "bleeding", "can't breathe", "cant breathe", "cannot breathe", "seizure",
    "fainted", "collapsed", "heart attack", "stroke", "need an ambulance", "emergency now",
)
#: violence at home, by a husband, father, brother or someone the person lives with, happening to
#: them: danger now (crisis), and the crisis reply names the domestic-violence line too
#: (SILA_CRISIS_VIOLENCE_LINES)
_VIOLENCE_NOW = _fold_all(
    "يضربني", "يضربنا", "يضرب عيالي", "يضرب اطفالي", "يضرب امي", "يضرب بناتي", "يضرب اولادي", "تضربني",
    "يعنفني", "يعنفنا", "تعنفني", "معنفه", "يحبسني", "حابسني", "يهددني بالقتل", "بيقتلني", "بيذبحني",
    "beating me", "hitting me", "hits me", "beats me", "abusing me",
    "abuses me", "my husband hits", "my husband beats", "my father hits", "my father beats", "going to kill me",
)
#: violence at home named as a topic ("عنف اسري"): the line is added when the message is a crisis
_VIOLENCE_TOPIC = _fold_all(
    "عنف اسري", "العنف الاسري", "عنف منزلي", "العنف المنزلي", "تعنيف", "معنف", "معنفين", "معنفات",
    "domestic violence", "domestic abuse", "abusive husband", "abusive father",
)
_DISTRESS = _fold_all(
    "تعبت", "تعبانه", "تعبان نفسيا", "مضايق", "متضايق", "مكتئب", "مكتئبه", "اكتئاب", "حزين", "حزينه", "منهار",
    "منهاره", "ضايقه", "ما عندي فلوس", "ماعندي فلوس", "ما عندنا شي", "ما عندي شي", "الله يفرجها", "ضاقت",
    "ضاقت علي", "عندي مشكله كبيره", "سرطان", "مريض سرطان", "ابوي مريض", "امي مريضه",
    "i'm exhausted", "im exhausted", "depressed", "desperate", "no money", "i can't cope", "i cant cope",
    # a household in need (food, rent) told plainly: "والله ما عندي اكل لعيالي والايجار علي متأخر"
    "ما عندي اكل", "ماعندي اكل", "ما عندنا اكل", "ماعندنا اكل", "ما عندنا ناكل", "ما عندنا شي ناكله",
    "ما عندي حق الاكل", "جوعانين", "عيالي جوعانين", "الايجار متاخر", "الايجار علي متاخر", "الايجار متاخر علي",
    "متاخر علي الايجار", "متاخره علي الايجار", "متاخرين في الايجار", "تراكم علينا الايجار", "ما عندي حق الايجار",
    "ما اقدر ادفع الايجار", "بيطردوننا من البيت", "بيطردوني من البيت",
    "no food", "can't pay the rent", "cant pay the rent", "can't pay rent", "behind on rent", "behind on the rent",
)
_EMOJI_DISTRESS = frozenset("😭😢😞😔💔🥺😿")
_MEDICAL_TOPIC = _fold_all(
    "علاج", "العلاج", "كيماوي", "الكيماوي", "كيميائي", "اشعاعي", "الاشعاعي", "الاشعاع", "دواء", "الدواء", "ادويه",
    "جرعه", "الجرعه", "حبوب", "حبه", "جراحه", "بنادول", "مضاد", "مضاد حيوي", "ابره", "ابر", "انسولين", "فيتامين",
    "فرط حركه", "الدوا", "دوا", "تساقط الشعر", "panadol", "antibiotic", "antibiotics", "insulin", "dawa",
    "الاعراض", "اعراض", "مسكن", "هرمونات", "مناعه", "3elaj", "3ilaj", "3laj", "kimawi", "kemawi",
    "treatment", "chemo", "chemotherapy", "radiation", "radiotherapy", "medicine", "medication", "dose", "dosage",
    "surgery", "symptoms", "side effects", "pills", "drug",
    # vaccinations (before Hajj, for a child): whether one is safe for someone is the doctor's call
    "تطعيم", "التطعيم", "تطعيمات", "التطعيمات", "لقاح", "اللقاح", "لقاحات", "اللقاحات", "vaccine", "vaccines",
    "vaccination", "vaccinations",
)
_MEDICAL_ASK = _fold_all(
    "افضل", "احسن", "انسب", "ينفع", "يضر", "يفيد", "اوقف", "اوقفه", "توقف", "اخذ", "اعطيها", "اعطيه", "ناخذ",
    "اختار", "نختار", "ولا", "ام", "تنصحون", "تنصحني", "نصيحه", "خطير", "يشفي", "كم جرعه", "اعراض جانبيه",
    "afdal", "afdhal", "a7san", "ahsan", "yanfa3", "yenfa3",
    "يسبب", "تسبب", "يساعد", "تساعد", "يساعده", "يساعدها", "يفيده", "يفيدها", "ينفعه", "ينفعها", "يناسبه",
    "يناسبها", "يأثر", "كم حبه", "كم مره", "كم جرعه في اليوم", "افضل دوا", "وش الدوا",
    "مناسب", "المناسب", "المناسبه", "الصحيحه", "كميه", "تاكل", "ياكل", "ناكل", "يشرب", "تشرب", "قبل الجلسه",
    "بعد الجلسه", "يوقف", "نوقف", "يوقفه", "يستمر", "نستمر", "يكمل عليه", "يغير", "نغير", "بدل",
    "best", "better", "should", "stop", "recommend", "advice", "advise",
    "which", "is it safe", "safe to", "stop taking", "side effects", "cure",
    "امن", "امنه", "امان", "safe",
)
_MEDICAL_NOT = _fold_all(
    "تكاليف", "تكلفه", "دعم", "مساعده", "مساعدة", "تغطيه", "تغطي", "تدفعون", "تساعدون", "تدعمون", "مصاريف", "رسوم",
    "cost", "costs", "pay", "support", "cover", "fund", "help with",
    # asking the association to serve them where they are ("she is on chemo, can you serve us at home?")
    "تخدمونا", "تخدموننا", "تخدمونها", "تخدمونه", "تخدمونهم", "تزورونا", "تزورونها", "تزورونه", "serve us", "visit us",
)
_ABUSE = _fold_all(
    "غبي", "يا غبي", "اغبياء", "حمار", "يا حمار", "حمير", "تافه", "تافهين", "زباله", "زبالة", "كلب", "يا كلب",
    "حيوان", "يا حيوان", "انقلع", "انقلعوا", "خرا", "زفت", "فاشل", "فاشله", "فاشلين", "حقير", "حقيرين", "لعنه",
    "الله يلعن", "نصاب", "نصابين", "حراميه", "حرامية", "كذاب", "كذابين", "سراقين", "scam", "scammers", "liars",
    "thieves", "pathetic",
    "stupid", "idiot", "idiots", "useless", "shut up", "fuck", "fucking", "damn you", "dumb", "moron", "trash",
    "ghabi", "7mar", "7imar",
)
# how someone was treated: a complaint to record, whatever else the message asks
_MISTREATED = _fold_all(
    "ما كان محترم", "ماكان محترم", "مو محترم", "غير محترم", "ما احترمني", "ما احترموني", "قليل احترام",
    "قله احترام", "ما عنده احترام", "اسلوبه سيء", "اسلوبها سيء", "اسلوب سيء", "اسلوبهم سيء", "تعامل سيء",
    "تعاملهم سيء", "عاملني بسوء", "عاملني بشكل سيء", "رفع صوته", "رفعت صوتها", "صرخ علي", "طردني", "استهزأ",
    "was rude", "were rude", "is rude", "rude to me", "disrespectful", "treated me badly", "treated me poorly",
)
# a wish to complain: a complaint to record, unless the message asks about complaining itself
_COMPLAINT = _fold_all(
    "ابي اشتكي", "ابغى اشتكي", "اريد تقديم شكوى", "تقديم شكوى", "اود تقديم شكوى", "ارغب في تقديم شكوى", "شكوى بسبب",
    "رفع شكوى", "اسجل شكوى", "ابي اقدم شكوى", "ابغى اقدم شكوى", "عندي شكوى", "ارفع شكوى",
    "شكوى على", "شكوى ضد", "اشتكي على", "اشتكي من",
    "قليل ادب", "قليله ادب", "قليلة ادب", "ما عنده ادب", "ما عندها ادب", "بدون ادب", "كان وقح", "كانت وقحه",
    "i want to complain", "i'd like to complain",
    "file a complaint", "make a complaint", "i have a complaint", "complaint against", "complain about",
)
# where or how a complaint is made, or whether making one harms the request: the policies put
# complaints and suggestions under measuring satisfaction ("a tool for improvement, not for
# punishment"), so such a question is answered from the policy, not handed over as a complaint
_ABOUT_COMPLAINING = _fold_all(
    "وين اكتب", "وين اكتيب", "وين اقدم", "وين ارفع", "وين ارسل", "وين احط", "وين اشتكي", "فين اكتب", "فين اقدم",
    "فين اشتكي", "وين اقدمها", "وين اكتبها", "وين ارفعها", "وين ارسلها", "فين اقدمها", "فين اكتبها",
    "wain aktib", "wain aktb", "wain a9addim", "wain aqaddim", "wen aktb", "ween aktib", "wain aktibha",
    "wain a9addimha", "wain aqaddimha", "wain arfa3ha",
    "كيف اقدم", "كيف ارفع", "كيف اشتكي", "شلون اشتكي", "شلون اقدم", "طريقه تقديم", "طريقه رفع",
    "يأثر على طلبي", "يؤثر على طلبي", "يأثر على ملفي", "يؤثر على ملفي", "يأثر على ملف", "يؤثر على ملف",
    "سيؤثر", "بيأثر", "بيأثر علي", "يأثر علي", "يضر طلبي", "يتأثر طلبي", "تتأثر خدمتي", "لو اشتكيت",
    "اذا اشتكيت", "where do i", "where can i", "where should i", "how do i", "how can i", "if i complain",
    "will it affect", "affect my request", "affect my application", "held against me",
)


def _any(toks: list[str], phrases: PhraseIndex) -> bool:
    return phrases.found_in(toks)


def complaint_of(*keys: str) -> Flag | None:
    """"complaint", "complaint_question" or None, over every rendering of one message (an Arabizi
    "wain a9addimha" may be read back as the process question in one rendering only)."""
    pads = [k.split() for k in keys if k]
    if any(_any(p, _MISTREATED) for p in pads):
        return "complaint"
    if any(_any(p, _COMPLAINT) for p in pads):
        return "complaint_question" if any(_any(p, _ABOUT_COMPLAINING) for p in pads) else "complaint"
    return None


def flags(key: str, raw: str = "", *, also: str = "") -> frozenset[Flag]:
    """The safety flags of a folded message (``raw`` only for emoji, which folding drops; ``also``
    another rendering of it, e.g. Arabizi read back into Arabic, for the complaint flags)."""
    pad = key.split()
    found: set[Flag] = set()
    complaint = complaint_of(key, also)
    if complaint:
        found.add(complaint)
    if key:
        if _any(pad, _CRISIS):
            found.add("crisis")
        if _any(pad, _EMERGENCY):
            found |= {"crisis", "emergency"}
        if _any(pad, _VIOLENCE_NOW):
            found |= {"crisis", "violence"}
        elif _any(pad, _VIOLENCE_TOPIC):
            found.add("violence")
        if _any(pad, _DISTRESS):
            found.add("distress")
        if _any(pad, _MEDICAL_TOPIC) and _any(pad, _MEDICAL_ASK) and not _any(pad, _MEDICAL_NOT):
            found.add("medical")
        if not complaint and _any(pad, _ABUSE):
            found.add("abuse")
    if raw and any(ch in _EMOJI_DISTRESS for ch in raw):
        found.add("distress")
    return frozenset(found)
