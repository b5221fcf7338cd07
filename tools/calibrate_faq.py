"""Choose the matcher's channel weights and the abstention thresholds by cross-validation.

    python -m tools.calibrate_faq [--folds 10] [--eval DEV.jsonl ...] [--write]

Each association's topic phrasings are split into folds per topic; the held-out phrasings (as
written, with typos, and re-typed as Arabizi) are asked against an index built from the rest.
Out-of-scope examples (out_of_scope.yaml) are held out by whole category, so the abstention is
tested on subjects it has never seen. ``--eval`` adds development sets of real questions
(tests/eval/faq_eval.jsonl, tests/eval/dev.jsonl; never a held-out set), asked against the full
packs and counted ``--eval-weight`` times each: phrasings held out of a pack resemble their
siblings more than beneficiaries' questions do, so real questions keep the cut-offs honest.
The cut-offs are chosen as :func:`bot.faq.decide.classify` uses them, including the "clear
lead" rule. ``--write`` stores the result in thresholds.json, which the index loads.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from bot.faq.decide import LEAD_RATIO, Decision, classify, decide_traced
from bot.faq.index import CHANNELS, TOPIC_CHANNELS, Doc, Match, query_variants
from bot.faq.intents import detect_intent
from bot.faq.lang import detect_language
from bot.faq.org import OrgFaq, build_org, oos_data
from bot.faq.thresholds import FEATURES, Thresholds, features
from bot.packs import LoadedPack, load_all
from tools.augment import to_arabizi, with_typos

ARABIC = range(0x0600, 0x0700)


@dataclass
class Group:
    """Held-out questions asked against one fold's index, as arrays (weights applied later)."""

    org: OrgFaq
    #: how much each of its questions counts (real questions from ``--eval`` count more)
    weight: float = 1.0
    gold: list[str | None] = field(default_factory=list)  # None: out of scope
    register: list[str] = field(default_factory=list)
    coverage: list[float] = field(default_factory=list)
    n_tokens: list[int] = field(default_factory=list)
    rf_topic: list[str | None] = field(default_factory=list)  # rapidfuzz WRatio alone
    docs: list[np.ndarray] = field(default_factory=list)  # (n_docs, channels)
    topics: list[np.ndarray] = field(default_factory=list)  # (n_topics, topic channels)
    raw_docs: list[np.ndarray] = field(default_factory=list)  # Arabizi without transliteration
    raw_topics: list[np.ndarray] = field(default_factory=list)

    def add(self, gold: str | None, reg: str, q: str) -> None:
        variants = query_variants(q)
        if not variants or detect_intent(variants):
            return  # intents are decided before the matcher; not its job
        ix = self.org.index
        inside = [i for i, d in enumerate(ix.docs) if not d.oos]
        hit = process.extractOne(variants[0], [ix.norm[i] for i in inside], scorer=fuzz.WRatio, processor=None)
        self.rf_topic.append(ix.docs[inside[hit[2]]].topic if hit else None)
        cov, n_tok = max(ix.coverage(v) for v in variants)
        for dst_d, dst_t, vs in ((self.docs, self.topics, variants), (self.raw_docs, self.raw_topics, variants[:1])):
            d = ix.doc_channels(vs, all_channels=True)
            t = ix.topic_level(vs)
            dst_d.append(np.stack([d[c] for c in CHANNELS], axis=1).astype(np.float32))
            dst_t.append(np.stack([t[c] for c in TOPIC_CHANNELS], axis=1).astype(np.float32))
        self.gold.append(gold)
        self.register.append(reg)
        self.coverage.append(cov)
        self.n_tokens.append(n_tok)

    def freeze(self) -> None:
        self.D, self.T = np.stack(self.docs), np.stack(self.topics)
        self.RD, self.RT = np.stack(self.raw_docs), np.stack(self.raw_topics)
        self.docs, self.topics, self.raw_docs, self.raw_topics = [], [], [], []
        ix = self.org.index
        pos = {t: i for i, t in enumerate(ix.topic_ids) if not ix.topic_oos[i]}
        self.gold_idx = np.array([pos[g] if g else -1 for g in self.gold])

    def scores(self, w: np.ndarray, raw: bool = False) -> np.ndarray:
        """(questions, topics) combined scores for weights ``w`` over CHANNELS + TOPIC_CHANNELS."""
        d, t = (self.RD, self.RT) if raw else (self.D, self.T)
        k = len(CHANNELS)
        per_doc = d @ w[:k].astype(np.float32)
        return np.maximum.reduceat(per_doc, self.org.index._starts, axis=1) + t @ w[k:].astype(np.float32)

    def matches(self, w: np.ndarray) -> list[Match]:
        ix = self.org.index
        sc = self.scores(w).astype(np.float64)
        mask = ix._oos_mask
        inside = np.flatnonzero(~mask)
        oos = np.flatnonzero(mask)
        per_topic = np.maximum.reduceat(self.D, ix._starts, axis=1)  # (questions, topics, channels)
        out = []
        for r in range(len(sc)):
            row = sc[r]
            order = inside[np.argsort(-row[inside], kind="stable")][:5]
            chans = {c: tuple(float(v) for v in per_topic[r, order, j]) for j, c in enumerate(CHANNELS)}
            out.append(Match(
                tuple(ix.topic_ids[i] for i in order), tuple(float(row[i]) for i in order), None,
                float(row[oos].max()) if len(oos) else 0.0, self.coverage[r], self.n_tokens[r], chans,
            ))  # fmt: skip
        return out


def _register(q: str) -> str:
    if any(ord(c) in ARABIC for c in q):
        return "ar"
    return "en" if detect_language(q) == "en" else "arabizi"


def _queries(q: str, rng: random.Random) -> list[tuple[str, str]]:
    reg = _register(q)
    out = [(reg, q)]
    if reg == "ar":
        out += [("typo", with_typos(q, rng, edits=rng.choice((1, 2)))), ("arabizi_syn", to_arabizi(q, rng))]
    elif reg == "en":
        out.append(("typo", with_typos(q, rng)))
    return out


def _oos_categories() -> dict[str, list[str]]:
    data = oos_data()
    cats = {f"oos:{k}": list(v["phrases"]) for k, v in data["programmes"].items()}
    cats.update({f"oos:{k}": list(v) for k, v in data["chitchat"].items()})
    return cats


def collect(packs: dict[str, LoadedPack], folds: int, seed: int = 7) -> list[Group]:
    rng = random.Random(seed)
    cats = _oos_categories()
    names = sorted(cats)
    rng.shuffle(names)
    cat_fold = {c: i % folds for i, c in enumerate(names)}
    groups: list[Group] = []
    for slug, pack in packs.items():
        split = {}
        for t in pack.faq.topics:
            idx = list(range(len(t.questions)))
            rng.shuffle(idx)
            split[t.id] = {i: k % folds for k, i in enumerate(idx)}
        for f in range(folds):
            train = [
                t.model_copy(update={"questions": [q for i, q in enumerate(t.questions) if split[t.id][i] != f]})
                for t in pack.faq.topics
            ]
            oos_train = [Doc(c, q, oos=True) for c in names if cat_fold[c] != f for q in cats[c]]
            g = Group(build_org(pack, thresholds=Thresholds(), topics=train, extra_docs=oos_train, borrow=False))
            for t in pack.faq.topics:
                for i, q in enumerate(t.questions):
                    if split[t.id][i] == f:
                        for reg, qq in _queries(q, rng):
                            g.add(t.id, reg, qq)
            for c in names:
                if cat_fold[c] == f:
                    for q in cats[c]:
                        for reg, qq in _queries(q, rng):
                            g.add(None, "oos_" + reg, qq)
            g.freeze()
            groups.append(g)
        print(f"  {slug}: {sum(len(g.gold) for g in groups)} questions so far", flush=True)
    return groups


def collect_eval(packs: dict[str, LoadedPack], paths: list[str], weight: float) -> list[Group]:
    """Questions of development sets, asked against each full pack: in-scope ones whose expected
    topic is a pack topic, and out-of-scope ones (intents are skipped by :meth:`Group.add`)."""
    by_org: dict[str, Group] = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        for r in rows:
            pack = packs.get(r["org"])
            if pack is None:
                continue
            accept = set(r["accept"])
            topics = {t.id for t in pack.faq.topics}
            if r.get("topic") in topics and accept & {"answer", "flow"}:
                gold: str | None = r["topic"]
            elif r.get("topic") is None and not accept & {"answer", "flow"} and "fallback" in accept:
                gold = None
            else:
                continue
            g = by_org.get(r["org"])
            if g is None:
                g = by_org[r["org"]] = Group(build_org(pack, thresholds=Thresholds()), weight=weight)
            if decide_traced(g.org, r["q"])[1] is None:
                continue  # decided before the matcher (an intent, an outside programme or body)
            g.add(gold, ("eval_" if gold else "oos_eval_") + str(r.get("register", "")), r["q"])
    for g in by_org.values():
        g.freeze()
    print(f"  development sets: {sum(len(g.gold) for g in by_org.values())} questions (weight {weight})")
    return list(by_org.values())


def topk(groups: list[Group], w: np.ndarray, k: int = 1, reg: str | None = None, raw: bool = False) -> float:
    ok = n = 0.0
    for g in groups:
        sel = g.gold_idx >= 0
        if reg is not None:
            sel &= np.array([r == reg for r in g.register])
        if not sel.any():
            continue
        sc = g.scores(w, raw)[sel]
        sc[:, g.org.index._oos_mask] = -np.inf
        best = np.argsort(-sc, axis=1)[:, :k]
        ok += g.weight * int((best == g.gold_idx[sel][:, None]).any(axis=1).sum())
        n += g.weight * int(sel.sum())
    return ok / max(1.0, n)


def search_weights(groups: list[Group], step: float = 0.1) -> np.ndarray:
    """Grid over the simplex of channel weights; best held-out top-1 wins (word channel fixed 0
    unless it helps: it is searched too but on a coarser grid)."""
    names = [*CHANNELS, *TOPIC_CHANNELS]
    best, best_acc = np.eye(len(names))[0], -1.0
    n = round(1 / step)
    free = [i for i, c in enumerate(names) if c != "word"]
    for word in (0, 1):
        for combo in itertools.product(range(n + 1), repeat=len(free) - 1):
            rest = n - word - sum(combo)
            if rest < 0:
                continue
            w = np.zeros(len(names))
            w[free] = [*combo, rest]
            w[names.index("word")] = word
            w /= n
            acc = topk(groups, w)
            if acc > best_acc + 1e-9:
                best, best_acc = w, acc
    return best


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50, sw: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Plain Newton-Raphson logistic regression with a small ridge penalty (``sw``: sample weights)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    sw = np.ones(len(x)) if sw is None else sw
    beta = np.zeros(xb.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(xb @ beta, -50, 50)))
        grad = xb.T @ (sw * (p - y)) + l2 * np.r_[beta[:-1], 0]
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + l2 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def choose_decisions(
    probs: np.ndarray, correct: np.ndarray, is_oos: np.ndarray, leads: np.ndarray, blocked: np.ndarray,
    sw: np.ndarray, acc_target: float, oos_max: float, suggest_oos_max: float,
) -> tuple[float, float]:  # fmt: skip
    """(p_answer, p_suggest) as :func:`bot.faq.decide.classify` applies them: answered when
    p ≥ p_answer, or p ≥ p_suggest with a clear lead; never when an out-of-scope example scores
    at least the top topic (``blocked``). The pair that answers the most in-scope questions
    rightly plus refuses the most out-of-scope ones (each as a share of its kind, weighted), while
    answered accuracy ≥ ``acc_target`` and the shares of out-of-scope questions answered and
    suggested stay under their limits."""
    grid = np.round(np.arange(0.30, 0.99, 0.01), 2)
    oos_w = max(1e-9, float(sw[is_oos].sum()))
    in_w = max(1e-9, float(sw[~is_oos].sum()))
    best, best_key = (0.98, 0.98), (-1.0, 0.0)
    for pa in grid:
        over_a = (probs >= pa) & ~blocked
        for ps in grid[grid <= pa]:
            over_s = (probs >= ps) & ~blocked
            ans = over_a | (over_s & leads)
            sugg = over_s & ~ans
            aw = float(sw[ans].sum())
            if aw == 0:
                continue
            right = float(sw[ans & correct].sum())
            if right / aw < acc_target:
                continue
            oos_answered = float(sw[ans & is_oos].sum()) / oos_w
            oos_suggested = float(sw[sugg & is_oos].sum()) / oos_w
            if oos_answered > oos_max or oos_suggested > suggest_oos_max:
                continue
            key = (right / in_w + 1.0 - oos_answered - oos_suggested, float(ps))
            if key > best_key:
                best, best_key = (float(pa), float(ps)), key
    return best


def report(groups: list[Group], th: Thresholds) -> dict[str, dict[str, float]]:
    """Decision figures per register, as the decide() pipeline would classify them."""
    w = np.array([th.weights[c] for c in (*CHANNELS, *TOPIC_CHANNELS)])
    rows: dict[str, list[tuple[Decision, str | None]]] = {}
    for g in groups:
        org = OrgFaq(**{**g.org.__dict__, "thresholds": th})
        for m, gold, reg in zip(g.matches(w), g.gold, g.register, strict=True):
            d = classify(org, m, "ar")
            rows.setdefault(reg, []).append((d, gold))
            rows.setdefault("ALL_IN" if gold else "ALL_OOS", []).append((d, gold))
    out: dict[str, dict[str, float]] = {}
    for reg, items in sorted(rows.items()):
        n = len(items)
        answered = [(d, gold) for d, gold in items if d.kind in ("answer", "flow", "handoff")]
        right = sum(1 for d, gold in answered if d.topic_id == gold)
        out[reg] = {
            "n": n,
            "answered": round(len(answered) / n, 4),
            "answered_acc": round(right / max(1, len(answered)), 4),
            "suggested": round(sum(1 for d, _ in items if d.kind == "suggest") / n, 4),
            "refused": round(sum(1 for d, _ in items if d.kind == "fallback") / n, 4),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--write", action="store_true", help="store the result in bot/faq/thresholds.json")
    ap.add_argument("--acc", type=float, default=0.95, help="answered accuracy to reach in CV")
    ap.add_argument("--oos-max", type=float, default=0.04, help="share of OOS examples allowed an answer")
    ap.add_argument("--suggest-oos-max", type=float, default=0.05)
    ap.add_argument("--eval", nargs="*", default=[], help="development sets of real questions (never held-out)")
    ap.add_argument("--eval-weight", type=float, default=10.0, help="how much one real question counts")
    ap.add_argument("--dump", help="save the abstention's inputs (.npz) to study other cut-off rules")
    args = ap.parse_args(argv)
    if any("heldout" in p for p in args.eval):
        ap.error("held-out sets are for scoring only, never for calibration")
    packs = load_all()
    print(f"collecting {args.folds}-fold held-out questions over {len(packs)} packs…", flush=True)
    groups = collect(packs, args.folds)
    if args.eval:
        groups += collect_eval(packs, args.eval, args.eval_weight)
    n_in = sum(int((g.gold_idx >= 0).sum()) for g in groups)
    n_all = sum(len(g.gold) for g in groups)
    print(f"{n_in} in-scope, {n_all - n_in} out-of-scope held-out questions\n")
    names = [*CHANNELS, *TOPIC_CHANNELS]
    regs = sorted({r for g in groups for r, gi in zip(g.register, g.gold_idx, strict=True) if gi >= 0})
    print("matcher top-1 on held-out in-scope questions:  all  " + "  ".join(f"{r:>11}" for r in regs))
    rf_ok = [rt == gold for g in groups for rt, gold in zip(g.rf_topic, g.gold, strict=True) if gold]
    print(f"  {'rapidfuzz WRatio alone':<34} {np.mean(rf_ok):.3f}")

    def line(label: str, w: np.ndarray) -> None:
        per = "  ".join(f"{topk(groups, w, reg=r):>11.3f}" for r in regs)
        print(f"  {label:<34} {topk(groups, w):.3f}  {per}   top-3 {topk(groups, w, 3):.3f}")

    for c in names:
        line(f"{c} alone", np.eye(len(names))[names.index(c)])
    line("phrasing channels (char+skel+fuzz)", np.array([0.5, 0.4, 0, 0.1, 0, 0]))
    line("topic channels (tchar+tskel)", np.array([0, 0, 0, 0, 0.6, 0.4]))
    w = search_weights(groups)
    line("combined, CV-chosen weights", w)
    print(f"  chosen weights: {dict(zip(names, w.round(2).tolist(), strict=True))}")
    az = [g for g in groups]
    print(f"  synthetic Arabizi: with transliteration {topk(az, w, reg='arabizi_syn'):.3f}, "
          f"without {topk(az, w, reg='arabizi_syn', raw=True):.3f}")  # fmt: skip
    ms = [m for g in groups for m in g.matches(w)]
    golds = [gold for g in groups for gold in g.gold]
    x = np.array([features(m) for m in ms])
    correct = np.array(
        [bool(gd) and m.topics[0] == gd and m.top > m.oos_score for m, gd in zip(ms, golds, strict=True)]
    )
    is_oos = np.array([gd is None for gd in golds])
    sw = np.array([g.weight for g in groups for _ in g.gold])
    leads = np.array([len(m.scores) < 2 or m.scores[1] <= LEAD_RATIO * m.scores[0] for m in ms])
    blocked = np.array([m.oos_score >= m.top for m in ms])
    if args.dump:
        regs_all = np.array([r for g in groups for r in g.register])
        np.savez(args.dump, x=x, correct=correct, is_oos=is_oos, sw=sw, leads=leads, blocked=blocked, reg=regs_all)
    coef, bias = fit_logistic(x, correct.astype(float), sw=sw)
    probs = 1 / (1 + np.exp(-(x @ coef + bias)))
    p_answer, p_suggest = choose_decisions(
        probs, correct, is_oos, leads, blocked, sw, args.acc, args.oos_max, args.suggest_oos_max
    )
    print("\nCV trade-off (threshold: answered share of in-scope, answered accuracy, OOS answered):")
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        a = probs >= t
        print(
            f"  p≥{t:.2f}: answered {(a & ~is_oos).sum() / max(1, (~is_oos).sum()):.3f}  "
            f"acc {(a & correct).sum() / max(1, a.sum()):.3f}  OOS {(a & is_oos).sum() / max(1, is_oos.sum()):.3f}"
        )
    print(f"\nlogistic model on {FEATURES}: coef {coef.round(3).tolist()} bias {bias:.3f}")
    print(f"chosen (answered acc ≥ {args.acc}, OOS answered ≤ {args.oos_max}, OOS suggested ≤ "
          f"{args.suggest_oos_max}): p_answer {p_answer:.2f}, p_suggest {p_suggest:.2f}")  # fmt: skip
    weights = dict(zip(names, map(float, w), strict=True))
    th = Thresholds(weights=weights, coef=tuple(map(float, coef)), bias=bias, p_answer=p_answer, p_suggest=p_suggest)
    figures = report(groups, th)
    print("\nCV decisions (matcher only, intents excluded):")
    for reg, f in figures.items():
        print(f"  {reg:<16} n={f['n']:<5} answered {f['answered']:.3f}  acc {f['answered_acc']:.3f}  "
              f"suggested {f['suggested']:.3f}  refused {f['refused']:.3f}")  # fmt: skip
    th = Thresholds(weights=weights, coef=th.coef, bias=bias, p_answer=p_answer, p_suggest=p_suggest,
                    cv={"folds": args.folds, "figures": figures})  # fmt: skip
    if args.write:
        th.save()
        print("\nwrote bot/faq/thresholds.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
