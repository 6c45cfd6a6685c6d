"""Fixtures for the plans tests: a small region tree, member units, users of every role, the built-in frameworks.

Regions and units are created with the ORM directly (their services are written in parallel elsewhere).
"""

import pytest

from kesu.accounts.models import Role, User
from kesu.orgs.models import Unit, UnitKind
from kesu.plans.loader import load_builtin
from kesu.plans.models import Framework, Indicator
from kesu.regions.models import Level
from kesu.testing import make_region


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing seven passwords per test with PBKDF2 dominates the run time otherwise.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def regions(db):
    province = make_region("510000", "四川省", Level.PROVINCE)
    city = make_region("511700", "达州市", Level.PREFECTURE, province)
    county = make_region("511725", "渠县", Level.COUNTY, city)
    town_a = make_region("511725100", "渠江镇", Level.TOWNSHIP, county)
    town_b = make_region("511725101", "天星镇", Level.TOWNSHIP, county)
    other = make_region("511722", "宣汉县", Level.COUNTY, city)
    return {"province": province, "city": city, "county": county, "town_a": town_a, "town_b": town_b,
            "other": other}


@pytest.fixture
def units(regions):
    county = regions["county"]
    specs = [("edu", "渠县教育局", UnitKind.EDUCATION), ("agri", "渠县农业农村局", UnitKind.AGRICULTURE),
             ("cast", "渠县科协", UnitKind.CAST), ("women", "渠县妇联", UnitKind.WOMEN),
             ("youth", "团渠县委", UnitKind.YOUTH_LEAGUE), ("hr", "渠县人社局", UnitKind.HUMAN_RESOURCES)]
    result = {key: Unit.objects.create(region=county, name=name, kind=kind, sort=i)
              for i, (key, name, kind) in enumerate(specs)}
    result["other_edu"] = Unit.objects.create(region=regions["other"], name="宣汉县教育局", kind=UnitKind.EDUCATION)
    return result


def _user(username, role, region=None, unit=None, **extra):
    return User.objects.create_user(username=username, password="pw-kesu-12345", role=role, region=region,
                                    unit=unit, full_name=username, **extra)


@pytest.fixture
def users(regions, units):
    return {
        "admin": _user("admin", Role.ADMIN, is_superuser=True, is_staff=True),
        "office": _user("county_office", Role.OFFICE, regions["county"]),
        "city_office": _user("city_office", Role.OFFICE, regions["city"]),
        "town_office": _user("town_office", Role.OFFICE, regions["town_a"]),
        "other_office": _user("other_office", Role.OFFICE, regions["other"]),
        "viewer": _user("county_viewer", Role.VIEWER, regions["county"]),
        "filler": _user("edu_filler", Role.FILLER, unit=units["edu"]),
    }


@pytest.fixture
def builtin(db):
    load_builtin()
    return Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)


@pytest.fixture
def indicator():
    def get(code):
        return Indicator.objects.get(code=code)
    return get
