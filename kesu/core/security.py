"""Security headers on every response: a nonce-based Content-Security-Policy and a Permissions-Policy.

The policy allows scripts from our own origin and inline scripts that carry this response's nonce only; pages keep
no inline handlers (``onclick=`` …): behaviour lives in static files (kesu/core/static/kesu/kesu.js) and is bound
through data attributes. Styles may be inline (Bootstrap components, ECharts and HTMX set style attributes), which
cannot run code. Reports and charts load nothing from other origins (offline networks), so ``'self'`` suffices.
"""

import secrets

from django.conf import settings

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb"))


def policy(nonce: str) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    extra = getattr(settings, "KESU_CSP_EXTRA", {})
    for name, value in extra.items():
        directives[name] = f"{directives.get(name, '')} {value}".strip()
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy(request.csp_nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
