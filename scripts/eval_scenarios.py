#!/usr/bin/env python3
"""Measure how Sila understands people: the multi-turn scenarios of ``tests/eval/scenarios/``
and the held-out FAQ sets (``tests/eval/heldout.jsonl`` by default); figures only.

    .venv/bin/python scripts/eval_scenarios.py [--scenarios DIR] [--heldout FILE ...] [--only ID-SUBSTRING]
                                               [--failures] [--min RATE] [--no-faq]

Why it exists: a fixed yardstick (issue 13) that any change to the understanding of messages is
measured with. Every scenario runs through the real engine in this process, on one SQLite
database in a temporary directory (``wiring.runtime.open_runtime``), so media attachments and
officer actions (``staff:`` steps, through the console's own functions) can be exercised.
The scenario format is documented in ``tests/eval/scenarios/README.md``.

It prints per-item, per-association and total scores, then the held-out FAQ figures scored as
``shared/eval/faq_score.py`` scores (kind accepted and, for an answer, enough marker groups), once
per ``--heldout`` file (the option may be repeated: ``make eval`` scores both held-out sets).
Exit 0 whatever the score (it is a measurement) unless ``--min`` is given and the scenario
pass rate falls below it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import eval_lib  # noqa: E402
from eval_faq import run_heldout  # noqa: E402
from eval_lib import SCENARIO_DIR, Result, load_scenarios, run_scenarios  # noqa: E402

ITEMS = {
    1: "distress / crisis", 2: "references", 3: "language stability", 4: "typed commands",
    5: "main services", 6: "hand-off & waiting", 7: "fields reject non-values", 8: "first messages & small talk",
    9: "medical & complaints", 10: "survey answers", 11: "needs-information replies", 12: "half-filled form",
}


#: the tags summarised on their own line (registers and situations)
TAGS = ("gulf", "msa", "english", "arabizi", "first-message", "mid-form", "waiting", "status-inquiry", "staff")


def pct(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "     –"


def report(results: list[Result], failures: bool) -> float:
    by_item: dict[int, list[Result]] = defaultdict(list)
    by_org: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        for item in r.scenario.items:
            by_item[item].append(r)
        by_org[r.scenario.org].append(r)
    if failures:
        for r in results:
            if not r.passed:
                print(f"FAIL {r.scenario.id} [{r.scenario.org}] items {r.scenario.items}")
                for msg in r.problems[:6]:
                    print(f"    {msg}")
    print("scenarios by issue-13 item (scenarios passed, checks passed):")
    for item in sorted(ITEMS):
        rs = by_item.get(item, [])
        ok = sum(r.passed for r in rs)
        checks = sum(r.checks_ok for r in rs), sum(r.checks for r in rs)
        print(f"  {item:>2} {ITEMS[item]:<26} {ok:>3}/{len(rs):<3} {pct(ok, len(rs))}   checks {pct(*checks)}")
    print("scenarios by association:")
    for org in sorted(by_org):
        rs = by_org[org]
        ok = sum(r.passed for r in rs)
        checks = sum(r.checks_ok for r in rs), sum(r.checks for r in rs)
        print(f"  {org:<12} {ok:>3}/{len(rs):<3} {pct(ok, len(rs))}   checks {pct(*checks)}")
    by_tag: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        for tag in set(r.scenario.tags) & set(TAGS):
            by_tag[tag].append(r)
    print("scenarios by situation: " + ", ".join(
        f"{t} {sum(r.passed for r in by_tag[t])}/{len(by_tag[t])}" for t in TAGS if by_tag.get(t)))
    ok = sum(r.passed for r in results)
    checks = sum(r.checks_ok for r in results), sum(r.checks for r in results)
    errors = sum(r.error is not None for r in results)
    print(f"scenarios: {ok}/{len(results)} passed ({pct(ok, len(results)).strip()}), "
          f"checks {checks[0]}/{checks[1]} ({pct(*checks).strip()}), runner errors {errors}")
    return ok / len(results) if results else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--scenarios", default=str(SCENARIO_DIR))
    ap.add_argument("--heldout", action="append", default=None,
                    help="a held-out FAQ set to score; repeat for several (default tests/eval/heldout.jsonl)")
    ap.add_argument("--only", default="", help="run only scenarios whose id contains this")
    ap.add_argument("--failures", action="store_true", help="print each failing scenario and why")
    ap.add_argument("--show", action="store_true", help="print every step and the replies it got")
    ap.add_argument("--no-faq", action="store_true", help="skip the held-out FAQ set")
    ap.add_argument("--no-scenarios", action="store_true", help="skip the scenarios")
    ap.add_argument("--json", dest="json_out", default="", help="also write per-scenario results here")
    ap.add_argument("--min", type=float, default=None, help="exit 1 if the scenario pass rate is below this")
    args = ap.parse_args(argv)
    rate = 1.0
    eval_lib.SHOW = args.show
    if not args.no_scenarios:
        scenarios = [s for s in load_scenarios(Path(args.scenarios)) if args.only in s.id]
        with tempfile.TemporaryDirectory(prefix="sila-eval-") as tmp:
            results = asyncio.run(run_scenarios(scenarios, Path(tmp)))
        rate = report(results, args.failures)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(
                [{"id": r.scenario.id, "org": r.scenario.org, "items": r.scenario.items, "passed": r.passed,
                  "checks": r.checks, "checks_ok": r.checks_ok, "problems": r.problems} for r in results],
                ensure_ascii=False, indent=1), encoding="utf-8")
    for heldout in [] if args.no_faq else args.heldout or [str(ROOT / "tests/eval/heldout.jsonl")]:
        if Path(heldout).exists():
            with tempfile.TemporaryDirectory(prefix="sila-eval-faq-") as tmp:
                run_heldout(Path(heldout), Path(tmp), failures=args.failures)
    if args.min is not None and rate < args.min:
        print(f"scenario pass rate {rate:.3f} is below --min {args.min}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
