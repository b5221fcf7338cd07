"""The abstention model: channel weights, a logistic model of "the top topic is right", and the
probability cut-offs for answer / suggest. Values are chosen by ``python -m tools.calibrate_faq``
(cross-validation on the packs' own phrasings and bot/faq/out_of_scope.yaml) and stored in
thresholds.json; the numbers here are only the fallback when that file is missing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bot.faq.index import DEFAULT_WEIGHTS, Match

__all__ = ["FEATURES", "PATH", "Thresholds", "features", "load_thresholds"]

PATH = Path(__file__).with_name("thresholds.json")
FEATURES = ("top", "margin", "coverage", "oos_gap", "short", "fuzz_top", "char_top")


def features(m: Match) -> list[float]:
    """What the abstention looks at: how good, how unambiguous, how much of it we know, and how
    close the question is to one known phrasing (a near copy is safer than a pooled match)."""
    fz = m.channels.get("fuzz", (0.0,))
    ch = m.channels.get("char", (0.0,))
    return [
        m.top,
        m.margin,
        m.coverage,
        m.top - m.oos_score,
        1.0 if m.n_tokens <= 1 else 0.0,
        fz[0] if fz else 0.0,
        ch[0] if ch else 0.0,
    ]


@dataclass(frozen=True)
class Thresholds:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    coef: Sequence[float] = (-6.0, 28.0, 1.5, 26.0, 0.5, 0.0, 0.0)
    bias: float = -3.5
    p_answer: float = 0.75
    p_suggest: float = 0.45
    cv: Mapping[str, Any] = field(default_factory=dict)

    def probability(self, m: Match) -> float:
        z = self.bias + sum(c * f for c, f in zip(self.coef, features(m), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def save(self, path: Path = PATH) -> None:
        data = asdict(self)
        data["weights"] = dict(self.weights)
        data["coef"] = list(self.coef)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@cache
def load_thresholds(path: Path = PATH) -> Thresholds:
    if not path.exists():
        return Thresholds()
    raw = json.loads(path.read_text(encoding="utf-8"))
    if len(raw.get("coef", ())) != len(FEATURES):
        return Thresholds()  # written for another feature set: rerun `python -m tools.calibrate_faq --write`
    return Thresholds(
        weights=dict(raw["weights"]),
        coef=tuple(float(c) for c in raw["coef"]),
        bias=float(raw["bias"]),
        p_answer=float(raw["p_answer"]),
        p_suggest=float(raw["p_suggest"]),
        cv=raw.get("cv", {}),
    )
