"""The docs are part of the product: every rule and finding documented, README example real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kongchuo_rules import default_policy
from kongchuo_rules.assessment import FindingCode
from kongchuo_rules.rules import RULES

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_rule_has_an_entry_citing_its_clauses() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    policy = default_policy()
    for rule_id, rule in RULES.items():
        match = re.search(rf"### `{re.escape(rule_id)}`\n(.*?)(?=\n### |\n## |\Z)", text, re.S)
        assert match, f"docs/rules.md has no entry for {rule_id}"
        entry = match.group(1)
        assert "**Clause:**" in entry, rule_id
        for key in rule.clauses:
            quote_start = policy.clause(key).quote[:8]
            assert quote_start in entry or "as `" in entry, (rule_id, key)
        for name in rule.parameters:
            assert f"`{name}`" in entry, (rule_id, name)


def test_every_finding_code_is_documented() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for code in FindingCode:
        assert f"`{code.value}`" in text, code


def test_every_rule_clause_exists_in_the_policy() -> None:
    policy = default_policy()
    for rule in RULES.values():
        for key in rule.clauses:
            assert key in policy.clauses, (rule.id, key)
        for name in rule.parameters:
            assert name in policy.parameters, (rule.id, name)


def test_readme_python_example_prints_what_its_comments_say(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(README.parent)
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        expected = [
            m.group(1).strip()
            for line in block.splitlines()
            if (m := re.search(r"#\s*(.+)$", line)) and (line.lstrip().startswith(("print", "#")))
        ]
        exec(compile(block, "README.md", "exec"), {})
        printed = capsys.readouterr().out.splitlines()
        assert printed == expected


def test_every_action_kind_is_in_the_catalogue() -> None:
    from kongchuo_rules import ActionKind

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    catalogue = text.split("## Actions", 1)[1]
    for kind in ActionKind:
        assert f"| `{kind.value}`" in catalogue, kind


def test_responsibilities_doc_matches_the_data() -> None:
    from kongchuo_rules._docs import responsibilities_markdown

    assert (DOCS / "responsibilities.md").read_text(encoding="utf-8") == (
        responsibilities_markdown(default_policy())
    ), "docs/responsibilities.md is stale: run `python -m kongchuo_rules._docs docs`"
