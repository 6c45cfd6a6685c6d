"""Fixtures of the reports tests: a small region tree, users, and a context builder that returns the hand-made
context (``fixture_context``) for tests that are about storing, serving and comparing reports rather than data."""

import pytest

from kesu.accounts.models import Role, User
from kesu.regions.models import Level
from kesu.reports import context as context_builder
from kesu.testing import make_region

from .fixtures import make_context

PASSWORD = "pw-kesu-12345"


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def regions(db):
    province = make_region("510000", "四川省", Level.PROVINCE)
    city = make_region("511700", "达州市", Level.PREFECTURE, province)
    county = make_region("511725", "渠县", Level.COUNTY, city)
    other = make_region("511722", "宣汉县", Level.COUNTY, city)
    return {"province": province, "city": city, "county": county, "other": other}


@pytest.fixture
def users(regions):
    def user(username, role, region):
        u = User(username=username, role=role, region=region)
        u.set_password(PASSWORD)
        u.save()
        return u

    return {
        "office": user("county_office", Role.OFFICE, regions["county"]),
        "city_office": user("city_office", Role.OFFICE, regions["city"]),
        "other_office": user("other_office", Role.OFFICE, regions["other"]),
        "viewer": user("county_viewer", Role.VIEWER, regions["county"]),
    }


@pytest.fixture
def fixture_context(monkeypatch):
    """Replace the database context builder by the hand-made context, named after the asked region."""
    state = {"value": 1083}

    def build(scope, *, region, period, kind, report_date=None, is_demo=False):
        scope.require(scope.sees_region(region))
        ctx = make_context(kind, period_id=period.id, period_label=period.label)
        ctx.region_name = region.name
        ctx.report_date = report_date or ctx.report_date
        ctx.sections[1].figures[0].value = state["value"]
        ctx.data_state = f"audit:{state['value']}"
        return ctx

    monkeypatch.setattr(context_builder, "build_context", build)
    monkeypatch.setattr(context_builder, "data_state", lambda region: f"audit:{state['value']}")
    return state
