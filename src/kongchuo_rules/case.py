"""The case: one child and the dated events about them (PRODUCT.md §4), as frozen models.

>>> case = Case.model_validate({
...     "student": {"id": "S-0001", "birth_date": "2015-05-03", "registered": True, "grade": 5},
...     "events": [{"type": "absence", "start": "2026-11-02", "excused": False}],
... })
>>> case.events[0].type, case.student.grade
('absence', 5)

Bad input raises :class:`~kongchuo_rules.errors.CaseError` (a ``ValueError``) naming the case,
the field and the problem — never the value:

>>> Case.model_validate({"student": {"id": "S-2", "birth_date": "2015-05-03",
...     "registered": True, "national_id": "230321201505031231"}})
Traceback (most recent call last):
...
kongchuo_rules.errors.CaseError: case 'S-2': ... student.national_id: ... (checksum does not match)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import from_json

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.errors import CaseError, custom_error, problems_of
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    Flag,
    MarkKind,
    PersuasionOutcome,
    PlacementMode,
    Role,
    WhereaboutsFinding,
)

__all__ = [
    "ID_CHECK",
    "ID_WEIGHTS",
    "Absence",
    "ActionTaken",
    "Actor",
    "AdministrativePenalty",
    "Case",
    "Completion",
    "CourtApplication",
    "Deferral",
    "Disability",
    "Event",
    "Guardian",
    "GuardianContact",
    "GuardianEducation",
    "GuardianOrder",
    "HomeVisit",
    "Household",
    "IndividualPlan",
    "NationalId",
    "PersuaderAssigned",
    "Persuasion",
    "Placement",
    "RegistryMark",
    "Report",
    "Student",
    "TransferOut",
    "Whereabouts",
    "national_id_birth_date",
    "national_id_check_char",
]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""The weights of the ISO 7064 MOD 11-2 check of a national id's first 17 digits."""
ID_CHECK = "10X98765432"
"""The check character of each remainder modulo 11."""


def national_id_birth_date(value: str) -> dt.date:
    """The birth date encoded in an 18-character national id (digits 7–14).

    >>> national_id_birth_date("230321201305031230")
    datetime.date(2013, 5, 3)
    """
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def national_id_check_char(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a national id.

    >>> national_id_check_char("23032120130503123")
    '0'
    """
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def _check_national_id(value: str) -> str:
    value = value.strip().upper()
    if (
        len(value) != 18
        or not value[:17].isdigit()
        or not (value[17].isdigit() or value[17] == "X")
    ):
        raise custom_error("invalid_national_id", "format")
    if national_id_check_char(value[:17]) != value[17]:
        raise custom_error("invalid_national_id", "checksum")
    try:
        national_id_birth_date(value)
    except ValueError:
        raise custom_error("invalid_national_id", "birth_date") from None
    return value


NationalId = Annotated[str, AfterValidator(_check_national_id)]
"""An 18-character 居民身份证号 with a valid ISO 7064 MOD 11-2 check character."""

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A non-blank string of at most 200 characters."""

Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,19}$")
]
"""A phone number: digits, optionally with a leading ``+``, spaces or hyphens."""

Actor = Role | Agency
"""Who did something: a :class:`Role` or an :class:`Agency` value."""


class Household(FrozenModel):
    """The household's circumstances (plan 二: 脱贫家庭 … 为重点)."""

    poverty_alleviated: bool = False
    low_income: bool = False
    extreme_poverty_support: bool = False
    rural_disabled_poor: bool = False
    economic_hardship: bool = False

    @property
    def priority(self) -> bool:
        """Whether any circumstance makes the household a priority one."""
        return any(self.model_dump().values())


class Disability(FrozenModel):
    """A disability and whether it is certified (残疾证)."""

    certified: bool = False
    category: str | None = Field(default=None, max_length=100)


class Student(FrozenModel):
    """The child. ``name`` and ``national_id`` are personal data: never logged or traced."""

    id: NonEmptyStr
    name: str | None = Field(default=None, repr=False, max_length=100)
    national_id: NationalId | None = Field(default=None, repr=False)
    birth_date: dt.date
    township: NonEmptyStr | None = None
    school_id: NonEmptyStr | None = None
    grade: int | None = Field(default=None, ge=1, le=9)
    registered: bool
    household: Household = Household()
    flags: tuple[Flag, ...] = ()
    disability: Disability | None = None
    attendance_through: dt.date | None = None
    """The last day whose attendance the vendor has recorded: school days after it are
    unknown — neither absence nor a day at school (PRODUCT.md §4). ``None``: every school day
    up to the day assessed that no absence spell covers was a day at school."""

    @property
    def priority(self) -> bool:
        """A priority child (plan 二; 四 乡（镇）责任): a priority household or a special group —
        from ``household`` and ``flags`` only, nothing inferred."""
        return self.household.priority or bool(self.flags)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.national_id and national_id_birth_date(self.national_id) != self.birth_date:
            raise custom_error("birth_date_mismatch", field="birth_date")
        return self


class Guardian(FrozenModel):
    """A parent or legal guardian. ``name`` and ``phone`` are personal data."""

    name: str | None = Field(default=None, repr=False, max_length=100)
    relation: str | None = Field(default=None, max_length=50)
    phone: Phone | None = Field(default=None, repr=False)
    migrant_worker: bool = False


class _Dated(FrozenModel):
    date: dt.date
    ref: str | None = Field(default=None, max_length=200)
    """The vendor's own id of the event (not personal data); named by the action it
    completes (``Action.done_by``)."""

    @property
    def day(self) -> dt.date:
        """The day the event happened (for an absence, its first day)."""
        return self.date


class Absence(FrozenModel):
    """A spell of absence from ``start`` to ``end`` (inclusive; ``None``: still absent)."""

    type: Literal["absence"] = "absence"
    start: dt.date
    end: dt.date | None = None
    excused: bool
    reason: str | None = Field(default=None, max_length=200, repr=False)
    ref: str | None = Field(default=None, max_length=200)
    """The vendor's own id of the event (not personal data)."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise custom_error("dates_out_of_order", "end", field="end")
        return self

    @property
    def day(self) -> dt.date:
        """The first day of the spell."""
        return self.start


class HomeVisit(_Dated):
    """A home visit (家访) and the causes it found."""

    type: Literal["home_visit"] = "home_visit"
    by: Actor | None = None
    causes: tuple[Cause, ...] = ()


class GuardianContact(_Dated):
    """A phone or other contact with the guardian (与监护人联系核实)."""

    type: Literal["guardian_contact"] = "guardian_contact"
    by: Actor | None = None
    causes: tuple[Cause, ...] = ()


class PersuaderAssigned(_Dated):
    """A persuader assigned (落实专人). ``persuader`` is free text and never echoed."""

    type: Literal["persuader_assigned"] = "persuader_assigned"
    persuader: str | None = Field(default=None, max_length=100, repr=False)


class Persuasion(_Dated):
    """One persuasion attempt (劝返). ``level`` ``None``: the level responsible on its date;
    ``outcome`` ``None``: still pending."""

    type: Literal["persuasion"] = "persuasion"
    level: EscalationLevel | None = None
    outcome: PersuasionOutcome | None = None
    causes: tuple[Cause, ...] = ()


class Whereabouts(_Dated):
    """A whereabouts check (去向核查) and its finding."""

    type: Literal["whereabouts"] = "whereabouts"
    finding: WhereaboutsFinding = WhereaboutsFinding.UNKNOWN
    verified_by: Actor | None = None


class RegistryMark(_Dated):
    """A mark set in the student registry (学籍标注)."""

    type: Literal["registry_mark"] = "registry_mark"
    mark: MarkKind | None = None


class Report(_Dated):
    """The case reported upward (上报)."""

    type: Literal["report"] = "report"
    to: Agency = Agency.EDUCATION_BUREAU


class GuardianEducation(_Dated):
    """批评教育 of the guardian."""

    type: Literal["guardian_education"] = "guardian_education"
    by: Actor | None = None


class GuardianOrder(_Dated):
    """An order to the guardian to send the child (责令限期改正), with its deadline."""

    type: Literal["guardian_order"] = "guardian_order"
    by: Actor | None = None
    deadline: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.deadline is not None and self.deadline < self.date:
            raise custom_error("dates_out_of_order", "deadline", field="deadline")
        return self


class AdministrativePenalty(_Dated):
    """An administrative penalty decision (教育行政处罚决定) with its compliance deadline."""

    type: Literal["administrative_penalty"] = "administrative_penalty"
    deadline: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.deadline is not None and self.deadline < self.date:
            raise custom_error("dates_out_of_order", "deadline", field="deadline")
        return self


class CourtApplication(_Dated):
    """An application to the people's court for enforcement (申请强制执行)."""

    type: Literal["court_application"] = "court_application"


class IndividualPlan(_Dated):
    """A one-student-one-plan made (一生一策)."""

    type: Literal["individual_plan"] = "individual_plan"


class Placement(_Dated):
    """A placement decision of the special-education expert committee."""

    type: Literal["placement"] = "placement"
    mode: PlacementMode | None = None


class Deferral(_Dated):
    """An approved deferral of entry or suspension (经批准缓学/休学) until ``until``."""

    type: Literal["deferral"] = "deferral"
    until: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.until is not None and self.until < self.date:
            raise custom_error("dates_out_of_order", "until", field="until")
        return self


class TransferOut(_Dated):
    """Left the county's schools for a receiving school."""

    type: Literal["transfer_out"] = "transfer_out"
    destination: str | None = Field(default=None, max_length=200)


class ActionTaken(_Dated):
    """A required action carried out (any kind, e.g. civil-affairs assistance given): completes
    the actions of that ``kind`` (and ``agency``, when given) triggered on or before its date.
    An addition to the case format of PRODUCT.md §4."""

    type: Literal["action_taken"] = "action_taken"
    kind: ActionKind
    agency: Agency | None = None


class Completion(_Dated):
    """Completed compulsory education."""

    type: Literal["completion"] = "completion"


Event = Annotated[
    Absence
    | HomeVisit
    | GuardianContact
    | PersuaderAssigned
    | Persuasion
    | Whereabouts
    | RegistryMark
    | Report
    | GuardianEducation
    | GuardianOrder
    | AdministrativePenalty
    | CourtApplication
    | IndividualPlan
    | Placement
    | Deferral
    | TransferOut
    | ActionTaken
    | Completion,
    Field(discriminator="type"),
]
"""Any event of a case, told apart by ``type``."""


def _sorted_events(events: tuple[Event, ...]) -> tuple[Event, ...]:
    """Events by date, then type, then their coded fields (enum fields in declaration order, a
    missing value last: on one day, a school-level attempt comes before a township one) — the
    order the rules core and the batch engine use, so the order in which a vendor sent the
    events never matters."""
    from kongchuo_rules._internal.encode import event_row, sort_key

    keys = [sort_key(event_row(e, 0)) for e in events]
    order = sorted(range(len(events)), key=keys.__getitem__)
    return tuple(events[i] for i in order)


class Case(FrozenModel):
    """One child and the dated events about them; events are kept sorted by date."""

    student: Student
    guardians: tuple[Guardian, ...] = ()
    events: tuple[Event, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for i, event in enumerate(self.events):
            if event.day < self.student.birth_date:
                field = "start" if isinstance(event, Absence) else "date"
                raise custom_error("before_birth", field=f"events.{i}.{field}")
        ordered = _sorted_events(self.events)
        if ordered != self.events:
            object.__setattr__(self, "events", ordered)
        return self

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a case from a dict (the JSON of PRODUCT.md §4).

        Raises :class:`~kongchuo_rules.errors.CaseError` naming the case id and each bad field.
        """
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise CaseError(_case_id(obj), problems_of(exc, cls)) from None

    @classmethod
    def model_validate_json(
        cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any
    ) -> Self:
        """Validate a case from JSON text; errors as :meth:`model_validate` (with the case id
        when the text is JSON with a usable ``student.id``)."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise CaseError(_case_id_of_json(json_data), problems_of(exc, cls)) from None


def _case_id_of_json(json_data: str | bytes | bytearray) -> str | None:
    """The vendor's student id in JSON text, if the text parses and has a usable one."""
    try:
        return _case_id(from_json(json_data))
    except ValueError:
        return None


def _case_id(obj: Any) -> str | None:
    """The vendor's student id of raw input, if there is a usable one (it is not personal data)."""
    student = obj.get("student") if isinstance(obj, Mapping) else None
    sid = student.get("id") if isinstance(student, Mapping) else None
    if isinstance(sid, str) and sid.strip() and len(sid) <= 200:
        return sid.strip()
    return None
