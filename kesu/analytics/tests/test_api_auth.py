"""API authentication: 401 (never a CSRF refusal) for a missing or wrong credential, the Chinese CSRF refusal for
a signed-in browser that forgets its token, and HTTP Basic only where the installation enables it."""

import base64
import json

import pytest
from django.test import Client

from kesu.collection.models import IndicatorValue

pytestmark = pytest.mark.django_db

BODY = json.dumps({"dataValues": []})


def basic(user, password="kesu-test-pw"):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{user.username}:{password}".encode()).decode()}


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer ksu_wrong"}, {"HTTP_AUTHORIZATION": "Basic eDp5"}])
def test_a_write_without_valid_credentials_is_401_not_a_csrf_refusal(client, world, headers):
    r = client.post("/api/dataValueSets", data=BODY, content_type="application/json", **headers)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_browser_without_its_csrf_token_gets_a_chinese_refusal(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.office)
    r = browser.post("/api/dataValueSets", data=BODY, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed" and "CSRF 校验失败" in r.json()["message"]


def test_basic_auth_is_off_unless_enabled(client, world, settings):
    payload = json.dumps({"dataValues": [{"dataElement": "VISITS", "period": "2024", "orgUnit": "511725100",
                                          "value": "1"}]})
    r = client.get("/api/regions", **basic(world.office))
    assert r.status_code == 401
    settings.KESU_API_BASIC_AUTH = True
    assert client.get("/api/regions", **basic(world.office)).status_code == 200
    assert "Basic" in client.get("/api/regions")["WWW-Authenticate"]
    assert client.get("/api/regions", **basic(world.office, "wrong")).status_code == 401
    r = client.post("/api/dataValueSets?dryRun=true", data=payload, content_type="application/json",
                    **basic(world.office))
    assert r.status_code in (200, 409) and "response" in r.json()  # authenticated: an ImportSummary, no CSRF step
    assert not IndicatorValue.objects.filter(period_id="2024", value=1).exists()
