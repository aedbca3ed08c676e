"""制度汇编 (search, in force, yearly count, files checked by content) and the leading group's history."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.duties import register, services
from dangjian.duties.models import GroupMember, GroupRole, Institution, LeadingGroup
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _docx_bytes():
    """The same bytes at every call: a zip member's default time is now, to two seconds."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


def test_full_text_search_in_chinese_over_title_number_and_body(agency):
    items = Institution.objects.visible_to(agency["users"]["dangwu"])
    assert "市XX“三重一大”事项集体决策制度" in [i.title for i in register.search(items, "三重一大")]
    assert {i.title for i in register.search(items, "公务接待")} == {"市XX贯彻落实中央八项规定精神实施细则"}
    assert register.search(items, "外出 报备").count() == 1
    assert register.search(items, f"〔{TODAY.year}〕").exists()
    page = login("shuji").get("/duties/rules/", {"q": "重大事项"}).content.decode()
    assert "领导干部重大事项报告制度" in page and "外出报备制度" not in page


def test_which_rules_are_in_force_on_a_date_and_the_years_count(agency):
    items = Institution.objects.visible_to(agency["users"]["dangwu"])
    old = items.get(title="市XX党组议事规则（试行）")
    new = items.get(title="市XX党组议事规则")
    assert old in items.in_force(old.repealed_on - dt.timedelta(days=1))
    assert old not in items.in_force(old.repealed_on) and new in items.in_force(new.issued_on)
    made = register.made_in_year(items, TODAY.year)
    assert made.count() == 5
    sentence = register.year_sentence(items, TODAY.year)
    assert sentence.startswith("制定《") and sentence.endswith("等5项制度。")
    page = login("dangwu").get("/duties/rules/").content.decode()
    assert sentence in page


def test_rules_bind_everyone_in_the_agency_but_only_staff_edit_them(agency):
    item = Institution.objects.first()
    assert login("kezhang").get(f"/duties/rules/{item.pk}/").status_code == 200
    assert login("banzi").get("/duties/rules/").content.decode().count("现行有效") >= 1
    assert login("kezhang").get(f"/duties/rules/{item.pk}/edit/").status_code == 403
    assert login("zhibu").get(f"/duties/rules/{item.pk}/edit/").status_code == 403
    assert login("dangyuan").get(f"/duties/rules/{item.pk}/").status_code == 404
    assert login("admin").get("/duties/rules/").status_code == 403


def test_uploads_are_checked_by_content_and_served_through_a_scoped_view(agency, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login("dangwu")
    data = {"title": "市XX公务接待管理办法", "doc_number": "", "category": "conduct", "issuer": "中共市XX党组",
            "issued_on": TODAY.isoformat(), "org": agency["root"].pk, "body": "公务接待实行清单制度"}
    before = Institution.objects.count()
    fake = SimpleUploadedFile("办法.pdf", b"<html>not a pdf</html>")
    page = client.post("/duties/rules/new/", {**data, "upload": fake}).content.decode()
    assert "文件内容：不是" in page and Institution.objects.count() == before
    renamed = SimpleUploadedFile("办法.doc", _docx_bytes())
    page = client.post("/duties/rules/new/", {**data, "upload": renamed}).content.decode()
    assert "扩展名" in page and Institution.objects.count() == before
    response = client.post("/duties/rules/new/", {**data, "upload": SimpleUploadedFile("办法.docx", _docx_bytes())})
    assert response.status_code == 302
    item = Institution.objects.get(title="市XX公务接待管理办法")
    assert item.file.startswith("duties/rules/") and item.file_name == "办法.docx"
    download = client.get(f"/duties/rules/{item.pk}/file/")
    assert b"".join(download.streaming_content) == _docx_bytes()
    assert login("dangyuan").get(f"/duties/rules/{item.pk}/file/").status_code == 404
    assert AuditEvent.objects.filter(action="upload.refused", actor__username="dangwu").count() == 2
    assert AuditEvent.objects.filter(action="file.download", target_id=str(item.pk)).count() == 1


def test_a_repeal_before_the_issue_date_is_refused(agency):
    item = Institution(org=agency["root"], title="x", category="other", issuer="党组", issued_on=TODAY,
                       repealed_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="废止日期应晚于印发日期"):
        register.do_save_institution(item, actor=agency["users"]["dangwu"])


def test_the_leading_group_answers_who_led_it_in_a_year(agency):
    group = LeadingGroup.objects.get()
    assert group.office == agency["orgs"]["SXX-DJB"]
    leaders = [m.person for m in services.group_members_in(group, TODAY.year - 1) if m.role == GroupRole.LEADER]
    assert leaders == [agency["secretary"]]
    members_last_year = {m.person for m in services.group_members_in(group, TODAY.year - 1)}
    members_now = {m.person for m in GroupMember.objects.filter(group=group).current()}
    assert members_last_year - members_now  # someone left during last year
    page = login("jijian").get("/duties/group/", {"year": TODAY.year - 1}).content.decode()
    assert agency["secretary"].name in page and "组长" in page


def test_a_second_group_leader_for_the_same_period_is_refused(agency):
    group = LeadingGroup.objects.get()
    before = GroupMember.objects.count()
    member = GroupMember(group=group, person=agency["banzi"], role=GroupRole.LEADER, start_date=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.do_add_group_member(member, actor=agency["users"]["dangwu"])
    assert "同一时期只能有一名组长" in exc.value.message_dict["role"][0]
    assert GroupMember.objects.count() == before


def test_group_changes_conflict_when_two_people_edit(agency):
    group = LeadingGroup.objects.get()
    client_a, client_b = login("dangwu"), login("dangwu")
    form = {"name": group.name, "established_on": group.established_on.isoformat(), "basis": "新文号",
            "office": group.office_id, "loaded_version": group.version}
    assert client_a.post(f"/duties/group/{group.pk}/edit/", form).status_code == 302
    page = client_b.post(f"/duties/group/{group.pk}/edit/", {**form, "basis": "另一个文号"}).content.decode()
    assert "已被他人修改" in page
    group.refresh_from_db()
    assert group.basis == "新文号"
