"""Access rules of the analytics and public URLs for the project-wide URL walk (tests/test_url_walk.py).

Each rule is (a target building the URL from the walk's objects, roles that get 200 on GET or None for POST-only
pages, roles that may POST). 填报员 see their own unit's dashboard only, never region roll-ups.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kesu.accounts.models import ApiToken
from kesu.analytics.models import Publication, PublicationStatus

ALL = {"anonymous", "filler_a", "filler_b", "office_x", "office_y", "office_p", "viewer_x", "admin"}
SIGNED_IN = ALL - {"anonymous"}
OFFICES = {"office_x", "office_y", "office_p", "admin"}
READERS = {"office_x", "office_y", "office_p", "viewer_x", "admin"}
MANAGE_X = {"office_x", "office_p", "admin"}


def _publication(o: dict, status=PublicationStatus.DRAFT) -> Publication:
    slug = f"walk-{status}"
    publication, _ = Publication.objects.get_or_create(
        slug=slug, defaults={"region": o["county_x"], "title": "渠县科普工作公开数据", "year": 2024, "status": status})
    return publication


def _token(o: dict) -> ApiToken:
    from kesu.accounts.models import User

    token, _ = ApiToken.objects.get_or_create(
        user=User.objects.get(username="office_x"), name="walk", defaults={"prefix": "walk", "digest": "0" * 64,
                                                                      "expires_at": timezone.now() + timedelta(days=90)})
    return token


def _a(name, *args):
    return lambda o: reverse(f"analytics:{name}", args=[a(o) if callable(a) else a for a in args])


RULES = {
    "analytics:dashboard": (None, SIGNED_IN, set()),
    "analytics:dashboard_partial": (None, SIGNED_IN, set()),
    "analytics:indicator_explorer": (None, READERS, set()),
    "analytics:ranking": (None, READERS, set()),
    "analytics:consistency": (None, READERS, set()),
    "analytics:progress": (None, READERS, set()),
    "analytics:compare": (None, READERS, set()),
    "analytics:pivot": (None, READERS, set()),
    "analytics:chart_json": (_a("chart_json", "ranking"), READERS, set()),
    "analytics:chart_table": (_a("chart_table", "ranking"), READERS, set()),
    "analytics:tokens": (None, SIGNED_IN, SIGNED_IN),
    "analytics:token_revoke": (_a("token_revoke", lambda o: _token(o).pk), None, {"office_x"}),
    "analytics:publications": (None, OFFICES, set()),
    "analytics:publication_new": (None, OFFICES, OFFICES),
    "analytics:publication_edit": (_a("publication_edit", lambda o: _publication(o).pk), MANAGE_X, MANAGE_X),
    "analytics:publication_preview": (_a("publication_preview", lambda o: _publication(o).pk), MANAGE_X | {"viewer_x"},
                                      set()),
    "analytics:publication_action": (_a("publication_action", lambda o: _publication(o).pk, "publish"), None,
                                     MANAGE_X),
    # A published page is for everyone, signed in or not (drafts stay hidden: test_publication_flow_and_public_page).
    "public_page": (lambda o: reverse("public_page", args=[_publication(o, PublicationStatus.PUBLISHED).slug]), ALL,
                    set()),
    "public_chart_json": (lambda o: reverse("public_chart_json",
                                            args=[_publication(o, PublicationStatus.PUBLISHED).slug]), ALL, set()),
}
