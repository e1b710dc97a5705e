"""Reading and writing golden-corpus entries: the inputs of one ``assess`` call (case JSON,
``as_of``, the policy's changed parameters, the calendar's overrides) and its output JSON."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kongchuo_rules import OfficialHolidays, SchoolCalendar, SchoolYearTerms, default_policy
from kongchuo_rules.policy import Policy

HERE = Path(__file__).parent


def policy_changes(policy: Policy) -> dict[str, Any]:
    """Every parameter changed from the bundled policy (named in ``changes`` or different)."""
    base = default_policy()
    changes: dict[str, Any] = {}
    for name, param in policy.parameters.items():
        values = [v.model_dump(mode="json") for v in param.values]
        default = [v.model_dump(mode="json") for v in base.parameters[name].values]
        if values != default or name in policy.changes:
            changes[name] = values
    return changes


def policy_from(changes: dict[str, Any]) -> Policy:
    return default_policy().with_changes(changes) if changes else default_policy()


def calendar_spec(calendar: SchoolCalendar) -> dict[str, Any]:
    return {
        "policy": policy_changes(calendar.policy),
        "terms": {str(y): t.model_dump(mode="json") for y, t in calendar.terms.items()},
        "official": {
            str(y): {
                "days_off": sorted(d.isoformat() for d in h.days_off),
                "workdays": sorted(d.isoformat() for d in h.workdays),
            }
            for y, h in calendar.official.items()
        },
        "closures": sorted(d.isoformat() for d in calendar.closures),
        "extra_days": sorted(d.isoformat() for d in calendar.extra_days),
        "strict": calendar.strict,
    }


def calendar_from(spec: dict[str, Any]) -> SchoolCalendar:
    return SchoolCalendar(
        policy=policy_from(spec["policy"]),
        terms={int(y): SchoolYearTerms.model_validate(t) for y, t in spec["terms"].items()},
        official={
            int(y): OfficialHolidays(
                days_off=frozenset(map(dt.date.fromisoformat, h["days_off"])),
                workdays=frozenset(map(dt.date.fromisoformat, h["workdays"])),
            )
            for y, h in spec["official"].items()
        },
        closures=frozenset(map(dt.date.fromisoformat, spec["closures"])),
        extra_days=frozenset(map(dt.date.fromisoformat, spec["extra_days"])),
        strict=spec["strict"],
    )


def read(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def write(path: Path, entries: list[dict[str, Any]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        for entry in entries:
            f.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
