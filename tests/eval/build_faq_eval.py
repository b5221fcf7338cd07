#!/usr/bin/env python3
"""Build the held-out FAQ evaluation set (faq_eval.jsonl) for Sila.

Written only from the five policies in shared/seeds/ (never from orgs/*/faq.yaml),
so that it stays independent of the training phrasings.
Run:  python3 tests/eval/build_faq_eval.py   (rewrites faq_eval.jsonl beside this file)
Each item is (kind, register, question[, markers]) where kind is a topic id,
"human", "refuse" (policy silent: honest refusal/handoff expected),
"oos_near" or "oos_far".
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- markers
WEEKS = [["أسبوعين", "اسبوعين", "اسبوعان", "two weeks", "2 weeks", "14 days", "14 يوم", "١٤ يوم", "fortnight"]]
CHANNELS = [
    ["هاتف", "اتصال", "phone", "call"],
    ["الموقع الالكتروني", "الموقع الإلكتروني", "موقع الالكتروني", "website", "web site"],
    ["التواصل الاجتماعي", "social"],
    ["المقابله", "المقابلة", "مقابلة", "interview", "in person", "in-person", "meeting"],
    ["الخطابات", "خطاب", "letter", "correspondence"],
    ["مناديب", "مندوب", "representative", "delegate"],
]
RESEARCH = [["لجنة البحث", "لجنه البحث", "research committee"]]
EDU = [["الشؤون التعليمية", "الشئون التعليمية", "التعليمية", "educational", "education affairs"]]
SOCIAL = [["البحث الاجتماعي", "social research"]]
RESP = [["مسؤول", "مسئول", "responsib"]]
SATIS = [["العقاب", "التشهير", "punish", "penal", "التطوير", "التقويم", "تطوير", "improve", "develop"]]
BOARD = [["مجلس", "board"]]
GOAL = [["متميز", "excellent", "distinguished", "outstanding", "quality", "جودة", "اتقان", "سرعة", "speed"]]
DGOALS = [["رضا", "الالكترونية", "الكترونية", "تقدير حاجة", "ثقة", "satisfaction", "electronic", "needs", "trust"]]
PURPOSE = [["حقوق", "rights", "تنظيم", "تنظم", "regulat", "organi", "govern"]]
REMOTE = [["موقعه", "موقعك", "مكانك", "مكانه", "بيتك", "منزلك", "عن بعد", "remote", "wherever", "where you are",
           "your location", "وقتك", "وقته", "your time", "الكتروني", "online", "electronic"]]
RECEP = [["لباق", "احترام", "respect", "courte", "polite"]]
REQINFO = [["المعلومات", "البيانات", "information", "data", "details", "documents", "المستندات"]]
APPLY = [["طلب", "request", "apply", "application"]]
STATUS = [["أسبوعين", "اسبوعين", "two weeks", "2 weeks", "لجنة", "لجنه", "committee", "طلب", "request", "application"]]
VOL = [["تطوع", "volunteer"]]
REG = [["اكتمال", "استكمال", "يكتمل", "تكتمل", "complet"]]
TOOLS = [["اللائحة", "لائحة", "دليل", "regulation", "bylaw", "by-law", "guide", "manual", "طلب دعم", "support request"]]
TAHEEL_TOOLS = [["اللائحة", "لائحة", "الوصف الوظيفي", "سياسة التواصل", "regulation", "bylaw", "by-law",
                 "job description", "communication policy", "rules"]]
RIDA_TOOLS = [["اللائحة", "لائحة", "دليل", "تحديث البيانات", "القوائم", "regulation", "bylaw", "guide",
               "manual", "update", "financial"]]

ABOUT = {
    "taheel": [["تأهيل", "taheel", "ta'heel", "tahil", "tahel", "العلمية", "scientific"]],
    "amass": [["السرطان", "cancer"]],
    "ilm-alhajj": [["الحج", "hajj", "haj"]],
    "rida": [["تعاونية", "cooperative", "co-operative", "متعددة الأغراض", "multi-purpose", "multipurpose"]],
    "ratel": [["رتل", "ratel", "الرقمية", "digital"]],
}
APPROVAL_DATE = {
    "amass": [["2024", "٢٠٢٤", "1445", "١٤٤٥"]],
    "ilm-alhajj": [["2025", "٢٠٢٥", "1446", "١٤٤٦"]],
    "rida": [["2021", "٢٠٢١", "1443", "١٤٤٣"]],
    "ratel": [["2025", "٢٠٢٥", "1447", "١٤٤٧"]],
}
LOCATION = [["الجموم", "جموم", "jumum", "jamoum", "jumoum", "jamum", "jmoom", "مكة", "makkah", "mecca", "makka"]]
FINANCIAL = [["القوائم المالية", "القوائم", "financial"]]
ASSEMBLY = [["العمومية", "general assembly"]]
PRODUCTS = [["المنتجات", "المشاريع", "منتج", "مشروع", "مشاريع", "product", "project"]]
MEMBERS = [["مساهم", "عضو", "اعضاء", "أعضاء", "member", "shareholder"]]
UPDATE = [["تحديث", "تعديل", "update", "edit"]]

FLOW_TOPICS = {"apply_support", "request_status", "data_update", "volunteering"}


def default_markers(org, topic):
    committee = EDU if org == "ratel" else RESEARCH
    officer = {"ratel": EDU,
               "taheel": [["الاستشار", "البرنامج", "consult", "program"]]}.get(org, SOCIAL)
    table = {
        "about": ABOUT[org], "general_goal": GOAL, "detailed_goals": DGOALS, "policy_purpose": PURPOSE,
        "contact_channels": CHANNELS, "remote_service": REMOTE, "reception": RECEP,
        "required_information": REQINFO, "referral_officer": officer, "data_responsibility": RESP,
        "reviewing_committee": committee, "decision_period": WEEKS, "registration_completion": REG,
        "satisfaction_rating": SATIS, "policy_approval": BOARD,
        "officer_tools": TAHEEL_TOOLS if org == "taheel" else RIDA_TOOLS if org == "rida" else TOOLS,
        "apply_support": APPLY, "request_status": STATUS, "data_update": UPDATE, "volunteering": VOL,
        "location": LOCATION, "financial_statements": FINANCIAL, "general_assembly": ASSEMBLY,
        "projects_products": PRODUCTS, "members": MEMBERS,
    }
    return table[topic]


# ---------------------------------------------------------------- items
M = None  # placeholder for "use default markers"
ITEMS = {}

ITEMS["amass"] = [
    ("about", "gulf", "السلام عليكم، وش هي جمعية أمس بالضبط؟"),
    ("about", "english", "what is Amass association about?"),
    ("about", "arabizi", "wesh jam3iyat amass? hi 7ag marda al sarataan?"),
    ("general_goal", "msa", "ما الغاية الأساسية التي تسعى إليها الجمعية في خدمة المستفيدين؟"),
    ("general_goal", "gulf", "وش هدفكم العام مع المستفيدين؟"),
    ("general_goal", "typo", "وش الهدف العاام حقتكم منالسياسه"),
    ("detailed_goals", "msa", "اذكر لي الأهداف الفرعية لسياستكم مع المستفيدين"),
    ("detailed_goals", "typo", "ممكن تعطونى اهدافكم التفصيليه"),
    ("detailed_goals", "gulf", "ابي اعرف اهدافكم بالتفصيل لو سمحت"),
    ("policy_purpose", "msa", "لماذا وضعت الجمعية سياسة لتنظيم علاقتها بالمستفيدين؟"),
    ("policy_purpose", "gulf", "ليه عندكم سياسة تنظم العلاقة مع المستفيدين؟"),
    ("contact_channels", "gulf", "كيف اقدر اوصل لكم؟ وش الطرق المتاحه", CHANNELS),
    ("contact_channels", "typo", "وش طرق التوصل معاكم ي جماعه", CHANNELS),
    ("contact_channels", "english", "how can I reach you guys?", CHANNELS),
    ("contact_channels", "gulf", "عندكم حسابات سوشل ميديا؟", [["التواصل الاجتماعي", "social"]]),
    ("contact_channels", "arabizi", "momkin aji lakom mugabala wjhan lewajh?",
     [["مقابل", "interview", "in person", "in-person", "face", "meeting", "visit"]]),
    ("contact_channels", "msa", "هل لديكم مندوبون في الفروع؟", [["مناديب", "مندوب", "representative", "branch"]]),
    ("remote_service", "gulf", "ظروفي ماتسمح اجي للمقر، تقدرون تخدموني وانا ببيتي؟"),
    ("remote_service", "typo", "ابغا الخدمه وانا فى البيت بدون مااجي لكم"),
    ("reception", "msa", "كيف سيتم التعامل معي عند حضوري إلى مقر الجمعية؟"),
    ("reception", "typo", "اذا جيت الجمعيه كيف بيستقبلونى"),
    ("required_information", "gulf", "وش المعلومات اللي لازم اجيبها معي؟"),
    ("required_information", "msa", "ما المعلومات المطلوب تقديمها عند التقدم بطلب؟"),
    ("referral_officer", "gulf", "اذا ما فهمت الاجراءات مين اراجع؟"),
    ("referral_officer", "arabizi", "ma fhamt el ejra2at, min aklem?"),
    ("referral_officer", "english", "who explains the procedures if I'm confused?"),
    ("data_responsibility", "msa", "من يتحمل مسؤولية صحة المعلومات التي أقدمها؟"),
    ("data_responsibility", "typo", "لو غلطت فى بياناتي مين المسؤل"),
    ("data_responsibility", "gulf", "لازم اوقع على البيانات اللي اعبيها؟", [["توقيع", "التوقيع", "توقع", "يوقع", "sign"]]),
    ("reviewing_committee", "gulf", "مين اللي يقرر يقبلون طلبي او لا؟"),
    ("reviewing_committee", "english", "who reviews my support application?"),
    ("reviewing_committee", "arabizi", "meen ydris el 6alab 7ag el da3m?"),
    ("decision_period", "gulf", "كم ياخذ وقت عشان يردون علي؟"),
    ("decision_period", "typo", "طلبى متي يطلع ردده؟"),
    ("decision_period", "english", "how long until I hear back about my application?"),
    ("decision_period", "arabizi", "kam yoom yakhth el rad 3ala el talab?"),
    ("registration_completion", "msa", "متى يُستكمل تسجيلي في الجمعية؟"),
    ("registration_completion", "gulf", "امتى يخلص تسجيلي عندكم؟"),
    ("satisfaction_rating", "gulf", "اذا قيمت الموظف تقييم سيء بيتضرر؟"),
    ("satisfaction_rating", "english", "if I give a bad rating will the employee get punished?"),
    ("policy_approval", "msa", "متى تم اعتماد سياستكم الحالية؟", BOARD + APPROVAL_DATE["amass"]),
    ("policy_approval", "gulf", "مين اللي اعتمد السياسه حقتكم؟", BOARD),
    ("policy_approval", "english", "when was this policy approved?", APPROVAL_DATE["amass"]),
    ("officer_tools", "gulf", "الموظف اللي يخدمني وش يستخدم من ادوات ولوائح؟"),
    ("officer_tools", "msa", "ما الأدلة واللوائح المتاحة لموظفيكم عند خدمة المستفيدين؟"),
    ("apply_support", "gulf", "ابغى اطلب دعم لأمي مريضة سرطان وش الطريقة"),
    ("apply_support", "typo", "كيفاقدم طلب مساعده؟؟ ضرورى"),
    ("apply_support", "arabizi", "abi aqadem 6alab musa3ada"),
    ("request_status", "gulf", "قدمت طلب من فتره وش صار عليه؟"),
    ("request_status", "english", "any update on my request? I applied last week"),
    ("volunteering", "gulf", "ودي اتطوع معكم كيف؟"),
    ("volunteering", "english", "can I volunteer with Amass?"),
    ("human", "gulf", "ابي اكلم موظف الله يعافيك"),
    ("human", "arabizi", "abi mowadaf 7aqeeqi"),
    ("human", "english", "human please"),
    ("oos_near", "gulf", "متى ينزل حساب المواطن هالشهر؟"),
    ("oos_near", "msa", "كيف أسجل في الضمان الاجتماعي المطور؟"),
    ("oos_near", "typo", "ابي موعد فى مستشفى الملك فيصل التخصصى"),
    ("oos_near", "english", "how do I reset my Absher password?"),
    ("oos_near", "gulf", "وش أفضل علاج كيماوي لسرطان الثدي؟"),
    ("oos_near", "arabizi", "kam zakat el fi6r hal sana?"),
    ("oos_near", "gulf", "كيف اعترض على فاتورة الكهرباء؟ جتني مرتفعه"),
    ("oos_near", "msa", "ما شروط الاستفادة من الإسكان التنموي؟"),
    ("oos_near", "typo", "كيف اسجل فى طاقات وادور وظيفه"),
    ("oos_far", "gulf", "مين فاز امس النصر ولا الاتحاد؟"),
    ("oos_far", "typo", "الجو بكره فى جده حار ولا لا؟"),
    ("oos_far", "msa", "ما طريقة عمل الكبسة باللحم؟"),
    ("oos_far", "gulf", "سوي لي كود بايثون يرتب قائمة ارقام"),
    ("oos_far", "gulf", "عطني نكتة تضحك"),
    ("oos_far", "arabizi", "kam se3r el iphone el jdeed?"),
    ("oos_far", "typo", "ترجم لى هالجمله للانجليزى: صباح الخير"),
    ("oos_far", "msa", "ما عاصمة أستراليا؟"),
    ("oos_far", "gulf", "ابي ارخص تذكرة طيران للقاهرة الاسبوع الجاي"),
]

ITEMS["ilm-alhajj"] = [
    ("about", "gulf", "هلا، وش جمعية علم الحج؟ عرفوني عليكم"),
    ("about", "english", "tell me about Ilm Alhajj association"),
    ("about", "arabizi", "wsh hi jam3iyat 3ilm al7aj?"),
    ("general_goal", "msa", "ما الغاية العامة من سياسة العلاقة مع المستفيدين لديكم؟"),
    ("general_goal", "typo", "وش هدفكم الاساسى مع المستفدين"),
    ("detailed_goals", "gulf", "عطني اهداف السياسه بالتفصيل لو سمحت"),
    ("detailed_goals", "typo", "ابى اعرف الاهدف التفصيليه حقتكم"),
    ("policy_purpose", "gulf", "ليش حاطين سياسة للعلاقه مع المستفيدين؟"),
    ("policy_purpose", "msa", "ما الغرض من هذه السياسة؟"),
    ("contact_channels", "msa", "ما الوسائل التي يمكنني من خلالها التواصل معكم؟", CHANNELS),
    ("contact_channels", "gulf", "ابي اتواصل معكم وش الطرق؟ جوال ولا واتساب ولا ايش", CHANNELS),
    ("contact_channels", "english", "what are your contact channels?", CHANNELS),
    ("contact_channels", "arabizi", "3indkom mawqi3 electroni?", [["موقع", "website", "site"]]),
    ("contact_channels", "typo", "اقدر ارسلكم خطاب رسمى؟", [["خطاب", "letter"]]),
    ("remote_service", "gulf", "انا ساكن بعيد، لازم احضر بنفسي؟"),
    ("remote_service", "arabizi", "agdar akhle9 mu3amalti w ana bilbait?"),
    ("reception", "msa", "كيف تتعاملون مع المراجعين عند حضورهم؟"),
    ("reception", "gulf", "اذا جيتكم بتستقبلوني زين؟ ولا بتمشوني بسرعه"),
    ("required_information", "typo", "وش البيانت المطلوبه منى"),
    ("required_information", "gulf", "لازم اجيب كل الاوراق مره وحده؟",
     [["المعلومات", "البيانات", "المستندات", "الاوراق", "information", "data", "documents", "papers"]]),
    ("referral_officer", "msa", "إذا التبست عليّ الإجراءات فمن يوضحها لي؟"),
    ("referral_officer", "gulf", "الاجراءات مو واضحه لي، مين اكلم؟"),
    ("referral_officer", "english", "I don't understand the process, who can explain it?"),
    ("data_responsibility", "gulf", "لو فيه خطأ بالمعلومات اللي عطيتكم مين يتحمل؟"),
    ("data_responsibility", "english", "am I responsible if my info is wrong?"),
    ("data_responsibility", "typo", "البيانات لو طلعت غلط مين المسئول عنها"),
    ("reviewing_committee", "gulf", "مين يدرس طلبي؟"),
    ("reviewing_committee", "msa", "ما الجهة المختصة بالبت في طلبات الخدمة؟"),
    ("reviewing_committee", "typo", "طلبى يروح لمين عشان يوافقون علييه"),
    ("decision_period", "gulf", "بعد كم يوم يجيني رد؟"),
    ("decision_period", "english", "how many days does approval take?"),
    ("decision_period", "arabizi", "mata yarodoon 3alay? sar li yomain"),
    ("decision_period", "typo", "دراسه الطلب تاخذ كم يوم عندكم"),
    ("registration_completion", "gulf", "تسجيلي متى يكمل؟"),
    ("registration_completion", "msa", "متى أُعدّ مسجلًا بشكل نهائي لديكم؟"),
    ("satisfaction_rating", "msa", "هل سيؤثر تقييمي للخدمة سلبًا على الموظف؟"),
    ("satisfaction_rating", "gulf", "ليش تطلبون مني اقيم الخدمه؟"),
    ("satisfaction_rating", "arabizi", "law 3a6ait taqyeem sayye2 yt3aqab el mowa'9af?"),
    ("policy_approval", "msa", "ما تاريخ اعتماد السياسة؟", APPROVAL_DATE["ilm-alhajj"]),
    ("policy_approval", "gulf", "السياسه معتمده من مين؟", BOARD),
    ("policy_approval", "english", "which body approved this policy and when?", BOARD + APPROVAL_DATE["ilm-alhajj"]),
    ("officer_tools", "msa", "ما المراجع واللوائح التي يستند إليها موظف خدمة المستفيدين؟"),
    ("officer_tools", "gulf", "وش اللوائح اللي يمشي عليها الموظف حقكم؟"),
    ("apply_support", "gulf", "ابغى اقدم طلب خدمه كيف؟"),
    ("apply_support", "english", "how do I apply for help?"),
    ("apply_support", "typo", "ابى اسجل طلب مساعده"),
    ("request_status", "gulf", "طلبي وين وصل؟"),
    ("request_status", "arabizi", "wain wasal 6alabi?"),
    ("volunteering", "gulf", "ابغى اتطوع معكم بموسم الحج"),
    ("volunteering", "msa", "كيف يمكنني الانضمام إليكم كمتطوع؟"),
    ("volunteering", "arabizi", "abi atawa3 m3akom"),
    ("human", "gulf", "وصلني بأحد من الموظفين"),
    ("human", "msa", "أرغب في التحدث إلى أحد موظفي الجمعية"),
    ("human", "english", "can I talk to a real person?"),
    ("oos_near", "gulf", "كيف اطلع تصريح حج هالسنه؟"),
    ("oos_near", "msa", "كم تكلفة باقات حجاج الداخل هذا العام؟"),
    ("oos_near", "english", "when does Hajj registration open on Nusuk?"),
    ("oos_near", "gulf", "حساب المواطن ما نزل لي وش السالفه؟"),
    ("oos_near", "typo", "كيف اسجل فى سكنى"),
    ("oos_near", "arabizi", "abi a7jiz maw3ed fi el mostashfa"),
    ("oos_near", "gulf", "متى ينزل راتب التقاعد من التأمينات؟"),
    ("oos_near", "msa", "كيف أتبرع عبر منصة إحسان؟"),
    ("oos_near", "english", "how do I apply for the Hadaf wage support program?"),
    ("oos_far", "gulf", "مين بيفوز بالدوري هالسنه؟"),
    ("oos_far", "typo", "قولى نكته ياشيخ"),
    ("oos_far", "msa", "كيف أحضّر المندي في البيت؟"),
    ("oos_far", "typo", "وش الجو بكره فى مكه"),
    ("oos_far", "english", "fix my javascript error: undefined is not a function"),
    ("oos_far", "arabizi", "wesh a7san film 3ala netflix?"),
    ("oos_far", "gulf", "ابي رحله للندن وش ارخص طيران"),
    ("oos_far", "msa", "ترجم لي كلمة استدامة إلى الإنجليزية"),
    ("oos_far", "gulf", "كم حاصل ضرب ١٧ في ٢٣؟"),
]

ITEMS["rida"] = [
    ("about", "gulf", "وش هي جمعية رضا؟ خيرية ولا تعاونية؟"),
    ("about", "english", "what kind of association is Rida?"),
    ("about", "typo", "عرفنى بالجمعيه التعاونيه رضاا"),
    ("location", "gulf", "وين مكانكم بالضبط؟"),
    ("location", "arabizi", "wain maqarkom?"),
    ("location", "english", "where are you located?"),
    ("general_goal", "msa", "ما الهدف العام من خدمة الأعضاء والمستفيدين لديكم؟"),
    ("general_goal", "gulf", "وش تبون توصلون له بخدمتكم للمساهمين؟"),
    ("detailed_goals", "gulf", "عطوني الاهداف التفصيليه حقت السياسه"),
    ("detailed_goals", "typo", "ايش الاهداف التفصليه للسياسه"),
    ("policy_purpose", "msa", "هل تحفظ هذه السياسة حقوقي بصفتي مساهمًا؟", [["حقوق", "rights", "حق", "right"]]),
    ("policy_purpose", "gulf", "ليش عندكم سياسه تنظم العلاقه معنا؟"),
    ("contact_channels", "gulf", "كيف اتواصل مع الجمعيه؟ عطوني كل الطرق", CHANNELS),
    ("contact_channels", "english", "ways to contact you?", CHANNELS),
    ("contact_channels", "msa", "هل يمكن التواصل معكم عبر الهاتف؟", [["هاتف", "اتصال", "phone", "call"]]),
    ("contact_channels", "arabizi", "3indkom manadeeb?", [["مناديب", "مندوب", "representative", "delegate"]]),
    ("remote_service", "gulf", "اقدر اخلص معاملتي وانا بمكاني بدون ما احضر؟"),
    ("remote_service", "msa", "هل يمكن تقديم الخدمة لي في مكاني دون الحضور إلى المقر؟"),
    ("reception", "typo", "كيف تستقبلو المساهمين اذا جو للمقر"),
    ("reception", "msa", "ما أسلوب استقبال المراجعين لديكم؟"),
    ("required_information", "gulf", "وش المطلوب مني اقدمه من معلومات؟"),
    ("required_information", "typo", "ايش المعلومات المطلوبه منى كمساهم"),
    ("referral_officer", "gulf", "اذا الاجراءات ملخبطه علي لمين ترجعوني؟"),
    ("referral_officer", "msa", "من يتولى توضيح الجوانب التنظيمية للمساهم إذا لم تتضح له الإجراءات؟"),
    ("referral_officer", "arabizi", "el ejra2at mo wa'9'7a, min ysa3dni?"),
    ("data_responsibility", "gulf", "انا كمساهم مسؤول عن بياناتي؟"),
    ("data_responsibility", "typo", "مين يتحمل غلط المعلوامت اللى قدمتها"),
    ("reviewing_committee", "msa", "من يدرس طلبات المساهمين ويقرر قبولها؟"),
    ("reviewing_committee", "gulf", "طلبي كمساهم مين يدرسه؟"),
    ("decision_period", "gulf", "الرد على الطلب ياخذ وقت طويل؟ كم تقريبا"),
    ("decision_period", "english", "how long does it take to get a decision?"),
    ("decision_period", "typo", "متى يردون على الطلب ، كم يووم"),
    ("registration_completion", "msa", "متى تكتمل إجراءات التسجيل؟"),
    ("satisfaction_rating", "gulf", "التقييم اللي ترسلونه وش فايدته؟"),
    ("satisfaction_rating", "typo", "التقييم حقكم يضر الموظفين؟؟"),
    ("policy_approval", "msa", "متى اعتمد مجلس الإدارة هذه السياسة؟", APPROVAL_DATE["rida"]),
    ("policy_approval", "gulf", "السياسه هذي معتمده رسمي؟", BOARD),
    ("policy_approval", "english", "when did the board approve the policy?", APPROVAL_DATE["rida"]),
    ("policy_approval", "gulf", "بأي جلسة اعتمدوا السياسه؟", [["33", "٣٣"]]),
    ("officer_tools", "msa", "ما الأدوات المتوفرة لموظف علاقات المساهمين؟"),
    ("financial_statements", "gulf", "ابي اشوف القوائم الماليه للجمعيه"),
    ("financial_statements", "english", "can shareholders see the financial statements?"),
    ("financial_statements", "arabizi", "abi ashoof el qawa2em el malya"),
    ("general_assembly", "msa", "كيف أعرف مواعيد اجتماعات الجمعية العمومية؟"),
    ("general_assembly", "typo", "وش اخبار الاجتماع العمومى ؟ متى"),
    ("general_assembly", "english", "how will I know when the general assembly meets?"),
    ("projects_products", "gulf", "وش المشاريع والمنتجات اللي عندكم؟"),
    ("projects_products", "gulf", "تعرضون مشاريعكم ومنتجاتكم على المساهمين؟"),
    ("projects_products", "typo", "ابى اعرف منتجاتكم ومشاريعكمم"),
    ("members", "gulf", "انا عضو بالجمعيه العموميه، السياسه تشملني؟"),
    ("members", "english", "does this policy cover shareholders too?"),
    ("members", "msa", "من الأطراف التي تنظم السياسة العلاقة معهم؟"),
    ("apply_support", "gulf", "ابغى اقدم طلب دعم"),
    ("apply_support", "arabizi", "kaif aqaddem 6alab da3m?"),
    ("request_status", "typo", "طلبى وشصار فيه"),
    ("request_status", "gulf", "ابي اتابع طلبي وش وضعه"),
    ("data_update", "gulf", "تغير رقم جوالي ابي احدثه عندكم"),
    ("data_update", "english", "I need to update my info"),
    ("data_update", "typo", "ابي اعدل بياناتى"),
    ("volunteering", "gulf", "عندكم فرص تطوع؟"),
    ("volunteering", "arabizi", "fi majal atatawa3 m3akom?"),
    ("human", "gulf", "ابغى اتصل بشخص حقيقي"),
    ("human", "arabizi", "abi akallem a7ad min el mowa'9afeen"),
    ("human", "typo", "ابى اكلم موظف لوسمحت"),
    ("oos_near", "gulf", "كم الدعم السكني من الاسكان التنموي؟"),
    ("oos_near", "msa", "كيف أحدّث بياناتي في حساب المواطن؟"),
    ("oos_near", "english", "how to check my GOSI social insurance record?"),
    ("oos_near", "arabizi", "mata yanzil el rateb hal shahar?"),
    ("oos_near", "typo", "كيف اطلع شهاده من التامينات"),
    ("oos_near", "gulf", "وش شروط الضمان الاجتماعي؟"),
    ("oos_near", "gulf", "كيف اسجل في منصة طاقات للتوظيف؟"),
    ("oos_near", "gulf", "كم مقدار زكاة الفطر بالريال؟"),
    ("oos_near", "msa", "كيف أحجز موعدًا في المستشفى عبر تطبيق صحتي؟"),
    ("oos_far", "gulf", "وش احسن مطعم مندي بالجموم؟"),
    ("oos_far", "gulf", "عطني فلم حلو اشوفه الليلة"),
    ("oos_far", "msa", "اكتب لي قصيدة عن المطر"),
    ("oos_far", "typo", "كم درجه الحراره اليوم فى جده"),
    ("oos_far", "arabizi", "3ateni nukta"),
    ("oos_far", "english", "how do I center a div in css"),
    ("oos_far", "gulf", "مين هداف الدوري السعودي؟"),
    ("oos_far", "msa", "كيف أطبخ المرقوق؟"),
    ("oos_far", "english", "translate 'thank you' to Spanish"),
]

ITEMS["ratel"] = [
    ("about", "gulf", "وش جمعية رتل الرقمية؟"),
    ("about", "english", "what is Digital Ratel?"),
    ("about", "arabizi", "mn antom? jam3iyat ratel?"),
    ("general_goal", "msa", "ما الهدف العام لجمعية رتل في خدمة المستفيدين؟"),
    ("general_goal", "typo", "وش الهدف العام حقكم من خدمه المستفيد"),
    ("detailed_goals", "gulf", "عطني الاهداف التفصيليه"),
    ("detailed_goals", "typo", "ابغا اهدافكم التفصيليه لو سمحتو"),
    ("policy_purpose", "msa", "لماذا أعدت الجمعية هذه السياسة؟"),
    ("policy_purpose", "gulf", "وش فايدة السياسه هذي؟"),
    ("contact_channels", "gulf", "كيف اتواصل معكم يا رتل؟", CHANNELS),
    ("contact_channels", "english", "how can I contact Ratel?", CHANNELS),
    ("contact_channels", "typo", "وش قنوات التواصل عندكم؟؟ ابى اتواصل معاكم", CHANNELS),
    ("contact_channels", "msa", "هل لديكم حسابات على منصات التواصل؟", [["التواصل الاجتماعي", "social"]]),
    ("contact_channels", "arabizi", "agdar attasel fikom bil telephone?", [["هاتف", "اتصال", "phone", "call"]]),
    ("remote_service", "gulf", "اقدر استفيد من خدماتكم عن بعد؟"),
    ("remote_service", "msa", "هل يلزمني الحضور شخصيًا للاستفادة من خدماتكم؟"),
    ("reception", "msa", "كيف يُعامَل المستفيد عند مراجعته للجمعية؟"),
    ("reception", "typo", "الموظفين عندكم يستقبلون المراجع كيفف"),
    ("required_information", "gulf", "وش اللي لازم اعطيكم من معلومات؟"),
    ("required_information", "typo", "وش المعولمات اللى تحتاجونها منى"),
    ("referral_officer", "gulf", "ما فهمت الاجراءات، مين يشرح لي؟"),
    ("referral_officer", "english", "who do I ask if the steps aren't clear?"),
    ("referral_officer", "arabizi", "min el mas2ool elli ywa'9'9e7 el ejra2at?"),
    ("data_responsibility", "msa", "هل أتحمل المسؤولية عن دقة بياناتي؟"),
    ("data_responsibility", "gulf", "لو عطيتكم معلومه غلط مين يتحملها؟"),
    ("data_responsibility", "english", "who is responsible for the accuracy of my data?"),
    ("reviewing_committee", "gulf", "مين يوافق على طلبي؟"),
    ("reviewing_committee", "gulf", "طلبي مين يبت فيه عندكم؟"),
    ("reviewing_committee", "typo", "طلبى يرفع لاى لجنه"),
    ("decision_period", "gulf", "متى يجيني الرد؟"),
    ("decision_period", "typo", "كم المده لين يردون عليا"),
    ("decision_period", "english", "how long do you take to answer a request?"),
    ("decision_period", "arabizi", "kam mudat dirasat el 6alab?"),
    ("registration_completion", "gulf", "متى اعتبر مسجل عندكم رسمي؟"),
    ("registration_completion", "msa", "متى تُستكمل إجراءات التسجيل لديكم؟"),
    ("satisfaction_rating", "msa", "هل يُستخدم تقييم المستفيد لمحاسبة الموظفين؟"),
    ("satisfaction_rating", "arabizi", "el taqyeem 7agkom lesh? bt7asboon el mowa'9af?"),
    ("policy_approval", "gulf", "متى اعتمدتوا السياسه؟", APPROVAL_DATE["ratel"]),
    ("policy_approval", "english", "who approved this policy?", BOARD),
    ("policy_approval", "msa", "من رئيس مجلس إدارة جمعية رتل الرقمية؟",
     [["مصطفى", "الوافي", "mustafa", "mostafa", "moustafa", "wafi"]]),
    ("policy_approval", "typo", "السياسه معتمده من جهه رسميه ولا لا", BOARD),
    ("officer_tools", "msa", "ما الوثائق التي يستعين بها موظفو خدمة المستفيدين لديكم؟"),
    ("officer_tools", "gulf", "موظفينكم وش يستخدمون من لوائح وادلة؟"),
    ("apply_support", "gulf", "ابي اسجل طلب دعم"),
    ("apply_support", "english", "how to apply for support?"),
    ("apply_support", "typo", "كيف اسوي طلب مساعده ؟؟"),
    ("request_status", "gulf", "قدمت من اسبوع وما ردو علي، وش صار؟"),
    ("request_status", "arabizi", "6alabi wesh 9ar fih?"),
    ("volunteering", "english", "how can I volunteer with you?"),
    ("volunteering", "gulf", "ابي اصير متطوع عندكم"),
    ("human", "gulf", "ابي اكلم انسان مو بوت"),
    ("human", "english", "let me speak to an agent"),
    ("human", "arabizi", "wasselni b a7ad law sama7t"),
    ("oos_near", "gulf", "كيف اسوي تسجيل بأبشر؟"),
    ("oos_near", "msa", "ما موعد صرف الضمان الاجتماعي هذا الشهر؟"),
    ("oos_near", "english", "how much is the citizen account payment this month?"),
    ("oos_near", "typo", "كيف اقدم على دعم هدف للتوظيف"),
    ("oos_near", "arabizi", "kaif asadded fatoorat el kahraba?"),
    ("oos_near", "gulf", "برنامج سكني كيف اقدم عليه؟"),
    ("oos_near", "msa", "ما برامج وزارة الموارد البشرية لدعم الأسر؟"),
    ("oos_near", "gulf", "راتبي ما نزل للحين وش اسوي؟"),
    ("oos_near", "typo", "زكاه الفطر كم صاع"),
    ("oos_far", "gulf", "مين لاعب الشهر بالدوري؟"),
    ("oos_far", "english", "will it rain in Riyadh this weekend?"),
    ("oos_far", "msa", "ما وصفة الكنافة بالجبن؟"),
    ("oos_far", "gulf", "اكتب لي كود SQL يحسب عدد الصفوف"),
    ("oos_far", "arabizi", "abgha a7jez 6ayarah lel dubai"),
    ("oos_far", "gulf", "قل لي نكته"),
    ("oos_far", "typo", "ترجمه كلمه hello للفرنسى"),
    ("oos_far", "msa", "كم عدد سكان الصين؟"),
    ("oos_far", "gulf", "وش افضل سياره عائليه؟"),
]

ITEMS["taheel"] = [
    ("about", "gulf", "السلام عليكم، جمعية تأهيل وش تكون؟"),
    ("about", "english", "who are you? what is Taheel?"),
    ("about", "arabizi", "mn antom? jam3iyat ta2heel?"),
    ("about", "typo", "عرفونى على جمعيه تاهيل"),
    ("general_goal", "msa", "ما الهدف العام الذي تسعى إليه جمعية تأهيل؟"),
    ("general_goal", "gulf", "وش هدفكم بشكل عام؟"),
    ("general_goal", "english", "what's your main goal with beneficiaries?"),
    ("general_goal", "typo", "الهدف العام للجمعيه ايشهو"),
    ("detailed_goals", "gulf", "ابي الاهداف التفصيليه لو تكرمت"),
    ("detailed_goals", "gulf", "وش اهدافكم التفصيليه مع المستفيد؟"),
    ("detailed_goals", "msa", "ما الأهداف الفرعية التي تعمل عليها الجمعية مع المستفيدين؟"),
    ("detailed_goals", "arabizi", "wesh ahdafkom bil tafseel?"),
    ("policy_purpose", "msa", "ما الذي تسعى إليه الجمعية من تنظيم علاقتها بالأطراف المختلفة؟"),
    ("policy_purpose", "gulf", "ليش مسوين سياسه للعلاقه مع المستفيدين؟"),
    ("policy_purpose", "english", "what is the purpose of this policy?"),
    ("policy_purpose", "typo", "السياسه هذى وش فايدتها"),
    ("remote_service", "gulf", "اقدر تخدموني من بيتي؟ ما اقدر اطلع"),
    ("remote_service", "gulf", "امي كبيره بالسن ماتقدر تجي، تخدمونها بمكانها؟"),
    ("remote_service", "typo", "لازم احضر بنفسى ولا تقدرون تخدمونى عن بعد"),
    ("remote_service", "arabizi", "agdar astefeed w ana fi baiti?"),
    ("reception", "msa", "ما الأسلوب الذي يتبعه موظفوكم مع المراجعين؟"),
    ("reception", "gulf", "بيعاملوني زين اذا جيت؟"),
    ("reception", "gulf", "الموظفين عندكم يعطون المراجع وقته؟"),
    ("reception", "typo", "لو رحت للجمعيه بيعطونى وقت كافى ويجاوبون على اسئلتى؟"),
    ("required_information", "gulf", "وش لازم اقدم من معلومات؟"),
    ("required_information", "msa", "هل يتحقق الموظف من صحة البيانات التي أقدمها؟",
     [["مطابق", "صلاحي", "تحقق", "تاكد", "verify", "check", "valid", "match"]]),
    ("required_information", "gulf", "لازم اجيب كل المعلومات مره وحده؟"),
    ("required_information", "arabizi", "wesh el ma3lomat elli lazem a36eekom?"),
    ("referral_officer", "gulf", "مافهمت الخطوات، مين اللي يوضح لي؟"),
    ("referral_officer", "msa", "من الشخص المختص بشرح الجوانب التنظيمية لي؟"),
    ("referral_officer", "english", "who do I talk to if I don't get the procedures?"),
    ("referral_officer", "typo", "الاجراءت مو واضحه لى ، مين اسال"),
    ("referral_officer", "arabizi", "ma fhamt shay, min ysharh li el ejra2at?"),
    ("satisfaction_rating", "gulf", "لو قيمت الخدمه ضعيف يتضرر الموظف؟"),
    ("satisfaction_rating", "gulf", "التقييم حق لي ولا بس اختياري؟",
     [["حق", "right", "العقاب", "punish", "التطوير", "improve", "develop", "التقويم"]]),
    ("satisfaction_rating", "msa", "ما الغرض من قياس رضا المستفيد لديكم؟",
     [["العقاب", "التشهير", "punish", "التطوير", "التقويم", "تطوير", "improve", "develop", "جودة", "quality", "تحسين"]]),
    ("satisfaction_rating", "typo", "ليش تبون تقييمى بعد الخدمه"),
    ("officer_tools", "msa", "ما اللوائح التي يرجع إليها الموظف المختص بخدمة المستفيدين؟"),
    ("officer_tools", "english", "what tools does your beneficiary relations employee have?"),
    ("officer_tools", "gulf", "الموظف اللي يتواصل معنا وش عنده من انظمة ولوائح يمشي عليها؟"),
    ("officer_tools", "typo", "وش الادوات المتاحه للموظف عشان يتوصل معنا"),
    ("human", "gulf", "ابي اكلم موظف الحين"),
    ("human", "english", "I need a human agent"),
    ("human", "arabizi", "abi mowadaf law sama7t"),
    ("human", "msa", "أرغب بالتحدث مع أحد الموظفين مباشرة"),
    # Ta'heel's policy is silent on these: an honest refusal / handoff is the right outcome.
    ("refuse", "gulf", "كم ياخذ طلبي عشان ينرد علي؟"),
    ("refuse", "msa", "هل توجد لجنة تبت في طلبات المستفيدين لديكم؟"),
    ("refuse", "english", "which channels can I use to reach you?"),
    ("refuse", "gulf", "متى اعتمد مجلس الادارة السياسه حقتكم؟"),
    ("refuse", "arabizi", "kam yoom yakhth el rad?"),
    ("oos_near", "gulf", "حساب المواطن وش شروطه؟"),
    ("oos_near", "msa", "كيف أقدم على برنامج دعم التوظيف من صندوق هدف؟"),
    ("oos_near", "english", "how do I book a hospital appointment?"),
    ("oos_near", "typo", "متى ينزل الضمان الاجتماعى"),
    ("oos_near", "arabizi", "kaif asajjel fi sakani?"),
    ("oos_near", "gulf", "نسيت رمز ابشر وش اسوي"),
    ("oos_near", "msa", "ما مقدار زكاة الفطر عن الفرد الواحد؟"),
    ("oos_near", "english", "how to pay my electricity bill?"),
    ("oos_near", "gulf", "كيف اسجل بمنصة طاقات؟"),
    ("oos_far", "gulf", "مين بيلعب اليوم بالدوري؟"),
    ("oos_far", "gulf", "عطني طريقة البان كيك"),
    ("oos_far", "msa", "كيف سيكون الطقس في الرياض غدًا؟"),
    ("oos_far", "typo", "ابى طيران للقاهره ارخص شى"),
    ("oos_far", "arabizi", "ta3rf tbarmij python?"),
    ("oos_far", "english", "translate good morning into German"),
    ("oos_far", "gulf", "عطني نكته حلوه"),
    ("oos_far", "msa", "من مخترع المصباح الكهربائي؟"),
    ("oos_far", "gulf", "كم سعر البتكوين الحين؟"),
]


def build():
    out = []
    for org, items in ITEMS.items():
        for it in items:
            kind, register, q = it[0], it[1], it[2]
            markers = it[3] if len(it) > 3 else None
            rec = {"org": org, "q": q}
            if kind in ("oos_near", "oos_far"):
                rec.update(accept=["fallback", "handoff", "menu"], topic=None, scope=kind)
            elif kind == "human":
                rec.update(accept=["handoff"], topic="human", scope="in")
            elif kind == "refuse":
                rec.update(accept=["handoff", "fallback"], topic=None, scope="in")
            else:
                if kind in FLOW_TOPICS:
                    accept = ["answer", "flow"]
                elif kind == "referral_officer":
                    accept = ["answer", "handoff"]
                else:
                    accept = ["answer"]
                mk = markers if markers is not None else default_markers(org, kind)
                rec.update(accept=accept, markers=mk)
                if len(mk) > 1 and mk is CHANNELS:
                    rec["min_groups"] = 3
                rec.update(topic=kind, scope="in")
            rec["register"] = register
            out.append(rec)
    return out


if __name__ == "__main__":
    recs = build()
    path = os.path.join(HERE, "faq_eval.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(recs)} items to {path}")
