"""The ``kongchuo`` command line: policy listing, JSON Schemas, case assessment.

Exit status: 0 on success, 2 on bad input (the error on stderr, naming file and field).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from kongchuo_rules.errors import KongchuoError
from kongchuo_rules.policy import Policy, PolicyFile, default_policy, load_policy

__all__ = ["main"]


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
    from kongchuo_rules.case import Case

    return {"case": Case.model_json_schema, "policy": PolicyFile.model_json_schema}


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

    p = sub.add_parser("schema", help="print the JSON Schema of a case or a policy file")
    p.add_argument("what", choices=sorted(_schemas()))
    p.set_defaults(run=_cmd_schema)
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
