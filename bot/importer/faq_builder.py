"""faq.yaml from the facts: one topic per clause the policy states, asked the way people ask.

Phrasings come from ``faq_templates.yaml`` (generic ones, plus ones filled with this
association's names, officer and committee); answers are composed from the pack's facts in a
courteous service-desk voice. A topic whose clause the policy lacks is not written, or, when
beneficiaries will ask anyway (how long, who decides, who approved), answered honestly that
the policy does not say, with the referral officer as the way forward.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.importer.english import mid
from bot.importer.extract import PolicyFacts
from bot.importer.pack_builder import loc, member_service_ids
from bot.importer.text import fold

__all__ = ["build_faq", "template_phrasings"]

Loc = dict[str, str]


@cache
def _templates() -> dict[str, Any]:
    data = yaml.safe_load(Path(__file__).with_name("faq_templates.yaml").read_text(encoding="utf-8"))
    return dict(data["topics"])


def _questions(topic: str, fill: dict[str, str]) -> list[str]:
    spec = _templates()[topic]
    out: list[str] = []
    seen: set[str] = set()
    for q in [*spec.get("questions", []), *spec.get("templated", [])]:
        try:
            text = q.format(**fill)
        except KeyError:
            continue  # the phrasing needs a fact this policy does not state
        if fold(text) not in seen:
            seen.add(fold(text))
            out.append(text)
    return out


def template_phrasings(fill: dict[str, str]) -> list[str]:
    """Every phrasing the templates give an association with these names (``fill``: short,
    short_en, officer, officer_en, committee, committee_en), whatever topics its policy states:
    what the evaluation sets' leak checks hold the templates to."""
    return [q for topic in _templates() for q in _questions(topic, fill)]


def _join(items: list[str], lang: str) -> str:
    if lang == "en":
        items = [items[0], *(mid(i) for i in items[1:])] if items else []
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] if items else ""
    return "، و".join(items)


def _answers(facts: PolicyFacts, pack: dict[str, Any]) -> dict[str, Loc | None]:
    """Each topic's answer, or None when the policy gives it nothing to rest on."""
    name, short = pack["name"], pack["short_name"]
    officer = {**pack["referral_officer"], "en": mid(pack["referral_officer"]["en"])}
    committee: Loc | None = {**pack["committee"], "en": mid(pack["committee"]["en"])} if pack["committee"] else None
    period = facts.period
    period_ar = period.phrase if period else None
    period_en = period.english() if period else None
    tag = pack["tagline"]
    where = pack["location"]
    who_ar = name["ar"] + (f" ({tag['ar']})" if tag else "") + (f" في {where['ar']}" if where else "")
    who_en = name["en"] + (f" – {tag['en']}" if tag else "") + (f", in {where['en']}" if where else "")
    goal: Loc = pack["goals"]
    out: dict[str, Loc | None] = {}
    out["about"] = loc(
        f"أهلاً بك! نحن {who_ar}، ونسعى وفق سياستنا إلى: {goal['ar']} يسعدني هنا الإجابة على استفساراتك "
        "واستقبال طلبك خطوة بخطوة.",
        f"Welcome! We are {who_en}. Our policy's aim: {goal['en']} I'm happy to answer your questions and take "
        "your request here, step by step.")
    out["general_goal"] = loc(f"الهدف العام لسياستنا: {goal['ar']}", f"Our policy's general goal: {goal['en']}") \
        if facts.goal else None
    dg = pack["detailed_goals"][:6]
    out["detailed_goals"] = loc("من أهدافنا التفصيلية: " + " ".join(g["ar"] for g in dg),
                                "Our detailed goals include: " + " ".join(g["en"] for g in dg)) \
        if facts.detailed_goals else None
    parties = _join(facts.parties, "ar") if facts.parties else None
    out["policy_purpose"] = loc(
        f"تضع {name['ar']} السياسات والإجراءات التي تنظم علاقتها بجميع الأطراف"
        + (f" من {parties}" if parties else "") + "، بما يكفل حقوق الجمعية وحقوق هذه الأطراف، وتعطي العلاقة مع "
        "المستفيدين أولوية، مع مراجعتها باستمرار بما يكفل حقوق المستفيد.",
        f"{name['en']} sets policies and procedures that organise its relationship with all parties, guaranteeing "
        "the rights of the association and of each party; the relationship with beneficiaries is a priority, "
        "reviewed continuously to guarantee the beneficiary's rights.")
    channels = pack["channels"]
    seat_ar = f" ومقر الجمعية في {where['ar']}." if where else ""
    seat_en = f" The association is in {where['en']}." if where else ""
    if channels:
        out["contact_channels"] = loc(
            "يسعدنا تواصلك! قنوات التواصل المعتمدة في سياستنا: " + _join([c["name"]["ar"] for c in channels], "ar")
            + "." + seat_ar + " ولا تتضمن السياسة أرقام الهواتف أو العناوين؛ إذ تعلنها الجمعية عبر قنواتها "
            "الرسمية، ويسعدني خدمتك هنا أيضاً.",
            "Happy to hear from you! Our policy's contact channels are: "
            + _join([c["name"]["en"] for c in channels], "en") + "." + seat_en + " The policy does not state phone "
            "numbers or addresses; the association publishes them through its official channels, and I'm glad to "
            "help you here.")
    else:
        out["contact_channels"] = loc(
            "لا تحدد سياستنا المنشورة قنوات تواصل بعينها ولا أرقاماً أو عناوين، ويسعدني خدمتك هنا مباشرة؛ وسأحوّل "
            f"استفسارك الآن إلى {officer['ar']} ليفيدك بوسائل التواصل.",
            "Our published policy does not list specific contact channels, numbers or addresses; I'm glad to help "
            f"you right here, and I'm passing your question to the {officer['en']} to tell you how to reach them.")
    if facts.remote_service:
        out["remote_service"] = loc(
            f"من أهداف سياستنا: {facts.remote_service} ويمكنك هنا الاستفسار وتقديم طلبك خطوة بخطوة من حيث أنت.",
            "One of our policy's goals is to serve you from your own location, to save your time and respect your "
            "circumstances. You can ask questions and submit your request here, step by step, from wherever you are.")
    steps = {s["ar"]: s["en"] for s in pack["procedure"]}
    if facts.reception:
        out["reception"] = loc(
            f"تقضي سياستنا بما يلي: {facts.reception} وإن لم تجد ذلك فيسعدنا سماع ملاحظتك وتقييمك للخدمة.",
            f"Our policy says: {steps[facts.reception]} If that was not your experience, we would be glad to hear "
            "your remark and your rating.")
    if facts.required_info:
        out["required_information"] = loc(
            f"وفق سياستنا: {facts.required_info} وعند تقديم طلبك هنا سأطلب منك البيانات اللازمة خطوة بخطوة، ثم "
            "أعرض عليك ملخصها لتراجعه قبل الإرسال.",
            f"Under our policy: {steps[facts.required_info]} When you apply here I will ask for what is needed "
            "step by step, then show you a summary to review before sending.")
    out["referral_officer"] = loc(
        f"إذا لم تكن الإجراءات واضحة لك، فوفق سياستنا يحيلك الموظف إلى {officer['ar']} للإجابة على تساؤلاتك وإيضاح "
        "الجوانب التنظيمية. وإن رغبت فأخبرني وسأحوّل محادثتك إليه.",
        f"If the procedure is not clear to you, our policy has the employee refer you to the {officer['en']}, who "
        "answers your questions and explains the organisational aspects. Just tell me if you'd like me to pass "
        "your conversation to them.") if facts.referral_officer else None
    out["talk_to_officer"] = loc(
        f"بكل سرور، سأحوّل محادثتك إلى موظف علاقات المستفيدين في {short['ar']}، وسيطّلع على ما دار بيننا ليكمل "
        f"معك في أقرب وقت. وإن كان استفسارك عن الإجراءات فسيُحال وفق السياسة إلى {officer['ar']}.",
        f"Certainly – I'm passing your conversation to a beneficiary relations officer at {short['en']}, who will "
        f"see our conversation and continue with you as soon as possible. Questions about the procedure go, under "
        f"our policy, to the {officer['en']}.")
    tools = pack["officer_tools"]
    out["support_conditions"] = loc(
        "لا تنص هذه السياسة على شروط الدعم ومبالغه، وإنما يرجع فيها موظف علاقات المستفيدين إلى: "
        + _join([t["ar"] for t in tools], "ar") + f". سأحوّل استفسارك إلى {officer['ar']} ليوضحها لك.",
        "This policy does not set support conditions or amounts; the beneficiary relations officer refers to: "
        + _join([t["en"] for t in tools], "en") + f". I'm passing your question to the {officer['en']} to explain.")
    out["data_responsibility"] = loc(
        f"وفق سياستنا: {facts.declaration} لذلك سأعرض عليك ملخص بياناتك لتراجعه وتؤكده قبل إرسال الطلب.",
        "Under our policy, the applicant confirms and signs that the data provided is correct and is directly "
        "responsible for the accuracy of the information. That is why I show you a summary of your data to review "
        "and confirm before the request is sent.") if facts.declaration else None
    tail_ar = f"خلال {period_ar.removeprefix('خلال ')}" if period_ar else ""
    tail_en = f" {period_en}" if period_en else ""
    if committee:
        out["reviewing_committee"] = loc(
            f"بعد استكمال بياناتك يُرفع طلبك إلى {committee['ar']} لدراسته، ثم يُرد عليك بشأن قبوله أو رفضه"
            + (f" {tail_ar}" if tail_ar else "") + "، وفق سياسة تنظيم العلاقة مع المستفيدين.",
            f"Once your data is complete, your request is referred to the {committee['en']}, which studies it and "
            f"replies on its acceptance or rejection{tail_en}, under our beneficiary relationship policy.")
    else:
        out["reviewing_committee"] = loc(
            f"لا تسمّي سياستنا المنشورة لجنة بعينها لدراسة الطلبات؛ وسأحوّل استفسارك إلى {officer['ar']} ليوضح لك من "
            "يبت في طلبك.",
            "Our published policy does not name a committee that studies requests; I'm passing your question to the "
            f"{officer['en']}, who will explain who decides on your request.")
    if period:
        out["decision_period"] = loc(
            f"نحيطك علماً بأن طلبك يُرفع إلى {committee['ar'] if committee else 'الجهة المختصة'} لدراسته، ويُرد عليك "
            f"بشأن قبوله أو رفضه {tail_ar}، وفق سياسة تنظيم العلاقة مع المستفيدين. ويمكنك متابعة حالة طلبك هنا برقم "
            "الطلب.",
            f"Please note that your request is referred to the {committee['en'] if committee else 'body concerned'} "
            f"for study, and you receive a reply on its acceptance or rejection{tail_en}. You can follow your "
            "request here with its reference number.")
    else:
        out["decision_period"] = loc(
            f"لا تحدد سياستنا المنشورة مدة للرد على الطلبات؛ وسأحوّل استفسارك إلى {officer['ar']} ليوضح لك ما يخص "
            "طلبك، ويمكنك أيضاً متابعة حالة طلبك هنا برقم الطلب.",
            "Our published policy does not set a time for replying to requests; I'm passing your question to the "
            f"{officer['en']}, and you can also follow your request here with its reference number.")
    out["registration_completion"] = loc(
        f"وفق سياستنا: {facts.registration} ثم تُقدَّم لك الخدمة اللازمة. ويمكنك متابعة حالة طلبك هنا برقم الطلب.",
        "Under our policy, registration is completed once the requests are complete, and then the required service "
        "is provided. You can follow your request here with its reference number.") if facts.registration else None
    out["satisfaction_rating"] = loc(
        f"تقييم الخدمة من أهداف سياستنا: {facts.satisfaction} يسعدنا سماع تقييمك وملاحظاتك في أي وقت.",
        "Rating our service is part of our policy: rating service quality is your right, and it is a tool for "
        "evaluation and improvement, not for punishment or defamation. We're always glad to hear your rating.") \
        if facts.satisfaction else None
    out["quality_culture"] = loc(
        f"من أهداف سياستنا: {facts.quality} يسعدنا استقبال اقتراحك هنا.",
        "Our policy commits us to a culture of service quality and continuous improvement informed by "
        "beneficiaries' opinions. We'd be glad to receive your suggestion here.") if facts.quality else None
    approval = pack["policy"]["approval"]
    out["policy_approval"] = loc(approval["text"]["ar"], approval["text"]["en"]) if approval else loc(
        f"لا يتضمن نص السياسة المنشور بيانات اعتمادها من مجلس الإدارة؛ وسأحوّل استفسارك إلى {officer['ar']} "
        "ليفيدك.",
        "The published policy text does not include its board approval record; I'm passing your question to the "
        f"{officer['en']}.")
    out["officer_tools"] = loc(
        "يعتمد موظف علاقات المستفيدين في التواصل معك على: " + _join([t["ar"] for t in tools], "ar") + ".",
        "The beneficiary relations officer relies on: " + _join([t["en"] for t in tools], "en") + ".")
    out["location"] = loc(
        f"تقع {name['ar']} في {where['ar']}. ولا تتضمن السياسة العنوان التفصيلي؛ إذ تعلنه الجمعية عبر قنواتها "
        "الرسمية.",
        f"{name['en']} is located in {where['en']}. The policy does not give a detailed address; the association "
        "publishes it through its official channels.") if where else None
    return out


def _flow_answers(facts: PolicyFacts, pack: dict[str, Any], flows: dict[str, Any]) -> dict[str, Loc]:
    committee: Loc | None = {**pack["committee"], "en": mid(pack["committee"]["en"])} if pack["committee"] else None
    period = facts.period
    where_ar = f"، ويُرفع طلبك إلى {committee['ar']} لدراسته" if committee else ""
    where_en = f", and your request goes to the {committee['en']} for study" if committee else ""
    when_ar = f" والرد عليك {period.phrase}" if period else ""
    when_en = f" with a reply {period.english()}" if period else ""
    out = {
        "apply_support": loc(
            f"يسعدنا خدمتك! يمكنك تقديم طلبك هنا خطوة بخطوة: سأطلب منك البيانات اللازمة، ثم تراجعها وتؤكد صحتها"
            f"{where_ar}{when_ar}.",
            f"Happy to help! You can submit your request here, step by step: I'll ask for the information needed, "
            f"you review and confirm it{where_en}{when_en}."),
        "request_status": loc("يسعدنا متابعة طلبك؛ سأطلب منك رقم الطلب لأعرض لك حالته.",
                              "Glad to follow up your request: I'll ask for its reference number and show you its "
                              "status."),
        "data_update": loc("يسعدنا ذلك! يمكنك تحديث بياناتك هنا خطوة بخطوة، وتذكّر أن مقدم البيانات مسؤول عن صحتها.",
                           "With pleasure! You can update your details here step by step; remember that whoever "
                           "provides the data is responsible for its accuracy."),
    }
    if "volunteer" in flows:
        out["volunteering"] = loc(
            f"يسعدنا حرصك على التطوع! خدمة التطوع من قنوات التواصل في سياسة {pack['short_name']['ar']}، ويمكنك "
            "تسجيل رغبتك في التطوع هنا خطوة بخطوة.",
            f"We're delighted you want to volunteer! The volunteering service is listed in "
            f"{pack['short_name']['en']}'s policy, and you can register your wish to volunteer here, step by step.")
    return out


#: topics a beneficiary asks whatever the policy says; when it says nothing, a person answers
_NOT_STATED = {"contact_channels": "channels", "reviewing_committee": "committee", "decision_period": "period",
               "policy_approval": "approval"}
_ACTIONS = {"support_conditions": "handoff", "apply_support": "flow:support_request",
            "request_status": "flow:status_inquiry", "data_update": "flow:data_update",
            "volunteering": "flow:volunteer", "talk_to_officer": "handoff"}


def build_faq(facts: PolicyFacts, pack: dict[str, Any], flows: dict[str, Any]) -> dict[str, Any]:
    """The faq.yaml mapping: topics in the template's order, each with ≥ 8 phrasings."""
    committee = pack["committee"]
    fill = {"short": pack["short_name"]["ar"], "short_en": pack["short_name"]["en"],
            "officer": pack["referral_officer"]["ar"], "officer_en": mid(pack["referral_officer"]["en"])}
    if committee:
        fill |= {"committee": committee["ar"], "committee_en": mid(committee["en"])}
    answers: dict[str, Loc | None] = {**_answers(facts, pack), **_flow_answers(facts, pack, flows)}
    for service in pack["member_services"]:
        answers[service["id"]] = loc(service["body"]["ar"] + " ويسعدني تحويلك لموظف علاقات المستفيدين لإفادتك.",
                                     service["body"]["en"] + " I can connect you with a relations officer.")
    if facts.kind == "cooperative" and member_service_ids(facts):
        titles = [s["title"] for s in pack["member_services"]]
        answers["members"] = loc(
            "تنظم سياسة الجمعية علاقتها بأعضاء الجمعية العمومية (المساهمين). ومن خدمات المساهمين: "
            + _join([t["ar"] for t in titles], "ar") + ".",
            "The society's policy organises its relationship with the general assembly members (shareholders). "
            "Member services include: " + _join([t["en"] for t in titles], "en") + ".")
    topics: list[dict[str, Any]] = []
    for topic_id, spec in _templates().items():
        answer = answers.get(topic_id)
        if answer is None:
            continue
        silent = topic_id in _NOT_STATED and not getattr(facts, _NOT_STATED[topic_id])
        clause = loc("لا يرد في السياسة", "Not stated in the policy") if silent else dict(spec["clause"])
        topic: dict[str, Any] = {"id": topic_id, "clause": clause, "questions": _questions(topic_id, fill),
                                 "answer": answer}
        if topic_id in _ACTIONS or silent:
            topic["action"] = "handoff" if silent else _ACTIONS[topic_id]
        topics.append(topic)
    return {"topics": topics}
