"""Settings: a wrong or unknown `SILA_` variable stops start-up with one line that names it."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings
from tests.commands import one_line_error, run


def test_an_unknown_variable_is_refused_with_the_closest_known_name() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(env={"SILA_DATABSE_URL": "sqlite:///x.db"})
    assert str(err.value) == "SILA_DATABSE_URL: unknown setting; did you mean SILA_DATABASE_URL?"
    with pytest.raises(SettingsError) as err:
        load_settings(env={"SILA_COLOUR": "blue"})
    assert "SILA_COLOUR: unknown setting" in str(err.value) and "README" in str(err.value)


def test_per_association_names_and_test_variables_are_not_unknown() -> None:
    s = load_settings(env={"SILA_TELEGRAM_TOKEN_ILM_ALHAJJ": "1:a", "SILA_TWILIO_SMS_FROM_AMASS": "+966110000000",
                           "SILA_TEST_DATABASE_URL": "postgresql://x/y", "SILA_REQUIRE_SERVICES": "1"})
    assert s.per_association == {"telegram_token_ilm_alhajj": "1:a", "twilio_sms_from_amass": "+966110000000"}


def test_broadcast_costs_are_settings_checked_at_start() -> None:
    s = load_settings(env={"SILA_SMS_COST_PER_SEGMENT": "0.05", "SILA_SMS_COST_CURRENCY": "USD"})
    assert (s.sms_cost_per_segment, s.sms_cost_currency) == ("0.05", "USD")
    with pytest.raises(SettingsError, match="SILA_SMS_COST_PER_SEGMENT: 'cheap' is not a number"):
        load_settings(env={"SILA_SMS_COST_PER_SEGMENT": "cheap"})


def test_sila_stops_on_a_mistyped_variable_with_one_line() -> None:
    line = one_line_error(run("orgs", "list", env={"SILA_REDIS_ULR": "redis://127.0.0.1:6379/0"}))
    assert line == "sila: SILA_REDIS_ULR: unknown setting; did you mean SILA_REDIS_URL?"
