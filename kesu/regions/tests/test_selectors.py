import pytest

from kesu.accounts.scope import Scope
from kesu.regions import selectors, services

from .helpers import load_sample, make_user, region


@pytest.fixture
def tree(db):
    load_sample(townships=["511725", "441900"])


def test_subtree_and_ancestors(tree):
    dazhou = region("511700")
    names = set(selectors.region_subtree(dazhou).values_list("name", flat=True))
    assert names == {"达州市", "通川区", "渠县", "宣汉县", "渠江街道", "天星街道"}
    assert "达州市" not in set(selectors.region_subtree(dazhou, include_self=False).values_list("name", flat=True))
    township = region("511725").children.get(name="天星街道")
    assert [r.code for r in selectors.region_ancestors(township)] == ["510000", "511700", "511725"]
    assert [r.code for r in selectors.region_ancestors(township, include_self=True)][-1] == township.code


def test_children_counts(tree):
    rows = {r.name: r for r in selectors.region_children(region("511700"))}
    assert rows["渠县"].child_count == 2
    assert rows["宣汉县"].child_count == 0


def test_visible_for_office_is_its_subtree(tree):
    office = make_user("o", "office", region=region("511725"))
    visible = set(selectors.regions_visible(Scope.for_user(office)).values_list("code", flat=True))
    assert "511725" in visible and "511722" not in visible and "510000" not in visible
    assert len(visible) == 3


def test_tree_is_one_query_and_nested(tree, django_assert_num_queries):
    admin = Scope.for_user(make_user("a", "admin"))
    sichuan = region("510000")
    with django_assert_num_queries(1):
        nodes = selectors.region_tree(admin, sichuan, depth=3)
    dazhou = nodes[0]
    assert dazhou["region"].name == "达州市"
    qu = next(n for n in dazhou["children"] if n["region"].name == "渠县")
    assert [c["region"].name for c in qu["children"]] == ["渠江街道", "天星街道"]
    with django_assert_num_queries(1):
        top = selectors.region_tree(admin, None, depth=1)
    assert {n["region"].name for n in top} == {"四川省", "北京市", "广东省"}


def test_tree_respects_scope(tree):
    office = make_user("o", "office", region=region("511725"))
    nodes = selectors.region_tree(Scope.for_user(office), region("511700"), depth=2)
    assert [n["region"].name for n in nodes] == ["渠县"]


def test_subtree_follows_a_move(tree):
    admin = make_user("a", "admin")
    township = region("511725").children.get(name="天星街道")
    services.region_create(actor=admin, parent=township, name="某村")
    services.region_move(actor=admin, region=township.children.get(), new_parent=region("511725").children.get(
        name="渠江街道"))
    assert selectors.region_subtree(township).count() == 1
