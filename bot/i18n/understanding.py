"""Beneficiary texts of the understanding step (``bot/understanding``, ``bot/stages/safety.py``,
``smalltalk.py``, ``needs_info.py`` and the forms' repairs): a person in crisis, a medical question,
a complaint, small talk, a voice note, a form left half-way. Part of the one catalog
(:data:`bot.i18n.beneficiary.CATALOG`), kept in its own file only for size; same shape, same
courteous Saudi service-desk voice, Arabic first.
"""

from __future__ import annotations

UNDERSTANDING_TEXTS: dict[str, dict[str, str]] = {
    "greeting.morning_return": {"ar": "صباح النور والسرور 🌿", "en": "Good morning to you too 🌿"},
    "greeting.evening_return": {"ar": "مساء النور والسرور 🌿", "en": "Good evening to you too 🌿"},
    "salam.return": {"ar": "وعليكم السلام ورحمة الله وبركاته.", "en": "Wa alaikum assalam, peace be upon you too."},
    "smalltalk.goodbye": {
        "ar": "في أمان الله، سعدنا بخدمتك. ومتى احتجت شيئاً فنحن هنا.",
        "en": "Take care; it was a pleasure to help. We're here whenever you need us.",
    },
    "smalltalk.goodbye_form": {
        "ar": "في أمان الله، سعدنا بخدمتك. ما كتبته في «{title}» محفوظ لك، ومتى عدت خلال {hours} ساعة أكملنا من حيث "
        "توقفت.",
        "en": "Take care; it was a pleasure to help. What you've entered for “{title}” is kept for you: come back "
        "within {hours} hours and we'll continue where you left off.",
    },
    "empty.prompt": {
        "ar": "يبدو أن رسالتك وصلت فارغة 🌿 تفضل اكتب ما تحتاجه، أو اكتب «القائمة» لعرض الخيارات.",
        "en": "Your message seems to have arrived empty 🌿 Please write what you need, or type “menu” to see the options.",
    },
    "smalltalk.other": {
        "ar": "أنا في خدمتك 🌿 اكتب سؤالك أو اختر من القائمة.",
        "en": "I'm here to help 🌿 Type your question or pick from the menu.",
    },
    "crisis.reply": {
        # worded for a man or a woman alike (no gendered verb): a woman in danger read "إن كنت… فاتصل"
        "ar": "نأسف كثيراً لما يحدث معك، وكلامك يهمنا ونحن معك. في حال وجود خطر عليك الآن يُرجى الاتصال فوراً بـ:\n"
        "{lines}\n"
        "وقد حوّلت محادثتك الآن بشكل عاجل إلى {officer} ليتواصل معك هنا في أقرب وقت.",
        "en": "I'm truly sorry you're going through this. What you say matters to us and you are not alone. "
        "If you are in danger now, please call right away:\n{lines}\n"
        "I've also referred your conversation urgently to the {officer}, who will reply here as soon as possible.",
    },
    "crisis.emergency": {
        "ar": "السلامة أولاً: إن كانت الحالة طارئة فيُرجى الاتصال الآن بالإسعاف أو التوجّه إلى أقرب قسم طوارئ:\n"
        "{lines}\n"
        "وقد حوّلت محادثتك الآن بشكل عاجل إلى {officer} ليتواصل معك هنا في أقرب وقت.",
        "en": "Safety comes first: if this is an emergency, call an ambulance now or go to the nearest emergency "
        "department:\n{lines}\nI've also referred your conversation urgently to the {officer}, who will reply here "
        "as soon as possible.",
    },
    "distress.reply": {
        "ar": "أتفهم ما تمر به، ونسأل الله أن يفرّج همك وييسّر أمرك، ونحن معك وفي خدمتك. "
        "يمكنك تقديم طلب دعم الآن، أو التحدث مع {officer}.",
        "en": "We're sorry for what you're going through and we're here to help. "
        "You can request support now, or talk to the {officer}.",
    },
    "plea.reply": {
        "ar": "شكراً لك على ثقتك وعلى شرح حالتك بالتفصيل، وقد قرأنا رسالتك. لنخدمك بأفضل شكل: يمكنك تقديم طلب "
        "دعم الآن خطوة بخطوة، أو التحدث مع {officer} ليطّلع على رسالتك ويتابعها معك. وإن كان لديك سؤال محدد "
        "فاكتبه في سطر واحد وسأجيبك.",
        "en": "Thank you for trusting us and explaining your situation in detail; we have read your message. "
        "To help you best, you can request support now, step by step, or talk to the {officer}, who will read "
        "your message and follow it up with you. If you have a specific question, write it in one line and I'll answer.",
    },
    "distress.short": {
        "ar": "أتفهم ما تمر به، ونسأل الله أن يفرّج همك وييسّر أمرك.",
        "en": "We're sorry for what you're going through, and we're here to help.",
    },
    "medical.reply": {
        "ar": "نسأل الله الشفاء العاجل. الجمعية لا تقدم استشارات أو توصيات طبية، وقرار العلاج يعود إلى الطبيب "
        "المعالج، فضلاً اسأله عن الأنسب للحالة. ويسعدنا أن نخدمك فيما نقدمه: طلب الدعم، والإجابة عن أسئلتك "
        "عن خدمات الجمعية، والتحدث مع {officer}.",
        "en": "We wish a speedy recovery. The association does not give medical advice or recommendations; "
        "treatment decisions belong to the treating doctor, so please ask them what suits the case best. "
        "We're glad to help with what we do offer: requesting support, questions about our services, "
        "or talking to the {officer}.",
    },
    "complaint.reply": {
        "ar": "نعتذر منك بشدة عن هذه التجربة، فهذا ليس ما نرجوه لك. سجّلنا ملاحظتك شكوى وأحلناها إلى {officer} "
        "ليطّلع عليها ويتواصل معك هنا.",
        "en": "We sincerely apologise for this experience; it is not what we want for you. We've recorded it as a "
        "complaint and referred it to the {officer}, who will look into it and reply here.",
    },
    "abuse.reply": {
        "ar": "أنا هنا لخدمتك، ونعتذر إن كان هناك ما أزعجك. كيف أقدر أساعدك؟",
        "en": "I'm here to help, and I'm sorry if something upset you. How can I help?",
    },
    "abuse.again": {
        "ar": "نعتذر إن لم أكن عند حسن ظنك. هل تود أن أحوّلك إلى {officer} ليساعدك بنفسه؟",
        "en": "I'm sorry I haven't been the help you expected. Would you like me to refer you to the {officer}, "
        "who can help you in person?",
    },
    "handoff.offer": {"ar": "هل تود التحدث مع {officer}؟", "en": "Would you like to talk to the {officer}?"},
    "media.voice": {
        "ar": "وصلتني رسالتك الصوتية، لكني لا أستطيع الاستماع إليها حالياً. فضلاً اكتب ما تحتاجه، أو اختر "
        "التحدث مع {officer} ليستمع إليها.",
        "en": "I received your voice message, but I can't listen to it yet. Please write what you need, or "
        "choose to talk to the {officer}, who can play it.",
    },
    "media.other": {
        "ar": "وصلني المرفق الذي أرسلته، لكني لا أستطيع قراءته هنا. فضلاً اكتب ما تحتاجه، أو اختر التحدث مع "
        "{officer} ليطّلع عليه.",
        "en": "I received the attachment you sent, but I can't read it here. Please write what you need, or "
        "choose to talk to the {officer}, who can open it.",
    },
    "flow.question_later": {
        "ar": "سؤالك في محله، ويسعد {officer} بالإجابة عنه بعد إكمال الطلب أو متى ما طلبته.",
        "en": "A fair question; the {officer} will be glad to answer it once the request is complete, or whenever you ask.",
    },
    "flow.officer_offer": {
        "ar": "وإن رغبت أحوّل استفسارك إلى {officer} الآن، ويبقى طلبك محفوظاً كما هو: اختر «نعم، حوّلني لموظف» "
        "أو اكتب «موظف». أو نكمل الطلب من حيث توقفنا:",
        "en": "If you wish, I can pass your question to the {officer} now, and your request stays saved as it is: "
        "choose «Yes, refer me» or type «officer». Or we carry on with the request where we left off:",
    },
    "flow.outside_continue": {"ar": "ونكمل طلبك من حيث توقفنا:", "en": "Let's carry on with your request:"},
    "fallback.first_question": {
        "ar": "بحثت عن سؤالك في سياسة {org} المنشورة ولم أجد له إجابة، ويسعد {officer} بمساعدتك فيه: اختر "
        "«التحدث مع موظف»، أو اختر من القائمة.",
        "en": "I looked for your question in {org}'s published policy and couldn't find an answer; the "
        "{officer} will gladly help you with it: choose «Talk to an officer», or pick from the menu.",
    },
    "fallback.first_message": {
        "ar": "المعذرة، لم أفهم رسالتك تماماً. ممكن توضحها أكثر، أو تختار من القائمة، أو تختار «التحدث مع "
        "موظف» ليساعدك {officer}.",
        "en": "Sorry, I didn't quite understand your message. Could you say a little more, pick from the menu, "
        "or choose «Talk to an officer» and the {officer} will help you?",
    },
    "media.waiting": {
        "ar": "وصل مرفقك، وسيطّلع عليه الموظف المختص ({officer}) عند رده عليك هنا.",
        "en": "Your attachment has arrived; the officer ({officer}) will look at it when they reply here.",
    },
    "flow.resume_offer": {
        "ar": "أهلاً بعودتك! لديك طلب «{title}» لم يكتمل. هل تود المتابعة من حيث توقفت أم البدء من جديد؟",
        "en": "Welcome back! Your request “{title}” isn't finished. Would you like to continue where you left "
        "off, or start again?",
    },
    "flow.menu_offer": {
        "ar": "طلبك «{title}» لم يكتمل بعد، وما كتبته محفوظ. هل تود المتابعة من حيث توقفت، أو البدء من جديد، "
        "أو الانتقال إلى القائمة الرئيسية؟",
        "en": "Your request “{title}” isn't finished yet, and what you've entered is kept. Would you like to "
        "continue where you left off, start again, or go to the main menu?",
    },
    "flow.lang_continue": {"ar": "أبشر، نكمل بالعربي.", "en": "Sure, let's continue in English."},
    "flow.why_sensitive": {
        "ar": "نطلب {label} للتحقق من هويتك ومطابقة بيانات طلبك عند دراسته، ولا يُستخدم لغير ذلك. ويُحفظ مشفّراً، "
        "ولا يطّلع عليه إلا الموظفون المختصون في {org}.",
        "en": "We ask for your {label} to verify your identity and check your request's details when it is studied; "
        "it is used for nothing else. It is stored encrypted, and only the staff concerned at {org} can see it.",
    },
    "flow.why_needed": {
        "ar": "نطلب {label} لدراسة طلبك والتواصل معك بشأنه فقط، ولا يطّلع على بياناتك إلا الموظفون المختصون في {org}.",
        "en": "We ask for your {label} only to study your request and contact you about it; only the staff "
        "concerned at {org} can see your details.",
    },
    "flow.optional_what": {
        "ar": "هذا السؤال اختياري: أجب عنه إن أردت، أو اكتب «{skip}» للانتقال إلى السؤال التالي.",
        "en": "This question is optional: answer it if you like, or type “{skip}” to go on to the next question.",
    },
    "flow.switch_offer": {
        "ar": "هل تود إلغاء طلب «{current}» والبدء في «{other}» بدلاً منه؟ علماً بأن ما أدخلته في الطلب الحالي "
        "لن يُرسل. وإن أردت أكملنا طلبك من حيث توقفت.",
        "en": "Would you like to cancel your “{current}” request and start “{other}” instead? What you've entered "
        "in the current request won't be sent. Or we can carry on where you left off.",
    },
    "flow.switch_yes": {"ar": "نعم، ألغِه وابدأ", "en": "Yes, switch"},
    "flow.switch_no": {"ar": "لا، أكمل طلبي", "en": "No, carry on"},
    "flow.switched": {
        "ar": "تم إلغاء طلب «{title}» ولم يُرسل منه شيء.",
        "en": "Your “{title}” request has been cancelled and nothing was sent.",
    },
    "flow.answer_for_later": {
        "ar": "يبدو أن هذا جواب سؤال لاحق («{later}»)، وسنسألك عنه بعد قليل. نحتاج أولاً إلى إجابة هذا السؤال:",
        "en": "That looks like the answer to a later question (“{later}”); we'll ask for it shortly. First, please "
        "answer this one:",
    },
    "flow.still_needed": {
        "ar": "لم نتمكن من اعتماد ذلك إجابةً لهذا السؤال. فضلاً اختر أحد الخيارات أو اكتب الإجابة، أو اكتب «موظف» "
        "للتحدث مع أحد الموظفين:",
        "en": "We couldn't take that as the answer to this question. Please choose an option or type the answer, "
        "or type “staff” to talk to a member of staff:",
    },
    "flow.put_value_offer": {
        "ar": "هل تود وضع «{value}» في «{label}» بدلاً من الحالي؟",
        "en": "Would you like to put “{value}” in “{label}” instead of what's there now?",
    },
    "flow.put_value_button": {"ar": "نعم، حدّثه", "en": "Yes, update it"},
    "flow.keep_value_button": {"ar": "لا، أبقه كما هو", "en": "No, keep it"},
    "flow.value_updated": {"ar": "تم تحديث «{label}».", "en": "“{label}” has been updated."},
    "flow.value_updated_to": {
        "ar": "تم تحديث «{label}» إلى «{value}».", "en": "“{label}” has been changed to “{value}”.",
    },
    "flow.edit_again": {
        "ar": "ولا يهمك، نعدّل «{label}» ثم نكمل من حيث توقفنا.",
        "en": "No problem, let's correct “{label}”, then we'll carry on from where we stopped.",
    },
    "flow.summary_how": {
        "ar": "لتعديل معلومة اكتب مثلاً «تعديل رقم الجوال» أو اضغط «تعديل»، وإن كانت البيانات صحيحة فاضغط «تأكيد» "
        "لإرسال طلبك.",
        "en": "To change a detail, type for example “change mobile number” or tap “Edit”; if everything is "
        "correct, tap “Confirm” to send your request.",
    },
    "flow.saved_for_later": {
        "ar": "ولا يهمك، ما أدخلته في «{title}» محفوظ لك لمدة {hours} ساعة. ومتى ما كنت جاهزاً اكتب «كمل» ونكمل من "
        "السؤال الذي توقفنا عنده.",
        "en": "No problem: what you've entered for “{title}” is saved for {hours} hours. Whenever you're ready, type "
        "“continue” and we'll pick up from the question where we stopped.",
    },
    "flow.hold_on": {
        "ar": "خذ راحتك، أنا بانتظارك 🌿",
        "en": "Take your time, I'll be right here 🌿",
    },
    "flow.thanks_in_form": {
        "ar": "العفو، حيّاك الله 🌿 نكمل طلبك:",
        "en": "You're welcome! Let's carry on with your request:",
    },
    "flow.skipped_unknown": {
        "ar": "لا بأس، هذا السؤال اختياري فتخطيناه، ويمكنك ذكره لاحقاً للموظف إن أردت.",
        "en": "That's fine: this question is optional, so we've skipped it. You can mention it to staff later if "
        "you wish.",
    },
    "flow.unsent_note": {
        "ar": "ولديك طلب «{title}» قيد التعبئة لم يُرسل بعد، وما أدخلته فيه محفوظ. نكمله من حيث توقفنا:",
        "en": "You also have a “{title}” request being filled in that hasn't been sent yet; what you've entered "
        "is kept. Let's carry on where we stopped:",
    },
    "flow.resume_button": {"ar": "المتابعة", "en": "Continue"},
    "flow.menu_button": {"ar": "القائمة الرئيسية", "en": "Main menu"},
    "flow.restart_button": {"ar": "البدء من جديد", "en": "Start again"},
    "flow.not_a_value": {
        "ar": "يبدو أن هذه ليست إجابة عن السؤال ({label}).",
        "en": "That doesn't look like an answer to this question ({label}).",
    },
    "case.info_received": {
        "ar": "شكراً لك، وصل ردك وأضفناه إلى طلبك رقم {reference}، وسيطّلع عليه {officer}.",
        "en": "Thank you; we received your reply and added it to your request {reference}; the {officer} will see it.",
    },
}
