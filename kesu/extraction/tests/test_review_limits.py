"""Bounded cost of every old-report upload: content bounds refused at upload, CPU and memory limits on the worker's
child process, failures that say why and can be retried or deleted, and clear messages for encrypted and UTF-16 files.

The hostile files are generated here, small: the limits are lowered for the test so that each costs well under a
second or two.
"""

import io
import zipfile
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.extraction import services
from kesu.extraction.models import DocumentStatus, SourceDocument

from .conftest import REPORT, docx_bytes


def _upload(client, user, name, data, region):
    client.force_login(user)
    return client.post(reverse("extraction:upload"), {"file": SimpleUploadedFile(name, data), "region": region.pk},
                       follow=True)


def _docx_with_body(xml_body: bytes) -> bytes:
    """A real .docx whose document.xml is replaced by ``xml_body`` (the zip stays valid)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes("标题")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = xml_body if info.filename == "word/document.xml" else source.read(info)
            zf.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.django_db
def test_docx_with_too_many_paragraphs_is_refused_before_reading(client, world, settings):
    settings.KESU_EXTRACTION_MAX_LINES = 2000
    body = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body>" + b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 24000 + b"</w:body></w:document>")
    data = _docx_with_body(body)
    assert len(data) < 64_000  # a few tens of KB on the wire (most of it python-docx's template)
    page = _upload(client, world.office, "段落炸弹.docx", data, world.county).content.decode()
    assert "共有 24,000 个段落，超过 2,000 个的上限" in page
    assert not SourceDocument.objects.exists()


@pytest.mark.django_db
def test_docx_that_inflates_past_the_cap_is_refused(world, settings):
    settings.KESU_EXTRACTION_MAX_INFLATED = 1024 * 1024
    data = _docx_with_body(b"<w:document>" + b" " * (3 * 1024 * 1024) + b"</w:document>")
    assert len(data) < 64_000
    with pytest.raises(ApplicationError, match="解压后.*超过.*上限"):
        services.document_upload(actor=world.office, region=world.county, name="膨胀.docx", data=data)


@pytest.mark.django_db
def test_pdf_with_a_stream_that_inflates_past_the_cap_is_refused(world, settings):
    settings.KESU_EXTRACTION_MAX_INFLATED = 1024 * 1024
    stream = zlib.compress(b"0 0 m " * 1_000_000, 9)  # 6 MB of drawing commands in a few KB
    data = (b"%PDF-1.4\n1 0 obj << /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + stream + b"\nendstream\nendobj\ntrailer << >>\n%%EOF\n")
    with pytest.raises(ApplicationError, match="数据流解压后超过 1.0 MB 的上限"):
        services.document_upload(actor=world.office, region=world.county, name="流炸弹.pdf", data=data)


@pytest.mark.django_db
def test_text_with_too_many_lines_is_refused(world, settings):
    settings.KESU_EXTRACTION_MAX_LINES = 1000
    with pytest.raises(ApplicationError, match="共有 5,000 行"):
        services.document_upload(actor=world.office, region=world.county, name="短行.txt", data=b"a\n" * 4999 + b"a")


DENSE = "全县培训农民3500人次，发放资料8000份，" * 60000  # 1.3 M characters of figures: seconds of work


@pytest.mark.django_db
def test_cpu_limit_ends_the_document_as_failed_with_a_reason(client, world, settings):
    settings.KESU_EXTRACTION_CPU_SECONDS = 1
    page = _upload(client, world.office, "费时.txt", DENSE.encode(), world.county).content.decode()
    doc = SourceDocument.objects.get()
    assert doc.status == DocumentStatus.FAILED and "CPU 时间的上限" in doc.error
    assert "重新提取" in page and "删除" in page and "CPU 时间的上限" in page


@pytest.mark.django_db
def test_memory_limit_ends_the_document_as_failed_with_a_reason(world, settings):
    settings.KESU_EXTRACTION_MEMORY_MB = 96
    doc = services.document_upload(actor=world.office, region=world.county, name="费内存.txt",
                                   data=DENSE.encode()).created[0]
    assert doc.status == DocumentStatus.FAILED and "内存超过 96 MB 的上限" in doc.error


@pytest.mark.django_db
def test_a_document_whose_worker_died_can_be_retried_and_then_succeeds(client, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nobody runs it
    doc = services.document_upload(actor=world.office, region=world.county, name="a.txt",
                                   data=REPORT.encode()).created[0]
    SourceDocument.objects.filter(pk=doc.pk).update(status=DocumentStatus.PROCESSING,
                                                    updated_at=timezone.now() - timedelta(hours=2))
    client.force_login(world.office)
    page = client.get(reverse("extraction:document", args=[doc.pk])).content.decode()
    assert "提取已中断" in page and 'http-equiv="refresh"' not in page
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.post(reverse("extraction:document_retry", args=[doc.pk]))
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DONE and doc.facts.filter(text="3500人次").exists()
    assert AuditEvent.objects.filter(action="retry", object_id=str(doc.pk)).exists()


@pytest.mark.django_db
def test_retry_of_a_running_document_is_refused(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    doc = services.document_upload(actor=world.office, region=world.county, name="a.txt",
                                   data=REPORT.encode()).created[0]
    with pytest.raises(ApplicationError, match="无需重新提取"):
        services.document_retry(actor=world.office, document=doc)


@pytest.mark.django_db
def test_delete_removes_the_document_and_its_file_but_not_once_facts_are_accepted(client, world):
    doc = services.document_upload(actor=world.office, region=world.county, name="a.txt",
                                   data=REPORT.encode()).created[0]
    stored = doc.file.path
    client.force_login(world.office_y)
    assert client.post(reverse("extraction:document_delete", args=[doc.pk])).status_code == 404
    client.force_login(world.office)
    client.post(reverse("extraction:document_delete", args=[doc.pk]))
    assert not SourceDocument.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="extraction.sourcedocument").exists()
    import os
    assert os.path.exists(stored)  # removed on commit; the test's transaction never commits

    doc = services.document_upload(actor=world.office, region=world.county, name="b.txt",
                                   data=REPORT.encode()).created[0]
    services.report_confirm(actor=world.office, report=doc.reports.get(), region=world.county, year_first="2023")
    services.fact_accept(actor=world.office, fact=doc.facts.get(text="3500人次"), region=world.county, period="2023",
                         indicator=world.ind["TRN_FARMER_P"])
    with pytest.raises(ApplicationError, match="已有 1 条数据被采用，不能删除"):
        services.document_delete(actor=world.office, document=doc)


def test_password_protected_docx_is_named_as_such():
    from kesu.extraction import intake

    # Word stores an encrypted .docx as an OLE compound file holding an "EncryptedPackage" stream.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    with pytest.raises(ApplicationError, match="设置了打开密码"):
        intake.sniff(data, "加密.docx")


def test_zip_encrypted_docx_is_named_as_such():
    from kesu.extraction import intake

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", b"\x00" * 32)
    data = bytearray(buf.getvalue())
    # Set the "encrypted" bit a zip tool sets when a password is given, in the local and the central header.
    data[6] |= 0x1
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(ApplicationError, match="加密的压缩文件"):
        intake.sniff(bytes(data), "加密.docx")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.django_db
def test_utf16_text_is_read(world, encoding):
    doc = services.document_upload(actor=world.office, region=world.county, name="记事本.txt",
                                   data=REPORT.encode(encoding)).created[0]
    assert doc.status == DocumentStatus.DONE
    assert doc.facts.filter(text="3500人次").exists()
