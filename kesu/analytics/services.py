"""Writes of the analytics app: API tokens and public pages. (Figures are never written here.)"""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from .models import ApiToken, Publication, PublicationStatus


def token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token for ``actor``; returns (row, raw token). The raw token is never stored."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("请填写令牌名称（例如：数据交换脚本）。", field="name")
    if len(name) > 60:
        raise ApplicationError("令牌名称不能超过 60 个字。", field="name")
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= 20:
        raise ApplicationError("有效令牌已达 20 个，请先撤销不用的令牌。", field="name")
    raw = ApiToken.PREFIX + secrets.token_urlsafe(30)
    with transaction.atomic():
        token = ApiToken.objects.create(user=actor, name=name, prefix=raw[:10], digest=ApiToken.hash(raw))
        audit.record(actor=actor, action="create", instance=token, changes={"name": [None, name]})
    return token, raw


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("只能撤销自己的令牌")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit.record(actor=actor, action="revoke", instance=token)
    return token


def token_user(raw: str):
    """The user of an active token (and mark it used), or None."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, at most every 5 minutes
    return token.user


def _require_manager(actor, region) -> None:
    scope = Scope.for_user(actor)
    if not scope.manages_region(region):
        raise PermissionDenied("只有本级办公室可以管理公开发布")


def publication_save(*, actor, region, title: str, year: int, indicators, note: str = "",
                     publication: Publication | None = None) -> Publication:
    """Create or edit a draft. Editing a published page takes it back to draft (it must be reviewed again)."""
    _require_manager(actor, region)
    title = (title or "").strip()
    if not title:
        raise ApplicationError("请填写公开页面标题。", field="title")
    indicators = list(indicators)
    if not indicators:
        raise ApplicationError("请至少选择一个公开指标。", field="indicators")
    if not 1990 <= int(year) <= 2100:
        raise ApplicationError(f"年份“{year}”不正确。", field="year")
    with transaction.atomic():
        old = None
        if publication is None:
            publication = Publication(region=region, slug=Publication.new_slug(), created_by=actor)
        else:
            old = {"title": publication.title, "year": publication.year, "status": publication.status}
        publication.title, publication.year, publication.note = title, int(year), (note or "").strip()
        publication.status = PublicationStatus.DRAFT
        publication.save()
        publication.indicators.set(indicators)
        audit.record(actor=actor, action="create" if old is None else "update", instance=publication,
                     changes=audit.model_changes(publication, old, ["title", "year", "status"]),
                     region_path=region.path)
    return publication


def publication_publish(*, actor, publication: Publication) -> Publication:
    _require_manager(actor, publication.region)
    with transaction.atomic():
        old = publication.status
        publication.status = PublicationStatus.PUBLISHED
        publication.published_at, publication.published_by = timezone.now(), actor
        publication.save()
        audit.record(actor=actor, action="publish", instance=publication, changes={"status": [old, "published"]},
                     region_path=publication.region.path)
    return publication


def publication_withdraw(*, actor, publication: Publication) -> Publication:
    _require_manager(actor, publication.region)
    with transaction.atomic():
        old = publication.status
        publication.status = PublicationStatus.WITHDRAWN
        publication.save()
        audit.record(actor=actor, action="withdraw", instance=publication, changes={"status": [old, "withdrawn"]},
                     region_path=publication.region.path)
    return publication
