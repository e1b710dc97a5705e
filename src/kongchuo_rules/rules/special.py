"""Special statuses (PRODUCT.md §5.7): completion, exemption, deferral, studying elsewhere,
home-delivered teaching. Precedence: completed > exempt > deferred > studying_elsewhere > the
attendance-derived statuses.

Plan 五(一)五 (特殊教育专家委员会 … 建立免予入学的学生名册),
四 县人民政府 (经当地人民政府批准的以外), 四 县教育局 (随班就读和送教上门),
五(二)二 (转出转入等各个关键环节).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kongchuo_rules.case import Completion, Deferral, Placement, TransferOut
from kongchuo_rules.rules._action import ActionSpec
from kongchuo_rules.rules._rule import Rule
from kongchuo_rules.rules._timeline import Timeline
from kongchuo_rules.vocabulary import ActionKind, Agency, PlacementMode, Role, Status

__all__ = [
    "COMPLETION",
    "DEFERRAL",
    "ENROLLED_ELSEWHERE",
    "EXEMPTION",
    "HOME_DELIVERY",
    "PLACEMENT",
    "PLACEMENT_ASSESSMENT",
    "REGISTRY_TRANSFER",
    "TRANSFER_OUT",
    "SpecialStatus",
    "latest_placement",
    "special_status",
]

COMPLETION = Rule(
    id="special.completion",
    title_zh="完成义务教育",
    title_en="Completion",
    clauses=("nine_years",),
    fired_zh="{date}完成义务教育",
    fired_en="completed compulsory education on {date}",
    not_fired_zh="无完成义务教育记录",
    not_fired_en="no completion recorded",
)
EXEMPTION = Rule(
    id="special.exemption",
    title_zh="免予入学",
    title_en="Exemption",
    clauses=("exemption_roster",),
    fired_zh="特殊教育专家委员会{date}认定免予入学",
    fired_en="exempted by the special-education committee on {date}",
    not_fired_zh="无免予入学认定",
    not_fired_en="no exemption decision",
)
DEFERRAL = Rule(
    id="special.deferral",
    title_zh="经批准缓学、休学",
    title_en="Approved deferral",
    clauses=("county_approved_exception",),
    fired_zh="{date}经批准缓学/休学，至{until}",
    fired_en="deferral approved on {date}, until {until}",
    not_fired_zh="无有效的缓学/休学批准",
    not_fired_en="no deferral in force",
)
TRANSFER_OUT = Rule(
    id="special.studying_elsewhere",
    title_zh="在外就读",
    title_en="Studying elsewhere",
    clauses=("registry_management",),
    fired_zh="{date}{how}，在外就读",
    fired_en="studying elsewhere: {how} on {date}",
    not_fired_zh="无转出或在外就读核查记录",
    not_fired_en="no transfer out or verified schooling elsewhere",
)
HOME_DELIVERY = Rule(
    id="special.home_delivery",
    title_zh="送教上门",
    title_en="Home-delivered teaching",
    clauses=("bureau_home_delivery", "special_education_committee"),
    fired_zh="{date}安置为送教上门：保留学籍，不适用到校考勤规则",
    fired_en=(
        "placed for home-delivered teaching on {date}: enrolled, attendance rules do not apply"
    ),
    not_fired_zh="未安置为送教上门",
    not_fired_en="not placed for home-delivered teaching",
)


@dataclass(frozen=True)
class SpecialStatus:
    """A status that takes precedence over attendance, and the rule that decided it."""

    status: Status
    since: dt.date
    rule: Rule
    figures: dict[str, str]


def latest_placement(events: Timeline) -> Placement | None:
    """The latest placement decision that names a mode."""
    placements = [e for e in events.of(Placement) if e.mode is not None]
    return placements[-1] if placements else None


def special_status(events: Timeline, as_of: dt.date) -> SpecialStatus | None:
    """The highest-precedence special status on ``as_of``, from events dated on or before it.

    Elsewhere-findings of a whereabouts check belong to an absence episode and are decided by
    the attendance rules; here only ``transfer_out`` counts.
    """
    completions = events.of(Completion)
    if completions:
        completion = completions[0]
        return SpecialStatus(
            Status.COMPLETED, completion.date, COMPLETION, {"date": completion.date.isoformat()}
        )
    placement = latest_placement(events)
    if placement is not None and placement.mode is PlacementMode.EXEMPT:
        return SpecialStatus(
            Status.EXEMPT, placement.date, EXEMPTION, {"date": placement.date.isoformat()}
        )
    deferrals = events.of(Deferral)
    if deferrals and (deferrals[-1].until is None or as_of < deferrals[-1].until):
        latest = deferrals[-1]
        until = latest.until.isoformat() if latest.until else "—"
        return SpecialStatus(
            Status.DEFERRED,
            latest.date,
            DEFERRAL,
            {"date": latest.date.isoformat(), "until": until},
        )
    transfers = events.of(TransferOut)
    if transfers:
        first = transfers[0]
        return SpecialStatus(
            Status.STUDYING_ELSEWHERE,
            first.date,
            TRANSFER_OUT,
            {"date": first.date.isoformat(), "how": "transfer_out"},
        )
    return None


ENROLLED_ELSEWHERE = Rule(
    id="special.enrolled_elsewhere",
    title_zh="去向核查：在外地就读",
    title_en="Found enrolled elsewhere",
    clauses=("police_whereabouts",),
    fired_zh="{date}去向核查发现在外地就读：在外就读，须办理学籍转接",
    fired_en="whereabouts check on {date} found the child enrolled elsewhere: studying elsewhere",
    not_fired_zh="本次缺勤期间的去向核查未发现在外地就读",
    not_fired_en="no whereabouts check in this episode found the child enrolled elsewhere",
)


PLACEMENT = Rule(
    id="special.placement",
    title_zh="残疾儿童入学安置评估",
    title_en="Placement of a disabled child",
    clauses=("special_education_committee",),
    parameters=("special_education.placement_due_school_days",),
    fired_zh="持证残疾适龄儿童，尚无安置决定：须由特殊教育专家委员会评估（自{trigger}）",
    fired_en=(
        "certified-disabled child of school age without a placement decision: the committee "
        "must assess (from {trigger})"
    ),
    not_fired_zh="无须安置评估（非持证残疾适龄儿童，或已有安置决定）",
    not_fired_en="no placement assessment needed (not certified disabled, or already placed)",
)
PLACEMENT_ASSESSMENT = ActionSpec(
    kind=ActionKind.PLACEMENT_ASSESSMENT,
    agency=Agency.SPECIAL_EDUCATION_COMMITTEE,
    holder=Role.AGENCY_STAFF,
    clauses=("special_education_committee", "special_committee_composition"),
    due_parameter="special_education.placement_due_school_days",
    rule=PLACEMENT.id,
    supporting=(
        Agency.EDUCATION_BUREAU,
        Agency.HEALTH_COMMISSION,
        Agency.DISABLED_PERSONS_FEDERATION,
        Agency.CIVIL_AFFAIRS_BUREAU,
    ),
)
REGISTRY_TRANSFER = ActionSpec(
    kind=ActionKind.REGISTRY_TRANSFER,
    agency=Agency.SCHOOL,
    holder=Role.REGISTRY_ADMINISTRATOR,
    clauses=("registry_management",),
    due_parameter="reporting.report_due_school_days",
    rule=ENROLLED_ELSEWHERE.id,
)
"""学籍转接 after a child is found enrolled elsewhere: done by a ``transfer_out``."""
