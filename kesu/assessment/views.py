"""Pages of the assessment app: schemes, the ranking and its export, one assessment's 自评 and 审核."""

import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.regions.models import Region

from . import rules, selectors, services
from .models import AssessmentStatus


@require_GET
def index(request):
    scope = Scope.for_user(request.user)
    regions = Region.objects.filter(scope.region_q()).order_by("path")[:500] if scope.can_manage else []
    return render(request, "assessment/index.html", {
        "schemes": selectors.schemes_for(scope)[:200], "builtins": services.builtin_schemes(),
        "regions": regions, "default_region": scope.region_id, "can_manage": scope.can_manage})


@require_POST
def create(request):
    scope = Scope.for_user(request.user)
    scope.require(scope.can_manage)
    try:
        pk = request.POST.get("region", "")
        region = Region.objects.filter(scope.region_q(), pk=pk).first() if pk.isdigit() else None
        if region is None:
            raise ApplicationError("请选择考核单位所在区域。", field="region")
        definition = services.builtin_schemes().get(request.POST.get("builtin", ""))
        if definition is None:
            raise ApplicationError("请选择考核细则模板。", field="builtin")
        year = request.POST.get("year", "")
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise ApplicationError("请填写考核年度（四位数字）。", field="year")
        scheme = services.scheme_create(actor=request.user, region=region, year=int(year), definition=definition)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("assessment:index")
    messages.success(request, f"已创建“{scheme}”。请核对考核项目后发起考核。")
    return redirect("assessment:scheme", pk=scheme.pk)


@require_GET
def scheme(request, pk):
    scope = Scope.for_user(request.user)
    found = selectors.scheme_for(scope, pk)
    return render(request, "assessment/scheme.html", {
        "scheme": found, "items": found.items.all(), "rows": selectors.ranking(scope, found),
        "can_manage": scope.manages_region(found.region), "kinds": rules.KINDS})


@require_POST
def scheme_open(request, pk):
    scope = Scope.for_user(request.user)
    found = selectors.scheme_for(scope, pk)
    scope.require(scope.manages_region(found.region))
    created = services.scheme_open(actor=request.user, scheme=found)
    messages.success(request, f"已发起考核：新增 {created} 个考核对象，按数据计分的项目已自动计分。")
    return redirect("assessment:scheme", pk=found.pk)


@require_GET
def export(request, pk):
    """The ranking as an Excel sheet, as an office sends it with its 考核 notice."""
    from openpyxl import Workbook

    scope = Scope.for_user(request.user)
    found = selectors.scheme_for(scope, pk)
    book = Workbook()
    sheet = book.active
    sheet.title = "考核结果"
    sheet.append([f"{found.year}年{found.name}考核结果"])
    sheet.append(["名次", "考核对象", "自评得分", "审核得分", "等次", "状态"])
    for row in selectors.ranking(scope, found):
        a = row["assessment"]
        sheet.append([row["place"] or "", row["name"], float(a.self_total) if a.self_total is not None else "",
                      float(a.total) if a.total is not None else "", a.grade or "", a.get_status_display()])
    sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'{found.year}年考核结果.xlsx')}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@require_GET
def assessment(request, pk):
    scope = Scope.for_user(request.user)
    return _assessment_page(request, scope, selectors.assessment_for(scope, pk))


def _assessment_page(request, scope, found, posted=None, status=200):
    """The 自评 / 审核 page; ``posted`` (a refused 自评 form) is shown again as it was typed, nothing lost."""
    may_self = selectors.may_self_assess(scope, found) and found.status == AssessmentStatus.SELF
    cited = selectors.evidence_of(found)
    scores = list(found.scores.select_related("item"))
    for s in scores:  # the records cited for each item, and whether a manual item has any evidence at all
        s.cited = cited.get(s.item_id, [])
        s.cited_keys = {link.key for link in s.cited}
        s.lacks_evidence = (s.item.rule == rules.MANUAL and (s.self_points or 0) > 0 and not s.cited
                            and not s.evidence.strip())
        if posted is not None:
            s.self_points = posted.get(f"points-{s.item_id}", s.self_points)
            s.evidence = posted.get(f"evidence-{s.item_id}", s.evidence)
            if s.item.rule == rules.MANUAL:
                s.cited_keys = set(posted.getlist(f"links-{s.item_id}"))
    return render(request, "assessment/assessment.html", {
        "a": found, "scores": scores, "may_self": may_self,
        "may_review": selectors.may_review(scope, found) and found.status == AssessmentStatus.SUBMITTED,
        "choices": selectors.evidence_choices(scope, found).items() if may_self else [],
        "manual": rules.MANUAL}, status=status)


@require_POST
def self_score(request, pk):
    scope = Scope.for_user(request.user)
    found = selectors.assessment_for(scope, pk)
    scope.require(selectors.may_self_assess(scope, found))
    entries = {}
    for score in found.scores.select_related("item"):
        key = f"points-{score.item_id}"
        if request.POST.get(key, "").strip() != "":
            entries[score.item_id] = {
                "points": request.POST[key], "note": request.POST.get(f"note-{score.item_id}", ""),
                "evidence": request.POST.get(f"evidence-{score.item_id}", ""),
                "links": request.POST.getlist(f"links-{score.item_id}") if score.item.rule == rules.MANUAL else None}
    try:
        services.assessment_self_assess(actor=request.user, assessment=found, entries=entries,
                                        submit=bool(request.POST.get("submit")))
    except ApplicationError as exc:
        messages.error(request, f"{exc.message}本次填写未保存，请修改后重新提交。")
        return _assessment_page(request, scope, found, posted=request.POST, status=422)
    messages.success(request, "自评已提交，等待审核。" if request.POST.get("submit") else "自评已保存。")
    return redirect("assessment:assessment", pk=found.pk)


@require_POST
def review(request, pk):
    scope = Scope.for_user(request.user)
    found = selectors.assessment_for(scope, pk)
    scope.require(selectors.may_review(scope, found))
    adjustments = {s.item_id: (request.POST.get(f"final-{s.item_id}", ""), request.POST.get(f"reason-{s.item_id}", ""))
                   for s in found.scores.all()}
    try:
        services.assessment_review(actor=request.user, assessment=found, adjustments=adjustments)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"审核完成：{found.subject_name} {found.total} 分，{found.grade}。")
    return redirect("assessment:assessment", pk=found.pk)
