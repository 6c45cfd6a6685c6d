"""A county with an office, the indicator catalogue, and response files written the way 问卷星 exports them."""

import numpy as np
import pytest

from kesu.accounts.models import Role, User
from kesu.collection.models import DataSet
from kesu.plans.loader import load_builtin
from kesu.plans.models import Indicator
from kesu.regions.models import Level
from kesu.surveys.core.instrument import builtin_instruments
from kesu.surveys.core.synthetic import synthetic_round
from kesu.testing import make_region


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county_world(db):
    load_builtin()
    city = make_region("511700", "达州市", Level.PREFECTURE)
    county = make_region("511725", "渠县", Level.COUNTY, city)
    other = make_region("511722", "宣汉县", Level.COUNTY, city)
    # The county's yearly return collects the literacy ratios an accepted survey writes.
    ds = DataSet.objects.create(region=county, code="ANNUAL", name="年度科普工作统计", period_type="Y")
    ds.indicators.set(Indicator.objects.filter(code__in=["LIT_RATIO", "LIT_RURAL_RATIO"]))
    office = User.objects.create_user(username="office", password="x-pass-123", role=Role.OFFICE, region=county)
    other_office = User.objects.create_user(username="other", password="x-pass-123", role=Role.OFFICE, region=other)
    return {"county": county, "other": other, "office": office, "other_office": other_office}


def wjx_csv(n: int, *, seed: int = 11) -> bytes:
    """n synthetic respondents as a 问卷星 CSV: numbered headers, option texts, 所用时间 in 秒, 来源IP."""
    instrument = builtin_instruments()["literacy-2024"]
    data = synthetic_round(instrument, n, seed=seed)
    headers = ["序号", "提交答卷时间", "所用时间", "来源IP", "1.性别", "2.年龄", "3.文化程度", "4.居住地"]
    headers += [f"{k + 5}.{item.text}" for k, item in enumerate(instrument.items)]
    lines = [",".join(headers)]
    for i in range(n):
        row = [str(i + 1), "2025/6/1 10:00:00", f"{int(data.seconds[i])}秒", data.duplicate_key[i],
               data.demographics["sex"][i], str(int(data.demographics["age"][i])), data.demographics["education"][i],
               data.demographics["urban"][i]]
        for item in instrument.items:
            letter = data.answers[item.key][i]
            row.append(item.options["ABCD".index(letter)])
        lines.append(",".join(row))
    return "\n".join(lines).encode("utf-8-sig")


@pytest.fixture
def sample_csv() -> bytes:
    return wjx_csv(1200)


def literacy_margins(total: float = 600_000) -> dict:
    from kesu.surveys.core.synthetic import census_margins

    return census_margins(total)


np.seterr(invalid="ignore")
