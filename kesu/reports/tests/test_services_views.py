"""Storing, serving and comparing reports; office templates; scope; the report pack."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.reports import services
from kesu.reports.builders import kinds, templates
from kesu.reports.models import JobStatus, ReportTemplate, ReportVersion

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join(p.text for p in doc.paragraphs)


def _template_with(text: str) -> bytes:
    doc = Document(io.BytesIO(templates.builtin_template(kinds.ANNUAL_SUMMARY)))
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_generate_stores_a_version_with_its_data_state(regions, users, fixture_context):
    version = services.report_generate(actor=users["office"], region=regions["county"], period="2026",
                                       kind="年度工作总结", with_charts=False)
    assert version.number == 1 and version.title == "渠县2026年全民科学素质工作总结"
    assert version.data_state == "audit:1083" and version.created_by == users["office"]
    assert "举办农村实用技术培训1083期" in _docx_text(version.docx.read())
    assert AuditEvent.objects.filter(action="report.generate", object_id=str(version.pk)).exists()

    fixture_context["value"] = 1200  # the data changed
    again = services.report_regenerate(actor=users["office"], version=version)
    assert again.number == 2 and again.data_state == "audit:1200"
    assert "举办农村实用技术培训1200期" in again.text


def test_unknown_kind_and_bad_period_are_refused(regions, users, fixture_context):
    with pytest.raises(ApplicationError) as err:
        services.report_generate(actor=users["office"], region=regions["county"], period="2026", kind="年终总结")
    assert err.value.field == "kind" and "年终总结" in err.value.message
    with pytest.raises(ApplicationError) as err:
        services.report_generate(actor=users["office"], region=regions["county"], period="2026H1", kind="自查报告")
    assert err.value.field == "period"
    assert not ReportVersion.objects.exists()


def test_an_office_cannot_report_on_another_region(regions, users, fixture_context):
    with pytest.raises(PermissionDenied):
        services.report_generate(actor=users["office"], region=regions["other"], period="2026",
                                 kind=kinds.ANNUAL_SUMMARY)


def test_uploaded_template_is_used_and_a_broken_one_keeps_the_previous(regions, users, fixture_context):
    office, county = users["office"], regions["county"]
    good = services.template_upload(actor=office, region=county, kind=kinds.ANNUAL_SUMMARY, filename="我的模板.docx",
                                    data=_template_with("（联系人：{{ office_name }}）"))
    with pytest.raises(ApplicationError) as err:
        services.template_upload(actor=office, region=county, kind=kinds.ANNUAL_SUMMARY, filename="坏模板.docx",
                                 data=_template_with("{{ leader_name }}"))
    assert "leader_name" in err.value.message and err.value.field == "leader_name"
    with pytest.raises(ApplicationError) as err:
        services.template_upload(actor=office, region=county, kind=kinds.ANNUAL_SUMMARY, filename="坏模板.docx",
                                 data=_template_with("{{ date_cn }"))
    assert "{{ date_cn }" in err.value.message
    active = ReportTemplate.objects.get(region=county, kind=kinds.ANNUAL_SUMMARY, is_active=True)
    assert active == good
    version = services.report_generate(actor=office, region=county, period="2026", kind=kinds.ANNUAL_SUMMARY,
                                       with_charts=False)
    assert version.template == good
    assert "（联系人：示范县全民科学素质工作领导小组办公室）" in _docx_text(version.docx.read())  # the fixture's office


def test_a_viewer_cannot_upload_templates(regions, users):
    with pytest.raises(PermissionDenied):
        services.template_upload(actor=users["viewer"], region=regions["county"], kind=kinds.ANNUAL_SUMMARY,
                                 filename="a.docx", data=templates.builtin_template(kinds.ANNUAL_SUMMARY))


def test_not_a_docx_is_refused(regions, users):
    with pytest.raises(ApplicationError) as err:
        services.template_upload(actor=users["office"], region=regions["county"], kind=kinds.ANNUAL_SUMMARY,
                                 filename="模板.doc", data=b"old word")
    assert err.value.field == "file"


def test_county_inherits_the_prefecture_template(regions, users, fixture_context):
    services.template_upload(actor=users["city_office"], region=regions["city"], kind=kinds.SELF_CHECK,
                             filename="市模板.docx", data=_template_with("市统一模板"))
    assert services.active_template(regions["county"], kinds.SELF_CHECK).region == regions["city"]


def test_pack_generates_one_report_per_lower_region(regions, users, fixture_context):
    job = services.pack_create(actor=users["city_office"], region=regions["city"], period="2026",
                               kind=kinds.STATISTICS)
    job = services.pack_run(job.pk)
    assert job.status == JobStatus.DONE and (job.done, job.total) == (2, 2)
    names = zipfile.ZipFile(job.result.open("rb")).namelist()
    assert sorted(names) == ["宣汉县2026年全民科学素质工作统计报表.docx", "渠县2026年全民科学素质工作统计报表.docx"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after each task
def test_pack_is_queued_and_run_by_the_worker(client, regions, users, fixture_context,
                                               django_capture_on_commit_callbacks):
    client.login(username="city_office", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:pack_create"),
                               {"region": regions["city"].code, "period": "2026", "kind": kinds.STATISTICS})
    assert "排队中" in client.get(response.url).content.decode()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    page = client.get(response.url).content.decode()
    assert "共生成2份报告" in page


def test_pack_of_a_county_without_lower_regions_is_refused(regions, users):
    with pytest.raises(ApplicationError):
        services.pack_create(actor=users["office"], region=regions["county"], period="2026", kind=kinds.STATISTICS)


# -- pages ------------------------------------------------------------------------------------------------------


@pytest.fixture
def office_client(client, users):
    client.login(username="county_office", password=PASSWORD)
    return client


def test_generate_preview_download_and_compare(office_client, regions, fixture_context):
    response = office_client.post(reverse("reports:generate"),
                                  {"region": "511725", "period": "2026", "kind": kinds.ANNUAL_SUMMARY})
    version = ReportVersion.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:version_detail", args=[version.pk])
    page = office_client.get(response.url).content.decode()
    assert "渠县2026年全民科学素质工作总结" in page
    assert 'href="/collection/values/?indicator=TRN_FARMER_SESSIONS"' in page  # the figure links to its source
    docx = office_client.get(reverse("reports:download", args=[version.pk]) + "?format=docx")
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "1083期" in _docx_text(b"".join(docx.streaming_content) if docx.streaming else docx.content)
    md = office_client.get(reverse("reports:download", args=[version.pk]) + "?format=md").content.decode()
    assert md.startswith("# 渠县2026年全民科学素质工作总结")

    fixture_context["value"] = 1100
    assert "数据已有变化" in office_client.get(response.url).content.decode()
    office_client.post(reverse("reports:regenerate", args=[version.pk]))
    new = ReportVersion.objects.get(number=2)
    diff = office_client.get(reverse("reports:compare", args=[new.pk]), {"with": version.pk}).content.decode()
    assert "1083期" in diff and "1100期" in diff and 'class="remove"' in diff and 'class="add"' in diff


def test_pdf_unavailable_is_said_not_crashed(office_client, regions, fixture_context, monkeypatch):
    from kesu.reports import views

    office_client.post(reverse("reports:generate"), {"region": "511725", "period": "2026", "kind": kinds.STATISTICS})
    version = ReportVersion.objects.get()
    monkeypatch.setattr(views, "pdf_available", lambda: False)
    page = office_client.get(reverse("reports:version_detail", args=[version.pk])).content.decode()
    assert "PDF 不可用" in page
    response = office_client.get(reverse("reports:download", args=[version.pk]) + "?format=pdf", follow=True)
    assert "未安装 LibreOffice" in response.content.decode()


def test_bad_input_on_the_page_is_a_message(office_client, regions, fixture_context):
    response = office_client.post(reverse("reports:generate"),
                                  {"region": "511725", "period": "明年", "kind": kinds.ANNUAL_SUMMARY}, follow=True)
    assert "报告期“明年”格式不正确" in response.content.decode()
    assert not ReportVersion.objects.exists()


def test_broken_template_upload_on_the_page_names_the_field(office_client, regions):
    upload = io.BytesIO(_template_with("{{ mayor }}"))
    upload.name = "改过的模板.docx"
    response = office_client.post(reverse("reports:template_upload"),
                                  {"region": "511725", "kind": kinds.ANNUAL_SUMMARY, "file": upload}, follow=True)
    text = response.content.decode()
    assert "mayor" in text and "原模板继续使用" in text
    assert not ReportTemplate.objects.exists()


def test_other_offices_versions_are_out_of_reach(client, regions, users, fixture_context):
    version = services.report_generate(actor=users["office"], region=regions["county"], period="2026",
                                       kind=kinds.STATISTICS)
    client.login(username="other_office", password=PASSWORD)
    for name, args in (("reports:version_detail", [version.pk]), ("reports:download", [version.pk]),
                       ("reports:compare", [version.pk])):
        assert client.get(reverse(name, args=args)).status_code == 403
    assert version.title not in client.get(reverse("reports:index")).content.decode()


def test_menu_has_the_reports_entry(office_client):
    assert 'href="/reports/"' in office_client.get("/").content.decode()
