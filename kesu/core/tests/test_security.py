"""Production settings pass Django's deployment checklist; every page carries the security headers and a CSP that
allows no inline script, and no template relies on one."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "KESU_DEBUG": "0", "KESU_HTTPS": "1", "KESU_ALLOWED_HOSTS": "kesu.example.gov.cn",
    "KESU_SECRET_KEY": "c3Vw3r-s3cr3t-k3y-0f-th3-pr0duct10n-1nstanc3-Zq8vW2xT7yN4mK9pR1sL6dF3gH5jB0",
}


def _check_deploy(env: dict) -> subprocess.CompletedProcess:
    keep = ("KESU_DATA_DIR", "KESU_DATABASE_URL")
    full = {k: v for k, v in os.environ.items()
            if (not k.startswith("KESU_") or k in keep) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for Playwright
    full.update(env, DJANGO_SETTINGS_MODULE="kesu.settings")
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=full, capture_output=True, text=True, cwd=PACKAGE.parent, timeout=120)


def test_check_deploy_is_clean_with_the_production_settings():
    result = _check_deploy(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_https():
    result = _check_deploy({**PRODUCTION_ENV, "KESU_HTTPS": "0"})
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):  # HSTS, redirect, cookies
        assert check in result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_carry_a_nonce_csp_and_the_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert client.get("/accounts/login/")["Content-Security-Policy"] != csp  # a fresh nonce per response
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    """The CSP refuses them in the browser; this finds them before a page silently stops working."""
    offenders = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [f"{template.relative_to(PACKAGE)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert not offenders
