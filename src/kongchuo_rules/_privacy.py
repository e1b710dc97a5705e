"""Keeping personal data out of errors and exports: national-id normalisation and detection,
and spreadsheet-safe cells (validation errors that never name a value or an input key are
:func:`kongchuo_rules.errors.error_pairs`).

One module, so that every reader (case JSON, roster CSV and Excel files, ``reconcile``'s
dictionaries) and every writer (the ledger CSV) applies the same rules.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = [
    "FORMULA_TRIGGERS",
    "FULL_WIDTH_ID_CHARS",
    "ID_CHECK",
    "ID_WEIGHTS",
    "ascii_forms",
    "check_char",
    "contains_national_id",
    "normalise_national_id",
    "spreadsheet_cell",
]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""The weights of the ISO 7064 MOD 11-2 check of a national id's first 17 digits."""
ID_CHECK = "10X98765432"
"""The check character of each remainder modulo 11."""
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ID_ANYWHERE = re.compile(r"(?=([0-9]{17}[0-9Xx]))")


_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


FULL_WIDTH_ID_CHARS = {
    chr(cp): chr(_FULL_WIDTH[cp]) for cp in (*range(0xFF10, 0xFF1A), 0xFF38, 0xFF58, 0x3000)
}
"""The full-width characters that can occur in a national id typed with a Chinese input method
(``０``–``９``, ``Ｘ``, ``ｘ``, the ideographic space) and their ASCII twins."""


def ascii_forms(value: str) -> str:
    """``value`` with the full-width forms U+FF01–FF5E (``０``–``９``, ``Ｘ`` … as a Chinese input
    method types them) and the ideographic space replaced by their ASCII twins; every other
    character unchanged."""
    return value.translate(_FULL_WIDTH)


def normalise_national_id(value: str) -> str:
    """The national id ``value`` in its one canonical spelling: full-width forms made ASCII,
    surrounding white space removed, ``x`` upper-cased. Any other non-ASCII character
    (Arabic-Indic digits, superscripts …) is left as it is, so the id check rejects it. Every
    reader of ids uses this function, so one child never has two spellings.

    >>> normalise_national_id("２３０３２１２０１３０５０３１２３ｘ　")
    '23032120130503123X'
    """
    return ascii_forms(value).strip().upper()


def check_char(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the 17 ASCII digits ``body``."""
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


BIRTH_YEARS = range(1900, 2200)
"""The birth years a national id found inside other text may carry: the supported range of a
case's dates (``case.MIN_DATE``..``case.MAX_DATE``; a test keeps them equal). A long number a
vendor's database made (an event ref, a student id) passes the checksum about once in eleven;
a real birth date leaves about one in 300 random 18-digit numbers, these years about one in
8,000."""


def _valid_id(candidate: str) -> bool:
    if not _ID_SHAPE.fullmatch(candidate) or check_char(candidate[:17]) != candidate[17]:
        return False
    if int(candidate[6:10]) not in BIRTH_YEARS:
        return False
    try:
        dt.date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    return True


def contains_national_id(text: str) -> bool:
    """Whether ``text`` holds a valid 18-character national id anywhere (after the
    normalisation of :func:`normalise_national_id`), e.g. a registry number ``G`` + the id.

    >>> contains_national_id("G230321201305031230"), contains_national_id("S-0001")
    (True, False)
    """
    text = ascii_forms(text).upper()
    return any(_valid_id(m.group(1).upper()) for m in _ID_ANYWHERE.finditer(text))


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
"""First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection":
``= + - @``, tab and carriage return; ASVS 5.0 V1.2.10 adds NUL; line feed and the full-width
forms, which some spreadsheets fold to ASCII, for good measure)."""


def spreadsheet_cell(text: str) -> str:
    """``text`` made inert for a spreadsheet: a cell that starts with a formula trigger gets a
    leading apostrophe (OWASP's recommendation); any other text is unchanged.

    >>> spreadsheet_cell("=HYPERLINK(\\"http://x\\")"), spreadsheet_cell("鸡东镇")
    ('\\'=HYPERLINK("http://x")', '鸡东镇')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
