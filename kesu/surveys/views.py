"""Pages of the surveys app: create a round, upload its responses, map columns, screen, weight, see, accept."""

import io
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.core.uploads import size_text

from . import selectors, services
from .core.instrument import InstrumentError, builtin_definitions
from .core.itembank import definition_from_excel, template_rows
from .core.reading import MAX_BYTES, ResponseFileError
from .core.screening import RULE_LABELS, ScreenSettings
from .models import RoundStatus

MARGIN_VARIABLES = ("sex", "age_group", "education", "urban")


@require_GET
def index(request):
    scope = Scope.for_user(request.user)
    return render(request, "surveys/index.html", {
        "rounds": selectors.rounds_for(scope)[:200],
        "questionnaires": selectors.questionnaires_for(scope) if scope.can_manage else [],
        "builtins": builtin_definitions(), "regions": selectors.managed_regions(scope),
        "default_region": scope.region_id, "can_manage": scope.can_manage,
        "published": selectors.published_figures_for(scope)[:200], "areas": selectors.area_choices(scope)})


@require_POST
def published_record(request):
    """The small form of a result published from above: area, indicator, year, ratio, publisher, date, link."""
    from datetime import date

    scope = Scope.for_user(request.user)
    scope.require(scope.can_manage and not scope.is_admin)
    post = request.POST
    try:
        area = selectors.area_choice(scope, post.get("area", ""))
        try:
            published_on = date.fromisoformat(post.get("published_on", "").strip())
        except ValueError:
            raise ApplicationError(f"发布日期“{post.get('published_on', '')}”应为 年-月-日（如 2025-05-29）。",
                                   field="published_on") from None
        figure = services.published_figure_record(
            actor=request.user, area=area, indicator_code=post.get("indicator", services.HEADLINE_INDICATOR),
            year=post.get("year", ""), value=post.get("value", ""), publisher=post.get("publisher", ""),
            published_on=published_on, link=post.get("link", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        written = f"，并已写入{figure.area_name}{figure.year}年的指标数据" if figure.written else "，作为对照序列显示"
        messages.success(request, f"已录入{figure}{written}。")
    return redirect("surveys:index")


@require_POST
def create(request):
    scope = Scope.for_user(request.user)
    scope.require(scope.can_manage)
    try:
        if not request.POST.get("region"):
            raise ApplicationError("请选择调查区域。", field="region")
        region = selectors.managed_region(scope, request.POST.get("region"))
        choice = request.POST.get("questionnaire", "")
        if choice.startswith("builtin:"):
            questionnaire = services.questionnaire_create(actor=request.user, region=region, builtin=choice[8:])
        else:
            questionnaire = selectors.questionnaire_for(scope, choice)
        year = request.POST.get("year", "")
        if not year.isdigit():
            raise ApplicationError("请填写调查年度（四位数字）。", field="year")
        survey = services.survey_round_create(actor=request.user, region=region, year=int(year),
                                              questionnaire=questionnaire, title=request.POST.get("title", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:index")
    messages.success(request, f"已创建“{survey.title}”，请上传答卷文件。")
    return redirect("surveys:detail", pk=survey.pk)


@require_POST
def questionnaire_import(request):
    """An office's own item bank from Excel, scored by the scheme it chooses."""
    scope = Scope.for_user(request.user)
    scope.require(scope.can_manage)
    uploaded = request.FILES.get("file")
    try:
        if not request.POST.get("region"):
            raise ApplicationError("请选择问卷所属区域。", field="region")
        region = selectors.managed_region(scope, request.POST.get("region"))
        if uploaded is None:
            raise ApplicationError("请选择题库文件（.xlsx）。", field="file")
        if uploaded.size > 5 * 1024 * 1024:
            raise ApplicationError("题库文件超过 5 MB。", field="file")
        name = request.POST.get("name", "").strip() or uploaded.name.rsplit(".", 1)[0]
        kind = request.POST.get("kind", "points")
        # one field: the total to exceed (总分分档) or the share of each dimension's points to reach (各维度均达标)
        threshold = _number(request.POST.get("threshold", ""), "分数线") or (70 if kind == "points" else 60)
        try:
            definition = definition_from_excel(uploaded.read(), name=name, kind=kind, literate_above=threshold,
                                               dimension_share=threshold / 100)
        except InstrumentError as exc:
            raise ApplicationError(str(exc), field="file") from None
        questionnaire = services.questionnaire_create(actor=request.user, region=region, definition=definition)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已导入问卷“{questionnaire.name}”，共 {len(definition['items'])} 题。")
    return redirect("surveys:index")


@require_GET
def itembank_template(request):
    """The shipped 2024 sample questionnaire as an item-bank workbook, to be edited and loaded back."""
    from openpyxl import Workbook

    Scope.for_user(request.user)
    book = Workbook()
    book.active.title = "题库"
    for row in template_rows(builtin_definitions()["literacy-2024"]):
        book.active.append(row)
    book.active.column_dimensions["C"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote("科学素质调查题库模板.xlsx")
    return response


@require_GET
def detail(request, pk):
    scope = Scope.for_user(request.user)
    survey = selectors.round_for(scope, pk)
    context = {"survey": survey, "can_manage": scope.manages_region(survey.region),
               "max_size": size_text(MAX_BYTES), "rule_labels": RULE_LABELS,
               "settings": ScreenSettings.from_dict(survey.screening), **selectors.estimate_table(survey)}
    if context["can_manage"] and survey.status != RoundStatus.ACCEPTED:
        try:
            context.update(selectors.file_columns(survey))
        except ResponseFileError as exc:
            messages.error(request, "\n".join(exc.messages))
        context["margin_rows"] = _margin_rows(survey, context["groups"])
    context["counts"] = [(RULE_LABELS[k], v) for k, v in survey.exclusion_counts.items()]
    return render(request, "surveys/detail.html", context)


def _margin_rows(survey, groups) -> list[dict]:
    """One row per category seen in the sample, with the population the office entered for it."""
    rows = []
    by_label = dict(groups)
    for variable in MARGIN_VARIABLES:
        label = services.GROUPS[variable]
        for estimate in by_label.get(label, []):
            rows.append({"variable": variable, "label": label, "level": estimate.level,
                         "value": (survey.margins.get(variable) or {}).get(estimate.level, "")})
    return rows


@require_GET
def report(request, pk):
    """The 调查分析报告 (DOCX) of a computed round."""
    from .report import build_report

    scope = Scope.for_user(request.user)
    survey = selectors.round_for(scope, pk)
    if survey.status == RoundStatus.DRAFT or not survey.estimates.exists():
        messages.error(request, "请先完成计算，再下载调查分析报告。")
        return redirect("surveys:detail", pk=survey.pk)
    data = selectors.report_data(survey)
    response = HttpResponse(build_report(data), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(f"{data['title']}.docx")
    return response


@require_POST
def upload(request, pk):
    scope = Scope.for_user(request.user)
    survey = selectors.round_for(scope, pk)
    scope.require(scope.manages_region(survey.region))
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise ApplicationError("请选择要上传的答卷文件。", field="file")
        if uploaded.size > MAX_BYTES:
            raise ApplicationError(f"文件超过 {size_text(MAX_BYTES)}，请分批上传。", field="file")
        services.survey_file_upload(actor=request.user, survey=survey, name=uploaded.name, data=uploaded.read())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已上传“{survey.original_name}”，共 {survey.rows:,} 份答卷。请核对列对应后计算。")
    return redirect("surveys:detail", pk=survey.pk)


@require_POST
def analyse(request, pk):
    scope = Scope.for_user(request.user)
    survey = selectors.round_for(scope, pk)
    scope.require(scope.manages_region(survey.region))
    post = request.POST
    try:
        mapping = {post[k]: post.get(f"target-{k[7:]}", "") for k in post if k.startswith("header-")}
        services.survey_round_analyse(actor=request.user, survey=survey, mapping=mapping,
                                      screening=_screening(post), margins=_margins(post),
                                      trim_ratio=_number(post.get("trim_ratio", ""), "权重截尾倍数") or None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已计算：有效样本 {survey.kept:,} 份（共 {survey.rows:,} 份）。")
    return redirect("surveys:detail", pk=survey.pk)


def _number(raw: str, label: str) -> float | None:
    raw = raw.replace(",", "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ApplicationError(f"“{label}”应为数字（填写了“{raw}”）。") from None


def _screening(post) -> dict:
    settings = {rule: post.get(f"rule-{rule}") == "on" for rule in RULE_LABELS}
    for key, label in (("min_age", "最小年龄"), ("max_age", "最大年龄"), ("min_seconds", "最短答题时间")):
        value = _number(post.get(key, ""), label)
        if value is not None:
            settings[key] = value
    return settings


def _margins(post) -> dict:
    """margin-<variable>-<category> fields; a variable is used only when every category has a population."""
    found: dict[str, dict[str, float]] = {}
    blank: set[str] = set()
    for key in post:
        if not key.startswith("margin-"):
            continue
        variable, level = key[7:].split("-", 1)
        value = _number(post[key], f"{services.GROUPS.get(variable, variable)}“{level}”的人口数")
        if value is None:
            blank.add(variable)
        else:
            found.setdefault(variable, {})[level] = value
    return {v: levels for v, levels in found.items() if v not in blank}


@require_POST
def accept(request, pk):
    scope = Scope.for_user(request.user)
    survey = selectors.round_for(scope, pk)
    scope.require(scope.manages_region(survey.region))
    try:
        services.survey_round_accept(actor=request.user, survey=survey)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已采用：{survey.year}年{survey.region.name}公民具备科学素质的比例已写入填报数据。")
    return redirect("surveys:detail", pk=survey.pk)
