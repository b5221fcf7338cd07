"""The catalog's beneficiary section: what people read on every channel, Arabic first, each with its English twin.

Texts are written as a courteous Saudi service desk writes: greeting, respect, clear next step.
An association's name and officer come from its pack through ``{org}``/``{officer}`` fields.

Every entry has the same shape, ``{"ar": …, "en": …}``, every text is read with :func:`bot.i18n.t`, and
all of them are in this file (and, for size, the understanding step's in
:mod:`bot.i18n.understanding`, merged below), so translators review one place and the catalog is complete
whatever was imported first. Texts of one part of the bot share a key prefix: the request
forms' are ``flow.…`` (the validators' reasons among them, see ``bot/flows/messages.py``).
"""

from __future__ import annotations

from bot.i18n.understanding import UNDERSTANDING_TEXTS
from bot.i18n.weekdays import WEEKDAYS

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
    "privacy.erase_recorded": {
        "ar": "سجّلنا طلبك لحذف بياناتك لدى {org}. حرصاً على خصوصيتك، سيتحقق {officer} من هويتك أولاً، ثم تُحذف بياناتك ونؤكد لك ذلك. تبقى فقط سجلات الإقرار والموافقة على الطلبات التي قدّمتها، دون بياناتك الشخصية، لأنها إثبات نظامي للتوقيع.",
        "en": "We've recorded your request to delete your data held by {org}. To protect your privacy, the {officer} will first verify your identity; your data will then be deleted and we'll confirm it to you. Only the declaration and consent records of requests you filed are kept, without your personal data, as the legal evidence that they were signed.",
    },
    "privacy.export_recorded": {
        "ar": "سجّلنا طلبك للحصول على نسخة من بياناتك لدى {org}. حرصاً على خصوصيتك، سيتحقق {officer} من هويتك أولاً، ثم تصلك النسخة بطريقة آمنة.",
        "en": "We've recorded your request for a copy of your data held by {org}. To protect your privacy, the {officer} will first verify your identity, then send you the copy securely.",
    },
    "handoff.ack": {
        "ar": "أبشر، تم تحويل محادثتك إلى {officer}، وسيتواصل معك هنا في أقرب وقت بإذن الله. "
        "وللعودة إلى المساعد الرقمي في أي وقت اكتب «القائمة».",
        "en": "Certainly. Your conversation has been referred to the {officer}, who will reply here as soon as "
        "possible. To return to the digital assistant at any time, type “menu”.",
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
        "ar": "وصلت رسالتك إلى {officer}، وسيرد عليك هنا قريباً بإذن الله. للعودة إلى المساعد الرقمي اكتب «القائمة».",
        "en": "Your message has reached the {officer}, who will reply here soon. To return to the digital assistant, type “menu”.",
    },
    "handoff.waiting_again": {
        "ar": "نعتذر عن الانتظار. رسائلك كلها وصلت إلى {officer} وهي أمامه، وسيرد عليك هنا في أقرب وقت بإذن الله. "
        "وللعودة إلى المساعد الرقمي اكتب «القائمة».",
        "en": "We're sorry for the wait. All your messages have reached the {officer} and are in front of them; "
        "they will reply here as soon as possible. To return to the digital assistant, type “menu”.",
    },
    "handoff.waiting_long": {
        "ar": "نقدّر صبرك ونعتذر عن التأخير. طلبك ما زال لدى {officer} ورسائلك محفوظة عنده، وسيرد عليك هنا بإذن الله. "
        "وإن أردت العودة إلى المساعد الرقمي في الأثناء اكتب «القائمة».",
        "en": "Thank you for your patience, and we apologise for the delay. Your request is still with the {officer} "
        "and your messages are kept for them; they will reply here. To return to the digital assistant meanwhile, "
        "type “menu”.",
    },
    "handoff.waiting_thanks": {
        "ar": "العفو، حيّاك الله 🌿 طلبك عند {officer} وسيرد عليك هنا.",
        "en": "You're welcome 🌿 Your request is with the {officer}, who will reply here.",
    },
    "services.list": {
        "ar": "يسعدنا خدمتك، وهذا ما يمكنك طلبه من {org} عبر هذه المحادثة:\n{items}\nويمكنك كذلك سؤالي عن سياسة "
        "الجمعية وإجراءاتها، أو التحدث مع أحد موظفينا. اختر ما يناسبك:",
        "en": "Happy to help. This is what you can request from {org} in this chat:\n{items}\nYou can also ask "
        "me about the association's policy and procedures, or talk to one of our staff. Choose what suits you:",
    },
    "hours.unpublished": {
        "ar": "أوقات دوام {org} غير منشورة هنا بعد، فلا أستطيع تأكيدها لك. يسعد {officer} بإفادتك، ويمكنك ترك "
        "رسالتك هنا في أي وقت وسيتم الرد عليك.",
        "en": "{org}'s working hours aren't published here yet, so I can't confirm them for you. The {officer} "
        "will be glad to tell you, and you can leave your message here at any time; you'll get a reply.",
    },
    "handoff.hours": {
        "ar": "أوقات عمل الجمعية: {days}، من {start} إلى {end}.",
        "en": "The association's working hours: {days}, {start}–{end}.",
    },
    **WEEKDAYS,
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
    "error.stale_button": {
        "ar": "هذا الخيار من رسالة سابقة. فضلاً أجب عن السؤال الأخير، أو اكتب «إلغاء» إن أردت التوقف.",
        "en": "That option belongs to an earlier message. Please answer the latest question, or type “cancel” if you'd like to stop.",
    },
    "error.restarting": {
        "ar": "يُعاد تشغيل الخدمة الآن، وسنعيد الاتصال تلقائياً خلال لحظات.",
        "en": "The service is restarting; we'll reconnect automatically in a moment.",
    },
    "error.unavailable": {
        "ar": "الخدمة مشغولة مؤقتاً، فضلاً أعد المحاولة بعد قليل.",
        "en": "The service is briefly busy; please try again in a moment.",
    },
    # status inquiry (bot/stages/status.py)
    "status.ask_ref": {
        "ar": "فضلاً اكتب رقم الطلب (مثل {example})، أو اختر «طلباتي» لعرض طلباتك المفتوحة.",
        "en": "Please type the request number (e.g. {example}), or choose “My requests” to see your open requests.",
    },
    "status.mine": {"ar": "طلباتي", "en": "My requests"},
    "status.other_hint": {
        "ar": "وللاستعلام عن طلب آخر، اكتب رقمه (مثل {example}).",
        "en": "To ask about another request, type its number (e.g. {example}).",
    },
    "status.none_open": {"ar": "لا توجد لديك طلبات مفتوحة حالياً.", "en": "You have no open requests at the moment."},
    "status.list_head": {"ar": "طلباتك المفتوحة:", "en": "Your open requests:"},
    "status.line": {"ar": "• {reference}: {status} (قُدّم في {date})", "en": "• {reference}: {status} (filed {date})"},
    "status.detail": {
        "ar": "حالة الطلب {reference}: {status}.\nتاريخ التقديم: {date}.",
        "en": "Request {reference} status: {status}.\nFiled: {date}.",
    },
    "status.due": {"ar": "الموعد المتوقع للرد: ليس قبل {due}.", "en": "Expected reply: not before {due}."},
    "status.verify": {
        "ar": "للتحقق من هويتك، اكتب آخر 4 أرقام من رقم الهوية ثم آخر 4 أرقام من رقم الجوال المسجلين في الطلب (8 أرقام، مثل: 1234 5678).",
        "en": "To verify it's you, type the last 4 digits of the ID number and then the last 4 digits of the mobile number on the request (8 digits, e.g. 1234 5678).",
    },
    "status.not_found": {
        "ar": "لم نجد طلباً بهذه البيانات مرتبطاً بك. تأكد من رقم الطلب، أو اختر «طلباتي». وإن كان الطلب لشخص آخر، "
        "فبإمكان صاحبه الاستعلام عنه من رقم جواله المسجل في الطلب، أو يسعد {officer} بمساعدتك.",
        "en": "We couldn't find a request with these details linked to you. Check the number, or choose “My requests”. "
        "If the request is someone else's, its owner can ask about it from the mobile number on the request, or the "
        "{officer} will be glad to help.",
    },
    "status.locked": {
        "ar": "تجاوزت عدد المحاولات المسموح بها للتحقق. يسعد {officer} بمساعدتك.",
        "en": "Too many verification attempts. The {officer} will be glad to help you.",
    },
    "status.unavailable": {
        "ar": "الاستعلام عن الطلبات غير متاح هنا، ويسعد {officer} بمساعدتك.",
        "en": "Request inquiries aren't available here; the {officer} will be glad to help.",
    },
    # a wish about a request already filed (bot/stages/filed.py): the officer does it
    "filed.cancel": {
        "ar": "وصلتني رغبتك في إلغاء طلبك رقم {reference}. إلغاء الطلب بعد تقديمه يتم عن طريق {officer}، "
        "وقد حوّلت له رسالتك ليتواصل معك ويؤكد الإلغاء.",
        "en": "I've noted that you'd like to withdraw your request {reference}. A filed request is withdrawn by the "
        "{officer}; I've passed your message on so they can contact you and confirm it.",
    },
    "filed.add": {
        "ar": "شكراً لك، وصلت المعلومة التي تودّ إضافتها إلى طلبك رقم {reference}، وقد أرفقتها بالطلب وحوّلتها إلى "
        "{officer} ليطّلع عليها ويتواصل معك إن احتاج شيئاً آخر.",
        "en": "Thank you, I've received what you'd like to add to your request {reference}. I've attached it to the "
        "request and passed it to the {officer}, who will contact you if anything else is needed.",
    },
    "filed.correct": {
        "ar": "وصلني طلبك تعديل بيانات في طلبك رقم {reference}. التعديل على الطلب بعد تقديمه يتم عن طريق {officer}، "
        "وقد حوّلت له رسالتك ليعدّلها ويتواصل معك إن احتاج أي تفاصيل.",
        "en": "I've noted the correction you'd like in your request {reference}. A filed request is corrected by the "
        "{officer}; I've passed your message on so they can make it and contact you if they need any details.",
    },
    "filed.cancel_several": {
        "ar": "وصلتني رغبتك في إلغاء طلب. لديك أكثر من طلب ({references})، فضلاً اكتب رقم الطلب الذي تقصده. "
        "وقد حوّلت رسالتك إلى {officer} ليتواصل معك ويؤكد الإلغاء.",
        "en": "I've noted that you'd like to withdraw a request. You have more than one ({references}); please type "
        "the number of the one you mean. I've passed your message to the {officer}, who will contact you to confirm.",
    },
    "filed.add_several": {
        "ar": "شكراً لك، وصلت المعلومة التي تودّ إضافتها. لديك أكثر من طلب ({references})، فضلاً اكتب رقم الطلب "
        "الذي تقصده. وقد حوّلت رسالتك إلى {officer} ليطّلع عليها ويتواصل معك.",
        "en": "Thank you, I've received what you'd like to add. You have more than one request ({references}); please "
        "type the number of the one you mean. I've passed your message to the {officer}, who will contact you.",
    },
    "filed.correct_several": {
        "ar": "وصلني طلبك تعديل بيانات في طلب. لديك أكثر من طلب ({references})، فضلاً اكتب رقم الطلب الذي تقصده. "
        "وقد حوّلت رسالتك إلى {officer} ليعدّلها ويتواصل معك.",
        "en": "I've noted the correction you'd like. You have more than one request ({references}); please type the "
        "number of the one you mean. I've passed your message to the {officer}, who will make it and contact you.",
    },
    "filed.update_saved": {
        "ar": "نعم، وصلنا تحديث بياناتك بتاريخ {date} وتم حفظه، شكراً لك.",
        "en": "Yes, your data update of {date} was received and saved. Thank you.",
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
    "survey.unhappy": {
        "ar": "نعتذر منك بشدة عن هذه التجربة، فهذا ليس ما نرجوه لك. سجّلنا تقييمك وملاحظتك ليطّلع عليها المسؤولون "
        "ونعمل على تحسينها. هل تود أن نحوّلك إلى {officer} ليتواصل معك؟",
        "en": "We sincerely apologise for this experience; it is not what we want for you. We've recorded your rating "
        "and your comment for those in charge to review and act on. Would you like us to refer you to the {officer}?",
    },
    "survey.skip": {"ar": "تخطي", "en": "Skip"},
    "survey.talk": {"ar": "التحدث مع موظف", "en": "Talk to an officer"},
    "survey.thanks": {
        "ar": "شكراً لك، وصلتنا ملاحظتك وسنستفيد منها في تحسين خدماتنا.",
        "en": "Thank you; we've received your feedback and will use it to improve our services.",
    },
    "survey.done": {"ar": "شكراً لك على وقتك.", "en": "Thank you for your time."},
    # --- opting out of notifications (STOP / START, every channel) --------------------------
    "optout.out": {
        "ar": "تم إيقاف رسائل التنبيهات والتحديثات على هذه القناة، وستصلك فقط الردود على رسائلك. لإعادة الاشتراك أرسل: اشتراك",
        "en": "You will no longer receive notifications or updates here; we will only answer your own messages. To subscribe again, send START.",
    },
    "optout.in": {
        "ar": "تم تفعيل اشتراكك من جديد، وستصلك تحديثات طلباتك وتنبيهات الجمعية. للإيقاف أرسل: إيقاف",
        "en": "You are subscribed again and will receive updates about your requests. To stop, send STOP.",
    },
    # --- a request's status as the beneficiary reads it (staff labels: bot/i18n/staff.py) -----
    "case_status.submitted": {"ar": "تم الاستلام، بانتظار الدراسة", "en": "Received, awaiting review"},
    "case_status.under_review": {"ar": "قيد الدراسة لدى اللجنة", "en": "Under review"},
    "case_status.approved": {"ar": "تمت الموافقة", "en": "Approved"},
    "case_status.rejected": {"ar": "نعتذر، لم تتم الموافقة", "en": "Not approved"},
    "case_status.needs_info": {"ar": "بحاجة إلى استكمال معلومات", "en": "More information needed"},
    "case_status.completed": {"ar": "مكتمل", "en": "Completed"},
    "case_status.cancelled": {"ar": "ملغى", "en": "Cancelled"},
    # --- Telegram's keyboard button that shares the person's number -------------------------
    "telegram.share_phone": {"ar": "📱 مشاركة رقم جوالي", "en": "📱 Share my mobile number"},
    # === flows (keys "flow.…"): what a request form says that is not in a pack ===============
    # validators return the reason part of a key ("nid_checksum" → "flow.nid_checksum")
    # --- validation reasons -------------------------------------------------------------
    "flow.required": {
        "ar": "هذه المعلومة مطلوبة، فضلاً اكتب إجابتك.",
        "en": "This information is required; please type your answer.",
    },
    "flow.text_too_short": {
        "ar": "الإجابة قصيرة جداً، فضلاً اكتب {min} أحرف على الأقل.",
        "en": "That is a little short; please write at least {min} characters.",
    },
    "flow.text_too_long": {
        "ar": "النص طويل ({length} حرفاً) والحد الأقصى {max} حرف. فضلاً اختصره وأعد إرساله.",
        "en": "The text is {length} characters long and the limit is {max}. Please shorten it and send it again.",
    },
    "flow.name_not_a_name": {
        "ar": "يبدو أن هذه ليست اسماً. فضلاً اكتب اسمك الكامل فقط كما هو في الهوية، مثل: محمد عبدالله السالم.",
        "en": "That doesn't look like a name. Please type only your full name as on your ID, e.g. Mohammed Abdullah Alsalem.",
    },
    "flow.name_arabizi": {
        "ar": "يبدو أن الاسم مكتوب بحروف لاتينية وأرقام (مثل 7 و3). فضلاً اكتبه بالحروف العربية كما في الهوية، "
        "مثل: محمد عبدالله العنزي، أو بالحروف الإنجليزية دون أرقام.",
        "en": "The name seems to be written with numbers for some letters (like 7 and 3). Please type it in "
        "Arabic letters as on the ID (e.g. محمد عبدالله العنزي), or in English letters without numbers.",
    },
    "flow.name_one_word": {
        "ar": "فضلاً اكتب الاسم الكامل كما في الهوية: الاسم الأول واسم الأب أو العائلة على الأقل، مثل: محمد عبدالله السالم.",
        "en": "Please type the full name as on the ID: at least the first name and the father's or family name, "
        "e.g. Mohammed Abdullah Alsalem.",
    },
    "flow.name_kunya": {
        "ar": "هذه كنية، ونحتاج الاسم الكامل كما في الهوية، مثل: نورة محمد الشهري.",
        "en": "That is a kunya (such as Umm Khalid); we need the full name as on the ID, e.g. Noura Mohammed Alshehri.",
    },
    "flow.name_length": {
        "ar": "الاسم يكون بين {min} و{max} حرفاً. فضلاً أعد كتابته.",
        "en": "A name should be between {min} and {max} characters. Please type it again.",
    },
    "flow.name_digits": {
        "ar": "الاسم لا يحتوي على أرقام. فضلاً اكتب اسمك بالحروف.",
        "en": "A name has no digits in it. Please type your name in letters.",
    },
    "flow.name_letters": {
        "ar": "فضلاً اكتب الاسم بالحروف العربية أو الإنجليزية.",
        "en": "Please type the name in Arabic or English letters.",
    },
    "flow.nid_length": {
        "ar": "رقم الهوية يتكون من 10 أرقام ويبدأ بـ 1 للمواطن أو 2 للمقيم. فضلاً أعد كتابته.",
        "en": "The ID number has 10 digits and starts with 1 for citizens or 2 for residents. Please type it again.",
    },
    "flow.nid_prefix": {
        "ar": "رقم الهوية يبدأ بـ 1 للمواطن أو 2 للمقيم (الإقامة). فضلاً تأكد منه وأعد كتابته.",
        "en": "The ID number starts with 1 for citizens or 2 for residents (iqama). Please check it and type it again.",
    },
    "flow.nid_checksum": {
        "ar": "يبدو أن أحد أرقام الهوية غير صحيح. فضلاً راجع الرقم في بطاقة الهوية أو الإقامة وأعد كتابته.",
        "en": "One of the digits seems to be wrong. Please check the number on your ID or iqama card and type it again.",
    },
    "flow.phone_invalid": {
        "ar": "رقم الجوال غير صحيح. فضلاً اكتبه بهذا الشكل: 05XXXXXXXX",
        "en": "That mobile number doesn't look right. Please type it like this: 05XXXXXXXX",
    },
    "flow.phone_landline": {
        "ar": "هذا رقم هاتف ثابت. فضلاً اكتب رقم جوال سعودي يبدأ بـ 05.",
        "en": "That is a landline number. Please type a Saudi mobile number starting with 05.",
    },
    "flow.phone_not_saudi": {
        "ar": "نستقبل أرقام الجوال السعودية فقط (تبدأ بـ 05 أو 9665+). فضلاً اكتب رقم جوال سعودي.",
        "en": "We can only take Saudi mobile numbers (starting with 05 or +9665). Please type a Saudi mobile number.",
    },
    "flow.several_numbers": {
        "ar": "وجدت في رسالتك أكثر من رقم. فضلاً اكتب الرقم المطلوب وحده.",
        "en": "Your message has more than one number in it. Please type just the number asked for.",
    },
    "flow.choice_unknown": {
        "ar": "لم أتعرف على اختيارك. فضلاً اختر من القائمة أو اكتب رقم الخيار.",
        "en": "I didn't recognise that choice. Please pick one from the list or type its number.",
    },
    "flow.choice_help": {
        "ar": "اختر الأنسب لك من الخيارات التالية بالضغط عليه أو بكتابة رقمه، أو اكتب «موظف» للتحدث مع أحد الموظفين.",
        "en": "Please choose the option that suits you below by tapping it or typing its number, or type "
        "\"human\" to talk to a staff member.",
    },
    "flow.choice_ambiguous": {
        "ar": "اختيارك يحتمل أكثر من خيار ({options}). فضلاً حدد واحداً منها.",
        "en": "That could mean more than one option ({options}). Please pick one of them.",
    },
    "flow.multi_count": {
        "ar": "فضلاً اختر من {min} إلى {max} من الخيارات، وافصل بينها بفاصلة (مثل: 1، 3).",
        "en": "Please pick between {min} and {max} options, separated by commas (e.g. 1, 3).",
    },
    "flow.yes_no": {"ar": "فضلاً أجب بـ «نعم» أو «لا».", "en": "Please answer “yes” or “no”."},
    "flow.number_expected": {
        "ar": "فضلاً اكتب رقماً صحيحاً (بالأرقام).",
        "en": "Please type a whole number (in digits).",
    },
    "flow.number_too_small": {"ar": "الرقم يجب ألا يقل عن {min}.", "en": "The number should be at least {min}."},
    "flow.number_too_large": {"ar": "الرقم يجب ألا يزيد على {max}.", "en": "The number should be at most {max}."},
    "flow.digits_expected": {"ar": "فضلاً اكتب الرقم بالأرقام فقط.", "en": "Please type the number using digits only."},
    "flow.digits_length": {
        "ar": "الرقم يتكون من {min} إلى {max} أرقام. فضلاً تأكد منه.",
        "en": "The number has {min} to {max} digits. Please check it.",
    },
    "flow.date_format": {
        "ar": "لم أفهم التاريخ. اكتبه مثل 2025-03-01 أو 1/3/2025، أو بالهجري مثل 1446/08/25هـ.",
        "en": "I couldn't read that date. Please write it like 2025-03-01 or 1/3/2025, or Hijri like 1446/08/25 AH.",
    },
    "flow.date_invalid": {
        "ar": "هذا التاريخ غير موجود في التقويم. فضلاً تأكد من اليوم والشهر.",
        "en": "That date doesn't exist in the calendar. Please check the day and month.",
    },
    "flow.date_out_of_range": {
        "ar": "التاريخ خارج النطاق الذي نستطيع التحقق منه. فضلاً تأكد من السنة.",
        "en": "That date is outside the range we can check. Please check the year.",
    },
    "flow.date_future": {"ar": "التاريخ لا يمكن أن يكون في المستقبل.", "en": "The date can't be in the future."},
    "flow.date_past": {"ar": "التاريخ لا يمكن أن يكون في الماضي.", "en": "The date can't be in the past."},
    "flow.city_unknown": {
        "ar": "لم أتعرف على المدينة. فضلاً اكتب اسمها مثل: الرياض، جدة، مكة المكرمة.",
        "en": "I didn't recognise the city. Please type its name, e.g. Riyadh, Jeddah, Makkah.",
    },
    "flow.attachment_expected": {
        "ar": "فضلاً أرسل الملف نفسه كمرفق ({types}).",
        "en": "Please send the file itself as an attachment ({types}).",
    },
    "flow.attachment_type": {
        "ar": "نوع الملف غير مقبول. الأنواع المقبولة: {types}.",
        "en": "That file type isn't accepted. Accepted types: {types}.",
    },
    "flow.attachment_size": {
        "ar": "حجم الملف أكبر من الحد المسموح ({max_mb} ميجابايت). فضلاً أرسل ملفاً أصغر.",
        "en": "The file is larger than the {max_mb} MB limit. Please send a smaller file.",
    },
    # --- runner ---------------------------------------------------------------------------
    "flow.optional_hint": {"ar": "(اختياري — يمكنك كتابة «تخطي»)", "en": "(optional — you can type “skip”)"},
    "flow.choose_hint": {"ar": "اكتب رقم الخيار أو اسمه.", "en": "Type the option's number or name."},
    "flow.skip_button": {"ar": "تخطي", "en": "Skip"},
    "flow.restored": {
        "ar": "أبشر، رجّعنا طلبك «{title}» كما كان، ونكمل من حيث توقفت:",
        "en": "Certainly, your “{title}” request is back as it was; let's continue where you left off:",
    },
    "flow.was_cancelled": {
        "ar": "طلبك «{title}» أُلغي ولم يُرسل منه شيء، ولا نحتفظ بإجاباته بعد الإلغاء. هل تود البدء فيه من جديد؟",
        "en": "Your “{title}” request was cancelled and nothing of it was sent; its answers are not kept after "
        "cancelling. Would you like to start it again?",
    },
    "flow.start_again": {"ar": "البدء من جديد", "en": "Start again"},
    "flow.cancelled": {
        "ar": "تم إلغاء الطلب ولم يُرسل أي شيء. يسعدنا خدمتك في أي وقت.",
        "en": "The request has been cancelled and nothing was sent. We're happy to help any time.",
    },
    "flow.back_first": {"ar": "هذا هو السؤال الأول.", "en": "This is the first question."},
    "flow.skip_required": {
        "ar": "هذه المعلومة مطلوبة ولا يمكن تخطيها.",
        "en": "This information is required and can't be skipped.",
    },
    "flow.help_default": {
        "ar": "اكتب إجابتك على السؤال. يمكنك أيضاً كتابة «رجوع» للسؤال السابق، أو «إلغاء» لإلغاء الطلب، أو «موظف» للتحدث مع أحد الموظفين.",
        "en": "Type your answer to the question. You can also type “back” for the previous question, “cancel” to cancel the request, or “human” to talk to a staff member.",
    },
    "flow.handoff_offer": {
        "ar": "لا بأس، يبدو أن هذا السؤال غير واضح. هل تود أن نحولك لأحد الموظفين ليساعدك، أم تحاول مرة أخرى؟",
        "en": "No problem — this question seems unclear. Would you like us to pass you to a staff member, or try again?",
    },
    "flow.handoff_button": {"ar": "تحويل لموظف", "en": "Talk to staff"},
    "flow.retry_button": {"ar": "محاولة مرة أخرى", "en": "Try again"},
    "flow.summary_title": {"ar": "فضلاً راجع بيانات طلبك:", "en": "Please review your request:"},
    "flow.summary_question": {"ar": "هل البيانات صحيحة؟", "en": "Is everything correct?"},
    "flow.confirm_button": {"ar": "تأكيد", "en": "Confirm"},
    "flow.edit_button": {"ar": "تعديل", "en": "Edit"},
    "flow.edit_pick": {"ar": "أي معلومة تود تعديلها؟", "en": "Which detail would you like to change?"},
    "flow.declaration_accept": {"ar": "أقر وأوافق", "en": "I confirm"},
    "flow.declaration_decline": {"ar": "لا أوافق", "en": "I do not agree"},
    "flow.declined": {
        "ar": "نحترم قرارك. لا يمكن رفع الطلب دون الإقرار بصحة البيانات، لذلك لم يُرسل أي شيء. يمكنك البدء من جديد متى شئت.",
        "en": "We respect your decision. A request can't be sent without confirming the information is correct, so nothing was sent. You're welcome to start again any time.",
    },
    "flow.consent_accept": {"ar": "أوافق", "en": "I agree"},
    "flow.consent_decline": {"ar": "لا أوافق", "en": "I do not agree"},
    "flow.consent_declined": {
        "ar": "نحترم قرارك. لا يمكننا معالجة الطلب دون موافقتك على استخدام بياناتك لهذا الغرض، لذلك لم يُرسل أي شيء ولم تُحفظ بيانات الطلب.",
        "en": "We respect your decision. We can't process the request without your consent to use your data for this purpose, so nothing was sent and the answers were not kept.",
    },
    "flow.pick_option": {"ar": "فضلاً اختر أحد الخيارات.", "en": "Please choose one of the options."},
    "flow.expired": {
        "ar": "مضى وقت طويل على آخر رد في طلبك السابق، لذلك بدأنا الطلب من جديد. نعتذر عن الإزعاج.",
        "en": "It's been a while since your last reply, so we've started the request again. Sorry for the trouble.",
    },
    "flow.reminder": {
        "ar": "تذكير لطيف: طلبك «{title}» لم يكتمل بعد. يمكنك المتابعة من حيث توقفت:",
        "en": "A gentle reminder: your request “{title}” isn't finished yet. You can continue where you left off:",
    },
    "flow.not_provided": {"ar": "لم يُذكر", "en": "Not provided"},
    "flow.attachment_later": {"ar": "سيُرسل لاحقاً للموظف", "en": "To be sent to staff later"},
    "flow.attachment_skipped_channel": {
        "ar": "هذه القناة لا تستقبل الملفات، لذلك تخطينا سؤال المرفق. يمكنك إرساله للموظف لاحقاً.",
        "en": "This channel can't receive files, so we've skipped the attachment. You can send it to staff later.",
    },
    "flow.attachment_pending_channel": {
        "ar": "هذه القناة لا تستقبل الملفات، وسيطلب منك الموظف هذا المرفق بعد رفع الطلب.",
        "en": "This channel can't receive files; a staff member will ask you for this attachment after the request is sent.",
    },
    "flow.yes": {"ar": "نعم", "en": "Yes"},
    "flow.protected_answer": {"ar": "(إجابة محمية)", "en": "(protected answer)"},
    "flow.no": {"ar": "لا", "en": "No"},
}


# what the understanding step says (crisis, medical, complaints, small talk, repair): its own file
# for size, the same catalog
_SHARED = CATALOG.keys() & UNDERSTANDING_TEXTS.keys()
if _SHARED:
    raise ValueError(f"texts defined twice: {sorted(_SHARED)}")
CATALOG.update(UNDERSTANDING_TEXTS)
