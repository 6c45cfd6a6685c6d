"""Walk every URL pattern as every role and assert exactly who may open it.

A new URL pattern without a rule here fails ``test_every_url_has_a_rule``: access must be decided, not assumed.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kesu.accounts.models import User
from kesu.analytics.tests.url_rules import RULES as ANALYTICS_RULES
from kesu.assessment.tests.url_rules import RULES as ASSESSMENT_RULES
from kesu.collection.tests.url_rules import RULES as COLLECTION_RULES
from kesu.extraction.tests.url_rules import RULES as EXTRACTION_RULES
from kesu.surveys.tests.url_rules import RULES as SURVEY_RULES

ROLES = ["anonymous", "filler_a", "filler_b", "office_x", "office_y", "office_p", "viewer_x", "admin"]
SIGNED_IN = set(ROLES) - {"anonymous"}
ADMIN = {"admin"}
# Who reads, and who manages, things that belong to county X (P is X's prefecture; Y is X's sibling county).
READ_X = {"office_x", "office_p", "viewer_x", "admin"}
MANAGE_X = {"office_x", "office_p", "admin"}
READ_X_AND_FILLERS = READ_X | {"filler_a", "filler_b"}
OFFICES = {"office_x", "office_y", "office_p", "admin"}
READERS = {"office_x", "office_y", "office_p", "viewer_x", "admin"}

# URL name → (object the URL points at ("?obj": passed as ?region=) or None, roles that get 200 on GET (None: POST
# only), roles that may POST).
RULES = {
    "home": (None, SIGNED_IN, set()),
    "healthz": (None, set(ROLES), set()),
    "accounts:login": (None, set(ROLES), set(ROLES)),
    "accounts:logout": (None, None, SIGNED_IN),
    # Accounts: an office manages those of its subtree (filler_a works for a unit of county X).
    "accounts:user_list": (None, OFFICES, set()),
    "accounts:user_create": (None, OFFICES, OFFICES),
    "accounts:user_password_reset": (lambda o: _account_url("accounts:user_password_reset"), None, MANAGE_X),
    "accounts:user_deactivate": (lambda o: _account_url("accounts:user_deactivate"), None, MANAGE_X),
    "accounts:user_activate": (lambda o: _account_url("accounts:user_activate"), None, MANAGE_X),
    "accounts:user_api": (lambda o: _account_url("accounts:user_api"), MANAGE_X, set()),
    "accounts:user_api_access": (lambda o: _account_url("accounts:user_api_access"), None, MANAGE_X),
    "accounts:user_token_revoke": (lambda o: _token_url(), None, MANAGE_X),
    "regions:region_list": (None, SIGNED_IN, set()),
    "regions:region_import_template": (None, SIGNED_IN, set()),
    "regions:region_detail": ("county_x", READ_X_AND_FILLERS, set()),
    "regions:region_children": ("county_x", READ_X_AND_FILLERS, set()),
    "regions:region_add_child": ("county_x", None, MANAGE_X),
    "regions:region_edit": ("township_x", None, MANAGE_X),
    "regions:region_import": ("county_x", None, MANAGE_X),
    "orgs:unit_list": (None, SIGNED_IN, set()),
    "orgs:unit_create": ("?county_x", MANAGE_X, MANAGE_X),
    "orgs:create_default_units": ("?county_x", None, MANAGE_X),
    "orgs:unit_detail": ("unit_a", READ_X | {"filler_a"}, set()),
    "orgs:unit_edit": ("unit_a", MANAGE_X, MANAGE_X),
    "orgs:unit_end": ("unit_a", MANAGE_X, MANAGE_X),
    "orgs:contact_create": ("unit_a", None, MANAGE_X),
    "orgs:contact_edit": ("contact_a", MANAGE_X, MANAGE_X),
    "orgs:contact_delete": ("contact_a", None, MANAGE_X),
    "orgs:body_detail": ("?county_x", READ_X_AND_FILLERS, set()),
    "orgs:body_edit": ("?county_x", MANAGE_X, MANAGE_X),
    "orgs:body_post_add": ("?county_x", None, MANAGE_X),
    "orgs:body_post_remove": ("post_x", None, MANAGE_X),
    "plans:plan_list": (None, SIGNED_IN, set()),
    "plans:plan_create": (None, OFFICES, OFFICES),
    "plans:plan_detail": ("plan_x", READ_X_AND_FILLERS, set()),
    "plans:task_create": ("plan_x", MANAGE_X, MANAGE_X),
    "plans:plan_carry_over": ("plan_x", MANAGE_X, MANAGE_X),
    "plans:target_list": ("plan_x", READ_X_AND_FILLERS, MANAGE_X),
    "plans:target_consistency": ("plan_x", READ_X_AND_FILLERS, set()),
    "plans:task_edit": ("task_x", MANAGE_X, MANAGE_X),
    "plans:task_delete": ("task_x", MANAGE_X, MANAGE_X),
    "plans:document_list": (None, SIGNED_IN, set()),
    "plans:document_create": (None, OFFICES, OFFICES),
    "plans:meeting_list": (None, SIGNED_IN, set()),
    "plans:meeting_create": (None, OFFICES, OFFICES),
    "plans:indicator_list": (None, SIGNED_IN, set()),
    "plans:indicator_create": (None, OFFICES, OFFICES),
    "plans:framework_list": (None, SIGNED_IN, set()),
    "plans:framework_detail": ("framework", SIGNED_IN, set()),
    "plans:framework_localise": ("framework", None, OFFICES),
    "reports:index": (None, READERS, set()),
    "reports:generate": (None, None, OFFICES),
    "reports:version_detail": ("version_x", READ_X, set()),
    "reports:regenerate": ("version_x", None, MANAGE_X),
    "reports:download": ("version_x", READ_X, set()),
    "reports:compare": ("version_x", READ_X, set()),
    "reports:templates": ("?county_x", READ_X, set()),
    "reports:template_builtin": (None, READERS, set()),
    "reports:template_download": ("template_x", READ_X, set()),
    "reports:template_upload": ("?county_x", None, MANAGE_X),
    "reports:template_reset": ("?county_x", None, MANAGE_X),
    "reports:pack_create": (None, None, OFFICES),
    "reports:pack_detail": ("job_p", {"office_p", "admin"}, set()),
    "reports:pack_download": ("job_p", {"office_p", "admin"}, set()),
}


def _account_url(name: str) -> str:
    return reverse(name, args=[User.objects.get(username="filler_a").pk])


def _token_url() -> str:
    from kesu.accounts.services import token_create

    filler = User.objects.get(username="filler_a")
    token = filler.api_tokens.first() or token_create(actor=filler, name="脚本")[0]
    return reverse("accounts:user_token_revoke", args=[filler.pk, token.pk])


RULES.update(COLLECTION_RULES)
RULES.update(EXTRACTION_RULES)
RULES.update(SURVEY_RULES)
RULES.update(ASSESSMENT_RULES)
RULES.update(ANALYTICS_RULES)  # each app keeps its own rules beside its tests; a target may build its URL itself
# The API authenticates on its own (tokens or session) and is walked by its own tests.
SKIPPED_NAMESPACES = {"admin", "api"}


def _named_patterns(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns not in SKIPPED_NAMESPACES:
                yield from _named_patterns(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_rule():
    missing = sorted(set(_named_patterns()) - set(RULES))
    assert not missing, f"URL patterns without an access rule: {missing}"


def url_of(name, world):
    target = RULES[name][0]
    if callable(target):
        return target(world["objects"])
    if target and target.startswith("?"):
        return f"{reverse(name)}?region={world['objects'][target[1:]].pk}"
    return reverse(name, kwargs={"pk": world["objects"][target].pk} if target else None)


def sign_in(client, world, role):
    client.logout()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


@pytest.mark.parametrize("name", sorted(RULES))
def test_who_may_open_each_page(name, world, client):
    url, (_, readers, _) = url_of(name, world), RULES[name]
    outcome = {role: sign_in(client, world, role).get(url).status_code for role in ROLES}
    if readers is None:  # POST only: nobody reads anything through GET
        assert outcome.pop("anonymous") in (302, 405), f"{name}: {outcome}"
        assert set(outcome.values()) <= {403, 404, 405}, f"{name} must refuse GET: {outcome}"
        return
    assert {role for role, status in outcome.items() if status == 200} == readers, f"{name}: {outcome}"
    for role, status in outcome.items():
        if role not in readers:
            # A GET changes nothing, so a signed-in user may also be sent elsewhere (e.g. to its own unit's page).
            expected = (302,) if role == "anonymous" else (302, 403, 404, 405)
            assert status in expected, f"{name}: {role} got {status}"


@pytest.mark.parametrize("name", sorted(n for n, rule in RULES.items() if rule[2] != set(ROLES)))
def test_who_may_change_through_each_page(name, world, client):
    """A POST from a role without the right changes nothing: it is refused before any form is read."""
    url, (_, _, writers) = url_of(name, world), RULES[name]
    for role in ROLES:
        if role in writers:
            continue
        status = sign_in(client, world, role).post(url, {}).status_code
        if role == "anonymous":
            assert status in (302, 405), f"{name}: anonymous POST got {status}"
        else:
            assert status in (403, 404, 405), f"{name}: {role} POST got {status}"
    for role in sorted(writers):
        # Every allowed role is let through (a form error re-rendered, a redirect after success, or a refusal
        # message); each POST is rolled back so that every role meets the same data.
        with transaction.atomic():
            status = sign_in(client, world, role).post(url, {}).status_code
            transaction.set_rollback(True)
        assert status in (200, 302, 400), f"{name}: {role} may change but got {status}"
