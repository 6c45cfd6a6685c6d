"""The built-in frameworks and indicator catalogue: loading, idempotence, and refusal of broken files."""

import textwrap

import pytest

from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.orgs.models import UnitKind
from kesu.plans.loader import load_builtin
from kesu.plans.models import (
    POPULATIONS,
    Framework,
    FrameworkItem,
    Indicator,
    ItemKind,
    RegionAggregation,
    TimeAggregation,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Framework.objects.values_list("code", "name", "doc_no", "start_year", "end_year")),
        sorted(FrameworkItem.objects.values_list("framework__code", "code", "name", "parent__code", "unverified")),
        sorted(Indicator.objects.values_list("code", "name", "unit", "region_aggregation", "time_aggregation")),
    )


def test_builtin_frameworks_load_with_their_structure():
    result = load_builtin()
    assert result.created["framework"] == 2
    f2021 = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    assert f2021.doc_no == "国发〔2021〕9号"
    actions = f2021.items.filter(kind=ItemKind.ACTION, parent__isnull=True).order_by("sort")
    projects = f2021.items.filter(kind=ItemKind.PROJECT, parent__isnull=True).order_by("sort")
    assert [a.code for a in actions] == ["A1", "A2", "A3", "A4", "A5"]
    assert [p.code for p in projects] == ["P1", "P2", "P3", "P4", "P5"]
    assert actions[0].name == "青少年科学素质提升行动"
    assert set(actions[0].local_lead_kinds) == {"education", "cast", "youth_league", "women"}
    assert "教育部" in actions[0].default_leads
    assert f2021.items.get(code="A1.1").parent.code == "A1"
    # Sub-items from unverified sources stay marked; the one confirmed P2 sub-item is not.
    assert f2021.items.get(code="A1.1").unverified is True
    assert f2021.items.get(code="P2.1").unverified is False
    assert f2021.details["baseline"]["ratio_pct"] == 10.56
    assert [(t["year"], t["ratio_pct"]) for t in f2021.details["targets"]] == [(2025, 15), (2035, 25)]
    for item in f2021.items.all():
        assert all(kind in UnitKind.values for kind in item.local_lead_kinds)

    f2006 = Framework.objects.get(code="kxsz-2006-2020", region__isnull=True)
    assert f2006.doc_no == "国发〔2006〕7号"
    populations = f2006.items.filter(kind=ItemKind.POPULATION).order_by("sort")
    assert [p.population for p in populations] == ["未成年人", "农民", "城镇劳动者", "领导干部和公务员"]
    basics = f2006.items.filter(kind=ItemKind.BASIC_PROJECT)
    assert basics.count() == 4 and all(b.unverified for b in basics)
    assert f2006.details["motto"] == "政府推动，全民参与，提升素质，促进和谐"
    assert [b["ratio_pct"] for b in f2006.details["baseline"]] == [1.6, 3.27, 6.2, 10.56]


def test_loading_twice_changes_nothing():
    load_builtin()
    before = _snapshot()
    events = AuditEvent.objects.count()
    result = load_builtin()
    assert not result.changed
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events


def test_reload_restores_builtins_but_leaves_localised_copies_and_local_indicators(regions):
    from kesu.plans.services import framework_localise, indicator_create

    load_builtin()
    builtin = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    copy = framework_localise(actor=None, framework=builtin, region=regions["county"])
    copy_item = copy.items.get(code="P5")
    copy_item.name = "科普人才建设工程"
    copy_item.save()
    local = indicator_create(actor=None, region=regions["county"], code="LOCAL_X", name="本地指标", category="base",
                             unit="个")
    FrameworkItem.objects.filter(framework=builtin, code="A1").update(name="被改动的名称")
    Indicator.objects.filter(code="HR_FULL").update(unit="万人")

    result = load_builtin()
    assert result.updated["item"] == 1 and result.updated["indicator"] == 1
    assert builtin.items.get(code="A1").name == "青少年科学素质提升行动"
    assert Indicator.objects.get(code="HR_FULL").unit == "人"
    assert copy.items.get(code="P5").name == "科普人才建设工程"
    assert Framework.objects.filter(code="kxsz-2021-2035").count() == 2
    assert Indicator.objects.filter(pk=local.pk, name="本地指标").exists()


def test_catalogue_has_enough_complete_indicators():
    load_builtin()
    indicators = list(Indicator.objects.filter(region__isnull=True))
    assert len(indicators) >= 60
    codes = {i.code for i in indicators}
    for code in ["BASE_POP", "LIT_RATIO", "HR_FULL", "SITE_MUSEUM", "FUND_RAISED", "MEDIA_MATERIALS",
                 "ACT_LECTURE_N", "ACT_LECTURE_P", "TRN_FARMER_SESSIONS", "TRN_FARMER_P", "DEMO_VILLAGE",
                 "DEMO_BOARD_COVER", "BASE_VILLAGES_WITH_BOARD"]:
        assert code in codes
    for ind in indicators:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ind.name), ind.code
        assert ind.unit, ind.code
        assert ind.region_aggregation in RegionAggregation.values
        assert ind.time_aggregation in TimeAggregation.values
        assert len(ind.aliases) >= 2, ind.code
        if ind.population:
            assert ind.population in POPULATIONS
    categories = {i.category for i in indicators}
    assert len(categories) == 9


def test_every_ratio_names_existing_non_ratio_parts():
    load_builtin()
    by_code = {i.code: i for i in Indicator.objects.all()}
    ratios = [i for i in by_code.values() if i.is_ratio]
    assert len(ratios) >= 5
    for ratio in ratios:
        assert ratio.numerator and ratio.denominator
        for part in ratio.numerator + ratio.denominator:
            assert part in by_code, (ratio.code, part)
            assert not by_code[part].is_ratio
    board = by_code["DEMO_BOARD_COVER"]
    assert board.numerator == ["BASE_VILLAGES_WITH_BOARD"] and board.factor == 100


def test_flows_sum_and_stocks_take_latest_over_time():
    load_builtin()
    assert Indicator.objects.get(code="TRN_FARMER_P").time_aggregation == TimeAggregation.SUM
    assert Indicator.objects.get(code="DEMO_VILLAGE").time_aggregation == TimeAggregation.LATEST
    assert Indicator.objects.get(code="DEMO_VILLAGE").region_aggregation == RegionAggregation.SUM
    assert Indicator.objects.get(code="LIT_RATIO").region_aggregation == RegionAggregation.NONE
    farmer = Indicator.objects.get(code="TRN_FARMER_P")
    assert farmer.population == "农民"
    assert {"农民培训人次", "培训农民", "参训农民"} <= set(farmer.aliases)
    assert {"发放宣传资料", "发放资料"} <= set(Indicator.objects.get(code="MEDIA_MATERIALS").aliases)


# -- broken files --------------------------------------------------------------------------------------------------

GOOD_INDICATORS = """
indicators:
  - {code: X_A, name: 甲, category: base, unit: 个, region_agg: sum, time_agg: latest}
  - {code: X_B, name: 乙, category: base, unit: 个, region_agg: sum, time_agg: latest}
"""

GOOD_FRAMEWORK = """
code: test-fw
name: 测试纲要
start_year: 2021
end_year: 2025
items:
  - {code: A1, kind: action, name: 行动一}
  - {code: A1.1, parent: A1, kind: subitem, name: 子项}
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _load(tmp_path, framework=GOOD_FRAMEWORK, indicators=GOOD_INDICATORS):
    return load_builtin(framework_files=[_write(tmp_path, "fw.yaml", framework)],
                        indicator_file=_write(tmp_path, "ind.yaml", indicators))


def _nothing_written():
    assert Framework.objects.count() == 0
    assert FrameworkItem.objects.count() == 0
    assert Indicator.objects.count() == 0


def test_small_good_files_load(tmp_path):
    result = _load(tmp_path)
    assert result.created == {"framework": 1, "item": 2, "indicator": 2}


def test_subitem_with_missing_parent_is_refused_naming_file_item_and_field(tmp_path):
    broken = GOOD_FRAMEWORK + "  - {code: A9.1, parent: A9, kind: subitem, name: 孤儿条目}\n"
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path, framework=broken)
    message = exc.value.message
    assert "fw.yaml" in message and "A9.1" in message and "parent" in message and "A9" in message
    assert exc.value.field == "parent"
    _nothing_written()


def test_parent_defined_after_child_is_accepted(tmp_path):
    reordered = GOOD_FRAMEWORK + "  - {code: B1.1, parent: B1, kind: subitem, name: 先子}\n" \
                                 "  - {code: B1, kind: project, name: 后父}\n"
    _load(tmp_path, framework=reordered)
    assert FrameworkItem.objects.get(code="B1.1").parent.code == "B1"


def test_ratio_naming_a_missing_indicator_is_refused(tmp_path):
    broken = GOOD_INDICATORS + ("  - {code: X_R, name: 比率, category: base, unit: '%', region_agg: ratio, "
                                "time_agg: latest, numerator: [X_A], denominator: [X_MISSING], factor: 100}\n")
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path, indicators=broken)
    message = exc.value.message
    assert "ind.yaml" in message and "X_R" in message and "denominator" in message and "X_MISSING" in message
    _nothing_written()


def test_ratio_may_reference_an_indicator_defined_later(tmp_path):
    text = ("indicators:\n"
            "  - {code: X_R, name: 比率, category: base, unit: '%', region_agg: ratio, time_agg: latest,"
            " numerator: [X_A], denominator: [X_B], factor: 100}\n" + GOOD_INDICATORS.split("indicators:\n")[1])
    _load(tmp_path, indicators=text)
    assert Indicator.objects.get(code="X_R").denominator == ["X_B"]


def test_unknown_aggregation_is_refused(tmp_path):
    broken = GOOD_INDICATORS + "  - {code: X_C, name: 丙, category: base, unit: 个, region_agg: median, time_agg: sum}\n"
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path, indicators=broken)
    assert "X_C" in exc.value.message and "region_agg" in exc.value.message and "median" in exc.value.message
    _nothing_written()


def test_unknown_time_aggregation_is_refused(tmp_path):
    broken = GOOD_INDICATORS + "  - {code: X_C, name: 丙, category: base, unit: 个, region_agg: sum, time_agg: total}\n"
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path, indicators=broken)
    assert "time_agg" in exc.value.message
    _nothing_written()


def test_missing_unit_and_unknown_unit_kind_are_refused(tmp_path):
    no_unit = GOOD_INDICATORS + "  - {code: X_C, name: 丙, category: base, region_agg: sum, time_agg: sum}\n"
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path, indicators=no_unit)
    assert "X_C" in exc.value.message and "unit" in exc.value.message
    bad_kind = GOOD_FRAMEWORK + "  - {code: A2, kind: action, name: 行动二, local_lead_kinds: [education, ministry]}\n"
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path, framework=bad_kind)
    assert "A2" in exc.value.message and "local_lead_kinds" in exc.value.message
    _nothing_written()


def test_a_late_refusal_rolls_back_everything_written_before(tmp_path, regions):
    """X_A is written before X_B is found to clash with a local indicator; the whole load must roll back."""
    Indicator.objects.create(code="X_B", name="本地乙", category="base", unit="个", region=regions["county"])
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path)
    assert "X_B" in exc.value.message and "渠县" in exc.value.message
    assert not Indicator.objects.filter(code="X_A").exists()
    assert Framework.objects.count() == 0 and FrameworkItem.objects.count() == 0


def test_the_same_framework_code_in_two_files_is_refused(tmp_path):
    good = _write(tmp_path, "good.yaml", GOOD_FRAMEWORK)
    clash = _write(tmp_path, "clash.yaml", GOOD_FRAMEWORK)
    with pytest.raises(ApplicationError) as exc:
        load_builtin(framework_files=[good, clash], indicator_file=_write(tmp_path, "ind.yaml", GOOD_INDICATORS))
    assert "test-fw" in exc.value.message
    _nothing_written()


def test_invalid_yaml_is_refused_naming_the_file(tmp_path):
    with pytest.raises(ApplicationError) as exc:
        _load(tmp_path, framework="code: [unclosed\n")
    assert "fw.yaml" in exc.value.message
    _nothing_written()


def test_management_command_loads(capsys):
    from django.core.management import call_command

    call_command("load_frameworks")
    call_command("load_frameworks")
    out = capsys.readouterr().out
    assert "已载入" in out and "已是最新" in out
    assert Framework.objects.filter(region__isnull=True).count() == 2
