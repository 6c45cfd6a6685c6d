"""An office manages the accounts of its region's subtree: create from lists, reset a password, deactivate."""

import pytest

from kesu.accounts.models import Role, User
from kesu.core.models import AuditEvent
from kesu.orgs.models import Unit, UnitKind
from kesu.regions.models import Level
from kesu.testing import make_region

pytestmark = pytest.mark.django_db
PASSWORD = "渠县科协-填报-2026"


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city = make_region("511700", "达州市", Level.PREFECTURE)
    quxian = make_region("511725", "渠县", Level.COUNTY, city)
    xuanhan = make_region("511722", "宣汉县", Level.COUNTY, city)
    edu = Unit.objects.create(region=quxian, name="渠县教育局", kind=UnitKind.EDUCATION)
    other = Unit.objects.create(region=xuanhan, name="宣汉县教育局", kind=UnitKind.EDUCATION)
    office = User.objects.create_user(username="quxian", password=PASSWORD, role=Role.OFFICE, region=quxian)
    city_office = User.objects.create_user(username="dazhou", password=PASSWORD, role=Role.OFFICE, region=city)
    filler = User.objects.create_user(username="quxian_edu", password=PASSWORD, role=Role.FILLER, unit=edu,
                                      region=quxian)
    stranger = User.objects.create_user(username="xuanhan_edu", password=PASSWORD, role=Role.FILLER, unit=other,
                                        region=xuanhan)
    return dict(quxian=quxian, xuanhan=xuanhan, edu=edu, other=other, office=office, city_office=city_office,
                filler=filler, stranger=stranger)


def test_the_office_lists_only_its_subtree_with_last_login(client, world):
    client.force_login(world["office"])
    page = client.get("/accounts/users/").content.decode()
    assert "quxian_edu" in page and "渠县教育局" in page and "从未登录" in page
    assert "xuanhan_edu" not in page and "dazhou" not in page
    client.force_login(world["city_office"])
    page = client.get("/accounts/users/").content.decode()
    assert "quxian_edu" in page and "xuanhan_edu" in page and "quxian" in page


def test_the_form_offers_only_the_regions_and_units_of_the_subtree(client, world):
    client.force_login(world["office"])
    page = client.get("/accounts/users/new/").content.decode()
    assert "渠县 · 渠县教育局" in page and "宣汉县教育局" not in page
    assert f'value="{world["xuanhan"].pk}"' not in page
    assert "系统管理员" not in page  # an office cannot create an administrator


def test_an_office_creates_a_filler_login_that_can_sign_in(client, world):
    client.force_login(world["office"])
    response = client.post("/accounts/users/new/", {"username": "quxian_agri", "full_name": "王五", "role": "filler",
                                                    "unit": world["edu"].pk, "password": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "账号已创建" in page and "密码只显示这一次" in page
    password = page.split('class="fs-5 user-password">')[1].split("<")[0]
    account = User.objects.get(username="quxian_agri")
    assert account.role == Role.FILLER and account.unit == world["edu"] and account.region == world["quxian"]
    assert not account.is_staff and account.check_password(password)
    event = AuditEvent.objects.get(action="创建用户", object_id=str(account.pk))
    assert event.actor == world["office"] and event.region_path == world["quxian"].path
    client.logout()
    signed_in = client.post("/accounts/login/", {"username": "quxian_agri", "password": password})
    assert signed_in.status_code == 302


def test_a_unit_outside_the_subtree_is_refused_and_nothing_is_written(client, world):
    client.force_login(world["office"])
    response = client.post("/accounts/users/new/", {"username": "sneaky", "role": "filler",
                                                    "unit": world["other"].pk})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    response = client.post("/accounts/users/new/", {"username": "boss", "role": "admin"})
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post("/accounts/users/new/", {"username": "quxian_edu", "role": "filler",
                                                    "unit": world["edu"].pk})
    assert "用户名“quxian_edu”已被使用" in response.content.decode()
    response = client.post("/accounts/users/new/", {"username": "viewer", "role": "viewer"})
    assert "查看必须指定所属区域" in response.content.decode()
    assert not User.objects.filter(username__in=["sneaky", "boss", "viewer"]).exists()


def test_reset_password_ends_the_old_one_and_is_audited(client, world):
    other = client.__class__()
    other.post("/accounts/login/", {"username": "quxian_edu", "password": PASSWORD})
    assert other.get("/").status_code == 200
    client.force_login(world["office"])
    page = client.post(f"/accounts/users/{world['filler'].pk}/password/").content.decode()
    new_password = page.split('class="fs-5 user-password">')[1].split("<")[0]
    world["filler"].refresh_from_db()
    assert world["filler"].check_password(new_password) and not world["filler"].check_password(PASSWORD)
    assert other.get("/").status_code == 302  # the filler's open session ended with the old password
    assert AuditEvent.objects.filter(action="重置密码", object_id=str(world["filler"].pk)).exists()


def test_deactivate_stops_sign_in_and_reactivate_restores_it(client, world):
    client.force_login(world["office"])
    assert client.post(f"/accounts/users/{world['filler'].pk}/deactivate/").status_code == 302
    world["filler"].refresh_from_db()
    assert not world["filler"].is_active
    assert AuditEvent.objects.filter(action="停用用户", object_id=str(world["filler"].pk)).exists()
    assert "已停用" in client.get("/accounts/users/").content.decode()
    signer = client.__class__()
    assert signer.post("/accounts/login/", {"username": "quxian_edu", "password": PASSWORD}).status_code == 200
    client.post(f"/accounts/users/{world['filler'].pk}/activate/")
    assert signer.post("/accounts/login/", {"username": "quxian_edu", "password": PASSWORD}).status_code == 302


def test_accounts_outside_the_subtree_and_oneself_cannot_be_touched(client, world):
    client.force_login(world["office"])
    assert client.post(f"/accounts/users/{world['stranger'].pk}/deactivate/").status_code == 404
    assert client.post(f"/accounts/users/{world['city_office'].pk}/password/").status_code == 404
    client.post(f"/accounts/users/{world['office'].pk}/deactivate/")
    world["office"].refresh_from_db()
    assert world["office"].is_active
    world["stranger"].refresh_from_db()
    assert world["stranger"].is_active


def test_fillers_and_viewers_cannot_manage_accounts(client, world):
    client.force_login(world["filler"])
    assert client.get("/accounts/users/").status_code == 403
    assert client.post(f"/accounts/users/{world['filler'].pk}/deactivate/").status_code == 403
