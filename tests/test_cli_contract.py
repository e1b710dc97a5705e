"""The command line as a contract (issue 12 item 11, issue 13's CLI part): ``--version``,
``assess -`` from stdin, ``… | head`` without a traceback, ``labels``, ``policy init``, and any
bad input ending in one line on stderr with exit status 2 — never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kongchuo_rules import __version__, load_policy
from kongchuo_rules.cli import main
from kongchuo_rules.policy import bundled_policy_path
from kongchuo_rules.schemas import json_schema, labels

from .test_case import PERSONAL, spec_example

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CLI = [sys.executable, "-c", "import sys; from kongchuo_rules.cli import main; sys.exit(main())"]


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, check=False, timeout=120, cwd=ROOT
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"kongchuo-rules {__version__}"


def test_assess_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "dropout.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["assess", "-", "--as-of", "2026-12-15", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "dropout"


def test_assess_stdin_in_a_real_process() -> None:
    done = _run(
        "assess",
        "-",
        "--as-of",
        "2026-12-15",
        "--lang",
        "en",
        stdin=(EXAMPLES / "dropout.json").read_bytes(),
    )
    assert done.returncode == 0, done.stderr
    assert b"Status: dropout" in done.stdout


def test_output_into_a_closed_pipe_ends_quietly() -> None:
    """``kongchuo … | head``: the reader goes away; no BrokenPipe traceback."""
    for args in (
        ["duties", "--from", "2026-01-01", "--to", "2099-12-31"],
        ["assess", str(EXAMPLES / "dropout.json"), "--as-of", "2026-12-15"],
    ):
        process = subprocess.Popen(
            [*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
        )
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()  # like `head` that has read enough
        err = process.stderr.read()
        status = process.wait(timeout=60)
        assert b"Traceback" not in err, err
        assert b"BrokenPipe" not in err
        assert status == 141


def test_labels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["labels", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == labels()
    assert data["Status"]["suspected_dropout"] == {"zh": "疑似辍学", "en": "suspected dropout"}
    assert {
        "Agency",
        "Role",
        "Cause",
        "ActionKind",
        "Stage",
        "EscalationLevel",
        "FindingCode",
    } <= set(data)
    assert main(["labels"]) == 0
    assert "suspected_dropout\t疑似辍学\tsuspected dropout" in capsys.readouterr().out


@pytest.mark.parametrize("what", ["case", "assessment", "policy"])
def test_schema_prints_the_published_schema(capsys: pytest.CaptureFixture[str], what: str) -> None:
    assert main(["schema", what]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema(what)  # type: ignore[arg-type]


def test_policy_init_writes_a_loadable_county_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "county"
    args = [
        "policy",
        "init",
        str(folder),
        "--id",
        "mycounty-kongchuo",
        "--title",
        "某某县控辍保学工作实施方案",
        "-j",
        "某某县",
    ]
    assert main(args) == 0
    policy = load_policy(folder / "policy.toml")
    assert policy.id == "mycounty-kongchuo"
    assert policy.meta.jurisdiction == "某某县"
    assert policy.version.startswith("mycounty-kongchuo@2026.1+")
    assert (folder / "plan.zh.txt").read_bytes() == (
        bundled_policy_path().parent / "plan.zh.txt"
    ).read_bytes()
    text = (folder / "policy.toml").read_text(encoding="utf-8")
    assert text.startswith("# 某某县控辍保学工作实施方案 — a county's own policy file")
    assert "docs/county-setup.md" in text
    capsys.readouterr()
    # refuses to overwrite, unless told to
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    # the new file is usable at once
    assert (
        main(
            [
                "--policy",
                str(folder / "policy.toml"),
                "assess",
                str(EXAMPLES / "dropout.json"),
                "--as-of",
                "2026-12-15",
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out.split("\n", 2)[-1] or "{}") is not None


def test_policy_init_rejects_unsafe_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["policy", "init", str(tmp_path / "x"), "--id", 'a"b']) == 2
    assert "--id" in capsys.readouterr().err
    assert main(["policy", "init"]) == 2


def test_policy_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "path"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == bundled_policy_path()
    assert path.name == "policy.toml"
    assert (path.parent / "plan.zh.txt").exists()


def test_serve_without_the_server_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "kongchuo_rules.server", None)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'kongchuo-rules[server]'" in err
    assert err.count("\n") == 1


# -- bad input: one line on stderr, exit status 2, never a traceback ----------------------------


def _case_file(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _born_9990() -> str:
    data = spec_example()
    data["student"]["birth_date"] = "9990-01-01"
    del data["student"]["national_id"]
    data["events"] = [{"type": "absence", "start": "9990-09-01", "excused": False}]
    return json.dumps(data)


def _with_grade(digits: int) -> str:
    data = spec_example()
    data["student"]["grade"] = 5
    return json.dumps(data).replace('"grade": 5', '"grade": 1' + "0" * digits)


HOSTILE: list[tuple[str, Any, str]] = [
    # (what, the arguments — a callable of tmp_path for files —, a code expected in the line)
    (
        "as_of 0001-01-01",
        lambda t: ["assess", str(EXAMPLES / "dropout.json"), "--as-of", "0001-01-01"],
        "out_of_range",
    ),
    (
        "as_of before birth",
        lambda t: ["assess", str(EXAMPLES / "dropout.json"), "--as-of", "2001-01-01"],
        "as_of_before_birth",
    ),
    (
        "as_of 9999-12-31",
        lambda t: ["assess", str(EXAMPLES / "dropout.json"), "--as-of", "9999-12-31"],
        "out_of_range",
    ),
    (
        "birth date in 9990",
        lambda t: ["assess", _case_file(t, "c.json", _born_9990()), "--as-of", "9999-12-31"],
        "out_of_range",
    ),
    (
        "JSON nested 100,000 deep",
        lambda t: [
            "assess",
            _case_file(t, "c.json", "[" * 100_000 + "]" * 100_000),
            "--as-of",
            "2026-12-15",
        ],
        "invalid_json",
    ),
    (
        "a 5,000-digit integer",
        lambda t: ["assess", _case_file(t, "c.json", _with_grade(5000)), "--as-of", "2026-12-15"],
        "invalid_json",
    ),
    (
        "a non-UTF-8 case file",
        lambda t: [
            "assess",
            _case_file(t, "c.json", json.dumps(spec_example(), ensure_ascii=False).encode("gbk")),
            "--as-of",
            "2026-12-15",
        ],
        "not_utf8",
    ),
    (
        "a case file that is a folder",
        lambda t: ["assess", str(t), "--as-of", "2026-12-15"],
        "unreadable_file",
    ),
    (
        "a missing case file",
        lambda t: ["assess", str(t / "none.json"), "--as-of", "2026-12-15"],
        "unreadable_file",
    ),
    (
        "--csv is a folder",
        lambda t: [
            "ledger",
            "--household",
            str(EXAMPLES / "county" / "household.csv"),
            "--as-of",
            "2026-09-30",
            "--csv",
            str(t),
        ],
        "cannot_write",
    ),
    (
        "--csv in a missing folder",
        lambda t: [
            "ledger",
            "--household",
            str(EXAMPLES / "county" / "household.csv"),
            "--as-of",
            "2026-09-30",
            "--csv",
            str(t / "no" / "x.csv"),
        ],
        "cannot_write",
    ),
    (
        "a huge CSV cell",
        lambda t: [
            "ledger",
            "--household",
            _case_file(t, "h.csv", "national_id,birth_date\n" + "1" * 200_000 + ",2013-01-01\n"),
            "--as-of",
            "2026-09-30",
        ],
        "invalid_roster",
    ),
    (
        "a roster that is a folder",
        lambda t: ["ledger", "--household", str(t), "--as-of", "2026-09-30"],
        "invalid_roster",
    ),
    (
        "ledger on 9999-12-31",
        lambda t: [
            "ledger",
            "--household",
            str(EXAMPLES / "county" / "household.csv"),
            "--as-of",
            "9999-12-31",
        ],
        "out_of_range",
    ),
    (
        "duties over year 9999",
        lambda t: ["duties", "--from", "9999-01-01", "--to", "9999-12-31"],
        "out_of_range",
    ),
    (
        "duties in year 1",
        lambda t: ["duties", "--from", "0001-01-01", "--to", "0001-12-31"],
        "out_of_range",
    ),
    (
        "duties backwards",
        lambda t: ["duties", "--from", "2027-01-01", "--to", "2026-01-01"],
        "invalid_argument",
    ),
    (
        "a bad date argument",
        lambda t: ["assess", str(EXAMPLES / "dropout.json"), "--as-of", "2026-02-30"],
        "not a date",
    ),
    ("an unknown command", lambda t: ["assessment"], "invalid choice"),
    ("a policy file that is a folder", lambda t: ["--policy", str(t), "policy"], "invalid_policy"),
    (
        "a policy file nested 5,000 deep",
        lambda t: ["--policy", _case_file(t, "p.toml", "x = " + "[" * 5000 + "]" * 5000), "policy"],
        "nested too deeply",
    ),
    (
        "an invalid case",
        lambda t: [
            "assess",
            _case_file(
                t,
                "c.json",
                json.dumps(
                    {**spec_example(), "guardians": [{"phone": "张三"}]}, ensure_ascii=False
                ),
            ),
            "--as-of",
            "2026-12-15",
        ],
        "bad_format",
    ),
]


@pytest.mark.parametrize(("what", "args", "expected"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_bad_input_is_one_line_and_exit_2(
    what: str, args: Any, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args(tmp_path)) == 2, what
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("\n") == 1, err
    assert err.startswith("kongchuo"), err
    assert expected in err, err
    assert "Traceback" not in err
    for secret in PERSONAL:
        assert secret not in err + captured.out


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    deep = _case_file(tmp_path, "deep.json", "[" * 100_000)
    for args in (
        ["assess", deep, "--as-of", "2026-12-15"],
        ["duties", "--from", "9999-01-01", "--to", "9999-12-31"],
        ["assess", "-", "--as-of", "2026-12-15"],
    ):
        done = _run(*args, stdin=b"\xff\xfe not utf-8")
        assert done.returncode == 2, done
        assert done.stderr.count(b"\n") == 1, done.stderr
        assert b"Traceback" not in done.stderr
