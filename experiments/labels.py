"""Labels for reports in English and Chinese, and a CJK font for matplotlib.

Chinese labels need a font with CJK glyphs or matplotlib draws empty boxes ("tofu"). The
font is looked up by file (fontconfig, then the usual Debian paths) and registered with
matplotlib directly, so a stale matplotlib font cache does not matter.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from commgov.experiments.errors import ReportError

# metric -> (English label, Chinese label, English unit, Chinese unit)
METRIC_LABELS: dict[str, tuple[str, str, str, str]] = {
    "issues_open": ("Open issues", "未办结事项", "issues", "件"),
    "issues_reported_total": ("Issues reported (cumulative)", "累计上报事项", "issues", "件"),
    "issues_resolved_total": ("Issues resolved (cumulative)", "累计办结事项", "issues", "件"),
    "resolved_share": ("Resolved share", "办结率", "% of reported", "占上报 %"),
    "on_time_share": ("Resolved on time", "按时办结率", "% of resolved", "占办结 %"),
    "escalated_share": ("Escalated share", "上交率", "% of reported", "占上报 %"),
    "petitions_total": ("Petitions (cumulative)", "累计信访", "petitions", "件"),
    "participation_rate": ("Participation", "居民参与率", "% of households, 30 days",
                           "近30天参与户占比 %"),
    "trust_mean": ("Trust in governance", "居民信任度", "0–1", "0–1"),
    "fee_collection_rate": ("Property-fee collection", "物业费收缴率", "% of households",
                            "占住户 %"),
    "property_complaint_share": ("Property share of 12345 tickets", "物业类12345工单占比",
                                 "% of tickets", "占工单 %"),
    "worker_field_share": ("Grid workers' field time", "网格员入户时间占比", "% of hours",
                           "占工时 %"),
    "households_per_worker": ("Households per grid worker", "每名网格员服务户数",
                              "households", "户"),
    "office_uncovered_share": ("Office work left uncovered", "未覆盖的办公事务", "% of tasks",
                               "占任务 %"),
    "satisfied_share": ("Satisfied with handling", "办理满意率", "% of resolved", "占办结 %"),
    "compound_level_share": ("Closed in the compound", "小区内办结", "% of resolved",
                             "占办结 %"),
    "silent_share": ("Issues never reported", "沉默未报事项", "% of issues", "占事项 %"),
    "hotline_tickets_total": ("12345 tickets (cumulative)", "累计12345工单", "tickets", "件"),
    "grievance_mean": ("Grievance", "居民怨气", "mean", "均值"),
    "firm_quality_mean": ("Property service quality", "物业服务质量", "0–1", "0–1"),
    "households_occupied": ("Occupied flats", "在住户数", "households", "户"),
    "residents": ("Residents", "居民人数", "persons", "人"),
}

TEXT: dict[str, tuple[str, str]] = {
    "day": ("simulated day", "模拟天数"),
    "report_title": ("Sweep report", "情景实验报告"),
    "timeseries": ("{metric} by day, mean of {n} replications with 95% CI band",
                   "{metric}（按天），{n}次重复的均值与95%置信带"),
    "effects": ("Policy effects: difference from {base} at the end of the run, paired by "
                "seed, with 95% CI (blue: CI excludes 0)",
                "政策效果：与{base}相比的期末差值（按随机种子配对），95%置信区间（蓝色：不含0）"),
    "difference": ("difference from {base}", "与{base}之差"),
    "response": ("{metric} at day {days} by {param}", "第{days}天的{metric}随{param}的变化"),
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
    """Make matplotlib draw the chosen language without tofu boxes."""
    import matplotlib as mpl

    if lang == "zh":
        mpl.rcParams["font.sans-serif"] = [cjk_font(), "DejaVu Sans"]
        mpl.rcParams["font.family"] = "sans-serif"
        mpl.rcParams["axes.unicode_minus"] = False


def metric_label(metric: str, lang: str, unit: bool = False) -> str:
    en, zh, unit_en, unit_zh = METRIC_LABELS.get(metric, (metric, metric, "", ""))
    name, u = (zh, unit_zh) if lang == "zh" else (en, unit_en)
    return f"{name} ({u})" if unit and u else name


def text(key: str, lang: str, **kw: object) -> str:
    en, zh = TEXT[key]
    return (zh if lang == "zh" else en).format(**kw)
