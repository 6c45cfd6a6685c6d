"""Comparisons: year-on-year, multi-year trends and plan-period spans, rankings of child regions (raw and per
10,000 population), completeness of returns by child region."""

from dataclasses import dataclass
from decimal import Decimal

from kesu.accounts.scope import Scope
from kesu.collection.models import EDITABLE_STATUSES, DataSet, Submission
from kesu.collection.reporting import all_reporters
from kesu.core.periods import Period
from kesu.plans.models import Indicator

from .explore import analysis_root, child_regions, span_total
from .figures import EMPTY, Fig, Plan, figures


@dataclass
class YoY:
    indicator: Indicator
    current: Fig
    previous: Fig

    @property
    def change(self) -> Decimal | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def percent(self) -> Decimal | None:
        if self.change is None or not self.previous.value:
            return None
        return self.change / self.previous.value * 100


def year_on_year(scope: Scope, *, indicators, region=None, period: Period, include_submitted=False) -> list[YoY]:
    root = analysis_root(scope, region)
    indicators = list(indicators)
    prev = period.previous_year()
    figs = figures(Plan.for_indicators(indicators), root, [root], [period.id, prev.id],
                   include_submitted=include_submitted)
    return [YoY(i, figs.get((i.pk, root.pk, period.id), EMPTY), figs.get((i.pk, root.pk, prev.id), EMPTY))
            for i in indicators]


PLAN_SPANS = [("十二五", 2011, 2015), ("十三五", 2016, 2020), ("十四五", 2021, 2025), ("十五五", 2026, 2030)]


def spans(scope: Scope, *, indicators, region=None, spans=PLAN_SPANS[1:3], include_submitted=False):
    """{indicator id: [(span label, Fig)]}: a five-year span sums flows and takes the last year of stocks."""
    root = analysis_root(scope, region)
    indicators = list(indicators)
    years = [str(y) for _, a, b in spans for y in range(a, b + 1)]
    figs = figures(Plan.for_indicators(indicators), root, [root], years, include_submitted=include_submitted)
    out = {}
    for ind in indicators:
        out[ind.pk] = [(label, span_total(ind, {str(y): figs.get((ind.pk, root.pk, str(y)), EMPTY)
                                                 for y in range(a, b + 1)})) for label, a, b in spans]
    return out


@dataclass
class Rank:
    rank: int | None
    region: object
    fig: Fig
    population_10k: Decimal | None

    @property
    def per_10k(self) -> Decimal | None:
        if self.fig.value is None or not self.population_10k:
            return None
        return self.fig.value / self.population_10k


def ranking(scope: Scope, *, indicator: Indicator, region=None, period: Period, per_population=False,
            include_submitted=False) -> list[Rank]:
    """Child regions ranked on ``indicator`` (highest first), raw or per 10,000 population.

    Population is the BASE_POP figure of the same year when reported, else ``Region.population_10k``.
    """
    root = analysis_root(scope, region)
    kids = child_regions(root)
    wanted = [indicator]
    pop = Indicator.objects.filter(code="BASE_POP").first()
    if pop is not None and pop.pk != indicator.pk:
        wanted.append(pop)
    pop_pid = str(period.year)
    figs = figures(Plan.for_indicators(wanted), root, [root, *kids], sorted({period.id, pop_pid}),
                   include_submitted=include_submitted)
    rows = []
    for r in kids:
        p = figs.get((pop.pk, r.pk, pop_pid), EMPTY).value if pop else None
        rows.append(Rank(None, r, figs.get((indicator.pk, r.pk, period.id), EMPTY),
                         p if p is not None else r.population_10k))
    key = (lambda x: x.per_10k) if per_population else (lambda x: x.fig.value)
    ranked = sorted([x for x in rows if key(x) is not None], key=key, reverse=True)
    for i, x in enumerate(ranked, 1):
        x.rank = i
    return ranked + [x for x in rows if key(x) is None]


@dataclass
class CompletenessRate:
    region: object
    expected: int
    submitted: int
    approved: int

    @property
    def rate(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


def completeness_by_region(scope: Scope, *, region=None, period: Period) -> list[CompletenessRate]:
    """Per child region (and the root's own units): expected returns of the active data sets for ``period``'s type,
    how many were submitted or further, how many approved."""
    root = analysis_root(scope, region)
    kids = child_regions(root)
    paths = [*root.ancestor_paths, root.path]
    data_sets = DataSet.objects.filter(is_active=True, region__path__in=paths, period_type=period.kind) \
        .select_related("region").prefetch_related("units")
    status = {}
    for ds, r, u, s in Submission.objects.filter(period_id=period.id, region__path__startswith=root.path,
                                                 data_set__in=data_sets).values_list("data_set_id", "region_id",
                                                                                     "unit_id", "status"):
        status[(ds, r, u)] = s
    buckets = {r.pk: CompletenessRate(r, 0, 0, 0) for r in [root, *kids]}
    kid_paths = [(r.path, r.pk) for r in kids]
    for ds in data_sets:
        for rep in all_reporters(ds, root):
            if rep.unit is None and rep.region.pk == root.pk:
                continue  # the root's own total is chased by the level above
            target = next((pk for path, pk in kid_paths if rep.region.path.startswith(path)), root.pk)
            b = buckets[target]
            b.expected += 1
            s = status.get((ds.pk, rep.region.pk, rep.unit.pk if rep.unit else None))
            if s and s not in EDITABLE_STATUSES:
                b.submitted += 1
                b.approved += s in ("approved", "accepted")
    out = [buckets[r.pk] for r in kids]
    own = buckets[root.pk]
    if own.expected:
        own.region = root
        out.insert(0, own)
    return out
