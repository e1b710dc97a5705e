"""Citations: a section path of the plan and a verbatim quote from it.

>>> c = Citation(section="四、工作职责 › 学校责任", quote="落实班主任包班制度")
>>> quote_in_text(c.quote, "制定班级、教师控辍保学制度，落实班主任包班制度；")
True
"""

from __future__ import annotations

import re

from kongchuo_rules._base import FrozenModel

__all__ = ["Citation", "quote_in_text", "squash"]

_WHITESPACE = re.compile(r"\s+")


class Citation(FrozenModel):
    """Where a decision comes from: ``section`` (e.g. ``四、工作职责 › 学校责任``) and ``quote``."""

    section: str
    quote: str


def squash(text: str) -> str:
    """Remove all whitespace, so quotes match across the plan's line breaks and padding.

    >>> squash("组  长：\\n县长")
    '组长：县长'
    """
    return _WHITESPACE.sub("", text)


def quote_in_text(quote: str, text: str) -> bool:
    """Whether ``quote`` is a verbatim substring of ``text``, whitespace aside.

    >>> quote_in_text("每年8月", "每年 8月 向县教育局")
    True
    >>> quote_in_text("每年9月", "每年8月")
    False
    """
    q = squash(quote)
    return bool(q) and q in squash(text)
