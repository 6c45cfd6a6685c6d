"""Uploading old reports: every format, zips, limits, refusals, re-uploads, and the stored facts' offsets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.extraction import services
from kesu.extraction.models import DocumentStatus, SourceDocument

from .conftest import REPORT, REPORT_AGAIN, docx_bytes, html_bytes, pdf_bytes, zip_bytes


def _upload(client, user, name, data, region):
    client.force_login(user)
    return client.post(reverse("extraction:upload"), {"file": SimpleUploadedFile(name, data), "region": region.pk},
                       follow=True)


def _numbers(doc):
    return {f.text: f for f in doc.facts.all()}


@pytest.mark.parametrize("name,builder,kind", [
    ("总结.txt", lambda t: t.encode("utf-8"), "txt"),
    ("总结-gbk.txt", lambda t: t.encode("gb18030"), "txt"),
    ("总结.docx", docx_bytes, "docx"),
    ("总结.html", html_bytes, "html"),
    ("总结.pdf", pdf_bytes, "pdf"),
])
@pytest.mark.django_db
def test_upload_each_format_stores_original_and_facts(client, world, name, builder, kind):
    data = builder(REPORT)
    response = _upload(client, world.office, name, data, world.county)
    doc = SourceDocument.objects.get()
    assert response.redirect_chain[-1][0] == reverse("extraction:document", args=[doc.pk])
    assert doc.kind == kind and doc.status == DocumentStatus.DONE
    with doc.file.open("rb") as fh:
        assert fh.read() == data  # the original bytes are kept
    import hashlib
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    facts = _numbers(doc)
    assert {"120期", "3500人次", "86.5万元"} <= set(facts)
    for fact in doc.facts.all():
        assert doc.text[fact.start:fact.end] == fact.text  # offsets slice the stored text
    assert facts["3500人次"].indicator == world.ind["TRN_FARMER_P"]
    assert facts["86.5万元"].mapped_value == pytest.approx(86.5)
    assert "一、农民科学素质提升" in facts["120期"].section
    assert "找到" in response.content.decode()
    assert AuditEvent.objects.filter(action="upload", object_type="extraction.sourcedocument").exists()


@pytest.mark.django_db
def test_txt_offsets_slice_the_original_file(client, world):
    data = ("【打印本页】\n" + REPORT).encode()
    _upload(client, world.office, "a.txt", data, world.county)
    doc = SourceDocument.objects.get()
    original = data.decode()
    fact = doc.facts.get(text="3500人次")
    assert original[fact.start:fact.end] == "3500人次"


@pytest.mark.django_db
def test_zip_of_reports_uploads_each_and_skips_non_documents(client, world):
    data = zip_bytes({"2023/总结.txt": REPORT.encode(), "2023/总结.docx": docx_bytes(REPORT.replace("120期", "130期")),
                      "照片.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "__MACOSX/._x": b"junk"})
    response = _upload(client, world.office, "历年总结.zip", data, world.county)
    page = response.content.decode()
    docs = SourceDocument.objects.order_by("original_name")
    assert [d.original_name for d in docs] == ["总结.docx", "总结.txt"]
    assert {d.batch for d in docs} == {"历年总结.zip"}
    assert "已跳过" in page and "照片.png" in page and "图片" in page


@pytest.mark.django_db
def test_non_document_refused_in_chinese(client, world):
    response = _upload(client, world.office, "report.txt", b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 200, world.county)
    assert "不是可读取的报告文档" in response.content.decode()
    assert not SourceDocument.objects.exists()
    response = _upload(client, world.office, "report.docx", bytes(range(256)) * 4, world.county)
    assert "不是可读取的报告文档" in response.content.decode()
    assert not SourceDocument.objects.exists()


@pytest.mark.django_db
def test_name_is_not_trusted_content_is(client, world):
    _upload(client, world.office, "看起来像图片.jpg", REPORT.encode(), world.county)
    assert SourceDocument.objects.get().kind == "txt"


@pytest.mark.django_db
def test_file_size_limit(client, world, settings):
    settings.KESU_EXTRACTION_MAX_BYTES = 100
    response = _upload(client, world.office, "大.txt", REPORT.encode(), world.county)
    assert "过大" in response.content.decode() and "不能超过" in response.content.decode()
    assert not SourceDocument.objects.exists()


@pytest.mark.django_db
def test_zip_entry_count_limit(client, world, settings):
    settings.KESU_EXTRACTION_ZIP_MAX_ENTRIES = 2
    data = zip_bytes({f"{i}.txt": REPORT.encode() for i in range(3)})
    response = _upload(client, world.office, "多.zip", data, world.county)
    assert "包含 3 个文件，超过 2 个的上限" in response.content.decode()
    assert not SourceDocument.objects.exists()


@pytest.mark.django_db
def test_zip_uncompressed_size_checked_before_extracting(world, settings, monkeypatch):
    """A bomb is refused from the directory: nothing is inflated."""
    settings.KESU_EXTRACTION_ZIP_MAX_UNCOMPRESSED = 50_000
    data = zip_bytes({"a.txt": b"0" * 40_000, "b.txt": b"0" * 40_000})
    import zipfile
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: opened.append(a) or (_ for _ in ()).throw(AssertionError))
    with pytest.raises(ApplicationError, match="解压后共 .*超过"):
        services.document_upload(actor=world.office, region=world.county, name="炸弹.zip", data=data)
    assert not opened and not SourceDocument.objects.exists()


@pytest.mark.django_db
def test_reupload_of_same_file_is_recognised(client, world):
    _upload(client, world.office, "总结.txt", REPORT.encode(), world.county)
    first = SourceDocument.objects.get()
    response = _upload(client, world.office, "改了名字.txt", REPORT.encode(), world.county)
    page = response.content.decode()
    assert SourceDocument.objects.count() == 1
    assert f"文档#{first.pk}" in page and "内容完全相同" in page and "未重复保存" in page
    assert response.redirect_chain[-1][0] == reverse("extraction:document", args=[first.pk])


@pytest.mark.django_db
def test_near_duplicate_is_flagged_with_the_differing_passages(client, world):
    _upload(client, world.office, "2023总结.txt", REPORT.encode(), world.county)
    first = SourceDocument.objects.get()
    response = _upload(client, world.office, "2023总结（修改稿）.docx", docx_bytes(REPORT_AGAIN), world.county)
    second = SourceDocument.objects.exclude(pk=first.pk).get()
    assert second.duplicate_of == first and second.duplicate_score >= 0.8
    page = response.content.decode()
    assert "高度相似" in page and f"文档#{first.pk}" in page
    assert any("9000余份" in d["this"] and "8000余份" in d["earlier"] for d in second.differences)
    assert 'id="duplicate"' in page and "9000余份" in page


@pytest.mark.django_db
def test_every_upload_is_extracted_by_the_worker_not_in_the_request(client, world, settings):
    from kesu.extraction import processing

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    response = _upload(client, world.office, "小文件.txt", REPORT.encode(), world.county)
    doc = SourceDocument.objects.get()
    assert doc.status == DocumentStatus.PENDING and not doc.facts.exists()  # nothing read in the request
    assert "已转入后台提取" in response.content.decode()
    processing.process(doc.pk)  # what the worker runs
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE and doc.facts.filter(text="3500人次").exists()


@pytest.mark.django_db
def test_scanned_pdf_without_text_layer_fails_plainly(world):
    import matplotlib
    matplotlib.use("Agg")
    import io

    import matplotlib.pyplot as plt
    buf = io.BytesIO()
    plt.figure().savefig(buf, format="pdf")
    outcome = services.document_upload(actor=world.office, region=world.county, name="扫描件.pdf", data=buf.getvalue())
    doc = outcome.created[0]
    assert doc.status == DocumentStatus.FAILED and "没有文字层" in doc.error


@pytest.mark.django_db
def test_office_of_another_county_cannot_upload_for_it_or_see_it(client, world):
    response = _upload(client, world.office_y, "总结.txt", REPORT.encode(), world.county)
    assert not SourceDocument.objects.exists()
    _upload(client, world.office, "总结.txt", REPORT.encode(), world.county)
    doc = SourceDocument.objects.get()
    fact = doc.facts.first()
    client.force_login(world.office_y)
    assert client.get(reverse("extraction:document", args=[doc.pk])).status_code == 404
    assert client.get(reverse("extraction:document_file", args=[doc.pk])).status_code == 404
    assert client.get(reverse("extraction:fact", args=[fact.pk])).status_code == 404
    assert client.post(reverse("extraction:fact_accept", args=[fact.pk]), {}).status_code == 404
    assert doc.original_name not in client.get(reverse("extraction:index")).content.decode()
    # The same file uploaded by the other county is new to it: nothing about county X's copy is revealed.
    response = _upload(client, world.office_y, "总结.txt", REPORT.encode(), world.other)
    assert "内容完全相同" not in response.content.decode()
    assert SourceDocument.objects.filter(region=world.other).count() == 1
    client.force_login(world.filler)
    assert client.get(reverse("extraction:index")).status_code == 403
