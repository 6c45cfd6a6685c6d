"""Real-browser checks of the region and member-unit pages: the lazy tree opens with HTMX, pages fit a phone."""


import pytest
from django.conf import settings

from kesu.orgs import services as org_services
from kesu.regions import services
from kesu.regions.models import Region
from kesu.testing import screenshot

from .helpers import load_sample, make_user, region


def _login(page, live_server, client, user):
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tree_expands_lazily_and_pages_fit_a_phone(page, live_server, client):
    load_sample(townships=["511725"])
    city = region("511700")
    office = make_user("city_office", "office", region=city)
    qu = region("511725")
    services.region_create(actor=office, parent=qu.children.get(name="渠江街道"), name="北门社区")
    units = org_services.units_create_defaults(actor=office, region=qu)
    cast = next(u for u in units if u.name == "渠县科学技术协会")
    body = org_services.body_create(actor=office, region=qu, office_unit=cast, members=units)
    org_services.body_post_add(actor=office, body=body, post="leader", person_name="钱七", person_title="县政府副县长")
    org_services.body_post_add(actor=office, body=body, post="deputy", person_name="孙八", person_title="县科协主席",
                               unit=cast)
    org_services.body_post_add(actor=office, body=body, post="member", person_name="赵六", person_title="局长",
                               unit=units[5])
    org_services.contact_create(actor=office, unit=cast, name="李联络", title="科员", phone="0818-7300000",
                                is_liaison=True)
    _login(page, live_server, client, office)

    page.goto(f"{live_server.url}/regions/")
    assert page.locator("text=达州市及下级区域").is_visible()
    page.locator("summary", has_text="渠县").click()
    page.locator("a", has_text="渠江街道").wait_for()  # loaded by HTMX on first open
    screenshot(page, "regions-tree.png")

    page.goto(f"{live_server.url}/regions/{qu.pk}/")
    page.locator("button", has_text="添加乡镇").click()
    page.fill("#add_name", "三汇镇")
    page.fill("#add_code", "123")
    page.locator("#add-form button[type=submit]").click()
    page.locator("text=统计用区划代码「123」应为 12 位数字").wait_for()  # waits for the re-rendered page
    screenshot(page, "region-detail-error.png")
    assert not Region.objects.filter(name="三汇镇").exists()

    page.goto(f"{live_server.url}/orgs/body/?region={qu.pk}")
    assert page.locator(".posts-table tbody th", has_text="副组长").is_visible()
    screenshot(page, "body.png")
    page.goto(f"{live_server.url}/orgs/units/{cast.pk}/")
    assert page.locator("text=李联络").is_visible()
    screenshot(page, "unit-detail.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/orgs/units/?region={qu.pk}")
    assert page.locator("text=中共渠县县委组织部").is_visible()
    # nothing sticks out sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "units-phone.png")
