"""The home page keeps its figures and counts while no data changes, and shows a change on the next visit."""

from django.urls import reverse

from kesu.core import pagememo
from kesu.orgs.models import UnitKind
from kesu.orgs.services import unit_create

# Session, user, the scope's region, the data version: nothing of the page's own data (the task queue's health is
# asked at most every few seconds per process, and the first visit asked it).
HOME_QUERIES_KEPT = 4
# After a change of what the page shows (an approval, a unit, a plan; not a figure saved into an open return) the page
# data is read again: session, user, region, data version, configuration version, the year's returns, the regions'
# indicators with figures, their roll-up rows, the region, unit, plan counts and the plans in force (the region and
# indicators come from the configuration kept per process: 15 → 12).
HOME_QUERIES_FIRST = 12


def test_home_is_kept_until_a_change_and_then_shows_it(world, client, django_assert_max_num_queries):
    office = world["users"]["office_x"]
    client.force_login(office)
    first = client.get(reverse("home")).content.decode()
    assert "在册成员单位 2 个" in first
    with django_assert_max_num_queries(HOME_QUERIES_KEPT):
        again = client.get(reverse("home")).content.decode()
    assert "在册成员单位 2 个" in again
    unit_create(actor=office, region=world["objects"]["county_x"], name="渠县科学技术协会", kind=UnitKind.OTHER)
    assert "在册成员单位 3 个" in client.get(reverse("home")).content.decode()


def test_home_is_not_shared_between_scopes(world, client):
    client.force_login(world["users"]["office_x"])
    assert "渠县" in client.get(reverse("home")).content.decode()
    client.force_login(world["users"]["office_p"])
    page = client.get(reverse("home")).content.decode()
    assert "区域（含下级）" in page and "在册成员单位 3 个" in page  # the prefecture's subtree: both counties' units


def test_home_after_a_change_reads_its_data_in_pinned_statements(world, client, django_assert_max_num_queries):
    client.force_login(world["users"]["office_x"])
    client.get(reverse("home"))
    pagememo.forget()  # as after a write the page shows
    with django_assert_max_num_queries(HOME_QUERIES_FIRST):
        page = client.get(reverse("home")).content.decode()
    assert "在册成员单位 2 个" in page
