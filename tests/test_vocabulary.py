"""Enums: the contract's values, StrEnum behaviour, and both labels for every member."""

from __future__ import annotations

import pytest

from kongchuo_rules import ActionKind, Agency, Cause, EscalationLevel, Role, Stage, Status
from kongchuo_rules.vocabulary import LabelledEnum

ENUMS: list[type[LabelledEnum]] = [Status, Stage, ActionKind, Agency, Role, Cause, EscalationLevel]


@pytest.mark.parametrize("enum", ENUMS)
def test_every_member_has_both_labels(enum: type[LabelledEnum]) -> None:
    zh = [m.label("zh") for m in enum]
    en = [m.label("en") for m in enum]
    assert all(zh)
    assert all(en)
    assert len(set(zh)) == len(zh), f"duplicate zh labels in {enum.__name__}"
    assert len(set(en)) == len(en), f"duplicate en labels in {enum.__name__}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in zh)


def test_contract_values() -> None:
    assert Status.DROPOUT == "dropout"
    assert {s.value for s in Status} == {
        "attending",
        "suspected_dropout",
        "dropout",
        "returned",
        "out_of_school",
        "exempt",
        "deferred",
        "studying_elsewhere",
        "completed",
        "not_school_age",
    }
    assert [level.value for level in EscalationLevel] == [
        "school",
        "township",
        "education_bureau",
        "county",
    ]
    assert {s.value for s in Stage} == {
        "none",
        "home_visit",
        "persuasion",
        "escalation",
        "enforcement",
        "monitoring",
    }
    assert len(Agency) == 21
    assert len(Cause) == 13


def test_action_kinds_of_the_contract() -> None:
    required = {
        "home_visit",
        "assign_persuader",
        "persuade",
        "mark_registry",
        "report_to_bureau",
        "verify_whereabouts",
        "missing_child_response",
        "individual_plan",
        "clear_registry_mark",
        "registry_transfer",
        "enrollment_mobilization",
        "guardian_education",
        "guardian_order",
        "administrative_penalty",
        "court_application",
        "placement_assessment",
    }
    assert required <= {k.value for k in ActionKind}
