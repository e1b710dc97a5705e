"""Packaging: the declared lower bounds of the core dependencies are the versions CI tests in
its lowest-dependencies environment (issue 12, item 6)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_lowest_constraints_are_the_declared_lower_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {}
    for requirement in project["dependencies"]:
        match = re.match(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement)
        assert match, requirement
        declared[match.group(1).lower()] = match.group(2)
    pinned = {}
    for line in (ROOT / ".ci" / "lowest-constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[name.strip().lower()] = version.strip()
    assert set(pinned) == set(declared)
    for name, version in declared.items():
        assert _release(pinned[name]) == _release(version), (name, pinned[name], version)


def _release(version: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (3 - len(parts))
