"""Where the FAQ matcher's in-scope misses come from, on development sets of real questions.

    python -m tools.faq_failures DEV.jsonl [...] [--without COMMIT ...] [--list]

Each in-scope question (its expected topic is a pack topic and an answer or flow is accepted)
is run through :func:`bot.faq.decide.decide_traced` and counted in one bucket:

- ``right``: answered (or a flow started) on the expected topic, or decided before the matcher
  in a way the set accepts (an unclear procedure handed off);
- ``abstained, top right``: suggested or refused while the matcher's first topic was the expected
  one — an abstention miss (the probability or the cut-offs);
- ``abstained, top in 2-3`` / ``abstained, top wrong``: a ranking miss the abstention caught;
- ``answered wrong``: answered another topic (or started a form) — the costliest miss;
- ``before matcher``: decided otherwise by an intent, an outside programme or a request rule.

Out-of-scope questions (accepting only a refusal) are counted as refused or not.

``--without`` answers against the packs minus the phrasings the given commits added. Why: a
development set's failures get mined into pack phrasings, after which it passes at 96–99% and no
longer shows what fails on new questions; without the commits that mined it (e.g. the one that
added phrasings for the ways of asking the set showed missing) it is a set of new questions
again. Never run this on a blind held-out set.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import yaml

from bot.faq.decide import decide_traced
from bot.faq.org import OrgFaq, build_org
from bot.packs import LoadedPack, load_all

BUCKETS = ("right", "abstained, top right", "abstained, top in 2-3", "abstained, top wrong", "answered wrong",
           "before matcher")  # fmt: skip
OOS = ["fallback", "handoff", "menu"]
ROOT = Path(__file__).resolve().parent.parent


def bucket(org: OrgFaq, q: str, gold: str, accept: set[str]) -> tuple[str, str]:
    """The question's bucket and a one-line trace (decision, p, the top three topics)."""
    d, m = decide_traced(org, q)
    answered = d.kind in ("answer", "flow", "handoff")
    trace = f"{d.kind} p={d.score} top={list(m.topics[:3]) if m else None}"
    if answered and d.topic_id == gold:
        return "right", trace
    if m is None:
        return ("right" if d.kind in accept and d.kind not in ("answer", "flow") else "before matcher"), trace
    if answered:
        return "answered wrong", trace
    if m.topics[:1] == (gold,):
        return "abstained, top right", trace
    if gold in m.topics[:3]:
        return "abstained, top in 2-3", trace
    return "abstained, top wrong", trace


def _phrasings(rev: str, slug: str) -> set[tuple[str, str]]:
    """(topic, phrasing) pairs of an association's pack at ``rev`` (none if it had no pack)."""
    git = shutil.which("git") or "git"
    # the arguments are a commit named on our own command line and a pack slug: no shell, no user input
    run = subprocess.run([git, "-C", str(ROOT), "show", f"{rev}:orgs/{slug}/faq.yaml"],  # noqa: S603
                         capture_output=True, text=True, check=False)  # fmt: skip
    if run.returncode:
        return set()
    data = yaml.safe_load(run.stdout) or {}
    return {(t["id"], q) for t in data.get("topics", []) for q in t.get("questions", [])}


def added_by(commits: list[str], slug: str) -> set[tuple[str, str]]:
    """The phrasings ``commits`` added to an association's pack."""
    out: set[tuple[str, str]] = set()
    for c in commits:
        out |= _phrasings(c, slug) - _phrasings(f"{c}^", slug)
    return out


def org_without(pack: LoadedPack, dropped: set[tuple[str, str]]) -> OrgFaq:
    topics = [t.model_copy(update={"questions": [q for q in t.questions if (t.id, q) not in dropped]})
              for t in pack.faq.topics]  # fmt: skip
    return build_org(pack, topics=topics)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--without", nargs="*", default=[], help="commits whose added phrasings are left out")
    ap.add_argument("--list", action="store_true", help="print each miss")
    args = ap.parse_args(argv)
    if any("heldout_b" in p for p in args.paths):
        ap.error("the blind held-out set is never analysed")
    packs = load_all()
    orgs: dict[str, OrgFaq] = {}
    for path in args.paths:
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        counts: Counter[str] = Counter()
        oos = oos_ok = 0
        for r in rows:
            pack = packs.get(r["org"])
            if pack is None:
                continue
            if r["org"] not in orgs:
                orgs[r["org"]] = org_without(pack, added_by(args.without, r["org"]))
            org = orgs[r["org"]]
            accept = set(r["accept"])
            if r["accept"] == OOS:
                oos += 1
                oos_ok += decide_traced(org, r["q"])[0].kind in accept
                continue
            if r.get("topic") not in org.topics or not accept & {"answer", "flow"}:
                continue
            b, trace = bucket(org, r["q"], r["topic"], accept)
            counts[b] += 1
            if args.list and b != "right":
                print(f"  {b:<22} {r['org']:<10} {r['topic']:<24} {r['q'][:70]!r} -> {trace}")
        print(f"{Path(path).name}: {sum(counts.values())} in scope: " + ", ".join(f"{b} {counts[b]}" for b in BUCKETS)
              + f"; out of scope refused {oos_ok}/{oos}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
