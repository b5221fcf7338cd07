"""Facts from a policy in the seeds' template: who the association is and what it promises.

Each fact is looked for where the template puts it, and read only from the policy's own
words; what cannot be found stays ``None`` (or empty) so the pack says "not stated" and the
report asks the admin, rather than the importer guessing. Several candidates are weighed for
the association's name because a garbled PDF may tear it in one place and keep it whole in
another (the preamble vs. the approval).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importer.periods import Period, find_period
from bot.importer.sections import Sections, split_sections
from bot.importer.text import clean_text, fold

__all__ = ["ApprovalFacts", "PolicyFacts", "extract"]

_ASSOC = r"(?:ال)?جمعي[ةه]"
_ORDINALS = {"الاولي": 1, "الثانيه": 2, "الثالثه": 3, "الرابعه": 4, "الخامسه": 5, "السادسه": 6, "السابعه": 7,
             "الثامنه": 8, "التاسعه": 9, "العاشره": 10, "الاول": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4,
             "الخامس": 5, "السادس": 6, "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10}
_DATE = re.compile(r"(\d{1,2})[\s.]*[/\-][\s.]*(\d{1,2})[\s.]*[/\-][\s.]*(\d{4})")
_DATE_YMD = re.compile(r"(\d{4})[\s.]*[/\-][\s.]*(\d{1,2})[\s.]*[/\-][\s.]*(\d{1,2})(?!\d)")
_WEEKDAYS = {"الاحد": "الأحد", "الاثنين": "الإثنين", "الثلاثاء": "الثلاثاء", "الاربعاء": "الأربعاء",
             "الخميس": "الخميس", "الجمعه": "الجمعة", "السبت": "السبت"}


@dataclass
class ApprovalFacts:
    body: str
    meeting: str | None = None
    cycle: str | None = None
    session: str | None = None
    session_number: int | None = None
    date_hijri: str | None = None
    date_gregorian: str | None = None
    weekday: str | None = None


@dataclass
class PolicyFacts:
    """What the importer read; every field is the policy's words or None/empty."""

    name: str | None = None
    short_name: str | None = None
    name_latin: str | None = None
    tagline: str | None = None
    tagline_latin: str | None = None
    location: str | None = None
    title: str | None = None
    kind: str = "charity"
    beneficiary_term: str = "المستفيد"
    parties: list[str] = field(default_factory=list)
    goal: str | None = None
    detailed_goals: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    procedure: list[str] = field(default_factory=list)
    reception: str | None = None
    required_info: str | None = None
    referral_officer: str | None = None
    referral_step: str | None = None
    declaration: str | None = None
    committee: str | None = None
    committee_step: str | None = None
    period: Period | None = None
    registration: str | None = None
    satisfaction: str | None = None
    remote_service: str | None = None
    quality: str | None = None
    approval: ApprovalFacts | None = None
    #: lines the cleaner had to reorder or mend (a garbled PDF extraction when there are many)
    repaired_lines: int = 0


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" -:")
    text = re.sub(r"^[\d٠-٩]{1,2}\s*[-.)]\s*", "", text)
    text = re.sub(r"\s+([.،,:؛])", r"\1", text)
    text = re.sub(r"(?:وذلك\s+)?عن\s+طريق\s+ما\s+يلي\s*:?$", "", text).strip(" ،,:")
    return text.replace("مسئول", "مسؤول")


def _sentence(text: str) -> str:
    text = _tidy(text)
    text = re.sub(r"\.{2,}$", ".", text)
    return text if text.endswith((".", "؟", "!")) else text + "."


def _find(items: list[str], *patterns: str) -> str | None:
    for item in items:
        key = fold(item)
        if all(re.search(p, key) for p in patterns):
            return item
    return None


def _name_ok(candidate: str) -> bool:
    words = candidate.split()
    return (2 <= len(words) <= 8 and all(len(w) > 1 for w in words)
            and re.match(_ASSOC, fold(candidate)) is not None and fold(candidate) not in {"الجمعيه", "جمعيه"})


def _names(text: str, sections: Sections) -> list[str]:
    """Candidates for the association's name, best source first."""
    found: list[str] = []
    stop = r"(?=\s+(?:السياسات|في|ب|هذه|سياسه|على|المنعقد)|\s*[،,.:(\n]|$)"
    for line in sections.lines("preamble")[:3]:
        m = re.search(rf"تضع\s+({_ASSOC}\s.+?){stop}", fold(line))
        if m:
            found.append(_original(line, m.group(1)))
    for line in text.split("\n"):
        for pattern in (rf"مجلس\s+اداره\s+({_ASSOC}\s.+?){stop}", rf"رييس\s+مجلس\s+اداره\s+({_ASSOC}\s.+?){stop}"):
            m = re.search(pattern, fold(line))
            if m:
                found.append(_original(line, m.group(1)))
    for line in sections.header[:6]:
        arabic = re.sub(r"[A-Za-z].*$", "", line).strip()
        if re.match(_ASSOC, fold(arabic)) and "سياسه" not in fold(arabic):
            found.append(arabic)
    return [_tidy(c) for c in found if _name_ok(_tidy(c))]


def _original(line: str, folded_part: str) -> str:
    """The words of ``line`` whose folded form is ``folded_part`` (keeps hamzas and taa marbuta)."""
    words = line.split()
    target = folded_part.split()
    keys = [fold(w) for w in words]
    for i in range(len(words)):
        if [k.strip("،,.:()") for k in keys[i:i + len(target)]] == [t.strip("،,.:()") for t in target]:
            return " ".join(words[i:i + len(target)])
    return folded_part


def _choose_name(cands: list[str], text: str) -> str | None:
    if not cands:
        return None
    folded = fold(text)
    # the longest candidate that the document repeats wins; ties keep the earlier source
    return max(cands, key=lambda c: (folded.count(fold(c)) >= 2 or len(cands) == 1, len(c.split()) <= 6,
                                     -cands.index(c)))


def _short_name(name: str, text: str) -> str:
    m = re.search(rf"وتركز\s+({_ASSOC}\s+\S+)\s+علي", fold(text))
    if m and fold(m.group(1)) not in {"الجمعيه", "جمعيه"}:
        short = _original(text.replace("\n", " "), m.group(1))
        if fold(short).split()[1] in fold(name):
            return short
    words = name.split()
    if "التعاونيه" in fold(name):
        return f"جمعية {words[-1]} التعاونية"
    return name if len(words) <= 3 else " ".join(words[:2])


def _latin(header: list[str]) -> tuple[str | None, str | None]:
    runs = [m.group(0).strip() for line in header for m in [re.search(r"[A-Za-z][A-Za-z '&-]+", line)] if m]
    runs = [r for r in runs if len(r.split()) >= 2]
    return (runs[0] if runs else None), (runs[1] if len(runs) > 1 else None)


def _tagline(header: list[str], name: str | None) -> str | None:
    if not name:
        return None
    for i, line in enumerate(header[:-1]):
        if fold(line).strip() == fold(name):
            nxt = re.sub(r"[A-Za-z].*$", "", header[i + 1]).strip()
            if nxt and len(nxt.split()) <= 6 and not re.search(r"سياسه|محافظه|مدينه|منطقه|\d", fold(nxt)):
                return nxt
    return None


def _location(header: list[str], text: str) -> str | None:
    for line in [*header[:8], *text.split("\n")[:20]]:
        m = re.search(r"(?:^|\s)(?:ب|في\s+)((?:محافظة|مدينة|منطقة|محافظه|مدينه|منطقه)\s+[^\n،,.]+)", line)
        if m:
            return _tidy(m.group(1))
    return None


def _officer(step: str) -> str | None:
    m = re.search(r"(?:احالت\S*|يحال|تحال|يحول)(?:\s+المستفيد)?\s+(?:الي\s+|ل)?(م?سؤول\s+.+?)"
                  r"\s+(?:للاجابه|لاجابه|ليجيب|للرد|ليرد|لتوضيح|$)", fold(step))
    if not m:
        return None
    officer = _original(step.replace("لمسئول", "لمسؤول").replace("لمسؤول", "ل مسؤول"), m.group(1))
    officer = re.sub(r"^(?:ل|ال)?م?س[ؤئ]ول", "مسؤول", officer.strip())
    return _tidy(officer) if officer.startswith("مسؤول") else None


def _committee(step: str) -> str | None:
    m = re.search(r"(?:^|\s)(?:ل|الي\s+|ال)?(لجن[هة]\s+.+?)"
                  r"(?=\s+(?:لدراسه|لدراسته|للدراسه|والرد|للبت|للنظر|التي|خلال)|[،,.]|$)", fold(step))
    if not m:
        return None
    words = m.group(1).split()
    original = _original(step.replace("للجنة", "ل لجنة").replace("للجنه", "ل لجنه"), m.group(1))
    return _tidy(original) if len(words) <= 6 else None


def _approval(sections: Sections, name: str | None) -> ApprovalFacts | None:
    lines = [ln.removeprefix("- ") for ln in sections.lines("approval") if ln.strip()]
    if not lines:
        return None
    text = " ".join(lines)
    key = fold(text)
    if not re.search(r"اعتمد|اعتماد", key) and not _DATE.search(key):
        return None
    body = "مجلس إدارة " + (name or "الجمعية") if "مجلس" in key else None
    if body is None:
        return None
    facts = ApprovalFacts(body=body)
    m = re.search(r"(?:الاجتماع|اجتماعه)\s*(?:رقم\s*)?[()\s]*(\d+|" + "|".join(_ORDINALS) + r")(?![^\s().،])", key)
    facts.meeting = (m.group(1) if m.group(1).isdigit() else str(_ORDINALS[m.group(1)])) if m else None
    m = re.search(r"دورته\s*[()\s]*(\d+)\s*[()]", key)
    facts.cycle = m.group(1) if m else None
    m = re.search(r"(?:بجلسته|جلسته|الجلسه)\s*(?:رقم\s*)?[(\s]*(\d+|" + "|".join(_ORDINALS) + ")", key)
    if m:
        digits = m.group(1).isdigit()
        facts.session = m.group(1) if digits else re.sub("ه$", "ة", m.group(1)).replace("الاولي", "الأولى")
        facts.session_number = int(m.group(1)) if digits else _ORDINALS[m.group(1)]
    found = [(int(d.group(1)), int(d.group(2)), int(d.group(3)), d.start()) for d in _DATE.finditer(key)]
    found += [(int(d.group(3)), int(d.group(2)), int(d.group(1)), d.start()) for d in _DATE_YMD.finditer(key)]
    for day, month, year, _at in sorted(found, key=lambda f: f[3]):
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        if year < 1700 and facts.date_hijri is None:
            facts.date_hijri = iso
        elif year >= 1700 and facts.date_gregorian is None:
            facts.date_gregorian = iso
    facts.weekday = next((_WEEKDAYS[w] for w in _WEEKDAYS if re.search(rf"(?:^|\s|:){w}(?:\s|\.|$)", key)), None)
    return facts


def _bare(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).replace("_", " ").split())


def _repaired(raw: str, text: str) -> int:
    """How many cleaned lines do not occur, word for word, in the raw text."""
    original = _bare(raw)
    return sum(1 for line in text.split("\n") if _bare(line) and _bare(line) not in original)


def extract(raw: str) -> PolicyFacts:
    """Read the facts out of a policy's raw text (any of the readers' output)."""
    text = clean_text(raw)
    sections = split_sections(text)
    facts = PolicyFacts(repaired_lines=_repaired(raw, text))
    names = _names(text, sections)
    facts.name = _choose_name(names, text)
    if facts.name:
        facts.short_name = _short_name(facts.name, text)
    facts.name_latin, facts.tagline_latin = _latin(sections.header)
    facts.tagline = _tagline(sections.header, facts.name)
    if facts.tagline is None:
        facts.tagline_latin = None
    facts.location = _location(sections.header, text)
    titles = [ln for ln in [*sections.header, *text.split("\n")[:15]] if "سياسه تنظيم" in fold(ln)]
    title = max((t for t in titles if len(t.split()) <= 16), key=len, default=None)
    facts.title = _tidy(title.removeprefix("- ")) if title else None
    folded_all = fold(text)
    if "التعاونيه" in fold(facts.name or "") or "المساهمين" in folded_all:
        facts.kind = "cooperative"
    m = re.search(r"بجميع الاطراف من\s+(.+?)(?:وخلافه|،|,|\.)", fold(" ".join(sections.lines("preamble"))))
    if m:
        facts.parties = [p.strip().removeprefix("و") for p in m.group(1).split() if p.strip()]
    goal = sections.paragraph("goal")
    facts.goal = _sentence(goal) if goal else None
    facts.detailed_goals = [_sentence(g) for g in sections.items("detailed_goals") if len(g.split()) >= 3]
    facts.channels = [_tidy(c).rstrip(".") for c in sections.items("channels") if _tidy(c)]
    facts.tools = [_tidy(t).rstrip(".") for t in sections.items("tools") if _tidy(t)]
    facts.procedure = [_sentence(p) for p in sections.items("procedure") if len(p.split()) >= 2]
    steps = facts.procedure
    facts.reception = _find(steps, r"استقبال")
    facts.required_info = _find(steps, r"المعلومات المطلوبه|كافه المعلومات")
    facts.referral_step = _find(steps, r"احالت|يحال|تحال") or _find(steps, r"عدم وضوح", r"مسؤول")
    facts.referral_officer = _officer(facts.referral_step) if facts.referral_step else None
    facts.declaration = _find(steps, r"التوقيع|يوقع|مسؤوليه|صحه البيانات المقدمه")
    facts.committee_step = _find(steps, r"لجن")
    facts.committee = _committee(facts.committee_step) if facts.committee_step else None
    facts.period = find_period(facts.committee_step) if facts.committee_step else None
    if facts.period is None:
        facts.period = next((p for p in (find_period(s) for s in steps if re.search(r"الرد|قرار", fold(s))) if p),
                            None)
    facts.registration = _find(steps, r"التسجيل")
    if re.search(r"المساهم", fold(facts.declaration or "") + fold(facts.committee_step or "")):
        facts.beneficiary_term = "المساهم"
    goals = facts.detailed_goals
    facts.satisfaction = _find(goals, r"تقييم", r"حق") or _find(goals, r"رضا")
    facts.remote_service = _find(goals, r"من موقعه")
    facts.quality = _find(goals, r"ثقافه جوده") or _find(goals, r"التحسين المستمر")
    facts.approval = _approval(sections, facts.name)
    return facts
