"""flows.yaml from the facts: the support request, data update and (if listed) volunteering.

The fields are the ones every association in the template needs to identify and reach a
person (name, national ID, mobile, city) plus the request in their own words; the policy
names no service types, so none are invented as choices. The declaration is the policy's
own clause (or, where it has none, its "required information" clause), and the success text
promises only the committee and period the policy states.
"""

from __future__ import annotations

from typing import Any

from bot.importer.english import mid
from bot.importer.extract import PolicyFacts
from bot.importer.pack_builder import loc
from bot.importer.report import ImportReport
from bot.importer.text import fold

__all__ = ["build_flows"]


def _field(fid: str, ftype: str, label: tuple[str, str], prompt: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"id": fid, "type": ftype, "label": loc(*label), "prompt": loc(*prompt), **extra}


NAME = _field("full_name", "name", ("الاسم", "Name"),
              ("ما اسمك الكامل كما في الهوية؟", "What is your full name as on your ID?"),
              help=loc("اكتب اسمك الرباعي بالحروف كما هو مكتوب في الهوية الوطنية أو الإقامة.",
                       "Type your full name in letters, as written on your national ID or iqama."))
NATIONAL_ID = _field("national_id", "national_id", ("رقم الهوية", "ID number"),
                     ("ما رقم الهوية الوطنية أو الإقامة؟ (10 أرقام)",
                      "What is your national ID or iqama number? (10 digits)"),
                     help=loc("رقم الهوية مطبوع على بطاقة الهوية أو الإقامة، ويتكون من 10 أرقام تبدأ بـ 1 للمواطن "
                              "أو 2 للمقيم.",
                              "The number is printed on your ID or iqama card: 10 digits starting with 1 for "
                              "citizens or 2 for residents."))
MOBILE = _field("mobile", "phone", ("الجوال", "Mobile"),
                ("ما رقم جوالك للتواصل معك؟ مثال: 05XXXXXXXX",
                 "What mobile number can we reach you on? e.g. 05XXXXXXXX"))
CITY = _field("city", "city", ("المدينة", "City"),
              ("في أي مدينة أو محافظة تقيم؟", "Which city or governorate do you live in?"))


def _declaration(facts: PolicyFacts, pack: dict[str, Any], report: ImportReport) -> dict[str, str]:
    committee = pack["committee"]
    period = facts.period
    if facts.declaration:
        ar = "أقر بأن البيانات المقدمة صحيحة وأنني مسؤول مسؤولية مباشرة عن صحتها"
        en = ("I confirm that the information I have provided is correct and that I am directly responsible for "
              "its accuracy")
    elif facts.required_info:
        ar = ("أقر بأنني قدمت كافة المعلومات المطلوبة وأنها صحيحة، وأعلم أن على الموظف مطابقة البيانات والتأكد "
              "من صلاحيتها")
        en = ("I confirm that I have provided all the required information and that it is correct, and I understand "
              "that the staff will match the data and check its validity")
        report.check("لا تتضمن السياسة بند الإقرار والتوقيع: صيغ الإقرار من بند «المعلومات المطلوبة»",
                     "the policy has no declaration clause: the declaration is worded from its 'required "
                     "information' clause")
    else:
        ar, en = "أقر بأن البيانات المقدمة صحيحة", "I confirm that the information I have provided is correct"
        report.check("لا تتضمن السياسة بند الإقرار: استُخدمت صيغة عامة", "no declaration clause: a generic one is used")
    if committee:
        ar += f"، وأعلم أن طلبي سيُرفع إلى {committee['ar']} لدراسته والرد علي بشأن قبوله أو رفضه"
        en += (f". I understand my request will be referred to the {mid(committee['en'])} for study and answered on "
               "its acceptance or rejection")
        if period:
            ar += f" {period.phrase}"
            en += f" {period.english()}"
    return loc(ar + ".", en + ".")


def _success(facts: PolicyFacts, pack: dict[str, Any]) -> dict[str, str]:
    committee = pack["committee"]
    period = facts.period
    ar = "تم استلام طلبك بنجاح، ورقم الطلب: {reference}."
    en = "Your request has been received. Reference: {reference}."
    if committee:
        ar += " سيُرفع طلبك إلى {committee} لدراسته والرد عليك بشأن قبوله أو رفضه"
        en += " It will be referred to the {committee} for study, and you will be answered on its acceptance or " \
              "rejection"
        if period:
            ar += f" {period.phrase}"
            en += f" {period.english()}"
            if period.bound == "min":
                ar += " (ليس قبل {earliest_date})"
                en += " (not before {earliest_date})"
        ar += "."
        en += "."
    else:
        ar += " وسيتواصل معك {officer} بشأنه."
        en += " The {officer} will contact you about it."
    ar += " يمكنك السؤال عن حالة طلبك في أي وقت بذكر رقمه."
    en += " You can ask about its status at any time using the reference."
    return loc(ar, en)


def lists_volunteering(facts: PolicyFacts) -> bool:
    return any("تطوع" in fold(x) for x in [*facts.channels, *facts.tools])


def build_flows(facts: PolicyFacts, pack: dict[str, Any], report: ImportReport) -> dict[str, Any]:
    """The flows.yaml mapping."""
    short = pack["short_name"]
    request = {
        "id": "support_request",
        "title": loc("طلب دعم مستفيد", "Beneficiary support request") if any(
            "طلب دعم" in fold(t) for t in facts.tools) else loc("تقديم طلب", "Submit a request"),
        "intro": loc(
            f"أهلاً بك في {pack['name']['ar']}. سنسجل طلبك خطوة بخطوة. يمكنك في أي وقت كتابة «رجوع» أو «مساعدة» أو "
            "«إلغاء»، أو «موظف» للتحدث مع أحد الموظفين.",
            f"Welcome to {pack['name']['en']}. We'll take your request step by step. At any time you can type "
            "\"back\", \"help\", \"cancel\", or \"human\" to talk to a staff member."),
        "fields": [
            NAME, NATIONAL_ID, MOBILE, CITY,
            _field("description", "description", ("تفاصيل الطلب", "Details"),
                   ("صف طلبك أو حاجتك باختصار (1000 حرف كحد أقصى).",
                    "Briefly describe your request or need (up to 1000 characters)."), max=1000),
            _field("documents", "attachment", ("المستندات", "Documents"),
                   ("أرسل ما يدعم طلبك إن وُجد (PDF أو صورة JPG/PNG، بحد أقصى 5 ميجابايت)، أو اكتب «تخطي».",
                    "Send any document supporting your request (PDF or a JPG/PNG image, up to 5 MB), or type "
                    "\"skip\"."),
                   optional=True, content_types=["application/pdf", "image/jpeg", "image/png"], max_bytes=5242880),
        ],
        "summary": True,
        "declaration": _declaration(facts, pack, report),
        "consent": loc(
            f"أوافق على أن تستخدم {short['ar']} بياناتي الواردة في هذا الطلب لغرض دراسته والتواصل معي بشأنه فقط، وأن "
            "يطلع عليها المختصون في الجمعية.",
            f"I agree that {short['en']} may use the information in this request only to study it and contact me "
            "about it, and that the association's staff concerned may see it."),
        "on_submit": "case",
        "success": _success(facts, pack),
    }
    update = {
        "id": "data_update",
        "title": loc("تحديث البيانات", "Update my details"),
        "intro": loc(f"سنحدّث بيانات التواصل الخاصة بك لدى {short['ar']}. يمكنك كتابة «إلغاء» في أي وقت.",
                     f"We'll update your contact details with {short['en']}. You can type \"cancel\" at any time."),
        "fields": [
            MOBILE, CITY,
            _field("full_name", "name", ("الاسم", "Name"),
                   ("إن تغيّر اسمك أو أردت تصحيحه فاكتبه كاملاً، وإلا اكتب «تخطي».",
                    "If your name changed or needs correcting, type it in full; otherwise type \"skip\"."),
                   optional=True),
        ],
        "summary": True,
        "consent": loc(f"أوافق على أن تحفظ {short['ar']} بيانات التواصل هذه وتستخدمها للتواصل معي بشأن خدماتها "
                       "وطلباتي.",
                       f"I agree that {short['en']} may keep these contact details and use them to contact me about "
                       "its services and my requests."),
        "on_submit": "update_profile",
        "success": loc("تم تحديث بياناتك، شكراً لك.", "Your details have been updated. Thank you."),
    }
    flows: dict[str, Any] = {"support_request": request, "data_update": update}
    if lists_volunteering(facts):
        flows["volunteer"] = {
            "id": "volunteer",
            "title": loc("التسجيل في خدمة التطوع", "Volunteer sign-up"),
            "intro": loc(f"شكراً لرغبتك في التطوع مع {short['ar']}. سنسجل بياناتك في خطوات قصيرة.",
                         f"Thank you for wanting to volunteer with {short['en']}. We'll take your details in a few "
                         "short steps."),
            "fields": [
                _field("full_name", "name", ("الاسم", "Name"), ("ما اسمك الكامل؟", "What is your full name?")),
                _field("mobile", "phone", ("الجوال", "Mobile"),
                       ("ما رقم جوالك؟ مثال: 05XXXXXXXX", "What is your mobile number? e.g. 05XXXXXXXX")),
                _field("city", "city", ("المدينة", "City"), ("في أي مدينة تقيم؟", "Which city do you live in?")),
                _field("interest", "text", ("مجال التطوع", "Area"),
                       ("في أي مجال تود التطوع؟ اكتبه باختصار.",
                        "Which area would you like to volunteer in? In brief."),
                       max=300),
            ],
            "summary": True,
            "consent": loc(f"أوافق على أن تحفظ {short['ar']} بياناتي وتستخدمها لتنظيم التطوع والتواصل معي بشأنه.",
                           f"I agree that {short['en']} may keep my details and use them to organise volunteering "
                           "and contact me about it."),
            "on_submit": "volunteer",
            "success": loc("شكراً لك! تم تسجيل رغبتك في التطوع، وسيتواصل معك المختص في الجمعية.",
                           "Thank you! Your wish to volunteer has been recorded, and the staff member concerned "
                           "will contact you."),
        }
        report.add("خدمة التطوع", "volunteering service", "مذكورة في السياسة / listed in the policy")
    else:
        report.miss("خدمة التطوع (لم يُنشأ نموذج تطوع)", "a volunteering service (no volunteer form made)")
    return {"flows": flows}
