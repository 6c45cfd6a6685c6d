"""The orgs app's REST routes: the member units of the caller's area."""

from ninja import Router, Schema

from kesu.accounts.api_auth import scope_of
from kesu.core.api import Limit, Offset, page

from .models import Unit

router = Router()


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    region: str
    valid_to: str | None



@router.get("/units", response=list[UnitOut], summary="成员单位（本辖区）",
            operation_id="kesu_analytics_api_meta_units")
def units(request, region: str | None = None, limit: Limit = 500, offset: Offset = 0):
    scope = scope_of(request)
    qs = Unit.objects.filter(scope.unit_q()).select_related("region").order_by("region__path", "sort", "id")
    if region:
        qs = qs.filter(region__code=region)
    return [UnitOut(id=u.pk, name=u.name, short_name=u.short_name, kind=u.kind, region=u.region.code,
                    valid_to=u.valid_to.isoformat() if u.valid_to else None) for u in page(qs, limit, offset)]
