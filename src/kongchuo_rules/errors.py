"""Errors a vendor can act on: a stable code, which case, which field, what is wrong — in
Chinese and English, never the value.

Every error is a :class:`ValueError` (a :class:`KongchuoError`) with

- ``code``: a stable snake_case code (the list is in ``docs/errors.md`` and :data:`CODES`);
- ``zh`` and ``en``: the message in Chinese and in English;
- ``field``: the dotted path of the field at fault (``student.national_id``,
  ``events.0.by``), or ``None`` when the error is about the whole input;
- ``case_id``: the vendor's ``student.id`` when the input had a usable one;
- ``problems``: one :class:`Problem` per fault (a case can have several).

Messages are built from the field path and the kind of error, never from the input, so names,
national ids and phone numbers cannot leak into a log through an error. :func:`error_payload`
turns any exception into a JSON-safe dict for an API response or a log line.

>>> from kongchuo_rules import Case
>>> try:
...     Case.model_validate({"student": {"id": "S-9", "birth_date": "2015-05-03",
...                                      "registered": True, "grade": 12}})
... except CaseError as exc:
...     error_payload(exc)["problems"]
[{'code': 'out_of_range', 'field': 'student.grade', 'zh': '不能大于 9', 'en': 'must be at most 9'}]
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

__all__ = [
    "CODES",
    "ArgumentError",
    "CaseError",
    "KongchuoError",
    "PolicyError",
    "Problem",
    "check_as_of",
    "custom_error",
    "dates_out_of_range",
    "describe_errors",
    "enum_member",
    "error_pairs",
    "error_payload",
    "field_path",
    "problem",
    "problems_from_details",
    "problems_of",
]


# -- the catalogue ----------------------------------------------------------------------------

CODES: Mapping[str, tuple[str, str]] = {
    # bad case input (field-level)
    "missing_field": ("缺少必填字段", "required field is missing"),
    "unknown_field": ("不允许的字段", "unknown field"),
    "missing_event_type": ("事件缺少 type 字段", "the event has no 'type'"),
    "unknown_event_type": ("未知的事件类型", "unknown event type"),
    "unknown_value": ("不是允许的取值", "not one of the allowed values"),
    "wrong_type": ("类型错误", "wrong type"),
    "invalid_date": ("不是有效日期", "not a valid date"),
    "blank": ("不能为空", "must not be blank"),
    "too_short": ("过短", "too short"),
    "too_long": ("过长", "too long"),
    "bad_format": ("格式不正确", "wrong format"),
    "out_of_range": ("超出允许范围", "out of range"),
    "invalid_national_id": ("不是有效的18位居民身份证号", "not a valid 18-character national id"),
    "id_holds_national_id": ("编号中含有居民身份证号", "the id contains a national id"),
    "birth_date_mismatch": ("出生日期与身份证号不一致", "does not match the national id"),
    "dates_out_of_order": ("日期先后顺序不对", "dates out of order"),
    "before_birth": ("早于学生出生日期", "before the student's birth date"),
    "invalid_json": ("不是有效的 JSON", "not valid JSON"),
    "invalid_value": ("取值无效", "invalid value"),
    # bad arguments
    "as_of_before_birth": ("评估日期早于学生出生日期", "as_of is before the student's birth date"),
    "invalid_argument": ("参数无效", "invalid argument"),
    # whole inputs other than cases
    "invalid_policy": ("策略文件或策略修改无效", "invalid policy file or policy change"),
    "calendar_estimated": ("该年节假日安排为推定", "the year's PRC holidays are only estimated"),
    "invalid_roster": ("名册文件无效", "invalid roster file"),
    "unreadable_file": ("无法读取文件", "cannot read the file"),
    "not_utf8": ("不是 UTF-8 文本", "not UTF-8 text"),
    "cannot_write": ("无法写出文件", "cannot write the file"),
    "invalid_input": ("输入无效", "invalid input"),
    # the HTTP service
    "request_too_large": ("请求体过大", "request body too large"),
    "too_many_cases": ("一次提交的案例过多", "too many cases in one request"),
    "unsupported_media_type": ("请求体须为 JSON", "the request body must be JSON"),
    "not_found": ("未找到", "not found"),
    "method_not_allowed": ("不支持该请求方法", "method not allowed"),
    "internal_error": ("内部错误", "internal error"),
}
"""Every stable error code with its Chinese and English title."""

# Messages with details, by code or ``code.variant``: zh and en templates over safe context
# (bounds and allowed values of the schema — never the input).
_DETAILS: Mapping[str, tuple[str, str]] = {
    "unknown_value": (
        "不是允许的取值，应为：{expected}",
        "unknown value; expected one of {expected}",
    ),
    "unknown_event_type": (
        "未知的事件类型，应为：{expected}",
        "unknown event type; expected one of {expected}",
    ),
    "missing_event_type": ("事件缺少 type 字段", "the event has no 'type' (the event kind)"),
    "unknown_field": ("不允许的字段（字段名不显示）", "unknown field (its name is not shown)"),
    "unknown_field.allowed": (
        "不允许的字段（字段名不显示）；允许的字段：{allowed}",
        "unknown field (its name is not shown); allowed: {allowed}",
    ),
    "unknown_field.position": (
        "不允许的字段（第 {position} 个键，共 {count} 个；字段名不显示）",
        "unknown field (key no. {position} of {count}; its name is not shown)",
    ),
    "unknown_field.position_allowed": (
        "不允许的字段（第 {position} 个键，共 {count} 个；字段名不显示）；允许的字段：{allowed}",
        "unknown field (key no. {position} of {count}; its name is not shown); allowed: {allowed}",
    ),
    "wrong_type.string": ("应为字符串", "expected a string"),
    "wrong_type.integer": ("应为整数", "expected an integer"),
    "wrong_type.number": ("应为数字", "expected a number"),
    "wrong_type.boolean": ("应为 true 或 false", "expected true or false"),
    "wrong_type.list": ("应为数组", "expected a list"),
    "wrong_type.object": ("应为对象", "expected an object"),
    "wrong_type.null": ("应为 null", "expected null"),
    "wrong_type.date": (
        "应为 date 类型（不能是 datetime 或字符串）",
        "expected a date (not a datetime or a string)",
    ),
    "wrong_type.policy": (
        "应为 Policy（由 default_policy() 或 load_policy() 得到）",
        "expected a Policy (from default_policy() or load_policy())",
    ),
    "wrong_type.calendar": ("应为 SchoolCalendar", "expected a SchoolCalendar"),
    "invalid_date": ("不是有效日期（应为 YYYY-MM-DD）", "not a valid date (YYYY-MM-DD)"),
    "invalid_date.datetime": (
        "不是有效日期（应为 YYYY-MM-DD，不能带时间）",
        "not a valid date (YYYY-MM-DD, not a date and time)",
    ),
    "out_of_range.date": (
        "日期超出支持范围（{ge} 至 {le}）",
        "date outside the supported range {ge}..{le}",
    ),
    "id_holds_national_id": (
        "编号中含有居民身份证号（个人信息）：请使用不含身份证号的本系统编号"
        "（全国学籍号 G + 身份证号 即含有身份证号）",
        "contains a national id (personal data): use an id of the vendor's own that does not "
        "embed the 身份证号 (the registry number G + 身份证号 is one that does)",
    ),
    "blank": ("不能为空", "must not be blank"),
    "too_short": ("至少 {min_length} 个字符", "must have at least {min_length} characters"),
    "too_short.items": ("至少 {min_length} 项", "must have at least {min_length} items"),
    "too_long": ("最多 {max_length} 个字符", "must have at most {max_length} characters"),
    "too_long.items": ("最多 {max_length} 项", "must have at most {max_length} items"),
    "bad_format": ("格式不正确", "does not have the expected format"),
    "bad_format.phone": (
        "不是电话号码（数字，可有开头的 + 号、空格或连字符）",
        "not a phone number (digits, optionally a leading +, spaces or hyphens)",
    ),
    "out_of_range.ge": ("不能小于 {ge}", "must be at least {ge}"),
    "out_of_range.gt": ("必须大于 {gt}", "must be more than {gt}"),
    "out_of_range.le": ("不能大于 {le}", "must be at most {le}"),
    "out_of_range.lt": ("必须小于 {lt}", "must be less than {lt}"),
    "out_of_range": ("超出允许范围", "out of range"),
    "invalid_national_id.format": (
        "不是有效的18位居民身份证号（应为17位数字加1位数字或X）",
        "not a valid 18-character national id (17 digits then a digit or X)",
    ),
    "invalid_national_id.checksum": (
        "不是有效的18位居民身份证号（校验位不符）",
        "not a valid 18-character national id (checksum does not match)",
    ),
    "invalid_national_id.birth_date": (
        "不是有效的18位居民身份证号（出生日期不存在）",
        "not a valid 18-character national id (no real birth date)",
    ),
    "birth_date_mismatch": (
        "出生日期与身份证号中的出生日期不一致",
        "birth_date does not match the birth date in national_id",
    ),
    "dates_out_of_order.end": ("结束日期早于开始日期", "end is before start"),
    "dates_out_of_order.deadline": ("期限早于决定日期", "deadline is before the event's date"),
    "dates_out_of_order.until": ("截止日期早于批准日期", "until is before the event's date"),
    "before_birth": ("早于学生出生日期", "before the student's birth date"),
    "invalid_json": ("不是有效的 JSON", "not valid JSON"),
    "invalid_json.parser": ("不是有效的 JSON（{error}）", "not valid JSON ({error})"),
    "as_of_before_birth": (
        "评估日期 as_of 早于学生出生日期",
        "as_of is before the student's birth date",
    ),
}

# pydantic error types → (code, variant)
_TYPE_CODES: Mapping[str, tuple[str, str]] = {
    "missing": ("missing_field", ""),
    "extra_forbidden": ("unknown_field", ""),
    "union_tag_not_found": ("missing_event_type", ""),
    "union_tag_invalid": ("unknown_event_type", ""),
    "enum": ("unknown_value", ""),
    "literal_error": ("unknown_value", ""),
    "string_type": ("wrong_type", "string"),
    "string_sub_type": ("wrong_type", "string"),
    "string_unicode": ("wrong_type", "string"),
    "int_type": ("wrong_type", "integer"),
    "int_parsing": ("wrong_type", "integer"),
    "int_parsing_size": ("out_of_range", ""),
    "int_from_float": ("wrong_type", "integer"),
    "float_type": ("wrong_type", "number"),
    "float_parsing": ("wrong_type", "number"),
    "finite_number": ("out_of_range", ""),
    "bool_type": ("wrong_type", "boolean"),
    "bool_parsing": ("wrong_type", "boolean"),
    "list_type": ("wrong_type", "list"),
    "tuple_type": ("wrong_type", "list"),
    "set_type": ("wrong_type", "list"),
    "iterable_type": ("wrong_type", "list"),
    "dict_type": ("wrong_type", "object"),
    "model_type": ("wrong_type", "object"),
    "model_attributes_type": ("wrong_type", "object"),
    "dataclass_type": ("wrong_type", "object"),
    "none_required": ("wrong_type", "null"),
    "invalid_key": ("wrong_type", "object"),
    "date_type": ("invalid_date", ""),
    "date_parsing": ("invalid_date", ""),
    "date_from_datetime_parsing": ("invalid_date", ""),
    "date_from_datetime_inexact": ("invalid_date", ""),
    "string_too_short": ("too_short", ""),
    "string_too_long": ("too_long", ""),
    "too_long": ("too_long", "items"),
    "too_short": ("too_short", "items"),
    "string_pattern_mismatch": ("bad_format", ""),
    "greater_than_equal": ("out_of_range", "ge"),
    "greater_than": ("out_of_range", "gt"),
    "less_than_equal": ("out_of_range", "le"),
    "less_than": ("out_of_range", "lt"),
    "json_invalid": ("invalid_json", ""),
    "json_type": ("invalid_json", ""),
    "recursion_loop": ("invalid_json", ""),
}

# context keys that may go into a message: bounds, allowed values and the JSON parser's own
# words (what it expected, line and column) — never the input
_SAFE_CONTEXT = (
    "allowed",
    "count",
    "position",
    "error",
    "expected",
    "expected_tags",
    "min_length",
    "max_length",
    "ge",
    "gt",
    "le",
    "lt",
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault of an input: a stable ``code``, the ``field`` path (``None``: the whole
    input) and the message in Chinese and English — never the value."""

    code: str
    field: str | None
    zh: str
    en: str

    def as_dict(self) -> dict[str, str | None]:
        """The problem as a JSON-safe dict."""
        return {"code": self.code, "field": self.field, "zh": self.zh, "en": self.en}


def problem(code: str, field: str | None = None, variant: str = "", **context: Any) -> Problem:
    """A :class:`Problem` with the catalogue's messages for ``code`` (and ``variant``), filled
    from ``context`` (bounds, allowed values — never an input value).

    >>> problem("invalid_date", "as_of").en
    'not a valid date (YYYY-MM-DD)'
    """
    zh, en = _message(f"{code}.{variant}" if variant else code, context)
    return Problem(code, field, zh, en)


def _message(key: str, context: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """The zh and en messages for ``code`` or ``code.variant``, filled from safe context."""
    code = key.split(".", 1)[0]
    zh, en = _DETAILS.get(key) or _DETAILS.get(code) or CODES.get(code, CODES["invalid_value"])
    if context:
        safe = {k: context[k] for k in _SAFE_CONTEXT if k in context}
        try:
            return zh.format(**safe), en.format(**safe)
        except (KeyError, IndexError, ValueError):
            pass
    if "{" in zh or "{" in en:
        return CODES.get(code, CODES["invalid_value"])
    return zh, en


# -- the library's errors ---------------------------------------------------------------------

# codes of error classes defined in other modules (they inherit ``code`` from here)
_CLASS_CODES = {
    "CalendarEstimatedError": "calendar_estimated",
    "RosterError": "invalid_roster",
}


class KongchuoError(ValueError):
    """Base of the library's errors; a :class:`ValueError` with a stable ``code``, a Chinese
    and an English message, the ``field`` at fault and the ``case_id`` when known.

    A subclass's default ``code`` comes from its class attribute; ``zh`` defaults to the code's
    Chinese title followed by the English detail.
    """

    code: ClassVar[str] = "invalid_input"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__ and cls.__name__ in _CLASS_CODES:
            cls.code = _CLASS_CODES[cls.__name__]

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        zh: str | None = None,
        field: str | None = None,
        case_id: str | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code  # type: ignore[misc]  # an instance may refine its class's code
        self.en = message
        self.zh = zh if zh is not None else f"{CODES.get(self.code, ('输入无效',))[0]}：{message}"
        self.field = field
        self.case_id = case_id
        self.problems: tuple[Problem, ...] = tuple(problems) or (
            Problem(self.code, field, self.zh, self.en),
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # keep code, messages, field, case id and problems across pickling (processes, Dask)
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[KongchuoError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    ValueError.__init__(error, *args)
    error.__dict__.update(state)
    return error


class PolicyError(KongchuoError):
    """A policy file or a policy change is invalid; the message names the parameter."""

    code = "invalid_policy"


class CaseError(KongchuoError):
    """A case (or an argument about it) is invalid: the case id and one :class:`Problem` per
    fault, each with its code, field and message.

    ``code`` and ``field`` are those of the first problem; ``problems`` holds them all.
    ``problems`` may also be given as ``(field, message)`` pairs (code ``invalid_value``).
    """

    def __init__(self, case_id: str | None, problems: Sequence[Problem | tuple[str, str]]) -> None:
        items = tuple(
            p if isinstance(p, Problem) else _pair_problem(p[0], p[1]) for p in problems
        ) or (problem("invalid_input"),)
        en, zh = _listed(items)
        en_where = f"case {case_id!r}" if case_id else "case"
        zh_where = f"案例 {case_id!r}" if case_id else "案例"
        super().__init__(
            f"{en_where}: {len(items)} problem(s): {en}",
            code=items[0].code,
            zh=f"{zh_where}：{len(items)} 个问题：{zh}",
            field=items[0].field,
            case_id=case_id,
            problems=items,
        )


class ArgumentError(KongchuoError):
    """An argument other than a case is invalid (an HTTP query parameter, a command-line
    option): one :class:`Problem` per fault; ``code`` and ``field`` are the first one's.

    >>> str(ArgumentError([problem("invalid_date", "as_of")]))
    'as_of: not a valid date (YYYY-MM-DD)'
    """

    code = "invalid_argument"

    def __init__(self, problems: Sequence[Problem]) -> None:
        items = tuple(problems) or (problem("invalid_argument"),)
        en, zh = _listed(items)
        super().__init__(en, code=items[0].code, zh=zh, field=items[0].field, problems=items)


def _listed(items: Sequence[Problem]) -> tuple[str, str]:
    """The problems on one line, in English and in Chinese."""
    en = "; ".join(p.en if p.field is None else f"{p.field}: {p.en}" for p in items)
    zh = "；".join(p.zh if p.field is None else f"{p.field}：{p.zh}" for p in items)
    return en, zh


def _pair_problem(field: str, message: str) -> Problem:
    path = None if field == "(root)" else field
    return Problem("invalid_value", path, f"{CODES['invalid_value'][0]}：{message}", message)


def custom_error(
    code: str, variant: str = "", *, field: str | None = None, **bounds: Any
) -> PydanticCustomError:
    """An error for a validator to raise: ``code`` (and ``variant``) from :data:`CODES`;
    ``field``, a path relative to the model being validated, names the field at fault when the
    validator is a model validator (whose errors pydantic reports at the model itself).

    >>> custom_error("dates_out_of_order", "end", field="end").type
    'dates_out_of_order'
    """
    if code not in CODES:
        raise KeyError(f"unknown error code {code!r}")
    key = f"{code}.{variant}" if variant else code
    context: dict[str, Any] = {"variant": variant, **bounds}
    if field is not None:
        context["field"] = field
    return PydanticCustomError(code, _message(key, bounds)[1], context)


# -- from pydantic's errors to problems -------------------------------------------------------

_UNION_TAG = re.compile(r"[\[\](),]|^[A-Z]")


def _clean_loc(loc: Sequence[int | str]) -> tuple[list[int | str], bool]:
    """The path of ``loc`` without the tags pydantic inserts for union members (the event type
    after an event's index, ``str-enum[Role]`` in ``Role | Agency``), and whether a union
    member's tag was dropped."""
    parts: list[int | str] = []
    union = False
    for i, part in enumerate(loc):
        if isinstance(part, str):
            if i >= 2 and isinstance(loc[i - 1], int) and loc[i - 2] == "events":
                continue  # the discriminated event union: the tag is the event type
            if _UNION_TAG.search(part):
                union = True
                continue
        parts.append(part)
    return parts, union


def field_path(loc: Sequence[int | str]) -> str:
    """A dotted field path from a pydantic ``loc``, without the tags pydantic inserts to name
    a union member (the event type after an event's index, ``str-enum[Role]`` …).

    >>> field_path(("events", 2, "absence", "end"))
    'events.2.end'
    >>> field_path(("events", 0, "home_visit", "by", "str-enum[Role]"))
    'events.0.by'
    >>> field_path(())
    '(root)'
    """
    return ".".join(str(p) for p in _clean_loc(loc)[0]) or "(root)"


def _join(path: str | None, field: str) -> str:
    return f"{path}.{field}" if path else field


def _expected(context: Mapping[str, Any]) -> str:
    """The allowed values named by an ``enum``/``literal_error`` context, as a plain list."""
    raw = str(context.get("expected") or context.get("expected_tags") or "")
    values = re.findall(r"'([^']*)'", raw)
    return ", ".join(values) if values else raw


def _problem(error: ErrorDetails | Mapping[str, Any], path: str | None) -> Problem:
    kind = error["type"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in _TYPE_CODES:
        code, variant = _TYPE_CODES[kind]
    elif kind in CODES:  # raised by the library's own validators (custom_error)
        code, variant = kind, str(context.get("variant", ""))
        relative = context.get("field")
        if isinstance(relative, str) and relative:
            path = _join(path, relative)
    elif kind in ("value_error", "assertion_error"):
        # a validator's own message (the library's messages never hold input values)
        message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return Problem("invalid_value", path, f"{CODES['invalid_value'][0]}：{message}", message)
    else:
        code, variant = "invalid_value", ""
    if code in ("unknown_value", "unknown_event_type"):
        context = {"expected": _expected(context)}
    if kind == "json_invalid" and isinstance(context.get("error"), str):
        # the JSON parser's own words: what it expected, and the line and column — no input
        variant = "parser"
    if code == "too_short" and context.get("min_length") == 1 and variant != "items":
        code, variant = "blank", ""
    if code == "bad_format" and path and path.rsplit(".", 1)[-1] == "phone":
        variant = "phone"
    zh, en = _message(f"{code}.{variant}" if variant else code, context)
    return Problem(code, path, zh, en)


def problems_of(
    exc: ValidationError, model: type[Any] | None = None, data: Any = None
) -> list[Problem]:
    """One :class:`Problem` per fault of ``exc`` — with no input value, and one problem (not
    one per member) for a value that matches no member of a union such as ``Role | Agency``.

    ``model``, the model validated, lets an unknown field's problem list the allowed fields;
    ``data``, the input validated, lets it say where the unknown key sits (``key no. 3 of 5``).
    Neither the key nor its value is ever shown: a key can be a name.
    """
    return problems_from_details(
        exc.errors(include_input=False, include_url=False, include_context=True), model, data
    )


def problems_from_details(
    errors: Sequence[ErrorDetails] | Sequence[Mapping[str, Any]],
    model: type[Any] | None = None,
    data: Any = None,
) -> list[Problem]:
    """:func:`problems_of` for pydantic's error details (``ValidationError.errors()``, or a web
    framework's list of them); an ``input`` in the details is never read."""
    problems: list[Problem] = []
    unions: dict[str, tuple[int, list[str]]] = {}  # path → (index, allowed values so far)
    for error in errors:
        parts, union = _clean_loc(error["loc"])
        path = ".".join(str(p) for p in parts) or None
        if error["type"] == "extra_forbidden" and parts:
            problems.append(_unknown_field(model, error["loc"], parts, data))
            continue
        problem = _problem(error, path)
        if not union:
            problems.append(problem)
            continue
        key = problem.field or ""
        values = _expected(error.get("ctx") or {}).split(", ")
        if key not in unions:
            unions[key] = (len(problems), values)
            problems.append(problem)
            continue
        index, seen = unions[key]
        if problem.code == problems[index].code == "unknown_value":
            seen = list(dict.fromkeys([*seen, *values]))
            unions[key] = (index, seen)
            zh, en = _message("unknown_value", {"expected": ", ".join(seen)})
            problems[index] = Problem("unknown_value", problem.field, zh, en)
    return problems


def _unknown_field(
    model: type[Any] | None, loc: Sequence[int | str], parts: list[int | str], data: Any
) -> Problem:
    """An unknown field, reported at the object that holds it (the key itself is never shown:
    a key can be a name), with its position among that object's keys when the input is known
    and the fields that object allows when they can be found."""
    parent = ".".join(str(p) for p in parts[:-1]) or None
    allowed = _allowed_fields(model, loc[:-1]) if model is not None else None
    context: dict[str, Any] = {"allowed": ", ".join(allowed)} if allowed else {}
    position = _key_position(data, parts[:-1], loc[-1]) if data is not None else None
    if position is not None:
        context["position"], context["count"] = position
    variant = "_".join(v for v, on in (("position", position), ("allowed", allowed)) if on)
    zh, en = _message(f"unknown_field.{variant}" if variant else "unknown_field", context)
    return Problem("unknown_field", parent, zh, en)


def _key_position(data: Any, path: Sequence[int | str], key: Any) -> tuple[int, int] | None:
    """``(n, count)``: ``key`` is the n-th of the ``count`` keys of the object at ``path`` in
    ``data``; ``None`` when it cannot be found."""
    target = data
    try:
        for part in path:
            if isinstance(target, Mapping):
                target = target[part]
            elif isinstance(target, list | tuple):
                target = target[int(part)]
            else:
                return None
        if isinstance(target, Mapping):
            for i, candidate in enumerate(target, 1):
                if candidate == key:
                    return i, len(target)
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return None


def _allowed_fields(model: type[Any], loc: Sequence[int | str]) -> list[str] | None:
    """The field names of the model found at ``loc`` under ``model`` (list items and
    discriminated-union members followed), or ``None`` if it cannot be found."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            args = [a for a in typing.get_args(_unwrap(current, None)) if a is not Ellipsis]
            if not args:
                return None
            current = args[0]
            continue
        current = _unwrap(current, part)
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is not None:
            current = field.annotation
        # else: ``part`` was a union member's tag, and ``current`` is that member
    current = _unwrap(current, None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


def _unwrap(tp: Any, tag: str | None) -> Any:
    """``tp`` without ``Annotated`` and ``| None``; for a union of event models, the member
    whose ``type`` is ``tag``."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
            for member in members:
                if isinstance(member, type) and issubclass(member, BaseModel):
                    literal = member.model_fields.get("type")
                    if literal is not None and literal.default == tag:
                        return member
        return tp


def error_pairs(exc: ValidationError, data: Any = None) -> list[tuple[str, str]]:
    """``(field path, problem)`` pairs (English) for a validation error, with no input values
    and no input keys (``data``, the input validated, places an unknown key by position)."""
    return [(p.field or "(root)", p.en) for p in problems_of(exc, data=data)]


def describe_errors(exc: ValidationError) -> str:
    """One line describing every problem of ``exc`` (English), with no input values."""
    return "; ".join(
        problem if path == "(root)" else f"{path}: {problem}" for path, problem in error_pairs(exc)
    )


# -- arguments ---------------------------------------------------------------------------------

E = typing.TypeVar("E", bound=StrEnum)


def enum_member(cls: type[E], value: object, field: str) -> E:
    """``value`` as a member of the string enum ``cls``: a member, or its snake_case value.
    Anything else raises :class:`KongchuoError` (a ``ValueError``) with code ``unknown_value``.

    >>> from kongchuo_rules.vocabulary import Cause
    >>> enum_member(Cause, "illness", "cause")
    <Cause.ILLNESS: 'illness'>
    >>> enum_member(Cause, "flu", "cause")
    Traceback (most recent call last):
    ...
    kongchuo_rules.errors.KongchuoError: cause: unknown value; expected one of ...
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            pass
    zh, en = _message("unknown_value", {"expected": ", ".join(m.value for m in cls)})
    raise KongchuoError(f"{field}: {en}", code="unknown_value", zh=f"{field}：{zh}", field=field)


def check_as_of(case_id: str, birth_date: dt.date, as_of: object) -> None:
    """Raise :class:`CaseError` unless ``as_of`` is a ``date`` (not a ``datetime``) within the
    supported range of a case's dates (:data:`~kongchuo_rules.case.MIN_DATE` to
    :data:`~kongchuo_rules.case.MAX_DATE`) and on or after the child's birth date.

    >>> check_as_of("S-1", dt.date(2015, 5, 3), dt.date(2002, 1, 1))
    Traceback (most recent call last):
    ...
    kongchuo_rules.errors.CaseError: case 'S-1': 1 problem(s): as_of: as_of is before the ...
    """
    from kongchuo_rules.case import MAX_DATE, MIN_DATE  # the one definition of the range

    if type(as_of) is not dt.date:
        raise CaseError(case_id, [problem("wrong_type", "as_of", "date")])
    if not MIN_DATE <= as_of <= MAX_DATE:
        bounds = {"ge": MIN_DATE.isoformat(), "le": MAX_DATE.isoformat()}
        raise CaseError(case_id, [problem("out_of_range", "as_of", "date", **bounds)])
    if as_of < birth_date:
        raise CaseError(case_id, [problem("as_of_before_birth", "as_of")])


@contextmanager
def dates_out_of_range(case_id: str | None = None) -> Iterator[None]:
    """Within the block, the errors of date arithmetic far from today — an ``OverflowError``, or
    a ``ValueError`` that is not the library's (``year 10000 is out of range``) — become a
    :class:`KongchuoError` with code ``out_of_range`` (for callers that take dates from
    outside: the command line, the HTTP service).

    >>> import datetime as dt
    >>> with dates_out_of_range("S-1"):
    ...     dt.date.max + dt.timedelta(days=1)
    Traceback (most recent call last):
    ...
    kongchuo_rules.errors.KongchuoError: the calendar cannot count from these dates ...
    """
    try:
        yield
    except KongchuoError:
        raise
    except (OverflowError, ValueError):
        raise KongchuoError(
            "the calendar cannot count from these dates (too close to year 1 or 9999)",
            code="out_of_range",
            zh=f"{CODES['out_of_range'][0]}：日期离公元1年或9999年太近，无法按校历计算",
            case_id=case_id,
        ) from None


# -- any error as a JSON-safe payload ----------------------------------------------------------


def error_payload(exc: BaseException) -> dict[str, Any]:
    """Any exception as a JSON-safe dict: ``code``, ``zh``, ``en``, ``field``, ``case_id`` and
    ``problems`` (each with ``code``, ``field``, ``zh``, ``en``) — never an input value.

    The library's errors and pydantic's ``ValidationError`` give their codes and messages;
    anything else is ``internal_error`` with no detail (its message could hold anything).

    >>> error_payload(RuntimeError("张三"))["code"]
    'internal_error'
    """
    if isinstance(exc, KongchuoError):
        problems = [p.as_dict() for p in exc.problems]
        return {
            "code": exc.code,
            "zh": exc.zh,
            "en": exc.en,
            "field": exc.field,
            "case_id": exc.case_id,
            "problems": problems,
        }
    if isinstance(exc, ValidationError):
        return error_payload(CaseError(None, problems_of(exc)))
    zh, en = CODES["internal_error"]
    return {
        "code": "internal_error",
        "zh": zh,
        "en": en,
        "field": None,
        "case_id": None,
        "problems": [{"code": "internal_error", "field": None, "zh": zh, "en": en}],
    }
