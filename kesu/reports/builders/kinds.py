"""The report kinds. Plain Python so that builders can use them without Django."""

ANNUAL_SUMMARY = "annual_summary"
WORK_REPORT = "work_report"
SELF_CHECK = "self_check"
PROGRESS = "progress"
STATISTICS = "statistics"

# (value, label, title suffix after "<region><period>全民科学素质工作")
KINDS = [
    (ANNUAL_SUMMARY, "年度工作总结", "总结"),
    (WORK_REPORT, "工作汇报", "情况汇报"),
    (SELF_CHECK, "自查报告", "自查报告"),
    (PROGRESS, "半年/季度进展", "进展情况报告"),
    (STATISTICS, "统计报表", "统计报表"),
]
LABELS = {value: label for value, label, _ in KINDS}
TITLE_SUFFIX = {value: suffix for value, _, suffix in KINDS}
CHOICES = [(value, label) for value, label, _ in KINDS]


def parse_kind(text: str) -> str | None:
    """Accept the code (``annual_summary``) or the Chinese label (``年度工作总结``, also 半年进展/季度进展)."""
    text = (text or "").strip()
    if text in LABELS:
        return text
    for value, label, _ in KINDS:
        if text == label:
            return value
    aliases = {"工作总结": ANNUAL_SUMMARY, "总结": ANNUAL_SUMMARY, "汇报": WORK_REPORT, "自查": SELF_CHECK,
               "半年进展": PROGRESS, "季度进展": PROGRESS, "进展": PROGRESS, "报表": STATISTICS}
    return aliases.get(text)
