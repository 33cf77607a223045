"""Every word the browser app shows, in English and Chinese, except the metrics' own.

``t(key, lang)`` looks up a label; the tables below hold lever groups and units, the papers
and the classroom lessons. A scenario's names are in its own file (``scenario_words``); a
metric's name and hint in its record (``model/metrics.py``), read by ``metric_label`` and
``metric_help``; a lever's in its parameter's record (``scenarios/schema.py`` and the
mechanisms' own sections), read through ``viz/levers.py``. A key missing in one language is a
bug (``tests/test_viz.py`` and ``tests/test_records.py`` check both).
"""

from __future__ import annotations

import functools

from commgov.model.metrics import METRICS as _METRIC_RECORDS
from commgov.model.metrics import metric_record
from commgov.viz.levers import LEVERS as _LEVERS

LANGS: tuple[str, ...] = ("en", "zh")
LANG_NAMES: dict[str, str] = {"en": "English", "zh": "中文"}

Pair = tuple[str, str]


def pick(pair: Pair, lang: str) -> str:
    """The text of ``pair`` in ``lang`` (``en`` or ``zh``)."""
    return pair[1] if lang == "zh" else pair[0]


# --------------------------------------------------------------------------------------------
# Interface labels
# --------------------------------------------------------------------------------------------
UI: dict[str, Pair] = {
    "app.title": ("Community governance simulator", "城市社区治理模拟"),
    "app.subtitle": ("Households, grid workers, property firms and party branches in one "
                     "community, day by day, from five Chinese field studies",
                     "以五篇实地研究为依据，逐日模拟一个社区中的居民、网格员、物业与党支部"),
    "tab.explore": ("Explore a community", "探索社区"),
    "tab.compare": ("Compare two policies", "政策对比"),
    "tab.lessons": ("Lessons", "课堂案例"),
    "tab.about": ("About", "说明"),
    "scenario": ("Scenario", "情景"),
    "scenario.hint": ("Loads a file from scenarios/; the settings below follow it.",
                      "载入 scenarios/ 中的情景文件，下方设置随之更新。"),
    "seed": ("Random seed", "随机种子"),
    "run.step": ("Step 1 day", "前进 1 天"),
    "run.month": ("+30 days", "前进 30 天"),
    "run.play": ("Run", "运行"),
    "run.pause": ("Pause", "暂停"),
    "run.reset": ("Reset", "重置"),
    "run.speed": ("Speed", "速度"),
    "run.max": ("as fast as possible", "最快"),
    "run.days_per_s": ("days/s", "天/秒"),
    "run.day": ("Day {d}", "第 {d} 天"),
    "run.measured": ("measured", "实测"),
    "run.restart_note": ("Changing a setting restarts the run cleanly from day 0 with the same "
                         "seed (a running model keeps running).",
                         "修改任一设置后，模拟以同一随机种子从第 0 天干净地重新开始"
                         "（正在运行的模拟会继续运行）。"),
    "run.to_day": ("Run to day", "运行到第几天"),
    "run.go": ("Go to {d}", "运行到 {d}"),
    "speed.short": ("Speed", "速度"),
    "run.busy": ("{n} sessions share this server: pictures update every {s} s so the models "
                 "keep their speed.",
                 "本服务器上有 {n} 个会话：图像每 {s} 秒更新一次，以保证模拟速度。"),
    "run.slow": ("{n} sessions share this server's {c} processor cores, so this model runs "
                 "at {v:.0f} simulated days a second (a lesson needs about 20). Closing idle "
                 "tabs, a smaller community or \u2018Run to day\u2019 with fewer days helps; "
                 "the results are the same, only slower.",
                 "本服务器的 {c} 个处理器核心由 {n} 个会话共用，本模型每秒只能模拟 {v:.0f} 天"
                 "（课堂约需 20 天）。关闭不用的标签页、缩小社区规模或减少“运行到第几天”的天数"
                 "会更快；结果不变，只是更慢。"),
    "run.starting": ("Starting this session's model…", "正在启动本会话的模型……"),
    "run.pending": ("applying…", "正在应用……"),
    "export.title": ("Export", "导出"),
    "a11y.progress": ("Progress", "进度"),
    # Uploading a planner's own community (viz/upload.py)
    "upload.title": ("Your own community", "上传自己的社区"),
    "upload.button": ("Upload a file…", "上传文件……"),
    "upload.help": ("A scenario .toml (like those in scenarios/), a .graphml graph, or an edge "
                    "list .csv with its node table .csv; up to {mb} MB. Checked like "
                    "`run.py simulate` checks it.",
                    "场景 .toml 文件（格式同 scenarios/ 中的文件）、.graphml 网络文件，"
                    "或边列表 .csv 及其节点表 .csv；不超过 {mb} MB。"
                    "检查方式与 `run.py simulate` 相同。"),
    "upload.loaded": ("Uploaded: {name}", "已上传：{name}"),
    # Inspecting an agent on the map (viz/inspector.py)
    "inspect.title": ("Inspect", "查看"),
    "inspect.hint": ("Click a household, a grid worker (▲) or a compound (its property firm) "
                     "on the map to see its state.",
                     "点击地图上的住户、网格员（▲）或小区（其物业公司），查看其状态。"),
    "inspect.close": ("Close", "关闭"),
    "inspect.nothing": ("Nothing there: click a household, a grid worker or a compound.",
                        "该处没有对象：请点击住户、网格员或小区。"),
    "inspect.household": ("Household {n}", "住户 {n}"),
    "inspect.worker_title": ("Grid worker {n}", "网格员 {n}"),
    "inspect.firm_title": ("Compound {n} and its property firm", "小区 {n} 及其物业公司"),
    "inspect.where": ("Where", "位置"),
    "inspect.where_value": ("community {community}, grid {grid}, compound {compound} ({kind})",
                            "社区 {community}，网格 {grid}，小区 {compound}（{kind}）"),
    "inspect.kind": ("Residents", "住户类型"),
    "inspect.occupied": ("Lived in", "有人居住"),
    "inspect.trust": ("Trust in the community", "对社区的信任"),
    "inspect.grievance": ("Grievance", "怨气"),
    "inspect.relationship": ("Tie to its grid worker", "与网格员的关系"),
    "inspect.fee_paid": ("Pays the property fee", "缴纳物业费"),
    "inspect.party_member": ("Party member in the household", "家中有党员"),
    "inspect.open_issue": ("Open issue", "未结诉求"),
    "inspect.due": ("yes, due on day {day}", "有，时限为第 {day} 天"),
    "inspect.last_report": ("Last report", "最近一次上报"),
    "inspect.last_resolved": ("Last issue resolved", "最近一次办结"),
    "inspect.worker": ("Its grid worker", "所属网格员"),
    "inspect.never": ("never", "从未"),
    "inspect.days_ago": ("day {day} ({ago} days ago)", "第 {day} 天（{ago} 天前）"),
    "inspect.yes": ("yes", "是"),
    "inspect.no": ("no", "否"),
    "inspect.issue.neighbour": ("between neighbours", "邻里纠纷"),
    "inspect.issue.property": ("property management", "物业问题"),
    "inspect.issue.facility": ("facilities", "设施问题"),
    "inspect.issue.service": ("public services", "公共服务"),
    "inspect.community": ("Community", "社区"),
    "inspect.role": ("Post", "岗位"),
    "inspect.cadre": ("committee cadre doubling as grid worker", "两委干部兼任网格员"),
    "inspect.full_time": ("full-time grid worker", "专职网格员"),
    "inspect.households": ("Households", "住户数"),
    "inspect.queue": ("Cases waiting", "待办诉求"),
    "inspect.cases_handled": ("Cases handled so far", "累计处理诉求"),
    "inspect.hours": ("Hours today", "今日工时"),
    "inspect.hours_value": ("{field:.1f} h in the grid, {admin:.1f} h office work",
                            "网格 {field:.1f} 小时，办公事务 {admin:.1f} 小时"),
    "inspect.tenure": ("Time in the post", "任职时间"),
    "inspect.years": ("{y:.1f} years", "{y:.1f} 年"),
    "inspect.certified": ("Certified social worker", "持证社工"),
    "inspect.vacant": ("Post vacant (turnover)", "岗位空缺（人员流动）"),
    "inspect.compound_kind": ("Compound", "小区类型"),
    "inspect.grid": ("Grid", "网格"),
    "inspect.quality": ("Service quality of the firm", "物业服务质量"),
    "inspect.fees": ("Households paying fees", "缴费住户比例"),
    "inspect.trust_mean": ("Mean trust", "平均信任"),
    "inspect.open_issues": ("Open issues", "未结诉求"),
    "a11y.map": ("Map of the neighbourhood: compounds boxed by grid, households as dots",
                 "社区地图：按网格框出的小区，圆点为住户"),
    "on": ("on", "开"),
    "off": ("off", "关"),
    "lesson.since": ("since the change (or day 0) → day {d}", "自改变（或第 0 天）起 → 第 {d} 天"),
    "lesson.apply": ("Make the change", "做出改变"),
    "lesson.applied": ("Change made", "已改变"),
    "lesson.restarts": ("restarts the run", "会重新开始模拟"),
    "lesson.explain": ("Explanation (open after the discussion)", "解释（讨论后再展开）"),
    "export.metrics": ("Daily data", "每日数据"),
    "export.charts": ("Charts", "图表"),
    "export.map": ("Map", "地图"),
    "export.scenario": ("Scenario for run.py simulate", "情景文件（run.py simulate）"),
    "share.title": ("Link to these settings", "本设置的链接"),
    "share.note": ("Opening this link restores the scenario, levers and seed.",
                   "打开此链接即可恢复情景、政策杠杆和随机种子。"),
    "run.building": ("Building the community…", "正在生成社区……"),
    "settings": ("Policy levers and settings", "政策杠杆与环境设置"),
    "settings.reset": ("Back to the scenario's values", "恢复情景默认值"),
    "settings.changed": ("changed from the scenario", "已修改"),
    "source": ("Source", "来源"),
    "unit": ("Unit", "单位"),
    "map.title": ("The neighbourhood", "社区网络"),
    "map.colour_by": ("Colour households by", "居民着色依据"),
    "map.aggregated": ("{n:,} households: too many to draw one by one, so each circle is a "
                       "compound (size = households, colour = compound average).",
                       "共 {n:,} 户，逐户绘制过多："
                       "每个圆代表一个小区（大小为户数，颜色为小区平均）。"),
    "map.households": ("{n:,} households in {c} compounds and {g} grids; lines are "
                       "neighbour ties.",
                       "{n:,} 户，{c} 个小区，{g} 个网格；连线为邻里关系。"),
    "map.legend.worker": ("grid worker", "网格员"),
    "map.legend.cadre": ("cadre doubling as grid worker", "兼任网格员的社区干部"),
    "map.legend.branch": ("party branch", "党支部"),
    "map.legend.grid": ("box outline = grid", "方框边色 = 网格"),
    "map.legend.kind": ("box shade = compound type", "方框底色 = 小区类型"),
    "map.legend.vacant": ("vacant flat", "空置房"),
    "charts.title": ("Core measures over time", "核心指标变化"),
    "summary.title": ("Where the community stands", "社区现状"),
    "summary.since": ("since day {d}", "较第 {d} 天"),
    "summary.na": ("no cases yet", "尚无数据"),
    "summary.from": ("change shown from day {d}", "第 {d} 天起显示变化"),
    "info.title": ("Info", "说明"),
    "info.lesson": ("Lesson", "课堂案例"),
    "info.close": ("Close lesson", "关闭案例"),
    "info.what": ("What is it?", "这是什么？"),
    "info.how": ("How it works", "运行机制"),
    "info.notice": ("Things to notice", "值得注意"),
    "info.try": ("Things to try", "动手试试"),
    "info.papers": ("The five field studies", "五篇实地研究"),
    "lesson.question": ("Question", "问题"),
    "lesson.change": ("What to change", "改变什么"),
    "lesson.watch": ("What to watch", "观察什么"),
    "lesson.mechanism": ("How it works", "机制"),
    "lesson.notice": ("Things to notice", "值得注意"),
    "lesson.try": ("Things to try", "动手试试"),
    "lesson.load": ("Load into the model", "载入模型"),
    "lesson.compare": ("Compare A and B", "对比 A 与 B"),
    "lesson.loaded": ("Lesson loaded: {title}", "已载入案例：{title}"),
    "lessons.intro": ("Ready-made lessons for a class or a briefing. Each asks one question, "
                      "says what to change and what to watch, and explains the mechanism with "
                      "the field study it comes from. One click loads its settings.",
                      "供课堂或汇报使用的现成案例。每个案例提出一个问题，说明改变什么、观察什么，"
                      "并结合来源研究解释机制。一键即可载入设置。"),
    "compare.intro": ("Run two policies with the same random seeds and see their curves on "
                      "shared axes and the difference at the end.",
                      "以相同的随机种子运行两种政策，在同一坐标轴上比较曲线和期末差异。"),
    "compare.a": ("Policy A", "政策 A"),
    "compare.b": ("Policy B", "政策 B"),
    "compare.adjust": ("Adjust levers", "调整政策杠杆"),
    "compare.days": ("Days to simulate", "模拟天数"),
    "compare.seeds": ("Replications (paired seeds)", "重复次数（成对随机种子）"),
    "compare.run": ("Run comparison", "运行对比"),
    "compare.running": ("Running {done} of {total} runs…", "正在运行第 {done}/{total} 次……"),
    "compare.result": ("Result after {days} days: {seeds} paired replications per policy",
                       "{days} 天后的结果：每种政策 {seeds} 次成对重复"),
    "compare.measure": ("Measure", "指标"),
    "compare.diff": ("B − A (mean)", "B − A（均值）"),
    "compare.ci": ("95% CI", "95% 置信区间"),
    "compare.stale": ("Out of date: the settings changed after this run. Run the comparison "
                      "again to update it.",
                      "已过期：本次运行后设置有改动。请重新运行对比以更新结果。"),
    "compare.ci_note": ("A verdict is given only when the 95% confidence interval of the "
                        "paired difference (B − A on the same seed) excludes zero, in the "
                        "measure's good direction; otherwise: no clear difference.",
                        "只有当成对差值（同一随机种子下 B − A）的 95% 置信区间不包含零时才给出"
                        "判断，并按指标的好坏方向表述；否则为“无明显差异”。"),
    "compare.one_rep": ("One replication gives no confidence interval, so no verdict: choose "
                        "at least 2.",
                        "只运行一次无法计算置信区间，因此不作判断：请至少选择 2 次。"),
    "compare.verdict": ("Verdict", "判断"),
    "compare.better": ("B better", "B 更好"),
    "compare.worse": ("B worse", "B 更差"),
    "compare.same": ("no clear difference", "无明显差异"),
    "compare.tradeoff": ("Trade-off: B does better on {good}, but worse on {bad}.",
                         "权衡：B 在{good}方面更好，但在{bad}方面更差。"),
    "compare.allgood": ("B does better on {good} and no worse elsewhere.",
                        "B 在{good}方面更好，其他方面不差。"),
    "compare.allbad": ("B does worse on {bad} and no better elsewhere.",
                       "B 在{bad}方面更差，其他方面没有改善。"),
    "compare.nodiff": ("No clear difference between A and B.", "A 与 B 之间没有明显差异。"),
    "compare.same_seeds": ("Both policies use seeds {seeds}: the same households, graph and "
                           "chance events, so differences come from the policy.",
                           "两种政策使用相同的随机种子 {seeds}："
                           "住户、网络和随机事件相同，差异来自政策本身。"),
    "compare.chart": ("A (solid) and B (dashed), mean of the runs",
                      "A（实线）与 B（虚线），多次运行平均"),
    "compare.cost_title": ("What B's difference costs", "B 的差异花费多少"),
    "compare.cost_note": ("B − A in cost a year divided by B − A in each outcome, paired by "
                          "seed, at the end of the run; the 95% interval is Fieller's. 'n/a' "
                          "when the outcome difference's interval crosses 0: no clear gain "
                          "to price. Prices are assumptions (the [costs] parameters).",
                          "每年成本之差（B − A）除以各项结果之差（B − A），按随机种子配对，取运行"
                          "结束时的值；95% 区间为 Fieller 区间。结果差的区间跨过 0 时记为“不适用”："
                          "没有明确的收益可以定价。价格为模型假设（[costs] 参数）。"),
    "compare.outcome": ("Outcome", "结果"),
    "compare.d_outcome": ("B − A (95% CI)", "B − A（95% 置信区间）"),
    "compare.d_cost": ("Cost B − A, yuan a year", "成本 B − A（元/年）"),
    "compare.per_unit": ("Cost per unit (95% CI)", "单位成本（95% 置信区间）"),
    "lang.note_nofont": ("No Chinese font is installed for the charts, so chart labels stay "
                         "in English (install fonts-wqy-microhei).",
                         "未安装中文字体，图表标签暂用英文（请安装 fonts-wqy-microhei）。"),
    "error": ("Could not build the model", "无法生成模型"),
    "higher_better": ("higher is better", "越高越好"),
    "lower_better": ("lower is better", "越低越好"),
    "footer": ("Model: commgov on Mesa 3.5. Sources: five field studies [000]–[004]. "
               "A teaching and planning aid, not a forecast.",
               "模型：commgov（基于 Mesa 3.5）。依据：五篇实地研究 [000]–[004]。"
               "用于教学和规划讨论，不是预测。"),
    "months": ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
               "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月"),
    "date": ("{d} {m}, year {y}", "第 {y} 年{m}{d}日"),
    "speed.label": ("Speed: {v}", "速度：{v}"),
    "days": ("days", "天"),
    "day_axis": ("day (day 0 = 1 January)", "天（第 0 天 = 1 月 1 日）"),
}

# Colour-by choices for the map.
COLOUR_BY: dict[str, Pair] = {
    "trust": ("trust in community governance", "对社区治理的信任"),
    "issue": ("open issue (on time / overdue)", "未结诉求（按时 / 超时）"),
    "participation": ("took part in the last 30 days", "近 30 天参与活动"),
    "kind": ("kind of household", "住户类型"),
    "fee": ("paid this month's property fee", "本月缴纳物业费"),
}

LEGEND: dict[str, Pair] = {
    "low": ("low", "低"), "high": ("high", "高"),
    "issue.none": ("no open issue", "无未结诉求"),
    "issue.open": ("open, within the time promise", "未结，承诺时限内"),
    "issue.overdue": ("open, overdue", "未结，已超时"),
    "part.yes": ("took part", "参与"), "part.no": ("did not", "未参与"),
    "fee.yes": ("paid", "已缴"), "fee.no": ("not paid", "未缴"),
    "kind.local": ("long-time local", "本地老住户"),
    "kind.resettled": ("resettled (回迁)", "回迁居民"),
    "kind.new_resident": ("new resident (migrant, renter)", "新居民（外来、租户）"),
    "kind.retiree": ("retiree", "退休居民"),
    "compound.old": ("old compound", "老旧小区"),
    "compound.commercial": ("commercial estate", "商品房小区"),
    "compound.resettlement": ("resettlement estate", "安置小区"),
    "grid": ("Grid", "网格"),
    "community": ("Community", "社区"),
}

# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------
# Labels and short help live in the metric records (model/metrics.py); this is a view of them,
# name: (label, short help), for code that reads the table.
METRICS: dict[str, tuple[Pair, Pair]] = {m.name: (m.label, m.help) for m in _METRIC_RECORDS}

# --------------------------------------------------------------------------------------------
# Papers
# --------------------------------------------------------------------------------------------
PAPERS: dict[str, tuple[Pair, Pair]] = {
    "000": (("Fukang, Xinjiang", "新疆阜康"),
            ("Practice, dilemmas and paths of urban community governance",
             "城市社区治理的实践、困境与路径")),
    "001": (("Yanzhou, Shandong", "山东兖州"),
            ("Party-building-led governance in small and medium cities",
             "中小城市党建引领社区治理")),
    "002": (("Hangzhou", "杭州"),
            ("Party-building-led governance of communities full of new residents",
             "党建引领新居民集聚社区治理")),
    "003": (("Xingfu community, Suqian", "宿迁幸福社区"),
            ("Grid-based governance", "网格化治理")),
    "004": (("Nantong", "南通"),
            ("Community micro-governance and neighbourhood councils",
             "社区微治理与邻里议事会")),
}

# --------------------------------------------------------------------------------------------
# Levers and settings: groups and display units (id → label)
# --------------------------------------------------------------------------------------------
GROUPS: dict[str, Pair] = {
    "grid": ("Grids and staff", "网格与人员"),
    "load": ("Paperwork, platforms and complaint handling", "减负、平台与诉求办理"),
    "party": ("Party building and property service", "党建引领与物业服务"),
    "residents": ("Residents taking part", "居民参与"),
    "context": ("The community (not a policy)", "社区基本情况（非政策）"),
}

# A lever's label and help live in its parameter's record (scenarios/schema.py); this is a
# view of them, key: (label, help), in the page's order.
LEVERS: dict[str, tuple[Pair, Pair]] = {lv.key: (lv.label, lv.help) for lv in _LEVERS}

UNITS: dict[str, Pair] = {
    "%": ("%", "%"),
    "%/yr": ("% a year", "%/年"),
    "per10k": ("per 10,000 residents", "人/万人"),
    "workers": ("workers per community", "人/社区"),
    "households": ("households", "户"),
    "communities": ("communities", "个"),
    "h/day": ("hours a day", "小时/天"),
    "0-100": ("/ 100", "/ 100"),
    "on/off": ("on / off", "开 / 关"),
}

# --------------------------------------------------------------------------------------------
# The model's own info tab (shown when no lesson is loaded)
# --------------------------------------------------------------------------------------------
ABOUT: dict[str, Pair] = {
    "what": ("An agent-based model of an urban community in China. Each dot is a household; "
             "compounds (小区) sit in grids (网格), each served by a grid worker. Issues arise "
             "every day (neighbour disputes, property service, facilities, services); "
             "households report them or stay silent, and grid workers, property firms, party "
             "branches, the community office and the street handle them.",
             "一个中国城市社区的主体模型。每个点是一户居民；小区归属网格，每个网格由网格员服务。"
             "每天都会产生诉求（邻里纠纷、物业服务、公共设施、公共服务）；居民选择报告或沉默，"
             "由网格员、物业、党支部、社区和街道逐级处理。"),
    "how": ("A grid worker's day is paperwork first, then cases and visits [000, 004]. Cases "
            "that fail go up the ladder 小事不出小区、大事不出社区、难事不出街道 [001]; late "
            "ones count against the time promise 小事不过夜、大事不过天、难事不过周 [003]. "
            "Trust rises with issues handled on time and spreads between neighbours [000, "
            "004]. Property fees follow service quality and trust [000]. Party branches run "
            "activities and red stations [001, 002, 003].",
            "网格员每天先完成下派事务，再办案和走访 [000, 004]。办不成的诉求按“小事不出小区、"
            "大事不出社区、难事不出街道”逐级上交 [001]；超时则不符合“小事不过夜、大事不过天、"
            "难事不过周”的承诺 [003]。按时办结提升信任，信任在邻里间传播 [000, 004]。"
            "物业费收缴取决于服务质量和信任 [000]。党支部组织活动、设立红色驿站 [001, 002, 003]。"),
    "notice": ("Watch the map while it runs: red dots are open issues. Overdue ones cluster "
               "where a grid worker is overloaded. Trust moves slowly; fees follow it.",
               "运行时观察网络图：红点是未结诉求。网格员负担过重的地方，超时诉求会扎堆。"
               "信任变化缓慢，物业费随之变化。"),
    "try": ("Pick a scenario, press Run, then change one lever at a time. Use 'Compare two "
            "policies' to see a trade-off on the same seeds, or open a lesson.",
            "选择一个情景，点击“运行”，每次只改变一个杠杆。用“政策对比”在相同随机种子下比较权衡，"
            "或打开一个课堂案例。"),
}

# --------------------------------------------------------------------------------------------
# Lessons: id → field → (en, zh)
# --------------------------------------------------------------------------------------------
LESSONS: dict[str, dict[str, Pair]] = {
    "grid_merge": {
        "title": ("Grid merging: faster handling, but who does the office work?",
                  "多网合一：办得更快，但办公室的活谁来干？"),
        "question": ("Does merging the separate grids into one make handling faster, and "
                     "what does it cost the community office?",
                     "把多张网格合成一张，能否更快办结诉求？社区办公室为此付出什么代价？"),
        "change": ("Switch on 'Merge the separate grids into one'. Then hire 3 staff with "
                   "the merge to backfill the office.",
                   "打开“多网合一”。然后为合并新增 3 名工作人员，补上办公室的人手。"),
        "watch": ("Resolved on time, office requests kept waiting, cadres back in the office, "
                  "and office work left uncovered.",
                  "按时办结率、办事群众等待比例、下沉干部回办公室比例、社区办公室未覆盖工作。"),
        "mechanism": ("Separate narrow grids (综治, 警务, 城管, 创城…) pass out-of-scope cases "
                      "to each other, which costs hours and days, and keep duplicate ledgers. "
                      "A merged grid sends the committee's cadres into the compounds with "
                      "the committee's authority, so cases close faster; but the cadres' "
                      "office hours are gone. Office work that must be done pulls them back "
                      "('sign in at the grid, work in the office'), spills onto grid workers, "
                      "or waits: residents asking for certificates, benefits or approvals wait "
                      "longer, lose trust and complain to 12345. Few communities had managed "
                      "the merge; small ones, whose office is its cadres, least, and the "
                      "specialised networks' work faltered until it was learnt [000, 001].",
                      "分散的专业网格（综治、警务、城管、"
                      "创城……）需要相互转办超出职责的诉求，耗费时间，"
                      "还要重复建台账。合并后，两委干部带着居委会的权威下沉到小区，诉求办得更快；"
                      "但干部的办公时间没了：必须完成的办公室事务把他们拉回办公室（“网格挂名签到、"
                      "社区办公”），或压回网格员身上，或积压下来——来办证明、低保、审批的居民要等更久，"
                      "信任下降，还会打 12345 投诉。真正完成合并的社区很少；办公室就靠几名干部的"
                      "小社区尤其困难；各专网的业务在学会之前也会受影响 [000, 001]。"),
        "notice": ("On-time handling does not rise at once: the merged staff must first "
                   "learn the specialised networks' work (专网业务). It rises over the "
                   "following months (no more referrals between grids), "
                   "while the share of office requests kept waiting roughly doubles and "
                   "cadres spend about half their grid hours back in the office: a real "
                   "trade-off, not a free gain. The hires of the second step win most of the "
                   "office back.",
                   "按时办结率不会马上上升：合并后的人员要先学会各专网的业务；此后几个月里它逐步上升"
                   "（不再在网格间转办），而办事群众等待的比例大约翻倍，"
                   "下沉干部约一半的网格时间又回到办公室：这是实实在在的权衡，而不是免费的改进。"
                   "第二步新增的人手能把办公室的大部分工作补回来。"),
        "try": ("Compare 'Grid merging' with 'Grid merging + new staff'. How many new workers "
                "does it take before the office is covered again? Try a smaller community.",
                "对比“多网合一”与“多网合一并增员”。需要新增多少人，办公室的工作才重新有人做？"
                "再试试规模更小的社区。"),
    },
    "red_property": {
        "title": ("Red property and property fees", "红色物业与物业费收缴"),
        "question": ("Can a party branch inside the property firm raise fee collection?",
                     "在物业企业中建立党支部，能否提高物业费收缴率？"),
        "change": ("Switch on 'Red property'.", "打开“红色物业”。"),
        "watch": ("Property fees collected, property complaints on 12345, trust.",
                  "物业费收缴率、12345 物业投诉占比、居民信任度。"),
        "mechanism": ("Residents pay for service they can see and for a firm they trust. In "
                      "Fukang, after a party branch joined the property firm with regular "
                      "training and supervision, resident–firm conflicts fell and fee "
                      "collection rose from 60% to 98% [000]. In the model the branch raises "
                      "the firm's service quality and residents' willingness to pay; more "
                      "fees pay for better service, a virtuous circle. 'Nail households' "
                      "never pay [000].",
                      "居民为看得见的服务和信得过的企业付费。在阜康，物业企业建立党支部并开展常态化"
                      "培训与监督后，居民与物业的矛盾减少，物业费收缴率由 60% 升至 98% [000]。"
                      "模型中，"
                      "党支部提高物业服务质量和居民缴费意愿；收费增加又改善服务，形成良性循环。"
                      "“钉子户”始终不缴费 [000]。"),
        "notice": ("Fees climb month by month (they are paid monthly), not day by day. "
                   "Property complaints on the hotline fall more slowly.",
                   "物业费按月缴纳，所以收缴率逐月而不是逐日上升。12345 物业投诉下降得更慢。"),
        "try": ("Colour the map by 'paid this month's property fee' and watch the compounds "
                "turn green. Then add 'Closed loop' and see whether complaints fall further.",
                "将网络图按“本月缴纳物业费”着色，"
                "观察小区逐渐变绿。再打开“闭环管理”，看投诉是否进一步下降。"),
    },
    "new_residents": {
        "title": ("New residents and taking part", "新居民与居民参与"),
        "question": ("When new estates fill with migrants and renters, who still takes part, "
                     "and can volunteer points help?",
                     "新小区住进大量外来人口和租户后，"
                     "还有谁参与社区事务？志愿服务积分能否起作用？"),
        "change": ("Start from 'Influx of new residents'. Then switch on 'Volunteer points'.",
                   "从“新居民大量涌入”情景开始，再打开“志愿服务积分制”。"),
        "watch": ("Residents taking part, issues never reported, trust.",
                  "居民参与率、沉默未报诉求、居民信任度。"),
        "mechanism": ("New residents have a weak sense of belonging and take part least "
                      "[002]; retirees are the backbone of activities and councils, young "
                      "residents stay away [004]. People join when neighbours do (herd "
                      "behaviour [004]). Volunteer points reward taking part and pull in "
                      "those who otherwise stay away [001].",
                      "新居民归属感弱，参与最少 [002]；"
                      "退休居民是活动和议事会的主力，年轻人较少参与 [004]。"
                      "居民会因邻居参与而参与（从众效应 [004]）。志愿服务积分奖励参与，"
                      "能吸引平时不参与的人 [001]。"),
        "notice": ("Colour the map by 'kind of household', then by 'took part in the last 30 "
                   "days': participation clusters in buildings where neighbours already take "
                   "part.",
                   "先按“住户类型”着色，再按“近 30 天参与活动”着色：参与集中在邻居已参与的楼栋。"),
        "try": ("Add neighbourhood councils too. Does trust follow participation? Raise "
                "'Households moving out each year' and watch participation fall.",
                "再加上邻里议事会。信任会随参与上升吗？提高“每年搬离的住户”，观察参与率下降。"),
    },
    "winter_tide": {
        "title": ("The winter tide", "冬季“候鸟”人口"),
        "question": ("What happens to service when elderly parents move in for the heating "
                     "season?",
                     "供暖季老人随子女进城后，社区服务会怎样？"),
        "change": ("Set 'Households joined by elderly parents in winter' to 12% (the real "
                   "figure), then 25%. Then raise staff per 10,000 residents to 24.5.",
                   "把“冬季有老人随住的家庭”设为 12%（实际数字），"
                   "再设为 25%。然后把每万人社工数提高到 24.5。"),
        "watch": ("Open issues and on-time handling in winter (days 0–74 and from day 319); "
                  "residents.",
                  "冬季（第 0–74 天及第 319 天以后）的未结诉求数和按时办结率；常住人口。"),
        "mechanism": ("A street of 123,000 residents gains about 15,000 in winter when "
                      "children bring their parents into town for heating, and service "
                      "capacity falls short [001]. Elderly visitors ask for more services; "
                      "ageing heating pipes in old compounds fail more often in the heating "
                      "season [001]. Staff are set for the summer population.",
                      "一个 12.3 万人的街道，"
                      "冬季因子女接老人进城取暖增加约 1.5 万人，服务能力跟不上 [001]。"
                      "老人需要更多服务；供暖季老旧小区的暖气管道更容易出问题 [001]。"
                      "而人员编制是按夏季人口配置的。"),
        "notice": ("Even the baseline has a winter bump (heating pipes); the tide makes it "
                   "higher. Run a whole year: the bump comes back in November.",
                   "即使在基线中冬季也有一个高峰（暖气管道）；"
                   "“候鸟”人口使高峰更高。运行一整年：11 月高峰再次出现。"),
        "try": ("Compare 'The winter tide' with the baseline in the comparison view. Would "
                "seasonal staff help more than permanent ones?",
                "在对比视图中比较“冬季候鸟人口”和基线。季节性增员是否比常设岗位更有效？"),
    },
    "paperwork": {
        "title": ("Paperwork or people? The task access list", "台账还是居民？社区工作准入清单"),
        "question": ("How much do residents gain when fewer tasks are pushed down onto the "
                     "community?",
                     "减少下派到社区的事务，居民能得到多少好处？"),
        "change": ("Set 'Tasks blocked by a task access list' to 40%. Compare with raising "
                   "staff per 10,000 residents to 24.5 instead.",
                   "把“准入清单挡住的下派事务”设为 40%。再与“把每万人社工数提高到 24.5”比较。"),
        "watch": ("Grid workers' time in the field, resolved on time, office work left "
                  "uncovered.",
                  "网格员入户时间占比、按时办结率、社区办公室未覆盖工作。"),
        "mechanism": ("Departments push censuses, inspections, ledgers and platform reports "
                      "down onto the community: 'a thousand threads above, one needle below' "
                      "[000, 004]. Every hour of paperwork is an hour not spent with "
                      "residents. A task access list (准入清单) refuses tasks that were not "
                      "approved [001].",
                      "各部门把普查、检查、台账和平台填报压到社区："
                      "“上面千条线，下面一根针”[000, 004]。"
                      "每一小时台账，就少一小时服务居民。"
                      "准入清单规定未经批准的事务不得下派 [001]。"),
        "notice": ("Cutting tasks frees as much field time as hiring, at no cost in posts.",
                   "减少下派事务释放的入户时间不亚于增加编制，而且不增加岗位。"),
        "try": ("Raise 'Paperwork pushed down to each grid worker' to 5 hours a day and watch "
                "on-time handling fall. Then add the integrated platform.",
                "把“每名网格员承担的下派事务”提高到每天 5 "
                "小时，观察按时办结率下降。再打开“一网统管”。"),
    },
    "secretary_day": {
        "title": ("The secretary's day: who is heard?", "书记说事日：谁的事被听见了？"),
        "question": ("Residents who do not trust the grid keep their matters to themselves. "
                     "Does a weekly day with the party secretary bring them out?",
                     "不信任网格的居民往往有事不说。每周一天由书记当面听事，能否让这些事说出来？"),
        "change": ("Switch on 'Secretary's day'.", "打开“书记说事日”。"),
        "watch": ("Matters left unheard, matters heard at the secretary's day, grievance, "
                  "escalations and trust.",
                  "无人过问的诉求比例、书记说事日听到的事项、怨气、上交比例和信任度。"),
        "mechanism": ("Once a week the secretary sits down with residents (书记问事、居民议事、"
                      "民主定事、承诺办事、办毕评事 [001]): households that kept a matter to "
                      "themselves come, and so do those whose office request waited. The "
                      "secretary settles some on the spot with the party's authority and "
                      "sends hard ones straight to the right level, so they do not climb "
                      "the ladder rung by rung. It costs the secretary's hours, taken from "
                      "the office ('有话没人听、有理没处讲、有事没人问' is what it answers "
                      "[001]).",
                      "书记每周固定一天与居民面对面（书记问事、居民议事、民主定事、承诺办事、"
                      "办毕评事 [001]）：把事憋在心里的住户来了，办事久等的住户也来了。"
                      "书记凭党组织的权威当场"
                      "解决一部分，难事直接交给对口层级，不必逐级上交。代价是书记的时间，从办公室工作"
                      "中挤出（它要解决的正是“有话没人听、有理没处讲、有事没人问” [001]）。"),
        "notice": ("The share of matters nobody hears of falls by about 5 points within "
                   "weeks, grievance falls and fewer cases are escalated; trust rises only "
                   "a little, because one day a week reaches few households.",
                   "几周之内，无人过问的诉求比例下降约 5 个百分点，怨气下降，上交的案件减少；"
                   "信任只略有上升，因为每周一天能接触到的住户有限。"),
        "try": ("Compare with 'One compound, one liaison' (a liaison visits instead of "
                "waiting to be visited): which finds more silent matters, and what does each "
                "cost? Then colour the map by open issues.",
                "与“一小区一专员”对比（专员上门走访，而不是等居民上门）：哪种办法发现的沉默诉求更多，"
                "各花多少钱？再把网络图按未结诉求着色。"),
    },
    "mediation_room": {
        "title": ("A mediation room for neighbour disputes", "调解室与邻里纠纷"),
        "question": ("Do neighbour disputes keep coming back and climbing the ladder? Would a "
                     "mediation room with the five-step method settle them for good?",
                     "邻里纠纷是否反复出现、层层上交？用“五步工作法”的调解室能否把它们化解在基层？"),
        "change": ("Switch on 'Mediation room'.", "打开“调解室”。"),
        "watch": ("Repeat neighbour disputes, escalations, disputes settled in the room, "
                  "petitions and trust.",
                  "邻里纠纷重复反映比例、上交比例、调解室化解的纠纷、信访和信任度。"),
        "mechanism": ("The grid branch's mediation room works in five steps — let feelings "
                      "out, educate, hear the claim, inspect the site, shake hands — and "
                      "files every case, so a settled dispute stays settled and fewer "
                      "become petitions [000]. It has a few sessions a week; when they are "
                      "booked up, disputes go to the grid worker as before.",
                      "网格党支部的调解室按“五步工作法”——让情绪宣泄、进行教育、听取诉求、实地查看、"
                      "握手言和——调解并为每件纠纷建卷，化解了的纠纷不易反复，转为信访的也更少 "
                      "[000]。调解室每周场次有限，排满后纠纷照旧交给网格员。"),
        "notice": ("Repeat neighbour disputes fall by about 2 points and escalations by "
                   "about 4 to 5; petitions are rare in a year, so their change is hard to "
                   "see in one community. The effect is largest where disputes are many "
                   "(a 'petition hotspot').",
                   "邻里纠纷重复反映比例下降约 2 个百分点，上交比例下降约 4–5 个百分点；一年中信访"
                   "本就少见，在单个社区里很难看出变化。纠纷越多的地方（“信访热点”）效果越大。"),
        "try": ("Raise the number of neighbour disputes (a hotspot) by choosing a larger "
                "community, and compare with the 'Secretary's day': which keeps more "
                "disputes off the ladder for the money?",
                "选择更大的社区（纠纷更多的热点），再与“书记说事日”对比：同样的钱，哪个让更多纠纷"
                "不再上交？"),
    },
    "social_organisations": {
        "title": ("Who takes part: councils or social organisations?",
                  "谁来参与：议事会还是社会组织？"),
        "question": ("Neighbourhood councils are attended mainly by cadres and retirees. "
                     "Can incubated social organisations draw in the young and middle-aged?",
                     "邻里议事会的参加者主要是居委会干部和退休人员。培育社会组织能否把中青年吸引进来？"),
        "change": ("Keep the councils and switch on 'Incubated social organisations'.",
                   "保留议事会，并打开“培育社区社会组织”。"),
        "watch": ("Participation of working-age households and of retirees, all "
                  "participation, trust.",
                  "非退休住户的参与率、退休住户的参与率、总体参与率、信任度。"),
        "mechanism": ("A hub organisation bought in by the government incubates sports, "
                      "mutual-aid and public-interest groups; people join by shared "
                      "interests, not by being summoned to a meeting, so the working-age "
                      "residents whom councils miss take part (中青年居民参与邻里治理的热情"
                      "不高 [004]). The pull builds up over months as the groups form.",
                      "政府购买服务引入枢纽型社会组织，孵化文体、互助、公益类社会组织；居民因共同兴趣"
                      "而加入，而不是被叫去开会，于是议事会吸引不到的中青年居民也参与进来（中青年居民"
                      "参与邻里治理的热情不高 [004]）。组织成形需要几个月，吸引力逐步增强。"),
        "notice": ("Working-age participation roughly doubles (about +12 points from about "
                   "14%) over the year, far more than councils alone achieve; retirees, who "
                   "already came, rise less.",
                   "一年中，非退休住户的参与率大约翻一番（从约 14% 增加约 12 个百分点），远超仅靠"
                   "议事会的效果；本来就积极参与的退休住户增加较少。"),
        "try": ("Switch the councils off and keep the organisations: what do councils add? "
                "Then try the 'Influx of new residents' community.",
                "关掉议事会、只保留社会组织：议事会还能增加什么？再试试“新居民大量涌入”的社区。"),
    },
    "budget": {
        "title": ("What 150,000 yuan a year buys", "15 万元一年能买到什么"),
        "question": ("Two mixes cost about the same, some 150,000 yuan a year more than the "
                     "status quo: more staff, or red property plus one integrated platform. "
                     "What does each buy, and what does each leave undone?",
                     "两种组合花费大致相同，都比现状每年多约 15 万元：增加人手，或者红色物业"
                     "加“一网统管”。各自买到了什么，又留下了什么没做？"),
        "change": ("Start with staff at 21.5 per 10,000 residents instead of 18 (about "
                   "150,000 yuan a year more in a community of 3,000 households). Then spend "
                   "the same money differently: staff back to 18, switch on 'Red property' "
                   "and 'Integrated platform'. Or compare the two in 'Compare two policies'.",
                   "先把每万人社工数由 18 提高到 21.5（在 3000 户的社区每年约多花 15 万元）。"
                   "然后把同样的钱换个花法：人手回到 18，打开“红色物业”和“一网统管”。"
                   "也可以在“政策对比”中直接比较两者。"),
        "watch": ("Cost per year (about the same), property fees collected, office requests "
                  "kept waiting, grid workers' time in the field, trust.",
                  "年度成本（大致相同）、物业费收缴率、办事群众等待比例、网格员入户时间占比、"
                  "居民信任度。"),
        "mechanism": ("A community's budget is small: in Yanzhou each community's party "
                      "organisation has only about 200,000 yuan a year for serving residents, "
                      "too little to buy third-party services, against about 580,000 in "
                      "Xiayang, Shanghai [001]. New staff are posts in the service centre and "
                      "the grids: the office keeps up with certificates and benefits, and "
                      "each grid worker serves fewer flats [001]. Red property puts a party "
                      "branch into the property firm, so service and fees rise [000]; the "
                      "integrated platform routes cases to the right department at once and "
                      "cuts the paperwork of duplicate ledgers [000, 003]. The prices are "
                      "assumptions (the [costs] parameters): change them and the answer may "
                      "change.",
                      "社区的钱很少：兖州每个社区党组织服务群众专项经费每年只有约 20 万元，"
                      "无力购买更多第三方服务；上海夏阳街道每个社区约 58 万元 [001]。新增人手是"
                      "服务中心和网格的岗位：办公室跟得上证明、低保等事务，每名网格员服务的户数"
                      "更少 [001]。红色物业在物业企业中建立党支部，服务和收费随之提高 [000]；"
                      "“一网统管”把诉求直接派给对口部门，减少重复台账 [000, 003]。价格是模型"
                      "假设（[costs] 参数）：改变价格，结论可能改变。"),
        "notice": ("Neither mix wins everywhere. Staff clear the office backlog (nobody waits "
                   "for a certificate) and trust rises a little more; red property with the "
                   "platform lifts fee collection from about 60% to over 90%, frees grid "
                   "workers' time for the field and cuts escalations, but residents still "
                   "wait at the office. The comparison's cost table prices each gain: yuan "
                   "per extra household taking part, per point of trust, per issue "
                   "resolved, or 'n/a' when the gain is not clear.",
                   "没有哪种组合处处占优。增加人手能消化办公室积压（办证明不再等待），信任度也"
                   "略高；红色物业加“一网统管”把物业费收缴率从约 60% 提高到 90% 以上，让网格员"
                   "有更多时间入户，上交也更少，但居民在办公室仍要等待。对比视图的成本表为每项"
                   "收益定价：每多一户参与、每提高 1 点信任、每多办结一件诉求要花多少钱；"
                   "收益不明确时记为“不适用”。"),
        "try": ("Compare the two mixes on 5 seeds. Then try a community of 1,000 "
                "households: staff are counted per resident, red property per compound, so "
                "the same money no longer buys the same mixes. Would you still hire?",
                "用 5 对随机种子比较两种组合。再试试 1000 户的社区：人手按居民数配置，红色"
                "物业按小区计费，同样的钱买到的组合不再相同。你还会选择增员吗？"),
    },
}
LESSON_FIELDS: tuple[str, ...] = ("title", "question", "change", "watch", "mechanism",
                                  "notice", "try")


def t(key: str, lang: str, **fmt: object) -> str:
    """The interface label ``key`` in ``lang``, formatted with ``fmt``."""
    text = pick(UI[key], lang)
    return text.format(**fmt) if fmt else text


def metric_label(name: str, lang: str) -> str:
    """A metric's name for people (its record in model/metrics.py), else the column name."""
    rec = metric_record(name)
    return pick(rec.label, lang) if rec and rec.label[0] else name


def metric_help(name: str, lang: str) -> str:
    """A metric's one-line hint (its record in model/metrics.py), else nothing."""
    rec = metric_record(name)
    return pick(rec.help, lang) if rec else ""


@functools.cache
def scenario_words(name: str) -> tuple[Pair, Pair] | None:
    """((title en, zh), (description en, zh)) from the scenario's own file (its ``title``,
    ``title_zh``, ``description``, ``description_zh``), or None when it has no bilingual title
    (a file of the user's that did not give one)."""
    from commgov.scenarios.loader import ScenarioError, load_scenario

    try:
        s = load_scenario(name).scenario
    except ScenarioError:
        return None
    if not (s.title.strip() and s.title_zh.strip()):
        return None
    return ((s.title, s.title_zh), (s.description, s.description_zh or s.description))


def scenario_label(name: str, lang: str) -> str:
    words = scenario_words(name)
    return pick(words[0], lang) if words else name


def scenario_description(name: str, lang: str, fallback: str = "") -> str:
    words = scenario_words(name)
    return pick(words[1], lang) if words else fallback


def paper_label(code: str, lang: str) -> str:
    pair = PAPERS.get(code)
    return f"[{code}] {pick(pair[0], lang)}" if pair else f"[{code}]"


def sources_text(source: str, lang: str) -> str:
    """'[000, 001]' → '[000] Fukang, Xinjiang · [001] Yanzhou, Shandong'."""
    codes = [c.strip() for c in source.strip("[] ").split(",") if c.strip().isdigit()]
    if not codes:
        return "assumption" if lang == "en" else "模型假设"
    return " · ".join(paper_label(c, lang) for c in codes)
