"""Test data for the collection app, built with the ORM: a city → county → two townships, two member units,
a filler per unit, offices at county and city, a viewer, a handful of catalogue indicators and an annual data set."""

from datetime import date
from decimal import Decimal

import pytest

from kesu.accounts.models import Role, User
from kesu.collection.models import ActivityIndicatorRule, DataSet, Measure
from kesu.orgs.models import Unit, UnitKind
from kesu.plans.models import Category, Indicator, ValueType
from kesu.regions.models import Level
from kesu.testing import make_region

YEAR = str(date.today().year)


def make_user(username, role, *, region=None, unit=None, email=""):
    user = User.objects.create_user(username=username, password="kesu-test-pw", role=role, region=region, unit=unit,
                                    full_name=username, email=email)
    return user


INDICATORS = [
    ("HR_FULL", "科普专职人员", "人", ValueType.INTEGER, None),
    ("HR_FULL_FEMALE", "专职人员中女性", "人", ValueType.INTEGER, None),
    ("FUND_RAISED", "年度科普经费筹集额", "万元", ValueType.DECIMAL, None),
    ("FUND_GOV", "其中政府拨款", "万元", ValueType.DECIMAL, None),
    ("LIT_RATIO", "公民具备科学素质的比例", "%", ValueType.PERCENT, (0, 100)),
    ("TRN_FARMER_P", "农村实用技术培训人次", "人次", ValueType.INTEGER, None),
    ("TRN_FARMER_SESSIONS", "农村实用技术培训期数", "期", ValueType.INTEGER, None),
]


@pytest.fixture
def world(db):
    """A namespace with everything the tests need."""
    class W:
        pass

    w = W()
    w.city = make_region("511700", "达州市", Level.PREFECTURE)
    w.county = make_region("511725", "渠县", Level.COUNTY, w.city)
    w.town1 = make_region("511725100", "渠江街道", Level.TOWNSHIP, w.county)
    w.town2 = make_region("511725101", "天星街道", Level.TOWNSHIP, w.county)
    w.edu = Unit.objects.create(region=w.county, name="渠县教育局", kind=UnitKind.EDUCATION, sort=1)
    w.agri = Unit.objects.create(region=w.county, name="渠县农业农村局", kind=UnitKind.AGRICULTURE, sort=2)
    w.filler = make_user("edu_filler", Role.FILLER, unit=w.edu, email="edu@example.org")
    w.filler2 = make_user("agri_filler", Role.FILLER, unit=w.agri)
    w.office = make_user("county_office", Role.OFFICE, region=w.county, email="office@example.org")
    w.town_office = make_user("town_office", Role.OFFICE, region=w.town1)
    w.city_office = make_user("city_office", Role.OFFICE, region=w.city)
    w.viewer = make_user("county_viewer", Role.VIEWER, region=w.county)
    w.ind = {}
    for sort, (code, name, unit, vtype, bounds) in enumerate(INDICATORS):
        w.ind[code] = Indicator.objects.create(
            code=code, name=name, unit=unit, value_type=vtype, category=Category.BASE, sort=sort,
            min_value=Decimal(bounds[0]) if bounds else None, max_value=Decimal(bounds[1]) if bounds else None)
    w.ds = DataSet.objects.create(region=w.county, code="ANNUAL", name="年度科普工作统计", period_type="Y",
                                  lowest_level=Level.TOWNSHIP)
    w.ds.indicators.set(w.ind.values())
    return w


@pytest.fixture
def activity_rules(world):
    ActivityIndicatorRule.objects.create(indicator=world.ind["TRN_FARMER_P"], kinds=["training"],
                                         populations=["farmer"], measure=Measure.PARTICIPANTS)
    ActivityIndicatorRule.objects.create(indicator=world.ind["TRN_FARMER_SESSIONS"], kinds=["training"],
                                         populations=["farmer"], measure=Measure.SESSIONS)
    return world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default PBKDF2 work factor makes every created user cost ~0.3 s; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
