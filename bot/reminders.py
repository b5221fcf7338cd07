"""Gentle reminders for forms left half-way, and forgetting forms left too long: what one
conversation gets, decided under its lock (the sweep that finds them is :mod:`wiring.reminders`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.context import TurnContext
from bot.flows import runner
from bot.flows.state import FlowState
from bot.stages.forms import load_flow_state, store_flow_state


def remind_compose(now: datetime, after: timedelta) -> Any:
    def compose(ctx: TurnContext) -> None:
        if not ctx.state.flow or ctx.status != "bot":
            return
        state = load_flow_state(ctx)
        flow = ctx.pack.flows.get(state.flow)
        if flow is None or not runner.needs_reminder(state, now, after):
            return
        new, replies = runner.reminder(flow, state, now, supports_buttons=ctx.caps.buttons)
        store_flow_state(ctx, flow, new)
        ctx.say(*replies)

    return compose


def drop_expired_compose(now: datetime, expiry: timedelta, dropped: list[str]) -> Any:
    def compose(ctx: TurnContext) -> None:
        # the dates say it all: the sealed answers need not be opened to be dropped
        if ctx.state.flow and runner.is_expired(FlowState.from_json(ctx.state.flow), now, expiry):
            ctx.state.flow = None  # silently: nobody is told, and their next message starts afresh
            dropped.append(ctx.conversation_id)

    return compose
