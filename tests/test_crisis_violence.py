"""Violence at home gets the domestic-violence line (SILA_CRISIS_VIOLENCE_LINES, 1919 by default)
first in the crisis reply, with the crisis lines and the urgent hand-off, through the real engine;
other crises do not; the line is a setting, and an association may name its own."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import pytest

from bot.settings import SettingsError, load_settings
from bot.understanding.core import understand
from storage.db import migrate
from tests.beneficiary import Person, field_of, text_of
from wiring.runtime import open_runtime


async def runtime_with(tmp_path: Any, **overrides: Any) -> Any:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(env={}, data_dir=str(tmp_path), sqlite_synchronous="NORMAL", data_key=key, **overrides)
    await migrate(settings)
    return open_runtime(settings)


async def test_violence_at_home_mid_form_names_1919_first_with_the_crisis_lines(tmp_path) -> None:
    async with await runtime_with(tmp_path) as rt:
        p = Person(rt, "taheel")
        await p.fill(until="mobile")
        out = await p.say("زوجي يضربني كل يوم وخايفه على حياتي")
        text = text_of(out)
        assert "1919" in text and "العنف الأسري" in text and "937" in text and "997" in text
        assert text.index("1919") < text.index("937")
        conv = await p.state()
        assert conv.status == "waiting" and conv.state["handoff"]["urgent"]
        assert conv.state["flow"]["field"] == "mobile"  # the form is kept
        english = await Person(rt, "amass", address="p2").say("my husband beats me every night")
        assert "1919: Domestic violence reporting line" in text_of(english) and "not alone" in text_of(english)


async def test_other_crises_do_not_name_the_domestic_violence_line(tmp_path) -> None:
    async with await runtime_with(tmp_path) as rt:
        out = await Person(rt, "taheel").say("ما ابي اعيش")
        assert "937" in text_of(out) and "1919" not in text_of(out)


async def test_the_line_is_a_setting_and_an_association_may_name_its_own(tmp_path) -> None:
    async with await runtime_with(tmp_path / "a", crisis_violence_lines="800123|خط الحماية|Protection line") as rt:
        out = await Person(rt, "rida").say("ابوي يضربني")
        assert "800123: خط الحماية" in text_of(out) and "1919" not in text_of(out)
    async with await runtime_with(tmp_path / "b", crisis_violence_lines="") as rt:
        out = await Person(rt, "rida").say("ابوي يضربني")
        assert "1919" not in text_of(out) and "997" in text_of(out) and field_of(out) is None
    async with await runtime_with(tmp_path / "c") as rt:
        loaded = rt.packs["ratel"]
        contact = loaded.pack.contact.model_copy(update={"crisis_violence_lines": "811|خط الجمعية|Our line"})
        rt.packs["ratel"] = loaded.model_copy(update={"pack": loaded.pack.model_copy(update={"contact": contact})})
        out = await Person(rt, "ratel").say("اخوي يضربني")
        assert "811: خط الجمعية" in text_of(out) and "1919" not in text_of(out)
    with pytest.raises(SettingsError, match="SILA_CRISIS_VIOLENCE_LINES"):
        load_settings(env={"SILA_CRISIS_VIOLENCE_LINES": "خط بدون رقم"}, data_dir=str(tmp_path))


@pytest.mark.parametrize("text", ["زوجي يضربني", "ابوي يعنفني", "my husband hits me", "he beats me"])
def test_violence_at_home_is_a_crisis(text: str) -> None:
    assert {"crisis", "violence"} <= understand(text).flags


@pytest.mark.parametrize("text", ["هل عندكم برامج لضحايا العنف الاسري؟", "domestic violence support"])
def test_violence_as_a_topic_is_not_by_itself_a_crisis(text: str) -> None:
    assert "violence" in understand(text).flags and not understand(text).crisis
