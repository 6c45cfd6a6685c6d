"""Login throttling: after LIMIT failed attempts for one user name from one IP address within WINDOW, further
attempts are refused (even with the right password) until the window has passed. Stored in the database, so it
holds across worker processes and restarts; a successful sign-in clears the count."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import LoginFailure


def limit() -> int:
    return getattr(settings, "KESU_LOGIN_FAILURE_LIMIT", 5)


def window() -> timedelta:
    return timedelta(minutes=getattr(settings, "KESU_LOGIN_LOCK_MINUTES", 15))


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: a forwarded header can be forged by the client unless a trusted proxy rewrites it, so a
    # deployment behind a reverse proxy sets REMOTE_ADDR there (see docs/security.md).
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def _recent(username: str, ip: str | None):
    return LoginFailure.objects.filter(username=username.lower(), ip=ip, at__gte=timezone.now() - window())


def is_locked(username: str, ip: str | None) -> bool:
    return _recent(username, ip).count() >= limit()


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip)
    # Old rows are of no use; dropping them here keeps the table small without a scheduled job.
    LoginFailure.objects.filter(at__lt=timezone.now() - window() * 4).delete()


def clear(username: str, ip: str | None) -> None:
    LoginFailure.objects.filter(username=username.lower(), ip=ip).delete()
