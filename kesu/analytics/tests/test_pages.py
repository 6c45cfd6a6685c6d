"""Pages: each role sees its dashboard; scope is enforced; query counts are pinned; XLSX export is safe."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kesu.analytics.models import Publication
from kesu.collection.rollup import rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    w = world
    for year, scale in ((2023, 1), (2024, 2)):
        w.put("VISITS", w.town1, 100 * scale, pid=str(year))
        w.put("VISITS", w.town2, 50 * scale, pid=str(year))
        w.put("VISITS", w.county, 30 * scale, pid=str(year), unit=w.edu)
        w.put("VISITS", w.county2, 70 * scale, pid=str(year))
        w.put("FUND_GOV", w.town1, 30, pid=str(year))
        w.put("FUND_RAISED", w.town1, 60, pid=str(year))
    w.put("VISITS", w.county2, 999, pid="2024", unit=None, status="submitted")  # replaces 140; never shown by default
    rollup_rebuild()
    return w


def login(client, user):
    client.force_login(user)
    return client


def test_office_dashboard_shows_ranking_and_headline(client, data):
    login(client, data.city_office)
    r = client.get(reverse("analytics:dashboard"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "达州市" in html and "科技馆参观人次" in html
    assert "chart-ranking" in html and "chart-completeness" in html
    assert "360" in html and "999" not in html  # 2024: 渠县 approved 360; 大竹县's 999 is only submitted


def test_chart_json_twin_matches_table(client, data):
    login(client, data.city_office)
    r = client.get(reverse("analytics:chart_json", args=["ranking"]), {"indicator": "VISITS", "period": "2024"})
    body = r.json()
    assert body["columns"][0] == "区域"
    assert [row[0] for row in body["rows"]] == ["渠县", "大竹县"]
    assert [row[2] for row in body["rows"]] == [360, None]
    assert body["option"]["series"][0]["data"] == [360]  # the chart plots ranked regions only
    assert body["includes_unapproved"] is False


def test_chart_json_includes_submitted_only_when_asked(client, data):
    login(client, data.city_office)
    r = client.get(reverse("analytics:chart_json", args=["ranking"]),
                   {"indicator": "VISITS", "period": "2024", "include_submitted": "1"})
    body = r.json()
    assert dict((row[0], row[2]) for row in body["rows"])["大竹县"] == 999
    assert body["includes_unapproved"] is True


def test_per_population_ranking(client, data):
    login(client, data.city_office)
    body = client.get(reverse("analytics:chart_json", args=["ranking"]),
                      {"indicator": "VISITS", "period": "2024", "per_pop": "1"}).json()
    assert body["rows"][0][0] == "渠县" and body["rows"][0][4] == 3.6  # 360 / 100 万人
    assert body["rows"][1][4] is None  # nothing approved for 大竹县 in 2024
    body = client.get(reverse("analytics:chart_json", args=["ranking"]),
                      {"indicator": "VISITS", "period": "2023", "per_pop": "1"}).json()
    assert [(r[0], r[4]) for r in body["rows"]] == [("渠县", 1.8), ("大竹县", 0.875)]  # 180/100, 70/80


def test_scope_other_county_refused(client, data):
    login(client, data.other_office)
    r = client.get(reverse("analytics:chart_json", args=["ranking"]), {"region": "511725"})
    assert r.status_code == 403
    r = client.get(reverse("analytics:indicator_explorer"), {"region": "511725"})
    assert r.status_code == 403


def test_filler_sees_own_dashboard_not_rollups(client, data):
    login(client, data.filler)
    r = client.get(reverse("analytics:dashboard"))
    assert r.status_code == 200 and "本单位填报任务" in r.content.decode()
    assert client.get(reverse("analytics:chart_json", args=["ranking"])).status_code == 403
    assert client.get(reverse("analytics:ranking")).status_code == 403


def test_anonymous_redirected(client, data):
    r = client.get(reverse("analytics:dashboard"))
    assert r.status_code == 302 and "login" in r["Location"]


# Statements of each page for the city office (second visit: the per-process menu and configuration are read). Each
# page reads its regions and indicators under one read of the configuration version (kesu/core/configuration.py); before
# that: dashboard 38, explorer 13, ranking 25, consistency 10, progress 11, compare 16, pivot 15.
PAGE_QUERIES = {"dashboard": 25, "indicator_explorer": 8, "ranking": 18, "consistency": 8, "progress": 8,
                "compare": 9, "pivot": 10}
# The dashboard's charts as JSON (before: 10, 9, 11).
CHART_QUERIES = {"ranking": (7, {"indicator": "VISITS", "period": "2024"}), "trend": (8, {}), "completeness": (10, {})}


@pytest.mark.parametrize("name", list(PAGE_QUERIES))
def test_pages_pin_query_counts(client, data, django_assert_max_num_queries, name):
    login(client, data.city_office)
    client.get(reverse(f"analytics:{name}"))
    with django_assert_max_num_queries(PAGE_QUERIES[name]):
        r = client.get(reverse(f"analytics:{name}"))
    assert r.status_code == 200 and "达州市" in r.content.decode()


@pytest.mark.parametrize("name", list(CHART_QUERIES))
def test_charts_pin_query_counts(client, data, django_assert_max_num_queries, name):
    login(client, data.city_office)
    url = reverse("analytics:chart_json", args=[name])
    most, params = CHART_QUERIES[name]
    client.get(url, params)
    with django_assert_max_num_queries(most):
        body = client.get(url, params).json()
    assert body["rows"] and body["includes_unapproved"] is False


def test_consistency_lists_mismatch(client, data):
    w = data
    w.put("VISITS", w.county, 500, pid="2024")  # own total differs from 200 + 100 + 60
    rollup_rebuild()
    login(client, w.city_office)
    html = client.get(reverse("analytics:consistency"), {"period": "2024"}).content.decode()
    assert "渠县" in html and "500" in html and "360" in html and "+140" in html


def test_pivot_xlsx_numbers_subtotals_and_no_formulas(client, data):
    w = data
    w.county2.name = "=HYPERLINK(\"http://x\")"
    w.county2.save()
    login(client, w.city_office)
    r = client.get(reverse("analytics:pivot"), {"indicators": ["VISITS", "GOV_SHARE"], "periods": "2024",
                                                "rows": "region", "cols": "indicator", "format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == ("区域", "科技馆参观人次（人次）", "政府拨款占比（%）")
    body = {row[0]: row[1:] for row in rows[2:]}
    assert body["达州市（合计）"][0] == 360 and isinstance(body["达州市（合计）"][0], int)
    assert body["渠县"][0] == 360 and body["渠江街道"][0] == 200
    assert body["渠江街道"][1] == 50
    assert "'=HYPERLINK(\"http://x\")" in body
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    bold = {row[0].value: row[0].font.b for row in ws.iter_rows(min_row=3)}
    assert bold["渠县"] and bold["达州市（合计）"] and not bold["渠江街道"]  # subtotals in bold


def test_publication_flow_and_public_page(client, data):
    w = data
    login(client, w.city_office)
    r = client.post(reverse("analytics:publication_new"), {"title": "达州市科普公开数据", "year": "2024",
                                                           "indicators": ["VISITS"]})
    pub = Publication.objects.get()
    assert r.status_code == 302 and pub.status == "draft"
    client.logout()
    assert client.get(f"/public/{pub.slug}/").status_code == 404  # a draft is not public
    login(client, w.city_office)
    preview = client.get(reverse("analytics:publication_preview", args=[pub.pk])).content.decode()
    assert "预览" in preview and "确认发布" in preview
    client.post(reverse("analytics:publication_action", args=[pub.pk, "publish"]))
    client.logout()
    r = client.get(f"/public/{pub.slug}/")
    html = r.content.decode()
    assert r.status_code == 200 and "达州市科普公开数据" in html and "360" in html
    assert "999" not in html  # the submitted, unapproved value never appears
    chart = client.get(f"/public/{pub.slug}/chart.json").json()
    assert chart["rows"][-1][1] == 360 and chart["rows"][-2][1] == 250
    login(client, w.city_office)
    client.post(reverse("analytics:publication_action", args=[pub.pk, "withdraw"]))
    client.logout()
    assert client.get(f"/public/{pub.slug}/").status_code == 404


def test_other_region_cannot_manage_publication(client, data):
    login(client, data.city_office)
    client.post(reverse("analytics:publication_new"), {"title": "公开", "year": "2024", "indicators": ["VISITS"]})
    pub = Publication.objects.get()
    login(client, data.other_office)
    assert client.post(reverse("analytics:publication_action", args=[pub.pk, "publish"])).status_code == 404
    login(client, data.viewer)
    assert client.post(reverse("analytics:publication_action", args=[pub.pk, "publish"])).status_code == 403


def test_publication_bad_input(client, data):
    login(client, data.city_office)
    r = client.post(reverse("analytics:publication_new"), {"title": "", "year": "2024", "indicators": ["VISITS"]})
    assert "请填写公开页面标题" in r.content.decode()
    r = client.post(reverse("analytics:publication_new"), {"title": "x", "year": "二〇二四", "indicators": ["VISITS"]})
    assert r.status_code == 400 and "参数“年份”应为整数" in r.content.decode()
    r = client.post(reverse("analytics:publication_new"), {"title": "x", "year": "2024"})
    assert "请至少选择一个公开指标" in r.content.decode()
    assert not Publication.objects.exists()


def test_token_page_create_and_revoke(client, data):
    login(client, data.office)
    html = client.post(reverse("analytics:tokens"), {"name": "交换脚本"}).content.decode()
    assert "ksu_" in html and "只显示这一次" in html
    from kesu.accounts.models import ApiToken
    token = ApiToken.objects.get()
    assert "ksu_" not in token.digest
    client.post(reverse("analytics:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    html = client.post(reverse("analytics:tokens"), {"name": " "}).content.decode()
    assert "请填写令牌名称" in html


def test_explorer_bad_period_message(client, data):
    login(client, data.city_office)
    html = client.get(reverse("analytics:indicator_explorer"), {"periods": "2024X"}).content.decode()
    assert "格式不正确" in html


def test_indicator_pickers_list_only_the_indicators_the_office_may_see(client, data):
    from kesu.plans import services as plan_services

    plan_services.indicator_create(actor=data.other_office, region=data.county2, code="DZ_LOCAL", name="大竹县自设指标",
                                   category="base", unit="场")
    login(client, data.office)  # 渠县: the neighbouring county's own indicator is none of its business
    for name in ("analytics:indicator_explorer", "analytics:ranking", "analytics:compare", "analytics:pivot",
                 "analytics:publication_new"):
        html = client.get(reverse(name)).content.decode()
        assert "科技馆参观人次" in html and "大竹县自设指标" not in html, name
    login(client, data.other_office)  # … while 大竹县 picks its own
    assert "大竹县自设指标" in client.get(reverse("analytics:indicator_explorer")).content.decode()


def test_a_neighbours_local_indicator_cannot_be_asked_for_by_code(client, data):
    from kesu.plans import services as plan_services

    plan_services.indicator_create(actor=data.other_office, region=data.county2, code="DZ_LOCAL", name="大竹县自设指标",
                                   category="base", unit="场")
    login(client, data.office)  # 渠县 types the neighbour's code into the address: it is unknown, as on the picker
    html = client.get(reverse("analytics:indicator_explorer"), {"indicators": "DZ_LOCAL", "periods": "2024"})
    assert "指标编码“DZ_LOCAL”不存在" in html.content.decode()
    body = client.get("/api/analytics", {"indicators": "DZ_LOCAL", "periods": "2024"}).json()
    assert "DZ_LOCAL" in body["message"] and "不存在" in body["message"]
    login(client, data.other_office)  # … while 大竹县 asks for its own
    html = client.get(reverse("analytics:indicator_explorer"), {"indicators": "DZ_LOCAL", "periods": "2024"})
    assert "不存在" not in html.content.decode() and "大竹县自设指标" in html.content.decode()
def _picked(html: str) -> list[str]:
    """The period ids selected in the page's period picker."""
    import re

    picker = re.search(r'<select name="\w+"[^>]*id="year-picker".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\w+)" selected>', picker)


@pytest.mark.parametrize("name", ["ranking", "compare", "consistency", "pivot"])
def test_period_pickers_default_to_the_last_approved_year_and_say_so(client, data, name):
    login(client, data.city_office)
    html = client.get(reverse(f"analytics:{name}")).content.decode()
    # 2024 has one approved return fewer than 2023 (one was resubmitted): 2023 is the last complete year.
    assert _picked(html) == ["2023"]
    assert "以下为2023年（最近一个审核完成的年度）已审核数据；2024年正在填报审核，可在报告期中选择" in html
    picked = client.get(reverse(f"analytics:{name}"), {"period": "2024", "periods": "2024"}).content.decode()
    assert _picked(picked) == ["2024"] and "以下为2024年已审核数据" in picked


def test_pivot_takes_several_years_from_the_picker_or_a_link(client, data):
    login(client, data.city_office)
    url = reverse("analytics:pivot")
    for query in ({"periods": ["2023", "2024"], "cols": "period"}, {"periods": "2023,2024", "cols": "period"}):
        html = client.get(url, query).content.decode()
        assert _picked(html) == ["2024", "2023"] and "以下为2023年、2024年已审核数据" in html
    html = client.get(url, {"periods": "2024Q5"}).content.decode()
    assert "报告期“2024Q5”格式不正确" in html and _picked(html) == ["2023"]


def test_public_page_year_picker_offers_published_and_earlier_years(client, data):
    login(client, data.city_office)
    client.post(reverse("analytics:publication_new"), {"title": "公开", "year": "2024", "indicators": ["VISITS"]})
    pub = Publication.objects.get()
    client.post(reverse("analytics:publication_action", args=[pub.pk, "publish"]))
    client.logout()
    html = client.get(f"/public/{pub.slug}/").content.decode()
    assert _picked(html) == ["2024"] and "以下为2024年已审核数据" in html and ">360<" in html
    html = client.get(f"/public/{pub.slug}/", {"year": "2023"}).content.decode()
    assert _picked(html) == ["2023"] and "以下为2023年已审核数据" in html and ">250<" in html
    assert _picked(client.get(f"/public/{pub.slug}/", {"year": "2030"}).content.decode()) == ["2024"]
    assert client.get(f"/public/{pub.slug}/", {"year": "abc"}).status_code == 400


def test_explorer_picks_years_from_a_list_and_keeps_a_linked_quarter(client, data):
    login(client, data.city_office)
    url = reverse("analytics:indicator_explorer")
    html = client.get(url).content.decode()
    assert 'id="periods"' not in html  # no free-text box any more
    assert _picked(html) == ["2023"] and "以下为2023年（最近一个审核完成的年度）已审核数据" in html
    html = client.get(url, {"periods": ["2023", "2024"]}).content.decode()
    assert _picked(html) == ["2024", "2023"] and "以下为2023年、2024年已审核数据" in html
    # A report's source link asks for a quarter: it stays selected beside the years, and the note names it.
    html = client.get(url, {"periods": "2024Q1", "indicators": "VISITS"}).content.decode()
    assert _picked(html) == ["2024Q1"] and "以下为2024年第一季度已审核数据" in html
    # Grouped by period, the page opens on five years, all shown selected.
    html = client.get(url, {"group_by": "period"}).content.decode()
    assert _picked(html) == ["2023", "2022", "2021", "2020", "2019"]
