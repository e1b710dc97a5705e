"""The county ledger (台账): every child of every roster in exactly one category.

Plan 五(一)四: 教育、公安、残联等部门要联合建立信息核查比对机制 … 每年8月底前，
分类登记失学、辍学、县域内就读无学籍等情况，建立工作台账; 四 县公安局: 配合县教育局
通过学籍系统与户籍系统数据比对开展失学儿童清理核查.

The category of a child is decided by the first rule that applies, in this order (see
docs/ledger.md): a case assessment; a household-record issue found by the survey (for a child
not registered); an exemption or deferral; the registry (dropout, suspected dropout, suspended,
enrolled but absent from the school's supplied presence roster, enrolled); presence at a county
school without registration; schooling elsewhere; not of school age; out of school (survey);
otherwise to verify.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import Field, ValidationError

from kongchuo_rules._base import FrozenModel
from kongchuo_rules._privacy import normalise_national_id, spreadsheet_cell
from kongchuo_rules.assessment import Assessment, Finding, FindingCode
from kongchuo_rules.case import national_id_birth_date, validate_national_id
from kongchuo_rules.citations import Citation
from kongchuo_rules.county._csv import RosterError
from kongchuo_rules.county.records import (
    Decision,
    DecisionKind,
    DisabilityRecord,
    ElsewhereRecord,
    HouseholdRecord,
    PresenceRecord,
    RegistryRecord,
    RegistryStatus,
    SurveyFinding,
    SurveyRecord,
)
from kongchuo_rules.errors import error_pairs
from kongchuo_rules.policy import Policy, default_policy
from kongchuo_rules.rules.age import school_age
from kongchuo_rules.vocabulary import ActionKind, Agency, Lang, LedgerCategory, Status

__all__ = ["FollowUp", "Ledger", "LedgerEntry", "reconcile"]

R = TypeVar("R", bound=FrozenModel)
C = LedgerCategory

# What each category requires next, by whom, and which clause says so.
_FOLLOW_UPS: dict[tuple[LedgerCategory, str], tuple[ActionKind, Agency, str]] = {
    (C.TO_VERIFY, ""): (
        ActionKind.HOUSEHOLD_SURVEY,
        Agency.TOWNSHIP_GOVERNMENT,
        "township_august_survey",
    ),
    (C.OUT_OF_SCHOOL, ""): (
        ActionKind.ENROLLMENT_MOBILIZATION,
        Agency.TOWNSHIP_GOVERNMENT,
        "township_mobilization",
    ),
    (C.SUSPECTED_DROPOUT, ""): (ActionKind.HOME_VISIT, Agency.SCHOOL, "school_seven_days"),
    (C.SUSPECTED_DROPOUT, "presence:absent"): (
        ActionKind.CHECK_PRESENCE,
        Agency.SCHOOL,
        "school_attendance",
    ),
    (C.DROPOUT, ""): (ActionKind.PERSUADE, Agency.SCHOOL, "school_joint_return"),
    (C.UNREGISTERED_IN_COUNTY, ""): (
        ActionKind.REGISTER_STUDENT,
        Agency.SCHOOL,
        "registry_management",
    ),
    (C.HOUSEHOLD_RECORD_ISSUE, ""): (
        ActionKind.CORRECT_HOUSEHOLD_RECORD,
        Agency.PUBLIC_SECURITY_BUREAU,
        "police_registry_match",
    ),
}
_FROM_STATUS = {
    Status.ATTENDING: C.IN_SCHOOL,
    Status.RETURNED: C.IN_SCHOOL,
    Status.SUSPECTED_DROPOUT: C.SUSPECTED_DROPOUT,
    Status.DROPOUT: C.DROPOUT,
    Status.OUT_OF_SCHOOL: C.OUT_OF_SCHOOL,
    Status.EXEMPT: C.EXEMPT,
    Status.DEFERRED: C.DEFERRED,
    Status.STUDYING_ELSEWHERE: C.STUDYING_ELSEWHERE,
    Status.COMPLETED: C.NOT_SCHOOL_AGE,
    Status.NOT_SCHOOL_AGE: C.NOT_SCHOOL_AGE,
}
_HOUSEHOLD_ISSUES = (SurveyFinding.MOVED_OUT, SurveyFinding.DECEASED, SurveyFinding.NOT_FOUND)
_UNKNOWN_TOWNSHIP = "(unknown)"
_NO_SCHOOL = "(none)"


class FollowUp(FrozenModel):
    """The action a ledger category requires next, by which agency, and why."""

    kind: ActionKind
    agency: Agency
    citations: tuple[Citation, ...]


class LedgerEntry(FrozenModel):
    """One child in the ledger. ``name`` is kept only for an export that asks for it."""

    national_id: str = Field(repr=False)
    category: LedgerCategory
    township: str | None = None
    school_id: str | None = None
    school_year_age: int
    school_age: bool
    sources: tuple[str, ...]
    follow_up: FollowUp | None = None
    name: str | None = Field(default=None, exclude=True, repr=False)


class Ledger(FrozenModel):
    """The ledger on ``as_of``: entries, totals by category, township and school, findings."""

    as_of: dt.date
    policy_version: str
    entries: tuple[LedgerEntry, ...]
    totals: dict[str, int]
    by_township: dict[str, dict[str, int]]
    by_school: dict[str, dict[str, int]]
    findings: tuple[Finding, ...]

    def entry(self, national_id: str) -> LedgerEntry:
        """The entry of ``national_id`` (``KeyError`` if the child is in no roster); the id is
        normalised as the rosters' ids are (full-width digits)."""
        national_id = normalise_national_id(national_id)
        for entry in self.entries:
            if entry.national_id == national_id:
                return entry
        raise KeyError("no such child in the ledger")

    def to_csv(
        self, *, include_names: bool = False, lang: Lang = "zh", ids_as_text: bool = True
    ) -> str:
        """The ledger as CSV text (UTF-8); names only when ``include_names`` is true.

        Made to be opened in a spreadsheet (see docs/ledger.md, "The ledger CSV"): every text
        cell that begins with a formula character (``=`` ``+`` ``-`` ``@``, tab, CR …) gets a
        leading apostrophe, so it is shown as text and never run (OWASP's advice on CSV
        injection). With ``ids_as_text`` (the default) a national id is written after a tab
        character, so that Excel and WPS keep it as text instead of a number rounded to 15
        digits; strip the cell (``kongchuo``'s roster reader does) or pass
        ``ids_as_text=False`` for the bare 18 characters — or use ``model_dump_json()``.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        head = [
            "national_id",
            *(["name"] if include_names else []),
            "category",
            "category_label",
            "township",
            "school_id",
            "school_year_age",
            "school_age",
            "sources",
            "follow_up",
            "follow_up_agency",
        ]
        writer.writerow(head)
        for e in self.entries:
            text = [
                *([e.name or ""] if include_names else []),
                e.category.value,
                e.category.label(lang),
                e.township or "",
                e.school_id or "",
            ]
            writer.writerow(
                [
                    ("\t" if ids_as_text else "") + e.national_id,
                    *(spreadsheet_cell(cell) for cell in text),
                    e.school_year_age,
                    "yes" if e.school_age else "no",
                    spreadsheet_cell(";".join(e.sources)),
                    e.follow_up.kind.value if e.follow_up else "",
                    e.follow_up.agency.value if e.follow_up else "",
                ]
            )
        return out.getvalue()


def _coerce(items: Iterable[R | Mapping[str, Any]], model: type[R], roster: str) -> list[R]:
    """The records of one roster; a bad dict is a :class:`RosterError` naming the roster, the
    record's position and the field, never a value or an unknown key."""
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
        raise RosterError(f"{roster}: expected a list of records, not {type(items).__name__}")
    out: list[R] = []
    for i, item in enumerate(items):
        if isinstance(item, model):
            out.append(item)
            continue
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            problems = "; ".join(
                problem if path == "(root)" else f"{path}: {problem}"
                for path, problem in error_pairs(exc, item)
            )
            raise RosterError(f"{roster}, record {i + 1}: {problems}") from None
    return out


def _assessments_by_id(assessments: Mapping[str, Assessment] | None) -> dict[str, Assessment]:
    """``assessments`` keyed by the canonical national id; a bad key is an error by position."""
    if assessments is not None and not isinstance(assessments, Mapping):
        raise RosterError("assessments: expected a mapping of national ids to assessments")
    out: dict[str, Assessment] = {}
    for i, (key, assessment) in enumerate((assessments or {}).items()):
        if not isinstance(assessment, Assessment):
            raise RosterError(f"assessments, key no. {i + 1}: not an Assessment")
        try:
            nid = validate_national_id(key) if isinstance(key, str) else None
        except ValueError:
            nid = None
        if nid is None:
            raise RosterError(f"assessments, key no. {i + 1}: not a valid national id")
        if nid in out:
            raise RosterError(f"assessments, key no. {i + 1}: the same child as an earlier key")
        out[nid] = assessment
    return out


def _group(records: Sequence[R]) -> dict[str, list[R]]:
    """Records by national id; a child's records in a canonical order (by content), so that
    when a roster lists a child twice the same record decides whatever the input order."""
    grouped: dict[str, list[R]] = {}
    for record in records:
        grouped.setdefault(record.national_id, []).append(record)  # type: ignore[attr-defined]
    for group in grouped.values():
        if len(group) > 1:
            group.sort(key=lambda r: r.model_dump_json())
    return grouped


def reconcile(
    *,
    as_of: dt.date,
    household: Iterable[HouseholdRecord | Mapping[str, Any]] = (),
    registry: Iterable[RegistryRecord | Mapping[str, Any]] = (),
    presence: Iterable[PresenceRecord | Mapping[str, Any]] = (),
    disabled: Iterable[DisabilityRecord | Mapping[str, Any]] = (),
    decisions: Iterable[Decision | Mapping[str, Any]] = (),
    elsewhere: Iterable[ElsewhereRecord | Mapping[str, Any]] = (),
    surveys: Iterable[SurveyRecord | Mapping[str, Any]] = (),
    assessments: Mapping[str, Assessment] | None = None,
    policy: Policy | None = None,
) -> Ledger:
    """Compare the rosters and put every child of their union in exactly one category.

    >>> ledger = reconcile(as_of=dt.date(2026, 9, 30), household=[
    ...     {"national_id": "230321201305031230", "birth_date": "2013-05-03",
    ...      "township": "鸡东镇"}])
    >>> ledger.entries[0].category, ledger.totals["to_verify"]
    (<LedgerCategory.TO_VERIFY: 'to_verify'>, 1)
    """
    policy = policy or default_policy()
    rosters: dict[str, dict[str, list[Any]]] = {
        "household": _group(_coerce(household, HouseholdRecord, "household")),
        "registry": _group(_coerce(registry, RegistryRecord, "registry")),
        "presence": _group(_coerce(presence, PresenceRecord, "presence")),
        "disabled": _group(_coerce(disabled, DisabilityRecord, "disabled")),
        "decisions": _group(_coerce(decisions, Decision, "decisions")),
        "elsewhere": _group(_coerce(elsewhere, ElsewhereRecord, "elsewhere")),
        "surveys": _group(_coerce(surveys, SurveyRecord, "surveys")),
    }
    assessments = _assessments_by_id(assessments)
    supplied_schools = {r.school_id for rs in rosters["presence"].values() for r in rs}
    people = sorted({nid for roster in rosters.values() for nid in roster} | set(assessments))
    findings: list[Finding] = []
    entries = [
        _entry(nid, rosters, assessments.get(nid), supplied_schools, as_of, policy, findings)
        for nid in people
    ]

    def count(key: Any) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for e in entries:
            table.setdefault(key(e), Counter())[e.category.value] += 1
        return {k: {c.value: table[k][c.value] for c in LedgerCategory} for k in sorted(table)}

    return Ledger(
        as_of=as_of,
        policy_version=policy.version,
        entries=tuple(entries),
        totals={c.value: sum(1 for e in entries if e.category is c) for c in LedgerCategory},
        by_township=count(lambda e: e.township or _UNKNOWN_TOWNSHIP),
        by_school=count(lambda e: e.school_id or _NO_SCHOOL),
        findings=tuple(findings),
    )


def _entry(
    nid: str,
    rosters: Mapping[str, Mapping[str, Sequence[Any]]],
    assessment: Assessment | None,
    supplied_schools: set[str],
    as_of: dt.date,
    policy: Policy,
    findings: list[Finding],
) -> LedgerEntry:
    """The one entry of child ``nid``, adding the child's data findings to ``findings``."""
    hh: Sequence[HouseholdRecord] = rosters["household"].get(nid, ())
    reg: Sequence[RegistryRecord] = rosters["registry"].get(nid, ())
    pres: Sequence[PresenceRecord] = rosters["presence"].get(nid, ())
    dis: Sequence[DisabilityRecord] = rosters["disabled"].get(nid, ())
    dec: Sequence[Decision] = rosters["decisions"].get(nid, ())
    els: Sequence[ElsewhereRecord] = rosters["elsewhere"].get(nid, ())
    sur: Sequence[SurveyRecord] = rosters["surveys"].get(nid, ())

    def find(code: FindingCode, message: str) -> None:
        findings.append(Finding(code=code, message=message, on=as_of, national_id=nid))

    _data_findings(nid, hh, reg, pres, dis, find)
    id_birth = national_id_birth_date(nid)
    birth = hh[0].birth_date if hh else dis[0].birth_date if dis else id_birth
    age = school_age(birth, as_of, policy)
    active = [r for r in reg if r.status is not RegistryStatus.TRANSFERRED_OUT]
    present_at = sorted({p.school_id for p in pres})
    township = hh[0].township if hh else next((r.township for r in reg if r.township), None)
    school = active[0].school_id if active else (present_at[0] if present_at else None)
    survey = sur[-1].finding if sur else None

    category, sources = _categorise(
        hh,
        active,
        reg,
        present_at,
        dec,
        els,
        survey,
        assessment,
        supplied_schools,
        as_of,
        age.of_school_age,
    )
    if (
        survey is not None
        and active
        and survey is not SurveyFinding.STUDYING_ELSEWHERE
        and (category in (C.IN_SCHOOL, C.NON_LOCAL_IN_SCHOOL))
    ):
        find(
            FindingCode.SURVEY_CONFLICT,
            f"household survey found '{survey.value}' but the child is registered and counted "
            "at school",
        )
    _conflict_findings(active, present_at, dec, els, survey, as_of, find)
    key = (category, "presence:absent" if "presence:absent" in sources else "")
    spec = _FOLLOW_UPS.get(key) or _FOLLOW_UPS.get((category, ""))
    follow_up = (
        FollowUp(kind=spec[0], agency=spec[1], citations=policy.cite((spec[2],))) if spec else None
    )
    return LedgerEntry(
        national_id=nid,
        category=category,
        township=township,
        school_id=school,
        school_year_age=age.age,
        school_age=age.of_school_age,
        sources=tuple(sources),
        follow_up=follow_up,
        name=next((h.name for h in hh if h.name), None),
    )


def _categorise(
    hh: Sequence[HouseholdRecord],
    active: Sequence[RegistryRecord],
    reg: Sequence[RegistryRecord],
    present_at: Sequence[str],
    dec: Sequence[Decision],
    els: Sequence[ElsewhereRecord],
    survey: SurveyFinding | None,
    assessment: Assessment | None,
    supplied_schools: set[str],
    as_of: dt.date,
    of_school_age: bool,
) -> tuple[LedgerCategory, list[str]]:
    """The category and the sources that decided it: the ladder of the module docstring."""
    local = ["household"] if hh else []
    if assessment is not None:
        category = _FROM_STATUS[assessment.status]
        if category is C.IN_SCHOOL and not hh:
            category = C.NON_LOCAL_IN_SCHOOL
        return category, [*local, f"assessment:{assessment.status.value}"]
    if survey in _HOUSEHOLD_ISSUES and not active:
        return C.HOUSEHOLD_RECORD_ISSUE, [*local, f"survey:{survey.value}"]
    for decision in dec:
        if decision.kind is DecisionKind.EXEMPT:
            return C.EXEMPT, [*local, "decision:exempt"]
    for decision in dec:
        if decision.until is None or as_of < decision.until:
            return C.DEFERRED, [*local, "decision:deferred"]
    if active:
        record = active[0]
        registered = [*local, f"registry:{record.status.value}"]
        if record.status is RegistryStatus.DROPOUT:
            return C.DROPOUT, registered
        if record.status is RegistryStatus.SUSPECTED_DROPOUT:
            return C.SUSPECTED_DROPOUT, registered
        if record.status is RegistryStatus.SUSPENDED:
            return C.DEFERRED, registered
        if record.school_id in supplied_schools and record.school_id not in present_at:
            return C.SUSPECTED_DROPOUT, [*registered, "presence:absent"]
        present = ["presence"] if record.school_id in present_at else []
        return (C.IN_SCHOOL if hh else C.NON_LOCAL_IN_SCHOOL), [*registered, *present]
    if present_at:
        return C.UNREGISTERED_IN_COUNTY, [*local, "presence"]
    if els or reg or survey is SurveyFinding.STUDYING_ELSEWHERE:
        how = (
            "elsewhere"
            if els
            else "registry:transferred_out"
            if reg
            else "survey:studying_elsewhere"
        )
        return C.STUDYING_ELSEWHERE, [*local, how]
    if not of_school_age:
        return C.NOT_SCHOOL_AGE, local
    if survey is SurveyFinding.NOT_IN_SCHOOL:
        return C.OUT_OF_SCHOOL, [*local, "survey:not_in_school"]
    return C.TO_VERIFY, local or ["disabled"]


def _conflict_findings(
    active: Sequence[RegistryRecord],
    present_at: Sequence[str],
    dec: Sequence[Decision],
    els: Sequence[ElsewhereRecord],
    survey: SurveyFinding | None,
    as_of: dt.date,
    find: Any,
) -> None:
    """Rosters that disagree about one child: each disagreement a finding (PRODUCT.md §6.1),
    whatever category the ladder chose — the ledger never settles a conflict silently."""
    marked = sorted(
        {
            r.status.value
            for r in active
            if r.status in (RegistryStatus.DROPOUT, RegistryStatus.SUSPECTED_DROPOUT)
        }
    )
    if marked and present_at:
        find(
            FindingCode.MARKED_DROPOUT_PRESENT,
            f"the registry marks the child '{'/'.join(marked)}' but the presence roster of "
            f"{', '.join(present_at)} counts the child at school",
        )
    registered_at = sorted({r.school_id for r in active})
    if registered_at and present_at and not set(registered_at) & set(present_at):
        find(
            FindingCode.PRESENT_AT_OTHER_SCHOOL,
            f"registered at {', '.join(registered_at)} but on the presence roster of "
            f"{', '.join(present_at)} (人籍分离)",
        )
    elsewhere = (
        "a verified record"
        if els
        else "the household survey"
        if (survey is SurveyFinding.STUDYING_ELSEWHERE)
        else None
    )
    if elsewhere and (active or present_at):
        here = (
            "registered and present"
            if active and present_at
            else ("registered" if active else "present")
        )
        find(
            FindingCode.ELSEWHERE_BUT_HERE,
            f"{elsewhere} says the child studies outside the county, but the child is {here} "
            "at a county school",
        )
    kinds = sorted(
        {
            d.kind.value
            for d in dec
            if d.kind is DecisionKind.EXEMPT or d.until is None or as_of < d.until
        }
        | {"suspended" for r in active if r.status is RegistryStatus.SUSPENDED}
    )
    if kinds and present_at:
        find(
            FindingCode.EXEMPT_OR_DEFERRED_PRESENT,
            f"{'/'.join(kinds)} (approved), but the presence roster of {', '.join(present_at)} "
            "counts the child at school",
        )


def _data_findings(
    nid: str,
    hh: Sequence[HouseholdRecord],
    reg: Sequence[RegistryRecord],
    pres: Sequence[PresenceRecord],
    dis: Sequence[DisabilityRecord],
    find: Any,
) -> None:
    """Duplicates and conflicts of one child's records: findings, never silent merges."""
    if len(hh) > 1:
        find(FindingCode.DUPLICATE_RECORD, f"{len(hh)} household records for one national id")
    schools = {r.school_id for r in reg if r.status is not RegistryStatus.TRANSFERRED_OUT}
    if len(schools) > 1:
        find(
            FindingCode.MULTIPLE_SCHOOLS,
            f"registered at {len(schools)} schools: {', '.join(sorted(schools))}",
        )
    elif len(reg) > 1:
        find(FindingCode.DUPLICATE_RECORD, f"{len(reg)} registry records for one national id")
    present = {p.school_id for p in pres}
    if len(present) > 1:
        find(
            FindingCode.MULTIPLE_SCHOOLS,
            f"on the presence rosters of {len(present)} schools: {', '.join(sorted(present))}",
        )
    elif len(pres) > 1:
        find(FindingCode.DUPLICATE_RECORD, "listed twice on one school's presence roster")
    births = (
        {national_id_birth_date(nid)} | {h.birth_date for h in hh} | {d.birth_date for d in dis}
    )
    if len(births) > 1:
        find(
            FindingCode.CONFLICTING_BIRTH_DATE,
            "the birth dates of the national id, the household record and the disabled "
            "persons' federation list disagree; the household record's is used",
        )
