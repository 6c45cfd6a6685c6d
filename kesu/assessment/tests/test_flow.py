"""考核 from scheme to ranking: automatic items from the data, 自评 with evidence, 审核 with reasons, grade, export."""

import io
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kesu.accounts.models import Role, User
from kesu.accounts.scope import Scope
from kesu.assessment import selectors, services
from kesu.assessment.models import AssessmentStatus
from kesu.collection.models import Activity, IndicatorValue
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.plans.loader import load_builtin
from kesu.plans.models import Framework, Indicator, Plan, Target


def _score(assessment, number):
    return assessment.scores.get(item__number=number)


def test_automatic_items_are_scored_from_the_data(world, scheme):
    edu = scheme.assessments.get(unit=world["edu"])
    agri = scheme.assessments.get(unit=world["agri"])
    assert _score(edu, "1").auto_points == D(20) and _score(agri, "1").auto_points == D(0)
    assert _score(edu, "1").auto_note == "按时报送 1/1 次"
    assert _score(edu, "2").auto_points == D(12)  # 4 activities × 3 points
    assert _score(agri, "2").auto_points == D(30)  # 12 × 3 = 36, capped at the item's 30


def test_self_assessment_needs_evidence_and_review_needs_reasons(world, scheme):
    edu = scheme.assessments.get(unit=world["edu"])
    item3 = _score(edu, "3").item
    with pytest.raises(ApplicationError, match="须提供佐证材料"):
        services.assessment_self_score(actor=world["filler"], assessment=edu, item=item3, points="25")
    with pytest.raises(ApplicationError, match="得分应在 0 到 30"):
        services.assessment_self_score(actor=world["filler"], assessment=edu, item=item3, points="31", evidence="x")
    with pytest.raises(PermissionDenied):  # another unit's 填报员
        services.assessment_self_score(actor=world["other"], assessment=edu, item=item3, points="5", evidence="x")
    with pytest.raises(ApplicationError, match="以下项目尚未自评：3. 年度工作要点任务落实；4. 科普宣传与经费保障"):
        services.assessment_submit(actor=world["filler"], assessment=edu)
    services.assessment_self_score(actor=world["filler"], assessment=edu, item=item3, points="28",
                                   evidence="2025年工作总结.docx；活动记录12条")
    services.assessment_self_score(actor=world["filler"], assessment=edu, item=_score(edu, "4").item, points="18",
                                   evidence="经费文件")
    services.assessment_submit(actor=world["filler"], assessment=edu)
    assert edu.self_total == D(78) and edu.status == AssessmentStatus.SUBMITTED  # 20 + 12 + 28 + 18

    with pytest.raises(ApplicationError, match="请填写调整理由"):
        services.assessment_review(actor=world["office"], assessment=edu, adjustments={item3.pk: ("20", "")})
    services.assessment_review(actor=world["office"], assessment=edu,
                               adjustments={item3.pk: ("20", "两项任务未见落实材料")})
    edu.refresh_from_db()
    assert edu.total == D(70) and edu.grade == "合格" and edu.status == AssessmentStatus.REVIEWED
    event = AuditEvent.objects.filter(action="review").get()
    assert event.changes["3. 年度工作要点任务落实"] == ["28.0", "20.0"]

    material = selectors.self_check_items(Scope.for_user(world["office"]), edu.pk)
    item = next(i for i in material["items"] if i["number"] == "3")
    assert item["self_points"] == D(28) and item["final_points"] == D(20)
    assert item["evidence"].startswith("2025年工作总结.docx") and item["adjust_reason"] == "两项任务未见落实材料"
    assert material["grade"] == "合格"


def test_ranking_page_and_export(world, scheme, client):
    for unit, points in ((world["edu"], "25"), (world["agri"], "10")):
        a = scheme.assessments.get(unit=unit)
        for number in ("3", "4"):
            services.assessment_self_score(actor=world["office"], assessment=a, item=_score(a, number).item,
                                           points=points if number == "3" else "10", evidence="材料")
        services.assessment_submit(actor=world["office"], assessment=a)
        services.assessment_review(actor=world["office"], assessment=a, adjustments={})
    # 教育局 20 + 12 + 25 + 10 = 67; 农业农村局 0 + 30 + 10 + 10 = 50
    client.force_login(world["office"])
    page = client.get(reverse("assessment:scheme", args=[scheme.pk])).content.decode()
    assert page.index("渠县教育局") < page.index("渠县农业农村局") and "不合格" in page
    response = client.get(reverse("assessment:export", args=[scheme.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:5] == (1, "渠县教育局", 67.0, 67.0, "合格")
    assert rows[1][:5] == (2, "渠县农业农村局", 50.0, 50.0, "不合格")


def test_a_unit_sees_only_its_own_assessment(world, scheme, client):
    client.force_login(world["filler"])
    page = client.get(reverse("assessment:scheme", args=[scheme.pk])).content.decode()
    assert "渠县教育局" in page and "渠县农业农村局" not in page


def test_a_region_scheme_scores_target_completion(world):
    load_builtin()
    framework = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    plan = Plan.objects.create(region=world["county"], framework=framework, title="方案", start_year=2021,
                               end_year=2025)
    literacy = Indicator.objects.get(code="LIT_RATIO")
    Target.objects.create(plan=plan, indicator=literacy, region=world["county"], year=2025, value=D(12))
    IndicatorValue.objects.create(indicator=literacy, region=world["county"], unit=None, period_id="2025",
                                  value=D("10.8"))
    city_office = User.objects.create_user(username="city", password="x-pass-123", role=Role.OFFICE,
                                           region=world["city"])
    scheme = services.scheme_create(actor=city_office, region=world["city"], year=2025,
                                    definition=services.builtin_schemes()["demonstration-county"])
    assert services.scheme_open(actor=city_office, scheme=scheme) == 1
    score = scheme.assessments.get(region=world["county"]).scores.get(item__number="1")
    assert score.auto_points == D(18) and score.auto_note == "完成 90.0%（10.8/12）"


def test_a_broken_scheme_is_refused_whole(world):
    definition = {"name": "坏细则", "subject": "unit", "items": [
        {"title": "甲", "weight": 50, "rule": "manual"}, {"title": "乙", "weight": "五十", "rule": "manual"}]}
    with pytest.raises(ApplicationError, match="第2项（乙）：分值“五十”不是数字"):
        services.scheme_create(actor=world["office"], region=world["county"], year=2025, definition=definition)
    from kesu.assessment.models import Scheme

    assert not Scheme.objects.exists()


def test_evidence_is_chosen_from_what_the_unit_holds(world, scheme, client, settings, tmp_path):
    from django.core.files.base import ContentFile

    from kesu.collection.models import ActivityAttachment
    from kesu.plans.models import PolicyDocument

    settings.MEDIA_ROOT = tmp_path
    edu = scheme.assessments.get(unit=world["edu"])
    item3 = _score(edu, "3").item
    own = Activity.objects.filter(unit=world["edu"]).first()
    photo = ActivityAttachment(activity=own, original_name="培训现场.png", content_type="image/png", size=8,
                               uploaded_by=world["filler"])
    photo.file.save("photo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    document = PolicyDocument.objects.create(region=world["county"], doc_no="渠教〔2025〕3号", title="教育系统科普工作方案",
                                             issuer="渠县教育局", issued_on=date(2025, 2, 1))
    choices = selectors.evidence_choices(Scope.for_user(world["filler"]), edu)
    assert len(choices["activity"]) == 4 and [c[1] for c in choices["attachment"]] == [f"培训现场.png（{own.title}）"]
    theirs = Activity.objects.filter(unit=world["agri"]).first()
    with pytest.raises(ApplicationError, match=f"所选佐证材料（activity:{theirs.pk}）不存在，或不属于渠县教育局"):
        services.assessment_self_score(actor=world["filler"], assessment=edu, item=item3, points="25",
                                       links=[f"activity:{theirs.pk}"])
    assert not _score(edu, "3").links.exists() and _score(edu, "3").self_points is None  # nothing half-written

    # picked in the 自评 form: no typed evidence needed once records are cited
    client.force_login(world["filler"])
    form = client.get(reverse("assessment:assessment", args=[edu.pk])).content.decode()
    assert f'value="attachment:{photo.pk}"' in form and "渠教〔2025〕3号" in form
    client.post(reverse("assessment:self_score", args=[edu.pk]), {
        f"points-{item3.pk}": "26", f"links-{item3.pk}": [f"activity:{own.pk}", f"attachment:{photo.pk}"],
        f"points-{_score(edu, '4').item_id}": "15", f"links-{_score(edu, '4').item_id}": [f"document:{document.pk}"],
        "submit": "1"})
    edu.refresh_from_db()
    assert edu.status == AssessmentStatus.SUBMITTED
    cited = sorted(e.changes["links"][1] for e in AuditEvent.objects.filter(action="self_score"))
    assert cited == [[f"activity:{own.pk}", f"attachment:{photo.pk}"], [f"document:{document.pk}"]]

    # the office sees the cited records in 审核, each a link to the record itself
    client.force_login(world["office"])
    review = client.get(reverse("assessment:assessment", args=[edu.pk])).content.decode()
    assert reverse("collection:attachment_download", args=[photo.pk]) in review
    assert reverse("collection:activity_edit", args=[own.pk]) in review and "未提供佐证" not in review
    labels = selectors.evidence_labels(Scope.for_user(world["office"]), edu.pk)
    assert labels["3"] == [f"活动记录：{own}", "活动照片或附件：培训现场.png"]
    assert labels["4"] == ["政策文件：教育系统科普工作方案（渠教〔2025〕3号）"]
