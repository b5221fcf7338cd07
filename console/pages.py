"""Console pages: queue, conversation, cases, report, canned replies, staff, audit log."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Select, insert, select

from bot.flows.schema import FieldDef
from bot.ids import new_id
from bot.redact import mask_national_ids
from bot.sealed import unseal
from console import attachments, auth, report, service
from console import cases as case_ops
from console.auth import StaffUser
from console.contact import contact_panel
from console.labels import labels_of, parse_labels, set_labels
from console.message_files import message_attachments
from console.service import Conflict, ConvRow, Forbidden, NotFound
from console.transcript import transcript_reader
from console.web import audit_access, form_text, lang_of, need, not_found, passwords_of, render, runtime_of
from console.web import forbidden as forbidden_page
from storage import login_throttle
from storage.cases import audit
from storage.crypto import mask
from storage.models import AuditLog, CannedReply, Conversation, Message, Note, Staff
from wiring.runtime import Runtime

MAX_CANNED_TITLE, MAX_CANNED_BODY = 80, 2000
#: the transcript poll of an open conversation page logs a view at most this often
TRANSCRIPT_AUDIT_WINDOW = timedelta(minutes=30)

log = logging.getLogger("sila.console")


async def _conv(request: web.Request, user: StaffUser) -> ConvRow:
    try:
        return await service.load_conversation(runtime_of(request), user, request.match_info["cid"])
    except NotFound:
        raise not_found(request) from None
    except Forbidden:
        raise forbidden_page(request) from None


# -- queue -------------------------------------------------------------------------------------


def _label_filter(request: web.Request) -> str:
    """``?label=عاجل``: the queue narrowed to one of the officers' labels (same rules as a label)."""
    wanted = parse_labels(request.query.get("label", ""))
    return wanted[0] if wanted else ""


async def queue_page(request: web.Request) -> web.Response:
    user = await need(request)
    label = _label_filter(request)
    data = await service.queue(runtime_of(request), user, label=label)
    return render(request, "queue.html", q=data, fragment=False, label_filter=label)


async def queue_fragment(request: web.Request) -> web.Response:
    user = await need(request)
    label = _label_filter(request)
    data = await service.queue(runtime_of(request), user, label=label)
    return render(request, "queue_list.html", q=data, label_filter=label)


# -- conversation ------------------------------------------------------------------------------


async def _transcript(request: web.Request, conv: ConvRow) -> list[dict[str, Any]]:
    """Every message of this beneficiary in this association, across channels, oldest first."""
    runtime = runtime_of(request)
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(
            select(Message.id, Message.seq, Message.direction, Message.author, Message.text, Message.created_at,
                   Message.channel, Message.delivery_status, Message.kind, Message.payload)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.beneficiary_id == conv.beneficiary_id, Conversation.org == conv.org)
            .order_by(Message.created_at.desc()).limit(300)
        )).all()
    officers = {r.author.split(":", 1)[1] for r in rows if r.author.startswith("officer:")}
    names = await case_ops.staff_names(runtime, officers)
    out = []
    reading = transcript_reader(runtime, conv.org, lang_of(request))
    for r in reversed(rows):
        who, _, sid = r.author.partition(":")
        shown = reading(r.direction, r.text, r.payload if isinstance(r.payload, dict) else None)
        out.append({"id": r.id, "direction": r.direction, "who": who, "officer": names.get(sid, ""),
                    "at": r.created_at, "channel": r.channel, "delivery": r.delivery_status, **shown,
                    "files": _files(conv.id, r.id, r.payload, lang_of(request)) if r.direction == "in" else []})
    return out


def _files(conv_id: str, message_id: str, payload: Any, lang: str) -> list[dict[str, str]]:
    """A message's files for the transcript: an image to see, a voice note to play, else a link."""
    out = []
    for i, a in enumerate(message_attachments(payload)):
        ctype = (a.content_type or "").split(";")[0]
        kind = "image" if ctype.startswith("image/") else "audio" if ctype.startswith("audio/") else "file"
        out.append({"href": f"/console/c/{conv_id}/files/{message_id}/{i}", "kind": kind,
                    "name": a.filename or "", "size": attachments.size_text(a.size, lang)})
    return out


def _form_answers(runtime: Runtime, conv: ConvRow) -> dict[str, Any]:
    """The answers of the form in progress, opened (sensitive ones are sealed in the state)."""
    flow = conv.state.get("flow")
    answers = flow.get("answers") if isinstance(flow, dict) else None
    return unseal(answers, runtime.cipher) if isinstance(answers, dict) else {}


def _masked_answers(answers: dict[str, Any], reveal: str | None, lang: str,
                    fields: dict[str, FieldDef] | None = None) -> list[tuple[str, str, str]]:
    """(field id, label, text) of a form in progress; the national ID masked unless revealed."""
    out = []
    for k, v in answers.items():
        fdef = (fields or {}).get(k)
        text = v if isinstance(v, str) and fdef is None else attachments.answer_words(v, lang, fdef)
        if k == "national_id" and reveal is None:
            text = mask(str(v))
        elif k == "national_id":
            text = reveal or ""
        out.append((k, attachments.field_label(k, lang, fdef), text[:500]))
    return out


def _flow_title(runtime: Runtime, org: str, flow_id: str | None, lang: str) -> str:
    """The form's title in the reader's language ("طلب دعم مستفيد"), not its id."""
    pack = runtime.packs.get(org)
    flow = pack.flows.get(flow_id) if pack is not None and flow_id else None
    return flow.title.get(lang) if flow is not None else (flow_id or "")


async def _conversation_view(request: web.Request, user: StaffUser, conv: ConvRow, *,
                             reveal: str | None = None, error: str = "", status: int = 200) -> web.Response:
    runtime = runtime_of(request)
    assert runtime.db is not None and runtime.cases is not None
    flow = conv.state.get("flow") or {}
    answers = _form_answers(runtime, conv)
    flow_id = flow.get("flow") if isinstance(flow, dict) else None
    cases = await runtime.cases.for_beneficiary(conv.org, conv.beneficiary_id, open_only=False)
    async with runtime.db.reader.connect() as conn:
        notes = (await conn.execute(
            select(Note.body, Note.created_at, Staff.name).outerjoin(Staff, Staff.id == Note.staff_id)
            .where(Note.conversation_id == conv.id).order_by(Note.created_at)
        )).all()
        canned = (await conn.execute(
            select(CannedReply.title, CannedReply.body).where(CannedReply.org == conv.org).order_by(CannedReply.title)
        )).all()
        staff = (await conn.execute(select(Staff.id, Staff.name, Staff.orgs).where(Staff.disabled_at.is_(None)))).all()
    colleagues = [s for s in staff if conv.org in (s.orgs or ())]
    handoff = conv.state.get("handoff") or {}
    return render(
        request, "conversation.html", status=status, conv=conv, messages=await _transcript(request, conv),
        flow_id=flow_id, flow_title=_flow_title(runtime, conv.org, flow_id, lang_of(request)),
        answers=_masked_answers(answers or {}, reveal, lang_of(request),
                                attachments.form_fields(runtime, conv.org, flow_id)),
        cases=cases, notes=notes, canned=canned, contact=await contact_panel(runtime, conv),
        labels=labels_of(conv.state),
        colleagues=colleagues, handoff=handoff, error=error, org_name=runtime.packs[conv.org].pack.short_name,
        can_assign=user.role in ("coordinator", "admin"),
    )


async def conversation_page(request: web.Request) -> web.Response:
    user = await need(request)
    conv = await _conv(request, user)
    await audit_access(request, user, "view.conversation", conv.org, f"conversation:{conv.id}")
    return await _conversation_view(request, user, conv)


async def transcript_fragment(request: web.Request) -> web.Response:
    user = await need(request)
    conv = await _conv(request, user)
    await audit_access(request, user, "view.conversation", conv.org, f"conversation:{conv.id}",
                       once_within=TRANSCRIPT_AUDIT_WINDOW)
    resp = render(request, "transcript.html", conv=conv, messages=await _transcript(request, conv))
    resp.headers["X-Conversation-Status"] = conv.status
    return resp


def _back(conv: ConvRow, msg: str) -> web.HTTPException:
    return web.HTTPSeeOther(f"/console/c/{conv.id}?msg={msg}")


async def conversation_action(request: web.Request) -> web.Response:
    user = await need(request)
    conv = await _conv(request, user)
    runtime = runtime_of(request)
    assert runtime.db is not None
    action = request.match_info["action"]
    form = await request.post()
    try:
        if action == "claim":
            await service.claim(runtime, user, conv)
            raise _back(conv, "claimed")
        if action == "assign":
            if user.role not in ("coordinator", "admin"):
                raise forbidden_page(request)
            try:
                await service.claim(runtime, user, conv, assignee=form_text(form, "staff_id")[:32])
            except NotFound:
                raise not_found(request) from None
            raise _back(conv, "assigned")
        if action == "reply":
            try:
                await service.reply(runtime, user, conv, form_text(form, "text"))
            except ValueError:
                return await _conversation_view(request, user, conv, error="err.text", status=400)
            raise _back(conv, "sent")
        if action == "note":
            body = form_text(form, "body").strip()
            if not body or len(body) > service.MAX_NOTE:
                return await _conversation_view(request, user, conv, error="err.text", status=400)
            async with runtime.db.writer.begin() as conn:
                await conn.execute(insert(Note).values(id=new_id(), conversation_id=conv.id, org=conv.org,
                                                       staff_id=user.id, body=mask_national_ids(body),
                                                       created_at=datetime.now(UTC)))
                await audit(conn, actor=f"staff:{user.id}", action="conversation.note", org=conv.org, target=conv.id)
            raise _back(conv, "noted")
        if action == "labels":
            await set_labels(runtime, user, conv, parse_labels(form_text(form, "labels")[:400]))
            raise _back(conv, "saved")
        if action == "handback":
            await service.hand_back(runtime, user, conv)
            raise _back(conv, "handed_back")
        if action == "close":
            await service.close(runtime, user, conv)
            raise _back(conv, "closed")
        if action == "reveal":
            nid = str(_form_answers(runtime, conv).get("national_id") or "")
            async with runtime.db.writer.begin() as conn:
                await audit(conn, actor=f"staff:{user.id}", action="reveal.national_id", org=conv.org,
                            target=f"conversation:{conv.id}")
            return await _conversation_view(request, user, conv, reveal=nid)
    except Conflict as exc:
        code = "err.claimed" if str(exc) == "claimed" else "err.state"
        return await _conversation_view(request, user, await _conv(request, user), error=code, status=409)
    raise not_found(request)


# -- report ------------------------------------------------------------------------------------


async def report_page(request: web.Request) -> web.Response:
    user = await need(request)
    data = await report.build(runtime_of(request), user)
    return render(request, "report.html", r=data)


async def report_csv(request: web.Request) -> web.Response:
    user = await need(request, "coordinator")
    runtime = runtime_of(request)
    assert runtime.db is not None
    rows = await report.survey_rows(runtime, user)
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="report.export", detail={"rows": len(rows),
                                                                                      "orgs": list(user.orgs)})
    return web.Response(body=("\ufeff" + report.to_csv(rows)).encode(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="sila-satisfaction.csv"'})


# -- canned replies, staff, account, audit -----------------------------------------------------


async def canned_page(request: web.Request) -> web.Response:
    user = await need(request, "coordinator")
    runtime = runtime_of(request)
    assert runtime.db is not None
    error = ""
    status = 200
    if request.method == "POST":
        form = await request.post()
        org, title, body = form_text(form, "org"), form_text(form, "title").strip(), form_text(form, "body").strip()
        if not user.can(org):
            raise forbidden_page(request)
        if not title or len(title) > MAX_CANNED_TITLE or not body or len(body) > MAX_CANNED_BODY:
            error, status = "err.text", 400
        else:
            async with runtime.db.writer.begin() as conn:
                await conn.execute(insert(CannedReply).values(id=new_id(), org=org, title=title, body=body,
                                                              created_by=user.id, created_at=datetime.now(UTC)))
                await audit(conn, actor=f"staff:{user.id}", action="canned.create", org=org, target=title[:80])
            raise web.HTTPSeeOther("/console/canned?msg=saved")
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(select(CannedReply).where(CannedReply.org.in_(user.orgs))
                                   .order_by(CannedReply.org, CannedReply.title))).all()
    return render(request, "canned.html", rows=rows, error=error, status=status)


async def staff_page(request: web.Request) -> web.Response:
    user = await need(request, "admin")
    runtime = runtime_of(request)
    assert runtime.db is not None
    error, status = "", 200
    if request.method == "POST":
        form = await request.post()
        orgs = [o for o in form.getall("orgs", []) if isinstance(o, str)]
        if any(not user.can(o) for o in orgs):
            error, status = "err.orgs", 400
        else:
            try:
                await auth.create_staff(
                    runtime.db, email=form_text(form, "email"), name=form_text(form, "name"),
                    role=form_text(form, "role"),
                    orgs=orgs, password=form_text(form, "password"), known_orgs=set(runtime.packs),
                    actor=f"staff:{user.id}", passwords=passwords_of(request))
            except auth.StaffError as exc:
                error, status = f"err.{exc}", 400
            else:
                raise web.HTTPSeeOther("/console/staff?msg=saved")
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(select(Staff.id, Staff.email, Staff.name, Staff.role, Staff.orgs,
                                          Staff.disabled_at).order_by(Staff.created_at))).all()
    visible = [r for r in rows if set(r.orgs or ()) & set(user.orgs)]
    return render(request, "staff.html", rows=visible, error=error, status=status, roles=auth.ROLES,
                  limits={"email": auth.MAX_EMAIL, "name": auth.MAX_NAME, "password": auth.MAX_PASSWORD})


async def staff_toggle(request: web.Request) -> web.Response:
    user = await need(request, "admin")
    runtime = runtime_of(request)
    assert runtime.db is not None
    sid = request.match_info["staff_id"][:32]
    async with runtime.db.reader.connect() as conn:
        row = (await conn.execute(select(Staff.orgs, Staff.disabled_at).where(Staff.id == sid))).first()
    if row is None:
        raise not_found(request)
    if not set(row.orgs or ()) <= set(user.orgs) or sid == user.id:
        raise forbidden_page(request)
    await auth.set_disabled(runtime.db, sid, row.disabled_at is None, actor=f"staff:{user.id}")
    raise web.HTTPSeeOther("/console/staff?msg=saved")


async def account_page(request: web.Request) -> web.Response:
    user = await need(request)
    runtime = runtime_of(request)
    assert runtime.db is not None
    if request.method == "POST":
        form = await request.post()
        async with runtime.db.reader.connect() as conn:
            row = (await conn.execute(select(Staff.password_hash).where(Staff.id == user.id))).one()
        # a stolen session must not become a way to guess the account's password quickly
        key = f"account:{user.id}"
        if await login_throttle.claim(runtime.db, [(key, auth.PAIR_POLICY)], time.time()):
            return render(request, "account.html", error="err.throttled", status=429)
        if not await passwords_of(request).verify(row.password_hash, form_text(form, "current")[: auth.MAX_PASSWORD]):
            return render(request, "account.html", error="err.wrong_password", status=400)
        await login_throttle.succeeded(runtime.db, forget=[key], uncount=[])
        try:
            await auth.set_password(runtime.db, user.id, form_text(form, "new"), actor=f"staff:{user.id}",
                                    passwords=passwords_of(request))
        except auth.StaffError:
            return render(request, "account.html", error="err.password", status=400)
        raise web.HTTPSeeOther("/console/login?msg=password")
    return render(request, "account.html", error="")


async def audit_page(request: web.Request) -> web.Response:
    user = await need(request, "admin")
    runtime = runtime_of(request)
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        rows = (await conn.execute(audit_rows_for(user).order_by(AuditLog.at.desc()).limit(300))).all()
    # who, by name: "staff:<id>" actors, and staff ids as the target of a staff change
    ids = {r.actor.split(":", 1)[1] for r in rows if r.actor.startswith("staff:")}
    ids |= {r.target for r in rows if r.action.startswith("staff.") and r.target}
    names = await case_ops.staff_names(runtime, ids)
    return render(request, "audit.html", rows=rows, names=names)


def audit_rows_for(user: StaffUser) -> Select[AuditLog]:
    """The audit rows ``user`` may read: their associations' rows; and only for a system-wide
    administrator, every row, including those of no association (sign-ins and failed sign-ins
    with the e-mails tried, staff accounts, exports), which would otherwise tell one
    association's admin about another's staff."""
    if user.system_admin:
        return select(AuditLog)
    return select(AuditLog).where(AuditLog.org.in_(user.orgs))
