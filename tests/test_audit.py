import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from dangjian.core import audit
from dangjian.core.models import AuditEvent
from dangjian.orgs import services
from dangjian.orgs.models import Org, Person

pytestmark = pytest.mark.django_db


def test_it_records_before_and_after_and_restores(demo):
    actor = demo["users"]["dangwu"]
    person = Person.objects.get(user__username="dangyuan")
    old_title = person.job_title
    person.job_title = "二级调研员"
    services.do_update_person(person, actor=actor, expected_version=person.version)
    event = audit.history(person).first()
    assert event.action == "person.update"
    assert event.before["job_title"] == old_title and event.after["job_title"] == "二级调研员"
    assert event.actor_name == actor.full_name
    # masked, never the clear ID number, in the log
    assert event.after["id_number"] == person.masked_id_number
    original = audit.history(person).filter(action="person.update").last()
    first_version = AuditEvent.objects.create(  # a synthetic earlier version to restore to
        action="person.update", target_type="orgs.person", target_id=str(person.pk), target_repr=person.name,
        after={**original.after, "job_title": old_title})
    services.do_restore_person(person, first_version, actor=actor)
    person.refresh_from_db()
    assert person.job_title == old_title
    assert audit.history(person).first().action == "orgs.person.restore"


def test_a_stale_edit_is_refused_with_a_conflict(demo):
    actor = demo["users"]["dangwu"]
    first = Person.objects.get(user__username="dangyuan")
    second = Person.objects.get(pk=first.pk)
    first.job_title = "甲"
    services.do_update_person(first, actor=actor, expected_version=first.version)
    second.job_title = "乙"
    with pytest.raises(audit.ConflictError) as exc:
        services.do_update_person(second, actor=actor, expected_version=second.version)
    assert "已被他人修改" in exc.value.messages[0]
    assert Person.objects.get(pk=first.pk).job_title == "甲"


def test_the_audit_table_refuses_update_and_delete_in_the_database(demo):
    event = audit.record("test.event", target_repr="x")
    for sql in (f"UPDATE core_auditevent SET action='x' WHERE id={event.pk}",
                f"DELETE FROM core_auditevent WHERE id={event.pk}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(TypeError):
        event.delete()


def test_audit_reads_are_scoped(demo):
    audit.record("test.event", org_path=demo["orgs"]["SXX-ZHYW"].path, target_repr="综合业务科的事")
    assert AuditEvent.objects.visible_to(demo["users"]["jijian"]).filter(action="test.event").exists()
    assert not AuditEvent.objects.visible_to(demo["users"]["banzi"]).exists()
    assert not AuditEvent.objects.visible_to(demo["users"]["admin"]).exists()


def test_restoring_an_org_leaves_its_place_in_the_tree_alone(demo):
    from dangjian.orgs.models import Org, OrgKind

    actor = demo["users"]["dangwu"]
    org = Org.objects.get(code="SXX-CWK")
    org.short_name = "财务"
    services.do_update_org(org, actor=actor, expected_version=org.version)
    old_version = audit.history(org).first()
    assert old_version.after["numchild"] == 0
    services.do_create_org(org, actor=actor, name="出纳组", kind=OrgKind.SECTION, code="SXX-CWK-CN")
    org = Org.objects.get(pk=org.pk)
    assert org.numchild == 1
    audit.restore_version(org, old_version, actor=actor)
    org = Org.objects.get(pk=org.pk)
    assert org.numchild == 1 and org.short_name == "财务"
    assert [c.code for c in org.get_children()] == ["SXX-CWK-CN"]
    assert Org.find_problems() == ([], [], [], [], [])


def test_the_snapshot_keeps_fields_forms_cannot_edit_but_no_secret(demo):
    """A stored file's path (editable=False) is part of the record's history; encrypted values and
    blind indexes never reach the log in clear."""
    import datetime as dt

    from dangjian.accounts.models import User
    from dangjian.core.audit import snapshot
    from dangjian.duties.models import Institution

    item = Institution(title="x", org=demo["orgs"]["SXX"], category="other", issuer="党组",
                       issued_on=dt.date(2026, 1, 5), file="duties/rules/2026/abc.pdf")
    assert snapshot(item)["file"] == "duties/rules/2026/abc.pdf"
    user = User(username="u", phone="13800138000")
    logged = snapshot(user)
    assert logged["phone"] == "（已加密）" and "phone_index" not in logged and "password" not in logged
    person = demo["users"]["dangwu"].person
    logged = snapshot(person)
    assert person.id_number not in str(logged) and "branch_path" in logged and "id_number_index" not in logged


def test_a_user_named_in_the_log_cannot_be_deleted_only_deactivated(demo):
    from django.db.models import ProtectedError

    dangwu = demo["users"]["dangwu"]
    audit.security_event("probe", actor=dangwu)
    with pytest.raises(ProtectedError):
        dangwu.delete()
    assert AuditEvent.objects.filter(actor=dangwu).exists()


def test_the_history_page_restores_a_person_through_the_orgs_service():
    """core restores generically; orgs registers the restore that also moves the member counts."""
    assert audit.restorer_for(Person) is services.do_restore_person
    assert audit.restorer_for(Org) is audit.restore_version


def test_a_restore_puts_the_person_back_in_the_subtree_of_the_restored_unit(demo):
    """The stored path follows the restored unit, so the person is counted and seen there, not where they were."""
    import datetime as dt

    from dangjian.orgs.models import PartyStatus

    from .route_matrix import probe_id_number

    actor, office_head = demo["users"]["dangwu"], demo["users"]["kezhang"]  # kezhang: 办公室 only
    office, finance = demo["orgs"]["SXX-BGS"], demo["orgs"]["SXX-CWK"]
    person = services.do_create_person(Person(
        name="甄复原", gender="F", birth_date=dt.date(1990, 1, 1), id_number=probe_id_number(50), org=office,
        party_status=PartyStatus.MASSES), actor=actor)  # no branch: counted in the unit itself
    in_office = audit.history(person).first()
    moved = Person.objects.get(pk=person.pk)
    moved.org_id = finance.pk  # as a form's cleaned id sets it
    services.do_update_person(moved, actor=actor, expected_version=moved.version)
    assert Person.objects.get(pk=person.pk).org_path == finance.path
    assert not Person.objects.visible_to(office_head).filter(pk=person.pk).exists()

    services.do_restore_person(Person.objects.get(pk=person.pk), in_office, actor=actor)
    restored = Person.objects.get(pk=person.pk)
    assert (restored.org_id, restored.org_path) == (office.pk, office.path)
    assert Person.objects.visible_to(office_head).filter(pk=person.pk).exists()
    for unit in (office, finance):
        counted_here = Person.objects.filter(is_active=True, party_status=PartyStatus.MASSES).filter(
            Q(branch_path__startswith=unit.path) | Q(branch_path="", org_path__startswith=unit.path)).count()
        assert services.member_counts([unit.path])[PartyStatus.MASSES] == counted_here
