"""The 考核 scoring rules on their own."""

from decimal import Decimal as D

from kesu.assessment import rules


def test_target_completion_earns_its_share_capped():
    half = rules.automatic_points(rules.TARGET, D(20), {"cap": 1}, rules.Facts(actual=D(6), target=D(12)))
    over = rules.automatic_points(rules.TARGET, D(20), {"cap": 1}, rules.Facts(actual=D(15), target=D(12)))
    assert half.points == D("10.0") and "完成 50.0%" in half.explanation
    assert over.points == D("20.0")


def test_missing_data_is_said_not_guessed():
    assert rules.automatic_points(rules.TARGET, D(20), {}, rules.Facts(actual=None, target=D(12))).explanation == "未填报"
    no_target = rules.automatic_points(rules.TARGET, D(20), {}, rules.Facts(actual=D(3)))
    assert no_target.points is None and no_target.explanation == "未设定目标值"
    assert rules.automatic_points(rules.ON_TIME, D(10), {}, rules.Facts()).points is None


def test_on_time_and_activities():
    assert rules.automatic_points(rules.ON_TIME, D(20), {}, rules.Facts(returns_due=4, returns_on_time=3)).points == D(15)
    capped = rules.automatic_points(rules.ACTIVITIES, D(30), {"per_activity": 3}, rules.Facts(activities=14))
    assert capped.points == D(30) and capped.explanation == "开展活动 14 次"


def test_grades_follow_configurable_thresholds():
    thresholds = {"优秀": 90, "良好": 80, "合格": 60}
    assert [rules.grade(D(t), thresholds) for t in (95, 90, 85, 60, 59.9)] == ["优秀", "优秀", "良好", "合格", "不合格"]
    assert rules.grade(D(85), {"优秀": 85, "合格": 50}) == "优秀"


def test_equal_totals_share_a_place():
    assert rules.rank([("a", D(90)), ("b", D(95)), ("c", D(90)), ("d", D(70)), ("e", None)]) == {
        "b": 1, "a": 2, "c": 2, "d": 4}
