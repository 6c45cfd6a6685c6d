"""Reads of the reports app; every function takes the user's Scope."""

import difflib

from django.shortcuts import get_object_or_404

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.regions.models import Region

from .builders import kinds
from .models import ReportJob, ReportTemplate, ReportVersion


def regions_for(scope: Scope):
    """The regions a report can be written for: the scope's subtree down to counties, root first."""
    rows = scope.regions(Region.objects.all()) if not scope.is_filler else Region.objects.filter(pk=scope.region_id)
    return rows.filter(level__lte=3).order_by("path")


def region_get(scope: Scope, code: str) -> Region:
    """A region by its code (511725) or, from links that carry it, its id; a missing one is an ApplicationError."""
    code = (code or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is None and code.isdigit() and len(code) < 6:
        region = Region.objects.filter(pk=int(code)).first()
    if region is None:
        raise ApplicationError(f"区域“{code}”不存在，请选择区域。" if code else "请选择区域。", field="region")
    scope.require(scope.sees_region(region))
    return region


def versions(scope: Scope, *, region: Region | None = None, period_id: str = "", kind: str = ""):
    rows = ReportVersion.objects.filter(scope.region_q("region__")).select_related("region", "created_by")
    if region is not None:
        rows = rows.filter(region=region)
    if period_id:
        rows = rows.filter(period_id=period_id)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def version_get(scope: Scope, pk: int) -> ReportVersion:
    version = get_object_or_404(ReportVersion.objects.select_related("region", "created_by", "template"), pk=pk)
    scope.require(scope.sees_region(version.region))
    return version


def siblings(version: ReportVersion):
    """The other versions of the same region, period and kind, newest first."""
    return ReportVersion.objects.filter(region=version.region, period_id=version.period_id,
                                        kind=version.kind).exclude(pk=version.pk).order_by("-number")


def diff_lines(old: ReportVersion, new: ReportVersion) -> list[tuple[str, str]]:
    """A unified diff of two versions' text as (kind, line): kind is add, remove, hunk or same."""
    out = []
    for line in difflib.unified_diff(old.text.splitlines(), new.text.splitlines(),
                                     f"第{old.number}版", f"第{new.number}版", lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line[1:] if kind != "hunk" else "……"))
    return out


def templates_for(scope: Scope, region: Region) -> list[dict]:
    """One row per report kind: the template in force for ``region`` (its own, an ancestor's or the built-in)."""
    from .services import active_template

    rows = []
    for value, label, _ in kinds.KINDS:
        template = active_template(region, value)
        rows.append({"kind": value, "label": label, "template": template,
                     "own": template is not None and template.region_id == region.pk})
    return rows


def template_get(scope: Scope, pk: int) -> ReportTemplate:
    template = get_object_or_404(ReportTemplate.objects.select_related("region"), pk=pk)
    scope.require(scope.sees_region_or_ancestor(template.region))
    return template


def jobs(scope: Scope):
    return ReportJob.objects.filter(scope.region_q("region__")).select_related("region")[:10]


def job_get(scope: Scope, pk: int) -> ReportJob:
    job = get_object_or_404(ReportJob.objects.select_related("region"), pk=pk)
    scope.require(scope.sees_region(job.region))
    return job
