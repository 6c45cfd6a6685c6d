"""Test data shared by the test suites: the apps' tests under ``kesu/`` and the cross-app tests in ``tests/``.

Imported by tests only. It lives in the package (not in ``tests/``) because the app tests import it too.
"""

import os
from pathlib import Path

from kesu.regions.models import Region

# A folder for a full-page screenshot of each step the browser tests take, to look at the pages; unset, none is kept.
SCREENSHOTS_ENV = "KESU_SCREENSHOTS"


def screenshot(page, name: str) -> None:
    """Keep a full-page screenshot ``<name>.png`` of a browser test's page in $KESU_SCREENSHOTS, when it is set."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name.removesuffix('.png')}.png"), full_page=True)


def make_region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    """A region with its materialized path and depth, as the region services would store it."""
    path = f"{parent.path if parent else ''}{code}/"
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path,
                                 depth=parent.depth + 1 if parent else 0)


def make_world() -> dict:
    """The world of the cross-app tests: ``{"objects": {name: row}, "users": {role: User}}``.

    Counties X and Y of prefecture P with units, a 领导小组, a plan and a task, and report files (written under
    MEDIA_ROOT); an account for each of the seven signed-in roles: 填报员 of units A and B of county X, offices of X,
    of its sibling county Y and of their prefecture P, the 查看 of X and the 系统管理员.
    """
    from kesu.accounts.models import Role, User
    from kesu.orgs.models import BodyPost, ContactPerson, CoordinationBody, PostKind, Unit, UnitKind
    from kesu.plans.loader import load_builtin
    from kesu.plans.models import Framework, Plan, Task, TaskRole, TaskUnit
    from kesu.regions.models import Level

    load_builtin()
    province = make_region("510000", "四川省", Level.PROVINCE)
    prefecture = make_region("511700", "达州市", Level.PREFECTURE, province)
    county_x = make_region("511725", "渠县", Level.COUNTY, prefecture)
    county_y = make_region("511722", "宣汉县", Level.COUNTY, prefecture)
    township_x = make_region("511725100", "渠江街道", Level.TOWNSHIP, county_x)
    unit_a = Unit.objects.create(region=county_x, name="渠县教育局", kind=UnitKind.EDUCATION)
    unit_b = Unit.objects.create(region=county_x, name="渠县农业农村局", kind=UnitKind.AGRICULTURE)
    unit_c = Unit.objects.create(region=county_y, name="宣汉县教育局", kind=UnitKind.EDUCATION)
    body_x = CoordinationBody.objects.create(region=county_x, name="渠县全民科学素质工作领导小组")
    post_x = BodyPost.objects.create(body=body_x, post=PostKind.LEADER, person_name="张三")
    contact_a = ContactPerson.objects.create(unit=unit_a, name="李四", is_liaison=True)
    framework = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    plan_x = Plan.objects.create(region=county_x, framework=framework, title="渠县实施方案", start_year=2021,
                                 end_year=2025)
    task_x = Task.objects.create(plan=plan_x, title="开展农村实用技术培训", number="A2.1")
    TaskUnit.objects.create(task=task_x, unit=unit_b, role=TaskRole.LEAD)
    users = {
        "filler_a": dict(role=Role.FILLER, unit=unit_a),
        "filler_b": dict(role=Role.FILLER, unit=unit_b),
        "office_x": dict(role=Role.OFFICE, region=county_x),
        "office_y": dict(role=Role.OFFICE, region=county_y),
        "office_p": dict(role=Role.OFFICE, region=prefecture),
        "viewer_x": dict(role=Role.VIEWER, region=county_x),
        "admin": dict(role=Role.ADMIN, is_superuser=True, is_staff=True),
    }
    accounts = {name: User.objects.create_user(username=name, password="walk-pass-123", **fields)
                for name, fields in users.items()}
    objects = dict(county_x=county_x, township_x=township_x, unit_a=unit_a, unit_c=unit_c, contact_a=contact_a,
                   post_x=post_x, plan_x=plan_x, task_x=task_x, framework=framework,
                   **_make_reports(county_x, prefecture))
    return {"objects": objects, "users": accounts}


def _make_reports(county_x, prefecture) -> dict:
    """A stored report version and template of county X, and a finished report pack of prefecture P."""
    from django.core.files.base import ContentFile

    from kesu.reports.builders import kinds, templates
    from kesu.reports.models import JobStatus, ReportJob, ReportTemplate, ReportVersion

    version = ReportVersion(region=county_x, period_id="2025", kind=kinds.STATISTICS, number=1,
                            title="渠县2025年全民科学素质工作统计报表", text="渠县\n", data_state="audit:0")
    version.docx.save("v.docx", ContentFile(templates.builtin_template(kinds.STATISTICS)), save=False)
    version.save()
    template = ReportTemplate(region=county_x, kind=kinds.SELF_CHECK, original_name="模板.docx")
    template.file.save("t.docx", ContentFile(templates.builtin_template(kinds.SELF_CHECK)), save=False)
    template.save()
    job = ReportJob(region=prefecture, period_id="2025", kind=kinds.STATISTICS, status=JobStatus.DONE, total=2,
                    done=2)
    job.result.save("pack.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    job.save()
    return {"version_x": version, "template_x": template, "job_p": job}
