"""Running the scenario corpus and the held-out FAQ set through the real engine, in process.

Why in process rather than ``sila chat`` subprocesses: one database and one engine for every
scenario keeps a full run to seconds, and only here can a scenario send a voice note (an
attachment) or act as an officer (``staff:`` steps call the console's own functions, so a
case really moves to "needs information" and a survey is really sent).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from eval_format import (
    ORGS,
    SCENARIO_DIR,
    Observed,
    Scenario,
    check,
    count_checks,
    load_scenarios,
    norm,
    subst,
)
from sqlalchemy import select

from bot.flows.validators import saudi_id_check_digit
from bot.settings import load_settings
from bot.types import Attachment, ConversationKey, InboundMessage, reply_to_json
from console.auth import StaffUser, create_staff
from console.cases import change_status, load_case
from console.service import claim, close, hand_back, load_conversation, queue, reply
from storage.cases import TRANSITIONS
from storage.db import migrate
from storage.models import Base, Case
from wiring.runtime import Runtime, open_runtime

__all__ = ["SCENARIO_DIR", "Result", "load_scenarios", "run_scenarios"]

NATIONAL_ID = "10" + "2345678"
NATIONAL_ID += str(saudi_id_check_digit(NATIONAL_ID))
SAMPLES = {
    "name": "محمد عبدالله القحطاني", "national_id": NATIONAL_ID, "phone": "0551234567", "city": "الرياض",
    "description": "أحتاج مساعدة في تكاليف العلاج والتنقل إلى المستشفى، والحالة المادية صعبة هذه الفترة.",
    "number": "12", "digits": "3", "date": "2026-03-01", "text": "لا يوجد",
}
SAMPLES_EN = {**SAMPLES, "name": "Mohammed Abdullah Alqahtani", "city": "Riyadh",
              "description": "I need help with treatment costs and transport to the hospital.", "text": "none"}
SKIP_WORDS = ("skip", "تخطي", "later", "لاحق", "بدون")
CONFIRM_WORDS = ("confirm", "submit", "yes", "send", "تأكيد", "ارسال", "إرسال", "نعم")


def _says(button: dict[str, str], words: tuple[str, ...]) -> bool:
    return any(w in norm(button["value"] + " " + button["label"]) for w in words)


#: tables that hold what was said, not what was recorded about it
NOT_RECORDS = frozenset({"messages", "outbox", "inbound_updates", "conversation_states"})
#: print every step and its replies (``--show``)
SHOW = False


@dataclass
class Result:
    scenario: Scenario
    passed: bool = False
    checks: int = 0
    checks_ok: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None


class Run:
    """One scenario's conversations, captured variables and the last replies seen."""

    def __init__(self, rt: Runtime, staff: StaffUser, scenario: Scenario, seeds: dict[str, str],
                 events: list[dict[str, Any]]) -> None:
        self.rt, self.staff, self.sc, self.seeds, self.events = rt, staff, scenario, seeds, events
        self.env: dict[str, str] = {}
        self.last: list[dict[str, Any]] = []
        self.keys: dict[str, ConversationKey] = {}

    def key(self, who: str = "me") -> ConversationKey:
        if who not in self.keys:
            n = len(self.rt.engine.packs) + len(self.keys)
            address = (f"+9665{abs(hash((self.sc.id, who))) % 10**8:08d}" if self.sc.channel in ("whatsapp", "sms")
                       else f"eval-{self.sc.id}-{who}-{n}")
            self.keys[who] = ConversationKey(self.sc.org, self.sc.channel, address)
        return self.keys[who]

    async def send(self, who: str, *, text: str = "", button: str | None = None,
                   attachments: tuple[Attachment, ...] = ()) -> list[dict[str, Any]]:
        if button is not None and button.startswith("#"):
            shown = [b["value"] for r in self.last for b in r.get("buttons") or []]
            idx = int(button[1:]) - 1
            button = shown[idx] if 0 <= idx < len(shown) else button
        out = await self.rt.engine.handle(InboundMessage(key=self.key(who), text=text, button_value=button,
                                                         attachments=attachments))
        self.last = [reply_to_json(r) for r in out.replies]
        return self.last

    async def conversation(self, who: str = "me") -> Any:
        key = self.key(who)
        self.rt.store.forget(key)
        return await self.rt.store.load(key)

    async def fill(self, until: str | None) -> list[dict[str, Any]]:
        """Answer the form's questions with valid sample values until ``until`` is asked (or it ends)."""
        seen: list[dict[str, Any]] = []
        for _ in range(40):
            expects = [r["expect"] for r in self.last if r.get("expect")]
            if not expects:
                return seen
            exp = expects[-1]
            if until and exp["field"] == until:
                return seen
            buttons = [b for r in self.last for b in r.get("buttons") or []]
            lang = "en" if any(re.search(r"[A-Za-z]{4}", r.get("text") or "") and not re.search(
                r"[\u0621-\u064a]", r.get("text") or "") for r in self.last) else "ar"
            samples = SAMPLES_EN if lang == "en" else SAMPLES
            typ = exp["type"]
            if typ == "confirm" or (buttons and typ not in ("choice", "attachment") and typ not in samples):
                pick = next((b for b in buttons if _says(b, CONFIRM_WORDS)), buttons[0] if buttons else None)
                replies = await self.send("me", button=pick["value"]) if pick else await self.send("me", text="نعم")
            elif typ == "choice":
                value = buttons[0]["value"] if buttons else (exp.get("choices") or ["1"])[0]
                replies = await self.send("me", button=value)
            elif typ == "attachment":
                pick = next((b for b in buttons if _says(b, SKIP_WORDS)), None)
                replies = await (self.send("me", button=pick["value"]) if pick else self.send("me", text="تخطي"))
            else:
                replies = await self.send("me", text=samples.get(typ, samples["text"]))
            seen.extend(replies)
        return seen

    async def staff_step(self, st: dict[str, Any]) -> list[dict[str, Any]]:
        action = st["action"]
        conv = await self.conversation()
        before = conv.seq
        if action in TRANSITIONS or action in ("approved", "completed", "rejected", "needs_info", "under_review"):
            case = await self.case(st.get("ref") or self.env.get("ref"))
            if case is None:
                raise RuntimeError("staff step: no case to act on (file one first)")
            target = action
            if target not in TRANSITIONS.get(case.status, ()):
                await change_status(self.rt, self.staff, case, to_status="under_review", version=case.version,
                                    comment="")
                case = await load_case(self.rt, self.staff, case.id)
            await change_status(self.rt, self.staff, case, to_status=target, version=case.version,
                                comment=st.get("comment", "نحتاج صورة من التقرير الطبي الحديث"))
        else:
            row = await load_conversation(self.rt, self.staff, conv.id)
            if action == "claim":
                await claim(self.rt, self.staff, row)
            elif action == "reply":
                await reply(self.rt, self.staff, row, st.get("text", "مرحباً، معك الموظف المختص."))
            elif action == "hand_back":
                await hand_back(self.rt, self.staff, row)
            elif action == "close":
                await close(self.rt, self.staff, row)
        history = await self.rt.store.history(conv.id, after_seq=before, limit=50)
        self.last = [m.payload or {"text": m.text, "kind": m.kind} for m in history if m.direction == "out"]
        return self.last

    async def case(self, ref: str | None) -> Any:
        assert self.rt.db is not None
        conv = await self.conversation()
        stmt = select(Case.id).where(Case.org == self.sc.org)
        stmt = stmt.where(Case.reference == ref.upper()) if ref else stmt.where(Case.conversation_id == conv.id)
        async with self.rt.db.reader.connect() as conn:
            cid = (await conn.execute(stmt.order_by(Case.created_at.desc()).limit(1))).scalar()
        return await load_case(self.rt, self.staff, cid) if cid else None

    async def officer_text(self) -> str:
        """Everything attached to the scenario's latest case, in any table with a case_id column."""
        case = await self.case(self.env.get("ref"))
        if case is None or self.rt.db is None:
            return ""
        parts: list[str] = []
        async with self.rt.db.reader.connect() as conn:
            for table in Base.metadata.sorted_tables:
                if "case_id" in table.c:
                    for row in (await conn.execute(select(table).where(table.c.case_id == case.id))).all():
                        parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
        return "\n".join(parts)

    async def complaint(self, who: str) -> bool:
        """Handed to an officer, or any row stored against the conversation (a case, a hand-off, an
        event) that names a complaint: how an implementation records it is its own choice."""
        conv = await self.conversation(who)
        state = {k: v for k, v in (conv.state or {}).items() if k != "flow"}  # not the form's typed answers
        if conv.status in ("waiting", "human") or "complaint" in json.dumps(state, ensure_ascii=False):
            return True
        assert self.rt.db is not None
        async with self.rt.db.reader.connect() as conn:
            for table in Base.metadata.sorted_tables:
                if "conversation_id" in table.c and table.name not in NOT_RECORDS:
                    for row in (await conn.execute(select(table).where(table.c.conversation_id == conv.id))).all():
                        if "complaint" in " ".join(str(v).lower() for v in row):
                            return True
        return False

    async def urgent(self, who: str) -> bool:
        """Waiting, and ahead of the association's older ordinary hand-off in the console queue."""
        conv = await self.conversation(who)
        waiting = [i["id"] for i in (await queue(self.rt, self.staff))["waiting"]]
        seed = self.seeds.get(self.sc.org)
        return conv.id in waiting and (seed not in waiting or waiting.index(conv.id) < waiting.index(seed))


class _Shifted(datetime):
    """``datetime`` whose ``now`` runs ``offset`` ahead: a scenario's clock without touching the code."""

    offset = timedelta(0)

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + cls.offset


@contextlib.contextmanager
def clock(setting: str) -> Iterator[None]:
    """``off_hours``: the core's clock reads next Friday 22:00 in Riyadh (the weekend, at night),
    so whatever hours a reply claims are visible whatever time the evaluation runs at."""
    if setting != "off_hours":
        yield
        return
    now = datetime.now(ZoneInfo("Asia/Riyadh"))
    friday = (now + timedelta(days=(4 - now.weekday()) % 7 or 7)).replace(hour=22, minute=0, second=0)
    _Shifted.offset = friday - now
    patched = [m for name, m in list(sys.modules.items())
               if name.startswith("bot.") and getattr(m, "datetime", None) is datetime]
    for m in patched:
        m.datetime = _Shifted  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for m in patched:
            m.datetime = datetime  # type: ignore[attr-defined]


async def run_one(rt: Runtime, staff: StaffUser, sc: Scenario, seeds: dict[str, str],
                  events: list[dict[str, Any]]) -> Result:
    with clock(sc.clock):
        return await _run_one(rt, staff, sc, seeds, events)


async def _run_one(rt: Runtime, staff: StaffUser, sc: Scenario, seeds: dict[str, str],
                   events: list[dict[str, Any]]) -> Result:
    res = Result(sc)
    run = Run(rt, staff, sc, seeds, events)
    try:
        for n, raw in enumerate(sc.turns, 1):
            turn = subst(raw, run.env)
            who = str(turn.get("as") or "me")
            seen_events = len(events)
            if "say" in turn:
                replies = await run.send(who, text=str(turn["say"]))
            elif "button" in turn:
                replies = await run.send(who, button=str(turn["button"]))
            elif "attachment" in turn:
                att = turn["attachment"]
                replies = await run.send(who, text=str(att.get("text", "")), attachments=(Attachment(
                    url=f"https://api.twilio.com/eval/{n}", content_type=att.get("content_type"),
                    size=att.get("size", 20_000), filename=att.get("filename")),))
            elif "fill" in turn:
                f = turn["fill"]
                replies = await run.fill(None if f == "all" else f["until"])
            elif "staff" in turn:
                replies = await run.staff_step(turn["staff"])
            else:
                replies = run.last
            for name, rx in (turn.get("capture") or {}).items():
                m = re.search(rx, "\n".join(r.get("text") or "" for r in replies))
                if m is None:
                    res.problems.append(f"turn {n}: capture {name} /{rx}/ found nothing")
                    res.checks += 1
                else:
                    run.env[name] = m.group(0)
            if SHOW:
                what = {k: v for k, v in turn.items() if k not in ("expect", "capture")}
                print(f"  [{sc.id} {n}] {json.dumps(what, ensure_ascii=False)[:160]}")
                for r in replies:
                    exp_ = r.get("expect") or {}
                    print(f"      <{r.get('kind')}{' ' + exp_['field'] if exp_ else ''}> "
                          f"{(r.get('text') or '')[:200]!r}")
            exp = subst(raw.get("expect"), run.env)  # after the capture: it may use what was just captured
            if not exp:
                continue
            conv = await run.conversation(who)
            obs = Observed(replies=replies, status=conv.status,
                           announced=[e for e in events[seen_events:] if e.get("conversation_id") == conv.id])
            if exp.get("urgent"):
                obs.urgent = await run.urgent(who)
            if exp.get("complaint_recorded"):
                obs.complaint = await run.complaint(who)
            if "officer_sees" in exp:
                obs.officer_text = await run.officer_text()
            problems = check(exp, obs)
            res.checks += count_checks(exp)
            res.checks_ok += count_checks(exp) - len(problems)
            label = turn.get("say") or turn.get("button") or next(
                (k for k in turn if k not in ("expect", "capture")), "capture")
            res.problems.extend(f"turn {n} ({str(label)[:40]!r}): {p}" for p in problems)
    except Exception as exc:  # a crash is a failed scenario, reported, not a stopped run
        res.error = f"{type(exc).__name__}: {exc}"
        res.problems.append(f"runner error: {res.error}")
    res.passed = not res.problems
    res.checks_ok = max(0, min(res.checks_ok, res.checks))
    return res


async def seed_queue(rt: Runtime) -> dict[str, str]:
    """One ordinary waiting hand-off per association, older than any scenario's, for the urgency check."""
    seeds: dict[str, str] = {}
    for org in ORGS:
        key = ConversationKey(org, "webchat", f"eval-seed-waiting-{org}")
        await rt.engine.handle(InboundMessage(key=key, text="السلام عليكم"))
        await rt.engine.handle(InboundMessage(key=key, button_value="handoff"))
        rt.store.forget(key)
        seeds[org] = (await rt.store.load(key)).id
    return seeds


async def run_scenarios(scenarios: list[Scenario], tmp: Path) -> list[Result]:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(env={}, data_dir=str(tmp), sqlite_synchronous="NORMAL", data_key=key)
    await migrate(settings)
    results: list[Result] = []
    async with open_runtime(settings) as rt:
        assert rt.db is not None
        password = "eval-password-123456"  # noqa: S105 — an officer of a throwaway database
        staff_id = await create_staff(rt.db, email="eval.officer@example.org", name="Eval Officer", role="admin",
                                      orgs=list(ORGS), password=password, known_orgs=set(rt.packs), actor="eval")
        staff = StaffUser(id=staff_id, email="eval.officer@example.org", name="Eval Officer", role="admin",
                          orgs=tuple(ORGS), session_id="eval", csrf="eval")
        seeds = await seed_queue(rt)
        events: list[dict[str, Any]] = []
        for org in ORGS:  # what the console's officers are told, per association
            rt.bus.subscribe(f"org:{org}", events.append)
        for sc in scenarios:
            results.append(await run_one(rt, staff, sc, seeds, events))
    return results
