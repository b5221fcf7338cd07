"""After a push-channel turn commits: copy opt-outs, reachability and verified phones to storage.

Why after the commit and not inside the routing stage: a first-time sender's identity row is
created by that very commit, and the stage must stay free of storage and provider code. The
decision itself is made once, by :mod:`bot.stages.optout` (the same keyword test runs here); this
module only records it on ``channel_identities`` with a history row, so the delivery worker
and the console see it.
"""

from __future__ import annotations

import logging

from bot.engine import TurnOutcome
from bot.stages.optout import keyword
from bot.types import InboundMessage
from storage.identities import identity_facts, link_verified_phone, record_subscription, set_unreachable
from wiring.runtime import Runtime

log = logging.getLogger("sila.channels")


async def after_turn(
    runtime: Runtime, msg: InboundMessage, outcome: TurnOutcome, *, verified_phone: str | None = None,
    reachable: bool = False,
) -> None:
    """Record what this (new, committed) message tells us about the person's identity."""
    db = runtime.db
    if outcome.duplicate or db is None:
        return
    key = msg.key
    choice = keyword(msg.text) if msg.button_value is None else None
    if choice is not None:
        await record_subscription(db, key.org, key.channel, key.address, opted_out=choice == "out", source="keyword")
        log.info("%s %s on %s", key.org, "opted out" if choice == "out" else "opted in", key.channel)
    if reachable and (await identity_facts(db, key.org, key.channel, key.address)).unreachable_at:
        # they wrote to us, so they have not blocked us (any more)
        await set_unreachable(db, key.org, key.channel, key.address, None)
    if verified_phone:
        # every conversation it moves (the person's other channels too) is locked and forgotten
        await link_verified_phone(db, key.org, key.channel, key.address, verified_phone,
                                  locks=runtime.locks, forget=runtime.store.forget)
