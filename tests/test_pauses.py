"""How a conversation pauses and picks up again, through the real engine: a goodbye (with or
without thanks, in a form or not) gets a goodbye back, and a form left half-way is said to wait."""

from __future__ import annotations

import base64
import secrets

import pytest

from bot.settings import load_settings
from storage.db import migrate
from tests.test_understanding_engine import Person, field_of, kinds, text_of
from wiring.runtime import open_runtime


@pytest.fixture
async def rt(tmp_path):
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(env={}, data_dir=str(tmp_path), sqlite_synchronous="NORMAL", data_key=key)
    await migrate(settings)
    async with open_runtime(settings) as runtime:
        yield runtime


@pytest.mark.parametrize(("org", "goodbye", "back"), [
    ("ratel", "مشكورين ما قصرتوا، مع السلامة", "في أمان الله"),
    ("amass", "thank you so much, bye", "Take care"),
    ("taheel", "مع السلامة", "في أمان الله"),
    ("rida", "جزاكم الله خير، في امان الله", "في أمان الله"),
])
async def test_a_goodbye_gets_a_goodbye(rt, org: str, goodbye: str, back: str) -> None:
    p = Person(rt, org)
    await p.say("hi" if back == "Take care" else "هلا")
    out = await p.say(goodbye)
    assert back in text_of(out)
    assert "هل تحتاج" not in text_of(out) and "Anything else" not in text_of(out)


@pytest.mark.parametrize(("goodbye", "kept"), [("thank you so much, bye", "kept for you"),
                                               ("مشكورة، مع السلامة", "محفوظ لك")])
async def test_a_goodbye_mid_form_says_the_form_is_kept_and_it_goes_on_later(rt, goodbye: str, kept: str) -> None:
    p = Person(rt, "amass")
    if goodbye.startswith("thank"):
        await p.say("hi")
    await p.fill(until="national_id")
    out = await p.say(goodbye)
    assert kept in text_of(out) and ("72" in text_of(out) or "٧٢" in text_of(out))
    assert field_of(out) is None and "flow" not in kinds(out)  # no question asked after a goodbye
    out = await p.say("2030620278")
    assert field_of(out) == "mobile"  # the form went on where it stood
