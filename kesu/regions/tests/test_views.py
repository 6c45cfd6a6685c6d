import pytest
from django.urls import reverse

from kesu.regions.models import Region

from .helpers import load_sample, make_user, region
from .test_import import xlsx


@pytest.fixture
def tree(db):
    load_sample(townships=["511725"])


@pytest.fixture
def office_client(tree, client):
    client.force_login(make_user("qu_office", "office", region=region("511725")))
    return client


def test_office_sees_its_tree_and_lazy_children(office_client):
    response = office_client.get(reverse("regions:region_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "渠县" in text and "宣汉县" not in text
    children = office_client.get(reverse("regions:region_children", args=[region("511725").pk]),
                                 HTTP_HX_REQUEST="true")
    assert "渠江街道" in children.content.decode()


def test_office_gets_404_outside_its_subtree(office_client):
    other = region("511722")
    for name in ("regions:region_detail", "regions:region_children"):
        assert office_client.get(reverse(name, args=[other.pk])).status_code == 404
    for name in ("regions:region_add_child", "regions:region_import", "regions:region_edit"):
        assert office_client.post(reverse(name, args=[other.pk]), {"name": "某镇"}).status_code == 404
    assert not Region.objects.filter(name="某镇").exists()


def test_search_stays_in_scope(office_client):
    text = office_client.get(reverse("regions:region_list"), {"q": "县"}).content.decode()
    assert "渠县" in text and "宣汉县" not in text


def test_viewer_reads_but_gets_403_on_forms(tree, client):
    client.force_login(make_user("viewer", "viewer", region=region("511700")))
    county = region("511725")
    page = client.get(reverse("regions:region_detail", args=[county.pk]))
    assert page.status_code == 200
    assert "添加乡镇" not in page.content.decode()
    assert client.post(reverse("regions:region_add_child", args=[county.pk]), {"name": "某镇"}).status_code == 403
    assert client.post(reverse("regions:region_import", args=[county.pk]), {}).status_code == 403
    assert client.post(reverse("regions:region_edit", args=[county.pk]), {"name": "x"}).status_code == 403
    assert not Region.objects.filter(name="某镇").exists()


def test_add_child_form_shows_chinese_errors(office_client):
    county = region("511725")
    ok = office_client.post(reverse("regions:region_add_child", args=[county.pk]), {"name": "三汇镇", "code": ""})
    assert ok.status_code == 302
    assert county.children.filter(name="三汇镇").exists()
    bad = office_client.post(reverse("regions:region_add_child", args=[county.pk]), {"name": "土溪镇",
                                                                                      "code": "511722101000"})
    assert bad.status_code == 400
    assert "应以所属县级区划「渠县」的代码 511725 开头" in bad.content.decode()


def test_import_page_shows_error_table_and_writes_nothing(office_client):
    county = region("511725")
    upload = xlsx([("三汇镇", None, None), ("", "5117", None)])
    upload.name = "乡镇.xlsx"
    response = office_client.post(reverse("regions:region_import", args=[county.pk]), {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert "import-errors" in text and "名称不能为空" in text and "<td>3</td>" in text
    assert not county.children.filter(name="三汇镇").exists()


def test_template_download(office_client):
    response = office_client.get(reverse("regions:region_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_anonymous_is_sent_to_login(tree, client):
    response = client.get(reverse("regions:region_list"))
    assert response.status_code == 302 and "login" in response["Location"]
