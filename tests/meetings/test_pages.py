"""Pages and API of 会议学习 for every demo role: in scope, out of scope (403/404, never the data)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from dangjian.meetings.models import Activity, Attendance, Meeting, MeetingStatus, Participant, Topic

from .helpers import add_topic, branch_plan_2020, group_meeting

pytestmark = pytest.mark.django_db
ROLES = ["admin", "dangwu", "shuji", "banzi", "jijian", "kezhang", "zhibu", "dangyuan"]
# Who may view (and change) a record of each org, per the demo grants (accounts/roles.py, orgs/demo.py).
VIEW = {
    "SXX-DZ": {"dangwu", "shuji", "jijian"},
    "SXX-ZB2": {"dangwu", "shuji", "jijian", "zhibu"},
    "SXX-ZB1": {"dangwu", "shuji", "jijian"},
}
CHANGE = {"SXX-DZ": {"dangwu", "shuji"}, "SXX-ZB2": {"dangwu", "shuji", "zhibu"}, "SXX-ZB1": {"dangwu", "shuji"}}


def held(code):
    return Meeting.objects.filter(org__code=code, status=MeetingStatus.HELD).order_by("-date").first()


@pytest.mark.parametrize("code", ["SXX-DZ", "SXX-ZB1", "SXX-ZB2"])
@pytest.mark.parametrize("role", ROLES)
def test_meeting_pages_in_and_out_of_scope(demo, client_for, role, code):
    meeting = held(code)
    client = client_for(role)
    attends = Attendance.objects.filter(meeting=meeting, person__user__username=role).exists()
    detail = client.get(reverse("meetings:detail", args=[meeting.pk]))
    docx = client.get(reverse("meetings:minutes_docx", args=[meeting.pk]))
    api = client.get(f"/api/v1/meetings/meetings/{meeting.pk}")
    edit = client.get(reverse("meetings:edit", args=[meeting.pk]))
    if role in VIEW[code] or attends:  # within the role's grants, or their own meeting (the own-record rule)
        assert detail.status_code == 200 and meeting.title in detail.content.decode()
        assert docx.status_code == 200 and api.status_code == 200
        assert edit.status_code == (200 if role in CHANGE[code] else 403)
    else:
        for response in (detail, docx, api, edit):
            assert response.status_code == 404
            assert meeting.title.encode() not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_only_what_is_in_scope(demo, client_for, role):
    client = client_for(role)
    pages = ["meetings:list", "meetings:compliance", "meetings:ledger", "meetings:study", "meetings:activities"]
    can_view = role not in ("admin", "dangyuan")
    for name in pages:
        response = client.get(reverse(name))
        # the meeting list is everyone's: whoever holds no grant sees the meetings they were expected at
        assert response.status_code == (200 if can_view or name == "meetings:list" else 403), name
    assert client.get(reverse("meetings:my")).status_code == 200
    ledger = client.get(reverse("meetings:ledger")).content.decode()
    sees_group = role in ("dangwu", "shuji", "jijian")
    topic = Topic.objects.get(title="关于机关综合楼改造项目投资的议题")
    member = Attendance.objects.filter(meeting=topic.meeting, person__user__username=role).exists()
    assert ("关于机关综合楼改造项目投资的议题" in ledger) == (sees_group or (can_view and member))
    compliance = client.get(reverse("meetings:compliance"), {"year": timezone.localdate().year}).content.decode()
    assert ("第三党支部" in compliance) == sees_group
    if role == "zhibu":
        assert "第二党支部" in compliance
        listing = client.get(reverse("meetings:list")).content.decode()
        assert "第二党支部" in listing and "第一党支部" not in listing and "党组会议" not in listing.split("<tbody>")[1]


def test_the_meeting_list_runs_in_constant_queries(demo, client_for, django_assert_max_num_queries):
    client = client_for("dangwu")
    client.get(reverse("meetings:list"))
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("meetings:list"), {"page": 1})
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("meetings:list"), {"page": 3})
    # the figures above a list: one aggregate query per model they count (activities, units, participations)
    with django_assert_max_num_queries(len(small.captured_queries) + 3):
        client.get(reverse("meetings:activities"))
    with django_assert_max_num_queries(len(small.captured_queries) + 3):
        client.get(reverse("meetings:ledger"))


def test_two_people_editing_the_same_meeting_conflict(demo, client_for):
    meeting = group_meeting(demo, status=MeetingStatus.PLANNED, days_ago=-3)
    a, b = client_for("dangwu"), client_for("shuji")
    data = {"kind": meeting.kind_id, "title": "改名一", "org": meeting.org_id, "date": meeting.date.isoformat(),
            "start_time": "09:00", "end_time": "11:00", "place": "一楼", "status": "planned", "study_form": "",
            "loaded_version": meeting.version}
    assert a.post(reverse("meetings:edit", args=[meeting.pk]), data).status_code == 302
    second = b.post(reverse("meetings:edit", args=[meeting.pk]), {**data, "title": "改名二"})
    assert second.status_code == 200 and "已被他人修改" in second.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).title == "改名一"


def test_bad_meeting_input_names_the_field_and_writes_nothing(demo, client_for):
    client = client_for("dangwu")
    count = Meeting.objects.count()
    past = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = client.post(reverse("meetings:add"), {
        "kind": Meeting.objects.first().kind_id, "title": "补录会议", "org": demo["orgs"]["SXX-ZB1"].pk, "date": past,
        "start_time": "10:00", "end_time": "09:00", "status": "planned"})
    text = response.content.decode()
    assert response.status_code == 200 and "结束时间：结束时间须晚于开始时间" in text
    assert "状态：会议日期已过，不能登记为“计划召开”" in text
    assert Meeting.objects.count() == count
    # a branch secretary cannot place a meeting outside their branch
    response = client_for("zhibu").post(reverse("meetings:add"), {
        "kind": Meeting.objects.first().kind_id, "title": "越权", "org": demo["orgs"]["SXX-ZB1"].pk,
        "date": timezone.localdate().isoformat(), "start_time": "09:00", "end_time": "10:00", "status": "planned"})
    assert "选择一个有效的选项" in response.content.decode() and Meeting.objects.count() == count


def test_minutes_docx_reads_back_with_topics_and_opinions(demo, client_for):
    topic = Topic.objects.get(title="关于使用信息化平台建设资金120万元的议题")
    response = client_for("dangwu").get(reverse("meetings:minutes_docx", args=[topic.meeting_id]))
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "纪要" in doc.paragraphs[0].text and "一、会议议题及决定" in text
    assert "〔大额资金使用〕" in text and "通过" in text and "应到5人，实到5人" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["顺序", "成员", "意见", "理由"]
    assert table.rows[-1].cells[1].text.endswith("（主要负责人）")
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.1)


def test_ledger_xlsx_reads_back(demo, client_for):
    year = Topic.objects.get(title="关于使用信息化平台建设资金120万元的议题").year
    response = client_for("jijian").get(reverse("meetings:ledger"), {"year": year, "export": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][2] == "议题" and any(r[2] == "关于使用信息化平台建设资金120万元的议题" and r[11] == "通过" for r in rows)
    assert all(r[3] != "一般事项" for r in rows[1:])


def test_ical_feed_lists_only_the_owners_meetings(demo, client_for):
    client = client_for("dangyuan")
    client.post(reverse("meetings:calendar"))
    page = client.get(reverse("meetings:calendar")).content.decode()
    url = page.split("/meetings/ical/")[1].split(".ics")[0]
    from django.test import Client

    feed = Client().get(f"/meetings/ical/{url}.ics")
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar") and body.startswith("BEGIN:VCALENDAR\r\n")
    assert "集中学习日" in body and "党组会议" not in body and body.count("BEGIN:VEVENT") >= 40
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert Client().get("/meetings/ical/not-a-token.ics").status_code == 404


def test_activity_with_units_people_and_reflections(demo, client_for):
    activity = Activity.objects.get(kind="red")
    assert activity.units.count() == 4 and activity.participants.count() >= 30
    client = client_for("dangyuan")
    mine = Participant.objects.get(activity=activity, person__user__username="dangyuan")
    # a participant sees the activity (their own), with their own row, not everyone's names
    own_page = client.get(reverse("meetings:activity", args=[activity.pk]))
    assert own_page.status_code == 200 and activity.title in own_page.content.decode()
    names = [p.person.name for p in activity.participants.select_related("person") if p.pk != mine.pk]
    assert not any(name in own_page.content.decode() for name in names)
    short = client.post(reverse("meetings:reflection", args=[mine.pk]), {"reflection": "很好"})
    assert "心得体会至少写20个字" in short.content.decode()
    text = "通过参观纪念馆，深刻感受到革命先烈不怕牺牲的精神，要立足岗位做好本职工作。"
    assert client.post(reverse("meetings:reflection", args=[mine.pk]), {"reflection": text}).status_code == 302
    assert Participant.objects.get(pk=mine.pk).reflection == text
    other = Participant.objects.filter(activity=activity).exclude(pk=mine.pk).first()
    assert client.get(reverse("meetings:reflection", args=[other.pk])).status_code == 404
    page = client_for("dangwu").get(reverse("meetings:activity", args=[activity.pk])).content.decode()
    assert "4 家" in page and text[:10] in page


def test_photo_upload_accepts_images_only(demo, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity = Activity.objects.get(kind="red")
    client = client_for("dangwu")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    page = client.post(reverse("meetings:photo_add", args=[activity.pk]), {"image": bad}, follow=True)
    assert "文件内容：不是 JPEG 图片" in page.content.decode() and not activity.photos.exists()
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    client.post(reverse("meetings:photo_add", args=[activity.pk]), {"image": png, "caption": "合影"})
    photo = activity.photos.get()
    assert client.get(reverse("meetings:photo", args=[photo.pk])).status_code == 200
    assert client_for("dangyuan").get(reverse("meetings:photo", args=[photo.pk])).status_code == 200  # a participant
    activity.participants.filter(person__user__username="zhibu").delete()  # not one of them, nor in scope
    assert client_for("zhibu").get(reverse("meetings:photo", args=[photo.pk])).status_code == 404


def test_decision_page_and_api_refuse_with_the_rule(demo, client_for):
    meeting = group_meeting(demo)
    topic = add_topic(demo, meeting)
    client = client_for("dangwu")
    page = client.get(reverse("meetings:decide", args=[topic.pk]))
    assert page.status_code == 200 and "主要负责人" in page.content.decode()
    people = {p.pk: p for p in __import__("dangjian.meetings.services.records", fromlist=["x"]).group_members(
        meeting.org_path, meeting.date)}
    principal = next(iter(people))
    data = {f"stance_{pk}": "agree" for pk in people}
    data |= {f"order_{pk}": i for i, pk in enumerate(people, start=1)}  # principal first: wrong
    response = client.post(reverse("meetings:decide", args=[topic.pk]), data)
    assert "不符合：主要负责人须末位表态" in response.content.decode()
    csrf = client.cookies["csrftoken"].value
    votes = [{"person_id": pk, "order": (len(people) if pk == principal else i), "stance": "agree"}
             for i, pk in enumerate([p for p in people if p != principal], start=1)]
    votes.append({"person_id": principal, "order": len(people), "stance": "agree"})
    bad = client.post(f"/api/v1/meetings/topics/{topic.pk}/decision", {"votes": votes[:2]},
                      content_type="application/json", headers={"X-CSRFToken": csrf})
    assert bad.status_code == 422 and "到会成员须逐一表态" in str(bad.json())
    ok = client.post(f"/api/v1/meetings/topics/{topic.pk}/decision", {"votes": votes},
                     content_type="application/json", headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200 and ok.json()["outcome"] == "passed"
    outsider = client_for("zhibu")
    assert outsider.get(reverse("meetings:decide", args=[topic.pk])).status_code == 404


def test_api_compliance_and_hours_follow_scope(demo, client_for):
    year = timezone.localdate().year
    zhibu = client_for("zhibu")
    branch_plan_2020()  # a year whose gaps are known: the 第二党支部's 党课 of the second quarter
    gaps = zhibu.get("/api/v1/meetings/compliance", {"year": 2020}).json()
    assert [(g["branch"], g["kind"], g["period"]) for g in gaps] == [("第二党支部", "党课", "2020年第2季度")]
    assert zhibu.get("/api/v1/meetings/compliance", {"year": year, "org_id": demo["orgs"]["SXX-ZB1"].pk}
                     ).status_code == 404
    hours = zhibu.get("/api/v1/meetings/study-hours", {"year": year}).json()
    from dangjian.orgs.models import Person

    branch_people = set(Person.objects.filter(branch__code="SXX-ZB2").values_list("pk", flat=True))
    # study days belong to the agency (outside a branch secretary's scope): only the branch's 党课 count here
    assert 0 < hours["count"] <= len(branch_people)
    assert {r["person_id"] for r in hours["items"]} <= branch_people
    assert client_for("dangwu").get("/api/v1/meetings/study-hours", {"year": year}).json()["count"] >= 50
    # the system administrator reads no meetings by virtue of the role: only those they were expected at as a cadre
    own = Meeting.objects.filter(attendance__person__user__username="admin").distinct().count()
    assert client_for("admin").get("/api/v1/meetings/meetings").json()["count"] == own
