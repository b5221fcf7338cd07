"""English renderings of the facts read from an Arabic policy, by template, never by guess.

Known phrases of the template (its goals, steps, channels, tools, officers and committees)
have a fixed English rendering, matched on their folded Arabic words. A phrase with no
rendering gets a faithful generic sentence that quotes the Arabic, and is listed in the
import report for the admin to translate: an English speaker is told what the policy says
exists, never a made-up translation.
"""

from __future__ import annotations

import re

from bot.importer.text import fold

__all__ = ["CHANNELS", "Rendering", "channel_id", "mid", "render", "render_named", "transliterate_slug"]

Rendering = tuple[str, bool]  # (English, True when it is a real rendering, not the generic fallback)

#: channel id → (words that identify it, English name)
CHANNELS: list[tuple[str, tuple[str, ...], str]] = [
    ("interview", ("المقابله",), "Interview"),
    ("phone", ("الهاتف", "الاتصالات الهاتفيه", "الاتصال"), "Phone calls"),
    ("whatsapp", ("واتساب", "الواتس"), "WhatsApp"),
    ("sms", ("الرسايل النصيه", "رسايل الجوال"), "Text messages (SMS)"),
    ("email", ("البريد الالكتروني", "الايميل"), "Email"),
    ("social_media", ("التواصل الاجتماعي",), "Social media"),
    ("letters", ("الخطابات", "المراسلات"), "Letters"),
    ("help_requests", ("طلب المساعده", "طلبات المساعده"), "Help request services"),
    ("volunteering", ("التطوع",), "Volunteering service"),
    ("app", ("التطبيق", "تطبيق"), "The association's mobile app"),
    ("website", ("الموقع الالكتروني", "موقع الالكتروني", "الموقع الرسمي", "موقع الجمعيه"), "The association's website"),
    ("field_visits", ("الزيارات الميدانيه", "الزيارات المنزليه", "الزيارات"), "Field visits"),
    ("branch_representatives", ("مناديب المكاتب", "المكاتب الفرعيه"), "Branch office representatives"),
    ("representatives", ("مناديب",), "Representatives"),
    ("unified_number", ("الرقم الموحد",), "The unified number"),
]

#: folded Arabic phrase (all words must appear) → English
_PHRASES: list[tuple[tuple[str, ...], str]] = [
    # officer tools
    (("اللايحه الاساسيه",), "The association's bylaws"),
    (("لايحه المهام", "الصلاحيات"), "The regulation of tasks, powers and job descriptions"),
    (("سياسه التواصل مع",), "The policy on communicating with beneficiaries"),
    (("دليل خدمات البحث الاجتماعي",), "The social research services guide"),
    (("دليل سياسه الدعم",), "The beneficiary support policy guide"),
    (("طلب دعم",), "The beneficiary support request"),
    (("تحديث البيانات",), "Data update"),
    (("المنتجات", "المشاريع"), "Presenting products and projects to shareholders"),
    (("القوايم الماليه", "الجمعيه العموميه"),
     "Presenting the financial statements and the general assembly meeting dates"),
    (("القوايم الماليه",), "Presenting the financial statements"),
    (("دليل الاجراءات",), "The procedures guide"),
    (("دليل خدمات المستفيدين",), "The beneficiary services guide"),
    (("طلب خدمه",), "The service request"),
    (("نموذج",), "The request form"),
    # detailed goals
    (("تقدير حاجه المستفيد",), "Assessing the needs of the beneficiary and all beneficiary groups by simplifying "
                                 "procedures so they obtain all the services they need without hardship."),
    (("الخدمات المتكامله", "الاساليب"), "Providing integrated services using the latest methods of serving "
                                        "beneficiaries."),
    (("تقديم المعلومات والاجابات",), "Providing information and answers suited to beneficiaries' questions and "
                                     "inquiries through several channels."),
    (("من موقعه",), "Serving the beneficiary from their own location, to save their time, respect their "
                    "circumstances and complete their service quickly."),
    (("قياس رضا",), "Focusing on measuring beneficiary satisfaction as a means of raising service quality and "
                    "continuously improving the service procedure and the performance of the service provider."),
    (("زياده ثقه",), "Increasing beneficiaries' trust in and belonging to the association by adopting the best "
                     "standards and practices in serving them."),
    (("تصحيح المفاهيم",), "Correcting common misconceptions beneficiaries hold about the association's services."),
    (("تكوين انطباعات",), "Building new positive impressions and convictions about the association and its "
                          "services."),
    (("ثقافه تقييم الخدمه",), "Spreading and encouraging a culture of rating the service, and stressing that rating "
                              "service quality is the beneficiary's right: it is a tool for evaluation and "
                              "improvement, not for punishment or defamation."),
    (("ثقافه جوده الخدمه",), "Spreading a culture of service quality across all departments that serve internal or "
                             "external beneficiaries."),
    (("ابتكار مفاهيم",), "Developing management concepts and techniques to raise the level and quality of "
                         "services, and removing obstacles to high-quality service."),
    (("خدمات ذات جوده عاليه",), "Delivering high-quality services through continuous development and improvement "
                                "informed by beneficiaries' opinions."),
    # general goal
    (("خدمه متميزه",), "To provide an excellent service to beneficiaries of all groups, with mastery, speed and high "
                       "quality, following up their needs and suggestions; to keep developing and improving in "
                       "cooperation with all parties to achieve the goals; and to reach beneficiaries in the easiest "
                       "ways without them having to ask."),
    # handling steps
    (("استقبال", "لباقه"), "Receive the beneficiary courteously and respectfully, answer all inquiries and give "
                           "them enough time."),
    (("المعلومات المطلوبه", "مطابقه البيانات"), "Make sure all the required information is provided; the employee "
                                                "matches the data and checks its validity at the time of submission."),
    (("استكمال اجراءات التسجيل",), "Complete the registration procedures once the requests are complete."),
    (("تقديم الخدمه اللازمه",), "Provide the required service."),
]

#: the subject of an officer or a committee ("مسؤول X", "لجنة X") → English
_SUBJECTS: list[tuple[tuple[str, ...], str]] = [
    (("البحث الاجتماعي",), "social research"),
    (("البحث",), "research"),
    (("الشوون التعليميه",), "educational affairs"),
    (("الشوون الاجتماعيه",), "social affairs"),
    (("الخدمات الاجتماعيه",), "social services"),
    (("خدمات المستفيدين",), "beneficiary services"),
    (("شوون المستفيدين",), "beneficiary affairs"),
    (("علاقات المستفيدين",), "beneficiary relations"),
    (("نطاق الاستشاره", "البرنامج"), "consultation scope or programme"),
    (("الاستشارات",), "consultations"),
    (("البرامج",), "programmes"),
    (("الدراسه والتقييم",), "study and assessment"),
    (("المساعدات",), "aid"),
    (("القبول",), "admissions"),
    (("الخدمات",), "services"),
    (("الرعايه",), "care"),
]


def mid(english: str) -> str:
    """A rendering as it reads inside a sentence: 'Phone calls' → 'phone calls' ('WhatsApp' stays)."""
    first = english.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return english[0].lower() + english[1:]
    return english


def _lookup(table: list[tuple[tuple[str, ...], str]], arabic: str) -> str | None:
    key = fold(arabic)
    for words, english in table:
        if all(w in key for w in words):
            return english
    return None


def render(arabic: str, kind: str = "text") -> Rendering:
    """The English for a template phrase, or a generic sentence quoting the Arabic."""
    english = _lookup(_PHRASES, arabic)
    if english is not None:
        return english, True
    generic = {
        "tool": f"A tool named in the policy (in Arabic: «{arabic}»)",
        "goal": f"A goal stated in the policy (in Arabic: «{arabic}»).",
        "step": f"A step of the policy's procedure (in Arabic: «{arabic}»).",
    }.get(kind, f"As stated in the policy (in Arabic): «{arabic}»")
    return generic, False


def render_named(arabic: str, noun: str) -> Rendering:
    """'مسؤول البحث الاجتماعي' → 'Social research officer'; 'لجنة البحث' → 'Research committee'."""
    subject = _lookup(_SUBJECTS, arabic)
    if subject is None:
        return f"The {noun} named in the policy (in Arabic: «{arabic}»)", False
    return f"{subject[0].upper()}{subject[1:]} {noun}", True


def channel_id(arabic: str, index: int) -> tuple[str, str, bool]:
    """A stable id and the English name of a listed channel."""
    key = fold(arabic)
    for cid, words, english in CHANNELS:
        if any(w in key for w in words):
            return cid, english, True
    return f"channel_{index + 1}", f"A channel named in the policy (in Arabic: «{arabic}»)", False


_ADJECTIVES = {"العلميه": "Scientific", "الرقميه": "Digital", "الخيريه": "Charitable", "الاهليه": "Civil",
               "الصحيه": "Health", "النسايه": "Women's", "الشبابيه": "Youth", "التعليميه": "Educational"}


def transliterate_slug(slug: str, arabic_name: str, cooperative: bool) -> str:
    """An English name from the slug's Latin letters and the name's known adjectives (admin checks it)."""
    proper = " ".join(w.capitalize() for w in re.split(r"[-_]", slug) if w)
    adjectives = [en for ar, en in _ADJECTIVES.items() if ar in fold(arabic_name).split()]
    if cooperative:
        return f"{proper} Multipurpose Cooperative Society" if "متعدده الاغراض" in fold(arabic_name) \
            else f"{proper} Cooperative Society"
    lead = " ".join(a for a in adjectives if a == "Digital")
    tail = " ".join(a for a in adjectives if a != "Digital")
    return " ".join(p for p in (lead, proper, tail, "Association") if p)
