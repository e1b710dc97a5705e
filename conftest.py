"""Collection for the whole repository (the doctests of src/ included): modules of an optional
extra that is not installed are skipped, not errors — the server's need FastAPI."""

from __future__ import annotations

import importlib.util

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("fastapi") is None:
    collect_ignore_glob.append("src/kongchuo_rules/server/*.py")
