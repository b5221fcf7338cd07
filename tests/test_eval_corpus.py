"""The evaluation corpus of issue 13 is well-formed: structure only, never scores.

Why: ``make eval`` measures the understanding of messages against these files; a malformed
scenario or a held-out set that lost its required mix would silently shrink the yardstick.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests/eval")]

from build_heldout import norm, training  # noqa: E402
from eval_format import (  # noqa: E402
    ORGS,
    FormatError,
    Observed,
    check,
    load_scenarios,
    parse_file,
    reply_lang,
    subst,
)

from bot.importer.faq_builder import template_phrasings  # noqa: E402

HELDOUT = ROOT / "tests/eval/heldout.jsonl"
#: the held-out FAQ sets: the first (issue 13), the blind second one, and blind third and fourth ones
#: written later by other writers, held to the same rules
HELDOUT_SETS = {"heldout": HELDOUT, "heldout_b": ROOT / "tests/eval/heldout_b.jsonl",
                "heldout_c": ROOT / "tests/eval/heldout_c.jsonl", "heldout_d": ROOT / "tests/eval/heldout_d.jsonl"}
#: least size, and least out-of-scope questions per association, each set was built with: the first
#: two are issue 13's evidence (>= 400, >= 15); the third lost more lines to the near-duplicate check
#: against the five sets written before it (453 written); the fourth was topped up to >= 400 after its
#: near-duplicates were dropped
HELDOUT_MIN = {"heldout": (400, 15), "heldout_b": (400, 15), "heldout_c": (380, 9), "heldout_d": (400, 15)}
#: topics a set leaves unasked on purpose: the fourth set's writers asked only what the policy text
#: itself supports, and judged before any scoring that these policies do not (Ta'heel's names no
#: committee, period, approval, data update or follow-up; Ratel's no data update; Ilm Alhajj's says
#: nothing of its activities beyond its aims), or, for Ratel's purpose, simply did not ask it
UNASKED = {"heldout_d": {"taheel": {"data_update", "decision_period", "policy_approval", "request_status",
                                    "reviewing_committee"},
                         "ilm-alhajj": {"detailed_goals"}, "ratel": {"data_update", "policy_purpose"}}}
OOS = ["fallback", "handoff", "menu"]


@pytest.fixture(scope="module")
def scenarios():  # type: ignore[no-untyped-def]
    return load_scenarios()


@pytest.fixture(scope="module", params=sorted(HELDOUT_SETS))
def heldout_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def heldout_path(heldout_name: str) -> Path:
    return HELDOUT_SETS[heldout_name]


@pytest.fixture(scope="module")
def heldout(heldout_path: Path) -> list[dict]:
    return [json.loads(line) for line in heldout_path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_at_least_150_scenarios_in_every_association(scenarios) -> None:  # type: ignore[no-untyped-def]
    assert len(scenarios) >= 150
    per_org = Counter(s.org for s in scenarios)
    assert set(per_org) == set(ORGS)
    assert min(per_org.values()) >= 20


def test_at_least_150_distinct_scenarios_before_expansion(scenarios) -> None:  # type: ignore[no-untyped-def]
    """A scenario listed for several associations counts once here: the corpus is not padded by copies."""
    assert len({s.id.split("@")[0] for s in scenarios}) >= 150


def test_every_issue_item_tagged_five_times(scenarios) -> None:  # type: ignore[no-untyped-def]
    per_item = Counter(i for s in scenarios for i in s.items)
    assert {i: per_item[i] for i in range(1, 13) if per_item[i] < 5} == {}


def test_items_that_apply_everywhere_cover_every_association(scenarios) -> None:  # type: ignore[no-untyped-def]
    seen = {(i, s.org) for s in scenarios for i in s.items}
    for item in range(1, 13):
        assert {o for o in ORGS if (item, o) not in seen} == set(), f"item {item}"


def test_turns_carry_expectations(scenarios) -> None:  # type: ignore[no-untyped-def]
    for s in scenarios:
        assert any(t.get("expect") for t in s.turns), s.id


def test_captured_variables_are_defined_before_use(scenarios) -> None:  # type: ignore[no-untyped-def]
    for s in scenarios:
        defined: set[str] = set()
        for turn in s.turns:
            used = set(json.dumps({k: v for k, v in turn.items() if k != "capture"}, ensure_ascii=False)
                       .replace("}", "{").split("{")[1::2])
            names = {u.split("|")[0] for u in used if u and u.split("|")[0].isidentifier()}
            assert names <= defined, f"{s.id}: {names - defined} used before capture"
            defined |= set(turn.get("capture") or {})


def test_a_malformed_scenario_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"scenarios": [{"id": "x", "org": "amass", "items": [13],
                                                  "turns": [{"say": "hi"}]}]}), encoding="utf-8")
    with pytest.raises(FormatError):
        parse_file(bad)
    bad.write_text(yaml.safe_dump({"scenarios": [{"id": "x", "org": "amass", "items": [1],
                                                  "turns": [{"say": "hi", "expect": {"colour": "red"}}]}]}),
                   encoding="utf-8")
    with pytest.raises(FormatError):
        parse_file(bad)


def test_checks_pass_and_fail_as_written() -> None:
    replies = [{"text": "وعليكم السلام، حالة الطلب AMS-26-00002: تم الاستلام", "kind": "answer", "buttons": [],
                "expect": None}]
    assert check({"has": ["وعليكم السلام", "AMS-26-00002"], "lang": "ar", "kind": "answer"},
                 Observed(replies, status="bot")) == []
    assert len(check({"has": ["937"], "handoff": True, "lang": "en"}, Observed(replies, status="bot"))) == 3
    assert reply_lang("طلبك رقم AMS-26-00002 PDF جاهز") == "ar"
    assert reply_lang("Your request AMS-26-00002 is ready") == "en"
    assert subst("حالة {ref|short} {ref|indic}", {"ref": "AMS-26-00002"}) == "حالة ams 26 2 AMS-٢٦-٠٠٠٠٢"


def test_heldout_size_and_mix(heldout: list[dict], heldout_name: str) -> None:
    least, least_oos = HELDOUT_MIN[heldout_name]
    assert len(heldout) >= least
    registers = Counter(i["register"] for i in heldout)
    assert registers["arabizi"] >= 40
    assert registers["english"] >= 60
    oos = Counter(i["org"] for i in heldout if i["accept"] == OOS)
    assert {o: oos[o] for o in ORGS if oos[o] < least_oos} == {}


def test_heldout_format_matches_the_shared_scorer(heldout: list[dict]) -> None:
    for it in heldout:
        assert it["org"] in ORGS and it["q"].strip()
        assert set(it["accept"]) <= {"answer", "suggest", "handoff", "flow", "menu", "fallback"}
        if it["accept"] == OOS:
            assert it["topic"] is None and it["scope"] == "oos"
        else:
            assert it["topic"] or it.get("expect_kind") in ("menu", "handoff", "flow"), it["q"]
        for group in it.get("markers") or []:
            assert group and all(isinstance(m, str) and m for m in group)
        assert it.get("min_groups", 1) <= max(1, len(it.get("markers") or []))


def test_heldout_covers_every_topic_of_every_pack(heldout: list[dict], heldout_name: str) -> None:
    for org in ORGS:
        topics = {t["id"] for t in yaml.safe_load((ROOT / "orgs" / org / "faq.yaml").read_text())["topics"]}
        asked = {i["topic"] for i in heldout if i["org"] == org}
        assert topics - asked == UNASKED.get(heldout_name, {}).get(org, set()), org
        assert asked - {None} <= topics, org


def test_heldout_is_not_the_other_sets(heldout: list[dict], heldout_path: Path) -> None:
    others = [json.loads(x)["q"] for x in (ROOT / "tests/eval/faq_eval.jsonl").read_text(encoding="utf-8").splitlines()]
    dev = ROOT.parent / "shared/eval/faq_dev.jsonl"
    if dev.exists():
        others += [json.loads(x)["q"] for x in dev.read_text(encoding="utf-8").splitlines() if x.strip()]
    if heldout_path != HELDOUT:  # a later held-out set does not repeat the first one either
        others += [json.loads(x)["q"] for x in HELDOUT.read_text(encoding="utf-8").splitlines() if x.strip()]
    pool = [norm(o) for o in others]
    near = [it["q"] for it in heldout if max(fuzz.ratio(norm(it["q"]), o) for o in pool) >= 90]
    assert near == []
    mine = [norm(it["q"]) for it in heldout]
    twins = [a for n, a in enumerate(mine) if any(fuzz.ratio(a, b) >= 90 for b in mine[:n])]
    assert twins == []


def template_made(org: str) -> list[str]:
    """The phrasings ``sila orgs import`` would give this association (bot/importer/faq_templates.yaml
    filled with its names): an imported pack is scored on the same sets, so they must not leak either."""
    pack = yaml.safe_load((ROOT / "orgs" / org / "pack.yaml").read_text(encoding="utf-8"))
    fill = {"short": pack["short_name"]["ar"], "short_en": pack["short_name"]["en"],
            "officer": pack["referral_officer"]["ar"], "officer_en": pack["referral_officer"]["en"]}
    if pack.get("committee"):
        fill |= {"committee": pack["committee"]["ar"], "committee_en": pack["committee"]["en"]}
    return template_phrasings(fill)


def _near_phrasings(items: list[dict], *, borrowed: bool = True) -> list[tuple[str, str, int]]:
    """(org, training phrasing, ratio) for each question of ``items`` that a phrasing of its own
    association's pack (with ``borrowed``, also one it borrows from the other packs), or one the
    importer's templates make for it, comes within ratio 90 of. The
    phrasing is what is shown, never the question, so a failure can be fixed without reading a
    held-out line."""
    near = []
    for org in ORGS:
        phrasings = training(org, borrowed=borrowed) + template_made(org)
        pool = [norm(t) for t in phrasings]
        for it in items:
            if it["org"] == org:
                best, at = max(((fuzz.ratio(norm(it["q"]), t), k) for k, t in enumerate(pool)), default=(0, -1))
                if best >= 90:
                    near.append((org, phrasings[at], round(best)))
    return near


def test_a_template_made_phrasing_counts_as_a_leak() -> None:
    """The leak checks see what the importer writes, not only the packs of orgs/."""
    made = next(q for q in template_made("amass") if q not in training("amass"))
    assert [(o, p) for o, p, _ in _near_phrasings([{"org": "amass", "q": made + "؟"}])] == [("amass", made)]


def test_heldout_questions_never_become_training_phrasings(heldout: list[dict]) -> None:
    """A phrasing added to a pack's ``faq.yaml`` that is (nearly) a held-out question turns that
    question into a training one and inflates the score; the builder drops such questions when
    the set is rebuilt, and this test says so the moment a pack edit makes one leak."""
    leaks = _near_phrasings(heldout)
    assert leaks == [], "reword or drop these pack phrasings (do not look the held-out line up)"


DEV = ROOT / "tests/eval/dev.jsonl"
#: the development sets (tuning allowed) and the least size each was built with: the first, and a
#: second one written in styles the first lacks (personal situations, indirect and double questions,
#: two-word queries, formal letters)
DEV_SETS = {"dev": (DEV, 400), "dev2": (ROOT / "tests/eval/dev2.jsonl", 300),
            # a third, written on 6 Dec 2026 from the policies by writers blind to the packs
            "dev3": (ROOT / "tests/eval/dev3.jsonl", 400),
            # a fourth, the same evening, asking in everyday words rather than the policy's terms
            "dev4": (ROOT / "tests/eval/dev4.jsonl", 380),
            # a fifth: the procedure as a beneficiary lives it, short typo-laden and Arabizi messages
            "dev5": (ROOT / "tests/eval/dev5.jsonl", 370)}


@pytest.fixture(scope="module", params=sorted(DEV_SETS))
def dev_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def dev(dev_name: str) -> list[dict]:
    path = DEV_SETS[dev_name][0]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_set_is_well_formed_and_apart_from_the_held_out_sets(dev: list[dict], dev_name: str) -> None:
    """A development set is scored the same way, and never repeats a held-out question (tuning
    on it would then tune on the held-out set)."""
    test_heldout_format_matches_the_shared_scorer(dev)
    assert len(dev) >= DEV_SETS[dev_name][1]
    held = [json.loads(x)["q"] for path in HELDOUT_SETS.values()
            for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    pool = [norm(h) for h in held]
    assert [it["q"] for it in dev if max(fuzz.ratio(norm(it["q"]), h) for h in pool) >= 90] == []


def test_a_later_dev_set_asks_new_questions() -> None:
    """A later development set is there to show what the first no longer does: repeating one of
    its questions would only measure the first set again."""
    pool = [norm(json.loads(x)["q"]) for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    later = [path for path, _ in DEV_SETS.values() if path != DEV]
    assert later
    for path in later:
        qs = [json.loads(x)["q"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        assert [q for q in qs if max(fuzz.ratio(norm(q), p) for p in pool) >= 90] == [], path.name


def test_dev_questions_are_not_pasted_into_the_packs(dev: list[dict]) -> None:
    """A development set is meant for tuning, but a fix is a topic's own new phrasing of a way of
    asking, not the dev question itself: pasted in, the question would measure nothing."""
    # judged pack by pack: a phrasing written for one association from its own dev question is
    # that pack's rewording, even when another association borrows it (a held-out set is judged
    # against the borrowed phrasings too, since they answer its questions)
    assert _near_phrasings(dev, borrowed=False) == [], "reword these pack phrasings: they copy a dev question"
