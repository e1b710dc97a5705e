"""The ``kongchuo`` command line: case assessment, the county ledger and duties, the policy, its
JSON Schemas and labels, and the HTTP service.

Exit status: 0 on success; 2 on bad input, with one line on stderr naming the file, the case
and the field — never a value, never a traceback (``KONGCHUO_DEBUG=1`` shows the traceback of
an unexpected error); 141 when the reader of the output went away (``kongchuo … | head``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any, NoReturn

from kongchuo_rules.errors import KongchuoError, dates_out_of_range
from kongchuo_rules.policy import Policy, default_policy, load_policy
from kongchuo_rules.schemas import SCHEMA_NAMES, json_schema, labels
from kongchuo_rules.vocabulary import Agency

__all__ = ["InputError", "main"]

_SIGPIPE_STATUS = 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe


class InputError(KongchuoError):
    """A file or an argument given on the command line cannot be used; the message names it."""


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy) if args.policy else default_policy()


def _version() -> str:
    from kongchuo_rules import __version__

    return __version__


# -- reading input ------------------------------------------------------------------------------


def _read_bytes(path: str) -> bytes:
    """The bytes of ``path``, or of stdin for ``-``; errors name the file."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read ({exc.strerror or type(exc).__name__})", code="unreadable_file"
        ) from None


def _read_text(path: str) -> str:
    """UTF-8 text (with or without BOM) of ``path`` or stdin."""
    try:
        return _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{_name(path)}: not UTF-8 text", code="not_utf8") from None


def _name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _writable(path: str) -> Path:
    """``path`` if a file can be written there (checked before the work, not after)."""
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path}: cannot write (a folder)", code="cannot_write")
    if not target.parent.is_dir():
        raise InputError(f"{path}: cannot write (no such folder)", code="cannot_write")
    return target


# -- commands ---------------------------------------------------------------------------------


def _cmd_policy(args: argparse.Namespace) -> int:
    if args.action == "init":
        return _cmd_policy_init(args)
    if args.action == "path":
        from kongchuo_rules.policy import bundled_policy_path

        print(bundled_policy_path())
        return 0
    policy = _policy(args)
    lang = args.lang
    print(f"{policy.meta.title}  ({policy.version})")
    for name in sorted(policy.parameters):
        print(policy.describe(name, lang))
    return 0


_TEMPLATE_HEADER = """\
# {title} — a county's own policy file, made by `kongchuo policy init` from the bundled plan
# (鸡东县控辍保学工作实施方案（征求意见稿）). See docs/county-setup.md.
#
# To make it yours:
#  1. Replace plan.zh.txt with your county's plan, verbatim (UTF-8).
#  2. Run `kongchuo --policy {folder}/policy.toml policy`: it names every clause and parameter
#     whose quote is not verbatim in your plan. Update each `section` and `quote`, and each
#     parameter's `values`, `provenance` (plan | law | assumption), `reference` and `quote`.
#  3. Raise `version` below whenever you change this file; assessments record it (with a hash
#     of the content, so an edit without a new version still shows).
#
"""


def _cmd_policy_init(args: argparse.Namespace) -> int:
    from kongchuo_rules.policy import bundled_policy_path

    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{args.folder}: not a folder", code="cannot_write")
    targets = [folder / "policy.toml", folder / "plan.zh.txt"]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.force:
        raise InputError(
            f"{', '.join(existing)}: already exists (use --force to overwrite)",
            code="cannot_write",
        )
    for text, label in ((args.id, "--id"), (args.title, "--title"), (args.jurisdiction, "-j")):
        if not text.strip() or '"' in text or "\\" in text or "\n" in text:
            raise InputError(f"{label}: must be non-blank, without quotes or backslashes")
    source = bundled_policy_path()
    body = source.read_text(encoding="utf-8")
    body = body[body.index("[policy]") :]
    meta = {
        "id": args.id,
        "version": args.version,
        "title": args.title,
        "jurisdiction": args.jurisdiction,
    }
    lines = body.splitlines()
    for i, line in enumerate(lines[: lines.index("") if "" in lines else len(lines)]):
        key = line.split("=", 1)[0].strip()
        if key in meta:
            lines[i] = f'{key} = "{meta[key]}"'
    header = _TEMPLATE_HEADER.format(title=args.title, folder=args.folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        targets[0].write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        targets[1].write_bytes((source.parent / "plan.zh.txt").read_bytes())
    except OSError as exc:
        raise InputError(
            f"{args.folder}: cannot write ({exc.strerror or type(exc).__name__})",
            code="cannot_write",
        ) from None
    policy = load_policy(targets[0])
    print(f"{targets[0]}  ({policy.version})")
    print(f"{targets[1]}  (the bundled plan: replace it with your county's plan)")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(args.what), ensure_ascii=False, indent=2))
    return 0


def _cmd_labels(args: argparse.Namespace) -> int:
    every = labels()
    if args.format == "json":
        print(json.dumps(every, ensure_ascii=False, indent=2))
        return 0
    for enum, values in every.items():
        print(enum)
        for value, label in values.items():
            print(f"  {value}\t{label['zh']}\t{label['en']}")
    return 0


def _cmd_assess(args: argparse.Namespace) -> int:
    from kongchuo_rules.assess import assess
    from kongchuo_rules.case import Case

    name = _name(args.case)
    text = _read_text(args.case)
    policy = _policy(args)
    try:
        # pydantic's JSON parser: no recursion limit to hit, no integer-size limit to hit
        case = Case.model_validate_json(text)
        with dates_out_of_range(case.student.id):
            assessment = assess(case, as_of=args.as_of, policy=policy)
    except KongchuoError as exc:
        raise InputError(f"{name}: {exc}", code=exc.code) from None
    if args.format == "json":
        print(assessment.model_dump_json(indent=2))
    else:
        print(assessment.explain(args.lang))
    return 0


def _cmd_responsibilities(args: argparse.Namespace) -> int:
    from kongchuo_rules.routing import agencies_for, responsibilities
    from kongchuo_rules.vocabulary import Cause

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


_ROSTERS = ("household", "registry", "presence", "disabled", "decisions", "elsewhere", "surveys")


def _read_roster(path: str, model: type[Any]) -> list[Any]:
    from kongchuo_rules.county import _csv

    try:
        return _csv.read_csv_records(path, model)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read ({exc.strerror or type(exc).__name__})", code="unreadable_file"
        ) from None
    except csv.Error as exc:  # e.g. a cell over the csv module's size limit
        raise InputError(
            f"{Path(path).name}: not a readable CSV ({exc})", code="invalid_roster"
        ) from None


def _cmd_ledger(args: argparse.Namespace) -> int:
    from kongchuo_rules.county import records
    from kongchuo_rules.county.ledger import reconcile
    from kongchuo_rules.county.rates import enrollment_rate, townships_missing_targets
    from kongchuo_rules.vocabulary import LedgerCategory

    out = _writable(args.csv) if args.csv else None
    policy = _policy(args)
    models = {
        "household": records.HouseholdRecord,
        "registry": records.RegistryRecord,
        "presence": records.PresenceRecord,
        "disabled": records.DisabilityRecord,
        "decisions": records.Decision,
        "elsewhere": records.ElsewhereRecord,
        "surveys": records.SurveyRecord,
    }
    inputs: dict[str, Any] = {
        option: [r for path in getattr(args, option) or [] for r in _read_roster(path, model)]
        for option, model in models.items()
    }
    with dates_out_of_range():
        ledger = reconcile(as_of=args.as_of, policy=policy, **inputs)
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
    if out is not None:
        try:
            out.write_text(ledger.to_csv(lang=lang), encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(
                f"{args.csv}: cannot write ({exc.strerror or type(exc).__name__})",
                code="cannot_write",
            ) from None
        print(("已写出台账：" if zh else "Ledger written to ") + args.csv)
    return 0


def _cmd_duties(args: argparse.Namespace) -> int:
    from kongchuo_rules.county.duties import duties

    if args.end < args.start:
        raise InputError("--to is before --from", code="invalid_argument")
    lang = args.lang
    policy = _policy(args)
    with dates_out_of_range():
        found = duties(args.start, args.end, policy)
    for duty in found:
        window = f"{duty.window_start.isoformat()} – " if duty.window_start else ""
        quote = "；".join(f"“{c.quote}”" for c in duty.citations)
        print(
            f"{window}{duty.due.isoformat()}  {duty.agency.label(lang)}: "
            f"{duty.kind.label(lang)}  {quote}"
        )
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        from kongchuo_rules.server import serve
    except ImportError:
        raise InputError(
            "the HTTP service needs the server extra: pip install 'kongchuo-rules[server]'",
            code="invalid_argument",
        ) from None
    if args.use_numba:
        from kongchuo_rules.server.app import compiled_core_missing

        missing = compiled_core_missing()
        if missing is not None:
            raise InputError(missing, code="invalid_argument")
    serve(
        host=args.host,
        port=args.port,
        policy=_policy(args),
        max_body_bytes=args.max_body_bytes,
        max_batch=args.max_batch,
        log_level=args.log_level,
        root_path=args.root_path,
        use_numba=args.use_numba,
    )
    return 0


# -- the parser -------------------------------------------------------------------------------


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        # the text is a command-line argument, not personal data; shown to say what was wrong
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a whole number") from None
    if not 0 < value < 2**31:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (and never exits by itself)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


class _UsageError(Exception):
    pass


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kongchuo",
        description="控辍保学 rules: assess a child's case, the county ledger and duties, the "
        "policy, its JSON Schemas and labels, the HTTP service.",
    )
    parser.add_argument("--version", action="version", version=f"kongchuo-rules {_version()}")
    parser.add_argument("--policy", help="a county's policy file (TOML); default: the bundled plan")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser(
        "policy",
        help="list every parameter; 'policy init DIR' writes a county template",
        description="Without an action: list every parameter (value, unit, provenance, "
        "reference). 'init DIR': write a county's own policy file and plan text to start from. "
        "'path': print where the bundled policy file is.",
    )
    p.add_argument("action", nargs="?", choices=("list", "init", "path"), default="list")
    p.add_argument("folder", nargs="?", metavar="DIR", help="for init: the folder to write")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--id", default="my-county-kongchuo", help="for init: the policy id")
    p.add_argument("--version", dest="version", default="2026.1", help="for init: its version")
    p.add_argument("--title", default="某县控辍保学工作实施方案", help="for init: the plan's title")
    p.add_argument("-j", "--jurisdiction", default="某县", help="for init: the county")
    p.add_argument("--force", action="store_true", help="for init: overwrite existing files")
    p.set_defaults(run=_cmd_policy)

    p = sub.add_parser("assess", help="assess one case (JSON file, or - for stdin) on a day")
    p.add_argument("case", metavar="CASE.json", help="the case JSON file; - reads stdin")
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
    for option in _ROSTERS:
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
    p.add_argument("what", choices=SCHEMA_NAMES)
    p.set_defaults(run=_cmd_schema)

    p = sub.add_parser("labels", help="every enum's values with their zh and en labels")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_cmd_labels)

    p = sub.add_parser(
        "serve",
        help="run the HTTP service (needs the server extra)",
        description="Run the HTTP service (FastAPI + uvicorn; see docs/server.md). It binds to "
        "127.0.0.1 unless --host says otherwise: put a gateway in front of it for other hosts.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_positive, default=8000)
    p.add_argument(
        "--max-body-bytes", type=_positive, default=1_048_576, help="largest request body"
    )
    p.add_argument("--max-batch", type=_positive, default=1000, help="most cases in one batch")
    p.add_argument(
        "--log-level", choices=("critical", "error", "warning", "info", "debug"), default="info"
    )
    p.add_argument(
        "--root-path", default="", help="the path prefix a gateway serves it under, e.g. /kongchuo"
    )
    p.add_argument(
        "--use-numba",
        action="store_true",
        help="assess with the compiled rules core (the batch extra), loaded before listening",
    )
    p.set_defaults(run=_cmd_serve)

    from kongchuo_rules._cli_batch import add_command as add_batch_command

    add_batch_command(sub, _iso_date)

    # -- issue 10: `kongchuo demo` and `kongchuo simulate` (kongchuo_rules.simulate._cli) --
    from kongchuo_rules.simulate._cli import add_commands

    add_commands(sub)
    return parser


# -- the entry point --------------------------------------------------------------------------


def _fail(message: str) -> int:
    line = " ".join(message.split())  # one line, whatever the message
    print(line, file=sys.stderr)
    return 2


@contextmanager
def _quiet_broken_pipe(stream: IO[str]) -> Iterator[None]:
    """Leave quietly when the reader of ``stream`` goes away (``kongchuo … | head``)."""
    try:
        yield
        stream.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush is silent
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):  # not a real file (a test's capture)
            pass
        finally:
            os.close(devnull)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (it never raises, and never prints a traceback)."""
    try:
        with _quiet_broken_pipe(sys.stdout):
            try:
                args = _parser().parse_args(argv)
            except _UsageError as exc:
                return _fail(str(exc))
            except _Exit as exc:
                return exc.status
            return int(args.run(args))
    except BrokenPipeError:
        return _SIGPIPE_STATUS
    except KongchuoError as exc:
        return _fail(f"kongchuo: error [{exc.code}]: {exc}")
    except RecursionError:
        return _fail("kongchuo: error [invalid_input]: the input is nested too deeply")
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("KONGCHUO_DEBUG"):
            raise
        # a bug: its message could hold anything, so only its kind is shown
        return _fail(
            f"kongchuo: error [internal_error]: unexpected {type(exc).__name__} "
            "(set KONGCHUO_DEBUG=1 to see the traceback)"
        )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
