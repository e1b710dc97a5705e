"""The list of assumptions in ``docs/simulation.md``, generated from ``assumptions.toml``:
``python -m kongchuo_rules.simulate._docs docs/simulation.md`` rewrites the block between the
markers; a test fails when the committed block is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from kongchuo_rules.simulate._assumptions import Assumptions

__all__ = ["END", "START", "assumptions_markdown", "update"]

START = "<!-- assumptions:start (generated: python -m kongchuo_rules.simulate._docs) -->"
END = "<!-- assumptions:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def assumptions_markdown(assumptions: Assumptions | None = None) -> str:
    """A markdown table of every assumption: name, value, unit, provenance, reasoning and
    published source."""
    a = assumptions or Assumptions.default()
    lines = [
        "| assumption | value | unit | provenance | why this value | published source |",
        "|---|---|---|---|---|---|",
    ]
    for name in a.names():
        item = a.items[name]
        lines.append(
            f"| `{name}` | {_cell(item.shown())} | {_cell(item.unit)} | "
            f"{item.provenance.value} | {_cell(item.reference)} | {_cell(item.source or '—')} |"
        )
    return "\n".join(lines)


def update(path: Path) -> None:
    """Rewrite the generated block of ``path``."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{assumptions_markdown()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    update(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/simulation.md"))
