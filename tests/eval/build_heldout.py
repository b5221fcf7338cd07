#!/usr/bin/env python3
"""Build the held-out FAQ set ``heldout.jsonl`` (issue 13's evidence) from ``heldout_src/*.txt``.

Why a builder: the questions are written by hand, one ``topic|register|question`` a line per
association (topic ``oos`` = out of scope; ``menu``/``handoff``/``flow`` = that kind is expected), written from the five policies in the shared seeds;
what each question accepts and which marker words a right answer must contain follow from the
topic by the same rules as ``faq_eval.jsonl`` (see README.md), so they are derived here, not typed.
Near-duplicates (rapidfuzz ratio >= 90 after the scorer's normalisation) of the shared dev set,
of ``faq_eval.jsonl``, of the association's training phrasings (its own in ``orgs/*/faq.yaml`` and
those it borrows from the other packs, bot/faq/phrasebook.py) or of an earlier line are dropped
and reported, so the set stays held out.

The same rules build the blind second set ``heldout_b.jsonl`` from ``heldout_b_src/``
(``--src tests/eval/heldout_b_src --out tests/eval/heldout_b.jsonl``); any set other than the
first is also checked against ``heldout.jsonl``, so the two sets never ask the same question.

    .venv/bin/python tests/eval/build_heldout.py [--shared-dev PATH] [--src DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

import yaml
from rapidfuzz import fuzz

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ORGS = ("taheel", "amass", "ilm-alhajj", "rida", "ratel")
NEAR = 90
OOS = ["fallback", "handoff", "menu"]

_spec = importlib.util.spec_from_file_location("build_faq_eval", HERE / "build_faq_eval.py")
assert _spec is not None and _spec.loader is not None
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)

SUPPORT = [["دليل", "لجنة", "لجنه", "البحث الاجتماعي", "الاستشار", "البرنامج", "الشؤون التعليمية", "الشئون التعليمية",
            "guide", "committee", "social research", "consult", "program", "educational"]]
QUALITY = [["جودة", "جوده", "quality", "تطوير", "التطوير", "تحسين", "improv", "develop"]]
#: Ta'heel's policy names no channels, committee, decision period or approval: an honest
#: "the policy does not say, the consultation officer will" is right, as is a referral
TAHEEL_SILENT = {"contact_channels", "reviewing_committee", "decision_period", "policy_approval"}
SILENT = [["لا تحدد", "لا يتضمن", "لا تتضمن", "لا يسمي", "لا يسمّي", "الاستشار", "البرنامج", "not state", "does not",
           "doesn't", "consult", "program"]]


def norm(s: str) -> str:
    """The shared scorer's normalisation, plus question marks and spacing, for the overlap check."""
    s = re.sub(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]", "", s or "").lower()
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ؤ", "و"), ("ئ", "ي")):
        s = s.replace(a, b)
    return " ".join(s.replace("؟", " ").replace("?", " ").split())


def topic_actions(org: str) -> dict[str, str | None]:
    data = yaml.safe_load((ROOT / "orgs" / org / "faq.yaml").read_text(encoding="utf-8"))
    return {t["id"]: t.get("action") for t in data["topics"]}


def training(org: str, *, borrowed: bool = True) -> list[str]:
    """The phrasings the association's index is built from: its own, and those it borrows from
    the other shipped packs for the same topics (bot/faq/phrasebook.py), which answer questions
    just as its own do, so a held-out question close to one of them is no longer held out."""
    data = yaml.safe_load((ROOT / "orgs" / org / "faq.yaml").read_text(encoding="utf-8"))
    own = [q for t in data["topics"] for q in t.get("questions") or []]
    if not borrowed:
        return own
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bot.faq.index import Doc
    from bot.faq.phrasebook import borrowed_docs

    ids = [t["id"] for t in data["topics"]]
    docs = [Doc(t["id"], q) for t in data["topics"] for q in t.get("questions") or []]
    return own + [d.text for d in borrowed_docs(org, ids, docs)]


def item(org: str, topic: str, register: str, q: str, actions: dict[str, str | None]) -> dict:
    if topic == "oos":
        return {"org": org, "q": q, "accept": OOS, "topic": None, "register": register, "scope": "oos"}
    if topic in ("menu", "handoff", "flow"):  # an expected kind rather than a topic
        return {"org": org, "q": q, "accept": [topic], "topic": None, "expect_kind": topic, "register": register,
                "scope": "in"}
    if topic not in actions:
        raise SystemExit(f"{org}: unknown topic {topic!r} for {q!r}")
    out: dict = {"org": org, "q": q}
    action = actions[topic]
    if topic == "talk_to_officer":
        out["accept"] = ["handoff"]
    elif org == "taheel" and topic in TAHEEL_SILENT:
        out["accept"], out["markers"] = ["answer", "handoff", "fallback"], SILENT
    else:
        if action and action.startswith("flow:"):
            out["accept"] = ["answer", "flow"]
        elif action == "handoff" or topic == "referral_officer":
            out["accept"] = ["answer", "handoff"]
        else:
            out["accept"] = ["answer"]
        markers = {"support_conditions": SUPPORT, "quality_culture": QUALITY}.get(topic)
        if markers is None:
            markers = _base.default_markers(org, topic)
        if topic == "policy_approval" and org in _base.APPROVAL_DATE and any(
                w in q for w in ("متى", "when", "date", "mata", "تاريخ")):
            markers = _base.APPROVAL_DATE[org]
        out["markers"] = markers
        if topic == "contact_channels" and markers is _base.CHANNELS:
            out["min_groups"] = 3
    out.update({"topic": topic, "register": register, "scope": "in"})
    return out


FIRST = HERE / "heldout.jsonl"
SECOND = HERE / "heldout_b.jsonl"
THIRD = HERE / "heldout_c.jsonl"
FOURTH = HERE / "heldout_d.jsonl"
#: the held-out sets in the order they were written: each later one repeats none of the earlier
HELD = (FIRST, SECOND, THIRD, FOURTH)
DEV = HERE / "dev.jsonl"
#: development sets (tuning allowed): a held-out set written later must not repeat them either
DEVS = (DEV, HERE / "dev2.jsonl", HERE / "dev3.jsonl", HERE / "dev4.jsonl", HERE / "dev5.jsonl")


def questions(path: Path) -> list[str]:
    """The ``q`` of every line of a JSON Lines question set."""
    return [json.loads(x)["q"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared-dev", default=str(ROOT.parent / "shared/eval/faq_dev.jsonl"))
    ap.add_argument("--src", default=str(HERE / "heldout_src"), help="directory of <slug>.txt sources")
    ap.add_argument("--out", default=str(FIRST), help="the .jsonl to write")
    args = ap.parse_args(argv)
    src, out = Path(args.src), Path(args.out)
    others = questions(HERE / "faq_eval.jsonl")
    dev = Path(args.shared_dev)
    if dev.exists():
        others += questions(dev)
    else:
        print(f"note: {dev} not found; overlap checked against faq_eval.jsonl only", file=sys.stderr)
    # a held-out set repeats no earlier held-out set (the third, written after the first two
    # development sets, none of those either; the fourth, written after all five, none of them); a
    # development set repeats no held-out set (tuning on it would tune on them) and no earlier one
    held, devs, target = [h.resolve() for h in HELD], [d.resolve() for d in DEVS], out.resolve()
    if target in held:
        k = held.index(target)
        earlier, dev_before = held[:k], (devs[:2] if k == 2 else devs if k >= 3 else [])
    else:
        earlier, dev_before = held, devs[: devs.index(target)] if target in devs else devs
    first = [q for h in earlier if h.exists() for q in questions(h)]
    others += [q for d in dev_before if d.exists() for q in questions(d)]
    items: list[dict] = []
    dropped: list[str] = []
    kept_norm: list[str] = []
    other_norm = [norm(o) for o in others]
    first_norm = [norm(o) for o in first]
    for org in ORGS:
        actions = topic_actions(org)
        train_norm = [norm(t) for t in training(org)]
        for line in (src / f"{org}.txt").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            topic, register, q = (p.strip() for p in line.split("|", 2))
            n = norm(q)
            for pool, name in ((other_norm, "eval sets"), (first_norm, "held-out sets"), (train_norm, "training"),
                               (kept_norm, "itself")):
                best = max((fuzz.ratio(n, o) for o in pool), default=0)
                if best >= NEAR:
                    dropped.append(f"{org}: {q!r} ~ {name} ({best:.0f})")
                    break
            else:
                kept_norm.append(n)
                items.append(item(org, topic, register, q, actions))
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    for d in dropped:
        print("dropped", d)
    print(f"wrote {len(items)} questions to {out.name}; dropped {len(dropped)} near-duplicates (>= {NEAR})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
