"""PRC public holidays and weekend make-up workdays (调休上班日), read from ``holidays``.

``holidays`` keeps the State Council's yearly notices in ``ChinaStaticHolidays``: each
substituted day off names the weekend day worked in exchange, which is the make-up workday.
A year without a notice there is the package's estimate: its days off are guessed and it has no
make-up workdays, so it is reported as estimated and never used silently.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType

import holidays


def _china() -> ModuleType:
    """``holidays.countries.china`` without the ``holidays.countries`` package, whose import
    loads every country of the world (about 0.1 s that no rule needs)."""
    name = "holidays.countries.china"
    found = sys.modules.get(name)
    if found is not None:
        return found
    path = Path(holidays.__file__).parent / "countries" / "china.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken installation
        import holidays.countries.china as china

        return china
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_CHINA = _china()
ChinaStaticHolidays = _CHINA.ChinaStaticHolidays

__all__ = ["HOLIDAYS_VERSION", "PrcYear", "prc_year"]

HOLIDAYS_VERSION: str = getattr(holidays, "__version__", "unknown")
"""The version of the ``holidays`` package: its data decides which days are PRC holidays."""


class PrcYear:
    """One calendar year's days off and make-up workdays, and whether they are official."""

    __slots__ = ("days_off", "official", "workdays")

    def __init__(self, days_off: frozenset[date], workdays: frozenset[date], official: bool):
        self.days_off = days_off
        self.workdays = workdays
        self.official = official


def _make_up_workdays() -> dict[int, set[date]]:
    """Every make-up workday in the package, by calendar year."""
    found: dict[int, set[date]] = {}
    for year, entries in ChinaStaticHolidays.special_public_holidays.items():
        items = entries if isinstance(entries[0], tuple) else (entries,)
        for entry in items:
            if len(entry) >= 4:  # (month, day, from_month, from_day[, from_year])
                from_year = entry[4] if len(entry) == 5 else year
                worked = date(from_year, entry[2], entry[3])
                found.setdefault(worked.year, set()).add(worked)
    return found


_WORKDAYS = _make_up_workdays()
_OFFICIAL_YEARS = frozenset(ChinaStaticHolidays.special_public_holidays)


@cache
def prc_year(year: int) -> PrcYear:
    """The package's days off and make-up workdays of ``year`` (memoised; immutable result)."""
    days_off = frozenset(_CHINA.China(years=year, language="en_US"))
    return PrcYear(days_off, frozenset(_WORKDAYS.get(year, ())), year in _OFFICIAL_YEARS)
