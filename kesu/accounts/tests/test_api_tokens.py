"""Personal access tokens: an expiry, the end of every token on a password change, and 查看 accounts only with
their office's grant."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kesu.accounts.models import ApiToken, Role, User
from kesu.accounts.services import token_create, token_user, user_api_access_set
from kesu.core.exceptions import ApplicationError
from kesu.regions.models import Level, Region

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
