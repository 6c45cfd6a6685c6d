"""A county with two member units, their returns and activities, and the units' annual 考核细则 opened."""

from datetime import UTC, date, datetime

import pytest

from kesu.accounts.models import Role, User
from kesu.assessment import services
from kesu.collection.models import Activity, DataSet, Submission
from kesu.orgs.models import Unit, UnitKind
from kesu.regions.models import Level
from kesu.testing import make_region


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city = make_region("511700", "达州市", Level.PREFECTURE)
    county = make_region("511725", "渠县", Level.COUNTY, city)
    edu = Unit.objects.create(region=county, name="渠县教育局", kind=UnitKind.EDUCATION)
    agri = Unit.objects.create(region=county, name="渠县农业农村局", kind=UnitKind.AGRICULTURE)
    office = User.objects.create_user(username="office", password="x-pass-123", role=Role.OFFICE, region=county)
    filler = User.objects.create_user(username="edu", password="x-pass-123", role=Role.FILLER, unit=edu)
    other = User.objects.create_user(username="agri", password="x-pass-123", role=Role.FILLER, unit=agri)
    data_set = DataSet.objects.create(region=county, code="Y", name="年度统计", period_type="Y", due_days=15)
    # 教育局 reported 2025 on time, 农业农村局 late; 教育局 held 4 activities, 农业农村局 12
    for unit, day in ((edu, date(2026, 1, 10)), (agri, date(2026, 2, 20))):
        Submission.objects.create(data_set=data_set, period_id="2025", period_start=date(2025, 1, 1),
                                  period_end=date(2025, 12, 31), region=county, unit=unit, status="submitted",
                                  submitted_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
    for unit, count in ((edu, 4), (agri, 12)):
        for k in range(count):
            Activity.objects.create(unit=unit, region=county, kind="training", title=f"培训{k}",
                                    start_date=date(2025, 3, 1 + k), end_date=date(2025, 3, 1 + k))
    return {"city": city, "county": county, "edu": edu, "agri": agri, "office": office, "filler": filler,
            "other": other}


@pytest.fixture
def scheme(world):
    scheme = services.scheme_create(actor=world["office"], region=world["county"], year=2025,
                                    definition=services.builtin_schemes()["units-annual"])
    services.scheme_open(actor=world["office"], scheme=scheme)
    return scheme
