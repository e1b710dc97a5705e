"""The documentation as published: README links that work on the package index (absolute, to
files that exist), and a site navigation that lists every page (the site itself is built with
``mkdocs build --strict`` in .ci/run)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _homepage() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    homepage: str = project["urls"]["Homepage"]
    return homepage.rstrip("/")


def test_readme_links_are_absolute_and_point_at_files_that_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links
    prefix = _homepage() + "/blob/main/"
    for link in links:
        assert link.startswith(("https://", "http://")), f"relative link breaks on PyPI: {link}"
        if link.startswith(prefix):
            assert (ROOT / link.removeprefix(prefix)).exists(), link


def test_site_navigation_lists_every_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = set(re.findall(r":\s+([\w/.-]+\.md)\s*$", config, re.M))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert nav == pages
