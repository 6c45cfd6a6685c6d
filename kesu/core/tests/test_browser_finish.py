"""In a real browser: the API documentation renders from local files under the CSP, the error pages are Chinese
in the site's layout, the favicon is served, and an office creates a unit's login from lists."""


import pytest

from kesu.accounts.models import Role, User
from kesu.orgs.models import Unit, UnitKind
from kesu.regions.models import Level, Region
from kesu.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "渠县科协-办公室-2026"


@pytest.fixture
def office(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    county = Region.objects.create(code="511725", name="渠县", level=Level.COUNTY, path="511725/", depth=0)
    Unit.objects.create(region=county, name="渠县教育局", kind=UnitKind.EDUCATION)
    return User.objects.create_user(username="quxian", password=PASSWORD, role=Role.OFFICE, region=county)


def _login(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "quxian")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_api_docs_render_from_local_files(live_server, page, office):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    _login(page, live_server)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() > 10
    assert all(url.startswith((live_server.url, "data:")) for url in requests), requests
    screenshot(page, "api-docs")


def test_error_pages_are_chinese_in_the_layout(live_server, page, office):
    _login(page, live_server)
    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response.status == 404
    assert "找不到该页面" in page.content() and page.locator(".kesu-navbar").count() == 1
    screenshot(page, "error-404")
    response = page.goto(f"{live_server.url}/analytics/progress/?region=x")
    assert response.status == 400 and "区域“x”不存在" in page.content()
    screenshot(page, "error-400")
    response = page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url  # an office is not a system administrator
    icon = page.goto(f"{live_server.url}/favicon.ico")
    assert icon.status == 200 and "image/svg+xml" in icon.headers["content-type"]


def test_an_office_creates_a_unit_login(live_server, page, office):
    _login(page, live_server)
    page.goto(f"{live_server.url}/accounts/users/")
    page.click("text=新建账号")
    page.fill("#id_username", "quxian_edu")
    page.fill("#id_full_name", "李老师")
    page.select_option("#id_role", "filler")
    page.select_option("#id_unit", label="渠县 · 渠县教育局")
    screenshot(page, "account-form")
    page.click("main button[type=submit]")
    page.wait_for_selector(".user-password")
    assert len(page.inner_text(".user-password")) == 14
    screenshot(page, "account-created")
    page.click("text=返回账号列表")
    assert "quxian_edu" in page.content() and "从未登录" in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("tr:has-text('quxian_edu') >> text=停用")
    page.wait_for_selector("text=已停用")
    screenshot(page, "account-list")
    assert not User.objects.get(username="quxian_edu").is_active
