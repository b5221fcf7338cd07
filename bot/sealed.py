"""Sensitive answers of a form in progress, encrypted inside the conversation's state.

A form's answers live in the conversation state (JSON) from the moment they are typed until
the request is submitted, and an abandoned form keeps them there. The case and the profile
encrypt the national ID when they are written; this module gives the same protection to the
answers before that: every field that is ``sensitive`` (a national ID always is, and a pack can
mark others, such as a diagnosis) is stored as ``{"sealed": <AES-GCM token>, "hint": ...}``.

The flow runner stays pure and sees plain values: the flow stage opens the answers when it
loads the state and seals them again when it stores it (under the current key, so an active
form moves to a new key on its next turn). ``hint`` is what a screen may show without
decrypting: the last four digits of a national ID, nothing for other fields.

Any other text answer that contains a valid national ID (typed into a description or a name box
by someone who wanted to be helpful) is sealed too, whatever its field: its hint is the text with
the ID masked (:func:`bot.redact.mask_national_ids`), so a screen can still show the words.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeGuard

from bot.flows.validators import mask_national_id
from bot.redact import contains_national_id, mask_national_ids

log = logging.getLogger("sila.flows")


class Cipher(Protocol):
    """What sealing needs of :class:`storage.crypto.DataCipher`."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, token: str) -> str: ...


def is_sealed(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and isinstance(value.get("sealed"), str)


def seal(answers: Mapping[str, Any], fields: Iterable[tuple[str, str]], cipher: Cipher | None) -> dict[str, Any]:
    """``answers`` with each sensitive field (``fields``: (field id, field type)) encrypted, and any
    other text answer holding a national ID.

    Without a cipher (the in-memory mode of ``sila ask``, where nothing is stored) the answers
    are returned as they are.
    """
    out = dict(answers)
    if cipher is None:
        return out
    for field_id, field_type in fields:
        value = out.get(field_id)
        if value is None or is_sealed(value):
            continue
        hint = mask_national_id(str(value)) if field_type == "national_id" else ""
        out[field_id] = {"sealed": cipher.encrypt(json.dumps(value, ensure_ascii=False)), "hint": hint}
    for field_id, value in answers.items():
        if isinstance(value, str) and not is_sealed(out[field_id]) and contains_national_id(value):
            out[field_id] = {"sealed": cipher.encrypt(json.dumps(value, ensure_ascii=False)),
                             "hint": mask_national_ids(value)}
    return out


def unseal(answers: Mapping[str, Any], cipher: Cipher | None) -> dict[str, Any]:
    """``answers`` with every sealed value decrypted (plain values, from before sealing, pass).

    A value that cannot be opened (its key was retired without ``sila keys rotate``) is left
    out, so the form asks for it again instead of failing every turn.
    """
    out = dict(answers)
    for field_id, value in answers.items():
        if not is_sealed(value):
            continue
        try:
            if cipher is None:
                raise ValueError("no data key")
            out[field_id] = json.loads(cipher.decrypt(value["sealed"]))
        except Exception as exc:  # InvalidTag, ValueError, bad JSON: all mean "unreadable"
            log.warning("a sealed answer (%s) could not be opened (%s); it will be asked again",
                        field_id, type(exc).__name__)
            del out[field_id]
    return out
