"""The audit page: who changed what in a period, for offices (their region subtree) and the administrator, with
CSV and XLSX exports of the same filtered list. Read-only: the page offers no way to change an event."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.regions.models import Region

from . import audit_log

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _regions(scope: Scope):
    """Regions offered in the filter: the scope's own region and two levels below it."""
    qs = Region.objects.order_by("path")
    if scope.is_admin:
        return qs.filter(depth__lte=2)[:300]
    own = Region.objects.get(pk=scope.region_id)
    return scope.regions(qs).filter(depth__lte=own.depth + 2)[:300]


def _row(event):
    return (event, audit_log.changes_text(event), audit_log.actor_label(event),
            audit_log.ENTITY_LABELS.get(event.object_type, event.object_type), audit_log.action_label(event))


@require_safe
def audit_log_view(request):
    scope = Scope.for_user(request.user)
    audit_log.require_reader(scope)
    try:
        filters = audit_log.parse_filters(request.GET)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        filters = audit_log.Filters()
    qs = audit_log.events(scope, filters)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        body = audit_log.export_csv(qs) if export == "csv" else audit_log.export_xlsx(qs)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8" if export == "csv" else XLSX)
        response["Content-Disposition"] = f'attachment; filename="audit-log.{export}"'
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "collection/audit_log.html", {
        "page": page, "filters": filters, "entities": sorted(audit_log.ENTITY_LABELS.items(), key=lambda e: e[1]),
        "regions": _regions(scope), "query": query.urlencode(), "rows": [_row(e) for e in page],
    })
