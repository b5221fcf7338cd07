"""Property tests for bot/redact.py: a valid national ID never survives masking, nothing else changes."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.flows.validators import saudi_id_check_digit
from bot.redact import contains_national_id, mask_national_ids, national_ids

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    first9 = draw(st.sampled_from("12")) + draw(st.text("0123456789", min_size=8, max_size=8))
    return first9 + str(saudi_id_check_digit(first9))


#: text around an ID: letters, punctuation, spaces, Arabic words; never a digit touching it
filler = st.text(st.characters(blacklist_categories=("Nd", "Cs")), max_size=30)


@given(valid_ids(), filler, filler, st.booleans())
def test_an_id_anywhere_in_text_is_masked(nid: str, before: str, after: str, indic: bool) -> None:
    written = nid.translate(ARABIC_INDIC) if indic else nid
    text = f"{before}{written}{after}"
    masked = mask_national_ids(text)
    assert nid not in masked and written not in masked
    assert masked.endswith(written[-4:] + after), "the last four digits stay, as screens show them"
    assert len(masked) == len(text)
    assert national_ids(text) == [nid]
    assert mask_national_ids(masked) == masked, "masking is idempotent"
    assert not contains_national_id(masked)


@given(valid_ids(), st.sampled_from([" ", "-", "."]))
def test_an_id_written_in_groups_is_masked(nid: str, sep: str) -> None:
    text = f"هويتي {nid[:4]}{sep}{nid[4:7]}{sep}{nid[7:]} شكرا"
    masked = mask_national_ids(text)
    assert re.sub(r"\D", "", masked) == nid[-4:]


@given(valid_ids(), valid_ids())
def test_two_ids_side_by_side_are_both_masked(a: str, b: str) -> None:
    masked = mask_national_ids(f"{a} و {b}")
    assert a not in masked and b not in masked


@given(st.text(max_size=60))
def test_text_without_a_valid_id_is_unchanged(text: str) -> None:
    if not national_ids(text):
        assert mask_national_ids(text) == text


@given(valid_ids())
def test_a_wrong_check_digit_or_a_longer_number_is_not_an_id(nid: str) -> None:
    wrong = nid[:9] + str((int(nid[9]) + 1) % 10)
    assert mask_national_ids(wrong) == wrong
    assert mask_national_ids(nid + "7") == nid + "7", "eleven digits are not an ID"
    phone = "0551234567"
    assert mask_national_ids(phone) == phone
    assert mask_national_ids(f"{phone} {nid}") == f"{phone} ******{nid[-4:]}"


def test_the_module_imports_first_in_a_fresh_interpreter() -> None:
    """bot.redact uses the form validators; nothing under bot/flows may import it back (a cycle
    through bot/flows/__init__ once broke ``import bot.redact`` when it came first)."""
    import subprocess
    import sys

    for module in ("bot.redact", "bot.sealed", "bot.stages.privacy"):
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-500:]
