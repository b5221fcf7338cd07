"""The conversation engine: one message at a time per conversation, exactly one answer each.

For every inbound message: take the conversation's lock, load its state, drop it if the
provider already delivered it, run the routing chain, then write the inbound message, the
replies, the new state and any push-channel outbox rows in one transaction. Only after that
commit are replies published to live sockets, so a crash can never show an answer that was
not stored, and a restart can always deliver what was stored (the outbox, or the web chat's
``seq`` cursor).

Whatever the person typed is stored with any valid national ID masked (:mod:`bot.redact`), and
so is every reply (a summary echoing a description): this is the one place messages are built
for storage, so no channel and no stage can keep an ID in the transcript or the outbox.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import Stage, TurnContext
from bot.faq.org import get_index, is_built
from bot.ids import new_id
from bot.packs import LoadedPack
from bot.ports import ConversationStore, EventBus, LockProvider, Services
from bot.records import (
    ConversationRecord,
    DuplicateMessage,
    OutboxItem,
    SeqConflict,
    StoredMessage,
    TurnWrite,
)
from bot.redact import mask_national_ids, mask_payload
from bot.render import CAPABILITIES, TERMINAL
from bot.settings import Settings
from bot.stages import default_stages
from bot.stages.common import remember_choices
from bot.state import DialogState
from bot.types import PUSH_CHANNELS, ConversationKey, InboundMessage, Reply, reply_to_json
from bot.understanding.core import understand

log = logging.getLogger("sila.engine")




class UnknownAssociation(LookupError):
    pass


@dataclass(slots=True)
class TurnOutcome:
    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    conversation_id: str = ""
    first_seq: int = 0
    last_seq: int = 0
    messages: list[StoredMessage] = field(default_factory=list)
    #: the FAQ decision, when the FAQ stage made one (for `sila ask` and analytics)
    decision: Any = None
    #: the conversation's language after the turn ("ar"/"en"): the web chat's page direction and
    #: the `lang` of `sila chat --json` frames follow it, so a script sees what a page would show
    lang: str = ""


class Engine:
    def __init__(
        self,
        packs: dict[str, LoadedPack],
        store: ConversationStore,
        locks: LockProvider,
        bus: EventBus,
        settings: Settings,
        stages: Sequence[Stage] | None = None,
        services: Services | None = None,
    ) -> None:
        self.packs = packs
        self.store = store
        self.locks = locks
        self.bus = bus
        self.settings = settings
        self.stages: list[Stage] = list(stages) if stages is not None else default_stages()
        self.services = services
        self._crash_after_commit = settings.fault == "crash_after_commit"

    def pack(self, org: str) -> LoadedPack:
        try:
            return self.packs[org]
        except KeyError:
            raise UnknownAssociation(org) from None

    async def handle(self, msg: InboundMessage, *, new_state: dict[str, Any] | None = None) -> TurnOutcome:
        """Process one inbound message; safe to call concurrently for any conversations."""
        pack = self.pack(msg.key.org)
        if not is_built(pack):
            # an association whose FAQ index was evicted (or not yet built): load or build it on a
            # thread, before the conversation's lock is taken, so the 50-300 ms it takes hold up
            # this message only, never the other conversations on this worker's event loop
            await asyncio.to_thread(get_index, pack)
        async with self.locks.lock(msg.key.lock_name()):
            for _attempt in range(3):
                conv = await self.store.load(msg.key)
                if conv.is_new and new_state:
                    conv.state = dict(new_state)
                if msg.provider_message_id and not conv.is_new and await self.store.seen(
                    msg.key, msg.provider_message_id
                ):
                    return TurnOutcome(duplicate=True, conversation_id=conv.id)
                ctx, turn = await self._run_turn(msg, pack, conv)
                try:
                    await self.store.commit(turn)
                except SeqConflict:
                    self.store.forget(msg.key)
                    log.info("seq conflict on %s; retrying with fresh state", conv.id)
                    continue
                except DuplicateMessage:
                    return TurnOutcome(duplicate=True, conversation_id=conv.id)
                break
            else:
                raise SeqConflict(f"conversation {msg.key.lock_name()} kept changing under us")
            if self._crash_after_commit:
                log.error("fault injection: crashing after commit")
                os._exit(17)
            await self._publish(conv, turn, ctx)
        return TurnOutcome(
            replies=ctx.replies, conversation_id=conv.id, first_seq=turn.previous_seq + 1,
            last_seq=conv.seq, messages=turn.messages, decision=ctx.decision, lang=ctx.state.lang,
        )

    async def push(
        self, key: ConversationKey, compose: Callable[[TurnContext], None], *, author: str = "bot",
        notification: bool = True,
    ) -> TurnOutcome:
        """Send messages nobody just asked for (a reminder, an officer's reply, a status update).

        ``compose`` sees the conversation's current state under its lock and adds replies (and
        may change state); they are stored and queued exactly like a turn's replies.
        ``notification`` marks them as ours to start (reminders, status updates, surveys): those
        are withheld from people who opted out, and need a template outside WhatsApp's window.
        An officer answering the person's own request is not a notification.
        """
        pack = self.pack(key.org)
        async with self.locks.lock(key.lock_name()):
            conv = await self.store.load(key)
            if conv.is_new:
                return TurnOutcome(conversation_id=conv.id)
            state = DialogState.from_json(conv.state)
            before = state.to_json()
            ctx = TurnContext(
                message=InboundMessage(key=key), pack=pack, state=state, status=conv.status,
                caps=CAPABILITIES.get(key.channel, TERMINAL), now=datetime.now(UTC),
                conversation_id=conv.id, beneficiary_id=conv.beneficiary_id, services=self.services,
            )
            compose(ctx)
            if not ctx.replies:
                after = ctx.state.to_json()
                if after != before:  # a change of state with nothing to say (an expired form dropped)
                    conv.state = after
                    await self.store.commit(TurnWrite(conversation=conv, previous_seq=conv.seq, messages=[],
                                                      outbox=[]))
                return TurnOutcome(conversation_id=conv.id, lang=ctx.state.lang)
            previous_seq = conv.seq
            status_changed = ctx.status != conv.status
            conv.status, conv.state = ctx.status, ctx.state.to_json()
            messages: list[StoredMessage] = []
            outbox: list[OutboxItem] = []
            for i, reply in enumerate(ctx.replies, start=1):
                payload = {**mask_payload(reply_to_json(reply)), "lang": ctx.state.lang}
                msg = StoredMessage(
                    id=new_id(), conversation_id=conv.id, seq=previous_seq + i, direction="out", author=author,
                    text=payload["text"], payload=payload, kind=payload["kind"],
                    created_at=ctx.now + timedelta(microseconds=i),
                    delivery_status="pending" if key.channel in PUSH_CHANNELS else None,
                )
                messages.append(msg)
                if key.channel in PUSH_CHANNELS:
                    outbox.append(outbox_row(conv, msg, {**payload, "notification": notification}, ctx.now))
            conv.seq = messages[-1].seq
            turn = TurnWrite(conversation=conv, previous_seq=previous_seq, messages=messages, outbox=outbox,
                             status_changed=status_changed, survey_answers=ctx.survey_answers)
            await self.store.commit(turn)
            await self._publish(conv, turn, ctx)
        return TurnOutcome(replies=ctx.replies, conversation_id=conv.id, first_seq=previous_seq + 1,
                           last_seq=conv.seq, messages=messages, lang=ctx.state.lang)

    async def _run_turn(
        self, msg: InboundMessage, pack: LoadedPack, conv: ConversationRecord
    ) -> tuple[TurnContext, TurnWrite]:
        state = DialogState.from_json(conv.state)
        caps = CAPABILITIES.get(msg.key.channel, TERMINAL)
        ctx = TurnContext(
            message=msg, pack=pack, state=state, status=conv.status, caps=caps,
            now=datetime.now(UTC), conversation_id=conv.id, beneficiary_id=conv.beneficiary_id,
            services=self.services, understanding=understand(msg.text),
        )
        for stage in self.stages:
            if await stage(ctx):
                break
        remember_choices(ctx)
        previous_seq = conv.seq
        status_changed = ctx.status != conv.status
        conv.status = ctx.status
        conv.lang = ctx.state.lang
        conv.state = ctx.state.to_json()
        now = ctx.now
        inbound_payload: dict[str, Any] = {}
        if msg.button_value is not None and ctx.stored_text is None:  # a protected answer keeps no value
            inbound_payload["button"] = msg.button_value
        for k, v in msg.meta:
            inbound_payload[k] = v
        typed = ctx.stored_text if ctx.stored_text is not None else msg.text or (msg.button_value or "")
        stored_text = mask_national_ids(typed)
        if ctx.stored_text is not None or stored_text != typed:
            inbound_payload["redacted"] = True
        messages = [
            StoredMessage(
                id=new_id(), conversation_id=conv.id, seq=previous_seq + 1, direction="in",
                author="beneficiary", text=stored_text,
                payload=inbound_payload or None, kind=None, created_at=msg.received_at,
                provider_message_id=msg.provider_message_id,
            )
        ]
        outbox: list[OutboxItem] = []
        for i, reply in enumerate(ctx.replies, start=2):
            payload = {**mask_payload(reply_to_json(reply)), "lang": ctx.state.lang}
            out = StoredMessage(
                id=new_id(), conversation_id=conv.id, seq=previous_seq + i, direction="out",
                author="bot", text=payload["text"], payload=payload, kind=payload["kind"],
                created_at=now + timedelta(microseconds=i),
                delivery_status="pending" if msg.key.channel in PUSH_CHANNELS else None,
            )
            messages.append(out)
            if msg.key.channel in PUSH_CHANNELS:
                outbox.append(outbox_row(conv, out, payload, now))
        conv.seq = messages[-1].seq
        turn = TurnWrite(
            conversation=conv, previous_seq=previous_seq, messages=messages, outbox=outbox,
            status_changed=status_changed,
            touch_inbound_at=now if msg.key.channel in PUSH_CHANNELS else None,
            beneficiary_name=mask_national_ids(msg.sender_name) if msg.sender_name else None,
            survey_answers=ctx.survey_answers,
        )
        return ctx, turn

    async def _publish(self, conv: ConversationRecord, turn: TurnWrite, ctx: TurnContext) -> None:
        event = {
            "type": "turn",
            "conversation_id": conv.id,
            "org": conv.org,
            "status": conv.status,
            "messages": [m.to_frame() for m in turn.messages],
        }
        await self.bus.publish(f"chat:{conv.org}:{conv.channel}:{conv.address}", event)
        for ev in ctx.events:
            await self.bus.publish(f"org:{conv.org}", {**ev, "conversation_id": conv.id})


def outbox_row(conv: ConversationRecord, msg: StoredMessage, payload: dict[str, Any], now: datetime) -> OutboxItem:
    return OutboxItem(id=new_id(), message_id=msg.id, conversation_id=conv.id, org=conv.org, channel=conv.channel,
                      address=conv.address, payload=payload, attempts=0, next_attempt_at=now)
