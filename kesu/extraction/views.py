"""Pages of the extraction app: upload old reports, review the facts found in them, accept them into figures."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError

from . import highlight, intake, selectors, services
from .models import DocumentStatus, FactStatus


def _scope(request) -> Scope:
    scope = Scope.for_user(request.user)
    scope.require(scope.can_manage)
    return scope


@require_GET
def index(request):
    scope = _scope(request)
    search = request.GET.get("q", "").strip()
    documents = selectors.documents_for(scope, search=search)[:200]
    return render(request, "extraction/index.html", {
        "documents": documents, "search": search, "regions": selectors.upload_regions(scope),
        "default_region": scope.region_id, "max_size": intake.size_text(intake.max_file_bytes()),
        "max_entries": intake.max_zip_entries()})


@require_POST
def upload(request):
    scope = _scope(request)
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise ApplicationError("请选择要上传的文件。", field="file")
        region = selectors.upload_region(scope, request.POST.get("region"))
        intake.check_size(uploaded.size, uploaded.name)  # before reading anything into memory
        outcome = services.document_upload(actor=request.user, region=region, name=uploaded.name,
                                           data=uploaded.read())
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("extraction:index")
    for name, earlier in outcome.seen:
        messages.warning(request, f"“{name}”与已上传的文档#{earlier.pk}“{earlier.original_name}”内容完全相同"
                                  f"（{earlier.created_at:%Y-%m-%d} 上传），未重复保存。")
    for message in outcome.skipped:
        messages.warning(request, f"已跳过：{message}")
    for document in outcome.created:
        if document.status == DocumentStatus.FAILED:
            messages.error(request, f"“{document.original_name}”提取失败：{document.error}")
        elif document.duplicate_of_id:
            similar = f"“{document.duplicate_of.original_name}”高度相似（重合度 {document.duplicate_score:.0%}），"
            messages.warning(request, f"“{document.original_name}”与文档#{document.duplicate_of_id}{similar}"
                                      "请对照差异后再采用数据。")
    if len(outcome.created) == 1:
        document = outcome.created[0]
        if document.status in (DocumentStatus.PENDING, DocumentStatus.PROCESSING):
            messages.info(request, f"“{document.original_name}”已转入后台提取，完成后本页自动刷新。")
        else:
            messages.success(request, f"已上传“{document.original_name}”，找到 {document.facts.count()} 条数据。")
        return redirect("extraction:document", pk=document.pk)
    if outcome.created:
        messages.success(request, f"已上传 {len(outcome.created)} 个文档。")
    if not outcome.created and len(outcome.seen) == 1:
        return redirect("extraction:document", pk=outcome.seen[0][1].pk)
    return redirect("extraction:index")


def _accept_context(scope, document) -> dict:
    regions = list(selectors.regions_for_accept(scope, document))
    return {"regions": regions, "units": selectors.units_for_accept(scope, regions),
            "indicators": selectors.indicators_for(document),
            "year": highlight.guess_year(document.original_name, document.text[:300])}


@require_GET
def document(request, pk):
    scope = _scope(request)
    doc = selectors.document_get(scope, pk)
    filters = [f for f in request.GET.getlist("f") if f in selectors.FACT_FILTERS]
    facts = list(selectors.facts_of(doc, filters=filters))
    all_facts = facts if not filters else list(selectors.facts_of(doc))
    selected = None
    if request.GET.get("fact"):
        selected = selectors.fact_get(scope, request.GET["fact"]) if request.GET["fact"].isdigit() else None
        if selected is not None and selected.document_id != doc.pk:
            selected = None
    reports = selectors.reports_of(doc) if doc.status == DocumentStatus.DONE else []
    confirm_regions = selectors.regions_for_confirm(scope, doc, reports) if reports else []
    stuck = services.document_is_stuck(doc)
    context = {
        "doc": doc, "facts": facts, "filters": filters, "filter_choices": selectors.FACT_FILTERS.items(),
        "counts": selectors.fact_counts(doc), "pieces": highlight.pieces(doc.text, doc.kept_ranges, all_facts),
        "reviews": selectors.report_reviews(reports, all_facts),
        "confirm_regions": [g for g in confirm_regions if scope.manages_region(g)],
        "managed_regions": [g for g in confirm_regions if scope.manages_region(g)],
        "high": services.HIGH_CONFIDENCE, "selected": selected, "stuck": stuck,
        # A page of a dense report links a thousand facts: reverse the URL once, not once per link.
        "fact_url": reverse("extraction:fact", args=[0]).removesuffix("0/"),
        "working": doc.status in (DocumentStatus.PENDING, DocumentStatus.PROCESSING) and not stuck,
        **_accept_context(scope, doc),
    }
    for review in context["reviews"]:  # a report of a region the office does not manage: nothing of it is taken
        r = review["report"]
        review["outside"] = bool(r.suggested_region and not r.confirmed and r.suggested_region.pk != doc.region_id
                                 and r.suggested_region not in context["managed_regions"])
    if selected is not None:
        context.update(_fact_context(selected, context["regions"]))
    return render(request, "extraction/document.html", context)


def _fact_context(fact, regions=()) -> dict:
    before, span, after = highlight.context(fact.document.text, fact.start, fact.end)
    # A figure of another place is offered to that place when the reviewer may write there.
    place_region = next((r for r in regions if fact.place and r.name == fact.place), None)
    from .services import activity_fed_refused_for

    return {"fact": fact, "before": before, "span": span, "after": after, "place_region": place_region,
            "pending": fact.status != FactStatus.ACCEPTED,
            "activity_fed": fact.indicator_id is not None
            and fact.indicator_id in activity_fed_refused_for(fact.report, [fact])}


@require_GET
def fact(request, pk):
    scope = _scope(request)
    item = selectors.fact_get(scope, pk)
    accept = _accept_context(scope, item.document)
    context = {**_fact_context(item, accept["regions"]), **accept, "doc": item.document}
    return render(request, "extraction/partials/fact.html", context)


def _back(doc_pk, fact_pk=None, query: dict | None = None):
    params = dict(query or {})
    if fact_pk:
        params["fact"] = fact_pk
    url = reverse("extraction:document", args=[doc_pk])
    return redirect(f"{url}?{urlencode(params)}#fact-panel" if params else url)


@require_POST
def fact_accept(request, pk):
    scope = _scope(request)
    item = selectors.fact_get(scope, pk)
    try:
        region = selectors.region_for_accept(scope, item.document, request.POST.get("region"))
        unit = selectors.unit_for_accept(scope, request.POST.get("unit"))
        indicator = selectors.indicator_for(item.document, request.POST.get("indicator"))
        services.fact_accept(actor=request.user, fact=item, region=region, unit=unit, indicator=indicator,
                             period=request.POST.get("period", ""),
                             amend_reason=request.POST.get("amend_reason", "") if request.POST.get("confirm") else "")
    except ApplicationError as exc:
        if exc.extra.get("needs_amend"):
            # An approved year: the change is proposed, and the office confirms it with a reason on this page.
            return render(request, "extraction/amend_confirm.html", {
                "fact": item, "proposal": exc.message, "posted": request.POST,
                "missing_reason": bool(request.POST.get("confirm"))})
        messages.error(request, f"未能采用“{item.text}”：{exc.message}")
        return _back(item.document_id, item.pk)
    except PermissionDenied:
        messages.error(request, f"未能采用“{item.text}”：无权为所选区域或单位填报数据。")
        return _back(item.document_id, item.pk)
    except Http404:  # a region, unit or indicator outside the scope, or none chosen
        messages.error(request, f"未能采用“{item.text}”：请选择报告期年份和本辖区内的区域、单位。")
        return _back(item.document_id, item.pk)
    row = item.accepted_value
    messages.success(request, f"已采用“{item.text}”：{row.indicator.name} {row.period_id} 年 "
                              f"{(row.unit or row.region).name} = {row.value.normalize():f} {row.indicator.unit}。")
    return _back(item.document_id, item.pk)


@require_POST
def fact_ignore(request, pk):
    scope = _scope(request)
    item = selectors.fact_get(scope, pk)
    try:
        services.fact_ignore(actor=request.user, fact=item, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, f"已忽略“{item.text}”。")
    return _back(item.document_id, item.pk)


@require_POST
def bulk_accept(request, pk):
    scope = _scope(request)
    doc = selectors.document_get(scope, pk)
    try:
        report = selectors.report_for_bulk(doc, request.POST.get("report"))
        unit = selectors.unit_for_accept(scope, request.POST.get("unit"))
        confirmed = bool(request.POST.get("confirm"))
        reason = request.POST.get("amend_reason", "").strip() if confirmed else ""
        outcome = services.facts_accept_bulk(actor=request.user, document=doc, report=report, unit=unit,
                                             amend_reason=reason)
    except ApplicationError as exc:
        messages.error(request, f"批量采用未完成：{exc.message}")
        return _back(doc.pk)
    except PermissionDenied:
        messages.error(request, "批量采用未完成：无权为该区域或单位填报数据。")
        return _back(doc.pk)
    except Http404:
        messages.error(request, "批量采用未完成：请选择本辖区内的篇目和单位。")
        return _back(doc.pk)
    left = f"；另有 {len(outcome.left)} 条留待逐条审核" if outcome.left else ""
    if outcome.accepted:
        messages.success(request, f"已批量采用 {len(outcome.accepted)} 条数据{left}。")
    if outcome.amend:
        # An approved year: the corrections are proposed together, and the office confirms them with one reason.
        return render(request, "extraction/bulk_amend_confirm.html", {
            "doc": doc, "report": report, "unit": unit, "rows": outcome.amend, "missing_reason": confirmed,
            "left": len(outcome.left)})
    if not outcome.accepted:
        messages.info(request, f"没有写入数据{left}。")
    return _back(doc.pk)


@require_POST
def report_confirm(request, pk):
    scope = _scope(request)
    report = selectors.report_get(scope, pk)
    try:
        region = selectors.region_for_confirm(scope, request.POST.get("region"))
        services.report_confirm(actor=request.user, report=report, region=region,
                                year_first=request.POST.get("year_first", ""),
                                year_last=request.POST.get("year_last", ""))
    except ApplicationError as exc:
        messages.error(request, f"未能确认篇{report.index}：{exc.message}")
    except (Http404, PermissionDenied):
        messages.error(request, f"未能确认篇{report.index}：请选择您管理的区域。")
    else:
        years = (str(report.year_first) if report.single_year else f"{report.year_first}—{report.year_last}")
        messages.success(request, f"已确认篇{report.index}是{report.region.name} {years} 年的报告。")
    return redirect(f"{reverse('extraction:document', args=[report.document_id])}#report-{report.pk}")


@require_POST
def document_retry(request, pk):
    scope = _scope(request)
    doc = selectors.document_get(scope, pk)
    try:
        services.document_retry(actor=request.user, document=doc)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, f"已重新提取“{doc.original_name}”。")
    return redirect("extraction:document", pk=doc.pk)


@require_POST
def document_delete(request, pk):
    scope = _scope(request)
    doc = selectors.document_get(scope, pk)
    try:
        services.document_delete(actor=request.user, document=doc)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("extraction:document", pk=doc.pk)
    messages.info(request, f"已删除“{doc.original_name}”。")
    return redirect("extraction:index")


@require_GET
def document_file(request, pk):
    scope = _scope(request)
    doc = selectors.document_get(scope, pk)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name)
