"""Analytics test data: a city with two counties, one county with two townships and two member units, offices,
a viewer and a filler, and indicators of every aggregation kind. ``put`` stores a figure with the status of the
return that covers it (bypassing the entry window so that past years can be set up)."""

from datetime import date
from decimal import Decimal

import pytest

from kesu.accounts.models import Role, User
from kesu.collection.models import DataSet, IndicatorValue, Submission
from kesu.collection.rollup import period
from kesu.orgs.models import Unit, UnitKind
from kesu.plans.models import Category, Indicator, ValueType
from kesu.regions.models import Level, Region

INDICATORS = [
    # code, name, unit, region agg, time agg, extra
    ("VISITS", "科技馆参观人次", "人次", "sum", "sum", {}),
    ("SITES", "科普教育基地", "个", "sum", "latest", {}),
    ("SCORE", "满意度", "分", "avg", "avg", {"value_type": ValueType.DECIMAL}),
    ("FUND_GOV", "政府拨款", "万元", "sum", "sum", {"value_type": ValueType.DECIMAL}),
    ("FUND_RAISED", "经费筹集额", "万元", "sum", "sum", {"value_type": ValueType.DECIMAL}),
    ("GOV_SHARE", "政府拨款占比", "%", "ratio", "latest",
     {"numerator": ["FUND_GOV"], "denominator": ["FUND_RAISED"], "factor": 100, "value_type": ValueType.PERCENT}),
    ("LIT", "具备科学素质比例", "%", "none", "latest", {"value_type": ValueType.PERCENT}),
    ("BASE_POP", "常住人口", "万人", "sum", "latest", {"value_type": ValueType.DECIMAL}),
]


def make_region(code, name, level, parent=None, **kw):
    path = (parent.path if parent else "") + f"{code}/"
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path,
                                 depth=(parent.depth + 1) if parent else 0, **kw)


def make_user(username, role, *, region=None, unit=None):
    return User.objects.create_user(username=username, password="kesu-test-pw", role=role, region=region, unit=unit,
                                    full_name=username)


class World:
    def put(self, code, region, value, pid="2024", unit=None, status="approved"):
        ind = self.ind[code]
        row = IndicatorValue.objects.update_or_create(
            indicator=ind, region=region, unit=unit, period_id=pid,
            defaults={"value": None if value is None else Decimal(str(value))})[0]
        p = period(pid)
        Submission.objects.update_or_create(
            data_set=self.ds, period_id=pid, region=region, unit=unit,
            defaults={"status": status, "period_start": p.start, "period_end": p.end})
        return row


@pytest.fixture
def world(db):
    w = World()
    w.city = make_region("511700", "达州市", Level.PREFECTURE, population_10k=Decimal("540"))
    w.county = make_region("511725", "渠县", Level.COUNTY, w.city, population_10k=Decimal("100"), sort=1)
    w.county2 = make_region("511724", "大竹县", Level.COUNTY, w.city, population_10k=Decimal("80"), sort=2)
    w.town1 = make_region("511725100", "渠江街道", Level.TOWNSHIP, w.county, sort=1)
    w.town2 = make_region("511725101", "天星街道", Level.TOWNSHIP, w.county, sort=2)
    w.edu = Unit.objects.create(region=w.county, name="渠县教育局", short_name="教育局", kind=UnitKind.EDUCATION, sort=1)
    w.agri = Unit.objects.create(region=w.county, name="渠县农业农村局", short_name="农业农村局",
                                 kind=UnitKind.AGRICULTURE, sort=2)
    w.city_office = make_user("city_office", Role.OFFICE, region=w.city)
    w.office = make_user("county_office", Role.OFFICE, region=w.county)
    w.other_office = make_user("dazhu_office", Role.OFFICE, region=w.county2)
    w.viewer = make_user("city_viewer", Role.VIEWER, region=w.city)
    w.viewer.api_access = True  # the API tests read as this 查看 too; its office granted API access
    w.viewer.save(update_fields=["api_access"])
    w.filler = make_user("edu_filler", Role.FILLER, unit=w.edu)
    w.admin = make_user("admin", Role.ADMIN)
    w.ind = {}
    for sort, (code, name, unit, ragg, tagg, extra) in enumerate(INDICATORS):
        w.ind[code] = Indicator.objects.create(code=code, name=name, unit=unit, category=Category.BASE, sort=sort,
                                               region_aggregation=ragg, time_aggregation=tagg, **extra)
    w.ds = DataSet.objects.create(region=w.city, code="ANNUAL", name="年度科普工作统计", period_type="Y",
                                  lowest_level=Level.TOWNSHIP)
    w.ds.indicators.set(w.ind.values())
    w.year = date.today().year
    return w


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
