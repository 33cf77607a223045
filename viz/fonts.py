"""A CJK font for matplotlib, so Chinese chart and map labels never show as tofu boxes.

Looks for an installed CJK family (Debian's ``fonts-wqy-microhei`` or ``fonts-noto-cjk``,
or the usual desktop fonts); fonts installed after matplotlib built its cache are added
from ``fc-list :lang=zh``. Without one, pictures fall back to English labels.

Why a context and not a one-off ``rcParams`` change: Solara gives every browser session its
own copy of ``matplotlib.rcParams``, so a setting made once (by the first visitor) is
missing in the second session, whose Chinese labels then render as boxes. Every figure the
app builds or draws is therefore made inside :func:`font_context`, which sets the font
list on whatever ``rcParams`` the current session, thread or process sees.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402

KNOWN_CJK = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "SimHei", "Heiti SC",
    "Droid Sans Fallback", "AR PL UMing CN", "Noto Serif CJK SC",
)
LATIN = "DejaVu Sans"
_lock = threading.Lock()
# "no bold face in the CJK font, using regular" is expected, not news, on every frame.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


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


def families() -> list[str]:
    """Latin first, CJK as fallback: matplotlib then falls back glyph by glyph."""
    fam = cjk_family()
    return [LATIN] + ([fam] if fam else [])


def font_rc() -> dict[str, object]:
    """The rcParams every picture of the app is drawn with."""
    return {"font.family": families(), "axes.unicode_minus": False, "svg.fonttype": "path"}


@contextlib.contextmanager
def font_context() -> Iterator[None]:
    """Build or draw a figure with the app's fonts, whatever this session's rcParams are."""
    with matplotlib.rc_context(font_rc()):
        yield


def setup_matplotlib() -> bool:
    """True if a CJK font is available (kept for callers that only ask that)."""
    return cjk_family() is not None


def picture_lang(lang: str) -> str:
    """The language pictures can be drawn in: Chinese only if a CJK font is installed."""
    return lang if lang != "zh" or setup_matplotlib() else "en"
