"""Every sentence the flows say that is not in an association's pack, in Arabic and English.

Kept in one catalog so the voice stays the same across fields (courteous, short, tells the
person what to do next) and so translators review one file. Validators return a key plus
parameters, never a sentence, which keeps them pure and language-free.
"""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, tuple[str, str]] = {
    # --- validation reasons -------------------------------------------------------------
    "required": (
        "هذه المعلومة مطلوبة، فضلاً اكتب إجابتك.",
        "This information is required; please type your answer.",
    ),
    "text_too_short": (
        "الإجابة قصيرة جداً، فضلاً اكتب {min} أحرف على الأقل.",
        "That is a little short; please write at least {min} characters.",
    ),
    "text_too_long": (
        "النص طويل ({length} حرفاً) والحد الأقصى {max} حرف. فضلاً اختصره وأعد إرساله.",
        "The text is {length} characters long and the limit is {max}. Please shorten it and send it again.",
    ),
    "name_length": (
        "الاسم يكون بين {min} و{max} حرفاً. فضلاً أعد كتابته.",
        "A name should be between {min} and {max} characters. Please type it again.",
    ),
    "name_digits": (
        "الاسم لا يحتوي على أرقام. فضلاً اكتب اسمك بالحروف.",
        "A name has no digits in it. Please type your name in letters.",
    ),
    "name_letters": (
        "فضلاً اكتب الاسم بالحروف العربية أو الإنجليزية.",
        "Please type the name in Arabic or English letters.",
    ),
    "nid_length": (
        "رقم الهوية يتكون من 10 أرقام ويبدأ بـ 1 للمواطن أو 2 للمقيم. فضلاً أعد كتابته.",
        "The ID number has 10 digits and starts with 1 for citizens or 2 for residents. Please type it again.",
    ),
    "nid_prefix": (
        "رقم الهوية يبدأ بـ 1 للمواطن أو 2 للمقيم (الإقامة). فضلاً تأكد منه وأعد كتابته.",
        "The ID number starts with 1 for citizens or 2 for residents (iqama). Please check it and type it again.",
    ),
    "nid_checksum": (
        "يبدو أن أحد أرقام الهوية غير صحيح. فضلاً راجع الرقم في بطاقة الهوية أو الإقامة وأعد كتابته.",
        "One of the digits seems to be wrong. Please check the number on your ID or iqama card and type it again.",
    ),
    "phone_invalid": (
        "رقم الجوال غير صحيح. فضلاً اكتبه بهذا الشكل: 05XXXXXXXX",
        "That mobile number doesn't look right. Please type it like this: 05XXXXXXXX",
    ),
    "phone_landline": (
        "هذا رقم هاتف ثابت. فضلاً اكتب رقم جوال سعودي يبدأ بـ 05.",
        "That is a landline number. Please type a Saudi mobile number starting with 05.",
    ),
    "phone_not_saudi": (
        "نستقبل أرقام الجوال السعودية فقط (تبدأ بـ 05 أو 9665+). فضلاً اكتب رقم جوال سعودي.",
        "We can only take Saudi mobile numbers (starting with 05 or +9665). Please type a Saudi mobile number.",
    ),
    "choice_unknown": (
        "لم أتعرف على اختيارك. فضلاً اختر من القائمة أو اكتب رقم الخيار.",
        "I didn't recognise that choice. Please pick one from the list or type its number.",
    ),
    "choice_ambiguous": (
        "اختيارك يحتمل أكثر من خيار ({options}). فضلاً حدد واحداً منها.",
        "That could mean more than one option ({options}). Please pick one of them.",
    ),
    "multi_count": (
        "فضلاً اختر من {min} إلى {max} من الخيارات، وافصل بينها بفاصلة (مثل: 1، 3).",
        "Please pick between {min} and {max} options, separated by commas (e.g. 1, 3).",
    ),
    "yes_no": ("فضلاً أجب بـ «نعم» أو «لا».", "Please answer “yes” or “no”."),
    "number_expected": ("فضلاً اكتب رقماً صحيحاً (بالأرقام).", "Please type a whole number (in digits)."),
    "number_too_small": ("الرقم يجب ألا يقل عن {min}.", "The number should be at least {min}."),
    "number_too_large": ("الرقم يجب ألا يزيد على {max}.", "The number should be at most {max}."),
    "digits_expected": ("فضلاً اكتب الرقم بالأرقام فقط.", "Please type the number using digits only."),
    "digits_length": (
        "الرقم يتكون من {min} إلى {max} أرقام. فضلاً تأكد منه.",
        "The number has {min} to {max} digits. Please check it.",
    ),
    "date_format": (
        "لم أفهم التاريخ. اكتبه مثل 2025-03-01 أو 1/3/2025، أو بالهجري مثل 1446/08/25هـ.",
        "I couldn't read that date. Please write it like 2025-03-01 or 1/3/2025, or Hijri like 1446/08/25 AH.",
    ),
    "date_invalid": (
        "هذا التاريخ غير موجود في التقويم. فضلاً تأكد من اليوم والشهر.",
        "That date doesn't exist in the calendar. Please check the day and month.",
    ),
    "date_out_of_range": (
        "التاريخ خارج النطاق الذي نستطيع التحقق منه. فضلاً تأكد من السنة.",
        "That date is outside the range we can check. Please check the year.",
    ),
    "date_future": ("التاريخ لا يمكن أن يكون في المستقبل.", "The date can't be in the future."),
    "date_past": ("التاريخ لا يمكن أن يكون في الماضي.", "The date can't be in the past."),
    "city_unknown": (
        "لم أتعرف على المدينة. فضلاً اكتب اسمها مثل: الرياض، جدة، مكة المكرمة.",
        "I didn't recognise the city. Please type its name, e.g. Riyadh, Jeddah, Makkah.",
    ),
    "attachment_expected": (
        "فضلاً أرسل الملف نفسه كمرفق ({types}).",
        "Please send the file itself as an attachment ({types}).",
    ),
    "attachment_type": (
        "نوع الملف غير مقبول. الأنواع المقبولة: {types}.",
        "That file type isn't accepted. Accepted types: {types}.",
    ),
    "attachment_size": (
        "حجم الملف أكبر من الحد المسموح ({max_mb} ميجابايت). فضلاً أرسل ملفاً أصغر.",
        "The file is larger than the {max_mb} MB limit. Please send a smaller file.",
    ),
    # --- runner ---------------------------------------------------------------------------
    "optional_hint": ("(اختياري — يمكنك كتابة «تخطي»)", "(optional — you can type “skip”)"),
    "choose_hint": ("اكتب رقم الخيار أو اسمه.", "Type the option's number or name."),
    "skip_button": ("تخطي", "Skip"),
    "cancelled": (
        "تم إلغاء الطلب ولم يُرسل أي شيء. يسعدنا خدمتك في أي وقت.",
        "The request has been cancelled and nothing was sent. We're happy to help any time.",
    ),
    "back_first": ("هذا هو السؤال الأول.", "This is the first question."),
    "skip_required": (
        "هذه المعلومة مطلوبة ولا يمكن تخطيها.",
        "This information is required and can't be skipped.",
    ),
    "help_default": (
        "اكتب إجابتك على السؤال. يمكنك أيضاً كتابة «رجوع» للسؤال السابق، أو «إلغاء» لإلغاء الطلب، "
        "أو «موظف» للتحدث مع أحد الموظفين.",
        "Type your answer to the question. You can also type “back” for the previous question, "
        "“cancel” to cancel the request, or “human” to talk to a staff member.",
    ),
    "handoff_offer": (
        "لا بأس، يبدو أن هذا السؤال غير واضح. هل تود أن نحولك لأحد الموظفين ليساعدك، أم تحاول مرة أخرى؟",
        "No problem — this question seems unclear. Would you like us to pass you to a staff member, or try again?",
    ),
    "handoff_button": ("تحويل لموظف", "Talk to staff"),
    "retry_button": ("محاولة مرة أخرى", "Try again"),
    "summary_title": ("فضلاً راجع بيانات طلبك:", "Please review your request:"),
    "summary_question": ("هل البيانات صحيحة؟", "Is everything correct?"),
    "confirm_button": ("تأكيد", "Confirm"),
    "edit_button": ("تعديل", "Edit"),
    "edit_pick": ("أي معلومة تود تعديلها؟", "Which detail would you like to change?"),
    "declaration_accept": ("أقر وأوافق", "I confirm"),
    "declaration_decline": ("لا أوافق", "I do not agree"),
    "declined": (
        "نحترم قرارك. لا يمكن رفع الطلب دون الإقرار بصحة البيانات، لذلك لم يُرسل أي شيء. يمكنك البدء من جديد متى شئت.",
        "We respect your decision. A request can't be sent without confirming the information is "
        "correct, so nothing was sent. You're welcome to start again any time.",
    ),
    "consent_accept": ("أوافق", "I agree"),
    "consent_decline": ("لا أوافق", "I do not agree"),
    "consent_declined": (
        "نحترم قرارك. لا يمكننا معالجة الطلب دون موافقتك على استخدام بياناتك لهذا الغرض، "
        "لذلك لم يُرسل أي شيء ولم تُحفظ بيانات الطلب.",
        "We respect your decision. We can't process the request without your consent to use your "
        "data for this purpose, so nothing was sent and the answers were not kept.",
    ),
    "pick_option": ("فضلاً اختر أحد الخيارات.", "Please choose one of the options."),
    "expired": (
        "مضى وقت طويل على آخر رد في طلبك السابق، لذلك بدأنا الطلب من جديد. نعتذر عن الإزعاج.",
        "It's been a while since your last reply, so we've started the request again. Sorry for the trouble.",
    ),
    "reminder": (
        "تذكير لطيف: طلبك «{title}» لم يكتمل بعد. يمكنك المتابعة من حيث توقفت:",
        "A gentle reminder: your request “{title}” isn't finished yet. You can continue where you left off:",
    ),
    "not_provided": ("لم يُذكر", "Not provided"),
    "attachment_later": ("سيُرسل لاحقاً للموظف", "To be sent to staff later"),
    "attachment_skipped_channel": (
        "هذه القناة لا تستقبل الملفات، لذلك تخطينا سؤال المرفق. يمكنك إرساله للموظف لاحقاً.",
        "This channel can't receive files, so we've skipped the attachment. You can send it to staff later.",
    ),
    "attachment_pending_channel": (
        "هذه القناة لا تستقبل الملفات، وسيطلب منك الموظف هذا المرفق بعد رفع الطلب.",
        "This channel can't receive files; a staff member will ask you for this attachment after the request is sent.",
    ),
    "yes": ("نعم", "Yes"),
    "no": ("لا", "No"),
}


def t(key: str, lang: str, **params: Any) -> str:
    """The catalog sentence for ``key`` in ``lang`` (Arabic unless ``lang`` is "en")."""
    ar, en = CATALOG[key]
    text = en if lang == "en" else ar
    return text.format(**params) if params else text


def reason_text(reason_key: str, params: dict[str, Any], lang: str) -> str:
    """Turn a validator's :class:`Invalid` into the sentence shown to the beneficiary."""
    return t(reason_key, lang, **params)
