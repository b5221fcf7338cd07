"""The console's data-rights page: an association's administrator exports or erases a person.

The same actions as ``sila privacy`` (:mod:`wiring.privacy`), limited to the associations the
administrator's account covers, each audited under their staff id. Erasing also drops the
server's cached copy of the person's conversations, so a message they send next starts afresh.
"""

from __future__ import annotations

import json

from aiohttp import web

from bot.types import ConversationKey
from console.web import form_text, need, render, runtime_of
from wiring.privacy import PrivacyError, Subject, erase_person, export_person

BY = ("phone", "reference", "national_id")


def _subject(form: object, org: str) -> Subject:
    by = form_text(form, "by")
    value = form_text(form, "value")[:40]
    if by not in BY:
        raise PrivacyError("choose phone, reference or national ID")
    return Subject(org, **{by: value})


async def privacy_page(request: web.Request) -> web.Response:
    await need(request, "admin")
    return render(request, "privacy.html", error="")


async def privacy_action(request: web.Request) -> web.StreamResponse:
    user = await need(request, "admin")
    runtime = runtime_of(request)
    assert runtime.db is not None and runtime.cipher is not None
    form = await request.post()
    org = form_text(form, "org")
    if not user.can(org) or org not in runtime.packs:
        return render(request, "privacy.html", error="err.orgs", status=403)
    action = request.match_info["action"]
    if action == "erase" and form_text(form, "confirm").strip() != org:
        return render(request, "privacy.html", error="err.privacy_confirm", status=400)
    try:
        who = _subject(form, org)
        if action == "export":
            document = await export_person(runtime.db, runtime.cipher, who, actor=f"staff:{user.id}")
        else:
            done = await erase_person(runtime.db, runtime.cipher, who, actor=f"staff:{user.id}",
                                      locks=runtime.locks)
    except PrivacyError as exc:
        key = "err.privacy_nobody" if str(exc).startswith("nobody") else "err.privacy_input"
        return render(request, "privacy.html", error=key, status=404 if key.endswith("nobody") else 400)
    if action == "erase":
        for channel, address in done["keys"]:
            runtime.store.forget(ConversationKey(org, channel, address))
        raise web.HTTPSeeOther("/console/privacy?msg=privacy_erased")
    name = f"sila-{org}-{document['beneficiaries'][0]['id'][:12]}.json"
    return web.Response(
        body=json.dumps(document, ensure_ascii=False, indent=2).encode(), content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
