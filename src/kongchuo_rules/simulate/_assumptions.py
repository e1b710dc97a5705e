"""The simulation's assumptions: every rate the synthetic county and its simulated school year
draw from, as named, documented data (``assumptions.toml`` beside this file), and the assumed
effects of the actions (:class:`Interventions`).

>>> a = Assumptions.default()
>>> a["absence.withdrawal_probability"]
0.005
>>> a.with_changes({"absence.cause_weights": {"illness": 0.5}})["absence.cause_weights"]["illness"]
0.5
>>> Interventions().persuasion_success["school"]
0.6
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, ValidationError, model_validator

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.errors import KongchuoError, describe_errors
from kongchuo_rules.policy import Description
from kongchuo_rules.vocabulary import EscalationLevel, Lang, Provenance

__all__ = [
    "Assumption",
    "AssumptionError",
    "Assumptions",
    "Interventions",
    "load_assumptions",
]

Kind = Literal["probability", "probabilities", "rate", "ratio", "school_days", "weights", "code"]

ENFORCEMENT_STEPS = (
    "guardian_education",
    "guardian_order",
    "administrative_penalty",
    "court_application",
)
"""The steps of the guardian-enforcement ladder (四步法), in order."""


class AssumptionError(KongchuoError):
    """An assumption file or change is invalid; the message names the assumption."""


def _check_value(kind: Kind, value: Any) -> Any:
    """``value`` checked against ``kind`` (tables as plain dicts of floats)."""
    if kind == "code":
        if not isinstance(value, str) or not value:
            raise ValueError("expected non-empty text")
        return value
    if kind == "school_days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError("expected a whole number of school days, 1 or more")
        return value
    if kind in ("probabilities", "weights"):
        if not isinstance(value, Mapping) or not value:
            raise ValueError("expected a table of numbers")
        table = {str(k): _number(v) for k, v in value.items()}
        if any(v < 0 for v in table.values()):
            raise ValueError("expected numbers of 0 or more")
        if kind == "probabilities" and any(v > 1 for v in table.values()):
            raise ValueError("expected probabilities from 0 to 1")
        if kind == "weights" and not sum(table.values()) > 0:
            raise ValueError("expected weights that do not all be 0")
        return table
    number = _number(value)
    if kind == "probability" and not 0 <= number <= 1:
        raise ValueError("expected a probability from 0 to 1")
    if kind == "rate" and number < 0:
        raise ValueError("expected a rate of 0 or more")
    if kind == "ratio" and not number > 0:
        raise ValueError("expected a number above 0")
    return number


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("expected a finite number")
    return number


class Assumption(FrozenModel):
    """One named assumption: its value, unit, provenance, reasoning and, where one exists, the
    published figure it is grounded on."""

    kind: Kind
    value: Any
    unit: str = Field(min_length=1)
    provenance: Provenance
    reference: str = Field(min_length=1)
    source: str | None = None
    description: Description

    @model_validator(mode="after")
    def _check(self) -> Self:
        object.__setattr__(self, "value", _check_value(self.kind, self.value))
        return self

    def shown(self) -> str:
        """The value as text (tables as ``key=value`` pairs)."""
        if isinstance(self.value, dict):
            return ", ".join(f"{k}={v:g}" for k, v in self.value.items())
        if isinstance(self.value, float):
            return f"{self.value:g}"
        return str(self.value)


class Assumptions(FrozenModel):
    """Every assumption by dotted name. Read a value with ``assumptions[name]``; change some
    with :meth:`with_changes` (validated, errors naming the assumption)."""

    items: Mapping[str, Assumption]
    changes: tuple[str, ...] = ()

    @classmethod
    def default(cls) -> Assumptions:
        """The bundled assumptions (``simulate/assumptions.toml``)."""
        return _default()

    def __getitem__(self, name: str) -> Any:
        try:
            return self.items[name].value
        except KeyError:
            raise AssumptionError(f"assumption {name!r}: unknown{self._suggest(name)}") from None

    def names(self) -> tuple[str, ...]:
        """Every assumption's name, in the order of the file."""
        return tuple(self.items)

    def _suggest(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self.items), n=1)
        return f"; did you mean {close[0]!r}?" if close else ""

    def with_changes(self, changes: Mapping[str, Any]) -> Assumptions:
        """New assumptions with some values replaced. A table may be changed in part (the keys
        given replace those of the table; unknown keys are an error).

        >>> Assumptions.default().with_changes({"absence.withdrawal_probabilty": 0.1})
        Traceback (most recent call last):
        ...
        kongchuo_rules...AssumptionError: ... did you mean 'absence.withdrawal_probability'?
        """
        items = dict(self.items)
        problems: list[str] = []
        for name, value in changes.items():
            if name not in items:
                problems.append(f"assumption {name!r}: unknown{self._suggest(name)}")
                continue
            current = items[name]
            if isinstance(current.value, dict) and isinstance(value, Mapping):
                unknown = sorted(set(map(str, value)) - set(current.value))
                if unknown:
                    problems.append(
                        f"assumption {name!r}: unknown key(s) {', '.join(map(repr, unknown))}; "
                        f"expected some of {', '.join(current.value)}"
                    )
                    continue
                value = {**current.value, **{str(k): v for k, v in value.items()}}
            try:
                items[name] = Assumption.model_validate({**current.model_dump(), "value": value})
            except ValidationError as exc:
                problems.append(f"assumption {name!r}: {describe_errors(exc)}")
        if problems:
            raise AssumptionError("; ".join(problems))
        return Assumptions(items=items, changes=tuple(sorted({*self.changes, *changes})))

    def describe(self, name: str, lang: Lang = "en") -> str:
        """One line about assumption ``name``: value, unit, provenance and description."""
        a = self.items[name]
        text = a.description.zh if lang == "zh" else a.description.en
        return f"{name} = {a.shown()} [{a.unit}; {a.provenance.label(lang)}] {text}"


def _from_data(data: Mapping[str, Any], where: str) -> Assumptions:
    table = data.get("assumptions")
    if not isinstance(table, Mapping) or not table:
        raise AssumptionError(f"{where}: no [assumptions.*] tables")
    items: dict[str, Assumption] = {}
    problems: list[str] = []
    for name, entry in table.items():
        try:
            items[name] = Assumption.model_validate(entry)
        except ValidationError as exc:
            problems.append(f"assumption {name!r}: {describe_errors(exc)}")
    missing = sorted(set(_default_names()) - set(items)) if where != _BUNDLED else []
    problems += [f"assumption {name!r}: missing" for name in missing]
    if problems:
        raise AssumptionError(f"{where}: " + "; ".join(problems))
    return Assumptions(items=items)


_BUNDLED = "simulate/assumptions.toml"


@cache
def _default() -> Assumptions:
    text = (resources.files("kongchuo_rules.simulate") / "assumptions.toml").read_text("utf-8")
    return _from_data(tomllib.loads(text), _BUNDLED)


def _default_names() -> tuple[str, ...]:
    return _default().names()


def load_assumptions(path: str | Path) -> Assumptions:
    """Load a county's own assumptions file (the format of the bundled one; every assumption
    must be present)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AssumptionError(f"{path.name}: cannot read the assumptions file ({exc})") from None
    return _from_data(data, path.name)


# -- interventions ------------------------------------------------------------------------------


def _bundled(name: str) -> Any:
    return Assumptions.default()[f"interventions.{name}"]


Probability = float


class Interventions(FrozenModel):
    """The assumed effects of the actions the rules require (PRODUCT.md §7.2), named and
    overridable; the defaults are the ``interventions.*`` assumptions of the bundled file.

    - ``home_visit_return_probability`` (p) and ``home_visit_return_within_school_days`` (k): a
      home visit brings the child back within k school days with probability p;
    - ``persuasion_success``: the probability one persuasion attempt brings the child back, by
      level (``school``, ``township``, ``education_bureau``, ``county``);
    - ``guardian_compliance``: the probability a refusing guardian sends the child back after
      each enforcement step (``guardian_education``, ``guardian_order``,
      ``administrative_penalty``, ``court_application``).

    A table given in part keeps the defaults for the other keys. :meth:`none` has no effect at
    all: the children's absences run their natural course.
    """

    home_visit_return_probability: Probability = Field(
        default_factory=lambda: _bundled("home_visit_return_probability"), ge=0, le=1
    )
    home_visit_return_within_school_days: int = Field(
        default_factory=lambda: _bundled("home_visit_return_within_school_days"), ge=1
    )
    persuasion_success: dict[str, Probability] = Field(
        default_factory=lambda: _bundled("persuasion_success")
    )
    guardian_compliance: dict[str, Probability] = Field(
        default_factory=lambda: _bundled("guardian_compliance")
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        base = Assumptions.default()
        merged = {
            "home_visit_return_probability": base["interventions.home_visit_return_probability"],
            "home_visit_return_within_school_days": base[
                "interventions.home_visit_return_within_school_days"
            ],
        } | dict(data)
        for name, keys in (
            ("persuasion_success", tuple(level.value for level in EscalationLevel)),
            ("guardian_compliance", ENFORCEMENT_STEPS),
        ):
            given = data.get(name, {})
            if not isinstance(given, Mapping):
                continue  # the field's own validation reports it
            unknown = sorted(set(map(str, given)) - set(keys))
            if unknown:
                raise ValueError(f"{name}: unknown key(s) {', '.join(map(repr, unknown))}")
            merged[name] = {
                **base[f"interventions.{name}"],
                **{str(k): v for k, v in given.items()},
            }
        return merged

    @model_validator(mode="after")
    def _probabilities(self) -> Self:
        for name in ("persuasion_success", "guardian_compliance"):
            for key, value in getattr(self, name).items():
                if not 0 <= value <= 1:
                    raise ValueError(f"{name}.{key}: expected a probability from 0 to 1")
        return self

    @classmethod
    def none(cls) -> Interventions:
        """No intervention has any effect: every absence runs its natural course."""
        return cls(
            home_visit_return_probability=0.0,
            persuasion_success=dict.fromkeys((lv.value for lv in EscalationLevel), 0.0),
            guardian_compliance=dict.fromkeys(ENFORCEMENT_STEPS, 0.0),
        )

    @classmethod
    def from_assumptions(cls, assumptions: Assumptions) -> Interventions:
        """The ``interventions.*`` values of ``assumptions``."""
        return cls(
            home_visit_return_probability=assumptions[
                "interventions.home_visit_return_probability"
            ],
            home_visit_return_within_school_days=int(
                assumptions["interventions.home_visit_return_within_school_days"]
            ),
            persuasion_success=assumptions["interventions.persuasion_success"],
            guardian_compliance=assumptions["interventions.guardian_compliance"],
        )
