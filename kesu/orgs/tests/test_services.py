import datetime

import pytest

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.orgs import selectors, services
from kesu.orgs.models import BodyKind, ContactPerson, PostKind, Unit, UnitKind
from kesu.regions.tests.helpers import load_sample, make_user, region

D = datetime.date


@pytest.fixture
def office(db):
    load_sample()
    return make_user("o", "office", region=region("511725"))


@pytest.fixture
def county(office):
    return region("511725")


def unit(office, county, name, kind=UnitKind.OTHER, **kw):
    return services.unit_create(actor=office, region=county, name=name, kind=kind, **kw)


def test_duplicate_unit_name_names_the_unit(office, county):
    unit(office, county, "渠县教育局", UnitKind.EDUCATION)
    with pytest.raises(ApplicationError) as err:
        unit(office, county, " 渠县教育局 ")
    assert "「渠县」已有名为「渠县教育局」的成员单位" in err.value.message
    other = region("511722")
    admin = make_user("a", "admin")
    services.unit_create(actor=admin, region=other, name="渠县教育局", kind=UnitKind.EDUCATION)  # another region: fine
    assert Unit.objects.filter(name="渠县教育局").count() == 2


def test_unit_kind_and_name_validated(office, county):
    with pytest.raises(ApplicationError) as err:
        unit(office, county, "  ")
    assert "单位名称不能为空" in err.value.message
    with pytest.raises(ApplicationError) as err:
        unit(office, county, "某局", kind="nonsense")
    assert "部门类别" in err.value.message


def test_office_cannot_create_units_elsewhere(office):
    with pytest.raises(ApplicationError):
        services.unit_create(actor=office, region=region("511722"), name="宣汉县教育局", kind=UnitKind.EDUCATION)


def test_end_unit_with_successor(office, county):
    old = unit(office, county, "渠县扶贫开发局", valid_from=D(2015, 1, 1))
    new = unit(office, county, "渠县乡村振兴局", valid_from=D(2021, 5, 1))
    services.unit_end(actor=office, unit=old, valid_to=D(2021, 4, 30), successor=new, reason="机构改革")
    old.refresh_from_db()
    assert not old.is_active and old.successor == new and old.valid_to == D(2021, 4, 30)
    assert list(new.predecessors.all()) == [old]
    event = AuditEvent.objects.get(action="unit.end")
    assert event.reason == "机构改革" and event.changes["successor"] == [None, "渠县乡村振兴局"]
    scope = Scope.for_user(office)
    assert old not in selectors.units_for_scope(scope, region=county)
    assert old in selectors.units_for_scope(scope, region=county, active_only=False)


def test_end_refuses_bad_dates_and_successors(office, county):
    old = unit(office, county, "渠县林业局", valid_from=D(2019, 3, 1))
    with pytest.raises(ApplicationError) as err:
        services.unit_end(actor=office, unit=old, valid_to=D(2018, 1, 1))
    assert "撤销日期 2018-01-01 早于成立日期 2019-03-01" in err.value.message
    with pytest.raises(ApplicationError) as err:
        services.unit_end(actor=office, unit=old, valid_to=D(2024, 1, 1), successor=old)
    assert "不能是自己的继任单位" in err.value.message
    elsewhere = services.unit_create(actor=make_user("a", "admin"), region=region("511722"), name="宣汉县林业局",
                                     kind=UnitKind.FORESTRY)
    with pytest.raises(ApplicationError) as err:
        services.unit_end(actor=office, unit=old, valid_to=D(2024, 1, 1), successor=elsewhere)
    assert "不属于「渠县」" in err.value.message
    # a successor chain that leads back is refused
    new = unit(office, county, "渠县自然资源局")
    services.unit_end(actor=office, unit=new, valid_to=D(2024, 1, 1), successor=old)
    with pytest.raises(ApplicationError) as err:
        services.unit_end(actor=office, unit=old, valid_to=D(2024, 1, 1), successor=new)
    assert "循环" in err.value.message
    old.refresh_from_db()
    assert old.is_active


def test_update_refuses_start_after_end(office, county):
    u = unit(office, county, "渠县气象局")
    services.unit_end(actor=office, unit=u, valid_to=D(2020, 1, 1))
    with pytest.raises(ApplicationError) as err:
        services.unit_update(actor=office, unit=u, name="渠县气象局", kind=UnitKind.METEOROLOGY,
                             valid_from=D(2021, 1, 1))
    assert "早于成立日期" in err.value.message


def test_one_liaison_per_unit(office, county):
    u = unit(office, county, "渠县教育局")
    a = services.contact_create(actor=office, unit=u, name="张三", is_liaison=True)
    services.contact_create(actor=office, unit=u, name="李四", is_liaison=True)
    a.refresh_from_db()
    assert not a.is_liaison
    assert list(ContactPerson.objects.filter(unit=u, is_liaison=True).values_list("name", flat=True)) == ["李四"]
    with pytest.raises(ApplicationError) as err:
        services.contact_create(actor=office, unit=u, name="王五", email="not-an-email")
    assert "电子邮箱" in err.value.message
    services.contact_delete(actor=office, contact=a)
    assert AuditEvent.objects.filter(action="contact.delete").count() == 1


def test_body_default_name_members_and_posts(office, county):
    cast = unit(office, county, "渠县科学技术协会", UnitKind.CAST)
    edu = unit(office, county, "渠县教育局", UnitKind.EDUCATION)
    body = services.body_create(actor=office, region=county, kind=BodyKind.LEADING_GROUP, office_unit=cast,
                                members=[cast, edu])
    assert body.name == "渠县全民科学素质工作领导小组"
    assert set(body.members.all()) == {cast, edu}
    services.body_post_add(actor=office, body=body, post=PostKind.MEMBER, person_name="赵六", unit=edu)
    services.body_post_add(actor=office, body=body, post=PostKind.LEADER, person_name="钱七",
                           person_title="县政府副县长")
    with pytest.raises(ApplicationError) as err:
        services.body_create(actor=office, region=county)
    assert "已有协调机构" in err.value.message
    grouped = selectors.posts_grouped(selectors.body_for_region(Scope.for_user(office), county))
    assert [label for label, _ in grouped] == ["组长", "成员"]


def test_body_refuses_units_of_another_region(office, county):
    other = services.unit_create(actor=make_user("a", "admin"), region=region("511722"), name="宣汉县科协",
                                 kind=UnitKind.CAST)
    with pytest.raises(ApplicationError) as err:
        services.body_create(actor=office, region=county, office_unit=other)
    assert "「宣汉县科协」不属于「渠县」" in err.value.message
    body = services.body_create(actor=office, region=county)
    with pytest.raises(ApplicationError):
        services.body_set_members(actor=office, body=body, members=[other])
    with pytest.raises(ApplicationError):
        services.body_post_add(actor=office, body=body, post=PostKind.MEMBER, person_name="某人", unit=other)
    assert not body.members.exists() and not body.posts.exists()


def test_body_post_update_and_remove(office, county):
    body = services.body_create(actor=office, region=county, kind=BodyKind.JOINT_MEETING)
    assert body.name == "渠县全民科学素质工作联席会议"
    post = services.body_post_add(actor=office, body=body, post=PostKind.MEMBER, person_name="孙八")
    services.body_post_update(actor=office, post=post, kind=PostKind.DEPUTY, person_name="孙八",
                              person_title="县科协主席")
    post.refresh_from_db()
    assert post.post == PostKind.DEPUTY
    with pytest.raises(ApplicationError):
        services.body_post_update(actor=office, post=post, kind="boss", person_name="孙八")
    services.body_post_remove(actor=office, post=post)
    assert not body.posts.exists()


def test_body_for_region_has_no_n_plus_one(office, county, django_assert_max_num_queries):
    units = [unit(office, county, f"单位{i}") for i in range(6)]
    body = services.body_create(actor=office, region=county, members=units)
    for u in units:
        services.body_post_add(actor=office, body=body, post=PostKind.MEMBER, person_name=f"人{u.pk}", unit=u)
    scope = Scope.for_user(office)
    with django_assert_max_num_queries(3):
        loaded = selectors.body_for_region(scope, county)
        names = [(p.person_name, p.unit.name) for _, posts in selectors.posts_grouped(loaded) for p in posts]
        members = [m.name for m in loaded.members.all()]
        _ = loaded.office_unit
    assert len(names) == 6 and len(members) == 6


def test_units_for_scope_no_n_plus_one(office, county, django_assert_max_num_queries):
    for i in range(5):
        u = unit(office, county, f"单位{i}")
        services.contact_create(actor=office, unit=u, name=f"联络员{i}", is_liaison=True)
    scope = Scope.for_user(office)
    with django_assert_max_num_queries(2):
        rows = [(u.name, u.region.name, [c.name for c in u.liaisons]) for u in selectors.units_for_scope(scope)]
    assert len(rows) == 5 and rows[0][2] == ["联络员0"]
