"""Pages: scope checks (404/403), the HTMX cell save, history, submission actions, completeness and CSV."""

import pytest
from django.urls import reverse

from kesu.collection import services
from kesu.collection.models import IndicatorValue, Submission
from kesu.collection.models import SubmissionStatus as S
from kesu.core.models import AuditEvent

from .conftest import YEAR

pytestmark = pytest.mark.django_db

# A cell save reads the return and the figure once, under the write's lock, checks and writes the figure, and
# answers with the one cell (not the whole grid); the earlier years its flags compare with are one statement after.
# The first figure of a return also creates it and moves it to 填报中 (and the answer shows that); later ones not.
# The configuration it checks against (covering data sets, their indicators, rules) — and the data set, reporter,
# the filler's unit and the cell's indicator the answer shows — is read once per process and configuration version:
# after the reporter's first save, one statement reads the version instead.
CELL_SAVE_QUERIES = 15
NEXT_CELL_SAVE_QUERIES = 10


def grid_url(w, unit=None, region=None, name="collection:grid", **extra):
    args = [w.ds.pk, YEAR, (region or w.county).pk, unit.pk if unit else 0, *extra.values()]
    return reverse(name, args=args)


def cell_url(w, code, unit=None, region=None):
    return reverse("collection:cell_save", args=[w.ds.pk, YEAR, (region or w.county).pk, unit.pk if unit else 0,
                                                 w.ind[code].pk])


def test_home_lists_my_returns_and_notices(client, world):
    client.force_login(world.filler)
    page = client.get(reverse("collection:home")).content.decode()
    assert "年度科普工作统计" in page and "未填报" in page and "渠县教育局" in page


def test_grid_renders_with_last_year(client, world):
    IndicatorValue.objects.create(indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                                  period_id=str(int(YEAR) - 1), value=42)
    client.force_login(world.filler)
    page = client.get(grid_url(world, world.edu)).content.decode()
    assert "科普专职人员" in page and ">42<" in page and 'hx-post' in page


def test_cell_save_in_place_and_chinese_error(client, world):
    client.force_login(world.filler)
    ok = client.post(cell_url(world, "HR_FULL", world.edu), {"value": "12", "version": "0"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "已保存" in ok.content.decode()
    bad = client.post(cell_url(world, "HR_FULL_FEMALE", world.edu), {"value": "abc", "version": "0"})
    assert "应填数字" in bad.content.decode() and 'value="abc"' in bad.content.decode()
    stale = client.post(cell_url(world, "HR_FULL", world.edu), {"value": "13", "version": "0"})
    assert "旧数据" in stale.content.decode() and IndicatorValue.objects.get().value == 12


def test_a_saved_cell_shows_the_stored_figure_and_its_flag_with_few_queries(client, world,
                                                                            django_assert_max_num_queries):
    # Five earlier years around 10: a figure of 500 is far outside them, and the answer must say so at once.
    for back, value in enumerate([10, 11, 12, 10, 11], start=1):
        IndicatorValue.objects.create(indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                                      period_id=str(int(YEAR) - back), value=value)
    client.force_login(world.filler)
    client.get(grid_url(world, world.edu))  # the session's first request: fills per-process caches
    # Tabbing through an empty cell saves nothing (the return stays 未填报) but reads the configuration.
    client.post(cell_url(world, "FUND_GOV", world.edu), {"value": "", "version": "0"}, HTTP_HX_REQUEST="true")
    assert {s.status for s in Submission.objects.all()} <= {S.EMPTY}
    assert not IndicatorValue.objects.filter(period_id=YEAR).exists()
    with django_assert_max_num_queries(CELL_SAVE_QUERIES):
        ok = client.post(cell_url(world, "HR_FULL", world.edu), {"value": "500", "version": "0"},
                         HTTP_HX_REQUEST="true")
    page = ok.content.decode()
    assert "已保存" in page and 'value="500"' in page and 'name="version" value="1"' in page
    assert "同比突变" in page and "历史离群" in page and "情况说明" in page
    assert 'id="submission-status"' in page and "填报中" in page  # the return's badge follows its first figure
    assert IndicatorValue.objects.get(period_id=YEAR).value == 500


def test_a_later_save_into_a_return_being_filled_writes_with_fewer_queries(client, world,
                                                                           django_assert_max_num_queries):
    client.force_login(world.filler)
    client.post(cell_url(world, "HR_FULL", world.edu), {"value": "12", "version": "0"}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(NEXT_CELL_SAVE_QUERIES):
        ok = client.post(cell_url(world, "HR_FULL", world.edu), {"value": "13", "version": "1"},
                         HTTP_HX_REQUEST="true")
    page = ok.content.decode()
    assert "已保存" in page and 'value="13"' in page and 'name="version" value="2"' in page
    assert "submission-status" not in page  # still 填报中, as the page already says
    row = IndicatorValue.objects.get(period_id=YEAR)
    assert (row.value, row.version) == (13, 2)
    assert AuditEvent.objects.filter(object_id=str(row.pk), action="update").count() == 1  # 12 → 13, audited


def test_filler_cannot_reach_other_unit(client, world):
    client.force_login(world.filler)
    assert client.get(grid_url(world, world.agri)).status_code == 404
    assert client.post(cell_url(world, "HR_FULL", world.agri), {"value": "1", "version": "0"}).status_code == 404
    assert client.get(grid_url(world, None)).status_code == 404
    services.value_save(actor=world.filler2, indicator=world.ind["HR_FULL"], region=world.county, unit=world.agri,
                        period=YEAR, value=3)
    sub = Submission.objects.get(unit=world.agri)
    assert client.get(reverse("collection:submission", args=[sub.pk])).status_code == 404
    assert client.get(reverse("collection:completeness")).status_code == 403
    assert client.get(reverse("collection:review")).status_code == 403
    assert not IndicatorValue.objects.filter(unit=world.agri, value=1).exists()


def test_viewer_sees_only_approved(client, world):
    services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                        period=YEAR, value=3)
    client.force_login(world.viewer)
    assert client.get(grid_url(world, world.edu)).status_code == 404
    sub = Submission.objects.get(unit=world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    services.submission_approve(actor=world.office, submission=sub)
    page = client.get(grid_url(world, world.edu)).content.decode()
    assert "已审核" in page and "hx-post" not in page


def test_history_panel(client, world):
    client.force_login(world.filler)
    client.post(cell_url(world, "HR_FULL", world.edu), {"value": "12", "version": "0"})
    client.post(cell_url(world, "HR_FULL", world.edu), {"value": "15", "version": "1"})
    url = reverse("collection:value_history", args=[world.ds.pk, YEAR, world.county.pk, world.edu.pk,
                                                    world.ind["HR_FULL"].pk])
    page = client.get(url).content.decode()
    assert "12 → <strong>15</strong>" in page and "表单" in page


def test_submission_actions_and_return_needs_reason(client, world):
    client.force_login(world.filler)
    client.post(cell_url(world, "HR_FULL", world.edu), {"value": "12", "version": "0"})
    sub = Submission.objects.get(unit=world.edu)
    client.post(reverse("collection:submission_action", args=[sub.pk, "submit"]))
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED
    client.force_login(world.office)
    r = client.post(reverse("collection:submission_action", args=[sub.pk, "return"]), {"reason": ""}, follow=True)
    assert "必须填写退回原因" in r.content.decode()
    client.post(reverse("collection:submission_action", args=[sub.pk, "return"]), {"reason": "请核对"})
    sub.refresh_from_db()
    assert sub.status == S.RETURNED
    assert AuditEvent.objects.filter(object_type="collection.submission", action="return").exists()


def test_completeness_page_and_csv(client, world):
    services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                        period=YEAR, value=3)
    services.submission_submit(actor=world.filler, submission=Submission.objects.get(unit=world.edu))
    client.force_login(world.office)
    page = client.get(reverse("collection:completeness"), {"ds": world.ds.pk, "period": YEAR}).content.decode()
    assert "渠县农业农村局" in page and "按时" in page and "催报名单" in page
    csv = client.get(reverse("collection:completeness"), {"ds": world.ds.pk, "period": YEAR, "format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert "渠县农业农村局" in text and "渠县教育局" not in text and "渠江街道（本级汇总）" in text


def test_violations_page_links_to_value(client, world):
    from kesu.collection.models import ValidationRule
    ValidationRule.objects.create(code="E", name="拨款不超过筹集额", expression="FUND_GOV <= FUND_RAISED",
                                  codes=["FUND_GOV", "FUND_RAISED"], severity="explain", message="拨款大于筹集额")
    for code, v in (("FUND_GOV", 9), ("FUND_RAISED", 4)):
        IndicatorValue.objects.create(indicator=world.ind[code], region=world.county, unit=world.agri,
                                      period_id=YEAR, value=v)
    client.force_login(world.office)
    page = client.get(reverse("collection:violations"), {"ds": world.ds.pk, "period": YEAR}).content.decode()
    assert "拨款大于筹集额" in page and grid_url(world, world.agri) in page
    client.force_login(world.viewer)
    assert client.get(reverse("collection:violations")).status_code == 403


def test_activity_pages_and_attachment(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.filler)
    r = client.post(reverse("collection:activity_create"), {
        "kind": "training", "title": "农技培训", "start_date": f"{YEAR}-04-01", "population": "farmer",
        "sessions": "1", "participants": "-2", "materials": "0", "funds": "0"})
    assert "不能为负数" in r.content.decode()
    r = client.post(reverse("collection:activity_create"), {
        "kind": "training", "title": "农技培训", "start_date": f"{YEAR}-04-01", "population": "farmer",
        "sessions": "1", "participants": "30", "materials": "0", "funds": "0"})
    assert r.status_code == 302
    from kesu.collection.models import Activity
    a = Activity.objects.get()
    from django.core.files.uploadedfile import SimpleUploadedFile
    r = client.post(reverse("collection:attachment_upload", args=[a.pk]),
                    {"file": SimpleUploadedFile("photo.jpg", b"not an image at all")}, follow=True)
    assert "不是可接受的类型（可接受：PDF 文件、JPG 图片" in r.content.decode()
    assert "农技培训" in client.get(reverse("collection:activity_list")).content.decode()
    client.force_login(world.filler2)
    assert client.get(reverse("collection:activity_edit", args=[a.pk])).status_code == 404


def test_notices_partial_via_tag(client, world):
    from django.template import Context, Template
    from django.test import RequestFactory

    from kesu.collection.selectors import notices_for_user
    services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                        period=YEAR, value=3)
    sub = Submission.objects.get(unit=world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    services.submission_return(actor=world.office, submission=sub, reason="人数偏少")
    notices = notices_for_user(world.filler)
    assert any("被退回：人数偏少" in n.text for n in notices)
    request = RequestFactory().get("/")
    request.user = world.filler
    html = Template("{% load collection_tags %}{% collection_notices %}").render(Context({"request": request}))
    assert "人数偏少" in html


def test_rules_page_adds_local_rule_and_refuses_unsafe(client, world):
    from kesu.collection.models import ValidationRule
    client.force_login(world.office)
    r = client.post(reverse("collection:rules"), {"code": "X", "name": "坏规则", "expression": "__import__('os')",
                                                  "severity": "blocking"})
    assert "不允许的写法" in r.content.decode() and not ValidationRule.objects.exists()
    client.post(reverse("collection:rules"), {"code": "L1", "name": "女性不超过专职",
                                              "expression": "HR_FULL_FEMALE <= HR_FULL", "severity": "explain"})
    assert ValidationRule.objects.get(code="L1").region == world.county
    client.force_login(world.filler)
    assert client.get(reverse("collection:rules")).status_code == 403


def test_reopen_closed_window_from_submission_page(client, world):
    last = str(int(YEAR) - 1)
    sub = services.submission_for(data_set=world.ds, period=last, region=world.county, unit=world.edu)
    client.force_login(world.office)
    page = client.get(reverse("collection:submission", args=[sub.pk])).content.decode()
    assert "开放补报" in page
    from datetime import timedelta

    from kesu.collection.services.common import today
    until = today() + timedelta(days=5)
    r = client.post(reverse("collection:submission_reopen", args=[sub.pk]), {"until": until.isoformat(), "reason": ""},
                    follow=True)
    assert "必须填写原因" in r.content.decode()
    client.post(reverse("collection:submission_reopen", args=[sub.pk]), {"until": until.isoformat(), "reason": "补报"})
    services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                        period=last, value=2)


def test_viewer_reads_activities_narratives_and_returns_only_once_approved(client, world):
    from datetime import date
    a = services.activity_create(actor=world.filler, unit=world.edu, data={
        "kind": "lecture", "title": "健康讲座", "start_date": date(int(YEAR), 6, 1), "population": "elder"})
    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.edu)
    client.force_login(world.viewer)
    narratives = reverse("collection:narratives", args=[YEAR, world.county.pk, world.edu.pk])
    assert "健康讲座" not in client.get(reverse("collection:activity_list")).content.decode()
    assert client.get(reverse("collection:activity_edit", args=[a.pk])).status_code == 404
    assert client.get(narratives).status_code == 404
    assert client.get(reverse("collection:submission", args=[sub.pk])).status_code == 404
    services.submission_submit(actor=world.filler, submission=sub)
    services.submission_approve(actor=world.office, submission=sub)
    assert "健康讲座" in client.get(reverse("collection:activity_list")).content.decode()
    assert client.get(narratives).status_code == 200
    assert client.get(reverse("collection:submission", args=[sub.pk])).status_code == 200
