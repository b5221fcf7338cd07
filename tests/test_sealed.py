"""Sensitive answers of a form in progress sealed in the conversation state (bot/sealed.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.sealed import is_sealed, seal, unseal
from bot.settings import Settings
from bot.types import ConversationKey, InboundMessage
from storage.crypto import DataCipher, new_key, rotate_stored
from storage.db import migrate
from tests import services
from wiring.runtime import open_runtime

FIELDS = [("national_id", "national_id"), ("cancer_type", "choice")]


def cipher(key: str | None = None) -> DataCipher:
    return DataCipher(base64.b64decode(key or new_key()))


def test_sensitive_answers_are_sealed_and_open_again() -> None:
    c = cipher()
    answers = {"full_name": "محمد", "national_id": "1000000008", "cancer_type": "breast", "kids": ["a", "b"]}
    sealed = seal(answers, FIELDS, c)
    assert sealed["full_name"] == "محمد" and sealed["kids"] == ["a", "b"], "only sensitive fields are sealed"
    assert is_sealed(sealed["national_id"]) and is_sealed(sealed["cancer_type"])
    text = json.dumps(sealed, ensure_ascii=False)
    assert "1000000008" not in text and "breast" not in text
    assert sealed["national_id"]["hint"] == "******0008"
    assert sealed["cancer_type"]["hint"] == "", "nothing of a diagnosis is shown without opening it"
    assert unseal(sealed, c) == answers
    assert seal(sealed, FIELDS, c) == sealed, "sealing twice leaves a sealed value alone"


def test_plain_answers_from_before_sealing_pass_through() -> None:
    assert unseal({"national_id": "1000000008"}, cipher()) == {"national_id": "1000000008"}


def test_without_a_cipher_nothing_is_sealed() -> None:
    assert seal({"national_id": "1000000008"}, FIELDS, None) == {"national_id": "1000000008"}


def test_an_answer_under_a_retired_key_is_dropped_so_the_form_asks_again() -> None:
    old = seal({"national_id": "1000000008", "city": "jed"}, FIELDS, cipher())
    assert unseal(old, cipher()) == {"city": "jed"}
    assert unseal(old, None) == {"city": "jed"}


def test_an_old_key_still_opens_what_it_sealed() -> None:
    old_key, new = new_key(), new_key()
    sealed = seal({"national_id": "1000000008"}, FIELDS, cipher(old_key))
    rotated = DataCipher(base64.b64decode(new), [base64.b64decode(old_key)])
    assert unseal(sealed, rotated) == {"national_id": "1000000008"}


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_settings(request: pytest.FixtureRequest, sqlite_settings: Settings) -> Iterator[Settings]:
    """A database of its own: rotation touches every row, so the session's shared one won't do."""
    if request.param == "sqlite":
        yield sqlite_settings
        return
    url = services.create_pg_database()
    try:
        yield replace(sqlite_settings, database_url=url)
    finally:
        services.drop_pg_database(url)


async def test_keys_rotate_reseals_a_form_in_progress_and_cases(fresh_settings: Settings) -> None:
    """`sila keys rotate`: cases and forms in progress move to the new key; the old one can go."""
    old_key, new = new_key(), new_key()
    key = ConversationKey("amass", "webchat", "r" * 32)
    await migrate(fresh_settings)
    async with open_runtime(replace(fresh_settings, data_key=old_key)) as rt:
        for text, button in (("", "flow:support_request"), ("محمد عبدالله السالم", None), ("1000000008", None)):
            await rt.engine.handle(InboundMessage(key=key, text=text, button_value=button))
        assert rt.cases is not None and rt.db is not None
        await rt.cases.create(org="amass", code="AMS", beneficiary_id=(await rt.store.load(key)).beneficiary_id,
                              conversation_id=None, channel="webchat", flow_id="support_request",
                              answers={"national_id": "1000000008", "cancer_type": "breast"}, declaration={},
                              consent=None, decision_min_days=14, submit_key="rotate-test", sensitive=["cancer_type"])
        moved = await rotate_stored(rt.db, DataCipher(base64.b64decode(new), [base64.b64decode(old_key)]))
        assert moved == 3, "the case's ID and its sealed diagnosis, and one form in progress"
        assert await rotate_stored(rt.db, DataCipher(base64.b64decode(new))) == 0, "nothing left under the old key"
    async with open_runtime(replace(fresh_settings, data_key=new)) as rt:
        assert rt.cipher is not None and rt.cipher.key_id == DataCipher(base64.b64decode(new)).key_id
        out = await rt.engine.handle(InboundMessage(key=key, text="0551234567"))  # the form goes on
        assert out.replies, "the next question"
        answers = (await rt.store.load(key)).state["flow"]["answers"]
        assert unseal(answers, rt.cipher)["national_id"] == "1000000008"
        assert rt.cases is not None
        case = (await rt.cases.for_beneficiary("amass", (await rt.store.load(key)).beneficiary_id, open_only=False))[0]
        assert case.national_id_last4 == "0008"


@pytest.mark.parametrize("how", ["typed", "pressed"])
async def test_a_diagnosis_answer_is_not_kept_in_the_transcript(h, how: str) -> None:  # type: ignore[no-untyped-def]
    """Amass asks for the diagnosis (a sensitive field): the form seals it, and the stored message
    that answered it says only that it was answered, typed or pressed, never what it was."""
    from sqlalchemy import select

    from storage.models import Message
    from tests.harness import FORM_ANSWERS

    visitor = ("d" if how == "typed" else "e") * 32
    out = await h.say(visitor, button="flow:support_request")
    for _ in range(20):
        expect = next((r.expect for r in reversed(out.replies) if getattr(r, "expect", None)), None)
        assert expect is not None, "the form never asked for the diagnosis"
        if expect.field == "cancer_type":
            break
        if expect.choices:
            out = await h.say(visitor, button=expect.choices[0])
        else:
            out = await h.say(visitor, FORM_ANSWERS.get(expect.type, "لا يوجد"))
    out = await h.say(visitor, "سرطان الثدي") if how == "typed" else await h.say(visitor, button="breast")
    rows = await h.rows(select(Message.text, Message.payload).where(
        Message.conversation_id == out.conversation_id, Message.direction == "in").order_by(Message.seq.desc()))
    text, payload = rows[0]
    assert text == "(إجابة محمية)" and "breast" not in json.dumps(payload or {})
    assert all("سرطان الثدي" not in (t or "") and "breast" not in json.dumps(p or {}) for t, p in rows)
    nxt = next((r.expect for r in reversed(out.replies) if getattr(r, "expect", None)), None)
    assert nxt is not None and nxt.field != "cancer_type", "the answer itself was taken"
