"""Sign-in throttling per user name and IP address, and the password rules."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.accounts.models import LoginFailure, Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "渠县科协-填报-2026"
LOCKED = "登录失败次数过多"


@pytest.fixture
def user():
    return User.objects.create_user(username="quxian_office", password=PASSWORD, role=Role.OFFICE)


def _login(client, password, ip="10.0.0.7", username="quxian_office"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_name_from_that_address(client, user):
    for _ in range(5):
        response = _login(client, "wrong-password")
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    refused = _login(client, PASSWORD)
    assert refused.status_code == 200 and LOCKED in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by someone else's guesses.
    assert _login(client, PASSWORD, ip="10.0.0.8").status_code == 302


def test_the_lock_ends_after_the_window_and_success_clears_the_count(client, user):
    for _ in range(5):
        _login(client, "wrong-password")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert _login(client, PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="quxian_office", ip="10.0.0.7").exists()


def test_unknown_names_are_throttled_too(client):
    for _ in range(5):
        _login(client, "x", username="nobody")
    assert LOCKED in _login(client, "x", username="nobody").content.decode()


@pytest.mark.parametrize("password, reason", [
    ("kesu2026ab", "密码太短，至少需要 12 个字符"),
    ("123456789012345", "密码只包含数字"),
    ("password12345", "太常见"),
])
def test_password_rules_refuse_weak_passwords_in_chinese(password, reason):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert any(reason in m for m in refused.value.messages), refused.value.messages


def test_a_long_mixed_password_is_accepted(user):
    validate_password("渠县-科普月-Qx2026-答题", user=user)


def test_the_admin_login_is_throttled_and_shares_the_lock(client):
    User.objects.create_user(username="admin", password=PASSWORD, role=Role.ADMIN, is_staff=True, is_superuser=True)
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "admin", "password": "wrong", "next": "/admin/"},
                               REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 200
    assert LoginFailure.objects.filter(username="admin", ip="10.0.0.9").count() == 5
    refused = client.post("/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"},
                          REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 200 and LOCKED in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The site's own door is locked for that name and address as well.
    assert LOCKED in _login(client, PASSWORD, ip="10.0.0.9", username="admin").content.decode()


def test_a_non_administrator_cannot_sign_in_to_the_admin(client, user):
    response = client.post("/admin/login/", {"username": "quxian_office", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200 and "不是系统管理员" in response.content.decode()
