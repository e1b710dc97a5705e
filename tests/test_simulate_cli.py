"""``kongchuo demo`` and ``kongchuo simulate``: bad input is one line and exit status 2; the
demo writes its tables (counts only) and plots."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kongchuo_rules.cli import main
from kongchuo_rules.simulate._cli import parse_change

CHANGE = "absence.alert_unexcused_school_days=5"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["simulate", "--change", "absence.alert_unexcused_school_days=0"], "--change"),
        (["simulate", "--change", "absence.alert_unexcused_dayz=5"], "did you mean"),
        (["simulate", "--change", "absence.alert_unexcused_school_days=abc"], "--change"),
        (["simulate", "--change", "absence.month_clock=weekly"], "--change"),
        (["simulate", "--change", "absence.alert_unexcused_school_days"], "--change"),
        (["simulate"], "--change"),
        (["simulate", "--change", CHANGE, "--children", "0"], "--children"),
        (["simulate", "--change", CHANGE, "--children", "-5"], "--children"),
        (["simulate", "--change", CHANGE, "--children", "2.5"], "--children"),
        (["simulate", "--change", CHANGE, "--seeds", "0"], "--seeds"),
        (["simulate", "--change", CHANGE, "--seeds", "-1"], "--seeds"),
        (["simulate", "--change", CHANGE, "--assume", "absence.nothing=1"], "--assume"),
        (
            ["simulate", "--change", CHANGE, "--assume", "absence.withdrawal_probability=2"],
            "--assume",
        ),
        (["demo", "--children", "0"], "--children"),
        (["demo", "--seeds", "none"], "--seeds"),
        (["demo", "--lang", "fr"], "--lang"),
        (["demo", "--bogus"], "--bogus"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(
    argv: list[str], names: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if argv[0] == "simulate" and "--out" not in argv:
        argv = [*argv, "--out", str(tmp_path / "out")]
    status, _, err = _run(argv, capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert names in lines[0]
    assert "Traceback" not in err
    assert lines[0].startswith("kongchuo")


def test_missing_out_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(["simulate", "--change", CHANGE], capsys)
    assert status == 2
    assert err.strip().splitlines() == [
        "kongchuo simulate: error: the following arguments are required: --out"
    ]


def test_parse_change_reads_toml_values() -> None:
    assert parse_change("--change", "a.b=5") == ("a.b", 5)
    assert parse_change("--change", "a.b=0.5") == ("a.b", 0.5)
    assert parse_change("--change", "a.b=true") == ("a.b", True)
    assert parse_change("--change", 'a.b="08-31"') == ("a.b", "08-31")
    assert parse_change("--change", "a.b={ school = 0.9 }") == ("a.b", {"school": 0.9})
    assert parse_change("--change", "a.b=calendar") == ("a.b", "calendar")


def test_demo_end_to_end(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "demo"
    status, text, err = _run(
        ["demo", "--children", "1500", "--seeds", "2", "--out", str(out), "--lang", "en"], capsys
    )
    assert status == 0, err
    for section in ("1. Ledger and enrolment rate", "2. Batch assessment", "3. 5 school days"):
        assert section in text
    assert "Jidong Zhen" in text
    assert "county" in text
    for name in (
        "weekly.csv", "funnel.csv", "workload.csv", "compare.csv", "compare_by_township.csv",
        "rates_start_of_year.csv", "rates_end_of_year.csv", "batch_statuses.csv",
        "weekly.png", "funnel.png", "workload.png", "weekly_by_township.png",
    ):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    national_id = re.compile(r"(?<![\d.])230321\d{11}[\dX]")
    for csv in out.glob("*.csv"):
        assert not national_id.search(csv.read_text(encoding="utf-8")), csv.name


def test_simulate_writes_the_comparison(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, text, err = _run(
        [
            "simulate", "--change", CHANGE, "--change", "absence.home_visit_due_school_days=2",
            "--children", "800", "--seeds", "2", "--out", str(tmp_path), "--no-plots",
        ],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    assert "alert_unexcused_school_days=5, home_visit_due_school_days=2" in text
    assert (tmp_path / "compare.csv").exists()
    assert not list(tmp_path.glob("*.png"))


def test_help_needs_no_sim_extra() -> None:
    """``kongchuo --help`` imports nothing of the sim extra."""
    code = (
        "import sys; from kongchuo_rules.cli import _parser; _parser(); "
        "print(sorted(m for m in ('polars', 'matplotlib', 'tqdm') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
