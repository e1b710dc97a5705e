"""Tests added where mutation testing (scripts/mutation.sh, docs/testing.md) showed a real gap:
boundaries of the rules that no earlier test pinned down."""

from __future__ import annotations

from kongchuo_rules import ActionKind, Agency

from .test_assess import A, E, P, case, run

K = ActionKind


def kinds(data: dict[str, object], as_of: str) -> dict[ActionKind, object]:
    return {a.kind: a for a in run(data, as_of).actions}


def test_a_missing_finding_on_the_first_day_of_the_run_counts() -> None:
    # whereabouts.missing: a check dated on run_start belongs to the episode
    on_start = kinds(
        case(A("2026-11-02"), E("whereabouts", "2026-11-02", finding="missing")), "2026-11-20"
    )
    action = on_start[K.MISSING_CHILD_RESPONSE]
    assert action.trigger.isoformat() == "2026-11-02"  # type: ignore[attr-defined]
    assert action.agency is Agency.PUBLIC_SECURITY_BUREAU  # type: ignore[attr-defined]
    # … and one the day before the run does not
    before = kinds(
        case(A("2026-11-03"), E("whereabouts", "2026-11-02", finding="missing")), "2026-11-20"
    )
    assert K.MISSING_CHILD_RESPONSE not in before


def test_a_missing_finding_after_as_of_is_not_yet_known() -> None:
    data = case(A("2026-11-02"), E("whereabouts", "2026-11-25", finding="missing"))
    assert K.MISSING_CHILD_RESPONSE not in kinds(data, "2026-11-20")
    assert K.MISSING_CHILD_RESPONSE in kinds(data, "2026-11-25")


def test_an_unreachable_family_triggers_verification_from_that_day() -> None:
    # before the month mark, an attempt that found the family unreachable is the trigger
    data = case(A("2026-11-02"), P("2026-11-16", "unreachable"))
    verify = kinds(data, "2026-11-20")[K.VERIFY_WHEREABOUTS]
    assert verify.trigger.isoformat() == "2026-11-16"  # type: ignore[attr-defined]
    # the earliest such attempt decides
    data = case(A("2026-11-02"), P("2026-11-16", "unreachable"), P("2026-11-18", "unreachable"))
    verify = kinds(data, "2026-11-20")[K.VERIFY_WHEREABOUTS]
    assert verify.trigger.isoformat() == "2026-11-16"  # type: ignore[attr-defined]


def test_an_unreachable_attempt_of_an_earlier_episode_does_not_trigger_verification() -> None:
    data = case(
        A("2026-09-07", "2026-09-30"),
        P("2026-09-21", "unreachable"),
        A("2026-11-02"),
    )
    assert K.VERIFY_WHEREABOUTS not in kinds(data, "2026-11-20")
