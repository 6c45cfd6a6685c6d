"""The regions app's REST routes: the region tree of the caller's area."""

from ninja import Router, Schema

from kesu.accounts.api_auth import scope_of
from kesu.core.api import Limit, Offset, page

from .models import Region

router = Router()


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
    path: str
    population_10k: float | None



@router.get("/regions", response=list[RegionOut], summary="行政区域（本辖区）",
            operation_id="kesu_analytics_api_meta_regions")
def regions(request, parent: str | None = None, limit: Limit = 500, offset: Offset = 0):
    scope = scope_of(request)
    qs = scope.regions(Region.objects.select_related("parent").order_by("path"))
    if parent:
        qs = qs.filter(parent__code=parent)
    return [RegionOut(code=r.code, name=r.name, level=r.level, parent=r.parent.code if r.parent else None,
                      path=r.path, population_10k=float(r.population_10k) if r.population_10k is not None else None)
            for r in page(qs, limit, offset)]
