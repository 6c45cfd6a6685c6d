"""The main menu: (label, URL name, roles that see it). Apps add their entries here as they grow."""

from django.urls import NoReverseMatch, reverse

ALL = {"admin", "office", "filler", "viewer"}

MENU = [
    ("首页", "home", ALL),
    ("规划任务", "plans:plan_list", ALL),
    ("成员单位", "orgs:unit_list", {"admin", "office", "viewer"}),
    ("协调机构", "orgs:body_detail", {"admin", "office", "viewer"}),
    ("区域", "regions:region_list", {"admin", "office", "viewer"}),
    ("指标目录", "plans:indicator_list", ALL),
    ("纲要框架", "plans:framework_list", {"admin", "office", "viewer"}),
    ("填报", "collection:home", {"admin", "office", "filler"}),
    ("审核", "collection:review", {"admin", "office"}),
    ("完成情况", "collection:completeness", {"admin", "office", "viewer"}),
    ("统计分析", "analytics:dashboard", ALL),
    ("报告", "reports:index", {"admin", "office", "viewer"}),
]


def nav_items(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    role = "admin" if user.is_superuser else user.role
    items = []
    for label, name, roles in MENU:
        if role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items
