"""Analytics queries: indicators × region × periods grouped by child region, unit, item, population or period."""

from ninja import Query, Router, Schema

from ..selectors.explore import explore, resolve_indicators, resolve_periods
from .common import PeriodList, scope_of

router = Router()


class AnalyticsQuery(Schema):
    indicators: str = ""
    region: str | None = None
    periods: PeriodList
    group_by: str = "region"
    include_submitted: bool = False


@router.get("/analytics", summary="汇总查询（实时，默认只含已审核数据）")
def analytics(request, q: Query[AnalyticsQuery]):
    scope = scope_of(request)
    table = explore(scope, indicators=resolve_indicators(scope, q.indicators.split(",") if q.indicators else []),
                    region=q.region, periods=resolve_periods(q.periods.split(",")), group_by=q.group_by,
                    include_submitted=q.include_submitted)
    return table.as_json()
