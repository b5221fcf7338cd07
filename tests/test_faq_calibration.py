"""The calibration's choice of the answer/suggest cut-offs (tools/calibrate_faq.py)."""

from __future__ import annotations

import numpy as np

from tools.calibrate_faq import choose_decisions


def _pick(probs: list[float], correct: list[bool], oos: list[bool], leads: list[bool]) -> tuple[float, float]:
    n = len(probs)
    return choose_decisions(
        np.array(probs), np.array(correct), np.array(oos), np.array(leads), np.zeros(n, bool), np.ones(n),
        acc_target=0.95, oos_max=0.0, suggest_oos_max=1.0,
    )  # fmt: skip


def test_cut_offs_answer_every_right_question_the_limits_allow() -> None:
    # right answers at 0.9 and 0.8; an out-of-scope question at 0.7 must not be answered
    p_answer, p_suggest = _pick([0.9, 0.8, 0.7], [True, True, False], [False, False, True], [True, True, True])
    assert 0.7 < p_answer <= 0.8
    assert p_suggest > 0.7  # with a clear lead it would be answered at p_suggest


def test_cut_offs_count_the_clear_lead_rule() -> None:
    # the out-of-scope question at 0.6 has no clear lead: a p_suggest of 0.5 only suggests it,
    # and answers the three right questions at 0.5 that lead clearly
    probs = [0.9, 0.5, 0.5, 0.5, 0.6, 0.1, 0.1, 0.1]
    oos = [False] * 4 + [True] * 4
    p_answer, p_suggest = _pick(probs, [not o for o in oos], oos, [True] * 4 + [False] * 4)
    assert p_answer > 0.6
    assert p_suggest <= 0.5
