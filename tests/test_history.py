"""The 修改记录 page: restore only through a module's own restorer, never of a workflow record (issue 11
item 12), and each version shown as a reader understands it (item 20)."""

import re

import pytest
from django.utils import timezone

from dangjian.core import action_labels, audit, history
from dangjian.core.models import AuditEvent
from dangjian.duties.models import Duty
from dangjian.matters.models import Matter, Status, Transition
from dangjian.meetings.models import Meeting
from dangjian.orgs.models import Org, Person, Position

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def test_only_declared_models_are_restorable_and_workflow_records_are_not():
    from dangjian.duties import services as duties
    from dangjian.orgs import services as orgs

    assert audit.restorer_for(Person) is orgs.do_restore_person
    assert audit.restorer_for(Duty) is duties.do_restore_duty
    assert audit.restorer_for(Org) is audit.restore_version and audit.restorer_for(Position) is orgs.do_restore_position
    assert audit.restorer_for(Matter) is None and audit.restorer_for(Meeting) is None


def test_a_closed_matter_cannot_be_restored_to_an_earlier_state(demo):
    matter = Matter.objects.filter(status=Status.CLOSED).exclude(filing_number="").first()
    registered = audit.history(matter).filter(action="matter.create").get()
    client = signed_in(demo["users"]["dangwu"])
    page = client.get(f"/history/matters.matter/{matter.pk}/").content.decode()
    assert "恢复到此版本" not in page and "重新打开" in page
    response = client.post(f"/history/matters.matter/{matter.pk}/restore/{registered.pk}/")
    assert response.status_code == 403
    assert "不能恢复历史版本" in response.content.decode()
    after = Matter.objects.get(pk=matter.pk)
    assert (after.status, after.filing_number, after.approved_by_id, after.version) == (
        Status.CLOSED, matter.filing_number, matter.approved_by_id, matter.version)
    assert Transition.objects.filter(matter=matter).exclude(to_status="").order_by("-id").first().to_status == Status.CLOSED


def test_the_history_page_speaks_chinese_and_shows_only_what_changed(demo):
    matter = Matter.objects.filter(status=Status.CLOSED).exclude(filing_number="").first()
    close = audit.history(matter).filter(action="matter.close").get()
    page = signed_in(demo["users"]["dangwu"]).get(f"/history/matters.matter/{matter.pk}/").content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    close_row = next(r for r in rows if "审批销号（备案）" in r)
    # verbose names, the approver's name, local time, the status's label; unchanged fields are left out
    assert "备案编号" in close_row or "销号备案编号" in close_row or matter.filing_number in close_row
    assert matter.approved_by.get_full_name() in close_row
    assert "已销号" in close_row and "status" not in close_row and "filing_number" not in close_row
    assert "title" not in close_row and matter.title not in close_row  # the title did not change on closure
    local = timezone.localtime(matter.approved_at).strftime("%Y-%m-%d %H:%M")
    assert local in close_row
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", page)  # no ISO timestamps
    for raw in ("matter.close", "True", "False", "None", "approved_by"):
        assert raw not in page
    changed = {name for name in close.after if close.before.get(name) != close.after[name]}
    shown = history.versions(Matter, [close])[0].changes
    assert len(shown) == len(changed) and {"状态"} <= {c.field for c in shown}


def test_booleans_and_related_names_read_plainly(demo):
    kind_meeting = Meeting.objects.filter(attendance__isnull=False).first()
    row = kind_meeting.attendance.select_related("person").first()
    event = AuditEvent(action="meeting.attendance", before={"via_qr": False, "person": row.person_id,
                                                             "signed_in_at": None},
                       after={"via_qr": True, "person": row.person_id, "signed_in_at": "2026-03-05T01:00:00Z"})
    from dangjian.meetings.models import Attendance

    (version,) = history.versions(Attendance, [event])
    assert version.action == "出席登记"
    assert [(c.field, c.before, c.after) for c in version.changes] == [
        ("扫码签到", "否", "是"), ("签到时间", "（空）", "2026-03-05 09:00")]
    assert action_labels.action_label("orgs.person.restore") == "人员：恢复到历史版本"


def test_an_old_snapshot_with_a_full_birth_date_shows_the_year_only(demo):
    """Older audit snapshots of a person hold the whole birth date; beside the masked ID number the page shows
    its year only, as the person's pages do (Person.masked_birth_date)."""
    person = Person.objects.get(user__username="dangyuan")
    masked_id = person.masked_id_number
    old = audit.record("person.update", target=person,
                       before={"birth_date": "1988-04-17", "id_number": masked_id, "job_title": "科员"},
                       after={"birth_date": "1988-05-17", "id_number": masked_id, "job_title": "主任科员"})
    changes = {c.field: (c.before, c.after) for c in history.versions(Person, [old])[0].changes}
    assert changes == {"出生日期": ("1988年", "1988年"), "职务（职级）": ("科员", "主任科员")}
    page = signed_in(demo["users"]["dangwu"]).get(f"/history/orgs.person/{person.pk}/").content.decode()
    assert "<b>出生日期</b>：1988年 → 1988年" in page and "主任科员" in page
    assert "1988-04-17" not in page and "1988-05-17" not in page and "04-17" not in page
