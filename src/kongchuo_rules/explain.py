"""Explanations: an assessment rendered as text in zh or en, from its trace.

Nothing personal is rendered: the trace holds only the vendor's case id, dates and counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from kongchuo_rules.assessment import Action, Assessment, Figure, RuleTrace
from kongchuo_rules.policy import MonthClock
from kongchuo_rules.rules import RULES
from kongchuo_rules.vocabulary import (
    Agency,
    EscalationLevel,
    LabelledEnum,
    Lang,
    PersuasionOutcome,
    Status,
)

__all__ = ["render", "render_actions", "render_rule"]

_WORDS: dict[str, tuple[str, str]] = {
    "header": ("学生 {case_id}，评估日 {as_of}", "Student {case_id}, assessed on {as_of}"),
    "status": ("状态：{status}（自 {since} 起）", "Status: {status} (since {since})"),
    "stage": ("阶段：{stage}", "Stage: {stage}"),
    "level": ("劝返责任层级：{level}", "Persuasion level: {level}"),
    "run": (
        "连续缺勤：自 {run_start} 起，无故缺勤 {days} 个教学日；预警日 {alert}；满月日 {mark}",
        "Run: since {run_start}, {days} unexcused school days; alert {alert}; month mark {mark}",
    ),
    "return": ("返校日：{date}", "Returned on: {date}"),
    "priority": (
        "重点关注对象（脱贫家庭或特殊群体）",
        "Priority child (priority household or group)",
    ),
    "causes": ("原因：{causes}", "Causes: {causes}"),
    "findings": ("数据与合规提示：", "Findings:"),
    "actions": ("应办事项（按责任单位）：", "Required actions, by agency:"),
    "action": (
        "  {mark} {kind}{level} — {holder}；{trigger}起，{due}前{state}{why}",
        "  {mark} {kind}{level} — {holder}; from {trigger}, due {due}{state}{why}",
    ),
    "done": ("（已办）", " (done)"),
    "overdue": ("（已逾期）", " (OVERDUE)"),
    "open": ("", ""),
    "rules": ("规则：", "Rules checked:"),
    "policy": ("政策版本：{version}", "Policy: {version}"),
}


def _w(key: str, lang: Lang) -> str:
    zh, en = _WORDS[key]
    return zh if lang == "zh" else en


# Figures that hold an enum value, rendered with the enum's label.
_ENUM_FIGURES: dict[str, type[LabelledEnum]] = {
    "level": EscalationLevel,
    "outcome": PersuasionOutcome,
    "status": Status,
}
_CLOCK_LABELS = {
    MonthClock.TERM_TIME: ("按学期内日历日计", "term time"),
    MonthClock.CALENDAR: ("按自然月计", "calendar month"),
}


def _show(value: Figure) -> str:
    return "—" if value is None else str(value)


def _figure(name: str, value: Figure, lang: Lang) -> str:
    if isinstance(value, str):
        if name in _ENUM_FIGURES:
            return _ENUM_FIGURES[name](value).label(lang)
        if name == "clock":
            zh, en = _CLOCK_LABELS[MonthClock(value)]
            return zh if lang == "zh" else en
    return _show(value)


def render_rule(entry: RuleTrace, lang: Lang = "zh") -> str:
    """One trace entry as a line: mark, title, what decided it, and its clause."""
    rule = RULES[entry.rule]
    figures = {k: _figure(k, v, lang) for k, v in entry.figures.items()}
    try:
        text = rule.template(entry.fired, lang).format(**figures)
    except KeyError:
        text = rule.template(entry.fired, lang).split("{")[0].rstrip("：: ")
    mark = "✓" if entry.fired else "·"
    cite = "；".join(f"〔{c.section}〕“{c.quote}”" for c in entry.citations)
    return f"  {mark} {rule.title(lang)}: {text}  {cite}"


def render_actions(actions: Sequence[Action], lang: Lang = "zh") -> list[str]:
    """Actions grouped by agency (in order of first trigger): what, who, when, and why."""
    by_agency: dict[Agency, list[Action]] = {}
    for action in actions:
        by_agency.setdefault(action.agency, []).append(action)
    lines: list[str] = []
    for agency, group in by_agency.items():
        lines.append(f" [{agency.label(lang)}]")
        for action in group:
            state = "done" if action.done else "overdue" if action.overdue else "open"
            level = (
                f"（{action.level.label(lang)}）"
                if action.level and lang == "zh"
                else (f" ({action.level.label(lang)})" if action.level else "")
            )
            cite = "；".join(f"〔{c.section}〕“{c.quote}”" for c in action.citations)
            cause = f"{action.cause.label(lang)} · " if action.cause else ""
            lines.append(
                _w("action", lang).format(
                    mark="✓" if action.done else "!" if action.overdue else "·",
                    kind=action.kind.label(lang),
                    level=level,
                    holder=action.holder.label(lang),
                    trigger=action.trigger.isoformat(),
                    due=action.due.isoformat(),
                    state=_w(state, lang),
                    why=f"  {cause}{cite}",
                )
            )
    return lines


def render(assessment: Assessment, lang: Lang = "zh") -> str:
    """The whole assessment as text in ``lang``."""
    a = assessment
    lines = [
        _w("header", lang).format(case_id=a.case_id, as_of=a.as_of.isoformat()),
        _w("status", lang).format(
            status=a.status.label(lang),
            since=_show(a.status_since.isoformat() if a.status_since else None),
        ),
        _w("stage", lang).format(stage=a.stage.label(lang)),
    ]
    if a.escalation_level is not None:
        lines.append(_w("level", lang).format(level=a.escalation_level.label(lang)))
    if a.run_start is not None:
        lines.append(
            _w("run", lang).format(
                run_start=a.run_start.isoformat(),
                days=a.unexcused_days,
                alert=_show(a.alert_date.isoformat() if a.alert_date else None),
                mark=_show(a.month_mark.isoformat() if a.month_mark else None),
            )
        )
    if a.return_date is not None:
        lines.append(_w("return", lang).format(date=a.return_date.isoformat()))
    if a.priority:
        lines.append(_w("priority", lang))
    if a.causes:
        sep = "、" if lang == "zh" else ", "
        lines.append(_w("causes", lang).format(causes=sep.join(c.label(lang) for c in a.causes)))
    if a.actions:
        lines.append(_w("actions", lang))
        lines.extend(render_actions(a.actions, lang))
    if a.findings:
        lines.append(_w("findings", lang))
        lines.extend(f"  ! {f.code.label(lang)}: {f.message}" for f in a.findings)
    lines.append(_w("rules", lang))
    lines.extend(render_rule(t, lang) for t in a.trace)
    lines.append(_w("policy", lang).format(version=a.policy_version))
    return "\n".join(lines)
