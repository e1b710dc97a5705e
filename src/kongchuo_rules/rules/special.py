"""Special statuses (PRODUCT.md §5.7): completion, exemption, deferral, studying elsewhere,
home-delivered teaching, and the placement of disabled children. Precedence: completed >
exempt > deferred > studying_elsewhere > the attendance-derived statuses.

Plan 五(一)五 (特殊教育专家委员会 … 建立免予入学的学生名册),
四 县人民政府 (经当地人民政府批准的以外), 四 县教育局 (随班就读和送教上门),
五(二)二 (转出转入等各个关键环节).
"""

from __future__ import annotations

from typing import NamedTuple

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.actions import require
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import NO_DAY
from kongchuo_rules._internal.kernel import inline
from kongchuo_rules._internal.record import Work, ints, note
from kongchuo_rules._internal.tables import Tables, school_year_of, school_year_start
from kongchuo_rules.rules._rule import ActionSpec, DoneBy, Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

__all__ = [
    "COMPLETION",
    "DEFERRAL",
    "ENROLLED_ELSEWHERE",
    "EXEMPTION",
    "HOME_DELIVERY",
    "PLACEMENT",
    "PLACEMENT_ASSESSMENT",
    "REGISTRY_TRANSFER",
    "STUDYING_ELSEWHERE",
    "Special",
    "home_delivery",
    "placement",
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
    figures=(("date", "day"),),
    figures_not_fired=(),
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
    figures=(("date", "day"),),
    figures_not_fired=(),
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
    figures=(("date", "day"), ("until", "day")),
    figures_not_fired=(),
)
STUDYING_ELSEWHERE = Rule(
    id="special.studying_elsewhere",
    title_zh="在外就读",
    title_en="Studying elsewhere",
    clauses=("registry_management",),
    fired_zh="{date}{how}，在外就读",
    fired_en="studying elsewhere: {how} on {date}",
    not_fired_zh="无转出或在外就读核查记录",
    not_fired_en="no transfer out or verified schooling elsewhere",
    figures=(("date", "day"), ("how", "how")),
    figures_not_fired=(),
)
ENROLLED_ELSEWHERE = Rule(
    id="special.enrolled_elsewhere",
    title_zh="去向核查：在外地就读",
    title_en="Found enrolled elsewhere",
    clauses=("police_whereabouts",),
    fired_zh="{date}去向核查发现在外地就读：在外就读，须办理学籍转接",
    fired_en="whereabouts check on {date} found the child enrolled elsewhere: studying elsewhere",
    not_fired_zh="本次缺勤期间的去向核查未发现在外地就读",
    not_fired_en="no whereabouts check in this episode found the child enrolled elsewhere",
    figures=(("date", "day"),),
    figures_not_fired=(),
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
    figures=(("date", "day"),),
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
    figures=(("trigger", "day"),),
    figures_not_fired=(),
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
    done_by=DoneBy(taken_after="trigger"),
)
"""入学安置评估: done by an ``action_taken`` of its kind."""
REGISTRY_TRANSFER = ActionSpec(
    kind=ActionKind.REGISTRY_TRANSFER,
    agency=Agency.SCHOOL,
    holder=Role.REGISTRY_ADMINISTRATOR,
    clauses=("registry_management",),
    due_parameter="reporting.report_due_school_days",
    rule=ENROLLED_ELSEWHERE.id,
    done_by=DoneBy(events=("transfer_out",), after="trigger", taken_after="trigger"),
)
"""学籍转接 after a child is found enrolled elsewhere: done by a ``transfer_out``."""

R_COMPLETION = COMPLETION.index
R_EXEMPTION = EXEMPTION.index
R_DEFERRAL = DEFERRAL.index
R_STUDYING_ELSEWHERE = STUDYING_ELSEWHERE.index
R_ENROLLED_ELSEWHERE = ENROLLED_ELSEWHERE.index
R_HOME_DELIVERY = HOME_DELIVERY.index
R_PLACEMENT = PLACEMENT.index
I_PLACEMENT_ASSESSMENT = PLACEMENT_ASSESSMENT.index
I_REGISTRY_TRANSFER = REGISTRY_TRANSFER.index


class Special(NamedTuple):
    """A status that takes precedence over attendance (``status`` NONE: none), the rule that
    decided it, since when, and (for a deferral) until when."""

    status: int
    rule: int
    since: int
    until: int


@inline
def latest_placement(ev: Rows, lo: int, hi: int) -> int:
    """The position of the latest placement decision that names a mode, or -1."""
    found = -1
    for i in range(lo, hi):
        if ev[i][codes.F_TYPE] == codes.T_PLACEMENT and ev[i][codes.F_MODE] != codes.NONE:
            found = i
    return found


@inline
def special_status(ev: Rows, lo: int, hi: int, as_of: int) -> Special:
    """The highest-precedence special status on ``as_of``: the first completion; the latest
    placement if it exempts; the latest deferral while in force (before its ``until``); the
    first transfer out. Whereabouts findings belong to an absence episode (see
    :func:`enrolled_elsewhere`)."""
    completion = deferral = transfer = -1
    for i in range(lo, hi):
        t = ev[i][codes.F_TYPE]
        if t == codes.T_COMPLETION and completion < 0:
            completion = i
        elif t == codes.T_DEFERRAL:
            deferral = i
        elif t == codes.T_TRANSFER_OUT and transfer < 0:
            transfer = i
    if completion >= 0:
        return Special(codes.S_COMPLETED, R_COMPLETION, ev[completion][codes.F_DAY], NO_DAY)
    placement = latest_placement(ev, lo, hi)
    if placement >= 0 and ev[placement][codes.F_MODE] == codes.P_EXEMPT:
        return Special(codes.S_EXEMPT, R_EXEMPTION, ev[placement][codes.F_DAY], NO_DAY)
    if deferral >= 0:
        until = ev[deferral][codes.F_UNTIL]
        if until == NO_DAY or as_of < until:
            return Special(codes.S_DEFERRED, R_DEFERRAL, ev[deferral][codes.F_DAY], until)
    if transfer >= 0:
        return Special(
            codes.S_STUDYING_ELSEWHERE, R_STUDYING_ELSEWHERE, ev[transfer][codes.F_DAY], NO_DAY
        )
    return Special(codes.NONE, -1, NO_DAY, NO_DAY)


@inline
def trace_special(w: Work, found: Special) -> None:
    """Trace the four special-status rules (one fired at most)."""
    for rule in (R_COMPLETION, R_EXEMPTION, R_DEFERRAL, R_STUDYING_ELSEWHERE):
        if found.rule == rule:
            note(w, rule, True, found.since, found.since, found.until, 0, 0)
        else:
            note(w, rule, False, NO_DAY, 0, 0, 0, 0)


@inline
def not_expected(ev: Rows, lo: int, hi: int, w: Work) -> tuple[list[int], int]:
    """The windows ``[start, end)`` in which the child is not expected at school although the
    windows may end: an approved deferral (until its ``until``, or a later deferral) and an
    exemption or home-delivered teaching (until the next placement decision). Absence spells
    do not count on their school days, and a window ends any run of absence (docs/rules.md).
    Window ``i`` is ``windows[2 * i]`` to ``windows[2 * i + 1]`` (:data:`NO_DAY`: no end)."""
    windows = ints(w, 2 * (hi - lo) + 2, NO_DAY)
    n = 0
    open_start = NO_DAY  # an exemption or home delivery in force
    for i in range(lo, hi):
        row = ev[i]
        t = row[codes.F_TYPE]
        if t == codes.T_PLACEMENT and row[codes.F_MODE] != codes.NONE:
            if open_start != NO_DAY:
                windows[2 * n], windows[2 * n + 1] = open_start, row[codes.F_DAY]
                n += 1
                open_start = NO_DAY
            mode = row[codes.F_MODE]
            if mode == codes.P_EXEMPT or mode == codes.P_HOME_DELIVERY:
                open_start = row[codes.F_DAY]
        elif t == codes.T_DEFERRAL:
            end = row[codes.F_UNTIL]
            for j in range(i + 1, hi):  # a later deferral replaces this one from its date
                if ev[j][codes.F_TYPE] == codes.T_DEFERRAL:
                    if end == NO_DAY or ev[j][codes.F_DAY] < end:
                        end = ev[j][codes.F_DAY]
                    break
            windows[2 * n], windows[2 * n + 1] = row[codes.F_DAY], end
            n += 1
    if open_start != NO_DAY:
        windows[2 * n], windows[2 * n + 1] = open_start, NO_DAY
        n += 1
    return windows, n


@inline
def enrolled_elsewhere(ev: Rows, lo: int, hi: int, run_start: int) -> int:
    """``special.enrolled_elsewhere``: the day of the episode's latest whereabouts check, if it
    found the child enrolled elsewhere; otherwise :data:`NO_DAY`."""
    latest = -1
    for i in range(lo, hi):
        if ev[i][codes.F_TYPE] == codes.T_WHEREABOUTS and ev[i][codes.F_DAY] >= run_start:
            latest = i
    if latest >= 0 and ev[latest][codes.F_FINDING] == codes.W_ENROLLED_ELSEWHERE:
        return ev[latest][codes.F_DAY]
    return NO_DAY


@inline
def has_placement(ev: Rows, lo: int, hi: int) -> bool:
    """Whether any placement decision (with or without a mode) is recorded."""
    for i in range(lo, hi):  # noqa: SIM110 (a loop: numba compiles it)
        if ev[i][codes.F_TYPE] == codes.T_PLACEMENT:
            return True
    return False


@inline
def home_delivery(ev: Rows, lo: int, hi: int, w: Work) -> int:
    """``special.home_delivery``: the day of the child's latest placement decision if it is
    home-delivered teaching (送教上门: enrolled, the attendance rules do not apply), else
    :data:`NO_DAY`."""
    placed = latest_placement(ev, lo, hi)
    on = NO_DAY
    if placed >= 0 and ev[placed][codes.F_MODE] == codes.P_HOME_DELIVERY:
        on = ev[placed][codes.F_DAY]
    note(w, R_HOME_DELIVERY, on != NO_DAY, on, on, 0, 0, 0)
    return on


@inline
def placement(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    certified_disabled: int,
    of_school_age: int,
    age_starts: int,
    status: int,
    attr: list[int],
    w: Work,
    span: list[int],
) -> None:
    """``special.placement``: a certified-disabled child of school age (from ``age_starts``)
    with no placement decision, not completed, exempt, deferred or elsewhere, is assessed by
    the committee, from the later of the start of the school year and of school age."""
    placed = (
        status == codes.S_COMPLETED
        or status == codes.S_EXEMPT
        or status == codes.S_STUDYING_ELSEWHERE
        or status == codes.S_NOT_SCHOOL_AGE
        or status == codes.S_DEFERRED
    )
    if certified_disabled == 0 or of_school_age == 0 or placed or has_placement(ev, lo, hi):
        note(w, R_PLACEMENT, False, NO_DAY, 0, 0, 0, 0)
        return
    year_start = school_year_start(t, school_year_of(t, as_of))
    trigger = age_starts if age_starts > year_start else year_start
    note(w, R_PLACEMENT, True, trigger, trigger, 0, 0, 0)
    require(t, ev, lo, hi, as_of, I_PLACEMENT_ASSESSMENT, trigger, trigger, as_of, codes.NONE,
            attr, w, span)  # fmt: skip
