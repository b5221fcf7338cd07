"""Admins edit their association's knowledge and settings: the console side of issue 17.

Each form turns into one change of the association's override document and goes through
:meth:`wiring.knowledge.PackRegistry.edit`, which validates it with the pack models, stores a
new version with its diff and an audit row, swaps the pack in on this worker and tells the
others. The pages stay thin: they read the form, say what to change, and show the refusal on
the same page when the models refuse, with nothing stored and what was typed kept: the field by
the label the form shows and what is expected, in plain words (:mod:`console.edit_refusals`),
never a field path or a pattern. Every form
carries the version it was read at; a save on top of someone else's newer save is refused
rather than silently undoing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.pack_edit import EditError, document, dump_yaml, merge, parse_yaml, prune
from bot.packs import LoadedPack
from console import knowledge
from console.edit_refusals import explain
from console.web import forbidden, form_text, lang_of, need, render, runtime_of
from storage import pack_overrides
from wiring.knowledge import PackRegistry, VersionConflict

__all__ = ["export_yaml", "history_page", "import_post", "knowledge_post", "rollback_post", "settings_post"]

Change = Callable[[dict[str, Any]], dict[str, Any]]
#: the largest YAML accepted by the import (a pack is ~100 KB)
MAX_IMPORT = 1_000_000
RETENTION = ("messages_days", "raw_updates_days", "provider_statuses_days", "audit_days")


async def _admin(request: web.Request) -> tuple[Any, list[str], str, Any]:
    """The admin, their associations, the one the form is about (403 otherwise), and the form."""
    user = await need(request, "admin")
    form = await request.post()
    runtime = runtime_of(request)
    orgs = [o for o in user.orgs if o in runtime.packs]
    org = form_text(form, "org")
    if org not in orgs or runtime.knowledge is None or runtime.db is None:
        raise forbidden(request)
    return user, orgs, org, form


def _registry(request: web.Request) -> PackRegistry:
    registry = runtime_of(request).knowledge
    assert registry is not None
    return registry


def _expected(form: Any) -> int:
    try:
        return int(form_text(form, "version"))
    except ValueError:
        raise EditError("version", "missing", "stale_form") from None


def _both(form: Any, name: str, *, required: bool = True) -> dict[str, str] | None:
    ar, en = form_text(form, f"{name}_ar").strip(), form_text(form, f"{name}_en").strip()
    if not ar and not en and not required:
        return None
    return {"ar": ar, "en": en}


def _number(form: Any, name: str, field: str) -> int | None:
    text = form_text(form, name).strip()
    if not text:
        return None
    if not text.isdigit():
        raise EditError(field, "must be a whole number of days", "not_whole_number")
    return int(text)


def _topic(pack: LoadedPack, tid: str) -> Any:
    found = next((t for t in pack.faq.topics if t.id == tid), None)
    if found is None:
        raise EditError(f"topics.{tid}", "no such topic", "no_such_topic")
    return found


def knowledge_change(pack: LoadedPack, form: Any) -> tuple[str, Change, dict[str, Any]]:
    """What one knowledge form asks: (action, change of the override, audit detail)."""
    action, tid = form_text(form, "action"), form_text(form, "topic").strip()

    def set_topic(key: str, value: Any) -> Change:
        def change(doc: dict[str, Any]) -> dict[str, Any]:
            doc.setdefault("topics", {}).setdefault(tid, {})[key] = value
            return doc
        return change

    if action == "answer":
        _topic(pack, tid)
        return action, set_topic("answer", _both(form, "answer")), {"topic": tid}
    if action in ("add_phrasing", "remove_phrasing"):
        questions = list(_topic(pack, tid).questions)
        phrase = " ".join(form_text(form, "phrasing").split())
        if not phrase:
            raise EditError(f"topics.{tid}.questions", "the phrasing is empty", "phrasing_empty")
        if action == "add_phrasing":
            if phrase in questions:
                raise EditError(f"topics.{tid}.questions", "this phrasing is already there", "phrasing_duplicate")
            questions.append(phrase)
        else:
            if phrase not in questions:
                raise EditError(f"topics.{tid}.questions", "no such phrasing", "phrasing_gone")
            questions.remove(phrase)
        return action, set_topic("questions", questions), {"topic": tid, "phrasing": phrase}
    if action == "add_topic":
        if any(t.id == tid for t in pack.faq.topics):
            raise EditError(f"topics.{tid}", "a topic with this id already exists", "topic_exists")
        new = {"clause": _both(form, "clause"), "answer": _both(form, "answer"),
               "questions": [q.strip() for q in form_text(form, "questions").splitlines() if q.strip()]}

        def add(doc: dict[str, Any]) -> dict[str, Any]:
            removed = [r for r in doc.get("removed_topics", []) if r != tid]
            doc["removed_topics"] = removed
            doc.setdefault("topics", {})[tid] = new
            return doc
        return action, add, {"topic": tid}
    if action == "remove_topic":
        _topic(pack, tid)

        def remove(doc: dict[str, Any]) -> dict[str, Any]:
            doc.setdefault("topics", {}).pop(tid, None)
            doc["removed_topics"] = sorted({*doc.get("removed_topics", []), tid})
            return doc
        return action, remove, {"topic": tid}
    raise EditError("action", f"unknown action '{action}'", "stale_form")


def settings_change(pack: LoadedPack, form: Any) -> tuple[str, Change, dict[str, Any]]:
    """What one settings form asks (the association's facts, or one form prompt)."""
    action = form_text(form, "action")
    if action == "prompt":
        flow_id, field_id = form_text(form, "flow"), form_text(form, "field")
        flow = pack.flows.get(flow_id)
        if flow is None or flow.field(field_id) is None:
            raise EditError(f"flows.{flow_id}.fields.{field_id}", "no such form field", "field_gone")
        prompt = _both(form, "prompt")

        def set_prompt(doc: dict[str, Any]) -> dict[str, Any]:
            fields = doc.setdefault("flows", {}).setdefault(flow_id, {}).setdefault("fields", {})
            fields.setdefault(field_id, {})["prompt"] = prompt
            return doc
        return action, set_prompt, {"flow": flow_id, "field": field_id}
    if action != "settings":
        raise EditError("action", f"unknown action '{action}'", "stale_form")
    days = [int(d) for d in form.getall("days", []) if isinstance(d, str) and d.isdigit()]
    current = pack.pack.contact.working_hours.days
    days = list(current) if sorted(days) == sorted(current) else sorted(set(days))  # the same days, not an edit
    # empty: the association states no hours (none are claimed to beneficiaries)
    hours = {"start": form_text(form, "start").strip() or None, "end": form_text(form, "end").strip() or None,
             "days": days}
    contact: dict[str, Any] = {key: form_text(form, key).strip() or None for key in ("phone", "email", "website")}
    origins = form_text(form, "widget_origins").splitlines()
    contact["widget_origins"] = [line.strip() for line in origins if line.strip()]
    for key in ("crisis_lines", "crisis_violence_lines"):
        contact[key] = "; ".join(line.strip() for line in form_text(form, key).splitlines() if line.strip()) or None
    partial = {
        "name": _both(form, "name"), "short_name": _both(form, "short_name"),
        "referral_officer": _both(form, "officer"), "committee": _both(form, "committee", required=False),
        "decision_min_days": _number(form, "decision_min_days", "pack.decision_min_days"),
        "contact": {**contact, "address": _both(form, "address", required=False), "working_hours": hours},
        "retention": {k: _number(form, k, f"pack.retention.{k}") for k in RETENTION},
    }

    sla = form_text(form, "first_response_minutes").strip()
    if sla:
        if not sla.isdigit():
            raise EditError("pack.first_response_minutes", "must be a whole number of minutes", "not_whole_number")
        partial["first_response_minutes"] = int(sla)

    def set_pack(doc: dict[str, Any]) -> dict[str, Any]:
        doc["pack"] = merge(doc.get("pack") or {}, partial)
        return doc
    return action, set_pack, {}


async def _save(request: web.Request, make: Callable[[LoadedPack, Any], tuple[str, Change, dict[str, Any]]],
                page: str) -> web.StreamResponse:
    user, _orgs, org, form = await _admin(request)
    registry = _registry(request)
    try:
        action, change, detail = make(registry.packs[org], form)
        await registry.edit(org, author=f"staff:{user.id}", action=action, expected=_expected(form),
                            change=change, detail=detail)
    except EditError as exc:
        return await _refused(request, page, org, exc)
    except VersionConflict:
        return await _refused(request, page, org, None)
    anchor = form_text(form, "topic")
    raise web.HTTPSeeOther(f"/console/{page}?org={org}&msg=pack_saved" + (f"#topic-{anchor}" if anchor else ""))


async def _refused(request: web.Request, page: str, org: str, exc: EditError | None) -> web.Response:
    """The page again with the refusal in words (``None``: a colleague saved first) and what was typed."""
    form = await request.post()
    posted: dict[str, Any] = {k: form_text(form, k) for k in form if k not in ("csrf", "file")}
    refusal: dict[str, Any] = {"conflict": exc is None, "posted": {}}
    if exc is not None:
        plain = explain(exc, _registry(request).packs[org], posted, lang_of(request))
        posted["days"] = [d for d in form.getall("days", []) if isinstance(d, str)]
        refusal.update(where=plain.where, expected=plain.expected, input=plain.input, posted=posted)
    if page == "settings":
        return await knowledge.settings_view(request, org, refusal=refusal, status=400)
    return await knowledge.knowledge_view(request, org, refusal=refusal, status=400)


async def knowledge_post(request: web.Request) -> web.StreamResponse:
    return await _save(request, knowledge_change, "knowledge")


async def settings_post(request: web.Request) -> web.StreamResponse:
    return await _save(request, settings_change, "settings")


async def history_page(request: web.Request) -> web.Response:
    orgs, org = await knowledge.chosen(request)
    runtime = runtime_of(request)
    assert runtime.db is not None
    versions = await pack_overrides.history(runtime.db, org)
    names = await knowledge.staff_names(runtime.db, {v.author for v in versions})
    return render(request, "pack_history.html", orgs=orgs, org=org, versions=versions, names=names,
                  current=versions[0].version if versions else 0)


async def rollback_post(request: web.Request) -> web.StreamResponse:
    user, _orgs, org, form = await _admin(request)
    try:
        target = int(form_text(form, "to"))
        await _registry(request).roll_back(org, author=f"staff:{user.id}", expected=_expected(form),
                                           to_version=target)
    except (ValueError, VersionConflict):
        raise web.HTTPSeeOther(f"/console/knowledge/history?org={org}&msg=pack_conflict") from None
    raise web.HTTPSeeOther(f"/console/knowledge/history?org={org}&msg=pack_saved")


async def export_yaml(request: web.Request) -> web.Response:
    """The association's effective pack as one YAML document (the import takes it back)."""
    _orgs, org = await knowledge.chosen(request)
    registry = _registry(request)
    text = f"# {org}: version {registry.versions.get(org, 0)}\n" + dump_yaml(document(registry.packs[org]))
    return web.Response(text=text, content_type="application/yaml", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{org}-pack.yaml"'})


async def import_post(request: web.Request) -> web.StreamResponse:
    """A YAML document (an export, edited) becomes the association's edits, if the models accept it."""
    user, _orgs, org, form = await _admin(request)
    upload = form.get("file")
    raw = upload.file.read(MAX_IMPORT + 1) if hasattr(upload, "file") else form_text(form, "yaml").encode()
    registry = _registry(request)
    try:
        if len(raw) > MAX_IMPORT:
            raise EditError("file", "larger than 1 MB", "file_too_large")
        try:
            imported = parse_yaml(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise EditError("file", "not UTF-8 text", "not_utf8") from None
        base = document(registry.defaults[org])
        if imported.get("pack", {}).get("slug", org) != org:
            raise EditError("file", f"this file is for '{imported['pack']['slug']}', not '{org}'", "other_association")
        new_doc = prune(imported, base) or {}
        await registry.edit(org, author=f"staff:{user.id}", action="import", expected=_expected(form),
                            change=lambda _old: new_doc)
    except EditError as exc:
        return await _refused(request, "knowledge", org, exc)
    except VersionConflict:
        return await _refused(request, "knowledge", org, None)
    raise web.HTTPSeeOther(f"/console/knowledge?org={org}&msg=pack_saved")


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_post("/console/knowledge", knowledge_post)
    r.add_post("/console/settings", settings_post)
    r.add_get("/console/knowledge/history", history_page)
    r.add_post("/console/knowledge/rollback", rollback_post)
    r.add_get("/console/knowledge/export", export_yaml)
    r.add_post("/console/knowledge/import", import_post)
