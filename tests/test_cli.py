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


@pytest.mark.parametrize("what", ["assessment", "case", "policy"])
def test_schema(capsys: pytest.CaptureFixture[str], what: str) -> None:
    assert main(["schema", what]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object"


def test_bad_policy_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
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


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_assess_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    case = str(EXAMPLES / "dropout.json")
    assert main(["assess", case, "--as-of", "2026-12-15", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Status: dropout (since 2026-12-08)" in text
    assert main(["assess", case, "--as-of", "2026-12-15", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "dropout"
    assert data["case_id"] == "S-0001"
    for secret in ("张三", "230321201305031230", "13800000000", "张父", "李老师"):
        assert secret not in text
        assert secret not in json.dumps(data, ensure_ascii=False)


def test_assess_json_is_the_model_dump(capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from kongchuo_rules import assess

    case = EXAMPLES / "returned.json"
    assert main(["assess", str(case), "--as-of", "2026-12-15", "--format", "json"]) == 0
    expected = assess(json.loads(case.read_text(encoding="utf-8")), as_of=date(2026, 12, 15))
    assert json.loads(capsys.readouterr().out) == json.loads(expected.model_dump_json())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        ('{"student": {"id": "S-9", "registered": true}}', "student.birth_date: required field"),
        (
            '{"student": {"id": "S-9", "registered": true, "birth_date": "2013-05-03",'
            ' "name": "张三", "national_id": "230321201305031231"}}',
            "student.national_id",
        ),
    ],
)
def test_assess_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "case.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["assess", str(path), "--as-of", "2026-12-15"]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "case.json" in err
    assert "张三" not in err
    assert "Traceback" not in err


def test_assess_bad_date_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(EXAMPLES / "dropout.json"), "--as-of", "2026-13-01"]) == 2
    err = capsys.readouterr().err
    assert "not a date" in err
    assert err.count("\n") == 1


def test_every_example_assesses() -> None:
    from datetime import date

    from kongchuo_rules import assess

    for path in EXAMPLES.glob("*.json"):
        assess(json.loads(path.read_text(encoding="utf-8")), as_of=date(2026, 12, 15))


def test_assess_prints_actions_grouped_by_agency(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["assess", str(EXAMPLES / "dropout.json"), "--as-of", "2026-12-15", "--lang", "en"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Required actions, by agency:" in out
    assert " [county education bureau]" in out
    assert (
        "report to the education bureau — principal; from 2026-12-08, due 2026-12-09 (done)" in out
    )
    assert "(OVERDUE)" in out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_responsibilities_command(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    assert main(["responsibilities", "--lang", lang]) == 0
    out = capsys.readouterr().out
    from kongchuo_rules import Agency

    for agency in Agency:
        assert f"({agency.value})" in out
    assert main(["responsibilities", "court", "--lang", lang]) == 0
    one = capsys.readouterr().out
    assert "依法申请强制执行" in one
    assert "(school)" not in one


def test_responsibilities_unknown_agency_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["responsibilities", "police"]) == 2
    assert "invalid choice" in capsys.readouterr().err
