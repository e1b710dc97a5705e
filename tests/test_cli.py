"""The command line: exit codes, output, and that the installed package ships its data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kongchuo_rules.cli import main


def test_policy_lists_every_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "absence.alert_unexcused_school_days = 7 [school_days; the plan]" in out
    assert "enforcement.order_compliance_days = 15 [days; project assumption]" in out
    assert main(["policy"]) == 0
    assert "本项目假定" in capsys.readouterr().out


@pytest.mark.parametrize("what", ["case", "policy"])
def test_schema(capsys: pytest.CaptureFixture[str], what: str) -> None:
    assert main(["schema", what]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object"


def test_bad_policy_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    assert main(["--policy", "/nonexistent/policy.toml", "policy"]) == 2
    assert "cannot read the policy file" in capsys.readouterr().err


SCRIPT = Path(sys.executable).parent / "kongchuo"


@pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed beside python")
def test_console_script() -> None:
    done = subprocess.run(
        [str(SCRIPT), "schema", "case"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "discriminator" in done.stdout
