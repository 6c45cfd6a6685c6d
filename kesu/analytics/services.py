"""Writes of the analytics app: public pages. (Figures are never written here; API tokens live in accounts.)"""


from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kesu.accounts.scope import Scope

# Tokens belong to accounts; their services are re-exported here for callers written before the move.
from kesu.accounts.services import token_create, token_revoke, token_user  # noqa: E402,F401
from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from .models import Publication, PublicationStatus


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
