"""Labels for reports in English and Chinese, and a CJK font for matplotlib.

Chinese labels need a font with CJK glyphs or matplotlib draws empty boxes ("tofu"). The
font is looked up by file (fontconfig, then the usual Debian paths) and registered with
matplotlib directly, so a stale matplotlib font cache does not matter.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from commgov.experiments.errors import ReportError
from commgov.model.metrics import METRICS, metric_record
from commgov.scenarios.loader import ParamInfo, flat_parameters

# Metric names and units (English and Chinese) live in the metric records, model/metrics.py.
# A view of them for code that reads the table: metric -> (English unit, Chinese unit), in
# the units the report shows (shares in %).
METRIC_UNITS: dict[str, tuple[str, str]] = {m.name: m.unit for m in METRICS}

TEXT: dict[str, tuple[str, str]] = {
    "day": ("simulated day", "模拟天数"),
    "report_title": ("Sweep report", "情景实验报告"),
    "timeseries": ("{metric} by day, mean of {n} replications with 95% CI band",
                   "{metric}（按天），{n}次重复的均值与95%置信带"),
    "effects": ("Policy effects: difference from {base} at the end of the run, paired by "
                "seed, with 95% CI (blue: significant at 5% after Benjamini–Hochberg "
                "correction)",
                "政策效果：与{base}相比的期末差值（按随机种子配对），95%置信区间（蓝色：经"
                "Benjamini–Hochberg校正后在5%水平显著）"),
    "conventions": ("Tables give shares and rates as fractions (0–1), as the CSV and Parquet "
                    "files do; figures show them in percent. 'significant' = paired t-test, "
                    "Benjamini–Hochberg adjusted p (p_adjusted) < 0.05 across the scenarios "
                    "and design points of each metric; intervals are unadjusted 95% t "
                    "intervals.",
                    "表格中的比例与比率以小数（0–1）表示，与CSV和Parquet文件一致；图中以百分比显示。"
                    "“significant”= 配对t检验经Benjamini–Hochberg校正后的p值（p_adjusted）< 0.05"
                    "（每个指标的所有情景与设计点为一族）；区间为未校正的95% t区间。"),
    "difference": ("difference from {base}", "与{base}之差"),
    "response": ("{metric} at day {days} by {param}", "第{days}天的{metric}随{param}的变化"),
    "heatmap": ("Response surface of {metric} at day {days} (mean of replications)",
                "第{days}天{metric}的响应面（各次重复的均值）"),
    "heatmap_diff": ("{metric} at day {days}: difference from {base}, paired by seed",
                     "第{days}天{metric}：与{base}之差（按随机种子配对）"),
    "morris": ("Morris screening of {metric}: μ* (importance) and σ (interaction / "
               "non-linearity)", "{metric}的Morris筛选：μ*（重要性）与σ（交互/非线性）"),
    "sobol": ("Sobol indices of {metric}: first-order S1 and total ST with 95% CI",
              "{metric}的Sobol指数：一阶S1与总效应ST（95%置信区间）"),
    "scenario": ("scenario", "情景"),
    "parameter": ("parameter", "参数"),
    "mean": ("mean", "均值"),
    "summary_intro": ("{runs} runs: {scenarios} scenario(s) × {points} design point(s) × "
                      "{reps} replication(s), {days} days each. Replication k of every "
                      "scenario uses the same seed (common random numbers), so differences "
                      "from baseline are paired by seed.",
                      "共{runs}次运行：{scenarios}个情景 × {points}个设计点 × {reps}次重复，"
                      "每次{days}天。各情景第k次重复使用相同随机种子（共同随机数），"
                      "因此与基线的差值按种子配对。"),
    "tables": ("Tables", "表格"),
    "figures": ("Figures", "图表"),
    "sensitivity": ("Sensitivity analysis", "敏感性分析"),
    # the sweep report's cost table and before/after windows (issue 11)
    "cost": ("cost (yuan a year)", "成本（元/年）"),
    "d_cost": ("Δ cost (95% CI)", "成本差（95%置信区间）"),
    "cost_head": ("Cost and what it buys", "成本与效果"),
    "cost_note": ("Against {base}, paired by seed, at the end of the run. Δ outcomes: issues "
                  "resolved over the run, trust in points (0–100), households taking part in "
                  "the last 30 days. Cost per unit = Δcost / Δoutcome (what the run spent for "
                  "issues resolved, the cost a year at the end for the others) with its 95% "
                  "Fieller "
                  "interval; 'n/a' when the outcome difference's interval crosses 0. Prices "
                  "are assumptions ([costs]).",
                  "与 {base} 比较，按随机种子配对，取运行结束时的值。结果差：整个运行期内办结的"
                  "诉求件数、信任度（0–100 点）、近 30 天参与户数。单位成本 = 成本差 / 结果差"
                  "（办结诉求用运行期内实际花费，其余用期末年度成本），附 95% Fieller 区间；"
                  "结果差的区间跨过 0 时记为“不适用”。价格为模型假设（[costs]）。"),
    "no_cost": ("This sweep did not record cost_yuan_per_year: add it (and households_occupied "
                "for the cost per participant) to the sweep's metrics to see what each policy "
                "costs.",
                "本实验未记录 cost_yuan_per_year：将其（以及用于计算每户参与成本的 "
                "households_occupied）加入实验的指标，即可看到各政策的成本。"),
    "before_after": ("Before and after a timed policy", "定时政策实施前后"),
    "ba_note": ("Means of each run over the window before the first timeline step (from day "
                "{warm}) and after it (from {warm} days after the step), over replications "
                "with 95% CIs; 'difference-in-differences' subtracts {base}'s change over the "
                "same windows on the same seeds.",
                "每次运行在时间表第一步之前（自第 {warm} 天起）与之后（该步 {warm} 天后起）"
                "两个时段的均值，跨重复取均值及 95% 置信区间；“双重差分”减去 {base} "
                "在相同时段、相同种子下的变化。"),
}

_CJK_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC",
                 "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                 "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN", "SimHei",
                 "Microsoft YaHei", "PingFang SC")
_CJK_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
              "/usr/share/fonts/truetype/arphic/uming.ttc")


def _font_files() -> list[str]:
    files: list[str] = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True,
                                 text=True, timeout=10, check=False).stdout
            files += [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
        except (OSError, subprocess.SubprocessError):
            pass
    files += [f for f in _CJK_FILES if Path(f).exists()]
    return files


def cjk_font() -> str:
    """Register a CJK font with matplotlib and return its family name, or raise."""
    from matplotlib import font_manager as fm

    have = {f.name for f in fm.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in have:
            return family
    for path in _font_files():
        try:
            fm.fontManager.addfont(path)
            return fm.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
    raise ReportError("--lang zh needs a font with Chinese glyphs and none is installed. "
                      "Install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei, or "
                      "fonts-noto-cjk) and run the report again.")


def setup_fonts(lang: str) -> None:
    """Make matplotlib draw the chosen language without tofu boxes.

    Per-glyph fallback only works across an explicit family list in ``font.family`` (a generic
    "sans-serif" resolves to one font), so the list is set there.
    """
    import matplotlib as mpl

    if lang == "zh":
        mpl.rcParams["font.family"] = [cjk_font(), "DejaVu Sans"]
        mpl.rcParams["axes.unicode_minus"] = False
        return
    # English labels quote Chinese terms (信访, 多网合一): fall back to a CJK font if installed.
    try:
        mpl.rcParams["font.family"] = ["DejaVu Sans", cjk_font()]
    except ReportError:
        mpl.rcParams["font.family"] = ["DejaVu Sans"]


def scenario_label(name: str, lang: str) -> str:
    """A scenario's readable name (viz/i18n.py); a user's own scenario keeps its name."""
    from commgov.viz.i18n import scenario_label as label_of

    return label_of(name, lang)


def param_label(key: str, lang: str) -> str:
    """A parameter's planner's name (its record in scenarios/schema.py) if it has one, else
    its dotted key."""
    info = _param_records().get(key.replace("__", "."))
    return (info.label[1] if lang == "zh" else info.label[0]) if info and info.label[0] else key


@cache
def _param_records() -> dict[str, ParamInfo]:
    return flat_parameters()


def metric_label(metric: str, lang: str, unit: bool = False) -> str:
    """A metric's name in ``lang``, with the unit its record gives when ``unit``."""
    from commgov.viz.i18n import metric_label as name_of

    name = name_of(metric, lang)
    rec = metric_record(metric)
    unit_en, unit_zh = rec.unit if rec else ("", "")
    u = unit_zh if lang == "zh" else unit_en
    return f"{name} ({u})" if unit and u else name


def text(key: str, lang: str, **kw: object) -> str:
    en, zh = TEXT[key]
    return (zh if lang == "zh" else en).format(**kw)
