"""The main menu: (label, URL name, roles that see it[, group]). Apps add their entries here as they grow.

Entries with the same group fold into one drop-down, placed where the group's first entry stands; the order
follows the office's year: plan → collect → check → see → report.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

ALL = {"admin", "office", "filler", "viewer"}
READERS = {"admin", "office", "viewer"}

MENU = [
    ("首页", "home", ALL),
    ("规划任务", "plans:plan_list", ALL, "规划"),
    ("指标目录", "plans:indicator_list", ALL, "规划"),
    ("纲要框架", "plans:framework_list", READERS, "规划"),
    ("填报", "collection:home", {"admin", "office", "filler"}),
    ("审核", "collection:review", {"admin", "office"}, "审核"),
    ("完成情况", "collection:completeness", READERS, "审核"),
    ("操作记录", "collection:audit_log", {"admin", "office"}, "审核"),
    ("统计分析", "analytics:dashboard", ALL),
    ("报告", "reports:index", READERS),
    ("历史报告", "extraction:index", {"admin", "office"}),
    ("抽样调查", "surveys:index", READERS),
    ("考核", "assessment:index", ALL),
    ("成员单位", "orgs:unit_list", READERS, "组织"),
    ("协调机构", "orgs:body_detail", READERS, "组织"),
    ("区域", "regions:region_list", READERS, "组织"),
    ("账号", "accounts:user_list", {"admin", "office"}, "组织"),
]


def _matches(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


@lru_cache(maxsize=32)
def _entries(role: str, urlconf: str, prefix: str) -> tuple:  # noqa: ARG001 (the prefix is part of the key)
    """(label, URL, group) of the role's entries: the same on every page, so reversed once per process (per
    URL configuration and script prefix, which ``reverse`` reads)."""
    entries = []
    for label, name, roles, *rest in MENU:
        if role not in roles:
            continue
        try:
            entries.append((label, reverse(name, urlconf=urlconf), rest[0] if rest else None))
        except NoReverseMatch:
            continue
    return tuple(entries)


def nav_items(request) -> list[dict]:
    """Top-level menu items for the user: links, or groups with ``children`` links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    role = "admin" if user.is_superuser else user.role
    entries = _entries(role, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    # The longest matching URL wins, so /plans/indicators/ lights 指标目录 and not 规划任务 (/plans/).
    matching = [url for _, url, _ in entries if _matches(request.path, url)]
    current = max(matching, key=len, default=None)
    items: list[dict] = []
    groups: dict[str, dict] = {}
    for label, url, group in entries:
        link = {"label": label, "url": url, "active": url == current}
        if group is None:
            items.append(link)
        elif group in groups:
            groups[group]["children"].append(link)
            groups[group]["active"] = groups[group]["active"] or link["active"]
        else:
            groups[group] = {"label": group, "children": [link], "active": link["active"]}
            items.append(groups[group])
    # A group with one visible entry is just that entry.
    return [item["children"][0] if len(item.get("children", ())) == 1 else item for item in items]
