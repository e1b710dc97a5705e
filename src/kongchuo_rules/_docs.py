"""Generate the parts of ``docs/`` that mirror data: ``python -m kongchuo_rules._docs DOCS_DIR``.

Tests compare the committed files with what this produces, so the docs cannot go stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kongchuo_rules.policy import (
    MAX_DAYS,
    MAX_SCHOOL_DAYS,
    Policy,
    default_policy,
    parameter_bounds,
)

__all__ = ["parameters_markdown", "responsibilities_markdown", "write_docs"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def parameters_markdown(policy: Policy) -> str:
    """``docs/parameters.md``: every parameter with value, unit, provenance and reference."""
    lines = [
        "# Policy parameters",
        "",
        f"Generated from the bundled policy `{policy.version}` ({policy.meta.title}) by",
        "`python -m kongchuo_rules._docs docs`; a test fails if this file is stale.",
        "",
        "Provenance: **plan** — the plan states it (quote given); **law** — national law;",
        "**assumption** — the plan is silent, this is the project's documented default",
        "(reasoning and alternatives in [assumptions.md](assumptions.md)).",
        "",
        "Bounds: every numeric parameter is an integer (or, for a ratio, a number) within the",
        'bounds given, checked when a policy file is loaded and by `with_changes`; `True`, `"7"`',
        "or `7.0` for a count of days is an error, not a 7. School-day counts are at most",
        f"{MAX_SCHOOL_DAYS} (a school year has about 190 school days: a longer deadline is none);",
        f"calendar-day periods at most {MAX_DAYS} (three years); ages and years within what any",
        "county's school system could mean (entry age 3–10, compulsory years 1–12, child-labour",
        "age 10–18); the spring term must follow the autumn term inside one school year.",
        "",
        "| parameter | value | bounds | unit | provenance | reference | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in sorted(policy.parameters):
        param = policy.parameters[name]
        values = "; ".join(
            (f"since {v.since.isoformat()}: " if v.since else "") + _value(v.value)
            for v in param.values
        )
        reference = param.reference + (f" — 「{param.quote}」" if param.quote else "")
        bounds = parameter_bounds(name)
        shown = f"{bounds[0]:g}–{bounds[1]:g}" if bounds else "—"
        lines.append(
            f"| `{name}` | {_cell(values)} | {shown} | {param.unit} | {param.provenance.value} | "
            f"{_cell(reference)} | {_cell(param.description.en)} / {_cell(param.description.zh)} |"
        )
    lines.append("")
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, dict):
        return " – ".join(str(v) for v in value.values())
    return f"`{value}`"


def responsibilities_markdown(policy: Policy) -> str:
    """``docs/responsibilities.md``: agency → duties → clause, and the cause routing."""
    from kongchuo_rules.rules.routing import agencies_for, responsibilities
    from kongchuo_rules.vocabulary import Agency, Cause

    lines = [
        "# Responsibility matrix",
        "",
        f"Generated from the `[[responsibilities]]` and `[[routing]]` tables of `{policy.version}`",
        "by `python -m kongchuo_rules._docs docs`; a test fails if this file is stale. The same",
        "data answers `responsibilities(agency)`, `agencies_for(cause)` and",
        "`kongchuo responsibilities [AGENCY]`.",
        "",
        "## Standing duties by agency",
        "",
    ]
    for agency in Agency:
        lines += [f"### {agency.zh} — {agency.en} (`{agency.value}`)", ""]
        for duty in responsibilities(agency, policy):
            when = f" *({duty.schedule})*" if duty.schedule else ""
            quotes = "; ".join(f"{c.section}: 「{c.quote}」" for c in duty.citations)
            lines.append(f"- {duty.duty} — {duty.duty_en}{when}. {quotes}")
        lines.append("")
    lines += [
        "## Causes → agencies (PRODUCT.md §5.6)",
        "",
        "| cause | action | agency | holder | clause |",
        "|---|---|---|---|---|",
    ]
    for route in policy.routing:
        quotes = "; ".join(f"「{policy.clauses[k].quote}」" for k in route.clauses)
        age = f" (under `{route.below_age}`)" if route.below_age else ""
        lines.append(
            f"| `{route.cause.value}`{age} | `{route.action.value}` | `{route.agency.value}` | "
            f"`{route.holder.value}` | {_cell(quotes)} |"
        )
    lines += ["", "`agencies_for(cause)`:", ""]
    for cause in Cause:
        agencies = ", ".join(f"`{a.value}`" for a in agencies_for(cause, policy)) or "—"
        lines.append(f"- `{cause.value}`: {agencies}")
    lines.append("")
    return "\n".join(lines)


def write_docs(folder: Path, policy: Policy | None = None) -> None:
    """Write the generated docs into ``folder``."""
    policy = policy or default_policy()
    (folder / "parameters.md").write_text(parameters_markdown(policy), encoding="utf-8")
    (folder / "responsibilities.md").write_text(responsibilities_markdown(policy), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
