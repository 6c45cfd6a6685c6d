"""The system administrator's admin pages speak Chinese and show roles, not Django's permission rows."""

import html
import re

import pytest

from kesu.accounts.models import Role, User

pytestmark = pytest.mark.django_db
ALLOWED_LATIN = {"root", "kesu", "pbkdf2_sha256", "email", "IP", "Excel", "API", "LDAP"}  # LDAP: in Django's own Chinese help text


def _visible_english(page: str) -> set[str]:
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    text = re.sub(r"\S*\*{3,}\S*", "", text)  # the masked password hash (salt and digest)
    words = set()
    for line in text.splitlines():
        words.update(w for w in re.findall(r"[A-Za-z][A-Za-z ’']{2,}", line) if w.strip() not in ALLOWED_LATIN)
    return {w.strip() for w in words if not re.fullmatch(r"\*+|[A-Za-z0-9]{20,}", w.strip())}


@pytest.fixture
def root(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(username="root", password="x" * 14, role=Role.ADMIN, is_staff=True,
                                    is_superuser=True)
    client.force_login(user)
    return user


def test_admin_pages_have_no_english(client, root):
    for url in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{root.pk}/change/",
                "/admin/accounts/user/add/", "/admin/django_tasks_database/dbtaskresult/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        english = {w for w in _visible_english(response.content.decode()) if w.lower() not in {"root"}}
        assert not english, f"{url}: {sorted(english)[:20]}"


def test_the_user_page_shows_role_and_scope_not_permission_rows(client, root):
    page = client.get(f"/admin/accounts/user/{root.pk}/change/").content.decode()
    assert "角色与范围" in page and "Can add" not in page and "user_permissions" not in page
    assert "/admin/auth/group/" not in client.get("/admin/").content.decode()


def test_only_the_administrator_reaches_the_admin(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    office = User.objects.create_user(username="office", password="x" * 14, role=Role.OFFICE)
    client.force_login(office)
    assert client.get("/admin/").status_code == 302
