"""四个不直接分管 and the other duty rules: refusals, re-checks after a change, the matrix, the chain."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core import rule_settings
from dangjian.core.models import AuditEvent, Notification
from dangjian.duties import services
from dangjian.duties.models import Duty, DutyKind
from dangjian.duties.rule_settings import EXCLUDED_DOMAINS

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_it_refuses_the_principal_overseeing_finance_naming_the_rule(agency):
    actor = agency["users"]["dangwu"]
    before = (Duty.objects.count(), AuditEvent.objects.count())
    duty = Duty(person=agency["secretary"], kind=DutyKind.LEADERSHIP, org=agency["finance"], start_date=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.do_assign_duty(duty, actor=actor)
    message = "".join(exc.value.messages)
    assert "四个不直接分管" in message and "财务" in message and "财务科" in message
    assert (Duty.objects.count(), AuditEvent.objects.count()) == before


def test_it_allows_another_member_after_ending_the_current_one(agency):
    actor = agency["users"]["dangwu"]
    current = Duty.objects.current().get(kind=DutyKind.LEADERSHIP, org=agency["finance"])
    services.do_end_duty(current, TODAY - dt.timedelta(days=1), actor=actor, expected_version=current.version)
    duty = services.do_assign_duty(Duty(person=agency["banzi"], kind=DutyKind.LEADERSHIP, org=agency["finance"],
                                        start_date=TODAY), actor=actor)
    assert duty.rule_version == rule_settings.version(EXCLUDED_DOMAINS)
    assert services.responsibility_chain(agency["finance"])[1].person == agency["banzi"]


def test_it_refuses_overlapping_duties_for_the_same_section(agency):
    actor = agency["users"]["dangwu"]
    before = Duty.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.do_assign_duty(Duty(person=agency["banzi"], kind=DutyKind.LEADERSHIP, org=agency["finance"],
                                     start_date=TODAY), actor=actor)
    assert "时间重叠" in "".join(exc.value.messages)
    assert Duty.objects.count() == before


def test_it_refuses_making_a_finance_overseer_the_principal(agency):
    actor = agency["users"]["dangwu"]
    primary = Duty.objects.current().get(kind=DutyKind.PRIMARY)
    services.do_end_duty(primary, TODAY - dt.timedelta(days=1), actor=actor)
    overseer = Duty.objects.current().get(kind=DutyKind.LEADERSHIP, org=agency["finance"]).person
    with pytest.raises(ValidationError) as exc:
        services.do_assign_duty(Duty(person=overseer, kind=DutyKind.PRIMARY, org=agency["root"], start_date=TODAY),
                                actor=actor)
    assert "四个不直接分管" in "".join(exc.value.messages)


def test_it_refuses_a_leader_duty_outside_a_section_and_bad_dates(agency):
    actor = agency["users"]["dangwu"]
    with pytest.raises(ValidationError) as exc:
        services.do_assign_duty(Duty(person=agency["banzi"], kind=DutyKind.LEADERSHIP, org=agency["root"],
                                     start_date=TODAY, end_date=TODAY - dt.timedelta(days=3)), actor=actor)
    assert "终止日期不能早于起始日期" in exc.value.message_dict["end_date"][0]
    assert "不是科室" in exc.value.message_dict["org"][0]


def test_only_party_affairs_staff_assign_duties(agency):
    duty = Duty(person=agency["banzi"], kind=DutyKind.SPECIFIC, org=agency["office"], start_date=TODAY)
    for name in ("shuji", "banzi", "jijian", "kezhang"):
        with pytest.raises(PermissionDenied):
            services.do_assign_duty(duty, actor=agency["users"][name])


def test_a_rule_change_reveals_existing_conflicts_and_tells_the_staff(agency):
    actor = agency["users"]["admin"]
    assert services.rule_conflicts() == []
    # the secretary oversees 政策法规科: give that section 行政审批 and add 行政审批 to the rule
    services.do_set_section_domains(agency["policy"], ["政策法规", "行政审批"], actor=agency["users"]["dangwu"])
    assert services.rule_conflicts() == []
    rule_settings.set_rule(EXCLUDED_DOMAINS, "财务、人事、工程项目、物资采购、行政审批", actor=actor, reason="本地规定")
    found = services.rule_conflicts()
    assert [(c.duty.person, c.duty.org, c.domains) for c in found] == [
        (agency["secretary"], agency["policy"], ["行政审批"])]
    assert Notification.objects.filter(recipient=agency["users"]["dangwu"], link="/duties/conflicts/").exists()
    assert AuditEvent.objects.filter(action="duty.recheck", message__contains="1 处冲突").exists()
    page = _client(agency, "dangwu").get("/duties/conflicts/").content.decode()
    assert "政策法规科" in page and "行政审批" in page


def test_changing_a_sections_domains_reveals_conflicts(agency):
    found = services.do_set_section_domains(agency["policy"], ["政策法规", "财务"], actor=agency["users"]["dangwu"])
    assert len(found) == 1 and found[0].domains == ["财务"]
    response = _client(agency, "dangwu").post(f"/duties/sections/{agency['policy'].pk}/domains/",
                                              {"domains": ["政策法规", "人事"]})
    assert response.status_code == 302 and response["Location"] == "/duties/conflicts/"


def test_the_matrix_shows_who_oversees_each_of_the_four_domains(agency, django_assert_num_queries):
    user = agency["users"]["dangwu"]
    m = services.duty_matrix(user)
    finance = dict(m.domain_overseers)["财务"]
    assert [s.name for s, _ in finance] == ["财务科"]
    assert finance[0][1] and agency["secretary"] not in finance[0][1]
    assert m.rows[0].person == agency["secretary"] and "第一责任人（主体责任）" in m.rows[0].titles
    assert all(h for h in m.heads)
    client = _client(agency, "dangwu")
    client.get("/duties/")
    with django_assert_num_queries(_count(client, "/duties/")):
        client.get("/duties/?on=2024-06-01")


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_the_matrix_exports_to_xlsx(agency):
    import io

    from openpyxl import load_workbook

    response = _client(agency, "shuji").get("/duties/?export=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("责任人", "责任", "办公室")
    assert rows[1][0] == "业务领域" and "财务" in rows[1]
    assert rows[-1][:2] == ("科室负责人", "具体责任")
    assert any(r[0] == agency["secretary"].name for r in rows)


def test_the_chain_runs_from_owner_to_secretary(agency):
    owner = agency["kezhang"]
    chain = services.responsibility_chain(agency["office"], owner=owner)
    assert [c.label for c in chain] == ["承办人", "科室负责人（具体责任）", "分管领导（领导责任）", "党组书记（第一责任人）"]
    assert chain[1].person == owner and chain[2].person == agency["banzi"] and chain[3].person == agency["secretary"]
    # a Party branch is not a section: straight to the secretary
    assert [c.person for c in services.responsibility_chain(agency["orgs"]["SXX-ZB2"])] == [agency["secretary"]]
    # a past date gives nobody before the duties began
    assert services.responsibility_chain(agency["office"], dt.date(2000, 1, 1))[-1].person is None


def _client(agency, name):
    from tests.conftest import login

    return login(name)


def test_the_rule_follows_the_principals_position_without_a_primary_duty_on_record(agency):
    """Issue 11 item 14: with no 第一责任人 duty recorded, the 党组书记 (by position) still may not oversee 财务."""
    actor = agency["users"]["dangwu"]
    primary = Duty.objects.current().get(kind=DutyKind.PRIMARY)
    services.do_end_duty(primary, TODAY - dt.timedelta(days=1), actor=actor)
    finance = Duty.objects.current().get(kind=DutyKind.LEADERSHIP, org=agency["finance"])
    services.do_end_duty(finance, TODAY - dt.timedelta(days=1), actor=actor)
    assert not Duty.objects.current().filter(kind=DutyKind.PRIMARY).exists()
    duty = Duty(person=agency["secretary"], kind=DutyKind.LEADERSHIP, org=agency["finance"], start_date=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.do_assign_duty(duty, actor=actor)
    assert "四个不直接分管" in exc.value.message_dict["person"][0] and "财务" in exc.value.message_dict["person"][0]
    assert not Duty.objects.current().filter(org=agency["finance"], kind=DutyKind.LEADERSHIP).exists()


def test_the_recheck_finds_a_principal_by_position(agency):
    """A principal without a 第一责任人 duty is still found by the re-check (rule change, section domains)."""
    actor = agency["users"]["dangwu"]
    primary = Duty.objects.current().get(kind=DutyKind.PRIMARY)
    services.do_end_duty(primary, TODAY - dt.timedelta(days=1), actor=actor)
    found = services.do_set_section_domains(agency["policy"], ["政策法规", "财务"], actor=actor)
    assert [(c.duty.person, c.duty.org, c.domains) for c in found] == [(agency["secretary"], agency["policy"], ["财务"])]


def test_a_restore_of_a_duty_goes_through_the_rule(agency):
    """Issue 11 item 12: restoring a duty's old version is checked by 四个不直接分管 like any assignment."""
    from dangjian.core import audit

    actor = agency["users"]["dangwu"]
    policy = Duty.objects.current().get(kind=DutyKind.LEADERSHIP, org=agency["policy"])
    services.do_end_duty(policy, TODAY - dt.timedelta(days=1), actor=actor, expected_version=policy.version)
    finance = Duty.objects.current().get(kind=DutyKind.LEADERSHIP, org=agency["finance"])
    services.do_end_duty(finance, TODAY - dt.timedelta(days=1), actor=actor, expected_version=finance.version)
    # an old version of the policy duty, pointed at 财务科 (as a tampered or mistaken version would be)
    version = audit.history(policy).last()
    version_after = {**version.after, "org": agency["finance"].pk, "end_date": None}
    from dangjian.core.models import AuditEvent
    forged = AuditEvent.objects.create(action="duty.assign", target_type="duties.duty", target_id=str(policy.pk),
                                       after=version_after)
    restorer = audit.restorer_for(Duty)
    assert restorer is services.do_restore_duty
    with pytest.raises(ValidationError) as exc:
        restorer(Duty.objects.get(pk=policy.pk), forged, actor=actor)
    assert "四个不直接分管" in "".join(exc.value.messages)
    assert Duty.objects.get(pk=policy.pk).org_id == agency["policy"].pk


def test_a_secretary_position_for_someone_overseeing_finance_is_refused_naming_the_duty(agency):
    """The rule follows the principal's position, so giving the position is checked too (orgs asks duties
    through its registered position checks): by the service, the person's page and a restored version."""
    from dangjian.core import audit
    from dangjian.orgs import services as orgs_services
    from dangjian.orgs.models import Position, PositionTitle

    from ..conftest import signed_in

    actor = agency["users"]["dangwu"]
    seat = Position.objects.get(person=agency["secretary"], title=PositionTitle.SECRETARY, end_date__isnull=True).org
    finance = Duty.objects.current().get(kind=DutyKind.LEADERSHIP, org=agency["finance"])
    overseer, before = finance.person, (Position.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        orgs_services.do_add_position(Position(person=overseer, title=PositionTitle.SECRETARY, org=seat,
                                               start_date=TODAY), actor=actor)
    message = exc.value.message_dict["title"][0]
    assert "四个不直接分管" in message and f"现分管“{agency['finance']}”" in message and "财务" in message
    client = signed_in(actor)
    page = client.post(f"/people/{overseer.pk}/positions/", {
        "title": PositionTitle.SECRETARY, "org": seat.pk, "start_date": TODAY.isoformat(), "end_date": "", "note": ""})
    assert page.status_code == 302  # back to the person's page, which says why
    said = client.get(page["Location"]).content.decode()
    assert f"现分管“{agency['finance']}”" in said and "四个不直接分管" in said
    assert (Position.objects.count(), AuditEvent.objects.count()) == before
    # a version that makes an existing position 党组书记 is refused the same way, and nothing of it is kept
    held = Position.objects.filter(person=overseer).first()
    title = held.title
    forged = AuditEvent.objects.create(action="position.update", target_type="orgs.position", target_id=str(held.pk),
                                       after={**audit.snapshot(held), "title": PositionTitle.SECRETARY, "org": seat.pk,
                                              "end_date": None})
    with pytest.raises(ValidationError, match="四个不直接分管"):
        audit.restorer_for(Position)(held, forged, actor=actor)
    assert Position.objects.get(pk=held.pk).title == title != PositionTitle.SECRETARY
    # once the 分管 is ended, the position is given
    services.do_end_duty(finance, TODAY - dt.timedelta(days=1), actor=actor, expected_version=finance.version)
    orgs_services.do_add_position(Position(person=overseer, title=PositionTitle.SECRETARY, org=seat,
                                           start_date=TODAY), actor=actor)
    assert Position.objects.filter(person=overseer, title=PositionTitle.SECRETARY, end_date__isnull=True).exists()
