"""Labels on a conversation ("عاجل", "ينتظر تقريراً"): an officer's own sorting, shown in the queue.

They live in the conversation's state (``labels``, which the engine keeps untouched as an extra
key) and change through ``Engine.push`` under the conversation's lock, like every other change
of a conversation, with nothing said to the beneficiary; each change is audited.
"""

from __future__ import annotations

from typing import Any

from bot.context import TurnContext
from console.auth import StaffUser
from console.service import ConvRow
from storage.cases import audit
from wiring.runtime import Runtime

MAX_LABELS, MAX_LABEL = 8, 30


def parse_labels(text: str) -> list[str]:
    """"عاجل، تقرير طبي, عاجل" → ["عاجل", "تقرير طبي"]: comma-separated (Arabic or Latin), deduplicated."""
    seen: list[str] = []
    for part in text.replace("،", ",").split(","):
        label = " ".join(part.split())[:MAX_LABEL]
        if label and label not in seen:
            seen.append(label)
    return seen[:MAX_LABELS]


def labels_of(state: dict[str, Any] | None) -> list[str]:
    raw = (state or {}).get("labels")
    return [str(x) for x in raw if isinstance(x, str)] if isinstance(raw, list) else []


async def set_labels(runtime: Runtime, user: StaffUser, conv: ConvRow, labels: list[str]) -> None:
    assert runtime.db is not None

    def compose(ctx: TurnContext) -> None:
        if labels:
            ctx.state.extra["labels"] = labels
        else:
            ctx.state.extra.pop("labels", None)

    await runtime.engine.push(conv.key, compose, author="system", notification=False)
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="conversation.labels", org=conv.org, target=conv.id,
                    detail={"labels": labels})
