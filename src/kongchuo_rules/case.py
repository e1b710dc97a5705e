"""The case: one child and the dated events about them (PRODUCT.md §4), as frozen models.

>>> case = Case.model_validate({
...     "student": {"id": "S-0001", "birth_date": "2015-05-03", "registered": True, "grade": 5},
...     "events": [{"type": "absence", "start": "2026-11-02", "excused": False}],
... })
>>> case.events[0].type, case.student.grade
('absence', 5)

Bad input raises :class:`~kongchuo_rules.errors.CaseError` (a ``ValueError``) naming the case,
the field and the problem — never the value, and never the key of an unknown field (a key can be
a name):

>>> Case.model_validate({"student": {"id": "S-2", "birth_date": "2015-05-03",
...     "registered": True, "national_id": "230321201505031231"}})
Traceback (most recent call last):
...
kongchuo_rules.errors.CaseError: case 'S-2': ... student.national_id: ... (checksum does not match)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import from_json

from kongchuo_rules._base import FrozenModel
from kongchuo_rules._privacy import (
    ID_CHECK,
    ID_WEIGHTS,
    check_char,
    contains_national_id,
    normalise_national_id,
)
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

if TYPE_CHECKING:
    from kongchuo_rules._internal.encode import Row

__all__ = [
    "ID_CHECK",
    "ID_WEIGHTS",
    "MAX_DATE",
    "MIN_DATE",
    "Absence",
    "ActionTaken",
    "Actor",
    "AdministrativePenalty",
    "Case",
    "CaseDate",
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
    "StudentId",
    "TransferOut",
    "Whereabouts",
    "national_id_birth_date",
    "national_id_check_char",
    "validate_national_id",
]


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
    return check_char(body)


_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def _check_national_id(value: str) -> str:
    value = normalise_national_id(value)
    if not _ID_SHAPE.fullmatch(value):
        raise custom_error("invalid_national_id", "format")
    if national_id_check_char(value[:17]) != value[17]:
        raise custom_error("invalid_national_id", "checksum")
    try:
        national_id_birth_date(value)
    except ValueError:
        raise custom_error("invalid_national_id", "birth_date") from None
    return value


def validate_national_id(value: str) -> str:
    """``value`` as a canonical national id (ASCII, upper-case ``X``); ``ValueError`` (with a
    message that does not quote it) if it is not a valid one.

    >>> validate_national_id("２３０３２１２０１３０５０３１２３０")
    '230321201305031230'
    """
    return _check_national_id(value)


NationalId = Annotated[str, AfterValidator(_check_national_id)]
"""An 18-character 居民身份证号 with a valid ISO 7064 MOD 11-2 check character, in ASCII:
full-width digits and ``Ｘ`` are normalised (NFKC), any other non-ASCII digit is rejected — the
same rule wherever an id is read (case JSON, rosters, ``reconcile``), so one child never has two
spellings."""

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A non-blank string of at most 200 characters."""

MIN_DATE = dt.date(1900, 1, 1)
"""The earliest date a case may hold: before the birth of anyone of school age or their
guardians' records, and late enough that no computation reaches ``date.min``."""
MAX_DATE = dt.date(2199, 12, 31)
"""The latest date a case may hold: far beyond any school year a vendor plans for, and far
enough from ``date.max`` (9999-12-31) that adding school days, months or a monitoring period
never overflows."""

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_input(value: object) -> object:
    """Only a ``date`` or a ``YYYY-MM-DD`` string: no Unix timestamp, no date-time."""
    if isinstance(value, dt.datetime):
        raise custom_error("invalid_date", "datetime")
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise custom_error("invalid_date")


def _date_in_range(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise custom_error("out_of_range", "date", ge=MIN_DATE.isoformat(), le=MAX_DATE.isoformat())
    return value


CaseDate = Annotated[dt.date, BeforeValidator(_date_input), AfterValidator(_date_in_range)]
"""A date of a case: a ``date`` or a ``YYYY-MM-DD`` string (never a number read as a Unix
timestamp), from :data:`MIN_DATE` to :data:`MAX_DATE`."""


def _check_student_id(value: str) -> str:
    if contains_national_id(value):
        raise custom_error("id_holds_national_id")
    return value


StudentId = Annotated[NonEmptyStr, AfterValidator(_check_student_id)]
"""The vendor's student id: non-blank, at most 200 characters, and not holding a national id
(it appears in every assessment, explanation and error, so it must not be personal data)."""

EventRef = Annotated[str, StringConstraints(max_length=200), AfterValidator(_check_student_id)]
"""The vendor's own id of an event: at most 200 characters, and not holding a national id (an
action it completes names it in ``Action.done_by``, so it must not be personal data)."""

Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,19}$")
]
"""A phone number: digits, optionally with a leading ``+``, spaces or hyphens."""

Actor = Role | Agency
"""Who did something: a :class:`Role` or an :class:`Agency` value."""


class Household(FrozenModel):
    """The household's circumstances (plan 二: 脱贫家庭 … 为重点)."""

    poverty_alleviated: StrictBool = False
    low_income: StrictBool = False
    extreme_poverty_support: StrictBool = False
    rural_disabled_poor: StrictBool = False
    economic_hardship: StrictBool = False

    @property
    def priority(self) -> bool:
        """Whether any circumstance makes the household a priority one."""
        return any(self.model_dump().values())


class Disability(FrozenModel):
    """A disability and whether it is certified (残疾证)."""

    certified: StrictBool = False
    category: str | None = Field(default=None, max_length=100, repr=False)


class Student(FrozenModel):
    """The child. ``name`` and ``national_id`` are personal data: never logged or traced."""

    id: StudentId
    name: str | None = Field(default=None, repr=False, max_length=100)
    national_id: NationalId | None = Field(default=None, repr=False)
    birth_date: CaseDate
    township: NonEmptyStr | None = None
    school_id: NonEmptyStr | None = None
    grade: StrictInt | None = Field(default=None, ge=1, le=9)
    registered: StrictBool
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
    relation: str | None = Field(default=None, max_length=50, repr=False)
    phone: Phone | None = Field(default=None, repr=False)
    migrant_worker: StrictBool = False


class _Dated(FrozenModel):
    date: CaseDate
    ref: EventRef | None = None
    """The vendor's own id of the event (not personal data); named by the action it
    completes (``Action.done_by``)."""

    @property
    def day(self) -> dt.date:
        """The day the event happened (for an absence, its first day)."""
        return self.date


class Absence(FrozenModel):
    """A spell of absence from ``start`` to ``end`` (inclusive; ``None``: still absent)."""

    type: Literal["absence"] = "absence"
    start: CaseDate
    end: CaseDate | None = None
    excused: StrictBool
    reason: str | None = Field(default=None, max_length=200, repr=False)
    ref: EventRef | None = None
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
    deadline: CaseDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.deadline is not None and self.deadline < self.date:
            raise custom_error("dates_out_of_order", "deadline", field="deadline")
        return self


class AdministrativePenalty(_Dated):
    """An administrative penalty decision (教育行政处罚决定) with its compliance deadline."""

    type: Literal["administrative_penalty"] = "administrative_penalty"
    deadline: CaseDate | None = None

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
    until: CaseDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.until is not None and self.until < self.date:
            raise custom_error("dates_out_of_order", "until", field="until")
        return self


class TransferOut(_Dated):
    """Left the county's schools for a receiving school."""

    type: Literal["transfer_out"] = "transfer_out"
    destination: str | None = Field(default=None, max_length=200, repr=False)


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


class _Events(tuple):  # type: ignore[type-arg]
    """A case's events, sorted, with the rows the rules core reads (``rows``): validation
    encodes every event to sort them, and keeps the rows on the tuple they were made from
    (immutable, so they cannot go stale). Equal to, and pickled and copied as, a plain tuple."""

    rows: list[Row]

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))


def _sorted_events(events: tuple[Event, ...]) -> _Events:
    """Events by date, then type, then their coded fields (enum fields in declaration order, a
    missing value last: on one day, a school-level attempt comes before a township one) — the
    order the rules core and the batch engine use, so the order in which a vendor sent the
    events never matters."""
    from kongchuo_rules._internal.encode import event_row, sort_key

    rows = [event_row(e, i) for i, e in enumerate(events)]
    keys = [sort_key(r) for r in rows]
    order = sorted(range(len(events)), key=keys.__getitem__)
    if order == list(range(len(events))):  # already in order (the usual case)
        ordered = _Events(events)
    else:  # a row's last column is its event's position in the sorted events
        ordered = _Events(events[i] for i in order)
        rows = [(*rows[i][:-1], k) for k, i in enumerate(order)]
    ordered.rows = rows
    return ordered


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
        object.__setattr__(self, "events", _sorted_events(self.events))
        return self

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a case from a dict (the JSON of PRODUCT.md §4).

        Raises :class:`~kongchuo_rules.errors.CaseError` naming the case id and each bad field.
        """
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise CaseError(_case_id(obj), problems_of(exc, cls, obj)) from None

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
    """The vendor's student id of raw input, if there is a usable one: one that the case would
    accept (never one that holds a national id)."""
    student = obj.get("student") if isinstance(obj, Mapping) else None
    sid = student.get("id") if isinstance(student, Mapping) else None
    if isinstance(sid, str) and sid.strip() and len(sid) <= 200 and not contains_national_id(sid):
        return sid.strip()
    return None
