"""A Griffe extension for the API reference: the library's docstrings are reST-flavoured
(``literal``, :class:`Name`, doctest examples); this shows them as Markdown — doctests fenced as
``pycon`` code, double back-quotes as code, roles as the plain name in code."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":[a-z]+:`~?(?:[\w.]+\.)?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def markdown(text: str) -> str:
    """A docstring with its doctest blocks fenced and its reST inline markup as Markdown."""
    out: list[str] = []
    in_doctest = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">>>") and not in_doctest:
            out.append("```pycon")
            in_doctest = True
        elif in_doctest and not stripped:
            out.append("```")
            in_doctest = False
        if not in_doctest:
            line = _LITERAL.sub(r"`\1`", _ROLE.sub(r"`\1`", line))
        out.append(line)
    if in_doctest:
        out.append("```")
    return "\n".join(out)


class ReSTToMarkdown(griffe.Extension):
    """Rewrite every docstring of the loaded package with :func:`markdown`."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
