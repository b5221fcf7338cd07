"""Changing what was set up: a staff member's name and role (admins), canned replies (coordinators).

People change names on their ID and move between roles; a canned reply goes out of date when a
procedure changes. Before, both could only be created. Every change is audited like the rest of
the console, and scoped the same way: only within the acting user's associations.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import delete, select, update

from console import auth
from console.pages import MAX_CANNED_BODY, MAX_CANNED_TITLE
from console.web import forbidden as forbidden_page
from console.web import form_text, need, not_found, runtime_of
from storage.cases import audit
from storage.models import CannedReply, Staff


async def staff_edit(request: web.Request) -> web.Response:
    """``POST /console/staff/{id}/edit``: name and role. An admin keeps their own role (no lock-out)."""
    user = await need(request, "admin")
    runtime = runtime_of(request)
    assert runtime.db is not None
    sid = request.match_info["staff_id"][:32]
    form = await request.post()
    name, role = form_text(form, "name").strip(), form_text(form, "role")
    async with runtime.db.reader.connect() as conn:
        row = (await conn.execute(select(Staff.orgs, Staff.name, Staff.role).where(Staff.id == sid))).first()
    if row is None:
        raise not_found(request)
    if not set(row.orgs or ()) <= set(user.orgs):
        raise forbidden_page(request)
    if sid == user.id:
        role = row.role
    if not name or len(name) > auth.MAX_NAME or role not in auth.ROLES:
        raise web.HTTPSeeOther("/console/staff?msg=refused")
    async with runtime.db.writer.begin() as conn:
        await conn.execute(update(Staff).where(Staff.id == sid).values(name=name, role=role))
        await audit(conn, actor=f"staff:{user.id}", action="staff.update", target=sid,
                    detail={"name_changed": name != row.name, "role": [row.role, role]})
    raise web.HTTPSeeOther("/console/staff?msg=saved")


async def _canned(request: web.Request) -> tuple[auth.StaffUser, str, str]:
    user = await need(request, "coordinator")
    runtime = runtime_of(request)
    assert runtime.db is not None
    cid = request.match_info["canned_id"][:32]
    async with runtime.db.reader.connect() as conn:
        org = (await conn.execute(select(CannedReply.org).where(CannedReply.id == cid))).scalar()
    if org is None:
        raise not_found(request)
    if not user.can(org):
        raise forbidden_page(request)
    return user, cid, org


async def canned_edit(request: web.Request) -> web.Response:
    user, cid, org = await _canned(request)
    form = await request.post()
    title, body = form_text(form, "title").strip(), form_text(form, "body").strip()
    if not title or len(title) > MAX_CANNED_TITLE or not body or len(body) > MAX_CANNED_BODY:
        raise web.HTTPSeeOther("/console/canned?msg=refused")
    runtime = runtime_of(request)
    assert runtime.db is not None
    async with runtime.db.writer.begin() as conn:
        await conn.execute(update(CannedReply).where(CannedReply.id == cid).values(title=title, body=body))
        await audit(conn, actor=f"staff:{user.id}", action="canned.update", org=org, target=title[:80])
    raise web.HTTPSeeOther("/console/canned?msg=saved")


async def canned_delete(request: web.Request) -> web.Response:
    user, cid, org = await _canned(request)
    runtime = runtime_of(request)
    assert runtime.db is not None
    async with runtime.db.writer.begin() as conn:
        title = (await conn.execute(select(CannedReply.title).where(CannedReply.id == cid))).scalar()
        await conn.execute(delete(CannedReply).where(CannedReply.id == cid))
        await audit(conn, actor=f"staff:{user.id}", action="canned.delete", org=org, target=str(title or "")[:80])
    raise web.HTTPSeeOther("/console/canned?msg=deleted")


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_post("/console/staff/{staff_id}/edit", staff_edit)
    r.add_post("/console/canned/{canned_id}/edit", canned_edit)
    r.add_post("/console/canned/{canned_id}/delete", canned_delete)
