import pytest
from django.urls import reverse

from kesu.orgs import services
from kesu.orgs.models import ContactPerson, CoordinationBody, Unit, UnitKind
from kesu.regions.tests.helpers import load_sample, make_user, region


@pytest.fixture
def setup(db):
    load_sample()
    qu, xuanhan = region("511725"), region("511722")
    admin = make_user("admin", "admin")
    edu = services.unit_create(actor=admin, region=qu, name="渠县教育局", kind=UnitKind.EDUCATION)
    agri = services.unit_create(actor=admin, region=qu, name="渠县农业农村局", kind=UnitKind.AGRICULTURE)
    services.contact_create(actor=admin, unit=edu, name="张联络", phone="0818-1234567", is_liaison=True)
    other = services.unit_create(actor=admin, region=xuanhan, name="宣汉县教育局", kind=UnitKind.EDUCATION)
    return {"qu": qu, "xuanhan": xuanhan, "edu": edu, "agri": agri, "other": other}


def login(client, *args, **kwargs):
    client.force_login(make_user(*args, **kwargs))
    return client


def test_unit_list_shows_liaison_and_filters(setup, client):
    login(client, "o", "office", region=setup["qu"])
    text = client.get(reverse("orgs:unit_list")).content.decode()
    assert "渠县教育局" in text and "张联络" in text and "宣汉县教育局" not in text
    filtered = client.get(reverse("orgs:unit_list"), {"kind": UnitKind.AGRICULTURE}).content.decode()
    assert "渠县农业农村局" in filtered and "渠县教育局" not in filtered


def test_office_gets_404_on_another_county(setup, client):
    login(client, "o", "office", region=setup["qu"])
    other = setup["other"]
    for name in ("orgs:unit_detail", "orgs:unit_edit", "orgs:unit_end"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert client.post(reverse("orgs:contact_create", args=[other.pk]), {"name": "x"}).status_code == 404
    xuanhan = setup["xuanhan"].pk
    assert client.get(reverse("orgs:unit_list"), {"region": xuanhan}).status_code == 404
    assert client.get(reverse("orgs:body_detail"), {"region": xuanhan}).status_code == 404
    assert client.get(reverse("orgs:unit_create"), {"region": xuanhan}).status_code == 404
    assert client.post(reverse("orgs:create_default_units"), {"region": xuanhan}).status_code == 404
    assert Unit.objects.filter(region=setup["xuanhan"]).count() == 1


def test_filler_sees_only_its_unit(setup, client):
    login(client, "f", "filler", unit=setup["edu"])
    assert client.get(reverse("orgs:unit_detail", args=[setup["edu"].pk])).status_code == 200
    assert client.get(reverse("orgs:unit_detail", args=[setup["agri"].pk])).status_code == 404
    assert client.get(reverse("orgs:unit_detail", args=[setup["other"].pk])).status_code == 404
    text = client.get(reverse("orgs:unit_list")).content.decode()
    assert "渠县教育局" in text and "渠县农业农村局" not in text
    assert client.get(reverse("orgs:unit_edit", args=[setup["edu"].pk])).status_code == 403


def test_viewer_reads_but_gets_403_on_forms(setup, client):
    login(client, "v", "viewer", region=setup["qu"])
    edu = setup["edu"]
    page = client.get(reverse("orgs:unit_detail", args=[edu.pk]))
    assert page.status_code == 200 and "编辑" not in page.content.decode().split("联系人")[0].split("</h1>")[1]
    assert client.get(reverse("orgs:unit_create")).status_code == 403
    assert client.get(reverse("orgs:unit_edit", args=[edu.pk])).status_code == 403
    assert client.get(reverse("orgs:unit_end", args=[edu.pk])).status_code == 403
    assert client.post(reverse("orgs:contact_create", args=[edu.pk]), {"name": "x"}).status_code == 403
    assert client.get(reverse("orgs:body_edit")).status_code == 403
    assert client.post(reverse("orgs:body_post_add"), {"post": "leader", "person_name": "x"}).status_code == 403
    assert client.post(reverse("orgs:create_default_units")).status_code == 403
    contact = ContactPerson.objects.get()
    assert client.post(reverse("orgs:contact_delete", args=[contact.pk])).status_code == 403
    assert ContactPerson.objects.count() == 1 and Unit.objects.count() == 3


def test_create_form_reports_duplicate_in_chinese(setup, client):
    login(client, "o", "office", region=setup["qu"])
    response = client.post(reverse("orgs:unit_create"), {"region": setup["qu"].pk, "name": "渠县教育局",
                                                          "kind": UnitKind.EDUCATION, "sort": ""})
    assert response.status_code == 400
    assert "已有名为「渠县教育局」的成员单位" in response.content.decode()
    missing = client.post(reverse("orgs:unit_create"), {"name": "", "kind": UnitKind.EDUCATION})
    assert "请填写单位名称" in missing.content.decode()
    ok = client.post(reverse("orgs:unit_create"), {"name": "渠县科学技术协会", "kind": UnitKind.CAST})
    assert ok.status_code == 302
    assert Unit.objects.filter(region=setup["qu"], name="渠县科学技术协会").exists()


def test_end_unit_with_successor_through_the_page(setup, client):
    login(client, "o", "office", region=setup["qu"])
    response = client.post(reverse("orgs:unit_end", args=[setup["agri"].pk]),
                           {"valid_to": "2024-01-01", "successor": setup["edu"].pk, "reason": "机构改革"})
    assert response.status_code == 302
    agri = Unit.objects.get(pk=setup["agri"].pk)
    assert agri.successor_id == setup["edu"].pk and not agri.is_active
    # a unit of another region is not offered as successor
    bad = client.post(reverse("orgs:unit_end", args=[setup["edu"].pk]),
                      {"valid_to": "2024-01-01", "successor": setup["other"].pk})
    assert bad.status_code == 400 and "请选择本级现有的成员单位" in bad.content.decode()


def test_default_units_button_only_when_region_has_none(setup, client):
    login(client, "o", "office", region=setup["qu"])
    assert "一键生成默认成员单位" not in client.get(reverse("orgs:unit_list")).content.decode()
    Unit.objects.filter(region=setup["qu"]).delete()  # contacts cascade
    assert "一键生成默认成员单位" in client.get(reverse("orgs:unit_list")).content.decode()
    response = client.post(reverse("orgs:create_default_units"))
    assert response.status_code == 302
    assert Unit.objects.filter(region=setup["qu"]).count() == 28
    client.post(reverse("orgs:create_default_units"))
    assert Unit.objects.filter(region=setup["qu"]).count() == 28


def test_body_page_create_and_posts(setup, client):
    login(client, "o", "office", region=setup["qu"])
    empty = client.get(reverse("orgs:body_detail")).content.decode()
    assert "尚未设置" in empty
    saved = client.post(reverse("orgs:body_edit"), {"name": "", "kind": "leading_group",
                                                    "office_unit": setup["edu"].pk,
                                                    "members": [setup["edu"].pk, setup["agri"].pk]})
    assert saved.status_code == 302
    body = CoordinationBody.objects.get(region=setup["qu"])
    assert body.name == "渠县全民科学素质工作领导小组" and body.members.count() == 2
    client.post(reverse("orgs:body_post_add"), {"post": "leader", "person_name": "钱七", "person_title": "副县长"})
    client.post(reverse("orgs:body_post_add"), {"post": "member", "person_name": "赵六", "unit": setup["edu"].pk})
    text = client.get(reverse("orgs:body_detail")).content.decode()
    text = text[text.index("posts-table"):]
    assert text.index("组长") < text.index("钱七") < text.index("成员") < text.index("赵六")
    bad = client.post(reverse("orgs:body_post_add"), {"post": "member", "person_name": "", "unit": ""})
    assert bad.status_code == 400 and "请填写姓名" in bad.content.decode()


def test_upper_office_reaches_a_county_body(setup, client):
    login(client, "city", "office", region=region("511700"))
    response = client.get(reverse("orgs:body_detail"), {"region": setup["qu"].pk})
    assert response.status_code == 200 and "渠县" in response.content.decode()
    own = client.get(reverse("orgs:unit_list")).content.decode()
    assert "达州市成员单位" in own and "渠县教育局" not in own  # its own level by default …
    assert f"?region={setup['qu'].pk}" in own  # … with links down to the counties
    listing = client.get(reverse("orgs:unit_list"), {"region": setup["qu"].pk}).content.decode()
    assert "渠县教育局" in listing and "宣汉县教育局" not in listing
