"""Cross-level consistency: a region reported its own total and its units/child regions reported too, and the two
differ. Every such mismatch is listed for the office to resolve."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from kesu.accounts.scope import Scope
from kesu.collection.models import RollupRow
from kesu.plans.models import Indicator
from kesu.regions.models import Region

from .explore import analysis_root
from .figures import Plan, live_figures, use_stored


@dataclass
class Mismatch:
    region: Region
    indicator: Indicator
    period_id: str
    own: Decimal
    parts: Decimal
    unapproved: bool = False

    @property
    def difference(self) -> Decimal:
        return self.own - self.parts

    @property
    def percent(self) -> Decimal | None:
        return self.difference / self.parts * 100 if self.parts else None


def mismatches(scope: Scope, *, region=None, period_ids, indicators=None, include_submitted=False,
               limit: int = 500) -> list[Mismatch]:
    root = analysis_root(scope, region)
    indicators = list(indicators) if indicators is not None else list(Indicator.objects.all())
    by_id = {i.pk: i for i in indicators}
    found = []
    if use_stored() and not include_submitted:
        rows = (RollupRow.objects.filter(own__isnull=False, parts__isnull=False, period_id__in=list(period_ids),
                                         region__path__startswith=root.path, indicator_id__in=list(by_id))
                .exclude(own=F("parts")).select_related("region").order_by("region__path", "indicator_id",
                                                                            "period_id")[:limit])
        found = [Mismatch(r.region, by_id[r.indicator_id], r.period_id, r.own, r.parts) for r in rows]
    else:
        figs = live_figures(Plan.for_indicators(indicators), root, list(period_ids),
                            include_submitted=include_submitted)
        bad = [(k, f) for k, f in figs.items() if k[0] in by_id and f.own is not None and f.parts is not None
               and f.own != f.parts]
        regions = Region.objects.in_bulk({k[1] for k, _ in bad})
        found = [Mismatch(regions[r], by_id[i], p, f.own, f.parts, f.unapproved) for (i, r, p), f in bad]
        found.sort(key=lambda m: (m.region.path, m.indicator.sort, m.period_id))
        found = found[:limit]
    return found
