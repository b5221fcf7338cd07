"""How the console reads a transcript back: words where the store keeps codes and secrets.

A button press is stored as its value (``flow:support_request``, ``prefer_not_to_say``,
``lang:ar``): the officer should read the label the person saw, and see which buttons the
assistant offered with each message. An answer to a field the pack marks ``sensitive`` (a
diagnosis, a national ID) is never shown in plain text here, whatever the transcript holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import tr
from console.attachments import form_fields
from wiring.runtime import Runtime

#: values the page itself sends (the language toggle), which no message offers as a button
PAGE_BUTTONS = {"lang:ar": "العربية", "lang:en": "English"}

Reader = Callable[[str, str, dict[str, Any] | None], dict[str, Any]]


def transcript_reader(runtime: Runtime, org: str, lang: str) -> Reader:
    """A function reading one message at a time, oldest first, with what came before in mind.

    It returns ``text`` (what to show), ``pressed`` (the message was a button press), ``offered``
    (labels of the buttons this message put on screen) and ``hidden`` (a sensitive answer).
    """
    labels: dict[str, str] = dict(PAGE_BUTTONS)
    expecting: dict[str, Any] | None = None

    def sensitive(expect: dict[str, Any] | None) -> tuple[bool, str]:
        if not expect:
            return False, ""
        fields = form_fields(runtime, org, str(expect.get("flow") or "")) or {}
        field = fields.get(str(expect.get("field") or ""))
        return (bool(field and field.sensitive), field.type if field is not None else "")

    def read(direction: str, text: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        nonlocal expecting
        payload = payload or {}
        if direction == "out":
            buttons = [b for b in payload.get("buttons") or [] if isinstance(b, dict) and b.get("value")]
            for b in buttons:
                labels[str(b["value"])] = str(b.get("label") or b["value"])
            expect = payload.get("expect")
            expecting = expect if isinstance(expect, dict) else None
            return {"text": text, "pressed": False, "hidden": False,
                    "offered": [str(b.get("label") or b["value"]) for b in buttons]}
        hidden, ftype = sensitive(expecting)
        expecting = None  # one answer per question; a later message is not that field's answer
        value = payload.get("button")
        if isinstance(value, str):
            if hidden:  # the label of a diagnosis button is the diagnosis
                return {"text": tr("sealed_answer", lang), "pressed": True, "hidden": True, "offered": []}
            return {"text": labels.get(value, value), "pressed": True, "hidden": False, "offered": []}
        if hidden and ftype != "national_id":  # the flow stores a national ID already cut to its last digits
            return {"text": tr("sealed_answer", lang), "pressed": False, "hidden": True, "offered": []}
        return {"text": text, "pressed": False, "hidden": False, "offered": []}

    return read
