"""Choose the matcher's channel weights and the abstention thresholds by cross-validation.

    python -m bot.faq.calibrate [--folds 5] [--write]

Training data only: each association's topic phrasings are split into folds per topic; the
held-out phrasings (as written, with typos, and re-typed as Arabizi) are asked against an
index built from the rest. Out-of-scope examples (out_of_scope.yaml) are held out by whole
category, so the abstention is tested on subjects it has never seen. Evaluation sets are
never read here. ``--write`` stores the result in thresholds.json, which the index loads.
"""

from __future__ import annotations

import argparse
import itertools
import random
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.faq.augment import to_arabizi, with_typos
from bot.faq.decide import Decision, classify
from bot.faq.index import CHANNELS, Doc, Match, query_variants
from bot.faq.intents import detect_intent
from bot.faq.lang import detect_language
from bot.faq.org import OrgFaq, build_org, oos_data
from bot.faq.thresholds import FEATURES, Thresholds, features
from bot.packs import LoadedPack, load_all

ARABIC = range(0x0600, 0x0700)


@dataclass
class Sample:
    org: OrgFaq
    gold: str | None  # None: out of scope
    register: str
    query: str
    docs: np.ndarray  # (n_docs, channels) per-phrasing scores
    coverage: float
    n_tokens: int
    rf_topic: str | None  # rapidfuzz WRatio alone, best phrasing's topic
    raw_docs: np.ndarray | None = None  # Arabizi without transliteration (ablation)


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


def _sample(org: OrgFaq, gold: str | None, reg: str, q: str) -> Sample | None:
    variants = query_variants(q)
    if not variants or detect_intent(variants):
        return None  # intents are decided before the matcher; not its job
    ix = org.index
    chans = ix.doc_channels(variants)
    docs = np.stack([chans[c] for c in CHANNELS], axis=1).astype(np.float32)
    cov, n_tok = max(ix.coverage(v) for v in variants)
    hit = process.extractOne(variants[0], ix.norm, scorer=fuzz.WRatio, processor=None)
    rf = ix.docs[hit[2]].topic if hit else None
    raw = None
    if len(variants) > 1:
        rc = ix.doc_channels(variants[:1])
        raw = np.stack([rc[c] for c in CHANNELS], axis=1).astype(np.float32)
    return Sample(org, gold, reg, q, docs, cov, n_tok, rf, raw)


def collect(packs: dict[str, LoadedPack], folds: int, seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    cats = _oos_categories()
    names = sorted(cats)
    rng.shuffle(names)
    cat_fold = {c: i % folds for i, c in enumerate(names)}
    samples: list[Sample] = []
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
            org = build_org(pack, thresholds=Thresholds(), topics=train, extra_docs=oos_train)
            for t in pack.faq.topics:
                for i, q in enumerate(t.questions):
                    if split[t.id][i] == f:
                        for reg, qq in _queries(q, rng):
                            s = _sample(org, t.id, reg, qq)
                            if s:
                                samples.append(s)
            for c in names:
                if cat_fold[c] == f:
                    for q in cats[c]:
                        for reg, qq in _queries(q, rng):
                            s = _sample(org, None, "oos_" + reg, qq)
                            if s:
                                samples.append(s)
        print(f"  {slug}: collected, {len(samples)} samples so far", flush=True)
    return samples


def match_of(s: Sample, w: np.ndarray, docs: np.ndarray | None = None) -> Match:
    ix = s.org.index
    total = (s.docs if docs is None else docs) @ w
    scores = np.maximum.reduceat(total.astype(np.float64), ix._starts)
    mask = ix._oos_mask
    inside = np.flatnonzero(~mask)
    order = inside[np.argsort(-scores[inside], kind="stable")][:5]
    oos = np.flatnonzero(mask)
    oos_score = float(scores[oos].max()) if len(oos) else 0.0
    return Match(
        tuple(ix.topic_ids[i] for i in order), tuple(float(scores[i]) for i in order),
        None, oos_score, s.coverage, s.n_tokens,
    )  # fmt: skip


def top1(samples: list[Sample], w: np.ndarray, k: int = 1) -> float:
    ins = [s for s in samples if s.gold]
    ok = sum(1 for s in ins if s.gold in match_of(s, w).topics[:k])
    return ok / max(1, len(ins))


def search_weights(samples: list[Sample], step: float = 0.1) -> np.ndarray:
    ins = [s for s in samples if s.gold]
    best, best_acc = np.array([1.0, 0, 0, 0]), -1.0
    n = round(1 / step)
    for combo in itertools.product(range(n + 1), repeat=len(CHANNELS) - 1):
        if sum(combo) > n:
            continue
        w = np.array([*combo, n - sum(combo)], dtype=np.float64) / n
        acc = top1(ins, w)
        if acc > best_acc + 1e-9:
            best, best_acc = w, acc
    return best


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50) -> tuple[np.ndarray, float]:
    """Plain Newton-Raphson logistic regression with a small ridge penalty."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(xb.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(xb @ beta, -50, 50)))
        grad = xb.T @ (p - y) + l2 * np.r_[beta[:-1], 0]
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + l2 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def choose(probs: np.ndarray, correct: np.ndarray, is_oos: np.ndarray, acc_target: float, oos_max: float,
           suggest_oos_max: float) -> tuple[float, float]:  # fmt: skip
    grid = np.round(np.arange(0.05, 0.99, 0.01), 2)
    p_answer = 0.98
    for t in grid:
        ans = probs >= t
        acc = (ans & correct).sum() / max(1, ans.sum())
        if acc >= acc_target and (ans & is_oos).sum() / max(1, is_oos.sum()) <= oos_max:
            p_answer = float(t)
            break
    p_suggest = p_answer
    for t in grid[::-1]:
        if t > p_answer:
            continue
        if ((probs >= t) & is_oos).sum() / max(1, is_oos.sum()) <= suggest_oos_max:
            p_suggest = float(t)
    return p_answer, p_suggest


def report(samples: list[Sample], th: Thresholds) -> dict[str, dict[str, float]]:
    """Decision figures per register, as the decide() pipeline would classify them."""
    w = np.array([th.weights[c] for c in CHANNELS])
    rows: dict[str, list[tuple[Decision, Sample]]] = {}
    for s in samples:
        d = classify(s.org, match_of(s, w), "ar")
        rows.setdefault(s.register, []).append((d, s))
        rows.setdefault("ALL_IN" if s.gold else "ALL_OOS", []).append((d, s))
    out: dict[str, dict[str, float]] = {}
    for reg, items in sorted(rows.items()):
        n = len(items)
        answered = [(d, s) for d, s in items if d.kind in ("answer", "flow", "handoff")]
        right = sum(1 for d, s in answered if d.topic_id == s.gold)
        refused = sum(1 for d, _ in items if d.kind == "fallback")
        out[reg] = {
            "n": n,
            "answered": len(answered) / n,
            "answered_acc": right / max(1, len(answered)),
            "refused": refused / n,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="store the result in bot/faq/thresholds.json")
    ap.add_argument("--acc", type=float, default=0.97, help="answered accuracy to reach in CV")
    ap.add_argument("--oos-max", type=float, default=0.02, help="share of OOS examples allowed an answer")
    ap.add_argument("--suggest-oos-max", type=float, default=0.05)
    args = ap.parse_args(argv)
    packs = load_all()
    print(f"collecting {args.folds}-fold samples over {len(packs)} packs…", flush=True)
    samples = collect(packs, args.folds)
    ins = [s for s in samples if s.gold]
    print(f"{len(ins)} in-scope, {len(samples) - len(ins)} out-of-scope held-out questions\n")
    print("matcher top-1 / top-3 on held-out in-scope phrasings (all registers):")
    rf = sum(1 for s in ins if s.rf_topic == s.gold) / len(ins)
    print(f"  rapidfuzz WRatio alone (normalised, all phrasings): {rf:.3f}")
    for name, vec in [("char tf-idf alone", [1, 0, 0, 0]), ("skeleton tf-idf alone", [0, 1, 0, 0]),
                      ("word tf-idf alone", [0, 0, 1, 0]), ("fuzz on short list alone", [0, 0, 0, 1])]:  # fmt: skip
        w = np.array(vec, dtype=float)
        print(f"  {name:<28} {top1(ins, w):.3f} / {top1(ins, w, 3):.3f}")
    w = search_weights(ins)
    print(f"  combined, CV-chosen weights {dict(zip(CHANNELS, w.round(2), strict=True))}: "
          f"{top1(ins, w):.3f} / {top1(ins, w, 3):.3f}")  # fmt: skip
    for reg in sorted({s.register for s in ins}):
        sub = [s for s in ins if s.register == reg]
        print(f"    {reg:<12} n={len(sub):<5} top-1 {top1(sub, w):.3f}  top-3 {top1(sub, w, 3):.3f}")
    az = [s for s in ins if s.raw_docs is not None]
    if az:
        no_tr = sum(1 for s in az if s.gold in match_of(s, w, s.raw_docs).topics[:1]) / len(az)
        print(f"  Arabizi questions (n={len(az)}): with transliteration {top1(az, w):.3f}, without {no_tr:.3f}")
    x = np.array([features(match_of(s, w)) for s in samples])
    ms = [match_of(s, w) for s in samples]
    correct = np.array([bool(s.gold) and m.topics[0] == s.gold and m.top > m.oos_score for s, m in zip(samples, ms, strict=True)])
    is_oos = np.array([s.gold is None for s in samples])
    coef, bias = fit_logistic(x, correct.astype(float))
    probs = 1 / (1 + np.exp(-(x @ coef + bias)))
    p_answer, p_suggest = choose(probs, correct, is_oos, args.acc, args.oos_max, args.suggest_oos_max)
    print(f"\nlogistic model on {FEATURES}: coef {coef.round(3).tolist()} bias {bias:.3f}")
    print(f"chosen: p_answer {p_answer:.2f}, p_suggest {p_suggest:.2f}")
    th = Thresholds(weights=dict(zip(CHANNELS, map(float, w), strict=True)), coef=tuple(map(float, coef)),
                    bias=bias, p_answer=p_answer, p_suggest=p_suggest)  # fmt: skip
    figures = report(samples, th)
    print("\nCV decision figures (answered share, answered accuracy, refused share):")
    for reg, f in figures.items():
        print(f"  {reg:<16} n={f['n']:<5} answered {f['answered']:.3f}  acc {f['answered_acc']:.3f}  "
              f"refused {f['refused']:.3f}")  # fmt: skip
    th = Thresholds(weights=th.weights, coef=th.coef, bias=th.bias, p_answer=p_answer, p_suggest=p_suggest,
                    cv={"folds": args.folds, "figures": figures})  # fmt: skip
    if args.write:
        th.save()
        print("\nwrote bot/faq/thresholds.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
