"""Console pages for coordinator broadcasts: list, detail with live progress, pause / resume /
cancel, and the per-recipient CSV report.

Everything is delegated to :mod:`storage.broadcasts` and :mod:`wiring.broadcasts` (the same state
changes and the same formula-safe CSV the ``sila broadcast`` command uses); this module only adds
the association scoping (403), the CSRF check (``need``) and the audit trail.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.i18n import STAFF_TEXTS, tr
from bot.types import PUSH_CHANNELS
from channels.broadcast_test import adapters_of, send_test
from channels.push import PUSH
from console.auth import StaffUser
from console.web import forbidden, lang_of, need, not_found, render, runtime_of
from storage import broadcasts as bs
from storage.broadcast_watch import unclaimed
from storage.cases import TRANSITIONS, audit
from wiring import broadcasts as actions
from wiring.broadcasts import BroadcastRefused, mask_address, summarize_counts, write_csv

ACTIONS = ("pause", "resume", "cancel")
MAX_NAME, MAX_TEXT, MAX_CITIES = 120, 5000, 20
LANGS = ("ar", "en")
#: the window the sending rate is measured over
RATE_WINDOW = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    queued: int
    sent: int
    delivered: int
    failed: int
    skipped: int
    cancelled: int
    finished: int
    rate: float
    eta_seconds: int | None
    #: due rows that no worker has touched for a while: nobody is sending this broadcast
    unclaimed: bool = False


def _counts_view(counts: dict[str, int]) -> dict[str, int]:
    c = summarize_counts(counts)
    c["finished"] = c["total"] - c["queued"]
    return c


async def _progress(request: web.Request, bc: bs.BroadcastRecord) -> Progress:
    db = runtime_of(request).db
    assert db is not None
    c = _counts_view(await bs.counts(db, bc.id))
    rate = 0.0
    if bc.status == "sending":
        rate = await bs.sent_since(db, bc.id, datetime.now(UTC) - RATE_WINDOW) / RATE_WINDOW.total_seconds()
    eta = int(c["queued"] / rate) if rate > 0 and c["queued"] else (0 if not c["queued"] else None)
    stalled = bc.status == "sending" and c["queued"] > 0 and await unclaimed(db, bc.id)
    return Progress(total=c["total"], queued=c["queued"], sent=c["sent"], delivered=c["delivered"],
                    failed=c["failed"], skipped=c["skipped"], cancelled=c["cancelled"], finished=c["finished"],
                    rate=rate, eta_seconds=eta, unclaimed=stalled)


async def _broadcast(request: web.Request, user: StaffUser) -> bs.BroadcastRecord:
    """The broadcast in the URL: 404 when unknown, 403 when another association's."""
    db = runtime_of(request).db
    assert db is not None
    bc = await bs.get(db, request.match_info["bid"][:32])
    if bc is None:
        raise not_found(request)
    if not user.can(bc.org):
        raise forbidden(request)
    return bc


async def broadcasts_page(request: web.Request) -> web.Response:
    user = await need(request, "coordinator")
    db = runtime_of(request).db
    assert db is not None
    rows = [(bc, _counts_view(counts)) for bc, counts in await bs.list_for(db, user.orgs)]
    return render(request, "broadcasts.html", rows=rows)


async def broadcast_page(request: web.Request) -> web.Response:
    user = await need(request, "coordinator")
    bc = await _broadcast(request, user)
    return await _detail(request, bc)


async def _detail(request: web.Request, bc: bs.BroadcastRecord, *, refusal: str = "",
                  status: int = 200) -> web.Response:
    preview = summary = None
    if bc.status == "draft":
        runtime = runtime_of(request)
        assert runtime.db is not None
        summary = await bs.summarize(runtime.db, bc.org, bc.audience)
        try:
            preview = actions.preview_lines(runtime.settings, bc, summary)
        except BroadcastRefused as exc:
            refusal = refusal or refusal_text(exc, lang_of(request))
    return render(request, "broadcast.html", bc=bc, p=await _progress(request, bc), actions=_allowed(bc.status),
                  summary=summary, preview=preview, refusal=refusal, status=status)


def _days(value: str) -> int | None:
    """A number of days from the form (1–3650), or None when left empty or not a number."""
    return int(value) if value.isdigit() and 0 < int(value) <= 3650 else None


def _field(form: object, name: str) -> str:
    value = form.get(name, "")  # type: ignore[attr-defined]
    return value.strip() if isinstance(value, str) else ""


def _form_ctx(user: StaffUser, form: dict[str, Any]) -> dict[str, Any]:
    return {"orgs": user.orgs, "channels": PUSH_CHANNELS, "statuses": tuple(TRANSITIONS), "langs": LANGS,
            "f": form, "max_name": MAX_NAME, "max_text": MAX_TEXT}


async def new_page(request: web.Request) -> web.Response:
    """The create form (GET) and the draft it makes (POST → the draft's preview page)."""
    user = await need(request, "coordinator")
    runtime = runtime_of(request)
    assert runtime.db is not None
    if request.method != "POST":
        return render(request, "broadcast_new.html", **_form_ctx(user, {"org": user.orgs[0] if user.orgs else ""}))
    form = await request.post()
    org = _field(form, "org")
    if not user.can(org):
        raise forbidden(request)
    name = _field(form, "name")[:MAX_NAME]
    texts = {lang: _field(form, f"text_{lang}")[:MAX_TEXT] for lang in LANGS if _field(form, f"text_{lang}")}
    channels = tuple(c for c in PUSH_CHANNELS if c in form.getall("channels", []))
    statuses = tuple(s for s in TRANSITIONS if s in form.getall("case_status", []))
    langs = tuple(x for x in LANGS if x in form.getall("lang", []))
    cities = tuple(c.strip()[:80] for c in _field(form, "city").replace("،", ",").split(",") if c.strip())
    template = _field(form, "template")[:80] or None
    within, silent = _days(_field(form, "contacted_within")), _days(_field(form, "not_contacted_within"))
    audience = bs.Audience(channels=channels, case_status=statuses, city=cities[:MAX_CITIES], lang=langs,
                           contacted_within_days=within, not_contacted_within_days=silent)
    shown = {"org": org, "name": name, "text_ar": texts.get("ar", ""), "text_en": texts.get("en", ""),
             "channels": channels, "case_status": statuses, "lang": langs, "city": ", ".join(cities),
             "template": template or "", "contacted_within": within or "", "not_contacted_within": silent or ""}
    try:
        if not name:
            raise BroadcastRefused("give the broadcast a name", "no_name")
        if org not in runtime.packs:
            raise BroadcastRefused(f"unknown association '{org}'")
        actions.check_new(runtime.settings, org, texts, audience, template)
        bid = await actions.create_checked(runtime.db, org=org, name=name, audience=audience, texts=texts,
                                       template=template, created_by=f"staff:{user.id}")
    except BroadcastRefused as exc:
        return render(request, "broadcast_new.html", status=400, refusal=refusal_text(exc, lang_of(request)),
                      **_form_ctx(user, shown))
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="broadcast.create", org=org, target=bid,
                    detail={"name": name, "audience": audience.to_json()})
    raise web.HTTPSeeOther(f"/console/broadcasts/{bid}?msg=bc_draft")


async def broadcast_send(request: web.Request) -> web.Response:
    """Send a draft: every refusal of ``sila broadcast send`` is shown on the page, nothing queued."""
    user = await need(request, "coordinator")
    bc = await _broadcast(request, user)
    runtime = runtime_of(request)
    assert runtime.db is not None
    form = await request.post()
    when = _field(form, "at")
    try:
        at = actions.parse_at(when) if when else None
        total, _summary = await actions.send_checked(runtime.settings, runtime.db, bc, at)
    except BroadcastRefused as exc:
        async with runtime.db.writer.begin() as conn:
            await audit(conn, actor=f"staff:{user.id}", action="broadcast.send.refused", org=bc.org, target=bc.id,
                        detail={"reason": str(exc)[:200]})
        current = await bs.get(runtime.db, bc.id)
        return await _detail(request, current or bc, refusal=refusal_text(exc, lang_of(request)), status=400)
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="broadcast.send", org=bc.org, target=bc.id,
                    detail={"recipients": total})
    raise web.HTTPSeeOther(f"/console/broadcasts/{bc.id}?msg={'bc_scheduled' if at else 'bc_queued'}")


async def broadcast_test_send(request: web.Request) -> web.Response:
    """The broadcast's text to one address (the coordinator's own), on a chosen channel: audited."""
    user = await need(request, "coordinator")
    bc = await _broadcast(request, user)
    runtime = runtime_of(request)
    assert runtime.db is not None
    form = await request.post()
    channel, to, lang = _field(form, "channel"), _field(form, "to"), _field(form, "lang") or "ar"
    push = request.app.get(PUSH)
    try:
        if push is None or channel not in PUSH_CHANNELS or lang not in ("ar", "en"):
            raise BroadcastRefused(f"{channel} is not configured for {bc.org}", "channel_unconfigured",
                                   channel=channel)
        await send_test(adapters_of(push), bc, channel, to, lang)
    except BroadcastRefused as exc:
        current = await bs.get(runtime.db, bc.id)
        return await _detail(request, current or bc, refusal=refusal_text(exc, lang_of(request)), status=400)
    async with runtime.db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="broadcast.test", org=bc.org, target=bc.id,
                    detail={"channel": channel, "to": mask_address(to)})
    raise web.HTTPSeeOther(f"/console/broadcasts/{bc.id}?msg=bc_test_sent")


def refusal_text(exc: BroadcastRefused, lang: str) -> str:
    """A refusal in the reader's words; the command line's own wording when the page has none."""
    key = f"bcr.{exc.code}"
    if exc.code and key in STAFF_TEXTS:
        return tr(key, lang).format(**exc.params)
    return str(exc)


async def broadcast_progress(request: web.Request) -> web.Response:
    user = await need(request, "coordinator")
    bc = await _broadcast(request, user)
    return render(request, "broadcast_progress.html", bc=bc, p=await _progress(request, bc))


def _allowed(status: str) -> tuple[str, ...]:
    return {"sending": ("pause", "cancel"), "paused": ("resume", "cancel"), "draft": ("cancel",)}.get(status, ())


async def broadcast_action(request: web.Request) -> web.Response:
    user = await need(request, "coordinator")
    bc = await _broadcast(request, user)
    action = request.match_info["action"]
    db = runtime_of(request).db
    assert db is not None
    try:
        status = await bs.set_state(db, bc.id, action)
    except bs.BroadcastError as exc:
        async with db.writer.begin() as conn:
            await audit(conn, actor=f"staff:{user.id}", action=f"broadcast.{action}.refused", org=bc.org,
                        target=bc.id, detail={"status": bc.status, "reason": str(exc)[:200]})
        raise web.HTTPSeeOther(f"/console/broadcasts/{bc.id}?msg=bc_refused") from None
    async with db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action=f"broadcast.{action}", org=bc.org, target=bc.id,
                    detail={"from": bc.status, "to": status})
    raise web.HTTPSeeOther(f"/console/broadcasts/{bc.id}?msg=bc_{status}")


async def broadcast_csv(request: web.Request) -> web.Response:
    user = await need(request, "coordinator")
    bc = await _broadcast(request, user)
    db = runtime_of(request).db
    assert db is not None
    buf = io.StringIO()
    rows = await write_csv(db, bc.id, buf)
    async with db.writer.begin() as conn:
        await audit(conn, actor=f"staff:{user.id}", action="broadcast.export", org=bc.org, target=bc.id,
                    detail={"rows": rows})
    return web.Response(body=("\ufeff" + buf.getvalue()).encode(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="sila-broadcast-{bc.id}.csv"'})


def setup_routes(app: web.Application) -> None:
    r = app.router
    bid = "{bid:[0-9A-Za-z]{1,32}}"
    r.add_get("/console/broadcasts", broadcasts_page)
    r.add_route("*", "/console/broadcasts/new", new_page)
    r.add_post(f"/console/broadcasts/{bid}/send", broadcast_send)
    r.add_post(f"/console/broadcasts/{bid}/test", broadcast_test_send)
    r.add_get(f"/console/broadcasts/{bid}.csv", broadcast_csv)
    r.add_get(f"/console/broadcasts/{bid}/progress", broadcast_progress)
    r.add_post(f"/console/broadcasts/{bid}/{{action:{'|'.join(ACTIONS)}}}", broadcast_action)
    r.add_get(f"/console/broadcasts/{bid}", broadcast_page)
