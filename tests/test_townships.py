"""The county's 11 towns and townships as data of the policy file (PRODUCT.md §7.2)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from kongchuo_rules import default_policy, load_policy
from kongchuo_rules.policy import Policy

NAMES = [
    "鸡东镇",
    "永安镇",
    "向阳镇",
    "永和镇",
    "下亮子乡",
    "哈达镇",
    "明德乡",
    "平阳镇",
    "鸡林乡",
    "兴农镇",
    "东海镇",
]


def test_the_eleven_towns_and_townships_in_the_plans_order() -> None:
    townships = default_policy().townships
    assert [t.zh for t in townships] == NAMES
    assert all(t.pinyin.isascii() and t.pinyin for t in townships)
    assert {t.kind for t in townships if t.zh.endswith("乡")} == {"township"}
    assert {t.kind for t in townships if t.zh.endswith("镇")} == {"town"}


def test_every_township_has_schools_covering_grades_one_to_nine() -> None:
    for township in default_policy().townships:
        grades = {g for s in township.schools for g in range(s.grades[0], s.grades[1] + 1)}
        assert grades == set(range(1, 10)), township.zh


def test_lookup_by_id_name_or_pinyin() -> None:
    policy = default_policy()
    assert policy.township("xialiangzi") is policy.township("下亮子乡")
    assert policy.township("Xialiangzi Xiang").label("en") == "Xialiangzi Xiang"
    with pytest.raises(KeyError):
        policy.township("nowhere")


def _with_townships(policy: Policy, townships: list[dict[str, object]]) -> Policy:
    fields = {name: getattr(policy, name) for name in type(policy).model_fields}
    return Policy.model_validate({**fields, "townships": townships})


def test_a_quote_not_in_the_plan_is_rejected() -> None:
    policy = default_policy()
    bad = policy.townships[0].model_dump() | {"quote": "鸡东镇政府副镇长"}
    with pytest.raises(ValueError, match=r"townships\.0 \(jidong\): quote is not verbatim"):
        _with_townships(policy, [bad])


def test_duplicate_names_and_school_ids_are_rejected() -> None:
    policy = default_policy()
    first = policy.townships[0].model_dump()
    with pytest.raises(ValueError, match="names another township"):
        _with_townships(policy, [first, first])


def test_townships_are_not_part_of_the_version() -> None:
    policy = default_policy()
    assert _with_townships(policy, []).version == policy.version
    # but policies that list different townships do not compare equal
    assert _with_townships(policy, []) != policy
    again = _with_townships(policy, [t.model_dump() for t in policy.townships])
    assert again == policy
    assert hash(again) == hash(policy)


def test_a_policy_file_without_townships_still_loads(tmp_path: Path) -> None:
    folder = resources.files("kongchuo_rules") / "policies" / "jidong"
    text = (folder / "policy.toml").read_text(encoding="utf-8")
    (tmp_path / "policy.toml").write_text(text.split("[[townships]]")[0], encoding="utf-8")
    (tmp_path / "plan.zh.txt").write_text(
        (folder / "plan.zh.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert load_policy(tmp_path / "policy.toml").townships == ()
