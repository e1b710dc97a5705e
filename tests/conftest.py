"""Shared fixtures and the Hypothesis profiles (``ci`` is sized for the CI time budget)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from kongchuo_rules import SchoolCalendar, default_policy
from kongchuo_rules.policy import Policy

# ci: reproducible (the same examples on every run), so a landing never depends on luck;
# dev: random, to keep exploring; thorough: for a long run before a release.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def policy() -> Policy:
    return default_policy()


@pytest.fixture(scope="session")
def calendar() -> SchoolCalendar:
    return SchoolCalendar()
