"""历史诉求导入: column mapping (by header and by letter), GBK csv, all or nothing with a row-by-row report, the
categories it creates, one summarised audit event, and the command ``dangjian petitions import`` run for real."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from dangjian.core.documents import write_xlsx
from dangjian.core.models import AuditEvent
from dangjian.supervision import petition_import
from dangjian.supervision.petition_models import (
    CategorySource,
    Channel,
    Petition,
    PetitionCategory,
    PetitionKind,
    PetitionStatus,
)

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "来件时间", "来源", "诉求标题", "诉求内容", "性质", "问题分类"]
ROWS = [
    ["H-001", dt.datetime(2024, 3, 5, 10, 20), "电话", "道路积水", "幸福小区门口道路雨后积水严重。", "投诉", "市政设施"],
    ["H-002", "2024/4/1", "QQ群", "", "建议增设公交站台\n第二行", "建议", "交通出行"],
    ["H-003", "2024年5月6日", "热线电话", "举报违规吃喝", "某科室在酒店公款吃喝。", "举报", "作风纪律"],
]
SPECS = {"number": "序号", "received_at": "来件时间", "channel": "来源", "subject": "诉求标题",
         "content": "诉求内容", "kind": "性质", "category": "问题分类"}


def xlsx(rows, headers=HEADERS, name="历史诉求.xlsx"):
    f = io.BytesIO(write_xlsx("诉求", headers, rows))
    f.name = name
    return f


def csv_file(rows, headers=HEADERS, encoding="gbk", name="历史诉求.csv"):
    lines = [",".join(headers)] + [",".join(str(v) for v in r) for r in rows]
    f = io.BytesIO("\r\n".join(lines).encode(encoding))
    f.name = name
    return f


def test_mapping_by_header_creates_accepted_history_rows_categories_and_one_audit_event(demo):
    org, actor = demo["orgs"]["SXX"], demo["users"]["dangwu"]
    PetitionCategory.objects.create(org=org, name="市政设施")
    triage_before = Petition.objects.filter(status=PetitionStatus.TRIAGE).count()
    result = petition_import.import_petitions(xlsx(ROWS), SPECS, org=org, actor=actor)
    assert result.report.ok and result.created == 3
    assert result.new_categories == ["交通出行", "作风纪律"]  # 市政设施 existed: matched by name, not created again
    rows = {p.number: p for p in Petition.objects.filter(imported=True).select_related("category")}
    assert set(rows) == {"H-001", "H-002", "H-003"}
    first, second, third = rows["H-001"], rows["H-002"], rows["H-003"]
    assert (first.channel, first.kind, first.category.name) == (Channel.HOTLINE, PetitionKind.COMPLAINT, "市政设施")
    assert first.received_at == dt.datetime(2024, 3, 5, 2, 20, tzinfo=dt.UTC)  # Beijing time, stored as UTC
    assert (second.channel, second.kind, second.subject) == (Channel.QQ, PetitionKind.SUGGESTION, "建议增设公交站台")
    assert third.kind == PetitionKind.ACCUSATION and timezone.localtime(third.received_at).date() == dt.date(2024, 5, 6)
    for p in rows.values():  # records of the past: no triage, no Matter (so no deadline, never overdue)
        assert (p.status, p.matter_id, p.category_source, p.created_by) == (
            PetitionStatus.ACCEPTED, None, CategorySource.IMPORTED, actor)
        assert p.org_path == org.path
    assert Petition.objects.filter(status=PetitionStatus.TRIAGE).count() == triage_before
    assert PetitionCategory.objects.filter(org=org, name__in=["交通出行", "作风纪律"]).count() == 2
    event = AuditEvent.objects.get(action="supervision.petition_import")
    assert event.actor == actor and event.after["created"] == 3
    assert event.after["categories_created"] == ["交通出行", "作风纪律"]
    assert event.after["mapping"]["标题"] == "D列（诉求标题）"
    assert AuditEvent.objects.filter(action="supervision.petition_category_import").count() == 2
    # the same file again: every number already on file, nothing written
    again = petition_import.import_petitions(xlsx(ROWS), SPECS, org=org, actor=actor)
    assert not again.report.ok and [e.row for e in again.report.errors] == [2, 3, 4]
    assert "已有编号为“H-001”" in again.report.errors[0].message
    assert Petition.objects.filter(imported=True).count() == 3


def test_mapping_by_letter_a_gbk_csv_and_one_channel_for_the_file(demo):
    org, actor = demo["orgs"]["SXX"], demo["users"]["jijian"]
    rows = [[r[0], r[1].strftime("%Y-%m-%d %H:%M") if isinstance(r[1], dt.datetime) else r[1], r[2], r[3],
             r[4].replace("\n", " "), r[5], r[6]] for r in ROWS]
    result = petition_import.import_petitions(
        csv_file(rows), {"received_at": "B", "content": "e", "category": "G"}, org=org, actor=actor, channel="来信")
    assert result.report.ok and result.created == 3
    stored = list(Petition.objects.filter(imported=True).order_by("received_at"))
    assert [p.content for p in stored] == ["幸福小区门口道路雨后积水严重。", "建议增设公交站台 第二行", "某科室在酒店公款吃喝。"]
    assert {p.channel for p in stored} == {Channel.LETTER} and {p.kind for p in stored} == {PetitionKind.SUGGESTION}
    assert stored[0].subject == stored[0].content and stored[0].number == ""  # no 标题 column: the content's start


def test_a_bad_row_writes_nothing_and_the_report_names_row_and_column(demo):
    org, actor = demo["orgs"]["SXX"], demo["users"]["dangwu"]
    before = (Petition.objects.count(), PetitionCategory.objects.count(), AuditEvent.objects.count())
    bad = [*ROWS, ["H-004", "2024-13-01", "飞鸽传书", "", "", "咨询", "新分类"], ["H-001", "2099-01-01", "电话", "长" * 201,
                                                                          "内容", "投诉", ""]]
    result = petition_import.import_petitions(xlsx(bad), SPECS, org=org, actor=actor)
    report = result.report
    assert not report.ok and result.created == 0 and report.rows == 5
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(5, "时间"), (5, "渠道"), (5, "标题、内容"), (5, "类型"), (6, "编号"), (6, "时间"), (6, "标题")}
    assert len(report.errors) == len(found)  # each problem once, all of a row's problems at once
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "“飞鸽传书”不是已有渠道" in messages[(5, "渠道")] and "与第 2 行重复" in messages[(6, "编号")]
    assert "晚于现在" in messages[(6, "时间")] and messages[(6, "标题")] == "最多 200 字（现有 201 字）"
    assert (Petition.objects.count(), PetitionCategory.objects.count(), AuditEvent.objects.count()) == before
    # a mapping that cannot work is refused naming the field
    with pytest.raises(ValidationError) as exc:
        petition_import.build_mapping({"subject": "不存在的列", "number": "A", "kind": "A"}, HEADERS)
    assert set(exc.value.message_dict) == {"subject", "kind", "received_at", "channel"}
    assert "一列只能对应一个字段" in exc.value.message_dict["kind"][0]


def test_the_command_imports_a_file_and_refuses_a_bad_one_on_stderr(demo, tmp_path):
    path = tmp_path / "热线.xlsx"
    path.write_bytes(xlsx(ROWS).getvalue())
    out, err = io.StringIO(), io.StringIO()
    maps = ["--map", "subject=诉求标题", "--map", "content=E", "--map", "category=问题分类", "--map", "received_at=B",
            "--map", "number=序号"]
    with pytest.raises(CommandError) as exc:
        call_command("petitions", "import", str(path), *maps, "--org", "SXX", "--user", "dangyuan", stdout=out, stderr=err)
    assert "无权导入" in str(exc.value)  # a plain member may not
    call_command("petitions", "import", str(path), *maps, "--channel", "热线电话", "--org", "SXX", "--user", "dangwu",
                 stdout=out, stderr=err)
    assert "已导入历史诉求 3 条" in out.getvalue()
    assert set(Petition.objects.filter(imported=True).values_list("channel", flat=True)) == {Channel.HOTLINE}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([["X-1", "昨天", "电话", "标题", "内容", "投诉", ""]], encoding="utf-8").getvalue())
    with pytest.raises(CommandError) as exc:
        call_command("petitions", "import", str(bad), "--map", "subject=D", "--map", "received_at=B", "--map",
                     "channel=C", "--org", "SXX", "--user", "dangwu", stdout=out, stderr=err)
    assert "未写入任何数据" in str(exc.value) and "第 2 行\t时间\t“昨天”不是有效时间" in err.getvalue()
    assert Petition.objects.filter(imported=True).count() == 3


def test_the_page_uploads_maps_reports_a_bad_row_then_imports(demo):
    from django.core.files.storage import default_storage

    from tests.conftest import signed_in

    client = signed_in(demo["users"]["dangwu"])
    url = "/supervision/petitions/import/"
    assert client.get(url).status_code == 200
    assert signed_in(demo["users"]["kezhang"]).get(url).status_code == 403
    bad = [*ROWS, ["H-009", "不是时间", "电话", "标题", "内容", "投诉", ""]]
    response = client.post(url, {"org": demo["orgs"]["SXX"].pk, "file": xlsx(bad)})
    page = response.content.decode()
    assert response.status_code == 200 and "D列<br>诉求标题" in page and "幸福小区门口道路雨后积水严重。" in page
    token = response.context["mapping"].initial["token"]
    assert response.context["mapping"].initial["col_subject"] == "3"  # guessed from the header 诉求标题
    assert not any("petition_imports" in str(v) for v in client.session.values())  # the file is not in the session
    stored = signing_name(token, demo["users"]["dangwu"])
    assert default_storage.exists(stored)
    choice = {"token": token, "col_number": "0", "col_received_at": "1", "col_channel": "2", "col_subject": "3",
              "col_content": "4", "col_kind": "5", "col_category": "6"}
    response = client.post(url, choice)
    page = response.content.decode()
    assert "发现 1 处错误，未写入任何数据" in page and "第 5 行" in page and "“不是时间”不是有效时间" in page
    assert not Petition.objects.filter(imported=True).exists() and default_storage.exists(stored)
    # another user cannot use the token (signed for its uploader); a mapping without 时间 names the field
    other = signed_in(demo["users"]["jijian"]).post(url, choice)
    assert other.status_code == 302 and not Petition.objects.filter(imported=True).exists()
    response = client.post(url, {**choice, "col_received_at": ""})
    assert "时间：请选择收到时间所在的列" in response.content.decode()
    # the same file fixed: uploaded again, then imported
    response = client.post(url, {"org": demo["orgs"]["SXX"].pk, "file": xlsx(ROWS)})
    fixed = {**choice, "token": response.context["mapping"].initial["token"]}
    response = client.post(url, fixed, follow=True)
    assert "已导入历史诉求 3 条" in response.content.decode()
    assert Petition.objects.filter(imported=True).count() == 3
    assert not default_storage.exists(signing_name(fixed["token"], demo["users"]["dangwu"]))


def signing_name(token, user):
    from django.core import signing

    return signing.loads(token, salt=f"petition-import:{user.pk}")["f"]


def test_a_large_file_from_the_page_is_imported_by_the_queue_and_the_uploader_told(
        demo, monkeypatch, django_capture_on_commit_callbacks):
    from dangjian.core.models import JobRun, Notification
    from tests.conftest import signed_in

    monkeypatch.setattr(petition_import, "PAGE_BYTES", 100)  # these small files count as large
    user, url = demo["users"]["dangwu"], "/supervision/petitions/import/"
    client = signed_in(user)
    choice = {"col_number": "0", "col_received_at": "1", "col_channel": "2", "col_subject": "3", "col_content": "4",
              "col_kind": "5", "col_category": "6"}

    def run(rows):
        token = client.post(url, {"org": demo["orgs"]["SXX"].pk, "file": xlsx(rows)}).context["mapping"].initial["token"]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {**choice, "token": token}, follow=True)
        assert "已转入后台导入" in response.content.decode()
        return Notification.objects.filter(recipient=user).order_by("-id").first()

    bad = run([*ROWS, ["H-009", "不是时间", "电话", "标题", "内容", "投诉", ""]])
    assert bad.title == "历史诉求导入未完成" and "第 5 行 时间：“不是时间”不是有效时间" in bad.body
    assert not Petition.objects.filter(imported=True).exists()
    done = run(ROWS)
    assert done.title == "历史诉求导入完成" and "已导入 3 条" in done.body
    assert Petition.objects.filter(imported=True).count() == 3
    run_row = JobRun.objects.filter(job=petition_import.IMPORT_JOB).order_by("-id").first()
    assert run_row.state == JobRun.State.DONE and run_row.result == "已导入 3 条"
    # run again (a consumer that died after the commit): nothing imported twice
    assert petition_import.run_stored_import(*run_row.args) == "已导入（重复执行，未再导入）"
    assert Petition.objects.filter(imported=True).count() == 3
