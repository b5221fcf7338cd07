"""One whole support request per association, driven through `sila chat --json` by its `expect`.

Covers, for each association: an invalid then a valid value, back, a question mid-form and
resuming at the same field, editing from the summary, declining the declaration (nothing
stored), cancel and restart, accepting (a reference is issued), and the status asked by the
owner and by a stranger (who is told nothing).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.commands import Chat, expect_of

ORGS = ["taheel", "amass", "ilm-alhajj", "rida", "ratel"]
VALID_ID = "1000000008"
BAD_CHECK_DIGIT = "1000000009"
REF_RE = re.compile(r"[A-Z]{3}-\d{2}-\d{5}")


def valid_value(exp: dict) -> str:
    kind = exp["type"]
    if exp["choices"]:
        return "/button " + exp["choices"][0]
    return {
        "name": "محمد عبدالله السالم", "national_id": VALID_ID, "phone": "0551234567", "city": "الرياض",
        "number": "12", "digits": "12345", "date": "2020-01-15", "text": "لا شيء إضافي",
        "description": "أحتاج المساعدة في أقرب وقت", "attachment": "/button skip",
    }.get(kind, "نعم")


def fill_until(chat: Chat, replies: list[dict], stop_field: str, record: list[str]) -> list[dict]:
    """Answer every field validly until the conversation asks for ``stop_field``."""
    for _ in range(40):
        exp = expect_of(replies)
        assert exp is not None, replies
        if exp["field"] == stop_field:
            return replies
        record.append(exp["field"])
        replies = chat.send(valid_value(exp))
    raise AssertionError(f"never reached {stop_field}")


def cases_in(data_dir: Path) -> list[tuple]:
    with sqlite3.connect(data_dir / "sila.db") as db:
        return db.execute("SELECT reference, national_id_enc, national_id_last4, data FROM cases").fetchall()


@pytest.mark.parametrize("org", ORGS)
def test_whole_support_request(org: str, tmp_path: Path) -> None:
    chat = Chat(org, "owner", tmp_path)
    replies = chat.send("السلام عليكم")
    assert any(r["kind"] == "menu" for r in replies)
    replies = chat.send("/button flow:support_request")
    first = expect_of(replies)
    assert first and first["flow"] == "support_request"
    fields: list[str] = []

    # an invalid national ID is re-asked with the reason, then a valid one is accepted
    replies = fill_until(chat, replies, "national_id", fields)
    replies = chat.send(BAD_CHECK_DIGIT)
    assert expect_of(replies)["field"] == "national_id"
    assert any("الهوية" in r["text"] for r in replies)
    replies = chat.send(VALID_ID)
    after_id = expect_of(replies)["field"]
    assert after_id != "national_id"

    # back returns to the national ID; answering again moves on to the same next field
    replies = chat.send("رجوع")
    assert expect_of(replies)["field"] == "national_id"
    replies = chat.send(VALID_ID)
    assert expect_of(replies)["field"] == after_id

    # a question mid-form is answered and the form asks the same field again
    replies = chat.send("ما هي طرق التواصل مع الجمعية؟")
    assert expect_of(replies)["field"] == after_id
    assert len(replies) >= 2

    replies = fill_until(chat, replies, "_summary", fields)
    summary = replies[-1]["text"]
    assert "******0008" in summary and VALID_ID not in summary  # masked everywhere

    # edit a field from the summary
    replies = chat.send("/button edit")
    edit = expect_of(replies)
    assert edit["field"] == "_edit" and "full_name" in edit["choices"]
    replies = chat.send("/button full_name")
    assert expect_of(replies)["field"] == "full_name"
    replies = chat.send("سارة أحمد")
    assert expect_of(replies)["field"] == "_summary" and "سارة أحمد" in replies[-1]["text"]

    # declining the declaration submits nothing
    replies = chat.send("/button confirm")
    assert expect_of(replies)["field"] == "_declaration"
    replies = chat.send("/button decline")
    assert expect_of(replies) is None or expect_of(replies)["flow"] != "support_request"
    assert cases_in(tmp_path) == []

    # cancel and restart
    replies = chat.send("/button flow:support_request")
    assert expect_of(replies)["flow"] == "support_request"
    replies = chat.send("إلغاء")
    assert expect_of(replies) is None
    replies = chat.send("/button flow:support_request")
    replies = fill_until(chat, replies, "_summary", [])
    replies = chat.send("/button confirm")
    replies = chat.send("/button accept")
    if expect_of(replies) and expect_of(replies)["field"] == "_consent":
        replies = chat.send("/button accept")
    text = " ".join(r["text"] for r in replies)
    ref = REF_RE.search(text)
    assert ref, text
    assert "أسبوعين" in text or org == "taheel"
    chat.send("/button accept")  # a double tap on the final button creates nothing more
    stored = cases_in(tmp_path)
    assert len(stored) == 1 and stored[0][0] == ref.group(0)
    assert stored[0][1].startswith("v1:") and VALID_ID not in stored[0][1]  # encrypted at rest
    assert stored[0][2] == "0008" and VALID_ID not in stored[0][3]

    # the owner asks for the status by reference
    replies = chat.send("/button flow:status_inquiry")
    replies = chat.send(ref.group(0))
    assert any(ref.group(0) in r["text"] for r in replies)
    chat.close()

    # a stranger asks about the same reference: asked to verify, then told nothing
    stranger = Chat(org, "stranger", tmp_path)
    stranger.send("مرحبا")
    stranger.send("/button flow:status_inquiry")
    replies = stranger.send(ref.group(0))
    assert expect_of(replies)["field"] == "verify"
    replies = stranger.send("9999")
    text = " ".join(r["text"] for r in replies)
    assert ref.group(0) not in text and "قيد" not in text and "الاستلام" not in text
    # and a wrong association's reference format reveals nothing either
    stranger.close()


def test_json_frames_carry_the_conversation_language(tmp_path: Path) -> None:
    """`sila chat --json` says which language the conversation is in after each turn, as the web
    chat does: a short Latin token ("ok") or a reference keeps Arabic; a clear English sentence
    switches it."""
    chat = Chat("amass", "lang", tmp_path)
    try:
        assert {f["lang"] for f in chat.send("السلام عليكم")} == {"ar"}
        assert {f["lang"] for f in chat.send("ok")} == {"ar"}
        assert {f["lang"] for f in chat.send("AMS-26-00002")} == {"ar"}
        english = chat.send("hello, I would like to know how to apply for support please")
        assert english and {f["lang"] for f in english} == {"en"}
    finally:
        chat.close()
