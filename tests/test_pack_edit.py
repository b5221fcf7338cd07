"""The pure side of an association's edits (bot.pack_edit): merge, validate, prune, diff, YAML."""

from __future__ import annotations

import pytest

from bot import decisions, pack_edit
from bot.faq.org import get_index, install
from bot.packs import load_all

PACKS = load_all()


@pytest.mark.parametrize("slug", sorted(PACKS))
def test_a_pack_written_out_and_read_back_is_the_same_pack(slug: str) -> None:
    loaded = PACKS[slug]
    doc = pack_edit.document(loaded)
    again = pack_edit.apply(loaded, doc)
    assert again.pack == loaded.pack and again.faq == loaded.faq and again.flows == loaded.flows
    assert pack_edit.prune(doc, pack_edit.document(loaded)) is None
    assert pack_edit.parse_yaml(pack_edit.dump_yaml(doc)) == doc


def test_an_override_changes_only_what_it_names() -> None:
    base = PACKS["amass"]
    edited = pack_edit.apply(base, {
        "pack": {"contact": {"phone": "+966 11 000 0000"}},
        "topics": {"decision_period": {"answer": {"ar": "عشرة أيام", "en": "Ten days"}}},
        "removed_topics": ["greeting_thanks"] if any(t.id == "greeting_thanks" for t in base.faq.topics) else [],
        "flows": {"support_request": {"fields": {"full_name": {"prompt": {"ar": "اسمك الكامل؟", "en": "Full name?"}}}}},
    })
    assert edited.pack.contact.phone == "+966 11 000 0000"
    assert edited.pack.contact.working_hours == base.pack.contact.working_hours
    topic = next(t for t in edited.faq.topics if t.id == "decision_period")
    assert topic.answer.en == "Ten days" and topic.questions == next(
        t for t in base.faq.topics if t.id == "decision_period").questions
    field = edited.flows["support_request"].field("full_name")
    assert field is not None and field.prompt.ar == "اسمك الكامل؟"
    assert edited.flows["support_request"].policy_version == base.pack.policy.version


@pytest.mark.parametrize(("override", "field"), [
    ({"topics": {"decision_period": {"questions": ["كم المدة"]}}}, "topics.decision_period.questions"),
    ({"topics": {"decision_period": {"answer": {"ar": "", "en": "x"}}}}, "topics.decision_period.answer.ar"),
    ({"pack": {"contact": {"working_hours": {"start": "25:00"}}}}, "pack.contact.working_hours.start"),
    ({"pack": {"contact": {"working_hours": {"days": [1, 9]}}}}, "pack.contact.working_hours.days"),
    ({"pack": {"contact": {"email": "not an email"}}}, "pack.contact.email"),
    ({"pack": {"retention": {"audit_days": 0}}}, "pack.retention.audit_days"),
    ({"pack": {"code": "XYZ"}}, "pack.code"),
    ({"pack": {"slug": "other"}}, "pack.slug"),
    ({"pack": {"name": None}}, "pack.name"),
    ({"topics": {"brand_new": {"answer": {"ar": "أ", "en": "a"}}}}, "topics.brand_new.clause"),
    ({"removed_topics": ["no_such_topic"]}, "removed_topics"),
    ({"flows": {"support_request": {"fields": {"full_name": {"type": "bogus"}}}}}, "flows.support_request.fields.full_name"),
    ({"surprise": {}}, "surprise"),
])
def test_an_invalid_edit_is_refused_naming_the_field(override: dict, field: str) -> None:
    with pytest.raises(pack_edit.EditError) as caught:
        pack_edit.apply(PACKS["amass"], override)
    assert caught.value.field == field, caught.value


def test_removing_the_committee_a_success_text_names_is_refused() -> None:
    base = PACKS["amass"]
    uses = any("{committee}" in (f.success.ar if f.success else "") for f in base.flows.values())
    if not uses:
        pytest.skip("amass's success texts name no committee")
    with pytest.raises(pack_edit.EditError) as caught:
        pack_edit.apply(base, {"pack": {"committee": None}})
    assert "committee" in caught.value.reason


def test_prune_keeps_only_differences_and_diff_reads_as_yaml() -> None:
    base = pack_edit.document(PACKS["amass"])
    full = pack_edit.merge(base, {"pack": {"contact": {"phone": "+966 11 000 0000"}}})
    assert pack_edit.prune(full, base) == {"pack": {"contact": {"phone": "+966 11 000 0000"}}}
    text = pack_edit.diff({}, {"pack": {"contact": {"phone": "1"}}}, old_name="v0", new_name="v1")
    assert "--- v0" in text and "+    phone: '1'" in text


def test_a_broken_yaml_upload_names_the_line() -> None:
    with pytest.raises(pack_edit.EditError) as caught:
        pack_edit.parse_yaml("pack:\n  name: [unclosed\n")
    assert caught.value.field.startswith("line ")
    with pytest.raises(pack_edit.EditError):
        pack_edit.parse_yaml("- a list")


def test_an_edited_pack_is_answered_from_at_once_never_from_the_old_memo() -> None:
    base = PACKS["amass"]
    question = "كم ياخذ وقت دراسة طلبي؟"
    before = decisions.decide(question, base, "ar")
    assert before.topic_id == "decision_period"
    edited = pack_edit.apply(base, {"topics": {"decision_period": {"answer": {"ar": "جواب جديد", "en": "New"}}}})
    install(edited)
    assert get_index(edited).topics["decision_period"].answer.ar == "جواب جديد"
    after = decisions.decide(question, edited, "ar")
    assert after.text == "جواب جديد" or "جواب جديد" in (after.text or "")
    install(base)


def test_a_flows_only_edit_starts_the_form_from_its_new_words_at_once() -> None:
    """An edit that touches only a flow's ``intents`` (no FAQ topic) still reaches the request
    recogniser: the edited pack gets its own index, never the old one kept for its FAQ."""
    base = PACKS["amass"]
    wish = "ابي اطلب كرسي متحرك"
    assert get_index(base).requests.flow_for([wish]) != "support_request"
    intents = [*base.flows["support_request"].intents, "كرسي متحرك"]
    edited = pack_edit.apply(base, {"flows": {"support_request": {"intents": intents}}})
    try:
        install(edited)
        assert get_index(edited).requests.flow_for([wish]) == "support_request"
        assert decisions.decide(wish, edited, "ar").flow_id == "support_request"
    finally:
        install(base)
    assert get_index(base).requests.flow_for([wish]) != "support_request"
