"""The regions, indicators and activity rules analytics keeps in the process (kesu/core/configuration.py): any
change, however it is written, is seen by the next request; a change rolled back leaves nothing behind; kept
instances are handed out as copies; the API's statements are pinned."""

import pytest
from django.db import transaction

from kesu.accounts.services import token_create
from kesu.analytics.selectors.explore import child_regions
from kesu.collection.models import ActivityIndicatorRule
from kesu.collection.rollup import rollup_rebuild
from kesu.core.configuration import configuration_held, version
from kesu.plans.models import Indicator
from kesu.regions.models import Level, Region

from .conftest import make_region

pytestmark = pytest.mark.django_db

# The token (with the user, their region and unit), the configuration version, the roll-up rows.
API_QUERIES = 3


@pytest.fixture
def data(world):
    world.put("VISITS", world.town1, 100, pid="2024")
    world.put("VISITS", world.town2, 40, pid="2024")
    rollup_rebuild()
    return world


URL = "/api/analytics?indicators=VISITS&region=511725&periods=2024"


def bearer(user) -> dict:
    _, raw = token_create(actor=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def query(client, user, url=URL):
    return client.get(url, **bearer(user))


def test_every_kind_of_write_to_a_watched_table_gives_a_new_version(data):
    seen = [version()]

    def changed():
        seen.append(version())
        return seen[-1] not in seen[:-1]

    town = make_region("511725102", "新设镇", Level.TOWNSHIP, data.county, sort=3)
    assert changed()
    Region.objects.filter(pk=town.pk).update(name="改名镇")  # no signal, no save()
    assert changed()
    Region.objects.filter(pk=town.pk).delete()
    assert changed()
    Indicator.objects.filter(code="VISITS").update(name="场馆参观人次")
    assert changed()
    Indicator.objects.bulk_create([Indicator(code="NEW_ONE", name="新指标", unit="个")])
    assert changed()
    ActivityIndicatorRule.objects.create(indicator=Indicator.objects.get(code="NEW_ONE"))
    assert changed()
    assert version() == seen[-1]  # and reading changes nothing


def test_the_api_shows_a_renamed_region_and_indicator_on_the_next_call(client, data, django_assert_max_num_queries):
    headers = bearer(data.office)
    client.get(URL, **headers)  # keeps the county, its townships and the indicator
    with django_assert_max_num_queries(API_QUERIES):
        body = client.get(URL, **headers).json()
    assert [g["label"] for g in body["groups"]] == ["渠江街道", "天星街道"]
    assert body["rows"][0]["values"] == [100, 40] and body["rows"][0]["total"] == 140
    Region.objects.filter(pk=data.town2.pk).update(name="天星镇")
    Indicator.objects.filter(code="VISITS").update(name="场馆参观人次")
    body = query(client, data.office).json()
    assert [g["label"] for g in body["groups"]] == ["渠江街道", "天星镇"]
    assert body["indicators"][0]["name"] == "场馆参观人次"


def test_what_one_scope_read_is_never_shown_to_another(client, data):
    assert query(client, data.city_office).status_code == 200  # the city office reads 渠县 (kept)
    assert query(client, data.other_office).status_code == 403  # 大竹县's office still may not
    refused = query(client, data.office, "/api/analytics?indicators=VISITS&region=511724&periods=2024")
    assert refused.status_code == 403


def kept_children(region):
    with configuration_held(per_version=True):  # as an analytics page reads them
        return child_regions(region)


def test_a_change_rolled_back_leaves_nothing_kept(data):
    before = [r.name for r in kept_children(data.county)]
    with pytest.raises(RuntimeError), transaction.atomic():
        make_region("511725103", "未成镇", Level.TOWNSHIP, data.county, sort=3)
        assert "未成镇" in [r.name for r in kept_children(data.county)]  # kept under the new, uncommitted version
        raise RuntimeError
    assert [r.name for r in kept_children(data.county)] == before
    make_region("511725104", "另设镇", Level.TOWNSHIP, data.county, sort=4)
    assert [r.name for r in kept_children(data.county)] == [*before, "另设镇"]


def test_a_caller_changing_a_kept_region_changes_nobody_elses(data, django_assert_num_queries):
    kept_children(data.county)[0].name = "改坏了"
    with django_assert_num_queries(1):  # the version only: the regions are kept, and handed out as copies
        assert kept_children(data.county)[0].name == "渠江街道"
