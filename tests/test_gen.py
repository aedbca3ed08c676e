"""`dangjian gen`: a small synthetic province in the test database (the demo is rolled back after)."""

import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.accounts.models import RoleAssignment
from dangjian.core.ids import id_number_error
from dangjian.orgs import gen
from dangjian.orgs.models import Org, OrgKind, OrgMemberCount, Person
from dangjian.orgs.services import member_counts, recount_members


def _raw_counts(path: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT party_status, COUNT(*) FROM orgs_person WHERE is_active "
            "AND (branch_path LIKE %s OR (branch_path = '' AND org_path LIKE %s)) GROUP BY party_status",
            [path + "%", path + "%"],
        )
        found = dict(cursor.fetchall())
    return {s: found.get(s, 0) for s in ("full", "probationary", "activist", "masses")}


def test_it_refuses_a_database_with_orgs(db):
    with pytest.raises(CommandError, match="--reset"):
        call_command("gen", "--members", "2000")


def test_it_generates_a_small_province(db):
    call_command("gen", "--members", "2000", "--reset", "--seed", "7", stdout=open("/dev/null", "w"))

    assert Org.find_problems() == ([], [], [], [], [])
    by_depth = Counter(Org.objects.values_list("depth", flat=True))
    assert sorted(by_depth) == [1, 2, 3, 4, 5] and by_depth[1] == 1
    assert set(Org.objects.filter(depth=5).values_list("kind", flat=True)) == {OrgKind.BRANCH}
    assert set(Org.objects.filter(depth__lt=4).values_list("kind", flat=True)) == {OrgKind.COMMITTEE}
    assert set(Org.objects.filter(depth=4).values_list("kind", flat=True)) <= {OrgKind.COMMITTEE,
                                                                            OrgKind.GENERAL_BRANCH}
    assert not Org.objects.filter(depth__lt=5, numchild=0).exists()
    branches = Org.objects.filter(kind=OrgKind.BRANCH).count()
    assert branches == 106  # ceil(2000 / 19)

    people = list(Person.objects.values_list("id_number", "party_status", "org_id", "org_path", "branch_id",
                                             "branch_path"))
    assert len(people) == 2000
    assert len({p[0] for p in people}) == 2000
    assert all(id_number_error(p[0]) is None for p in people)
    statuses = Counter(p[1] for p in people)
    assert statuses["full"] > 1600 and all(statuses[s] > 0 for s in ("probationary", "activist", "masses"))
    paths = dict(Org.objects.values_list("id", "path"))
    for _, status, org_id, org_path, branch_id, branch_path in people:
        assert paths[org_id] == org_path
        if status in ("full", "probationary"):
            assert (branch_id, branch_path) == (org_id, org_path)
        else:
            assert (branch_id, branch_path) == (None, "")

    root = Org.objects.get(depth=1)
    city = Org.objects.filter(depth=2).first()
    county = Org.objects.filter(depth=3).last()
    for node in (root, city, county):
        assert member_counts([node.path]) == _raw_counts(node.path)
    assert sum(member_counts([root.path]).values()) == Person.objects.filter(is_active=True).count()

    stored = sorted(OrgMemberCount.objects.values_list("org_path", "party_status", "count"))
    recount_members()
    assert sorted(OrgMemberCount.objects.values_list("org_path", "party_status", "count")) == stored

    grants = {(a.user.username, a.role, a.org.depth) for a in RoleAssignment.objects.select_related("user", "org")}
    assert ("gen_city_admin", "party_admin", 2) in grants and ("gen_county_leader", "leader", 3) in grants


def test_it_is_deterministic_for_a_seed():
    def draw(seed):
        rng = random.Random(seed)
        tree = gen.build_tree(gen.shape_for(500), rng, 1)
        rows = gen.people_rows(tree, rng, null=None, true=True, false=False, now="x")
        # the ciphertext columns carry a random nonce; their blind indexes stand for the clear values
        cipher = {gen.PERSON_COLUMNS.index("id_number"), gen.PERSON_COLUMNS.index("phone")}
        return [(r.path, r.code, r.members) for r in tree], [
            tuple(v for i, v in enumerate(row) if i not in cipher) for row in rows]

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)


def test_the_roster_page_costs_the_same_queries_for_a_county_and_a_city(db, client):
    import time

    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.models import User

    call_command("gen", "--members", "2000", "--reset", stdout=open("/dev/null", "w"))
    counts = []
    for username in ("gen_county_admin", "gen_city_admin", "gen_province_admin"):
        client.force_login(User.objects.get(username=username))
        session = client.session
        session["login_at"] = time.time()
        session.save()
        client.get("/people/")  # warm the rule cache (session and password rules are read once, then cached)
        for page in (1, 3):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/people/?party_status=full&page={page}")
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
            assert response.content.decode().count("<option") <= 300 + 10
    assert len(set(counts)) == 1, counts


def test_the_roster_pages_list_exactly_what_visible_to_lists(demo):
    from dangjian.orgs.paging import ArmsPaginator, person_arms

    for user in demo["users"].values():
        expected = list(Person.objects.visible_to(user).order_by("org_path", "id").values_list("id", flat=True))
        paginator = ArmsPaginator(person_arms(user, Person.objects.all()), 7)
        assert paginator.count == len(expected), user.username
        listed = [p.pk for n in paginator.page_range for p in paginator.page(n).object_list]
        assert listed == expected, user.username
