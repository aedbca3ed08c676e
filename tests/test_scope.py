"""Every role against records in its own org, a sibling, an ancestor and a descendant."""

import pytest

from dangjian.core.scope import get_visible_or_404, path_condition
from dangjian.orgs.models import Org, Person

pytestmark = pytest.mark.django_db


def visible_orgs(user):
    return set(Org.objects.visible_to(user).values_list("code", flat=True))


def visible_people_orgs(user):
    return set(Person.objects.visible_to(user).values_list("org__code", flat=True))


def test_it_gives_subtree_roles_the_whole_subtree(demo):
    everything = set(Org.objects.values_list("code", flat=True))
    for name in ("dangwu", "shuji", "jijian"):
        assert visible_orgs(demo["users"][name]) == everything


def test_a_leader_sees_only_the_sections_they_oversee(demo):
    banzi = demo["users"]["banzi"]
    assert visible_orgs(banzi) == {"SXX-BGS", "SXX-RSK", "SXX-DJB"}
    # people of a sibling section are invisible; their own ancestor (the agency root) too
    assert visible_people_orgs(banzi) <= {"SXX-BGS", "SXX-RSK", "SXX-DJB"}
    root = demo["orgs"]["SXX"]
    with pytest.raises(Exception) as exc:
        get_visible_or_404(Org, banzi, root.pk)
    assert "404" in type(exc.value).__name__ or "Http404" in repr(exc.value)


def test_a_branch_secretary_sees_the_branch_and_its_cells_not_siblings_or_ancestors(demo):
    zhibu = demo["users"]["zhibu"]
    assert visible_orgs(zhibu) == {"SXX-ZB2", "SXX-ZB2-XZ1", "SXX-ZB2-XZ2"}
    branch = demo["orgs"]["SXX-ZB2"]
    people = Person.objects.visible_to(zhibu)
    assert people.exists()
    assert all(p.branch_id == branch.pk or p.user_id == zhibu.pk for p in people)


def test_a_member_sees_only_their_own_person(demo):
    member = demo["users"]["dangyuan"]
    assert list(Person.objects.visible_to(member)) == [member.person]
    assert not Person.objects.visible_to(member, "change").exists()
    assert visible_orgs(member) == set()


def test_the_system_administrator_sees_no_people_records(demo):
    admin = demo["users"]["admin"]
    assert list(Person.objects.visible_to(admin)) == [admin.person]


def test_it_builds_one_condition_without_ids(demo):
    condition = str(path_condition(demo["users"]["banzi"], "person.view", ("org_path",)))
    assert "org_path__pathprefix" in condition and "pk__in" not in condition


def test_anonymous_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert not Person.objects.visible_to(AnonymousUser()).exists()


def test_the_path_prefix_lookup_selects_exactly_a_subtree_and_uses_an_index_on_sqlite(demo):
    """On SQLite it is a range (its LIKE cannot use an index); the rows are those of LIKE 'p%' everywhere."""
    from django.db import connection

    from dangjian.orgs.models import Org

    for org in Org.objects.all():
        assert set(Org.objects.filter(path__pathprefix=org.path)) == set(Org.objects.filter(path__startswith=org.path))
    sql = str(Org.objects.filter(path__pathprefix="0001").query)
    assert (">=" in sql and "<" in sql) if connection.vendor == "sqlite" else "LIKE" in sql
