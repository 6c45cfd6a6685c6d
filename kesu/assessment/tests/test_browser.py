"""A unit's 自评 with evidence picked from its own records, the office's 审核, then the ranking and its export."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from kesu.assessment.models import AssessmentStatus
from kesu.collection.models import Activity
from kesu.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "x-pass-123")
    page.locator("form button[type=submit]").first.click()


def test_self_assessment_with_evidence_then_review_and_ranking(page, live_server, world, scheme):
    edu = scheme.assessments.get(unit=world["edu"])
    scores = {s.item.number: s.item for s in edu.scores.select_related("item")}
    first = Activity.objects.filter(unit=world["edu"]).order_by("-start_date").first()

    _login(page, live_server, "edu")
    page.goto(f"{live_server.url}{reverse('assessment:assessment', args=[edu.pk])}")
    page.fill(f"input[name='points-{scores['3'].pk}']", "27")
    options = page.get_by_label("年度工作要点任务落实佐证材料（可多选）")
    assert options.locator("option").count() == 4  # 教育局's own four activities, nobody else's
    options.select_option(label=f"{first.start_date:%m-%d} {first.title}（渠县教育局）")
    page.fill(f"input[name='points-{scores['4'].pk}']", "16")
    screenshot(page, "assessment-self-form.png")
    page.get_by_role("button", name="保存并提交审核").click()
    page.get_by_text("须提供佐证材料").wait_for()  # item 4 has neither a record nor a description
    assert edu.scores.get(item=scores["3"]).self_points is None  # the refused form saved nothing …
    assert page.locator(f"input[name='points-{scores['3'].pk}']").input_value() == "27"  # … and lost nothing
    page.fill(f"textarea[name='evidence-{scores['4'].pk}']", "2025年科普经费拨付文件")
    page.get_by_role("button", name="保存并提交审核").click()
    page.get_by_text("自评已提交，等待审核。").wait_for()
    screenshot(page, "assessment-self.png")

    _login(page, live_server, "office")
    page.goto(f"{live_server.url}{reverse('assessment:assessment', args=[edu.pk])}")
    evidence = page.locator(".evidence-list a").first
    assert evidence.inner_text() == str(first)
    assert evidence.get_attribute("href") == reverse("collection:activity_edit", args=[first.pk])
    page.fill(f"input[name='final-{scores['3'].pk}']", "24")
    page.get_by_role("button", name="完成审核").click()
    page.get_by_text("请填写调整理由").wait_for()
    page.fill(f"input[name='final-{scores['3'].pk}']", "24")
    page.fill(f"input[name='reason-{scores['3'].pk}']", "一项任务未见落实材料")
    page.get_by_role("button", name="完成审核").click()
    page.get_by_text("审核完成：渠县教育局 72.0 分，合格。").wait_for()  # 20 + 12 + 24 + 16
    screenshot(page, "assessment-review.png")
    edu.refresh_from_db()
    assert edu.status == AssessmentStatus.REVIEWED

    page.get_by_role("link", name=str(scheme)).click()
    row = page.locator("tr", has_text="渠县教育局")
    assert "72.0" in row.inner_text() and "合格" in row.inner_text()
    screenshot(page, "assessment-ranking.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert list(sheet.iter_rows(min_row=3, max_row=3, values_only=True))[0][:5] == (1, "渠县教育局", 75, 72, "合格")
