"""Intake (受理登记): one function for every channel; the anonymous portal sender leaves no actor or address."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.supervision import petitions
from dangjian.supervision.petition_models import Channel, Petition, PetitionKind, PetitionStatus


def _petition(demo, **fields):
    values = {"org": demo["orgs"]["SXX"], "kind": PetitionKind.COMPLAINT, "channel": Channel.PORTAL,
              "received_at": timezone.now(), "subject": "小区门口道路积水", "content": "雨后积水严重，请尽快处理。"}
    return Petition(**{**values, **fields})


def test_portal_submission_gets_a_code_and_names_no_actor(demo):
    petition, code = petitions.do_receive_petition(_petition(demo, contact_name="不应保存"))
    assert code and len(code.replace("-", "")) == petitions.CODE_LENGTH
    stored = Petition.objects.get(pk=petition.pk)
    assert stored.status == PetitionStatus.TRIAGE and stored.contact_name == "" and stored.created_by is None
    assert petitions.find_by_code(code).pk == petition.pk and petitions.find_by_code(code.lower()).pk == petition.pk
    assert petitions.find_by_code(petitions.new_query_code()) is None
    event = AuditEvent.objects.get(action="supervision.petition_receive", target_id=str(petition.pk))
    assert event.actor_id is None and not event.ip


def test_named_staff_entry_keeps_contact_encrypted(demo):
    staff = demo["users"]["dangban"] if "dangban" in demo["users"] else next(iter(demo["users"].values()))
    petition, code = petitions.do_receive_petition(
        _petition(demo, channel=Channel.HOTLINE, anonymous=False, contact_name="张三", contact_phone="13800138000"),
        actor=staff)
    assert code is None and petition.created_by == staff
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM supervision_petition WHERE id = %s", [petition.pk])
        assert "13800138000" not in cursor.fetchone()[0]


@pytest.mark.parametrize(("fields", "field"), [({"subject": " "}, "subject"), ({"content": "字" * 5001}, "content"),
                                               ({"anonymous": False}, "contact_name")])
def test_bad_submission_names_the_field_and_stores_nothing(demo, fields, field):
    with pytest.raises(ValidationError) as exc:
        petitions.do_receive_petition(_petition(demo, **fields))
    assert field in exc.value.message_dict and not Petition.objects.exists()
