"""The scenario runner can tell a held expectation from a broken one (its own yardstick).

Why: ``make eval`` reports scores only; if the runner passed everything (or nothing) whatever the
engine did, the figures would mean nothing. These scenarios rest on behaviour issue 13 does not
change (the request form's first field, the printed reference, an officer's status change).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from eval_lib import load_scenarios, run_scenarios  # noqa: E402

CORPUS = {"scenarios": [
    {"id": "holds", "org": "amass", "items": [2], "turns": [
        {"button": "flow:support_request", "expect": {"field": "full_name", "type": "name", "lang": "ar"}},
        {"fill": "all", "capture": {"ref": r"AMS-\d{2}-\d{5}"}, "expect": {"has": ["{ref}"], "expect_none": True}},
        {"staff": {"action": "needs_info", "comment": "صورة الهوية"}, "expect": {"has": ["{ref}", "صورة الهوية"]}},
    ]},
    {"id": "breaks", "org": "ratel", "items": [7], "turns": [
        {"button": "flow:support_request", "expect": {"field": "national_id", "lang": "en", "has": ["937"]}},
    ]},
]}


def test_runner_passes_what_holds_and_fails_what_does_not(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "t.yaml").write_text(yaml.safe_dump(CORPUS, allow_unicode=True), encoding="utf-8")
    scenarios = load_scenarios(tmp_path / "corpus")
    (db := tmp_path / "db").mkdir()
    results = {r.scenario.id: r for r in asyncio.run(run_scenarios(scenarios, db))}
    assert results["holds"].passed, results["holds"].problems
    assert results["holds"].checks == results["holds"].checks_ok == 7
    broken = results["breaks"]
    assert not broken.passed and broken.error is None
    assert broken.checks == 3 and broken.checks_ok == 0
