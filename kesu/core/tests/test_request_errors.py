"""Refusals in Chinese: the 400/403/404/500 pages, one log line per refused request, one parameter helper,
checked redirect targets, and a production server that will not start on the built-in secret key."""

import logging
import sys

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.test import RequestFactory
from django.views.defaults import server_error

from kesu.accounts.models import Role, User
from kesu.core.errors import OneLineRefusals
from kesu.core.params import BadParameter, id_param, int_param, safe_next, year_param
from kesu.regions.models import Level, Region

PASSWORD = "渠县科协-办公室-2026"


@pytest.fixture
def office(db, settings, client):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    county = Region.objects.create(code="511725", name="渠县", level=Level.COUNTY, path="511725/", depth=0)
    user = User.objects.create_user(username="quxian", password=PASSWORD, role=Role.OFFICE, region=county)
    client.force_login(user)
    return user


def test_the_helper_turns_bad_values_into_chinese_refusals():
    data = QueryDict("year=99999999999999999999&page=x&region=3&empty=")
    with pytest.raises(BadParameter, match="年份.*不能大于 2100"):
        year_param(data)
    with pytest.raises(BadParameter, match="参数“页码”应为整数，收到“x”"):
        int_param(data, "page", label="页码")
    assert id_param(data, "region") == 3 and int_param(data, "empty", default=7) == 7
    with pytest.raises(BadParameter, match="不能小于 1"):
        id_param(QueryDict("region=0"), "region")


def test_a_bad_query_parameter_is_a_400_page_in_chinese(client, office):
    response = client.get("/analytics/progress/?region=x")
    assert response.status_code == 400 and "区域“x”不存在" in response.content.decode()
    response = client.get("/collection/activities/?year=99999999999999999999")
    assert response.status_code == 400 and "年份" in response.content.decode()


def test_an_id_too_large_for_any_row_is_a_404_not_a_500(client, office):
    response = client.get("/plans/99999999999999999999/")
    assert response.status_code == 404 and "找不到该页面" in response.content.decode()


def test_403_and_404_are_chinese_pages_in_the_layout(client, office, db):
    viewer = User.objects.create_user(username="viewer", password=PASSWORD, role=Role.VIEWER,
                                      region=office.region)
    client.force_login(viewer)
    page = client.get("/accounts/users/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "无权访问" in text and "kesu-navbar" in text and "Forbidden" not in text
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and "找不到该页面" in missing.content.decode()


def test_the_500_page_is_chinese():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统出错了" in response.content.decode()


def test_a_refused_request_is_logged_as_one_line(client, office, caplog):
    viewer = User.objects.create_user(username="viewer2", password=PASSWORD, role=Role.VIEWER,
                                      region=office.region)
    client.force_login(viewer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/accounts/users/")
    # The site's log handler (settings.LOGGING) runs its filter before the test's capture sees the record.
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info is None and "Traceback" not in caplog.text
    assert "Forbidden (Permission denied): /accounts/users/ [PermissionDenied: 只有办公室和系统管理员可以管理账号]" \
        in record.getMessage()


def test_the_filter_drops_a_refusals_traceback_but_keeps_a_faults():
    for status, kept in ((403, False), (500, True)):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            record = logging.LogRecord("django.request", logging.ERROR if kept else logging.WARNING, __file__, 1,
                                       "Refused: %s", ("/x",), sys.exc_info())
        record.status_code = status
        assert OneLineRefusals().filter(record)
        assert (record.exc_info is not None) is kept


def test_safe_next_refuses_other_hosts():
    factory = RequestFactory()
    assert safe_next(factory.post("/", {"next": "https://evil.example/phish"})) is None
    assert safe_next(factory.post("/", {"next": "//evil.example/"})) is None
    assert safe_next(factory.post("/", {"next": "/collection/review/"})) == "/collection/review/"


def test_production_serve_refuses_the_built_in_secret_key(monkeypatch, settings):
    monkeypatch.delenv("KESU_SECRET_KEY", raising=False)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="必须设置环境变量 KESU_SECRET_KEY"):
        call_command("kesu_serve", host="0.0.0.0", port=8149, no_worker=True)
    settings.HTTPS = True
    with pytest.raises(CommandError, match="KESU_SECRET_KEY"):
        call_command("kesu_serve", host="127.0.0.1", port=8149, no_worker=True)
