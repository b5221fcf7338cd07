"""The scenario corpus format: loading, validating and checking replies (no engine here).

Why a separate module: the corpus test (``tests/test_eval_corpus.py``) checks the data's
structure without starting the engine, and the runner (``scripts/eval_lib.py``) checks replies
with exactly the same rules. The format is described in ``tests/eval/scenarios/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "tests/eval/scenarios"
ORGS = ("taheel", "amass", "ilm-alhajj", "rida", "ratel")
ACTIONS = ("say", "button", "attachment", "fill", "staff", "capture")
STAFF_ACTIONS = ("needs_info", "under_review", "approved", "rejected", "completed", "claim", "reply",
                 "hand_back", "close")
EXPECT_KEYS = frozenset({"kind", "kinds_not", "field", "field_not", "type", "expect_none", "has", "any", "not", "lang",
                         "reply", "silent", "handoff", "urgent", "buttons_any", "officer_sees",
                         "complaint_recorded", "console_announced"})
KINDS = frozenset({"answer", "suggest", "handoff", "flow", "menu", "fallback", "info", "error", "human"})

DIAC = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
VAR = re.compile(r"\{(\w+)(?:\|(\w+))?\}")


class FormatError(ValueError):
    pass


def norm(s: str) -> str:
    """The shared scorer's normalisation, plus Arabic-Indic digits folded (so 937 matches ٩٣٧)."""
    s = DIAC.sub("", s or "").lower().translate(DIGITS)
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ؤ", "و"), ("ئ", "ي")):
        s = s.replace(a, b)
    return s


_NOT_LANGUAGE = re.compile(r"[A-Za-z]{2,4}-\d{2}-\d{3,6}|https?://\S+|\b[A-Z]{2,5}\b|\S+@\S+")


def reply_lang(text: str) -> str | None:
    """'ar' or 'en' by letters, ignoring references, links, e-mails and short upper-case tokens."""
    t = _NOT_LANGUAGE.sub(" ", text)
    ar = len(re.findall(r"[\u0621-\u064a]", t))
    en = len(re.findall(r"[A-Za-z]", t))
    if ar == 0 and en == 0:
        return None
    return "ar" if ar >= en else "en"


@dataclass
class Scenario:
    id: str
    org: str
    items: list[int]
    turns: list[dict[str, Any]]
    file: str
    tags: list[str] = field(default_factory=list)
    requires: str = ""
    channel: str = "webchat"
    note: str = ""
    #: "" (the real clock) or "off_hours" (the core's clock reads a Friday night in Riyadh)
    clock: str = ""


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _check_turn(sid: str, n: int, turn: Any) -> None:
    where = f"{sid} turn {n}"
    if not isinstance(turn, dict):
        raise FormatError(f"{where}: a turn is a mapping")
    actions = [a for a in ACTIONS if a in turn and a != "capture"]
    if len(actions) > 1 or (not actions and "capture" not in turn):
        raise FormatError(f"{where}: one of {ACTIONS[:-1]} (and/or a capture), got {actions}")
    extra = set(turn) - set(ACTIONS) - {"expect", "as", "note"}
    if extra:
        raise FormatError(f"{where}: unknown keys {sorted(extra)}")
    if "staff" in turn:
        st = turn["staff"]
        if not isinstance(st, dict) or st.get("action") not in STAFF_ACTIONS:
            raise FormatError(f"{where}: staff needs action in {STAFF_ACTIONS}")
    if "fill" in turn:
        f = turn["fill"]
        if not (f == "all" or (isinstance(f, dict) and set(f) <= {"until", "lang"} and "until" in f)):
            raise FormatError(f"{where}: fill is 'all' or {{until: FIELD}}")
    if "capture" in turn:
        cap = turn["capture"]
        if not isinstance(cap, dict) or not cap:
            raise FormatError(f"{where}: capture is {{name: regex}}")
        for name, rx in cap.items():
            try:
                re.compile(rx)
            except re.error as exc:
                raise FormatError(f"{where}: capture {name}: {exc}") from None
    if "attachment" in turn and not isinstance(turn["attachment"], dict):
        raise FormatError(f"{where}: attachment is {{content_type: ..., text: ...}}")
    exp = turn.get("expect")
    if exp is not None:
        if not isinstance(exp, dict):
            raise FormatError(f"{where}: expect is a mapping")
        bad = set(exp) - EXPECT_KEYS
        if bad:
            raise FormatError(f"{where}: unknown expectations {sorted(bad)}")
        for key in ("kind", "kinds_not"):
            if key in exp and not set(_as_list(exp[key])) <= KINDS:
                raise FormatError(f"{where}: {key} must be among {sorted(KINDS)}")
        if "lang" in exp and exp["lang"] not in ("ar", "en"):
            raise FormatError(f"{where}: lang is ar or en")


def parse_file(path: Path) -> list[Scenario]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    defaults = data.get("defaults") or {}
    out = []
    for raw in data.get("scenarios") or []:
        sid = str(raw.get("id") or "")
        if not sid:
            raise FormatError(f"{path.name}: a scenario without id")
        raw = {**defaults, **raw}
        items = [int(i) for i in _as_list(raw.get("items") or [])]
        if not items or not set(items) <= set(range(1, 13)):
            raise FormatError(f"{sid}: items must be issue-13 item numbers 1..12")
        orgs = _as_list(raw.get("org") or raw.get("orgs") or [])
        if not orgs or not set(orgs) <= set(ORGS):
            raise FormatError(f"{sid}: org must be among {ORGS}")
        if raw.get("clock") not in (None, "", "off_hours"):
            raise FormatError(f"{sid}: clock is off_hours or absent")
        turns = raw.get("turns") or []
        if not isinstance(turns, list) or not turns:
            raise FormatError(f"{sid}: no turns")
        for n, turn in enumerate(turns, 1):
            _check_turn(sid, n, turn)
        for org in orgs:
            out.append(Scenario(
                id=sid if len(orgs) == 1 else f"{sid}@{org}", org=org, items=items, turns=turns,
                file=path.name, tags=[str(t) for t in _as_list(raw.get("tags") or [])],
                requires=str(raw.get("requires") or file_requires(data)), channel=str(raw.get("channel") or "webchat"),
                note=str(raw.get("note") or ""), clock=str(raw.get("clock") or ""),
            ))
    return out


def file_requires(data: dict[str, Any]) -> str:
    return str(data.get("requires") or "")


def load_scenarios(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    scenarios: list[Scenario] = []
    for path in sorted(directory.glob("*.yaml")):
        scenarios.extend(parse_file(path))
    ids = [s.id for s in scenarios]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise FormatError(f"duplicate scenario ids: {sorted(dupes)[:5]}")
    return scenarios


def _filtered(value: str, how: str | None) -> str:
    """How people retype a reference: lower-case, Arabic-Indic digits, no dashes, short (ams 26 2)."""
    if how == "lower":
        return value.lower()
    if how == "indic":
        return value.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    if how == "nodash":
        return value.replace("-", "")
    if how == "short":
        parts = value.split("-")
        return " ".join([parts[0].lower(), *(p.lstrip("0") or "0" for p in parts[1:])])
    return value


def subst(value: Any, env: dict[str, str]) -> Any:
    """``{name}`` or ``{name|filter}`` → a captured value, in strings, lists and mappings."""
    if isinstance(value, str):
        return VAR.sub(lambda m: _filtered(env[m.group(1)], m.group(2)) if m.group(1) in env else m.group(0),
                       value)
    if isinstance(value, list):
        return [subst(v, env) for v in value]
    if isinstance(value, dict):
        return {k: subst(v, env) for k, v in value.items()}
    return value


@dataclass
class Observed:
    """What one step produced, as the checks see it."""

    replies: list[dict[str, Any]]
    status: str = ""
    urgent: bool | None = None
    officer_text: str = ""
    #: the conversation went to an officer, or something stored against it mentions a complaint
    complaint: bool | None = None
    #: console events (the association's topic) published for this conversation during the step
    announced: list[dict[str, Any]] = field(default_factory=list)


def check(exp: dict[str, Any], obs: Observed) -> list[str]:
    """Every failed expectation of one step, as readable lines ([] = all held)."""
    problems: list[str] = []
    texts = [r.get("text") or "" for r in obs.replies]
    joined = norm("\n".join(texts))
    kinds = [r.get("kind") for r in obs.replies]
    expects = [r.get("expect") for r in obs.replies if r.get("expect")]
    last_expect = expects[-1] if expects else None
    labels = norm(" ".join(f"{b.get('label', '')} {b.get('value', '')}" for r in obs.replies
                           for b in r.get("buttons") or []))
    short = " | ".join(t[:90].replace("\n", " ") for t in texts)[:300]

    def fail(what: str) -> None:
        problems.append(f"{what}; got kinds {kinds}: {short!r}")

    if "kind" in exp and not set(kinds) & set(_as_list(exp["kind"])):
        fail(f"kind in {_as_list(exp['kind'])}")
    if "kinds_not" in exp and set(kinds) & set(_as_list(exp["kinds_not"])):
        fail(f"no kind in {_as_list(exp['kinds_not'])}")
    if "field" in exp and (last_expect or {}).get("field") != exp["field"]:
        fail(f"expect.field {exp['field']} (got {(last_expect or {}).get('field')})")
    if "field_not" in exp and (last_expect or {}).get("field") in _as_list(exp["field_not"]):
        fail(f"expect.field not {exp['field_not']} (the value was taken)")
    if "type" in exp and (last_expect or {}).get("type") != exp["type"]:
        fail(f"expect.type {exp['type']} (got {(last_expect or {}).get('type')})")
    if exp.get("expect_none") and obs.replies and obs.replies[-1].get("expect"):
        fail("no field expected after this turn")
    for group in _as_list(exp.get("has") or []):
        alts = _as_list(group)
        if not any(norm(a) in joined for a in alts):
            fail(f"has {alts}")
    if "any" in exp and not any(norm(a) in joined for a in _as_list(exp["any"])):
        fail(f"any of {_as_list(exp['any'])}")
    for phrase in _as_list(exp.get("not") or []):
        if norm(phrase) in joined:
            fail(f"not {phrase!r}")
    if "lang" in exp:
        langs = {reply_lang(t) for t in texts} - {None}
        if not langs or langs != {exp["lang"]}:
            fail(f"reply language {exp['lang']} (got {sorted(x or '-' for x in langs)})")
    if exp.get("reply") and not obs.replies:
        fail("a reply")
    if exp.get("silent") and obs.replies:
        fail("no reply")
    if "handoff" in exp:
        handed = obs.status in ("waiting", "human")
        if bool(exp["handoff"]) != handed:
            fail(f"hand-off {'started' if exp['handoff'] else 'not started'} (status {obs.status})")
    if exp.get("urgent") and not obs.urgent:
        fail("hand-off marked urgent, ahead of earlier non-urgent ones in the console queue")
    if "buttons_any" in exp and not any(norm(a) in labels for a in _as_list(exp["buttons_any"])):
        fail(f"a button like {_as_list(exp['buttons_any'])}")
    if exp.get("complaint_recorded") and not obs.complaint:
        fail("a complaint recorded for an officer (a hand-off, or a stored record naming a complaint)")
    if exp.get("console_announced") and not obs.announced:
        fail("an event for the console's officers (the association's topic) about this conversation")
    if "officer_sees" in exp:
        want = _as_list(exp["officer_sees"])
        if not all(norm(w) in norm(obs.officer_text) for w in want):
            problems.append(f"officer sees {want} on the case; case shows {obs.officer_text[:200]!r}")
    return problems


def count_checks(exp: dict[str, Any]) -> int:
    n = 0
    for key, value in exp.items():
        n += len(_as_list(value)) if key in ("has", "not") else 1
    return n
