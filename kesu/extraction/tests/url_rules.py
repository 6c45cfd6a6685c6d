"""Access rules of the extraction URLs for the project-wide URL walk (tests/test_url_walk.py).

Old reports are the offices' working material: fillers and viewers do not open them; an office sees the documents
of its subtree only (another county's office gets 404).
"""

from django.urls import reverse

OFFICES = {"office_x", "office_y", "office_p", "admin"}
MANAGE_X = {"office_x", "office_p", "admin"}
REPORT = "渠县2023年工作总结\n一、农民培训\n全年培训农民3500人次。\n"


def _document(o: dict):
    from kesu.accounts.models import User
    from kesu.extraction.models import SourceDocument
    from kesu.extraction.services import document_upload

    existing = SourceDocument.objects.filter(region=o["county_x"]).first()
    if existing:
        return existing
    from kesu.extraction.processing import process

    document = document_upload(actor=User.objects.get(username="office_x"), region=o["county_x"], name="walk.txt",
                               data=REPORT.encode()).created[0]
    process(document.pk)  # what the worker does (the walk's task backend only queues)
    return document


def _fact(o: dict):
    return _document(o).facts.order_by("start").first()


def _report(o: dict):
    return _document(o).reports.order_by("index").first()


def _e(name, target):
    return lambda o: reverse(f"extraction:{name}", args=[target(o).pk])


RULES = {
    "extraction:index": (None, OFFICES, set()),
    "extraction:upload": (None, None, OFFICES),
    "extraction:document": (_e("document", _document), MANAGE_X, set()),
    "extraction:document_file": (_e("document_file", _document), MANAGE_X, set()),
    "extraction:bulk_accept": (_e("bulk_accept", _document), None, MANAGE_X),
    "extraction:document_retry": (_e("document_retry", _document), None, MANAGE_X),
    "extraction:document_delete": (_e("document_delete", _document), None, MANAGE_X),
    "extraction:report_confirm": (_e("report_confirm", _report), None, MANAGE_X),
    "extraction:fact": (_e("fact", _fact), MANAGE_X, set()),
    "extraction:fact_accept": (_e("fact_accept", _fact), None, MANAGE_X),
    "extraction:fact_ignore": (_e("fact_ignore", _fact), None, MANAGE_X),
}
