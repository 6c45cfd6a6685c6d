"""Access rules of the survey URLs for the project-wide URL walk (tests/test_url_walk.py).

A survey round belongs to a region: offices and viewers of that subtree read it, offices of that subtree change it,
another county's office gets 404; a unit's 填报员 has no part in surveys.
"""

from django.urls import reverse

OFFICES = {"office_x", "office_y", "office_p", "admin"}
READERS = {"office_x", "office_y", "office_p", "viewer_x", "admin"}
READ_X = {"office_x", "office_p", "viewer_x", "admin"}
MANAGE_X = {"office_x", "office_p", "admin"}


def _round(o: dict):
    from kesu.accounts.models import User
    from kesu.surveys.models import SurveyRound
    from kesu.surveys.services import questionnaire_create, survey_round_create

    existing = SurveyRound.objects.filter(region=o["county_x"]).first()
    if existing:
        return existing
    office = User.objects.get(username="office_x")
    questionnaire = questionnaire_create(actor=office, region=o["county_x"], builtin="literacy-2024")
    return survey_round_create(actor=office, region=o["county_x"], year=2025, questionnaire=questionnaire)


def _s(name):
    return lambda o: reverse(f"surveys:{name}", args=[_round(o).pk])


RULES = {
    "surveys:index": (None, READERS, set()),
    "surveys:create": (None, None, OFFICES),
    "surveys:questionnaire_import": (None, None, OFFICES),
    # offices record the results published above them; the administrator has no office of its own
    "surveys:published_record": (None, None, OFFICES - {"admin"}),
    "surveys:itembank_template": (None, READERS | {"filler_a", "filler_b"}, set()),
    "surveys:detail": (_s("detail"), READ_X, set()),
    "surveys:upload": (_s("upload"), None, MANAGE_X),
    "surveys:analyse": (_s("analyse"), None, MANAGE_X),
    "surveys:accept": (_s("accept"), None, MANAGE_X),
    # a round not yet computed sends its readers back to the round's page
    "surveys:report": (_s("report"), set(), set()),
}
