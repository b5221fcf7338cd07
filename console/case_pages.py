"""Console case pages: the list, one case (status changes, the audited ID reveal) and its files."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.i18n import STAFF_TEXTS, tr
from bot.sealed import unseal
from console import attachments
from console import cases as case_ops
from console.auth import StaffUser
from console.message_files import serve_attachment
from console.service import Forbidden, NotFound
from console.web import audit_access, form_text, lang_of, need, not_found, render, runtime_of
from console.web import forbidden as forbidden_page
from storage.cases import STATUSES, TRANSITIONS, BadTransition, StaleCase, audit
from storage.crypto import mask
from storage.verification import AuditVerificationGuard

log = logging.getLogger("sila.console")


async def cases_page(request: web.Request) -> web.Response:
    user = await need(request)
    q = request.query
    rows = await case_ops.list_cases(runtime_of(request), user, status=q.get("status", ""), age=q.get("age", ""),
                                     q=q.get("q", ""), org=q.get("org", ""))
    return render(request, "cases.html", rows=rows, statuses=STATUSES, f=q)


async def _case(request: web.Request, user: StaffUser) -> Any:
    try:
        return await case_ops.load_case(runtime_of(request), user, request.match_info["case_id"])
    except NotFound:
        raise not_found(request) from None
    except Forbidden:
        raise forbidden_page(request) from None


async def _case_view(request: web.Request, case: Any, *, reveal: str | None = None, error: str = "",
                     status: int = 200, chosen: str = "", comment: str = "") -> web.Response:
    """The case page; after a refused change, the officer's chosen status and text stay in the form
    (a form that fell back to its first option, "approved", would be one click from approving)."""
    runtime = runtime_of(request)
    assert runtime.cases is not None
    history = await runtime.cases.history(case.id)
    names = await case_ops.staff_names(runtime, {h["actor"].split(":", 1)[1] for h in history
                                                 if h["actor"].startswith("staff:")})
    for h in history:
        if h["actor"].startswith("staff:"):
            h["actor"] = names.get(h["actor"].split(":", 1)[1], h["actor"])
        elif f"actor.{h['actor']}" in STAFF_TEXTS:
            h["actor"] = tr(f"actor.{h['actor']}", lang_of(request))
    nid = reveal if reveal is not None else (mask("000000" + case.national_id_last4) if case.national_id_last4 else "")
    data = attachments.answer_views(case.id, unseal(case.data or {}, runtime.cipher), lang_of(request),
                                    attachments.form_fields(runtime, case.org, case.flow_id))
    assert runtime.db is not None
    failed, failed_last = await AuditVerificationGuard(runtime.db).failures(case.org, case.reference,
                                                                             datetime.now(UTC))
    return render(request, "case.html", status=status, case=case, history=history, nid=nid, data=data,
                  transitions=TRANSITIONS.get(case.status, ()), error=error, revealed=reveal is not None,
                  verify_failures=failed, verify_last=failed_last, chosen=chosen, comment=comment)


async def case_page(request: web.Request) -> web.Response:
    user = await need(request)
    case = await _case(request, user)
    await audit_access(request, user, "view.case", case.org, f"case:{case.reference}")
    return await _case_view(request, case)


async def case_status_post(request: web.Request) -> web.Response:
    user = await need(request)
    case = await _case(request, user)
    form = await request.post()
    kept = {"chosen": form_text(form, "to")[:16], "comment": form_text(form, "comment")[:1000]}
    try:
        version = int(form_text(form, "version"))
    except ValueError:
        return await _case_view(request, case, error="err.stale", status=400, **kept)
    try:
        await case_ops.change_status(runtime_of(request), user, case, to_status=kept["chosen"],
                                     version=version, comment=form_text(form, "comment"))
    except StaleCase:
        return await _case_view(request, await _case(request, user), error="err.stale", status=409, **kept)
    except BadTransition:
        return await _case_view(request, case, error="err.transition", status=400, **kept)
    except ValueError as exc:
        error = "err.reason_required" if str(exc) == "comment_required" else "err.text"
        return await _case_view(request, case, error=error, status=400, **kept)
    raise web.HTTPSeeOther(f"/console/cases/{case.id}?msg=status")


async def case_reveal_post(request: web.Request) -> web.Response:
    user = await need(request)
    case = await _case(request, user)
    runtime = runtime_of(request)
    assert runtime.db is not None and runtime.cipher is not None
    plain = runtime.cipher.decrypt(case.national_id_enc) if case.national_id_enc else ""
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="reveal.national_id", org=case.org,
                    target=f"case:{case.reference}")
    return await _case_view(request, case, reveal=plain)


async def case_file(request: web.Request) -> web.StreamResponse:
    """One attached file of a case, fetched from the provider on demand; each view is audited."""
    user = await need(request)
    case = await _case(request, user)
    field = request.match_info["field"]
    value = unseal(case.data or {}, runtime_of(request).cipher).get(field)
    if not attachments.is_file(value):
        raise not_found(request)
    return await serve_attachment(request, user, case.org, attachments.attachment_of(value),
                                  target=f"case:{case.reference}:{field}", name=f"{case.reference}-{field}")
