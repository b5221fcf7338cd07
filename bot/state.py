"""The engine's per-conversation state, stored as JSON under stable keys.

Stable keys matter: a beneficiary may leave a form half-way and come back days later after a
deploy. Unknown keys are kept (round-tripped) so an older worker never erases a newer one's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class DialogState:
    lang: str = "ar"
    #: the beneficiary chose a language explicitly; don't switch on detection
    lang_locked: bool = False
    greeted: bool = False
    #: consecutive messages the engine could not answer (two → offer an officer)
    misses: int = 0
    #: the runner's FlowState JSON while a form is in progress
    flow: dict[str, Any] | None = None
    #: what a bare "1"/"2"/"3" means right now (suggestions or a yes/no offer)
    pending_choice: dict[str, Any] | None = None
    handoff: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DialogState:
        data = dict(data or {})
        known = {k: data.pop(k) for k in list(data) if k in _FIELDS}
        return cls(**known, extra=data)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.extra)
        for name in _FIELDS:
            out[name] = getattr(self, name)
        return out


_FIELDS = ("lang", "lang_locked", "greeted", "misses", "flow", "pending_choice", "handoff")
