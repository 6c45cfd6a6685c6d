"""Access rules of the assessment URLs for the project-wide URL walk (tests/test_url_walk.py).

County X's office assesses its member units: its office and viewers see the whole ranking, each unit's 填报员 sees
the scheme and its own assessment only and may self-score it; the office above may do what county X's office does.
"""

from django.urls import reverse

SIGNED_IN = {"filler_a", "filler_b", "office_x", "office_y", "office_p", "viewer_x", "admin"}
OFFICES = {"office_x", "office_y", "office_p", "admin"}
READ_X = {"office_x", "office_p", "viewer_x", "admin"}
MANAGE_X = {"office_x", "office_p", "admin"}


def _scheme(o: dict):
    from kesu.accounts.models import User
    from kesu.assessment.models import Scheme
    from kesu.assessment.services import builtin_schemes, scheme_create, scheme_open

    existing = Scheme.objects.filter(region=o["county_x"]).first()
    if existing:
        return existing
    office = User.objects.get(username="office_x")
    scheme = scheme_create(actor=office, region=o["county_x"], year=2025, definition=builtin_schemes()["units-annual"])
    scheme_open(actor=office, scheme=scheme)
    return scheme


def _assessment(o: dict):
    return _scheme(o).assessments.get(unit=o["unit_a"])


def _a(name, target):
    return lambda o: reverse(f"assessment:{name}", args=[target(o).pk])


RULES = {
    "assessment:index": (None, SIGNED_IN, set()),
    "assessment:create": (None, None, OFFICES),
    "assessment:scheme": (_a("scheme", _scheme), READ_X | {"filler_a", "filler_b"}, set()),
    "assessment:scheme_open": (_a("scheme_open", _scheme), None, MANAGE_X),
    "assessment:export": (_a("export", _scheme), READ_X | {"filler_a", "filler_b"}, set()),
    "assessment:assessment": (_a("assessment", _assessment), READ_X | {"filler_a"}, set()),
    "assessment:self_score": (_a("self_score", _assessment), None, MANAGE_X | {"filler_a"}),
    "assessment:review": (_a("review", _assessment), None, MANAGE_X),
}
