"""The ``kongchuo`` command line: policy listing, JSON Schemas, case assessment.

Exit status: 0 on success, 2 on bad input (the error on stderr, naming file and field).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from kongchuo_rules.errors import KongchuoError
from kongchuo_rules.policy import Policy, PolicyFile, default_policy, load_policy
from kongchuo_rules.vocabulary import Agency

__all__ = ["InputError", "main"]


class InputError(KongchuoError):
    """A file given on the command line cannot be used; the message names the file."""


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy) if args.policy else default_policy()


def _cmd_policy(args: argparse.Namespace) -> int:
    policy = _policy(args)
    lang = args.lang
    print(f"{policy.meta.title}  ({policy.version})")
    for name in sorted(policy.parameters):
        print(policy.describe(name, lang))
    return 0


def _schemas() -> dict[str, Callable[[], dict[str, Any]]]:
    from kongchuo_rules.assessment import Assessment
    from kongchuo_rules.case import Case

    return {
        "assessment": Assessment.model_json_schema,
        "case": Case.model_json_schema,
        "policy": PolicyFile.model_json_schema,
    }


def _read_json(path: str) -> Any:
    """Read a JSON file (UTF-8, with or without BOM); errors name the file and position."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None


def _cmd_assess(args: argparse.Namespace) -> int:
    from kongchuo_rules.assess import assess

    data = _read_json(args.case)
    try:
        assessment = assess(data, as_of=args.as_of, policy=_policy(args))
    except KongchuoError as exc:
        raise InputError(f"{args.case}: {exc}") from None
    if args.format == "json":
        print(assessment.model_dump_json(indent=2))
    else:
        print(assessment.explain(args.lang))
    return 0


def _cmd_responsibilities(args: argparse.Namespace) -> int:
    from kongchuo_rules.rules.routing import agencies_for, responsibilities
    from kongchuo_rules.vocabulary import Agency, Cause

    policy = _policy(args)
    lang = args.lang
    agencies = [Agency(args.agency)] if args.agency else list(Agency)
    for agency in agencies:
        print(f"{agency.label(lang)} ({agency.value})")
        for duty in responsibilities(agency, policy):
            when = f" [{duty.schedule}]" if duty.schedule else ""
            text = duty.duty if lang == "zh" else duty.duty_en
            print(f"  - {text}{when}")
            for citation in duty.citations:
                print(f"      〔{citation.section}〕“{citation.quote}”")
        causes = [c for c in Cause if agency in agencies_for(c, policy)]
        if causes:
            print(
                "  "
                + ("负责原因：" if lang == "zh" else "causes routed here: ")
                + ", ".join(c.label(lang) for c in causes)
            )
    return 0


def _cmd_ledger(args: argparse.Namespace) -> int:
    from kongchuo_rules.county import _csv, records
    from kongchuo_rules.county.ledger import reconcile
    from kongchuo_rules.county.rates import enrollment_rate, townships_missing_targets
    from kongchuo_rules.vocabulary import LedgerCategory

    policy = _policy(args)
    inputs: dict[str, list[Any]] = {}
    for option, model in (
        ("household", records.HouseholdRecord),
        ("registry", records.RegistryRecord),
        ("presence", records.PresenceRecord),
        ("disabled", records.DisabilityRecord),
        ("decisions", records.Decision),
        ("elsewhere", records.ElsewhereRecord),
        ("surveys", records.SurveyRecord),
    ):
        inputs[option] = [
            r for path in getattr(args, option) or [] for r in _csv.read_csv_records(path, model)
        ]
    ledger = reconcile(
        as_of=args.as_of,
        policy=policy,
        household=inputs["household"],
        registry=inputs["registry"],
        presence=inputs["presence"],
        disabled=inputs["disabled"],
        decisions=inputs["decisions"],
        elsewhere=inputs["elsewhere"],
        surveys=inputs["surveys"],
    )
    lang = args.lang
    zh = lang == "zh"
    print(("台账 " if zh else "Ledger ") + args.as_of.isoformat() + f"  ({ledger.policy_version})")
    print("按类别：" if zh else "By category:")
    for category in LedgerCategory:
        print(f"  {category.label(lang)} ({category.value}): {ledger.totals[category.value]}")
    print("按乡（镇）：" if zh else "By township:")
    for township, counts in ledger.by_township.items():
        shown = ", ".join(f"{LedgerCategory(k).label(lang)} {v}" for k, v in counts.items() if v)
        print(f"  {township}: {shown}")
    county = enrollment_rate(ledger, policy=policy)
    print(
        ("入学率：" if zh else "Enrolment rate: ")
        + f"{county.value:.2%} ({county.numerator}/{county.denominator})"
    )
    for township, rate in enrollment_rate(ledger, "township", policy).items():
        print(f"  {township}: {rate.value:.2%} ({rate.numerator}/{rate.denominator})")
    missing = townships_missing_targets(ledger, policy)
    if missing:
        print(
            ("未达到100%目标的乡（镇）：" if zh else "Townships missing the 100% target: ")
            + ", ".join(missing)
        )
    if ledger.findings:
        print(f"{'数据提示' if zh else 'Findings'}: {len(ledger.findings)}")
        for code, n in sorted(Counter(f.code.label(lang) for f in ledger.findings).items()):
            print(f"  {code}: {n}")
    if args.csv:
        Path(args.csv).write_text(ledger.to_csv(lang=lang), encoding="utf-8-sig")
        print(("已写出台账：" if zh else "Ledger written to ") + args.csv)
    return 0


def _cmd_duties(args: argparse.Namespace) -> int:
    from kongchuo_rules.county.duties import duties

    lang = args.lang
    for duty in duties(args.start, args.end, _policy(args)):
        window = f"{duty.window_start.isoformat()} – " if duty.window_start else ""
        quote = "；".join(f"“{c.quote}”" for c in duty.citations)
        print(
            f"{window}{duty.due.isoformat()}  {duty.agency.label(lang)}: "
            f"{duty.kind.label(lang)}  {quote}"
        )
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(_schemas()[args.what](), ensure_ascii=False, indent=2))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kongchuo",
        description="控辍保学 rules: assess a child's case, list the policy, export schemas.",
    )
    parser.add_argument("--policy", help="a county's policy file (TOML); default: the bundled plan")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("policy", help="list every parameter: value, unit, provenance, reference")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(run=_cmd_policy)

    p = sub.add_parser("assess", help="assess one case (JSON file) on a day")
    p.add_argument("case", metavar="CASE.json")
    p.add_argument("--as-of", required=True, type=_iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_cmd_assess)

    p = sub.add_parser(
        "responsibilities", help="the responsibility matrix: agency → duties → clause"
    )
    p.add_argument("agency", nargs="?", choices=[a.value for a in Agency], metavar="AGENCY")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(run=_cmd_responsibilities)

    p = sub.add_parser("ledger", help="reconcile county rosters (CSV) into the ledger (台账)")
    for option in (
        "household",
        "registry",
        "presence",
        "disabled",
        "decisions",
        "elsewhere",
        "surveys",
    ):
        p.add_argument(
            f"--{option}",
            action="append",
            metavar="FILE.csv",
            help=f"{option} roster (CSV, UTF-8 or GBK; may be repeated)",
        )
    p.add_argument("--as-of", required=True, type=_iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--csv", metavar="OUT.csv", help="write the ledger (no names) to this file")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(run=_cmd_ledger)

    p = sub.add_parser("duties", help="the institutional duties due in a period")
    p.add_argument("--from", dest="start", required=True, type=_iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, type=_iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(run=_cmd_duties)

    p = sub.add_parser("schema", help="print the JSON Schema of a case, assessment or policy")
    p.add_argument("what", choices=sorted(_schemas()))
    p.set_defaults(run=_cmd_schema)

    # -- issue 10: `kongchuo demo` and `kongchuo simulate` (kongchuo_rules.simulate._cli) --
    from kongchuo_rules.simulate._cli import add_commands

    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except KongchuoError as exc:
        print(f"kongchuo: error: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
