"""Make the CJK font that the simulation's plots ship with (run by hand; the result is committed).

    python scripts/make_cjk_font.py NotoSansCJKsc-Regular.otf

takes Noto Sans CJK SC Regular (SIL Open Font License 1.1; e.g. from the PyPI package mplfonts
or Debian's fonts-noto-cjk), keeps the characters of GB 2312 (every character of everyday
Simplified Chinese: 6,763 hanzi and the symbols), ASCII, and every character of the package's
labels, policy file, plan text and assumptions, and writes it as "Kongchuo Sans SC" (a modified
version under the OFL: renamed) to src/kongchuo_rules/simulate/fonts/.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "kongchuo_rules" / "simulate" / "fonts" / "KongchuoSansSC-Regular.otf"
FAMILY = "Kongchuo Sans SC"


def gb2312() -> set[str]:
    chars = set()
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([b1, b2]).decode("gb2312"))
    return chars


def package_text() -> set[str]:
    chars: set[str] = set()
    for pattern in ("**/*.py", "**/*.toml", "**/*.txt"):
        for path in (ROOT / "src" / "kongchuo_rules").glob(pattern):
            chars |= set(path.read_text(encoding="utf-8"))
    return chars


def main(source: str) -> None:
    chars = gb2312() | package_text() | {chr(c) for c in range(0x20, 0x7F)}
    chars |= set("，。、；：？！“”‘’（）《》〈〉【】〔〕—…·－～％＋＝／")
    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = "KongchuoSansSC-Regular"
        elif record.nameID == 3:
            record.string = "KongchuoSansSC-Regular;subset of Noto Sans CJK SC 1.004"
    font["CFF "].cff.fontNames = ["KongchuoSansSC-Regular"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size:,} bytes, {len(chars):,} characters")


if __name__ == "__main__":
    main(sys.argv[1])
