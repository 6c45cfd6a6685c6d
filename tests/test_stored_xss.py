"""Stored XSS: a script or an attribute break-out saved in every free-text field is shown as text on every page.

The URL walk's fixtures are built, every text field of every stored row (names, titles, narratives, notes,
document text, report titles and text …) is overwritten with a payload, and every page the walk knows is opened as
an office and as the administrator. No HTML answer may carry a payload unescaped. Forms must carry a CSRF token.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

import kesu
from kesu.collection.models import Narrative

from .test_url_walk import RULES, sign_in, url_of

SCRIPT = "<script>alert('xss')</script>"
ATTRIBUTE = "\"><img src=x onerror=alert(2)>"
PAYLOAD = f"恶意{SCRIPT}{ATTRIBUTE}'"
RAW = ["<script>alert('xss')", "<img src=x onerror"]
# Identifiers and machine fields: they are checked on input (codes, periods, choices) and are not free text.
NOT_FREE_TEXT = {"code", "path", "period_id", "username", "password", "token_hash", "prefix", "mark", "sha256",
                 "content_hash", "data_state", "external_key", "key", "email", "phone", "content_type", "period",
                 "first_name", "last_name", "number", "extension", "lookup", "fingerprint"}
# Generated output, never typed by a user: the report builders write it from escaped text (tested below by
# generating a report from the poisoned rows).
GENERATED = {("reports.reportversion", "html"), ("reports.reportversion", "markdown"),
             ("reports.reportversion", "text")}


def _free_text_fields(model):
    for field in model._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices and \
                not isinstance(field, (models.FileField, models.EmailField, models.URLField)) and \
                field.name not in NOT_FREE_TEXT and not field.primary_key and not field.unique and \
                (model._meta.label_lower, field.name) not in GENERATED:
            yield field


def _poison() -> int:
    """Overwrite every free-text field of every kesu row with the payload; the number of fields written."""
    written = 0
    for model in apps.get_models():
        if not model.__module__.startswith("kesu.") or model._meta.proxy:
            continue
        fields = [f.name for f in _free_text_fields(model)]
        if not fields:
            continue
        for obj in model.objects.all():
            for name in fields:
                length = model._meta.get_field(name).max_length
                value = f"{obj.pk}{PAYLOAD}"  # the row's id first keeps values unique where names must be
                setattr(obj, name, value[:length] if length else value * 2)
                written += 1
            model.objects.filter(pk=obj.pk).update(**{n: getattr(obj, n) for n in fields})
    return written


@pytest.fixture
def poisoned(world):
    o = world["objects"]
    for name in RULES:  # build every URL once, so that the objects each rule makes exist before the poisoning
        url_of(name, world)
    Narrative.objects.create(task=o["task_x"], region=o["county_x"], unit=o["unit_a"], period_id="2025",
                             progress="进展")
    assert _poison() > 50
    return world


@pytest.mark.parametrize("role", ["office_x", "admin"])
def test_every_page_escapes_stored_text(client, poisoned, role):
    checked, leaks = 0, []
    readable = sorted(name for name, rule in RULES.items() if rule[1] and role in rule[1])
    for name in readable:
        response = sign_in(client, poisoned, role).get(url_of(name, poisoned))
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        checked += 1
        leaks += [f"{name}: {raw}" for raw in RAW if raw in html]
    assert checked > 40 and not leaks


@pytest.mark.parametrize("kind", ["annual_summary", "self_check"])
def test_the_html_report_escapes_stored_text(client, poisoned, kind):
    from kesu.reports import services

    o, office = poisoned["objects"], poisoned["users"]["office_x"]
    version = services.report_generate(actor=office, region=o["county_x"], period="2025", kind=kind)
    assert "&lt;script&gt;" in version.html and not [raw for raw in RAW if raw in version.html]
    html = sign_in(client, poisoned, "office_x").get(f"/reports/versions/{version.pk}/").content.decode()
    assert not [raw for raw in RAW if raw in html]


@pytest.mark.parametrize("kind", ["annual_summary", "self_check"])
def test_markdown_and_saved_html_exports_escape_stored_text(client, poisoned, kind):
    """The text exports a user downloads and opens elsewhere: Markdown (rendered by a CommonMark viewer) and the
    self-contained HTML file. Neither may turn stored text into markup, a link or an image."""
    from markdown_it import MarkdownIt

    from kesu.reports import services

    o, office = poisoned["objects"], poisoned["users"]["office_x"]
    version = services.report_generate(actor=office, region=o["county_x"], period="2025", kind=kind)
    office_client = sign_in(client, poisoned, "office_x")
    markdown = office_client.get(f"/reports/versions/{version.pk}/download/?format=md").content.decode()
    assert "恶意" in markdown and not [raw for raw in RAW if raw in markdown]
    viewed = MarkdownIt("commonmark").enable("table").render(markdown)
    assert not [raw for raw in RAW if raw in viewed] and "<img" not in viewed and "<a " not in viewed
    saved = office_client.get(f"/reports/versions/{version.pk}/download/?format=html").content.decode()
    assert "&lt;script&gt;" in saved and not [raw for raw in RAW if raw in saved]
    assert "<script" not in saved


POST_FORM = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.I | re.S)


def test_every_post_form_carries_a_csrf_token():
    root = Path(kesu.__file__).resolve().parent
    missing = [f"{t.relative_to(root)}: {m.group(0)[:80]}" for t in root.rglob("templates/**/*.html")
               for m in POST_FORM.finditer(t.read_text(encoding="utf-8")) if "csrf_token" not in m.group(1)]
    assert not missing
