"""What to say when a question is outside the association: a government programme, another body,
or something far from any charity (the weather, football).

"لم أفهم طلبك" is untrue there (the question was perfectly clear) and an officer cannot help with
it either. So the refusal says politely that this is not a service of the association, where it
belongs when we know (the programme's own official channels; we never invent a number or a
link), and the stage shows what the association does offer. The decision stays a refusal
(kind ``fallback``): only its wording changes.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from bot.faq.normalize import normalize
from bot.faq.org import oos_data

__all__ = ["OTHER_BODY", "outside_text", "programme_named"]

#: the category of a question about another association ("جمعية البر وش رقمهم؟")
OTHER_BODY = "other_association"

#: how people know each outside programme (out_of_scope.yaml keys), in each language
_PROGRAMMES: dict[str, tuple[str, str]] = {
    "citizen_account": ("حساب المواطن", "the Citizen Account programme"),
    "social_security": ("الضمان الاجتماعي", "Social Security"),
    "housing": ("الدعم السكني", "housing support (Sakani)"),
    "absher": ("أبشر والأحوال المدنية والجوازات", "Absher, civil affairs and passports"),
    "gosi": ("التأمينات الاجتماعية والتقاعد", "social insurance and retirement (GOSI)"),
    "jobs": ("برامج التوظيف والتدريب الحكومية", "government employment and training programmes"),
    "health": ("المواعيد والخدمات الصحية الحكومية", "government health appointments and services"),
    "education": ("القبول والخدمات التعليمية الحكومية", "government admission and education services"),
    "bills": ("الفواتير والخدمات", "utility bills"),
    "banking": ("التمويل والقروض البنكية", "bank loans and financing"),
    "traffic": ("المرور والمخالفات", "traffic services and fines"),
    "domestic_workers": ("الاستقدام والعمالة المنزلية", "recruiting domestic workers"),
    "zakat_tax": ("الزكاة والضريبة", "zakat and tax"),
    "other_bodies": ("هذه الجهة", "this body"),
    "permits": ("تصاريح الحج والعمرة", "Hajj and Umrah permits"),
}

#: the refusal itself, per category; :data:`_OFFER` follows it where the menu is shown below
_TEXT = {
    "programme": {
        "ar": "نعتذر، استفسارك عن {name} خارج خدمات {org}، وتجيبك عنه الجهة المختصة عبر قنواتها الرسمية "
        "(موقعها أو تطبيقها).",
        "en": "Sorry, questions about {name} are outside the services of {org}; the body in charge can answer "
        "you through its official channels (its website or app).",
    },
    OTHER_BODY: {
        "ar": "يبدو أن سؤالك عن جهة أخرى غير {org}، فنعتذر عن الإجابة عنها، وتجد الإجابة لدى الجهة نفسها عبر "
        "قنواتها الرسمية.",
        "en": "Your question seems to be about a body other than {org}, so we can't answer for it; that body's "
        "own official channels can help.",
    },
    "chitchat": {
        "ar": "نعتذر، هذا خارج ما أستطيع المساعدة فيه؛ أنا المساعد الرقمي لـ{org} وأخدمك في خدماتها وطلباتها.",
        "en": "Sorry, that is outside what I can help with: I'm the digital assistant of {org}, here for its "
        "services and requests.",
    },
}
#: the lead-in to the menu of what the association offers, after the refusal
_OFFER = {
    "programme": {"ar": " ويسعدنا خدمتك فيما تقدمه {org}:", "en": " We'd be glad to help with what {org} offers:"},
    OTHER_BODY: {"ar": " ويسعدنا خدمتك فيما تقدمه {org}:", "en": " We'd be glad to help with what {org} offers:"},
    "chitchat": {"ar": " هذا ما تقدمه {org}:", "en": " This is what {org} offers:"},
}


@cache
def _names() -> dict[str, str]:
    """" name " (normalised, padded as :func:`bot.faq.org.foreign_programmes` keeps them) → programme key."""
    return {f" {normalize(str(n))} ": key for key, prog in oos_data()["programmes"].items()
            for n in prog.get("names", [])}


def programme_named(foreign: tuple[str, ...], variants: list[str]) -> str | None:
    """The outside programme (out_of_scope.yaml key) one of ``foreign`` names in ``variants``, if any."""
    names = _names()
    for v in variants:
        for name in foreign:
            if name in f" {v} ":
                return names.get(name, "other_bodies")
    return None


def outside_text(category: str, org: str, lang: Literal["ar", "en"], *, offer: bool = True) -> str:
    """The courteous refusal for a question of ``category``: a programme key, :data:`OTHER_BODY`,
    or a chit-chat key (anything else). ``offer``: ending on the lead-in to the menu of what the
    association offers (False in the middle of a form, where the form's question follows instead)."""
    kind = "programme" if category in _PROGRAMMES else OTHER_BODY if category == OTHER_BODY else "chitchat"
    text = _TEXT[kind][lang] + (_OFFER[kind][lang] if offer else "")
    if kind == "programme":
        return text.format(name=_PROGRAMMES[category][0 if lang == "ar" else 1], org=org)
    return text.format(org=org)
