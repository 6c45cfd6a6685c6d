import pytest
from django.test import RequestFactory

from kesu.accounts.models import Role, User
from kesu.core.navigation import nav_items


def _menu(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return nav_items(request)


@pytest.mark.django_db
def test_office_menu_groups_planning_and_organisation_in_drop_downs():
    office = User(username="o", role=Role.OFFICE)
    items = _menu(office, "/plans/indicators/")
    labels = [item["label"] for item in items]
    assert labels[:3] == ["首页", "规划", "填报"]
    planning = items[1]
    assert [c["label"] for c in planning["children"]] == ["规划任务", "指标目录", "纲要框架"]
    assert planning["active"] and [c["active"] for c in planning["children"]] == [False, True, False]
    assert "组织" in labels and "报告" in labels


@pytest.mark.django_db
def test_filler_menu_has_no_review_reports_or_organisation():
    filler = User(username="f", role=Role.FILLER)
    labels = [item["label"] for item in _menu(filler)]
    assert "填报" in labels and "统计分析" in labels
    assert not {"审核", "完成情况", "报告", "组织", "成员单位"} & set(labels)


def test_anonymous_sees_no_menu():
    from django.contrib.auth.models import AnonymousUser

    assert _menu(AnonymousUser()) == []
