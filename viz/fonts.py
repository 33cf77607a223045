"""A CJK font for matplotlib, so Chinese chart titles never show as tofu boxes.

Looks for an installed CJK family (Debian's ``fonts-wqy-microhei`` or ``fonts-noto-cjk``,
or the usual desktop fonts); fonts installed after matplotlib built its cache are added
from ``fc-list :lang=zh``. Without one, pictures fall back to English labels.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from functools import cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402

KNOWN_CJK = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "SimHei", "Heiti SC",
    "Droid Sans Fallback", "AR PL UMing CN", "Noto Serif CJK SC",
)
_lock = threading.Lock()


def _fc_list_files() -> list[str]:
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, ":lang=zh", "file"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]


@cache
def cjk_family() -> str | None:
    """The family name of an installed CJK font matplotlib can use, or None."""
    with _lock:
        names = {f.name for f in font_manager.fontManager.ttflist}
        for fam in KNOWN_CJK:
            if fam in names:
                return fam
        for path in _fc_list_files():
            if not path.lower().endswith((".ttf", ".ttc", ".otf")):
                continue
            try:
                font_manager.fontManager.addfont(path)
                name = font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
            if name:
                return name
        return None


@cache
def setup_matplotlib() -> bool:
    """Configure matplotlib's sans-serif list (Latin first, CJK as fallback); True if CJK."""
    fam = cjk_family()
    fams = ["DejaVu Sans"] + ([fam] if fam else [])
    # A list of families (not the generic "sans-serif") makes matplotlib fall back glyph by
    # glyph: Latin from DejaVu Sans, Chinese from the CJK font.
    matplotlib.rcParams["font.family"] = fams
    matplotlib.rcParams["axes.unicode_minus"] = False
    return fam is not None


def picture_lang(lang: str) -> str:
    """The language pictures can be drawn in: Chinese only if a CJK font is installed."""
    return lang if lang != "zh" or setup_matplotlib() else "en"
