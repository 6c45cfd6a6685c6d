"""Personal access tokens: an expiry, the end of every token on a password change, 查看 accounts only with their
office's grant, and the office's account page that grants it and lists and revokes an account's tokens."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kesu.accounts.models import ApiToken, Role, User
from kesu.accounts.services import token_create, token_revoke, token_user, user_api_access_set
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.regions.models import Level, Region
from kesu.testing import screenshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    county = Region.objects.create(code="511725", name="渠县", level=Level.COUNTY, path="511725/", depth=0)
    other = Region.objects.create(code="511724", name="大竹县", level=Level.COUNTY, path="511724/", depth=0)
    make = lambda name, role, region: User.objects.create_user(username=name, password="kesu-test-pw", role=role,  # noqa
                                                               region=region)
    return {"office": make("office", Role.OFFICE, county), "viewer": make("viewer", Role.VIEWER, county),
            "other_office": make("other", Role.OFFICE, other)}


def test_a_token_expires(people, client):
    token, raw = token_create(actor=people["office"], name="脚本", days=30)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert client.get("/api/regions", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/regions", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    with pytest.raises(ApplicationError, match="有效期"):
        token_create(actor=people["office"], name="脚本", days=10000)


def test_a_password_change_ends_every_token(people, client):
    token, raw = token_create(actor=people["office"], name="脚本")
    assert token_user(raw) == people["office"]
    people["office"].set_password("another-Passw0rd!")
    people["office"].save()
    assert token_user(raw) is None
    token.refresh_from_db()
    assert not token.is_active and token.state == "密码已修改，已失效"
    assert client.get("/api/regions", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_a_viewer_needs_its_offices_grant(people):
    with pytest.raises(PermissionDenied, match="联系本级办公室开通"):
        token_create(actor=people["viewer"], name="读取")
    with pytest.raises(PermissionDenied):
        user_api_access_set(actor=people["other_office"], user=people["viewer"], allowed=True)
    user_api_access_set(actor=people["office"], user=people["viewer"], allowed=True)
    _, raw = token_create(actor=people["viewer"], name="读取")
    assert token_user(raw) == people["viewer"]
    user_api_access_set(actor=people["office"], user=people["viewer"], allowed=False)
    assert token_user(raw) is None  # withdrawing the grant ends its tokens too


# -- the office's page: grant, list, revoke ---------------------------------------------------------------------------


def test_an_office_grants_a_viewer_api_access_and_revokes_its_token_from_the_account_page(people, client):
    viewer, office = people["viewer"], people["office"]
    client.force_login(office)
    page = client.get(reverse("accounts:user_api", args=[viewer.pk])).content.decode()
    assert "未开通" in page and "该账号还没有令牌" in page
    client.post(reverse("accounts:user_api_access", args=[viewer.pk]), {"allowed": "1"})
    viewer.refresh_from_db()
    assert viewer.api_access
    grant = AuditEvent.objects.get(object_type="accounts.user", object_id=str(viewer.pk))
    assert grant.actor == office and grant.changes == {"api_access": [False, True]}
    token, raw = token_create(actor=viewer, name="领导驾驶舱", days=30)
    page = client.get(reverse("accounts:user_api", args=[viewer.pk])).content.decode()
    assert "领导驾驶舱" in page and timezone.localtime(token.expires_at).strftime("%Y-%m-%d") in page and "已开通" in page
    client.post(reverse("accounts:user_token_revoke", args=[viewer.pk, token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.state == "已撤销"
    revoke = AuditEvent.objects.get(action="revoke", object_id=str(token.pk))
    assert revoke.actor == office and "领导驾驶舱" in revoke.object_repr
    assert "已撤销" in client.get(reverse("accounts:user_api", args=[viewer.pk])).content.decode()
    client.logout()
    assert client.get("/api/regions", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_account_page_is_scoped_to_the_office_s_area(people, client):
    token, raw = token_create(actor=people["office"], name="交换脚本")
    client.force_login(people["other_office"])
    assert client.get(reverse("accounts:user_api", args=[people["viewer"].pk])).status_code == 404
    assert client.post(reverse("accounts:user_api_access", args=[people["viewer"].pk]),
                       {"allowed": "1"}).status_code == 404
    assert client.post(reverse("accounts:user_token_revoke", args=[people["office"].pk, token.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        token_revoke(actor=people["other_office"], token=token)
    people["viewer"].refresh_from_db()
    token.refresh_from_db()
    assert not people["viewer"].api_access and token.revoked_at is None and token_user(raw) == people["office"]
    client.force_login(people["viewer"])
    assert client.get(reverse("accounts:user_api", args=[people["viewer"].pk])).status_code == 403


def test_withdrawing_the_grant_shows_on_the_tokens(people, client):
    user_api_access_set(actor=people["office"], user=people["viewer"], allowed=True)
    _, raw = token_create(actor=people["viewer"], name="读取")
    client.force_login(people["office"])
    client.post(reverse("accounts:user_api_access", args=[people["viewer"].pk]), {"allowed": "0"})
    assert "接口权限已关闭" in client.get(reverse("accounts:user_api", args=[people["viewer"].pk])).content.decode()
    assert token_user(raw) is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_opens_api_access_for_a_viewer_in_the_browser(people, page, live_server):
    viewer = people["viewer"]
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "kesu-test-pw")
    page.locator("form button[type=submit]").first.click()
    page.goto(f"{live_server.url}{reverse('accounts:user_list')}")
    page.locator("tr", has_text="viewer").get_by_role("link", name="接口").click()
    page.get_by_role("button", name="开通接口权限").click()
    page.locator("#api-access", has_text="已开通").wait_for()
    viewer.refresh_from_db()
    token_create(actor=viewer, name="领导驾驶舱")
    page.reload()
    row = page.locator("#token-table tr", has_text="领导驾驶舱")
    assert "有效" in row.inner_text()
    screenshot(page, "account-api")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="撤销").click()
    page.locator("#token-table tr", has_text="已撤销").wait_for()
    assert not ApiToken.objects.get(name="领导驾驶舱").is_active
