"""The analytics pages' query parameters, read in one place: region, indicators, periods and flags.

Every analytics page reads the same few parameters: ``region`` (a code, checked against the scope), ``indicators``
(codes; the first few the user may see when none are given), a period — one (``period``) or several (``periods``,
repeated or comma-separated, as a report's source link writes them) — and check boxes. The period defaults to the
year ``selectors.periods.year_choice`` picks for the region, so no page opens on a blank year, and the page says which.
"""

from dataclasses import dataclass, replace

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.core.params import year_param
from kesu.core.periods import Period
from kesu.plans.selectors import indicators_for_scope
from kesu.regions.models import Region

from .selectors.explore import analysis_root, child_regions, resolve_indicators, resolve_periods
from .selectors.periods import YearChoice, year_choice


@dataclass
class AnalysisParams:
    """One request's analysis parameters; ``indicators()`` and ``periods()`` raise ``ApplicationError`` on bad input
    (the page shows the message beside its form)."""

    scope: Scope
    root: Region
    all_indicators: list
    codes: list[str]
    choice: YearChoice
    period_ids: list[str]
    period_asked: bool
    include_submitted: bool

    def indicators(self) -> list:
        return resolve_indicators(self.scope, self.codes)

    def periods(self) -> list[Period]:
        return resolve_periods(self.period_ids)

    @property
    def period_id(self) -> str:
        return self.period_ids[0]

    def regions(self) -> list[Region]:
        """The regions offered in the picker: the scope's own, the current one's parent chain and its children."""
        base = analysis_root(self.scope)
        chain = [r for r in Region.objects.filter(path__in=[*self.root.ancestor_paths, self.root.path])
                 .order_by("depth") if self.scope.sees_region(r)]
        return list(dict.fromkeys([base, *chain, *child_regions(self.root)]))

    def context(self) -> dict:
        """What every analytics template reads for its form and its period note."""
        return {"root": self.root, "regions": self.regions(), "all_indicators": self.all_indicators,
                "codes": self.codes, "choice": self.choice, "period_asked": self.period_asked,
                "include_submitted": self.include_submitted}


def flag(data, name: str) -> bool:
    """A check box or ``?name=1``."""
    return str(data.get(name) or "").lower() in ("1", "on", "true", "yes")


def asked_periods(data, name: str) -> list[str]:
    """The period ids in ``data[name]``: repeated (a multiple select) or comma-separated (a typed or linked list)."""
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
    return [p.strip() for v in values for p in str(v).replace("，", ",").split(",") if p.strip()]


def analysis_params(scope: Scope, data, *, period_field: str = "period", indicator_count: int = 0,
                    default_periods=None) -> AnalysisParams:
    """Read ``data`` (request.GET) for an analytics page.

    ``period_field`` is ``period`` (one), ``periods`` (several) or ``year`` (a calendar year, checked as a
    parameter: a bad one is a 400). ``default_periods(year)`` gives the periods shown when none are asked (default:
    the chosen year alone). ``indicator_count`` is how many of the scope's indicators are preselected.
    """
    root = analysis_root(scope, data.get("region"))
    all_indicators = indicators_for_scope(scope) if indicator_count else []
    codes = [c for v in data.getlist("indicators") for c in v.split(",") if c.strip()] if hasattr(
        data, "getlist") else []
    codes = codes or [i.code for i in all_indicators[:indicator_count]]
    if period_field == "year":
        year = year_param(data)
        asked = [str(year)] if year else []
    else:
        asked = asked_periods(data, period_field)
    year = _year_of(asked)
    choice = year_choice(root, year)
    if year is not None and asked != [str(choice.year)]:
        choice = replace(choice, picked=tuple(asked), chosen=True)
    ids = asked or (default_periods(choice.year) if default_periods else [str(choice.year)])
    return AnalysisParams(scope=scope, root=root, all_indicators=all_indicators, codes=codes, choice=choice,
                          period_ids=ids, period_asked=bool(asked), include_submitted=flag(data, "include_submitted"))


def _year_of(ids: list[str]) -> int | None:
    """The year of the first asked period when every asked id is a period; None otherwise (the default year
    stands, and ``periods()`` names the wrong id on the page)."""
    try:
        return [Period.parse(pid).year for pid in ids][0] if ids else None
    except ApplicationError:
        return None
