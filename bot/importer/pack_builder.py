"""pack.yaml from the facts: the association's identity and its policy, in Arabic and English.

Every value is the policy's own words (Arabic) and their template rendering (English). Where
the policy is silent, the pack keeps the schema's "not stated" (null) or, for a field the
schema requires, the template's neutral wording, and the report says so.
"""

from __future__ import annotations

import re
from typing import Any

from bot.flows.cities import saudi_cities
from bot.importer.english import channel_id, mid, render, render_named, transliterate_slug
from bot.importer.extract import PolicyFacts
from bot.importer.report import ImportReport
from bot.importer.text import fold

__all__ = ["build_pack", "loc"]

Loc = dict[str, str]


def loc(ar: str, en: str) -> Loc:
    return {"ar": ar, "en": en}


def _location_en(arabic: str) -> str | None:
    parts: list[str] = []
    for piece in re.split(r"\s+[-–]\s+|،", arabic):
        m = re.match(r"^(محافظة|مدينة|منطقة)?\s*(.+)$", piece.strip())
        if not m:
            return None
        kind, place = m.group(1), fold(m.group(2))
        city = next((c for c in saudi_cities() if fold(c.label_ar) in {place, "ال" + place} or
                     fold(c.label_ar).removeprefix("ال") == place.removeprefix("ال")), None)
        if city is None:
            return None
        parts.append(city.label_en + {"محافظة": " Governorate", "منطقة": " Region"}.get(kind or "", ""))
    return " – ".join(parts) if parts else None


def _title_en(title: str) -> str:
    key = fold(title)
    who = ("General Assembly Members" if "اعضاء الجمعيه العموميه" in key else
           "Users" if "المستخدمين" in key else "Beneficiaries")
    rel = "Relationships" if "العلاقات" in key else "the Relationship"
    services = " and Providing Services" if "تقديم الخدمات" in key else ""
    return f"Policy on Organising {rel} with {who}{services}"


def _names(facts: PolicyFacts, slug: str, report: ImportReport) -> dict[str, Any]:
    name = facts.name
    if name is None:
        name = slug
        report.miss("اسم الجمعية (وُضع المعرّف مؤقتاً: عدّله)", "the association's name (the slug stands in: edit it)")
    report.add("اسم الجمعية", "name", facts.name)
    cooperative = facts.kind == "cooperative"
    if facts.name_latin:
        latin = facts.name_latin.strip()
        name_en = latin if re.search(r"association|society|foundation|charity", latin, re.I) else \
            f"{latin} {'Cooperative Society' if cooperative else 'Association'}"
        short_en = latin
    else:
        name_en = short_en = transliterate_slug(slug, name, cooperative)
        report.check(f"الاسم الإنجليزي «{name_en}» مأخوذ من المعرّف، فالسياسة لا تذكره بالإنجليزية",
                     f"the English name '{name_en}' was made from the slug: the policy gives none")
    short = facts.short_name or name
    out: dict[str, Any] = {"name": loc(name, name_en), "short_name": loc(short, short_en), "tagline": None,
                           "location": None}
    if facts.tagline:
        tag_en = facts.tagline_latin or f"«{facts.tagline}» (the association's tagline, in Arabic)"
        out["tagline"] = loc(facts.tagline, tag_en)
        if not facts.tagline_latin:
            report.check("الشعار بالإنجليزية غير موجود في السياسة", "the tagline has no English in the policy")
    if facts.location:
        where_en = _location_en(facts.location)
        out["location"] = loc(facts.location, where_en or f"As stated in the policy (in Arabic): {facts.location}")
        if where_en is None:
            report.check("ترجمة الموقع إلى الإنجليزية", "the English of the location")
    report.add("المقر", "location", facts.location)
    return out


def _approval(facts: PolicyFacts, name_en: str, report: ImportReport) -> dict[str, Any] | None:
    a = facts.approval
    if a is None:
        report.miss("اعتماد مجلس الإدارة (الجهة والتاريخ)", "the board approval (body and date)")
        return None
    ar = [f"اعتمد {a.body} هذه السياسة"]
    en = [f"The Board of Directors of {name_en} approved this policy"]
    if a.meeting:
        ar.append(f"في الاجتماع ({a.meeting})")
        en.append(f"at meeting ({a.meeting})")
    if a.session:
        ar.append(f"في جلسته {a.session}")
        en.append(f"at its session {a.session_number}")
    if a.cycle:
        ar.append(f"في دورته ({a.cycle})")
        en.append(f"in its cycle ({a.cycle})")
    dates_ar, dates_en = [], []
    if a.date_hijri:
        y, m, d = a.date_hijri.split("-")
        dates_ar.append(f"{d}/{m}/{y}هـ")
        dates_en.append(f"{d}/{m}/{y} AH")
    if a.date_gregorian:
        y, m, d = a.date_gregorian.split("-")
        dates_ar.append(f"{d}/{m}/{y}م")
        dates_en.append(f"{d}/{m}/{y}")
    if dates_ar:
        day_ar = f"يوم {a.weekday} " if a.weekday else ""
        ar.append(f"{day_ar}بتاريخ " + " الموافق ".join(dates_ar))
        en.append("on " + ", corresponding to ".join(dates_en))
    report.add("جهة الاعتماد", "approved by", a.body)
    report.add("رقم الاجتماع", "meeting number", a.meeting)
    report.add("الجلسة", "session", a.session)
    report.add("التاريخ الهجري للاعتماد", "Hijri approval date", a.date_hijri)
    report.add("التاريخ الميلادي للاعتماد", "Gregorian approval date", a.date_gregorian)
    return {
        "body": loc(a.body, f"Board of Directors of {name_en}"),
        "meeting": a.meeting,
        "session": (f"{a.session} ({a.session_number})" if a.session and not a.session.isdigit() else a.session),
        "date_gregorian": a.date_gregorian,
        "date_hijri": a.date_hijri,
        "text": loc(" ".join(ar) + ".", " ".join(en) + "."),
    }


def _step_en(step: str, facts: PolicyFacts, officer_en: str, committee_en: str | None, term_en: str) -> str:
    key = fold(step)
    officer_en, committee_en = mid(officer_en), (mid(committee_en) if committee_en else None)
    if step == facts.referral_step:
        return (f"If the procedure is unclear to the {term_en}, the employee refers them to the {officer_en} to "
                "answer their questions and explain the organisational aspects.")
    if step == facts.declaration:
        return ("Confirm that the data submitted by the applicant is correct and have it signed, the applicant being "
                "directly responsible for the accuracy of the information.")
    if step == facts.committee_step and committee_en:
        period = f" {facts.period.english()}" if facts.period else ""
        return (f"Explain to the {term_en} that the request will be referred to the {committee_en} to study it and "
                f"reply on its acceptance or rejection{period}.")
    english, ok = render(step, "step")
    if not ok and "تقديم الخدمه" in key:
        return "Provide the required service."
    return english


def build_pack(facts: PolicyFacts, slug: str, code: str, source: str, report: ImportReport) -> dict[str, Any]:
    """The pack.yaml mapping, in the schema's key order (bot/packs.py)."""
    names = _names(facts, slug, report)
    name_en = names["name"]["en"]
    term = loc("المساهم", "shareholder (member)") if facts.beneficiary_term == "المساهم" else \
        loc("المستفيد", "beneficiary")
    term_en = "shareholder" if facts.beneficiary_term == "المساهم" else "beneficiary"
    title = facts.title or "سياسة تنظيم العلاقة مع المستفيدين"
    report.add("عنوان السياسة", "policy title", facts.title)
    a = facts.approval
    version = (a.date_gregorian if a and a.date_gregorian else
               f"H{a.date_hijri}" if a and a.date_hijri else f"unversioned-{re.sub(r'[^A-Za-z0-9_.-]', '_', source)}")
    officer = facts.referral_officer
    if officer:
        report.add("المسؤول عند عدم وضوح الإجراءات", "officer for unclear procedures", officer)
        officer_en, ok = render_named(officer, "officer")
        if not ok:
            report.check(f"ترجمة «{officer}» إلى الإنجليزية", f"the English for the officer '{officer}'")
    else:
        officer, officer_en = "موظف علاقات المستفيدين", "Beneficiary relations officer"
        report.miss("المسؤول الذي يُحال إليه المستفيد عند عدم وضوح الإجراءات (يُحال إلى موظف علاقات المستفيدين)",
                    "the officer to refer to when the procedure is unclear (the relations officer stands in)")
    committee: dict[str, str] | None = None
    if facts.committee:
        named, ok = render_named(facts.committee, "committee")
        committee = loc(facts.committee, named)
        if not ok:
            report.check(f"ترجمة «{facts.committee}» إلى الإنجليزية", f"the English for '{facts.committee}'")
    report.add("اللجنة التي تدرس الطلبات", "committee that studies requests", facts.committee)
    report.add("مدة البت في الطلب", "decision period",
               f"{facts.period.phrase} ({facts.period.days} يوماً / days)" if facts.period else None)
    channels: list[dict[str, Any]] = []
    for i, ch in enumerate(facts.channels):
        cid, en, ok = channel_id(ch, i)
        while cid in {c["id"] for c in channels}:
            cid = f"{cid}_{i + 1}"
        channels.append({"id": cid, "name": loc(ch, en)})
        if not ok:
            report.check(f"ترجمة قناة التواصل «{ch}»", f"the English for the channel '{ch}'")
    report.add("قنوات التواصل", "channels", "، ".join(facts.channels))
    tools = []
    for tool in facts.tools:
        en, ok = render(tool, "tool")
        tools.append(loc(tool, en))
        if not ok:
            report.check(f"ترجمة أداة «{tool}»", f"the English for the tool '{tool}'")
    report.add("أدوات موظف علاقات المستفيدين", "officer's tools", "، ".join(facts.tools))
    if not tools:
        tools = [loc("لا تسمّي السياسة أدوات بعينها", "The policy names no specific tools")]
    committee_en = committee["en"] if committee else None
    procedure = [loc(s, _step_en(s, facts, officer_en, committee_en, term_en)) for s in facts.procedure]
    report.add("خطوات التعامل مع المستفيد", "handling steps", str(len(procedure)) if procedure else None)
    if not procedure:
        procedure = [loc("لا يتضمن نص السياسة خطوات التعامل مع المستفيد.",
                         "The policy text does not list the steps of handling a beneficiary.")]
    report.add("الإقرار بصحة البيانات", "declaration", facts.declaration)
    report.add("قياس الرضا وتقييم الخدمة", "satisfaction clause", facts.satisfaction)
    goal_en = render(facts.goal, "goal")[0] if facts.goal else "The policy text states no general goal."
    report.add("الهدف العام", "general goal", facts.goal and facts.goal[:60] + "…")
    goals = [loc(g, render(g, "goal")[0]) for g in facts.detailed_goals]
    report.add("الأهداف التفصيلية", "detailed goals", str(len(goals)) if goals else None)
    if facts.goal and not render(facts.goal, "goal")[1]:
        report.check("ترجمة الهدف العام إلى الإنجليزية", "the English of the general goal")
    if any(not render(g, "goal")[1] for g in facts.detailed_goals):
        report.check("ترجمة بعض الأهداف التفصيلية إلى الإنجليزية (نُقلت بنصها العربي)",
                     "the English of some detailed goals (quoted in Arabic)")
    if facts.repaired_lines >= 5:
        report.check(f"أُصلح {facts.repaired_lines} سطراً أفسدها استخراج النص من PDF: قارن الأهداف والتمهيد بالأصل",
                     f"{facts.repaired_lines} lines damaged by PDF text extraction were repaired: compare the goals "
                     "and the preamble with the original")
    report.check("أرقام التواصل والبريد والموقع والعنوان وساعات العمل غير مذكورة في السياسة: أضفها في الإعدادات",
                 "phone, email, website, address and working hours are not in the policy: add them as settings")
    return {
        "slug": slug,
        "code": code,
        **names,
        "policy": {"title": loc(title, _title_en(title)), "version": version, "source": source,
                   "approval": _approval(facts, name_en, report)},
        "beneficiary_term": term,
        "channels": channels,
        "officer_tools": tools,
        "referral_officer": loc(officer, officer_en),
        "committee": committee,
        "decision_min_days": facts.period.days if facts.period else None,
        "procedure": procedure,
        "goals": loc(facts.goal or "لا يتضمن نص السياسة هدفاً عاماً.", goal_en),
        "detailed_goals": goals or [loc("لا يتضمن نص السياسة أهدافاً تفصيلية.",
                                        "The policy text states no detailed goals.")],
        "contact": {"phone": None, "email": None, "website": None, "address": None},
        "member_services": _member_services(facts),
        "kind": facts.kind,
    }


_MEMBER = [
    ("projects_products", ("المشاريع",), loc("عرض المنتجات والمشاريع", "Products and projects"),
     loc("تنص سياسة الجمعية على عرض المنتجات والمشاريع على المساهمين، وتعلن الجمعية تفاصيلها عبر قنواتها الرسمية.",
         "The society's policy provides for presenting its products and projects to shareholders; the society "
         "announces the details through its official channels.")),
    ("financial_statements", ("القوايم الماليه",), loc("القوائم المالية", "Financial statements"),
     loc("تنص سياسة الجمعية على عرض القوائم المالية على المساهمين. وتعلن الجمعية قوائمها المالية عبر قنواتها "
         "الرسمية، ولا يتضمن نص السياسة أرقاماً مالية.",
         "The society's policy provides for presenting the financial statements to shareholders. The society "
         "announces them through its official channels; the policy text contains no figures.")),
    ("general_assembly", ("الجمعيه العموميه",), loc("مواعيد انعقاد اجتماع الجمعية العمومية",
                                                   "General assembly meeting dates"),
     loc("تنص سياسة الجمعية على عرض مواعيد انعقاد اجتماع الجمعية العمومية على المساهمين. وتعلن الجمعية موعد "
         "الاجتماع القادم عبر قنواتها الرسمية، ولا يتضمن نص السياسة موعداً محدداً.",
         "The society's policy provides for presenting the general assembly meeting dates to shareholders. The "
         "society announces the next meeting through its official channels; the policy text gives no date.")),
]


def member_service_ids(facts: PolicyFacts) -> list[str]:
    """Which member services the policy's tools list (a cooperative's shareholders' services)."""
    tools = " ".join(fold(t) for t in facts.tools)
    return [sid for sid, words, _t, _b in _MEMBER if all(w in tools for w in words)]


def _member_services(facts: PolicyFacts) -> list[dict[str, Any]]:
    ids = member_service_ids(facts)
    return [{"id": sid, "title": title, "body": body} for sid, _w, title, body in _MEMBER if sid in ids]
