"""The analytics app's REST route, a read: indicators × region × periods grouped by child region, unit, item,
population or period (the write routes live with their apps)."""

from ninja import Query, Router, Schema

from kesu.accounts.api_auth import scope_of
from kesu.core.api import PeriodList
from kesu.core.configuration import configuration_held

from .selectors.explore import explore, resolve_indicators, resolve_periods

router = Router()


class AnalyticsQuery(Schema):
    indicators: str = ""
    region: str | None = None
    periods: PeriodList
    group_by: str = "region"
    include_submitted: bool = False


@router.get("/analytics", summary="汇总查询（实时，默认只含已审核数据）",
            operation_id="kesu_analytics_api_query_analytics")
def analytics(request, q: Query[AnalyticsQuery]):
    scope = scope_of(request)
    with configuration_held(per_version=True):  # the region, its children and the indicators: one token read
        table = explore(scope, indicators=resolve_indicators(scope, q.indicators.split(",") if q.indicators else []),
                        region=q.region, periods=resolve_periods(q.periods.split(",")), group_by=q.group_by,
                        include_submitted=q.include_submitted)
    return table.as_json()
