"""The home page is kept while figures are only being entered (drafts it does not show) and shows an approval."""

from django.urls import reverse

from kesu.collection import services
from kesu.collection.services.figures import OBJECT_TYPE
from kesu.core import pagememo

from .conftest import YEAR

# Session, user, the scope's region, the page data version: as tests/test_home_memo.py pins for a kept page.
HOME_QUERIES_KEPT = 4


def test_figure_saves_leave_the_home_page_kept_and_an_approval_shows(world, client, django_assert_num_queries):
    client.force_login(world.office)
    assert "科普专职人员" not in client.get(reverse("home")).content.decode()  # nothing approved: no key figures
    for value in (5, 6):  # a figure entered, then changed: drafts of an open return
        services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county,
                            unit=world.edu, period=YEAR, value=value)
        with django_assert_num_queries(HOME_QUERIES_KEPT):
            kept = client.get(reverse("home")).content.decode()
        assert "科普专职人员" not in kept
    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    services.submission_approve(actor=world.office, submission=sub)
    page = client.get(reverse("home")).content.decode()
    assert "科普专职人员" in page and ">6<" in page.replace(" ", "")


def test_the_memo_knows_the_figure_service_events_by_their_type():
    # A renamed object type would make every cell save empty the home page's memo again, silently.
    assert pagememo.DRAFT_FIGURE_TYPE == OBJECT_TYPE
