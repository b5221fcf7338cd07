"""Beneficiary-facing texts, Arabic first, each with its English twin.

Texts are written as a courteous Saudi service desk writes: greeting, respect, clear next step.
An association's name and officer come from its pack through ``{org}``/``{officer}`` fields.
"""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, dict[str, str]] = {
    "greeting": {
        "ar": "أهلاً وسهلاً بك في {org} 🌿\nأنا صلة، المساعد الرقمي للجمعية. يسعدني خدمتك: اختر من القائمة أو اكتب سؤالك.",
        "en": "Welcome to {org} 🌿\nI'm Sila, the association's digital assistant. Happy to help: pick from the menu or type your question.",
    },
    "menu": {
        "ar": "كيف أقدر أخدمك؟ اختر من القائمة أو اكتب سؤالك:",
        "en": "How can I help you? Pick from the menu or type your question:",
    },
    "menu.support_request": {"ar": "تقديم طلب دعم", "en": "Request support"},
    "menu.status_inquiry": {"ar": "الاستعلام عن طلب", "en": "Check a request"},
    "menu.data_update": {"ar": "تحديث البيانات", "en": "Update my details"},
    "menu.volunteer": {"ar": "التسجيل في التطوع", "en": "Volunteer with us"},
    "menu.member_services": {"ar": "خدمات المساهمين", "en": "Member services"},
    "menu.faq": {"ar": "أسئلة عن الجمعية وخدماتها", "en": "Questions about the association"},
    "menu.human": {"ar": "التحدث مع موظف", "en": "Talk to an officer"},
    "menu.lang": {"ar": "English", "en": "العربية"},
    "faq.prompt": {
        "ar": "تفضل اكتب سؤالك، مثل: كم مدة دراسة الطلب؟ أو ما طرق التواصل معكم؟",
        "en": "Please type your question, e.g. How long does a request take? or How can I contact you?",
    },
    "fallback": {
        "ar": "المعذرة، لم أفهم طلبك تماماً. ممكن توضح أكثر؟ أو اختر من القائمة.",
        "en": "Sorry, I didn't quite understand. Could you rephrase, or pick from the menu?",
    },
    "fallback.offer_handoff": {
        "ar": "يبدو أنني لم أتمكن من مساعدتك بالشكل المطلوب، ونعتذر عن ذلك. هل تود أن أحيلك إلى {officer}؟",
        "en": "It seems I couldn't help as I should, and we apologise. Would you like me to refer you to the {officer}?",
    },
    "handoff.yes": {"ar": "نعم، حوّلني لموظف", "en": "Yes, refer me"},
    "handoff.no": {"ar": "لا، شكراً", "en": "No, thanks"},
    "handoff.ack": {
        "ar": "أبشر، تم تحويل محادثتك إلى {officer}، وسيتواصل معك هنا في أقرب وقت بإذن الله.",
        "en": "Certainly. Your conversation has been referred to the {officer}, who will reply here as soon as possible.",
    },
    "handoff.queue": {
        "ar": "ترتيبك في قائمة الانتظار: {position}.",
        "en": "Your place in the queue: {position}.",
    },
    "handoff.off_hours": {
        "ar": "نحن الآن خارج أوقات العمل ({hours})، وسيرد عليك الموظف في أول وقت العمل القادم.",
        "en": "We are outside working hours now ({hours}); an officer will reply at the start of the next working period.",
    },
    "handoff.waiting": {
        "ar": "رسالتك وصلت، و{officer} سيرد عليك هنا قريباً. لإلغاء طلب التحويل اكتب: إلغاء",
        "en": "Your message has been received; the {officer} will reply here soon. To cancel the referral, type: cancel",
    },
    "handoff.cancelled": {
        "ar": "تم إلغاء طلب التحويل، وأنا في خدمتك.",
        "en": "The referral has been cancelled; I'm here to help.",
    },
    "handoff.declined": {"ar": "حاضر، أنا في خدمتك متى احتجت.", "en": "Of course, I'm here whenever you need me."},
    "lang.switched": {"ar": "تم التحويل إلى اللغة العربية.", "en": "Switched to English."},
    "cancelled": {"ar": "تم الإلغاء. كيف أقدر أخدمك؟", "en": "Cancelled. How can I help you?"},
    "nothing_to_cancel": {"ar": "لا يوجد إجراء جارٍ لإلغائه.", "en": "There is nothing in progress to cancel."},
    "coming_soon": {
        "ar": "هذه الخدمة غير متاحة عبر المحادثة حالياً، ويسعد {officer} بمساعدتك فيها.",
        "en": "This service isn't available in the chat yet; the {officer} will be glad to help you with it.",
    },
    "error.too_long": {
        "ar": "الرسالة طويلة جداً؛ الحد الأقصى {limit} حرف. فضلاً اختصرها.",
        "en": "That message is too long; the limit is {limit} characters. Please shorten it.",
    },
    "error.rate_limited": {
        "ar": "رسائلك كثيرة في وقت قصير، فضلاً انتظر {seconds} ثوانٍ ثم أعد الإرسال.",
        "en": "Too many messages in a short time; please wait {seconds} seconds and send again.",
    },
    "error.bad_frame": {"ar": "تعذر قراءة الرسالة. فضلاً أعد المحاولة.", "en": "That message couldn't be read. Please try again."},
    "error.unavailable": {
        "ar": "الخدمة مشغولة مؤقتاً، فضلاً أعد المحاولة بعد قليل.",
        "en": "The service is briefly busy; please try again in a moment.",
    },
    # status inquiry (bot/status.py)
    "status.ask_ref": {
        "ar": "فضلاً اكتب رقم الطلب (مثل {example})، أو اختر «طلباتي» لعرض طلباتك المفتوحة.",
        "en": "Please type the request number (e.g. {example}), or choose “My requests” to see your open requests.",
    },
    "status.mine": {"ar": "طلباتي", "en": "My requests"},
    "status.none_open": {"ar": "لا توجد لديك طلبات مفتوحة حالياً.", "en": "You have no open requests at the moment."},
    "status.list_head": {"ar": "طلباتك المفتوحة:", "en": "Your open requests:"},
    "status.line": {"ar": "• {reference}: {status} (قُدّم في {date})", "en": "• {reference}: {status} (filed {date})"},
    "status.detail": {
        "ar": "حالة الطلب {reference}: {status}.\nتاريخ التقديم: {date}.",
        "en": "Request {reference} status: {status}.\nFiled: {date}.",
    },
    "status.due": {"ar": "الموعد المتوقع للرد: ليس قبل {due}.", "en": "Expected reply: not before {due}."},
    "status.verify": {
        "ar": "للتحقق من هويتك، اكتب آخر 4 أرقام من رقم الهوية أو رقم الجوال المسجل في الطلب.",
        "en": "To verify it's you, type the last 4 digits of the ID number or mobile number on the request.",
    },
    "status.not_found": {
        "ar": "لم نجد طلباً بهذه البيانات مرتبطاً بك. تأكد من رقم الطلب، أو اختر «طلباتي».",
        "en": "We couldn't find a request with these details linked to you. Check the number, or choose “My requests”.",
    },
    "status.locked": {
        "ar": "تجاوزت عدد المحاولات المسموح بها للتحقق. يسعد {officer} بمساعدتك.",
        "en": "Too many verification attempts. The {officer} will be glad to help you.",
    },
    "status.unavailable": {
        "ar": "الاستعلام عن الطلبات غير متاح هنا، ويسعد {officer} بمساعدتك.",
        "en": "Request inquiries aren't available here; the {officer} will be glad to help.",
    },
    "smalltalk.thanks": {
        "ar": "العفو، هذا واجبنا. هل تحتاج أي شيء آخر؟",
        "en": "You're welcome, it's our pleasure. Anything else I can help with?",
    },
    # -- console (issue 6): officer actions and the satisfaction survey ------------------------
    "handoff.claimed": {
        "ar": "معك الآن {officer}، تفضل بطرح ما تحتاجه وسنخدمك بكل سرور.",
        "en": "The {officer} has joined the conversation. Please go ahead; we're glad to help.",
    },
    "handoff.returned": {
        "ar": "أعادك الموظف إلى المساعد الرقمي، وأنا في خدمتك. يمكنك المتابعة من حيث توقفت.",
        "en": "The officer has handed you back to the digital assistant; I'm here to help. You can continue where you left off.",
    },
    "handoff.closed": {
        "ar": "تم إنهاء المحادثة مع {officer}. شكراً لتواصلك مع {org}، ونسعد بخدمتك متى احتجت.",
        "en": "Your conversation with the {officer} has ended. Thank you for contacting {org}; we're here whenever you need us.",
    },
    "case.why.rejected": {"ar": "السبب: {comment}", "en": "Reason: {comment}"},
    "case.why.needs_info": {
        "ar": "المطلوب لاستكمال طلبك: {comment}\nيمكنك الرد هنا وسيصل ردك إلى الموظف المختص.",
        "en": "What we still need: {comment}\nYou can reply here and it will reach the officer concerned.",
    },
    "case.status_update": {
        "ar": "تحديث على طلبك رقم {reference}: {status}.",
        "en": "An update on your request {reference}: {status}.",
    },
    "survey.ask": {
        "ar": "رأيك يهمنا 🌿 تقييم الخدمة حق لك، ونستخدمه أداةً لتقييم خدماتنا وتحسينها، لا لمحاسبة أحد.\nكيف تقيّم الخدمة التي تلقيتها؟ (1 = غير راضٍ، 5 = راضٍ جداً)",
        "en": "Your opinion matters 🌿 Rating our service is your right; we use it to evaluate and improve our services, not to blame anyone.\nHow would you rate the service you received? (1 = not satisfied, 5 = very satisfied)",
    },
    "survey.comment": {
        "ar": "شكراً لتقييمك. إن رغبت، اكتب ملاحظتك أو اقتراحك في رسالة واحدة، أو اختر «تخطي».",
        "en": "Thank you for your rating. If you like, write a comment or suggestion in one message, or choose “Skip”.",
    },
    "survey.low": {
        "ar": "نأسف أن الخدمة لم تكن بالمستوى الذي تستحقه. اكتب ملاحظتك إن رغبت، أو اطلب التحدث مع {officer}.",
        "en": "We're sorry the service wasn't what you deserve. Write a comment if you like, or ask to talk to the {officer}.",
    },
    "survey.skip": {"ar": "تخطي", "en": "Skip"},
    "survey.talk": {"ar": "التحدث مع موظف", "en": "Talk to an officer"},
    "survey.thanks": {
        "ar": "شكراً لك، وصلتنا ملاحظتك وسنستفيد منها في تحسين خدماتنا.",
        "en": "Thank you; we've received your feedback and will use it to improve our services.",
    },
    "survey.done": {"ar": "شكراً لك على وقتك.", "en": "Thank you for your time."},
}


def t(key: str, lang: str, **params: Any) -> str:
    """The text ``key`` in ``lang`` (Arabic when unknown), with ``params`` filled in."""
    entry = CATALOG[key]
    text = entry.get(lang) or entry["ar"]
    return text.format(**params) if params else text
